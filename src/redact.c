/* SPDX-License-Identifier: Apache-2.0 */
/*
 * redact.c: the one place that decides what a credential looks like.  Everything
 * that came from a child (aliyun, the Step 7 interpreter) passes here before it is
 * printed, logged or saved.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "util.h"

/*
 * The names of fields whose value is a credential, in any spelling: snake, camel,
 * kebab (flags), upper-case environment names (ALICLOUD_SECRET_KEY matches at
 * SECRET_KEY).  Longer names come first only for readability: the separator that
 * must follow makes the alternation backtrack to the right one.
 */
#define KEYS								\
	"access[_-]?key[_-]?secret|access[_-]?secret|secret[_-]?access[_-]?key|"	\
	"secret[_-]?key|access[_-]?key[_-]?id|access[_-]?key|security[_-]?token|"	\
	"sts[_-]?token|x-acs-security-token|bearer[_-]?token|"		\
	"oauth[_-]?(?:access|refresh)[_-]?token|client[_-]?secret|api[_-]?key|"	\
	"signature|password|passwd|private[_-]?key|authorization"

/* A quote around a key or value: JSON, JSON inside a JSON string, Python, URL-encoded. */
#define QUOTE	"(?:\\\\?[\"']|%2[27])"
/* Blanks, literal or URL-encoded. */
#define BL	"(?:\\s|%20)*"
/*
 * A value, its opening quote (if any) captured as group 2 by the branch reset, so that
 * the replacement keeps it: "****" inside double quotes (escaped or not) up to the
 * closing quote; '****' in a Python repr; %22****%22 URL-encoded; else a bare word,
 * which ends at a blank, a quote, a separator of JSON or a query string, or their
 * URL encodings.
 */
#define VALUE								\
	"(?|(\\\\?\")(?:[^\"\\\\]|\\\\(?!\"))*|(')[^'\\r\\n]*|"		\
	"(%2[27])(?:(?!%2[27])[^\\s\"'\\\\&])*|"			\
	"()(?:[^\"'\\\\\\s,&;}\\]%]|%(?!2[267Cc]|5[Dd]|7[Dd])[0-9A-Fa-f]{2})+)"

/*
 * Continuation of a credential wrapped onto the next line (a newline, or its JSON escape
 * in JSON text): one more word, not a "Key:".
 */
#define WRAP(cls)	"[ \\t]*(?:\\r?\\n|(?:\\\\r)?\\\\n)[ \\t]*" cls "+(?![^\\s\"'\\\\,;)\\x00])"

/*
 * Each rule is a pattern and its replacement.  AccessKey ids are masked whole:
 * the specification forbids even a partially masked id.  Key/value forms keep
 * the key so that a message stays readable ("access_key_secret": "****").
 */
