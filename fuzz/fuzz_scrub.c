/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_scrub.c: what leaves ackprof (scrub.c), on any bytes.  As text: valid UTF-8,
 * no control character but (with layout) newline and tab, no AccessKey id.  As a JSON
 * document (when the bytes parse): the scrubbed document prints, parses back, is
 * valid UTF-8, and scrubbing it again changes nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../src/redact.h"
#include "../src/scrub.h"
#include "../src/utf8.h"
#include "fuzz.h"

static void
check_text(const char *s, int layout)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	FUZZ_CHECK(utf8_valid(s, strlen(s)), "not UTF-8: %s", s);
	for (i = 0; u[i]; i++) {
		int ctl = u[i] < 0x20 || u[i] == 0x7f || (u[i] == 0xc2 && u[i + 1] >= 0x80 &&
		    u[i + 1] <= 0x9f);

		FUZZ_CHECK(!ctl || (layout && (u[i] == '\n' || u[i] == '\t')),
		    "control byte 0x%02x at %zu: %s", u[i], i, s);
	}
	FUZZ_CHECK(fuzz_key_id(s) == NULL, "an AccessKey id survived: %.40s", fuzz_key_id(s));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *t, *once, *twice;
	cJSON *doc, *back;

	t = scrub_text((const char *)data, size, 0);
	check_text(t, 0);
	free(t);
	t = scrub_text((const char *)data, size, 1);
	check_text(t, 1);
	free(t);
	doc = cJSON_ParseWithLength((const char *)data, size);
	if (doc == NULL)
		return 0;
	once = scrub_print(doc, 0);
	FUZZ_CHECK(once != NULL, "no output");
	FUZZ_CHECK(utf8_valid(once, strlen(once)), "not UTF-8: %s", once);
	back = cJSON_Parse(once);
	FUZZ_CHECK(back != NULL, "not JSON: %s", once);
	twice = scrub_print(back, 0);
	FUZZ_CHECK(strcmp(once, twice) == 0, "not idempotent:\n once: %s\ntwice: %s", once, twice);
	free(twice);
	cJSON_Delete(back);
	free(once);
	cJSON_Delete(doc);
	return 0;
}
