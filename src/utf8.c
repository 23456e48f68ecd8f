/* SPDX-License-Identifier: Apache-2.0 */
/* utf8.c: UTF-8 validity, cutting on character boundaries, repair, display width. */
#include <stdint.h>
#include <string.h>

#include "utf8.h"
#include "buf.h"

struct urange {
	uint32_t lo, hi;
};

#include "utf8tab.h"

#define CONT(b)	(((b) & 0xC0) == 0x80)

/*
 * Decode the character at s[0..len), len >= 1.  Returns the bytes it takes and sets *cp, or,
 * for an ill-formed sequence, returns the length of its maximal subpart (at least 1) and
 * sets *cp to -1.  The second byte's range depends on the first (Unicode Table 3-7): that
 * is what rules out overlong forms, surrogates and code points past U+10FFFF.
 */
static size_t
decode(const unsigned char *s, size_t len, int32_t *cp)
{
	unsigned char b = s[0], lo = 0x80, hi = 0xBF;
	size_t need, i;
	int32_t c;

	*cp = -1;
	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	if (b >= 0xC2 && b <= 0xDF)
		need = 1, c = b & 0x1F;
	else if (b >= 0xE0 && b <= 0xEF)
		need = 2, c = b & 0x0F;
	else if (b >= 0xF0 && b <= 0xF4)
		need = 3, c = b & 0x07;
	else
		return 1;
	if (b == 0xE0)
		lo = 0xA0;
	else if (b == 0xED)
		hi = 0x9F;
	else if (b == 0xF0)
		lo = 0x90;
	else if (b == 0xF4)
		hi = 0x8F;
	for (i = 1; i <= need; i++) {
		if (i >= len || s[i] < lo || s[i] > hi)
			return i;
		c = (c << 6) | (s[i] & 0x3F);
		lo = 0x80, hi = 0xBF;
	}
	*cp = c;
	return need + 1;
}

int
utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	int32_t cp;

	while (i < len) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		i += decode(u + i, len - i, &cp);
		if (cp < 0)
			return 0;
	}
	return 1;
}

/* Back from max over continuation bytes to the lead byte of the character max cuts. */
size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = max < len ? max : len, k;
	int32_t cp;

	if (n == len || !CONT(u[n]))
		return n;
	for (k = n; k > 0 && n - k < 3 && CONT(u[k]); k--)
		;
	/* A character starting at k that reaches past n is cut: drop it whole. */
	if (k + decode(u + k, len - k, &cp) > n)
		return k;
	return n;
}

char *
utf8_sanitize(const char *s, size_t len)
{
	static const char fffd[] = "\xEF\xBF\xBD";
	const unsigned char *u = (const unsigned char *)s;
	struct buf b = { 0 };
	size_t i = 0, start = 0, n;
	int32_t cp;

	buf_add(&b, "", 0);
	while (i < len) {
		n = u[i] < 0x80 ? 1 : decode(u + i, len - i, &cp);
		if (u[i] >= 0x80 && cp < 0) {
			buf_add(&b, s + start, i - start);
			buf_add(&b, fffd, 3);
			start = i + n;
		}
		i += n;
	}
	buf_add(&b, s + start, i - start);
	return b.p;
}

static int
in_table(const struct urange *t, size_t n, uint32_t c)
{
	size_t lo = 0, hi = n;

	if (n == 0 || c < t[0].lo || c > t[n - 1].hi)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c > t[mid].hi)
			lo = mid + 1;
		else if (c < t[mid].lo)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

int
utf8_width(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;
	int32_t cp;
	int w = 0;

	while (i < len) {
		i += decode(u + i, len - i, &cp);
		if (cp < 0x300)		/* ASCII, Latin, an invalid sequence: one column */
			w++;
		else if (in_table(utf8_zero, sizeof(utf8_zero) / sizeof(utf8_zero[0]), cp))
			continue;
		else if (in_table(utf8_wide, sizeof(utf8_wide) / sizeof(utf8_wide[0]), cp))
			w += 2;
		else
			w++;
	}
	return w;
}
