/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_redact.c: redact() on any bytes (everything aliyun or the Step 7 script
 * prints passes it).  No AccessKey id, LTAI and 8 or more alphanumerics, may
 * survive, and redaction is idempotent: redact(redact(x)) == redact(x), so text
 * redacted twice on its way out (a message, then a report) reads the same.
 * A credential known by value (from the environment, as ackprof learns it) never
 * survives, in any form the masks know.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/redact.h"
#include "fuzz.h"

#define KNOWN	"Kn0wnS3cretValue42"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int learnt;
	char *once, *twice;
	const char *leak;

	if (!learnt) {
		setenv("ALICLOUD_ACCESS_KEY_SECRET", KNOWN, 1);
		redact_learn_env();
		learnt = 1;
	}

	/* As report.c calls it: bytes and a length, NULs allowed. */
	once = redact((const char *)data, size);
	FUZZ_CHECK(once != NULL, "NULL");
	leak = fuzz_key_id(once);
	FUZZ_CHECK(leak == NULL, "an AccessKey id survived: %.40s", leak);
	FUZZ_CHECK(strstr(once, KNOWN) == NULL, "a known value survived: %s", once);
	twice = redacts(once);
	FUZZ_CHECK(strcmp(once, twice) == 0, "not idempotent:\n once: %s\ntwice: %s", once, twice);
	free(twice);
	free(once);
	return 0;
}
