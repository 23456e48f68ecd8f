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

/*
 * Format characters that change how the text around them displays ("Trojan Source"):
 * the bidi embeddings, overrides, isolates and marks (U+061C, U+200E/F, U+202A-E,
 * U+2066-9), the zero-width joiners and spaces (U+200B-D, U+2060-4) and the BOM
 * (U+FEFF).  Returns the code point at u, or 0 when it is none of them.
 */
static unsigned
format_char(const unsigned char *u)
{
	unsigned cp;

	if (u[0] == 0xd8 && u[1] == 0x9c)
		return 0x061c;
	if (u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
		return 0xfeff;
	if (u[0] != 0xe2 || (u[1] != 0x80 && u[1] != 0x81) || (u[2] & 0xc0) != 0x80)
		return 0;
	cp = 0x2000 | (unsigned)(u[1] & 0x3f) << 6 | (u[2] & 0x3f);
	if ((cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069))
		return cp;
	return 0;
}

/*
 * Escape C0 controls, DEL, the C1 controls (U+0080-U+009F, which some terminals obey)
 * and the format characters above.
 */
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
		unsigned cp;

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
		else if (u[i] >= 0xd8 && (cp = format_char(u + i)) != 0)
			snprintf(hex, sizeof(hex), "\\u%04x", cp), e = hex, skip = cp < 0x800 ? 2 : 3;
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

/*
 * A Kubernetes env entry {"name": "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "value": "..."}:
 * the member holding the credential is called "value"; its sibling "name" says what it
 * is.  Nonzero when `it` is such a value.
 */
static int
env_entry_value(const cJSON *parent, const cJSON *it)
{
	const cJSON *name;

	if (parent == NULL || !cJSON_IsObject(parent) || it->string == NULL ||
	    strcmp(it->string, "value") != 0)
		return 0;
	name = cJSON_GetObjectItemCaseSensitive(parent, "name");
	return cJSON_IsString(name) && name->valuestring != NULL &&
	    redact_secret_name(name->valuestring);
}

static void
scrub_item(cJSON *parent, cJSON *it)
{
	cJSON *c, *next;

	if (it->string != NULL && !(it->type & cJSON_StringIsConst))
		clean_string(&it->string);
	if (parent != NULL && it->string != NULL &&
	    (redact_secret_name(it->string) || env_entry_value(parent, it)) &&
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
