/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz.h: what every libFuzzer harness of ackprof shares: a check that aborts with
 * a message (so libFuzzer records the input as a crash), and the NUL-split of one
 * input into several C strings.
 */
#ifndef ACKPROF_FUZZ_H
#define ACKPROF_FUZZ_H

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A property of the code under test, not of the input: a violation is a finding. */
#define FUZZ_CHECK(cond, ...) do {						\
	if (!(cond)) {								\
		fprintf(stderr, "fuzz: %s:%d: check failed: %s: ", __FILE__,	\
		    __LINE__, #cond);						\
		fprintf(stderr, __VA_ARGS__);					\
		fputc('\n', stderr);						\
		abort();							\
	}									\
} while (0)

/*
 * Checks of a finding that src/ has not fixed yet run only when
 * ACKPROF_FUZZ_PENDING=1 (`make -C fuzz pending` sets it), so that `make check`
 * stays green on known bugs and still fails on new ones.  Once fixed, the gate
 * goes and the input moves from pending/ to regressions/.
 */
static inline int
fuzz_pending(void)
{
	static int on = -1;

	if (on == -1) {
		const char *s = getenv("ACKPROF_FUZZ_PENDING");

		on = s != NULL && strcmp(s, "1") == 0;
	}
	return on;
}

/*
 * Split data at its NUL bytes into at most n NUL-terminated strings, newly
 * allocated.  The last part takes the rest of the input, so a NUL inside it ends
 * it as C sees it.  Parts the input does not reach are NULL.  Returns how many
 * parts the input had.
 */
static inline size_t
fuzz_split(const uint8_t *data, size_t size, char **part, size_t n)
{
	size_t i, k = 0, start = 0;

	for (i = 0; i < n; i++)
		part[i] = NULL;
	for (i = 0; i <= size && k < n; i++) {
		if (i == size || (data[i] == '\0' && k + 1 < n)) {
			part[k] = malloc(i - start + 1);
			if (part[k] == NULL)
				abort();
			memcpy(part[k], data + start, i - start);
			part[k][i - start] = '\0';
			k++;
			start = i + 1;
		}
	}
	return k;
}

/* The first AccessKey id in s (LTAI and 8 or more alphanumerics), or NULL. */
static inline const char *
fuzz_key_id(const char *s)
{
	const char *p = s;
	size_t n;

	while ((p = strstr(p, "LTAI")) != NULL) {
		for (n = 0; isalnum((unsigned char)p[4 + n]); n++)
			;
		if (n >= 8)
			return p;
		p += 4;
	}
	return NULL;
}

static inline void
fuzz_split_free(char **part, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(part[i]);
}

/* The bytes as one NUL-terminated string, cut at the first NUL as a C caller would see it. */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
