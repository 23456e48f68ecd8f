/* SPDX-License-Identifier: Apache-2.0 */
/* test_util.c: the small helpers of util.c that people read (durations). */
#include "unit.h"

#include "util.h"

static void
fmt_duration_should_read_as_seconds_minutes_and_hours(void **state)
{
	static const struct {
		double		 secs;
		const char	*want;
	} cases[] = {
		{ -3, "0s" }, { 0, "0s" }, { 0.4, "0s" }, { 0.5, "1s" }, { 59.4, "59s" },
		{ 59.6, "1m00s" }, { 185, "3m05s" }, { 3599, "59m59s" }, { 3600, "1h00m" },
		{ 3720, "1h02m" }, { 90061, "25h01m" },
	};
	char out[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fmt_duration(cases[i].secs, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fmt_duration_should_read_as_seconds_minutes_and_hours),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
