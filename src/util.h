/* SPDX-License-Identifier: Apache-2.0 */
/* util.h: strict numbers, a string map, time, padding; with buf.h (allocation, buffers). */
#ifndef ACKPROF_UTIL_H
#define ACKPROF_UTIL_H

#include <stddef.h>

#include "buf.h"

char	*exe_dir(void);
/* s, then spaces up to width display columns (CJK counts 2): buf_add with utf8_width. */
void	 buf_addpad(struct buf *, const char *, int width);

/* Strict parsers: the whole string, in range, no junk. Return 0 or -1. */
int	 parse_ulong(const char *, unsigned long, unsigned long, unsigned long *);
int	 parse_seconds(const char *, double, double *);

/* A string -> index map (open addressing): batch's duplicate check and lookups. */
struct strmap {
	char	**keys;
	size_t	 *vals;
	size_t	  cap, n;
};
int	 strmap_get(const struct strmap *, const char *, size_t *);
void	 strmap_put(struct strmap *, const char *, size_t);	/* the key is copied */
void	 strmap_free(struct strmap *);

double	 now_mono(void);
/* A wait as people read it: 42s, 3m05s, 1h02m. */
void	 fmt_duration(double secs, char *out, size_t len);
void	 sleep_seconds(double);
/* A string with an escaped NUL (\u0000) in a JSON text: its member and depth. */
int	 json_nul_member(const char *, size_t, char *, size_t, int *);

#endif
