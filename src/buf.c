/* SPDX-License-Identifier: Apache-2.0 */
/* buf.c: allocation that never returns NULL, and the growable byte buffer (below every module). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

/*
 * Running out of memory leaves nothing sensible to do but stop; the message is
 * written with write(2) because stdio may itself need memory.
 */
static void
oom(void)
{
	static const char m[] = "ackprof: out of memory (free some memory and run again)\n";

	(void)!write(2, m, sizeof(m) - 1);
	_exit(70);
}

/* p, or the out-of-memory exit when an allocation that gave p failed (NULL). */
void *
xnn(void *p)
{
	if (p == NULL)
		oom();
	return p;
}

/* ok, or the out-of-memory exit: for cJSON's adders, which fail only for memory. */
void
xok(int ok)
{
	if (!ok)
		oom();
}

void *
xmalloc(size_t n)
{
	return xnn(malloc(n ? n : 1));
}

void *
xcalloc(size_t n, size_t m)
{
	return xnn(calloc(n ? n : 1, m ? m : 1));
}

void *
xrealloc(void *p, size_t n)
{
	return xnn(realloc(p, n ? n : 1));
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

static void
buf_grow(struct buf *b, size_t more)
{
	size_t need = b->len + more + 1;

	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 256;
	while (b->cap < need)
		b->cap *= 2;
	b->p = xrealloc(b->p, b->cap);
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* The length that vsnprintf prints for fmt and ap (a copy of ap is used), or -1. */
static int
measure(const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	return n;
}

/* Prints fmt's n bytes (measured) at b's end, where there is room for them and the NUL. */
static void
put(struct buf *b, size_t n, const char *fmt, va_list ap)
{
	vsnprintf(b->p + b->len, n + 1, fmt, ap);
	b->len += n;
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	int n = measure(fmt, ap);

	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	put(b, (size_t)n, fmt, ap);
}

/* A string of exactly its length (not a buffer's doubled capacity). */
char *
xasprintf(const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = measure(fmt, ap);
	if (n < 0)
		oom();
	b.cap = (size_t)n + 1;
	b.p = xmalloc(b.cap);
	put(&b, (size_t)n, fmt, ap);
	va_end(ap);
	return b.p;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

const char *
buf_str(const struct buf *b)
{
	return b->p ? b->p : "";
}
