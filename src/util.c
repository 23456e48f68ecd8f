/* SPDX-License-Identifier: Apache-2.0 */
/* util.c: strict number parsing, the string map, time, padding to display width (allocation and buffers: buf.c). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "utf8.h"
#include "util.h"

/* The directory of the running binary (malloc'd), or NULL. */
char *
exe_dir(void)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return NULL;
	*slash = '\0';
	return xstrdup(exe);
}

/* s, then spaces up to width display columns (CJK counts 2): columns line up in every language. */
void
buf_addpad(struct buf *b, const char *s, int width)
{
	int w;

	buf_adds(b, s);
	for (w = utf8_width(s); w < width; w++)
		buf_add(b, " ", 1);
}

int
parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int
parse_seconds(const char *s, double hi, double *out)
{
	char *end;
	double v;

	if (s == NULL || ((*s < '0' || *s > '9') && *s != '.'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end != '\0' || !isfinite(v) || v < 0 || v > hi)
		return -1;
	*out = v;
	return 0;
}

double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
fmt_duration(double secs, char *out, size_t len)
{
	long s = secs > 0 ? (long)(secs + 0.5) : 0;

	if (s < 60)
		snprintf(out, len, "%lds", s);
	else if (s < 3600)
		snprintf(out, len, "%ldm%02lds", s / 60, s % 60);
	else
		snprintf(out, len, "%ldh%02ldm", s / 3600, s % 3600 / 60);
}

void
sleep_seconds(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	/* An interrupting signal ends the sleep early: callers check their flag. */
	nanosleep(&ts, NULL);
}

/* FNV-1a, 64 bits. */
static size_t
strhash(const char *s)
{
	unsigned long long h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)h;
}

static void
strmap_grow(struct strmap *m)
{
	struct strmap n = { 0 };
	size_t i;

	n.cap = m->cap ? m->cap * 2 : 64;
	n.keys = xcalloc(n.cap, sizeof(*n.keys));
	n.vals = xcalloc(n.cap, sizeof(*n.vals));
	for (i = 0; i < m->cap; i++)
		if (m->keys[i]) {
			size_t j = strhash(m->keys[i]) & (n.cap - 1);

			while (n.keys[j])
				j = (j + 1) & (n.cap - 1);
			n.keys[j] = m->keys[i];
			n.vals[j] = m->vals[i];
		}
	n.n = m->n;
	free(m->keys);
	free(m->vals);
	*m = n;
}

int
strmap_get(const struct strmap *m, const char *key, size_t *val)
{
	size_t j;

	if (m->cap == 0)
		return 0;
	for (j = strhash(key) & (m->cap - 1); m->keys[j]; j = (j + 1) & (m->cap - 1))
		if (strcmp(m->keys[j], key) == 0) {
			if (val)
				*val = m->vals[j];
			return 1;
		}
	return 0;
}

void
strmap_put(struct strmap *m, const char *key, size_t val)
{
	size_t j;

	if ((m->n + 1) * 2 > m->cap)
		strmap_grow(m);
	for (j = strhash(key) & (m->cap - 1); m->keys[j]; j = (j + 1) & (m->cap - 1))
		if (strcmp(m->keys[j], key) == 0) {
			m->vals[j] = val;
			return;
		}
	m->keys[j] = xstrdup(key);
	m->vals[j] = val;
	m->n++;
}

void
strmap_free(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/*
 * Does a JSON text hold a string with an escaped NUL (\u0000)?  cJSON decodes it into a
 * NUL byte, which cuts the C string there: "a\u0000b" would be read as "a".  Scanned
 * on the text, before anything is read from it.  Returns 1 and the member it is in (its
 * key as written, or the key itself when the NUL is in a key) and that member's depth
 * (1 for a member of the top-level object); 0 when there is none.
 */
int
json_nul_member(const char *s, size_t len, char *name, size_t namesz, int *depth)
{
	size_t i, j, k, n;
	int d = 0, nul;
	char last[128] = "";

	for (i = 0; i < len; i++) {
		if (s[i] == '{' || s[i] == '[')
			d++;
		else if (s[i] == '}' || s[i] == ']')
			d--;
		if (s[i] != '"')
			continue;
		for (j = i + 1, nul = 0; j < len && s[j] != '"'; j++)
			if (s[j] == '\\' && j + 1 < len) {
				if (s[j + 1] == 'u' && j + 5 < len && memcmp(s + j + 2, "0000", 4) == 0)
					nul = 1;
				j++;
			}
		for (k = j + 1; k < len && strchr(" \t\r\n", s[k]) != NULL && s[k] != '\0'; k++)
			;
		if (k < len && s[k] == ':') {	/* a key */
			n = j - i - 1 < sizeof(last) - 1 ? j - i - 1 : sizeof(last) - 1;
			memcpy(last, s + i + 1, n);
			last[n] = '\0';
			if (nul)
				goto found;
		} else if (nul)
			goto found;
		i = j;
	}
	return 0;
found:
	snprintf(name, namesz, "%s", last[0] ? last : "(element)");
	*depth = d;
	return 1;
}
