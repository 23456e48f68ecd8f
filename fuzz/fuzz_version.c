/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_version.c: parse_version() on `aliyun version` stdout, and version_cmp()
 * on what it accepts.  The input is one version, or two separated by a NUL.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../src/aliyun.h"
#include "fuzz.h"

static void
check_parsed(const char *s, const int v[3])
{
	char txt[64];
	int w[3], i;

	for (i = 0; i < 3; i++)
		FUZZ_CHECK(v[i] >= 0 && v[i] <= 100000, "'%s': part %d is %d", s, i, v[i]);
	/* What it accepted prints back as itself. */
	snprintf(txt, sizeof(txt), "%d.%d.%d\n", v[0], v[1], v[2]);
	FUZZ_CHECK(parse_version(txt, w) == 0, "'%s' reprinted as '%s' does not parse", s, txt);
	FUZZ_CHECK(version_cmp(v, w) == 0, "'%s' changed on a round trip", s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int min[3] = { 3, 3, 15 };
	char *part[2];
	int a[3], b[3], ra, rb, ab, ba;
	size_t n;

	n = fuzz_split(data, size, part, 2);
	ra = parse_version(part[0], a);
	FUZZ_CHECK(ra == 0 || ra == -1, "rc %d", ra);
	if (ra == 0) {
		check_parsed(part[0], a);
		FUZZ_CHECK(version_cmp(a, a) == 0, "not equal to itself");
		ab = version_cmp(a, min);
		ba = version_cmp(min, a);
		FUZZ_CHECK(ab == -ba && ab >= -1 && ab <= 1, "cmp with 3.3.15: %d, %d", ab, ba);
	}
	if (n > 1) {
		rb = parse_version(part[1], b);
		FUZZ_CHECK(rb == 0 || rb == -1, "rc %d", rb);
		if (rb == 0)
			check_parsed(part[1], b);
		if (ra == 0 && rb == 0) {
			ab = version_cmp(a, b);
			ba = version_cmp(b, a);
			FUZZ_CHECK(ab == -ba && ab >= -1 && ab <= 1, "antisymmetry: %d, %d", ab, ba);
			/* Equal means equal parts. */
			FUZZ_CHECK((ab == 0) == (memcmp(a, b, sizeof(a)) == 0), "equality");
		}
	}
	fuzz_split_free(part, 2);
	return 0;
}
