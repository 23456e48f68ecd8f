/* SPDX-License-Identifier: Apache-2.0 */
/*
 * redact.c: the one place that decides what a credential looks like.  Everything
 * that came from a child (aliyun, the Step 7 interpreter) passes here before it is
 * printed, logged or saved.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>

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
	"signature|password|passwd|private[_-]?key|authorization|secret(?![a-z])"

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
/*
 * Every rule's match contains one of its trigger words (see triggers[] below), so a
 * rule runs, and is compiled, only on a text that holds one of them.
 */
enum {
	T_ACS = 1 << 0, T_BEARER = 1 << 1, T_BASIC = 1 << 2, T_LTAI = 1 << 3, T_STS = 1 << 4,
	T_CAIS = 1 << 5, T_ACCESS = 1 << 6, T_SECRET = 1 << 7, T_TOKEN = 1 << 8,
	T_SIGNATURE = 1 << 9, T_PASSWORD = 1 << 10, T_PASSWD = 1 << 11, T_KEY = 1 << 12,
	T_AUTHORIZATION = 1 << 13,
	/* each name in KEYS holds one of these */
	T_KEYS = T_ACCESS | T_SECRET | T_TOKEN | T_SIGNATURE | T_PASSWORD | T_PASSWD | T_KEY |
	    T_AUTHORIZATION,
};

