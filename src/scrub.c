/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scrub.c: the last step before a byte leaves ackprof.  Credentials are masked first
 * (on the whole text, so that a later cut cannot leave the head of one), then invalid
 * UTF-8 becomes U+FFFD, then control characters are escaped.  A JSON document is
 * scrubbed as a structure, never as serialised text: masking inside JSON syntax is what
 * broke documents ("password": 12345, "signature": null, a value ending in '\').
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "scrub.h"
#include "utf8.h"
#include "util.h"

/* Escape C0 controls, DEL and the C1 controls (U+0080-U+009F, which some terminals obey). */
static char *
escape_controls(const char *s, int layout)
{
	const unsigned char *u = (const unsigned char *)s;
	struct buf b = {0};
	size_t i, start = 0;

	buf_add(&b, "", 0);
	for (i = 0; u[i]; i++) {
		const char *e = NULL;
		char hex[8];
		size_t skip = 1;

		if (u[i] == '\n')
			e = layout ? NULL : "\\n";
		else if (u[i] == '\t')
			e = layout ? NULL : "\\t";
		else if (u[i] == '\r')
			e = "\\r";
		else if (u[i] < 0x20 || u[i] == 0x7f)
			snprintf(hex, sizeof(hex), "\\x%02x", u[i]), e = hex;
		else if (u[i] == 0xc2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			snprintf(hex, sizeof(hex), "\\u%04x", u[i + 1]), e = hex, skip = 2;
		if (e == NULL)
			continue;
		buf_add(&b, s + start, i - start);
		buf_adds(&b, e);
		start = i + skip;
		i += skip - 1;
	}
	buf_add(&b, s + start, i - start);
	return b.p;
}

/* Redacted and valid UTF-8, nothing escaped (JSON strings: cJSON escapes). */
static char *
clean(const char *s, size_t len)
{
	char *red = redact(s, len), *out;

	if (utf8_valid(red, strlen(red)))
		return red;
	out = utf8_sanitize(red, strlen(red));
	free(red);
	return out;
}

char *
scrub_text(const char *s, size_t len, int layout)
{
	char *c = clean(s, len), *out;

	out = escape_controls(c, layout);
	free(c);
	return out;
}

char *
scrub_line(const char *s)
{
	return scrub_text(s, strlen(s), 0);
}

/* Replace the string *p (allocated through cJSON's hooks, which are malloc/free or ours). */
static void
clean_string(char **p)
{
	char *c;

	if (*p == NULL)
		return;
	c = clean(*p, strlen(*p));
	if (strcmp(c, *p) == 0) {
		free(c);
		return;
	}
	cJSON_free(*p);
	*p = c;
}

static void
scrub_item(cJSON *parent, cJSON *it)
{
	cJSON *c, *next;

	if (it->string != NULL && !(it->type & cJSON_StringIsConst))
		clean_string(&it->string);
	if (parent != NULL && it->string != NULL && redact_secret_name(it->string) &&
	    !cJSON_IsNull(it) && !cJSON_IsBool(it) &&
	    !(cJSON_IsString(it) && strcmp(it->valuestring, "****") == 0)) {
		cJSON *mask = cJSON_CreateString("****");

		mask->string = it->string;
		mask->type |= it->type & cJSON_StringIsConst;
		it->string = NULL;
		cJSON_ReplaceItemViaPointer(parent, it, mask);
		return;
	}
	if (cJSON_IsString(it) && !(it->type & cJSON_IsReference))
		clean_string(&it->valuestring);
	for (c = it->child; c != NULL; c = next) {
		next = c->next;
		scrub_item(it, c);
	}
}

void
scrub_json(cJSON *doc)
{
	if (doc != NULL)
		scrub_item(NULL, doc);
}

char *
scrub_print(cJSON *doc, int formatted)
{
	scrub_json(doc);
	return formatted ? cJSON_Print(doc) : cJSON_PrintUnformatted(doc);
}

void
scrub_copy(char *dst, size_t size, const char *s, size_t len)
{
	char *c;
	size_t n;

	if (size == 0)
		return;
	c = clean(s, len);
	n = utf8_cut(c, strlen(c), size - 1);
	memcpy(dst, c, n);
	dst[n] = '\0';
	free(c);
}

int
scrub_cut(const char *s, size_t max)
{
	return (int)utf8_cut(s, strlen(s), max);
}
