/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gojson: a JSON decoder and encoder that reproduce what Go's encoding/json
 * does to a response body in the aliyun CLI (openapi/commando.go sortJSON,
 * tea SDKError data).  cJSON cannot: it turns numbers into doubles.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gojson.h"

/* Go's decoder gives up past this nesting depth (encoding/json maxNestingDepth). */
#define MAX_DEPTH	10000

static void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL) {
		fputs("fake-aliyun: out of memory\n", stderr);
		abort();
	}
	return q;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->n + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

char *
buf_str(struct buf *b)
{
	if (b->cap < b->n + 1) {
		b->p = xrealloc(b->p, b->n + 1);
		b->cap = b->n + 1;
	}
	b->p[b->n] = '\0';
	return b->p;
}

/*
 * utf8.DecodeRune: the rune at s and its length; an invalid or truncated
 * sequence gives U+FFFD with length 1, so each bad byte is replaced on its own.
 */
static size_t
decode_rune(const unsigned char *s, size_t n, uint32_t *r)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t need, i;

	if (c < 0x80) {
		*r = c;
		return 1;
	}
	*r = 0xFFFD;
	if (c < 0xC2 || c > 0xF4)
		return 1;
	if (c < 0xE0)
		need = 2;
	else if (c < 0xF0) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else {
		need = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	}
	if (n < need || s[1] < lo || s[1] > hi)
		return 1;
	for (i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 1;
	if (need == 2)
		*r = (uint32_t)(c & 0x1F) << 6 | (s[1] & 0x3F);
	else if (need == 3)
		*r = (uint32_t)(c & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 |
		    (s[2] & 0x3F);
	else
		*r = (uint32_t)(c & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
		    (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
	return need;
}

static void
encode_rune(struct buf *b, uint32_t r)
{
	char u[4];

	if (r < 0x80) {
		u[0] = (char)r;
		buf_add(b, u, 1);
	} else if (r < 0x800) {
		u[0] = (char)(0xC0 | r >> 6);
		u[1] = (char)(0x80 | (r & 0x3F));
		buf_add(b, u, 2);
	} else if (r < 0x10000) {
		u[0] = (char)(0xE0 | r >> 12);
		u[1] = (char)(0x80 | (r >> 6 & 0x3F));
		u[2] = (char)(0x80 | (r & 0x3F));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | r >> 18);
		u[1] = (char)(0x80 | (r >> 12 & 0x3F));
		u[2] = (char)(0x80 | (r >> 6 & 0x3F));
		u[3] = (char)(0x80 | (r & 0x3F));
		buf_add(b, u, 4);
	}
}

struct dec {
	const unsigned char	*p;
	size_t			 n, i;
	int			 depth;
};

static struct jv	*value(struct dec *);

static struct jv *
newjv(enum jtype t)
{
	struct jv *v = xrealloc(NULL, sizeof(*v));

	memset(v, 0, sizeof(*v));
	v->type = t;
	return v;
}

void
gj_free(struct jv *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->len; i++) {
		gj_free(v->v[i]);
		if (v->k != NULL)
			free(v->k[i]);
	}
	free(v->v);
	free(v->k);
	free(v->kn);
	free(v->s);
	free(v);
}

static void
skipws(struct dec *d)
{
	while (d->i < d->n && (d->p[d->i] == ' ' || d->p[d->i] == '\t' ||
	    d->p[d->i] == '\n' || d->p[d->i] == '\r'))
		d->i++;
}

static int
hex4(const unsigned char *p, size_t n)
{
	int r = 0;
	size_t i;

	if (n < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		int c = p[i], x;

		if (c >= '0' && c <= '9')
			x = c - '0';
		else if (c >= 'a' && c <= 'f')
			x = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			x = c - 'A' + 10;
		else
			return -1;
		r = r << 4 | x;
	}
	return r;
}

/* A quoted string at d->i, decoded as Go's unquote does; 0 on a syntax error. */
static int
string(struct dec *d, struct buf *out)
{
	d->i++;			/* the opening quote */
	while (d->i < d->n) {
		unsigned char c = d->p[d->i];

		if (c == '"') {
			d->i++;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c != '\\') {
			uint32_t r;
			size_t sz = decode_rune(d->p + d->i, d->n - d->i, &r);

			if (r == 0xFFFD && sz == 1)
				encode_rune(out, r);
			else
				buf_add(out, d->p + d->i, sz);
			d->i += sz;
			continue;
		}
		if (++d->i >= d->n)
			return 0;
		switch (c = d->p[d->i++]) {
		case '"': case '\\': case '/':
			buf_addc(out, (char)c);
			break;
		case 'b':
			buf_addc(out, '\b');
			break;
		case 'f':
			buf_addc(out, '\f');
			break;
		case 'n':
			buf_addc(out, '\n');
			break;
		case 'r':
			buf_addc(out, '\r');
			break;
		case 't':
			buf_addc(out, '\t');
			break;
		case 'u': {
			int r = hex4(d->p + d->i, d->n - d->i);

			if (r < 0)
				return 0;
			d->i += 4;
			if (r >= 0xD800 && r < 0xE000) {
				/*
				 * A surrogate: only a high one followed by an
				 * escaped low one makes a pair; anything else
				 * is U+FFFD and the next escape is read anew.
				 */
				int r2 = -1;

				if (d->n - d->i >= 6 && d->p[d->i] == '\\' &&
				    d->p[d->i + 1] == 'u')
					r2 = hex4(d->p + d->i + 2, d->n - d->i - 2);
				if (r < 0xDC00 && r2 >= 0xDC00 && r2 < 0xE000) {
					d->i += 6;
					encode_rune(out, 0x10000 +
					    ((uint32_t)(r - 0xD800) << 10 |
					    (uint32_t)(r2 - 0xDC00)));
				} else
					encode_rune(out, 0xFFFD);
			} else
				encode_rune(out, (uint32_t)r);
			break;
		}
		default:
			return 0;
		}
	}
	return 0;
}

static int
isdigit_(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static struct jv *
number(struct dec *d)
{
	size_t start = d->i;
	struct jv *v;

	if (d->p[d->i] == '-')
		d->i++;
	if (d->i >= d->n || !isdigit_(d->p[d->i]))
		return NULL;
	if (d->p[d->i] == '0')
		d->i++;
	else
		while (d->i < d->n && isdigit_(d->p[d->i]))
			d->i++;
	if (d->i < d->n && d->p[d->i] == '.') {
		d->i++;
		if (d->i >= d->n || !isdigit_(d->p[d->i]))
			return NULL;
		while (d->i < d->n && isdigit_(d->p[d->i]))
			d->i++;
	}
	if (d->i < d->n && (d->p[d->i] == 'e' || d->p[d->i] == 'E')) {
		d->i++;
		if (d->i < d->n && (d->p[d->i] == '+' || d->p[d->i] == '-'))
			d->i++;
		if (d->i >= d->n || !isdigit_(d->p[d->i]))
			return NULL;
		while (d->i < d->n && isdigit_(d->p[d->i]))
			d->i++;
	}
	v = newjv(J_NUM);
	v->n = d->i - start;
	v->s = xrealloc(NULL, v->n + 1);
	memcpy(v->s, d->p + start, v->n);
	v->s[v->n] = '\0';
	return v;
}

static void
push(struct jv *c, char *k, size_t kn, struct jv *item)
{
	if (c->len == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
		if (c->type == J_OBJ) {
			c->k = xrealloc(c->k, c->cap * sizeof(*c->k));
			c->kn = xrealloc(c->kn, c->cap * sizeof(*c->kn));
		}
	}
	if (c->type == J_OBJ) {
		c->k[c->len] = k;
		c->kn[c->len] = kn;
	}
	c->v[c->len++] = item;
}

static struct jv *
container(struct dec *d, enum jtype t)
{
	char close = t == J_OBJ ? '}' : ']';
	struct jv *c;

	if (++d->depth > MAX_DEPTH)
		return NULL;
	c = newjv(t);
	d->i++;
	skipws(d);
	if (d->i < d->n && d->p[d->i] == close) {
		d->i++;
		d->depth--;
		return c;
	}
	for (;;) {
		struct buf key = { 0 };
		struct jv *item;

		if (t == J_OBJ) {
			skipws(d);
			if (d->i >= d->n || d->p[d->i] != '"' ||
			    !string(d, &key))
				goto bad;
			skipws(d);
			if (d->i >= d->n || d->p[d->i] != ':')
				goto bad;
			d->i++;
		}
		if ((item = value(d)) == NULL)
			goto bad;
		if (t == J_OBJ) {
			size_t kn = key.n;

			push(c, buf_str(&key), kn, item);
		} else
			push(c, NULL, 0, item);
		skipws(d);
		if (d->i >= d->n)
			goto out;
		if (d->p[d->i] == close) {
			d->i++;
			d->depth--;
			return c;
		}
		if (d->p[d->i] != ',')
			goto out;
		d->i++;
		continue;
bad:
		buf_free(&key);
		goto out;
	}
out:
	gj_free(c);
	return NULL;
}

static int
literal(struct dec *d, const char *word)
{
	size_t n = strlen(word);

	if (d->n - d->i < n || memcmp(d->p + d->i, word, n) != 0)
		return 0;
	d->i += n;
	return 1;
}

static struct jv *
value(struct dec *d)
{
	struct jv *v;

	skipws(d);
	if (d->i >= d->n)
		return NULL;
	switch (d->p[d->i]) {
	case '{':
		return container(d, J_OBJ);
	case '[':
		return container(d, J_ARR);
	case '"': {
		struct buf s = { 0 };

		if (!string(d, &s)) {
			buf_free(&s);
			return NULL;
		}
		v = newjv(J_STR);
		v->n = s.n;
		v->s = buf_str(&s);
		return v;
	}
	case 't':
	case 'f': {
		int t = d->p[d->i] == 't';

		if (!literal(d, t ? "true" : "false"))
			return NULL;
		v = newjv(J_BOOL);
		v->b = t;
		return v;
	}
	case 'n':
		return literal(d, "null") ? newjv(J_NULL) : NULL;
	default:
		if (d->p[d->i] == '-' || isdigit_(d->p[d->i]))
			return number(d);
		return NULL;
	}
}

struct jv *
gj_decode(const char *p, size_t n, size_t *end)
{
	struct dec d = { (const unsigned char *)p, n, 0, 0 };
	struct jv *v = value(&d);

	if (end != NULL)
		*end = d.i;
	return v;
}

struct jv *
gj_parse_strict(const char *p, size_t n)
{
	struct dec d = { (const unsigned char *)p, n, 0, 0 };
	struct jv *v = value(&d);

	if (v == NULL)
		return NULL;
	skipws(&d);
	if (d.i != d.n) {
		gj_free(v);
		return NULL;
	}
	return v;
}

const struct jv *
gj_get(const struct jv *o, const char *key)
{
	size_t i, kn = strlen(key);

	if (o == NULL || o->type != J_OBJ)
		return NULL;
	for (i = o->len; i-- > 0;)
		if (o->kn[i] == kn && memcmp(o->k[i], key, kn) == 0)
			return o->v[i];
	return NULL;
}

const char *
gj_getstr(const struct jv *o, const char *key)
{
	const struct jv *v = gj_get(o, key);

	return v != NULL && v->type == J_STR ? v->s : NULL;
}

void
gj_string(struct buf *b, const char *s, size_t n, int escape_html)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	buf_addc(b, '"');
	while (i < n) {
		unsigned char c = p[i];
		uint32_t r;
		size_t sz;

		if (c < 0x80) {
			char e[6] = { '\\', 'u', '0', '0', 0, 0 };

			i++;
			if (c >= 0x20 && c != '"' && c != '\\' &&
			    !(escape_html && (c == '<' || c == '>' || c == '&'))) {
				buf_addc(b, (char)c);
				continue;
			}
			switch (c) {
			case '"': case '\\':
				e[1] = (char)c;
				buf_add(b, e, 2);
				break;
			/* Go 1.22 and later write \b and \f short too. */
			case '\b':
				buf_add(b, "\\b", 2);
				break;
			case '\f':
				buf_add(b, "\\f", 2);
				break;
			case '\n':
				buf_add(b, "\\n", 2);
				break;
			case '\r':
				buf_add(b, "\\r", 2);
				break;
			case '\t':
				buf_add(b, "\\t", 2);
				break;
			default:
				e[4] = hex[c >> 4];
				e[5] = hex[c & 0xF];
				buf_add(b, e, 6);
			}
			continue;
		}
		sz = decode_rune(p + i, n - i, &r);
		if (r == 0xFFFD && sz == 1)
			buf_adds(b, "\\ufffd");
		else if (r == 0x2028 || r == 0x2029)
			buf_adds(b, r == 0x2028 ? "\\u2028" : "\\u2029");
		else
			buf_add(b, p + i, sz);
		i += sz;
	}
	buf_addc(b, '"');
}

static const struct jv	*sort_obj;

static int
keycmp(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	size_t ni = sort_obj->kn[i], nj = sort_obj->kn[j];
	int c = memcmp(sort_obj->k[i], sort_obj->k[j], ni < nj ? ni : nj);

	if (c != 0)
		return c;
	if (ni != nj)
		return ni < nj ? -1 : 1;
	/* Equal keys keep input order so that the last one can win. */
	return i < j ? -1 : i > j;
}

static void
newline(struct buf *b, enum gj_style style, int depth)
{
	if (style == GJ_COMPACT)
		return;
	buf_addc(b, '\n');
	while (depth-- > 0)
		buf_addc(b, '\t');
}

void
gj_encode(struct buf *b, const struct jv *v, enum gj_style style,
    int escape_html, int depth)
{
	size_t i, *ix, first = 1;

	switch (v->type) {
	case J_NULL:
		buf_adds(b, "null");
		break;
	case J_BOOL:
		buf_adds(b, v->b ? "true" : "false");
		break;
	case J_NUM:
		buf_add(b, v->s, v->n);
		break;
	case J_STR:
		gj_string(b, v->s, v->n, escape_html);
		break;
	case J_ARR:
		if (v->len == 0) {
			buf_adds(b, "[]");
			break;
		}
		buf_addc(b, '[');
		for (i = 0; i < v->len; i++) {
			if (i > 0)
				buf_addc(b, ',');
			newline(b, style, depth + 1);
			gj_encode(b, v->v[i], style, escape_html, depth + 1);
		}
		newline(b, style, depth);
		buf_addc(b, ']');
		break;
	case J_OBJ:
		if (v->len == 0) {
			buf_adds(b, "{}");
			break;
		}
		/* A Go map: keys sorted bytewise, a repeated key holds its last value. */
		ix = xrealloc(NULL, v->len * sizeof(*ix));
		for (i = 0; i < v->len; i++)
			ix[i] = i;
		sort_obj = v;
		qsort(ix, v->len, sizeof(*ix), keycmp);
		buf_addc(b, '{');
		for (i = 0; i < v->len; i++) {
			size_t k = ix[i];

			if (i + 1 < v->len && v->kn[ix[i + 1]] == v->kn[k] &&
			    memcmp(v->k[ix[i + 1]], v->k[k], v->kn[k]) == 0)
				continue;
			if (!first)
				buf_addc(b, ',');
			first = 0;
			newline(b, style, depth + 1);
			gj_string(b, v->k[k], v->kn[k], escape_html);
			buf_adds(b, style == GJ_COMPACT ? ":" : ": ");
			gj_encode(b, v->v[k], style, escape_html, depth + 1);
		}
		free(ix);
		newline(b, style, depth);
		buf_addc(b, '}');
		break;
	}
}
