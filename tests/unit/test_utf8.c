/* SPDX-License-Identifier: Apache-2.0 */
/* test_utf8.c: validity, boundary cuts, U+FFFD repair and display width (utf8.c). */
#include "unit.h"

#include "utf8.h"

#define ZHONG	"\xE4\xB8\xAD"		/* U+4E2D, 3 bytes, wide */
#define EURO	"\xE2\x82\xAC"		/* U+20AC, 3 bytes, narrow */
#define GRIN	"\xF0\x9F\x98\x80"	/* U+1F600, 4 bytes, wide */
#define FFFD	"\xEF\xBF\xBD"

static void
sanitized(const char *in, size_t len, const char *want)
{
	char *got = utf8_sanitize(in, len);

	assert_non_null(got);
	assert_true(utf8_valid(got, strlen(got)));
	if (strcmp(got, want) != 0)
		fail_msg("utf8_sanitize: got \"%s\", want \"%s\"", got, want);
	free(got);
}

static void
valid_should_accept_well_formed_text(void **state)
{
	(void)state;
	assert_true(utf8_valid(LIT("")));
	assert_true(utf8_valid(LIT("plain ascii\n\t")));
	assert_true(utf8_valid(LIT(ZHONG EURO GRIN "\xC2\x80" "\xDF\xBF")));
	assert_true(utf8_valid(LIT("\xED\x9F\xBF")));		/* U+D7FF, before the surrogates */
	assert_true(utf8_valid(LIT("\xEE\x80\x80")));		/* U+E000, after them */
	assert_true(utf8_valid(LIT("\xF4\x8F\xBF\xBF")));	/* U+10FFFF */
	assert_true(utf8_valid(LIT("\xF0\x90\x80\x80")));	/* U+10000 */
	assert_true(utf8_valid("a\0b", 3));
}

static void
valid_should_reject_overlongs_surrogates_and_truncation(void **state)
{
	(void)state;
	assert_false(utf8_valid(LIT("\xC0\xAF")));		/* overlong '/' */
	assert_false(utf8_valid(LIT("\xC1\xBF")));
	assert_false(utf8_valid(LIT("\xE0\x80\xAF")));		/* overlong 3-byte */
	assert_false(utf8_valid(LIT("\xE0\x9F\xBF")));
	assert_false(utf8_valid(LIT("\xF0\x80\x80\xAF")));	/* overlong 4-byte */
	assert_false(utf8_valid(LIT("\xF0\x8F\xBF\xBF")));
	assert_false(utf8_valid(LIT("\xED\xA0\x80")));		/* U+D800 */
	assert_false(utf8_valid(LIT("\xED\xBF\xBF")));		/* U+DFFF */
	assert_false(utf8_valid(LIT("\xF4\x90\x80\x80")));	/* U+110000 */
	assert_false(utf8_valid(LIT("\xF5\x80\x80\x80")));
	assert_false(utf8_valid(LIT("\xFF")));
	assert_false(utf8_valid(LIT("\x80")));			/* lone continuation */
	assert_false(utf8_valid(LIT("ab\xE4\xB8")));		/* truncated at the end */
	assert_false(utf8_valid(LIT("\xE4\xB8" "a")));
	assert_false(utf8_valid(ZHONG, 2));
}

static void
cut_should_never_split_a_character(void **state)
{
	const char *s = "ab" ZHONG GRIN "c";	/* 2 + 3 + 4 + 1 = 10 bytes */
	size_t max;

	(void)state;
	assert_int_equal(utf8_cut(s, 10, 0), 0);
	assert_int_equal(utf8_cut(s, 10, 2), 2);
	assert_int_equal(utf8_cut(s, 10, 3), 2);
	assert_int_equal(utf8_cut(s, 10, 4), 2);
	assert_int_equal(utf8_cut(s, 10, 5), 5);
	assert_int_equal(utf8_cut(s, 10, 6), 5);
	assert_int_equal(utf8_cut(s, 10, 8), 5);
	assert_int_equal(utf8_cut(s, 10, 9), 9);
	assert_int_equal(utf8_cut(s, 10, 10), 10);
	assert_int_equal(utf8_cut(s, 10, 99), 10);
	assert_int_equal(utf8_cut(s, 7, 99), 7);	/* len bounds it even mid-character */
	for (max = 0; max <= 10; max++) {
		size_t n = utf8_cut(s, 10, max);

		assert_true(n <= max);
		assert_true(utf8_valid(s, n));
	}
}

