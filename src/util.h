/* SPDX-License-Identifier: Apache-2.0 */
/* util.h: allocation that never returns NULL, a growable byte buffer, strict numbers. */
#ifndef ACKPROF_UTIL_H
#define ACKPROF_UTIL_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*p;	/* always NUL-terminated when non-NULL */
	size_t	 len;
	size_t	 cap;
};

void	*xmalloc(size_t);
void	*xnn(void *);
void	 xok(int);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*exe_dir(void);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_vprintf(struct buf *, const char *, va_list) __attribute__((format(printf, 2, 0)));
void	 buf_printf(struct buf *, const char *, ...) __attribute__((format(printf, 2, 3)));
void	 buf_addpad(struct buf *, const char *, int width);
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);
const char *buf_str(const struct buf *);

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

#endif