static const struct rule {
	const char *pat;
	const char *rep;
	unsigned need;		/* T_* bits: the rule can match only where one is present */
} rules[] = {
	/*
	 * Authorization headers first ("acs LTAI...:signature", "Bearer token",
	 * "Basic base64(id:secret)"), so that the signature goes with the id.  The acs
	 * form needs the id:signature shape, or prose such as "ACS clusters" would be
	 * masked; Basic needs a digit or a base64 sign, or "basic troubleshooting" would.
	 */
	{ "(?i)\\b(acs)\\s+[A-Za-z0-9.]{8,}:[A-Za-z0-9+/=]+", "${1} ****", T_ACS },
	{ "(?i)\\b(bearer)\\s+[A-Za-z0-9._+/=-]{8,}", "${1} ****", T_BEARER },
	{ "(?i)\\b(basic)\\s+(?=[A-Za-z]*[0-9+/=])[A-Za-z0-9+/]{8,}={0,2}", "${1} ****", T_BASIC },
	/*
	 * AccessKey ids: LTAI followed by 8 or more alphanumerics; one wrapped onto a
	 * second line unless its first line already holds a whole id (LTAI and 20); the
	 * head of one that a cut left at the very end (of the text or of a C string: a NUL),
	 * and so for tokens below.
	 */
	{ "LTAI[A-Za-z0-9]{0,19}" WRAP("[A-Za-z0-9]"), "LTAI****", T_LTAI },
	{ "LTAI[A-Za-z0-9]{8,}", "LTAI****", T_LTAI },
	{ "LTAI[A-Za-z0-9]{1,7}(?=\\z|\\x00)", "LTAI****", T_LTAI },
	/* STS AccessKey ids and security tokens, also wrapped over several lines. */
	{ "STS\\.[A-Za-z0-9._+/=-]{8,}(?:" WRAP("[A-Za-z0-9._+/=-]") ")*", "STS.****", T_STS },
	{ "STS\\.[A-Za-z0-9._+/=-]{0,7}(?:" WRAP("[A-Za-z0-9._+/=-]") ")+", "STS.****", T_STS },
	{ "CAIS[A-Za-z0-9+/=_-]{20,}(?:" WRAP("[A-Za-z0-9+/=_-]") ")*", "****", T_CAIS },
	{ "CAIS[A-Za-z0-9+/=_-]{4,19}(?:" WRAP("[A-Za-z0-9+/=_-]") ")+", "****", T_CAIS },
	{ "CAIS[A-Za-z0-9+/=_-]{4,19}(?=\\z|\\x00)", "****", T_CAIS },
	/* An Authorization value: its scheme word goes too. */
	{ "(?i)(authorization" QUOTE "?" BL "(?:[:=]|%3[AaDd])" BL QUOTE "?)"
	  "(?:(?:basic|bearer|digest|acs|token)(?:\\s|%20)+)?[^\\s\"'\\\\,;&}]+", "${1}****", T_AUTHORIZATION },
	/* Command-line flags: --access-key-secret VALUE, --sts-token=VALUE. */
	{ "(?i)(--(?:" KEYS ")(?:\\s*=\\s*|\\s+))" VALUE, "${1}${2}****", T_KEYS },
	/* A YAML block scalar: "accessKeySecret: |" and the indented lines below it. */
	{ "(?i)((?:" KEYS ")" QUOTE "?[ \\t]*:[ \\t]*[|>][-+0-9]*[ \\t]*\\r?\\n)([ \\t]+)[^\\r\\n]*"
	  "(?:\\r?\\n\\2[^\\r\\n]*)*", "${1}${2}****", T_KEYS },
	/*
	 * key = value, key: value, "key": "value", 'key': 'value', key\tvalue, key=value
	 * in query strings and URL-encoded (key%3Dvalue, %22key%22%3A%22value%22), and the
	 * same inside JSON-escaped text (\"key\": \"value\").  A quoted value is masked up
	 * to its closing quote, spaces and commas included.
	 */
	{ "(?i)((?:" KEYS ")" QUOTE "?(?:" BL "(?:=>|[:=]|%3[AaDd])" BL "|\\t+))" VALUE,
	  "${1}${2}****", T_KEYS },
	/* XML, as Alibaba Cloud's XML APIs return: <AccessKeySecret>v</AccessKeySecret>. */
	{ "(?i)(<(?:" KEYS ")>)[^<]*", "${1}****", T_KEYS },
	/*
	 * A Kubernetes env entry as text: name ALIBABA_CLOUD_ACCESS_KEY_SECRET, then its
	 * value (JSON, JSON-escaped, YAML).  The member is called "value"; its sibling says
	 * what it holds.  (scrub.c does the same on a JSON structure.)
	 */
	{ "(?i)(\\bname" QUOTE "?" BL "[:=]" BL QUOTE "?[A-Za-z0-9_.-]*(?:" KEYS ")[A-Za-z0-9_.-]*"
	  QUOTE "?(?:\\s|\\\\[nr]|,|-)*" QUOTE "?value" QUOTE "?" BL "[:=]" BL ")" VALUE, "${1}${2}****",
	  T_KEYS },
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

/*
 * The trigger words, in the order of the T_* bits.  LTAI, STS. and CAIS are compared
 * as written (their rules are), the others without case (ASCII, as (?i) does without
 * PCRE2_UTF).  "STS." and not "sts": sts_token holds "token", a bare "sts" is in every
 * path under tests/, and "requests.memory" in a report must not send it through the
 * STS rules.
 */
static const struct trigger {
	const char *w;
	unsigned char len, exact;
} triggers[] = {
	{ "acs", 3, 0 }, { "bearer", 6, 0 }, { "basic", 5, 0 }, { "LTAI", 4, 1 },
	{ "STS.", 4, 1 }, { "CAIS", 4, 1 }, { "access", 6, 0 }, { "secret", 6, 0 },
	{ "token", 5, 0 }, { "signature", 9, 0 }, { "password", 8, 0 }, { "passwd", 6, 0 },
	{ "key", 3, 0 }, { "authorization", 13, 0 },
};

#define NTRIGGERS (sizeof(triggers) / sizeof(triggers[0]))
#define T_ALL ((1u << NTRIGGERS) - 1)

static int known_in(const char *, size_t);
static void forget_values(void);

static int
trigger_at(const struct trigger *t, const char *s, size_t left)
{
	size_t j;

	if (left < t->len)
		return 0;
	for (j = 0; j < t->len; j++)
		if ((t->exact ? s[j] : s[j] | 0x20) != t->w[j])
			return 0;	/* | 0x20: ASCII lower case; no other byte meets a letter */
	return 1;
}

/* The T_* bits of the trigger words in s[0..len). */
static unsigned
triggers_in(const char *s, size_t len)
{
	static unsigned by_first[256];	/* triggers by lower-cased first byte (no threads) */
	unsigned found = 0, m;
	size_t i, k;

	if (!by_first['a'])
		for (k = 0; k < NTRIGGERS; k++)
			by_first[(unsigned char)(triggers[k].w[0] | 0x20)] |= 1u << k;
	for (i = 0; i < len && found != T_ALL; i++) {
		/* most bytes: no trigger starts here, m is 0 */
		for (m = by_first[(unsigned char)(s[i] | 0x20)] & ~found; m != 0; m &= m - 1) {
			k = (size_t)__builtin_ctz(m);
			if (trigger_at(&triggers[k], s + i, len - i))
				found |= 1u << k;
		}
	}
	return found;
}

static pcre2_code *codes[NRULES], *names;
static pcre2_match_data *md;

/* A pattern, compiled on first use: most runs need a few rules or none. */
static pcre2_code *
compiled(pcre2_code **code, const char *pat)
{
	int errc;
	PCRE2_SIZE erro;

	if (md == NULL && (md = pcre2_match_data_create(16, NULL)) == NULL)
		abort();
	if (*code == NULL &&
	    (*code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &errc, &erro,
	    NULL)) == NULL)
		abort();	/* a pattern bug, caught by every test */
	return *code;
}

