/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_batch_line.c: batch_parse_line() on one line of an `ackprof batch` input
 * ("CLUSTER NAMESPACE POD [description...]", or a JSON object).  The input comes
 * from a file the user was handed, maybe generated: every target it accepts must
 * be one the single-pod command would accept.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/batch.h"
#include "../src/target.h"
#include "fuzz.h"

#define NOW	((time_t)1781000000)

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_cstr(data, size), err[512];
	struct target t;
	int rc;

	memset(err, 0, sizeof(err));
	rc = batch_parse_line(line, NOW, &t, err, sizeof(err));
	FUZZ_CHECK(rc >= -1 && rc <= 1, "rc %d", rc);
	if (rc == -1)
		FUZZ_CHECK(err[0] != '\0', "refused without a reason");
	if (rc != 1)
		FUZZ_CHECK(!t.cluster && !t.ns && !t.pod && !t.desc, "fields left on rc %d", rc);
	if (rc == 1) {
		/* What main.c checks before any aliyun call, checked again here. */
		FUZZ_CHECK(t.cluster && valid_cluster_id(t.cluster), "cluster '%s'", t.cluster);
		FUZZ_CHECK(t.ns && valid_namespace(t.ns), "namespace '%s'", t.ns);
		FUZZ_CHECK(t.pod && valid_pod(t.pod), "pod '%s'", t.pod);
		FUZZ_CHECK(t.desc && valid_description(t.desc) && strlen(t.desc) <= 128,
		    "description '%s'", t.desc);
		if (t.win.historical)
			FUZZ_CHECK(t.win.start > 0 && t.win.start < t.win.end && t.win.end <= NOW + 60,
			    "window %lld-%lld", (long long)t.win.start, (long long)t.win.end);
		else
			FUZZ_CHECK(t.win.start == 0 && t.win.end == 0, "real time with a window");
	}
	target_free(&t);
	free(line);
	return 0;
}
