/* SPDX-License-Identifier: Apache-2.0 */
/* utf8.h: UTF-8 validity, cutting on character boundaries, repair, display width. */
#ifndef ACKPROF_UTF8_H
#define ACKPROF_UTF8_H

#include <stddef.h>

/* 1 when s[0..len) is valid UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF). */
int	 utf8_valid(const char *s, size_t len);
/* The largest n <= max and <= len such that s[0..n) does not end inside a character. */
size_t	 utf8_cut(const char *s, size_t len, size_t max);
/* A NUL-terminated xmalloc'd copy of s[0..len), each invalid sequence (its maximal subpart,
 * as Unicode recommends) replaced by U+FFFD. */
char	*utf8_sanitize(const char *s, size_t len);
/* Display columns of a UTF-8 string: East Asian wide and fullwidth 2, combining marks and
 * format characters 0, everything else (an invalid byte too) 1.  No locale involved. */
int	 utf8_width(const char *s);

#endif