static pcre2_code *
rule_code(size_t i)
{
	return compiled(&codes[i], rules[i].pat);
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
	forget_values();
}

/* md is read here, after compiled() has made it (an argument's order is unspecified). */
static int
matches(pcre2_code *re, const char *s, size_t len)
{
	return pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, md, NULL) >= 0;
}

int
redact_needed(const char *s, size_t len)
{
	unsigned present = triggers_in(s, len);
	size_t i;

	if (known_in(s, len))
		return 1;
	for (i = 0; i < NRULES; i++)
		if ((rules[i].need & present) && matches(rule_code(i), s, len))
			return 1;
	return 0;
}

int
redact_secret_name(const char *name)
{
	size_t len = strlen(name);

	if (!(triggers_in(name, len) & T_KEYS))
		return 0;
	return matches(compiled(&names, "(?i)(?:" KEYS ")"), name, len);
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

/*
 * Masking by value: the credentials ackprof itself holds, from its environment (never
 * from config.json: the specification lets only `aliyun configure list` look there).
 * Each value is known in every form it may take in text we print: literal, URL-encoded
 * (upper and lower hex), JSON-escaped, and base64 (standard and URL-safe) at each of
 * the three alignments a value can have inside a longer base64 blob.  The copies live in
 * one mapping that is kept out of core dumps and zeroed at exit.
 */
static const char *const cred_vars[] = {
	"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
	"ALIBABA_CLOUD_SECURITY_TOKEN", "ALIBABACLOUD_ACCESS_KEY_ID",
	"ALIBABACLOUD_ACCESS_KEY_SECRET", "ALIBABACLOUD_SECURITY_TOKEN",
	"ALICLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECURITY_TOKEN",
	"ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY",
};

/* A value shorter than this is not masked by value: it would mask ordinary words. */
#define KNOWN_MIN	8
#define KNOWN_MAX	64

static char *arena;		/* mmap'd: every known form, NUL-separated */
static size_t arena_size, arena_used;
static const char *known[KNOWN_MAX];
static size_t known_len[KNOWN_MAX], nknown;

static void
known_add(const char *s, size_t len)
{
	size_t i;

	if (len < KNOWN_MIN || nknown == KNOWN_MAX || arena_used + len + 1 > arena_size)
		return;
	for (i = 0; i < nknown; i++)
		if (known_len[i] == len && memcmp(known[i], s, len) == 0)
			return;
	memcpy(arena + arena_used, s, len);
	arena[arena_used + len] = '\0';
	known[nknown] = arena + arena_used;
	known_len[nknown++] = len;
	arena_used += len + 1;
}

static void
add_url(const char *v, const char *hex)
{
	char out[3 * 1024 + 1];
	size_t i, o = 0;

	for (i = 0; v[i] && o + 3 < sizeof(out); i++) {
		unsigned char c = (unsigned char)v[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    strchr("-._~", c) != NULL)
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	known_add(out, o);
}

static void
add_json(const char *v)
{
	char out[6 * 1024 + 1];
	size_t i, o = 0;

	for (i = 0; v[i] && o + 6 < sizeof(out); i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '"' || c == '\\' || c == '/') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, 7, "\\u%04x", c);
		} else
			out[o++] = (char)c;
	}
	known_add(out, o);
}

/*
 * base64 of the value preceded by `align` bytes: only the characters whose six bits lie
 * wholly inside the value are the same whatever surrounds it in a longer blob.
 */
