/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backoff.c: exponential backoff with jitter, and spread poll intervals.  The
 * randomness only decorrelates clients (ours, and other tools on the account);
 * it guards nothing, so a small generator seeded from the clock and pid serves.
 */
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"

static uint64_t	state;

void
backoff_seed(unsigned long seed)
{
	state = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + 1;
}

/* A uniform number in [0, 1): splitmix64. */
static double
uniform(void)
{
	uint64_t z;

	if (state == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		backoff_seed((unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16));
	}
	z = (state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return (double)(z >> 11) / (double)(UINT64_C(1) << 53);
}

static double
ceiling(double base, unsigned long attempt)
{
	double d = base;

	while (attempt-- > 0 && d < BACKOFF_CAP)
		d *= 2;
	return d < BACKOFF_CAP ? d : BACKOFF_CAP;
}

double
backoff_delay(double base, unsigned long attempt)
{
	double d;

	if (base <= 0)
		return 0;
	d = ceiling(base, attempt);
	return d / 2 + uniform() * d / 2;
}

double
backoff_bound(double base, unsigned long n)
{
	double sum = 0;
	unsigned long i;

	for (i = 0; i < n && base > 0; i++)
		sum += ceiling(base, i);
	return sum;
}

double
jittered(double mean)
{
	if (mean <= 0)
		return 0;
	return mean / 2 + uniform() * mean;
}
