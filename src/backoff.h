/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backoff.h: waiting without lockstep.  A throttled call (Throttling*,
 * ServiceUnavailable, HTTP 429 or 503) is retried after an exponential backoff
 * with jitter; polls are spread around their interval so that a batch's clusters
 * never poll together.  Both keep their documented mean or bound.
 */
#ifndef ACKPROF_BACKOFF_H
#define ACKPROF_BACKOFF_H

/* No single wait is longer than this (seconds). */
#define BACKOFF_CAP	30.0

/*
 * The wait before retry `attempt` (0 for the first): d = min(base * 2^attempt,
 * BACKOFF_CAP), drawn uniformly from [d/2, d] ("equal jitter").  0 when base is 0.
 */
double	backoff_delay(double base, unsigned long attempt);
/* The most that retries 0..n-1 can wait in all: the bound README states. */
double	backoff_bound(double base, unsigned long n);
/* A poll interval spread uniformly over [mean/2, 3*mean/2]: the mean stays. */
double	jittered(double mean);
/* Seed the generator (tests: a fixed seed); otherwise it seeds itself once. */
void	backoff_seed(unsigned long);

#endif