static void
add_base64(const char *v, size_t len, size_t align, const char *alpha)
{
	unsigned char in[1024 + 6] = {0};
	char out[1400];
	size_t n, i, o = 0, first, last;

	if (len > 1024)
		return;
	memcpy(in + align, v, len);
	n = align + len;
	for (i = 0; i < n; i += 3) {
		unsigned long w = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 | in[i + 2];

		out[o++] = alpha[w >> 18 & 63];
		out[o++] = alpha[w >> 12 & 63];
		out[o++] = alpha[w >> 6 & 63];
		out[o++] = alpha[w & 63];
	}
	first = (8 * align + 5) / 6;		/* first character starting inside the value */
	last = (8 * n) / 6;			/* characters ending inside it: [first, last) */
	if (last > first)
		known_add(out + first, last - first);
}

static void
learn_value(const char *v)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t a, len = strlen(v);

	known_add(v, len);
	add_url(v, "0123456789ABCDEF");
	add_url(v, "0123456789abcdef");
	add_json(v);
	for (a = 0; a < 3; a++) {
		add_base64(v, len, a, b64);
		add_base64(v, len, a, b64url);
	}
}

static void
forget_values(void)
{
	if (arena == NULL)
		return;
	explicit_bzero(arena, arena_size);
	munmap(arena, arena_size);
	arena = NULL;
	arena_size = arena_used = nknown = 0;
}

void
redact_learn_env(void)
{
	size_t i;

	if (arena != NULL)
		return;
	for (i = 0; i < sizeof(cred_vars) / sizeof(cred_vars[0]); i++)
		if (getenv(cred_vars[i]) != NULL && strlen(getenv(cred_vars[i])) >= KNOWN_MIN)
			break;
	if (i == sizeof(cred_vars) / sizeof(cred_vars[0]))
		return;
	/* We hold credentials: no core dump, and the copies are marked besides. */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	arena_size = 256 * 1024;
	arena = mmap(NULL, arena_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED) {
		arena = NULL;
		return;
	}
	(void)madvise(arena, arena_size, MADV_DONTDUMP);
	atexit(forget_values);
	for (i = 0; i < sizeof(cred_vars) / sizeof(cred_vars[0]); i++) {
		const char *v = getenv(cred_vars[i]);

		if (v != NULL && strlen(v) >= KNOWN_MIN)
			learn_value(v);
	}
}

static int
known_in(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < nknown; i++)
		if (memmem(s, len, known[i], known_len[i]) != NULL)
			return 1;
	return 0;
}

/* Replace every known form by ****; returns a new string or NULL when none was there. */
static char *
mask_known(const char *s, size_t len, size_t *olen)
{
	struct buf b = {0};
	size_t i, pos = 0;

	if (!known_in(s, len))
		return NULL;
	buf_add(&b, "", 0);
	while (pos < len) {
		size_t best = len, blen = 0;

		for (i = 0; i < nknown; i++) {
			const char *f = memmem(s + pos, len - pos, known[i], known_len[i]);

			if (f != NULL && ((size_t)(f - s) < best ||
			    ((size_t)(f - s) == best && known_len[i] > blen)))
				best = (size_t)(f - s), blen = known_len[i];
		}
		buf_add(&b, s + pos, best - pos);
		if (blen == 0)
			break;
		buf_adds(&b, "****");
		pos = best + blen;
	}
	*olen = b.len;
	return b.p;
}

/*
 * Every shape rule over cur (of clen bytes) that its triggers let match, in order; the
 * result replaces cur.  A rule's change is looked through again for the triggers.
 */
static char *
apply_rules(char *cur, size_t *clen)
{
	char *next;
	size_t i, nlen;
	unsigned present = triggers_in(cur, *clen);

	for (i = 0; i < NRULES && present != 0; i++) {
		if (!(rules[i].need & present))
			continue;
		next = subst(rule_code(i), rules[i].rep, cur, *clen, &nlen);
		if (next == NULL)
			continue;
		free(cur);
		cur = next;
		*clen = nlen;
		present = triggers_in(cur, *clen);
	}
	return cur;
}

char *
redact(const char *s, size_t len)
{
	char *cur, *next;
	size_t clen = len, nlen;

	cur = xmalloc(len + 1);
	memcpy(cur, s, len);
	cur[len] = '\0';
	cur = apply_rules(cur, &clen);
	next = mask_known(cur, clen, &nlen);
	if (next != NULL) {
		/* A value masked by value can leave a shape the rules mask (found by fuzz_redact):
		 * one more pass keeps redact() idempotent. */
		free(cur);
		cur = apply_rules(next, &nlen);
	}
	return cur;
}

char *
redacts(const char *s)
{
	return redact(s, strlen(s));
}
