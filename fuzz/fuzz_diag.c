/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_diag.c: diag_parse() on invoke-diagnosis and get-diagnosis-result stdout,
 * and, whenever it accepts a body, every renderer on the result: report_text and
 * report_markdown (which must never print an AccessKey id, since they redact) and
 * report_json printed with cJSON_Print.  Rendering must not crash on any parsed
 * result, whatever its state.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/report.h"
#include "fuzz.h"

/* LTAI and 8 or more alphanumerics: an AccessKey id that redact() should have masked. */
static const char *
find_key_id(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	size_t n;

	while ((p = memmem(p, (size_t)(end - p), "LTAI", 4)) != NULL) {
		for (n = 0; p + 4 + n < end && isalnum((unsigned char)p[4 + n]); n++)
			;
		if (n >= 8)
			return p;
		p += 4;
	}
	return NULL;
}

typedef void (*render_fn)(FILE *, const struct report *);

static void
render(render_fn fn, const struct report *r, const char *what)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	const char *leak;

	FUZZ_CHECK(f != NULL, "open_memstream");
	fn(f, r);
	FUZZ_CHECK(fclose(f) == 0, "fclose");
	leak = find_key_id(mem, strlen(mem));
	FUZZ_CHECK(leak == NULL, "%s printed an AccessKey id: %.24s", what, leak);
	free(mem);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d;
	struct report r;
	char err[512];
	cJSON *doc;
	char *s;
	int rc, code;

	memset(err, 0, sizeof(err));
	rc = diag_parse((const char *)data, size, &d, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1, "rc %d", rc);
	if (rc == -1) {
		FUZZ_CHECK(err[0] != '\0', "failure without a reason");
		return 0;
	}
	FUZZ_CHECK(d.status != NULL, "parsed without data.status");
	if (d.state == TASK_SUCCESS)
		FUZZ_CHECK(d.suggestions != NULL && d.issues != NULL,
		    "a Success without suggestions/issues");
	code = diag_exit_code(&d);
	/* A Success with no result at all is reported (issue 18), but never as healthy. */
	if (d.state == TASK_SUCCESS && d.result == NULL)
		FUZZ_CHECK(code != 0, "a Success without a result reported healthy");
	FUZZ_CHECK(code >= 0 && code <= 2, "exit code %d", code);
	FUZZ_CHECK(overall_name(d.overall) != NULL, "overall name");

	/* The target as main.c would have validated it; odd sizes get a historical window. */
	memset(&r, 0, sizeof(r));
	r.cluster_id = "c0123456789abcdef0123456789abcdef";
	r.cluster_name = "prod-web";
	r.region = "cn-hangzhou";
	r.namespace = "default";
	r.pod = "test-app-64cdcb7b98-gchks";
	r.description = "pod_oom";
	r.historical = (int)(size & 1);
	r.start_time = r.historical ? 1781000000 : 0;
	r.end_time = r.historical ? 1781003600 : 0;
	r.task_id = "qT7mYx2L";
	r.polls = 3;
	r.diag = &d;
	r.calls = NULL;

	render(report_text, &r, "report_text");
	render(report_markdown, &r, "report_markdown");
	doc = report_json(&r, code);
	FUZZ_CHECK(doc != NULL, "report_json returned NULL");
	s = cJSON_Print(doc);
	FUZZ_CHECK(s != NULL, "cJSON_Print returned NULL");
	free(s);
	cJSON_Delete(doc);
	diag_free(&d);
	return 0;
}
