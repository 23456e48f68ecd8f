/* SPDX-License-Identifier: Apache-2.0 */
/* unit.h: what every cmocka test file of ackprof includes, and a few shared asserts. */
#ifndef ACKPROF_UNIT_H
#define ACKPROF_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The length of a string literal, for the (text, len) APIs. */
#define LIT(s) (s), (sizeof(s) - 1)

/* Fail with the haystack shown when needle is not in it. */
#define assert_contains(hay, needle) do {					\
	const char *h_ = (hay), *n_ = (needle);					\
	if (h_ == NULL || strstr(h_, n_) == NULL)				\
		fail_msg("expected to find \"%s\" in:\n%s", n_, h_ ? h_ : "(null)"); \
} while (0)

#define assert_not_contains(hay, needle) do {					\
	const char *h_ = (hay), *n_ = (needle);					\
	if (h_ != NULL && strstr(h_, n_) != NULL)				\
		fail_msg("did not expect \"%s\" in:\n%s", n_, h_);		\
} while (0)

#endif