static const struct rule {
	const char *pat;
	const char *rep;
} rules[] = {
	/*
	 * Authorization headers first ("acs LTAI...:signature", "Bearer token",
	 * "Basic base64(id:secret)"), so that the signature goes with the id.  The acs
	 * form needs the id:signature shape, or prose such as "ACS clusters" would be
	 * masked; Basic needs a digit or a base64 sign, or "basic troubleshooting" would.
	 */
	{ "(?i)\\b(acs)\\s+[A-Za-z0-9.]{8,}:[A-Za-z0-9+/=]+", "${1} ****" },
	{ "(?i)\\b(bearer)\\s+[A-Za-z0-9._+/=-]{8,}", "${1} ****" },
	{ "(?i)\\b(basic)\\s+(?=[A-Za-z]*[0-9+/=])[A-Za-z0-9+/]{8,}={0,2}", "${1} ****" },
	/*
	 * AccessKey ids: LTAI followed by 8 or more alphanumerics; one wrapped onto a
	 * second line unless its first line already holds a whole id (LTAI and 20); the
	 * head of one that a cut left at the very end (of the text or of a C string: a NUL),
	 * and so for tokens below.
	 */
	{ "LTAI[A-Za-z0-9]{0,19}" WRAP("[A-Za-z0-9]"), "LTAI****" },
	{ "LTAI[A-Za-z0-9]{8,}", "LTAI****" },
	{ "LTAI[A-Za-z0-9]{1,7}(?=\\z|\\x00)", "LTAI****" },
	/* STS AccessKey ids and security tokens, also wrapped over several lines. */
	{ "STS\\.[A-Za-z0-9._+/=-]{8,}(?:" WRAP("[A-Za-z0-9._+/=-]") ")*", "STS.****" },
	{ "STS\\.[A-Za-z0-9._+/=-]{0,7}(?:" WRAP("[A-Za-z0-9._+/=-]") ")+", "STS.****" },
	{ "CAIS[A-Za-z0-9+/=_-]{20,}(?:" WRAP("[A-Za-z0-9+/=_-]") ")*", "****" },
	{ "CAIS[A-Za-z0-9+/=_-]{4,19}(?:" WRAP("[A-Za-z0-9+/=_-]") ")+", "****" },
	{ "CAIS[A-Za-z0-9+/=_-]{4,19}(?=\\z|\\x00)", "****" },
	/* An Authorization value: its scheme word goes too. */
	{ "(?i)(authorization" QUOTE "?" BL "(?:[:=]|%3[AaDd])" BL QUOTE "?)"
	  "(?:(?:basic|bearer|digest|acs|token)(?:\\s|%20)+)?[^\\s\"'\\\\,;&}]+", "${1}****" },
	/* Command-line flags: --access-key-secret VALUE, --sts-token=VALUE. */
	{ "(?i)(--(?:" KEYS ")(?:\\s*=\\s*|\\s+))" VALUE, "${1}${2}****" },
	/*
	 * key = value, key: value, "key": "value", 'key': 'value', key\tvalue, key=value
	 * in query strings and URL-encoded (key%3Dvalue, %22key%22%3A%22value%22), and the
	 * same inside JSON-escaped text (\"key\": \"value\").  A quoted value is masked up
	 * to its closing quote, spaces and commas included.
	 */
	{ "(?i)((?:" KEYS ")" QUOTE "?(?:" BL "(?:[:=]|%3[AaDd])" BL "|\\t+))" VALUE,
	  "${1}${2}****" },
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

/*
 * Every rule's match contains one of these words (compared without case), so a
 * text with none of them needs no regular expression at all: most lines never
 * pay for compiling the rules.  Keep in step with rules[] (test_redact.c checks).
 */
static const char *const triggers[] = { "acs", "bearer", "basic", "ltai", "sts", "cais",
	"access", "secret", "token", "signature", "password", "passwd", "key", "authorization" };

static int
may_hold_secret(const char *s, size_t len)
{
	size_t i, j, k, n;

	for (i = 0; i < len; i++) {
		char c = s[i] | 0x20;	/* ASCII lower case; other bytes never match */

		for (k = 0; k < sizeof(triggers) / sizeof(triggers[0]); k++) {
			if (c != triggers[k][0])
				continue;
			n = strlen(triggers[k]);
			for (j = 1; j < n && i + j < len && (s[i + j] | 0x20) == triggers[k][j]; j++)
				;
			if (j == n)
				return 1;
		}
	}
	return 0;
}

static pcre2_code *codes[NRULES], *names;
static pcre2_match_data *md;

static void
compile_all(void)
{
	size_t i;
	int errc;
	PCRE2_SIZE erro;

	if (md != NULL)
		return;
	for (i = 0; i < NRULES; i++) {
		codes[i] = pcre2_compile((PCRE2_SPTR)rules[i].pat, PCRE2_ZERO_TERMINATED,
		    0, &errc, &erro, NULL);
		if (codes[i] == NULL)
			abort();	/* a pattern bug, caught by every test */
	}
	names = pcre2_compile((PCRE2_SPTR)"(?i)(?:" KEYS ")", PCRE2_ZERO_TERMINATED, 0, &errc,
	    &erro, NULL);
	md = pcre2_match_data_create(16, NULL);
	if (names == NULL || md == NULL)
		abort();
}

void
redact_free_patterns(void)
{
	size_t i;

	for (i = 0; i < NRULES; i++) {
		pcre2_code_free(codes[i]);
		codes[i] = NULL;
	}
	pcre2_code_free(names);
	names = NULL;
	pcre2_match_data_free(md);
	md = NULL;
}

int
redact_needed(const char *s, size_t len)
{
	size_t i;

	if (!may_hold_secret(s, len))
		return 0;
	compile_all();
	for (i = 0; i < NRULES; i++)
		if (pcre2_match(codes[i], (PCRE2_SPTR)s, len, 0, 0, md, NULL) >= 0)
			return 1;
	return 0;
}

int
redact_secret_name(const char *name)
{
	size_t len = strlen(name);

	if (!may_hold_secret(name, len))
		return 0;
	compile_all();
	return pcre2_match(names, (PCRE2_SPTR)name, len, 0, 0, md, NULL) >= 0;
}

/* Substitute one rule globally; returns a new buffer or NULL when nothing matched. */
static char *
subst(pcre2_code *re, const char *rep, const char *s, size_t len, size_t *olen)
{
	PCRE2_SIZE n = len + 64;
	PCRE2_UCHAR *out;
	int rc;

	for (;;) {
		out = xmalloc(n);
		rc = pcre2_substitute(re, (PCRE2_SPTR)s, len, 0,
		    PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_EXTENDED |
		    PCRE2_SUBSTITUTE_OVERFLOW_LENGTH | PCRE2_SUBSTITUTE_UNSET_EMPTY,
		    md, NULL, (PCRE2_SPTR)rep, PCRE2_ZERO_TERMINATED, out, &n);
		if (rc == PCRE2_ERROR_NOMEMORY) {
			free(out);
			continue;	/* n now holds the length needed */
		}
		if (rc <= 0) {
			free(out);
			return NULL;
		}
		*olen = n;
		return (char *)out;
	}
}

char *
redact(const char *s, size_t len)
{
	char *cur, *next;
	size_t i, clen = len, nlen;

	cur = xmalloc(len + 1);
	memcpy(cur, s, len);
	cur[len] = '\0';
	if (!may_hold_secret(s, len))
		return cur;
	compile_all();
	for (i = 0; i < NRULES; i++) {
		next = subst(codes[i], rules[i].rep, cur, clen, &nlen);
		if (next == NULL)
			continue;
		free(cur);
		cur = next;
		clen = nlen;
	}
	return cur;
}

char *
redacts(const char *s)
{
	return redact(s, strlen(s));
}
