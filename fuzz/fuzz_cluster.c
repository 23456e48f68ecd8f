/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_cluster.c: cluster_parse() on `aliyun cs GET /clusters/ID` stdout.  The
 * body comes from the cloud (or from anything that answers on that endpoint).
 */
#include <stdint.h>
#include <string.h>

#include "../src/aliyun.h"
#include "../src/target.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cluster_info ci;
	int rc;

	/* The real caller passes the captured bytes and their length: no NUL is promised. */
	rc = cluster_parse((const char *)data, size, &ci);
	FUZZ_CHECK(rc == 0 || rc == -1 || rc == -2, "rc %d", rc);
	if (rc != 0) {
		/* On failure nothing is left for the caller to free. */
		FUZZ_CHECK(!ci.name && !ci.region && !ci.profile && !ci.state, "fields set on rc %d", rc);
		return 0;
	}
	/* The workflow builds argv and endpoints from the region: it must be a region. */
	FUZZ_CHECK(ci.region != NULL && valid_region(ci.region), "region '%s'",
	    ci.region ? ci.region : "(null)");
	/* Touch every string so ASan sees a bad one. */
	if (ci.name)
		(void)strlen(ci.name);
	if (ci.profile)
		(void)strlen(ci.profile);
	if (ci.state)
		(void)strlen(ci.state);
	cluster_info_free(&ci);
	return 0;
}
