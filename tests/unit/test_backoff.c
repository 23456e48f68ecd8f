/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_backoff.c: the backoff after a throttled call and the spread of poll
 * intervals (src/backoff.c): their bounds and means, from a fixed seed (no clock).
 */
#include "unit.h"

#include "backoff.h"

static void
delays_should_double_within_equal_jitter_and_stop_at_the_cap(void **state)
{
	unsigned long a;
	int i;

	(void)state;
	backoff_seed(42);
	for (a = 0; a < 12; a++) {
		double d = 1;
		unsigned long k;

		for (k = 0; k < a; k++)
			d *= 2;
		if (d > BACKOFF_CAP)
			d = BACKOFF_CAP;
		for (i = 0; i < 200; i++) {
			double x = backoff_delay(1, a);

			assert_true(x >= d / 2 && x <= d);
		}
	}
	assert_true(backoff_delay(0, 3) == 0);
	assert_true(backoff_delay(-1, 0) == 0);
}

static void
bound_should_be_the_sum_of_the_ceilings(void **state)
{
	(void)state;
	assert_true(backoff_bound(1, 5) == 1 + 2 + 4 + 8 + 16);
	assert_true(backoff_bound(1, 7) == 1 + 2 + 4 + 8 + 16 + 30 + 30);
	assert_true(backoff_bound(0, 5) == 0);
	assert_true(backoff_bound(2, 0) == 0);
}

static void
jittered_intervals_should_keep_their_mean(void **state)
{
	double sum = 0, x, lo = 1e9, hi = 0;
	int i, n = 20000;

	(void)state;
	backoff_seed(7);
	for (i = 0; i < n; i++) {
		x = jittered(10);
		assert_true(x >= 5 && x <= 15);
		sum += x;
		lo = x < lo ? x : lo;
		hi = x > hi ? x : hi;
	}
	assert_true(sum / n > 9.8 && sum / n < 10.2);
	/* Spread, not a constant: two batch targets do not poll in lockstep. */
	assert_true(lo < 6 && hi > 14);
	assert_true(jittered(0) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(delays_should_double_within_equal_jitter_and_stop_at_the_cap),
		cmocka_unit_test(bound_should_be_the_sum_of_the_ceilings),
		cmocka_unit_test(jittered_intervals_should_keep_their_mean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
