/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_sanitize.c: sanitize_description() on any -d text.  Whatever goes in, what
 * comes out must be a valid description field: ^[a-zA-Z0-9_-]*$ (checked with
 * valid_description, the rule invoke-diagnosis enforces) and at most 128 bytes.
 * A sanitized description is also a fixed point: sanitizing it again changes nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/target.h"
#include "fuzz.h"

#define DESC_MAX 128

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_cstr(data, size), *out, *again;

	out = sanitize_description(in);
	FUZZ_CHECK(out != NULL, "NULL");
	FUZZ_CHECK(valid_description(out), "not ^[a-zA-Z0-9_-]*$: '%s'", out);
	FUZZ_CHECK(strlen(out) <= DESC_MAX, "%zu bytes: '%s'", strlen(out), out);
	again = sanitize_description(out);
	FUZZ_CHECK(strcmp(again, out) == 0, "not idempotent: '%s' -> '%s'", out, again);
	free(again);
	free(out);
	free(in);
	return 0;
}
