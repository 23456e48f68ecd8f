/* SPDX-License-Identifier: Apache-2.0 */
/* test_i18n.c: the printf signature that guards every translation, and formatting (i18n.c). */
#include "unit.h"

#include "i18n.h"

static void
sig_is(const char *fmt, const char *want)
{
	char sig[32];
	int n = i18n_signature(fmt, sig, sizeof(sig));

	if (want == NULL) {
		if (n != -1)
			fail_msg("i18n_signature(\"%s\") = \"%s\", want -1", fmt, sig);
		return;
	}
	if (n < 0 || strcmp(sig, want) != 0)
		fail_msg("i18n_signature(\"%s\") = %d \"%s\", want \"%s\"", fmt, n, n < 0 ? "" : sig, want);
}

static void
signature_should_name_each_argument_type(void **state)
{
	(void)state;
	sig_is("plain text", "");
	sig_is("100%% sure", "");
	sig_is("%s: %d", "si");
	sig_is("%zu/%lu %lld %g %.20s %-8s %5d %c %p", "zlLfssiip");
	sig_is("%hhd %hd %jd %td %Lf", "iijtD");
	sig_is("%.*s|%*d|%-*.*s", "isiiiis");
}

static void
signature_should_follow_positions(void **state)
{
	(void)state;
	sig_is("%2$s then %1$d", "is");
	sig_is("%1$s %1$s %2$lu", "sl");
	/* The plural trick of languages without plurals: %.0s takes the argument, prints nothing. */
	sig_is("%d run%.0s", "is");
}

static void
signature_should_refuse_what_it_cannot_vouch_for(void **state)
{
	(void)state;
	sig_is("%n", NULL);
	sig_is("%1$*2$d", NULL);	/* '*' with positions */
	sig_is("%1$s %s", NULL);	/* positions mixed with the next argument */
	sig_is("%2$s", NULL);		/* argument 1 never used */
	sig_is("%1$s %1$d", NULL);	/* one argument, two types */
	sig_is("%Ld", NULL);
	sig_is("%ls", NULL);
	sig_is("trailing %", NULL);
	sig_is("%17$s", NULL);		/* beyond the arguments we keep */
}

static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	s = i18n_vasprintf(f, ap);
	va_end(ap);
	return s;
}

static void
english_should_be_plain_printf(void **state)
{
	char *s;
	const char *msg = "unknown option %s (see ackprof --help)";

	(void)state;
	i18n_english();
	assert_ptr_equal(i18n_gettext(msg), msg);
	s = fmt("%s: %zu of %lu, %.2f%% %lld %5.1s|%-3d|", "step one", (size_t)3, 7UL, 1.5, -2LL, "xyz", 4);
	assert_string_equal(s, "step one: 3 of 7, 1.50% -2     x|4  |");
	free(s);
	s = fmt("no arguments at all");
	assert_string_equal(s, "no arguments at all");
	free(s);
}

/*
 * With a language on and no catalog for these messages, every line still goes
 * through our own formatter (argument by argument): it must print what printf does.
 */
static void
own_formatter_should_match_printf(void **state)
{
	char *s, want[256];

	(void)state;
	assert_int_equal(i18n_init("zh"), 0);
	assert_true(i18n_active());
	s = fmt("%s: %zu of %lu, %.2f%% %lld %5.1s|%-3d|%x %c %g", "step one", (size_t)3, 7UL, 1.5,
	    -2LL, "xyz", 4, 255u, 'q', 0.25);
	snprintf(want, sizeof(want), "%s: %zu of %lu, %.2f%% %lld %5.1s|%-3d|%x %c %g", "step one",
	    (size_t)3, 7UL, 1.5, -2LL, "xyz", 4, 255u, 'q', 0.25);
	assert_string_equal(s, want);
	free(s);
	s = fmt("[%.*s|%*d|%-*.*s]", 3, "abcdef", 5, 42, 6, 2, "xyz");
	snprintf(want, sizeof(want), "[%.*s|%*d|%-*.*s]", 3, "abcdef", 5, 42, 6, 2, "xyz");
	assert_string_equal(s, want);
	free(s);
	i18n_english();
}

static void
init_should_refuse_unknown_languages(void **state)
{
	(void)state;
	assert_int_equal(i18n_init("fr"), -1);
	assert_int_equal(i18n_init("en"), 0);
	assert_int_equal(i18n_init("C"), 0);
	i18n_english();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signature_should_name_each_argument_type),
		cmocka_unit_test(signature_should_follow_positions),
		cmocka_unit_test(signature_should_refuse_what_it_cannot_vouch_for),
		cmocka_unit_test(english_should_be_plain_printf),
		cmocka_unit_test(own_formatter_should_match_printf),
		cmocka_unit_test(init_should_refuse_unknown_languages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
