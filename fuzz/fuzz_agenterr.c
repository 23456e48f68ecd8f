/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_agenterr.c: agent_error_parse() on what the aliyun CLI 3.5.x in AI mode may
 * leave on stderr (src/agenterr.c), then cli_parse_error() on the same text as the
 * workflow reads it, and the classification of the result.  The input is stderr as
 * is (with its NULs: the parser takes a length).
 */
#include <stdint.h>
#include <string.h>

#include "../src/agenterr.h"
#include "../src/aliyun.h"
#include "fuzz.h"
#include "fuzz_cli.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cli_error e;
	char *s;
	int r;

	memset(&e, 0, sizeof(e));
	r = agent_error_parse((const char *)data, size, &e);
	FUZZ_CHECK(r == 0 || r == 1, "agent_error_parse %d", r);
	fuzz_check_cli_fields(&e);
	/* The envelope's status_code is kept only when it is an HTTP status. */
	FUZZ_CHECK(e.http_status == 0 || (e.http_status >= 100 && e.http_status < 1000),
	    "status %d", e.http_status);
	/* As the workflow reads it: scrubbed, classified, a yes or a no each. */
	s = fuzz_cstr(data, size);
	cli_parse_error(s, "", &e);
	fuzz_check_cli_fields(&e);
	FUZZ_CHECK(cli_error_is_throttled(&e) == 0 || cli_error_is_throttled(&e) == 1, "throttled");
	FUZZ_CHECK(cli_error_is_permission(&e, s) <= 1, "permission");
	FUZZ_CHECK(strlen(e.auth_action) < sizeof(e.auth_action), "auth_action");
	FUZZ_CHECK(e.auth_action[0] == '\0' || strchr(e.auth_action, ':') != NULL, "auth_action shape");
	free(s);
	return 0;
}
