/* SPDX-License-Identifier: Apache-2.0 */
/* buf.h: allocation that never returns NULL, and a growable byte buffer; uses no other module. */
#ifndef ACKPROF_BUF_H
#define ACKPROF_BUF_H

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
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_vprintf(struct buf *, const char *, va_list) __attribute__((format(printf, 2, 0)));
void	 buf_printf(struct buf *, const char *, ...) __attribute__((format(printf, 2, 3)));
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);
const char *buf_str(const struct buf *);

#endif