static void
cut_should_not_back_over_stray_continuation_bytes(void **state)
{
	(void)state;
	/* Ill-formed text: cutting among stray bytes splits no character. */
	assert_int_equal(utf8_cut(LIT("a\x80\x80\x80\x80\x80"), 4), 4);
	assert_int_equal(utf8_cut(LIT("\x80\x80"), 1), 1);
	assert_int_equal(utf8_cut(LIT(ZHONG "\x80\x80"), 4), 4);
	assert_int_equal(utf8_cut(LIT(ZHONG "\x80\x80"), 2), 0);
}

static void
sanitize_should_keep_valid_text(void **state)
{
	(void)state;
	sanitized(LIT(""), "");
	sanitized(LIT("hello " ZHONG EURO GRIN), "hello " ZHONG EURO GRIN);
	sanitized("abcdef", 3, "abc");
}

/* The examples of Unicode 15 section 3.9, Tables 3-8 to 3-11 ("maximal subpart"). */
static void
sanitize_should_replace_each_maximal_subpart(void **state)
{
	(void)state;
	sanitized(LIT("a\x80" "b"), "a" FFFD "b");
	sanitized(LIT("\xC0\xAF"), FFFD FFFD);
	sanitized(LIT("\xE0\x80\xAF"), FFFD FFFD FFFD);
	sanitized(LIT("\xED\xA0\x80"), FFFD FFFD FFFD);
	sanitized(LIT("\xF4\x90\x80\x80"), FFFD FFFD FFFD FFFD);
	sanitized(LIT("\xE1\x80\xE2\xF0\x91\x92\xF1\xBF\x41"),
	    FFFD FFFD FFFD FFFD "A");
	sanitized(LIT("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"),
	    "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d");
	sanitized(LIT("ab\xE4\xB8"), "ab" FFFD);
	sanitized(LIT("\xFF\xFE"), FFFD FFFD);
}

static void
sanitize_should_make_random_bytes_valid(void **state)
{
	unsigned char in[64];
	unsigned seed = 12345;
	int round;
	size_t i;

	(void)state;
	for (round = 0; round < 2000; round++) {
		char *out;

		for (i = 0; i < sizeof(in); i++) {
			seed = seed * 1103515245 + 12345;
			in[i] = (unsigned char)(seed >> 16) | 1;	/* no NUL */
		}
		out = utf8_sanitize((const char *)in, sizeof(in));
		assert_true(utf8_valid(out, strlen(out)));
		if (utf8_valid((const char *)in, sizeof(in)))
			assert_memory_equal(out, in, sizeof(in));
		free(out);
	}
}

static void
width_should_count_columns_without_a_locale(void **state)
{
	(void)state;
	assert_int_equal(utf8_width(""), 0);
	assert_int_equal(utf8_width("abc"), 3);
	assert_int_equal(utf8_width(ZHONG), 2);
	assert_int_equal(utf8_width("\xE8\xAF\x8A\xE6\x96\xAD" "ok"), 6);	/* 诊断ok */
	assert_int_equal(utf8_width(EURO), 1);
	assert_int_equal(utf8_width(GRIN), 2);
	assert_int_equal(utf8_width("\xEF\xBC\xA1"), 2);		/* U+FF21 fullwidth A */
	assert_int_equal(utf8_width("e\xCC\x81"), 1);			/* e + combining acute */
	assert_int_equal(utf8_width("\xE2\x80\x8B"), 0);		/* zero width space */
	assert_int_equal(utf8_width("\xEA\xB0\x80"), 2);		/* U+AC00 Hangul */
	assert_int_equal(utf8_width("\xC3\xA9"), 1);			/* é */
	assert_int_equal(utf8_width("\xFF" "a"), 2);			/* an invalid byte: 1 */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_should_accept_well_formed_text),
		cmocka_unit_test(valid_should_reject_overlongs_surrogates_and_truncation),
		cmocka_unit_test(cut_should_never_split_a_character),
		cmocka_unit_test(cut_should_not_back_over_stray_continuation_bytes),
		cmocka_unit_test(sanitize_should_keep_valid_text),
		cmocka_unit_test(sanitize_should_replace_each_maximal_subpart),
		cmocka_unit_test(sanitize_should_make_random_bytes_valid),
		cmocka_unit_test(width_should_count_columns_without_a_locale),
	};

	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
