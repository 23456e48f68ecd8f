/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scrub.h: the last step before a byte leaves ackprof (stdout, stderr, --save, a state
 * file, MCP): credentials masked (redact.c), invalid UTF-8 replaced by U+FFFD (utf8.c),
 * control characters escaped so that one line stays one line and no terminal escape
 * gets through.
 */
#ifndef ACKPROF_SCRUB_H
#define ACKPROF_SCRUB_H

#include <stddef.h>

#include <cjson/cJSON.h>

/* Text: every control character escaped (\n, \t, \x1b, \u009b) but, with layout, \n and \t. */
char	*scrub_text(const char *, size_t, int layout);
/* One line of a NUL-terminated string: scrub_text without layout. */
char	*scrub_line(const char *);
/*
 * A JSON document, in place: the value of a credential field (password, AccessKeySecret,
 * ...) becomes "****" whatever its type (null and booleans stay), every other string and
 * every key is redacted as text and repaired.  Keys stay keys: the document stays valid.
 */
void	 scrub_json(cJSON *);
/* scrub_json, then the document as text (formatted or one line); NULL when out of memory. */
char	*scrub_print(cJSON *, int formatted);
/* Copy s[0..len) into dst[size], redacted and repaired first, cut on a character boundary. */
void	 scrub_copy(char *dst, size_t size, const char *s, size_t len);
/* The length of the longest head of s of at most max bytes that ends on a character. */
int	 scrub_cut(const char *s, size_t max);

#endif
