/* SPDX-License-Identifier: Apache-2.0 */
/*
 * i18n.c: the language of ackprof's messages.  GNU gettext, domain "ackprof",
 * the catalog from the build tree when the binary runs there, else LOCALEDIR.
 * No locale of the process ever changes: gettext runs under a locale of its own
 * (uselocale), so numbers, parsing, strerror() and so the English record of an
 * error for JSON never depend on the language.
 * Translations are trusted no further than their printf directives: one that
 * takes other arguments than its msgid is ignored, so a broken catalog cannot
 * break a run.
 */
#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "utf8.h"
#include "util.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif
#define DOMAIN	"ackprof"
#define MAXARGS	16

static int on;			/* translating */
/* The last messages built in English by i18n_snprintf, with their translations. */
static struct { char *en, *tr; } built[8];
static unsigned nbuilt;
static locale_t msgloc;		/* LC_MESSAGES for our lookups only */
static char *localedir;

const char *
i18n_localedir(void)
{
	return localedir ? localedir : LOCALEDIR;
}

/* The catalog beside the binary (a build tree), else the installed one. */
static void
find_localedir(void)
{
	char *dir = exe_dir(), *mo;

	free(localedir);
	localedir = NULL;
	if (dir == NULL)
		return;
	mo = xasprintf("%s/locale/zh_CN/LC_MESSAGES/" DOMAIN ".mo", dir);
	if (access(mo, R_OK) == 0)
		localedir = xasprintf("%s/locale", dir);
	free(mo);
	free(dir);
}

static int
is_c_locale(const char *s)
{
	return s == NULL || *s == '\0' || strcmp(s, "C") == 0 || strcmp(s, "POSIX") == 0;
}

static const char *
locale_env(void)
{
	static const char *const names[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((v = getenv(names[i])) != NULL && *v)
			return v;
	return NULL;
}

/*
 * gettext reads LANGUAGE unless LC_MESSAGES is "C", and C.UTF-8 is built into
 * glibc: so a language works without its locale having been generated.
 */
static locale_t
language_locale(const char *lang)
{
	char *l = xstrdup(lang);

	l[strcspn(l, ".@")] = '\0';	/* zh_CN.UTF-8 -> zh_CN */
	setenv("LANGUAGE", l, 1);
	free(l);
	return newlocale(LC_MESSAGES_MASK, "C.UTF-8", (locale_t)0);
}

int
i18n_init(const char *lang)
{
	const char *env = locale_env(), *language = getenv("LANGUAGE");

	on = 0;
	if (lang && (strcmp(lang, "en") == 0 || is_c_locale(lang)))
		return 0;
	if (lang && strncmp(lang, "zh", 2) != 0)
		return -1;
	if (lang == NULL && is_c_locale(env))
		return 0;	/* as gettext: LANGUAGE counts only outside the C locale */
	find_localedir();
	if (bindtextdomain(DOMAIN, i18n_localedir()) == NULL ||
	    bind_textdomain_codeset(DOMAIN, "UTF-8") == NULL ||
	    bind_textdomain_codeset("libc", "UTF-8") == NULL)
		return 0;
	if (msgloc)
		freelocale(msgloc);
	if (lang)
		msgloc = language_locale("zh_CN");
	else if ((msgloc = newlocale(LC_MESSAGES_MASK, "", (locale_t)0)) == (locale_t)0)
		msgloc = language_locale(language && *language ? language : env);
	on = msgloc != (locale_t)0;
	return 0;
}

int
i18n_active(void)
{
	return on;
}

void
i18n_english(void)
{
	on = 0;
}

/* One printf directive: its position (0: the next), type letter and spec sans "n$". */
struct dir {
	int	pos;
	int	nstar;	/* '*' width and precision: ints taken before the value */
	long	width;	/* a written width, or -1 */
	long	prec;	/* a written precision, or -1 */
	char	type;	/* 0 for "%%" */
	char	spec[32];
};

/* Digits as a number, saturated (a hostile catalog may write any number of them). */
static long
number(const char **p)
{
	long n = 0;

	for (; **p >= '0' && **p <= '9'; (*p)++)
		n = n < 100000000 ? n * 10 + (**p - '0') : n;
	return n;
}

/*
 * Parse the directive after a '%'.  Returns the end, or NULL for what we do
 * not handle (%n, unknown letters, '*' with positions): such a format is never
 * translated.
 */
static const char *
parse_dir(const char *p, struct dir *d)
{
	const char *s = p;
	char len[3] = "";
	int n = 0;

	d->pos = d->nstar = 0;
	d->width = d->prec = -1;
	if (*p == '%') {
		d->type = 0;
		return p + 1;
	}
	while (*p >= '0' && *p <= '9')
		n = n * 10 + (*p++ - '0');
	if (*p == '$' && n > 0 && n <= MAXARGS)
		d->pos = n, s = ++p;
	else
		p = s;
	p += strspn(p, "-+ #0'");
	if (*p == '*')
		p++, d->nstar++;
	else if (*p >= '0' && *p <= '9')
		d->width = number(&p);
	if (*p == '.' && p[1] == '*')
		p += 2, d->nstar++;
	else if (*p == '.')
		p++, d->prec = number(&p);
	if (d->nstar && d->pos)
		return NULL;
	if (strchr("hlLzjt", *p) && *p) {
		len[0] = *p++;
		if ((len[0] == 'h' || len[0] == 'l') && *p == len[0])
			len[1] = *p++;
	}
	if (*p == '\0' || p - s + 2 > (long)sizeof(d->spec))
		return NULL;
	if (strchr("diouxXc", *p) && len[0] != 'L')
		d->type = len[0] == 'l' ? (len[1] ? 'L' : 'l') : len[0] == 'h' || !len[0] ? 'i' : len[0];
	else if (strchr("feEgGaA", *p))
		d->type = len[0] == 'L' ? 'D' : 'f';
	else if ((*p == 's' || *p == 'p') && !len[0])
		d->type = *p;
	else
		return NULL;
	snprintf(d->spec, sizeof(d->spec), "%%%.*s", (int)(p + 1 - s), s);
	return p + 1;
}

int
i18n_signature(const char *fmt, char *sig, int n)
{
	struct dir d;
	int seq = 0, posd = 0, max = 0, k;

	if (n <= MAXARGS)
		return -1;
	memset(sig, 0, n);
	while ((fmt = strchr(fmt, '%')) != NULL) {
		if ((fmt = parse_dir(fmt + 1, &d)) == NULL)
			return -1;
		if (d.type == 0)
			continue;
		for (k = 0; k < d.nstar; k++) {
			if (++seq > MAXARGS)
				return -1;
			sig[seq - 1] = 'i';
		}
		if (d.pos)
			posd = 1;
		else if (++seq > MAXARGS)
			return -1;
		k = d.pos ? d.pos : seq;
		if ((sig[k - 1] && sig[k - 1] != d.type) || (posd && seq))
			return -1;
		sig[k - 1] = d.type;
		if (k > max)
			max = k;
	}
	for (k = 0; k < max; k++)
		if (sig[k] == 0)
			return -1;
	return max;
}

/*
 * The widest width and precision written for each argument of a format (whose
 * signature is known good), -1 where none is.
 */
static void
limits(const char *fmt, long *w, long *pr)
{
	struct dir d;
	int seq = 0, k;

	for (k = 0; k < MAXARGS; k++)
		w[k] = pr[k] = -1;
	while ((fmt = strchr(fmt, '%')) != NULL && (fmt = parse_dir(fmt + 1, &d)) != NULL) {
		if (d.type == 0)
			continue;
		seq += d.nstar;
		k = d.pos ? d.pos - 1 : seq++;
		if (k < 0 || k >= MAXARGS)
			continue;
		/* A string's precision only cuts: none is the longest. */
		if (d.type == 's' && d.prec < 0)
			d.prec = LONG_MAX;
		if (d.width > w[k])
			w[k] = d.width;
		if (d.prec > pr[k])
			pr[k] = d.prec;
	}
}

/*
 * The translation only when it takes the very arguments of msgid, none with a width
 * or precision larger than msgid's (a hostile catalog could otherwise pad gigabytes).
 */
static const char *
checked(const char *msgid, const char *tr)
{
	char a[MAXARGS + 1], b[MAXARGS + 1];
	long mw[MAXARGS], mp[MAXARGS], tw[MAXARGS], tp[MAXARGS];
	int k;

	if (tr == msgid || (strchr(msgid, '%') == NULL && strchr(tr, '%') == NULL))
		return tr;
	if (i18n_signature(msgid, a, sizeof(a)) < 0 || i18n_signature(tr, b, sizeof(b)) < 0 ||
	    strcmp(a, b) != 0)
		return msgid;
	limits(msgid, mw, mp);
	limits(tr, tw, tp);
	for (k = 0; k < MAXARGS; k++)
		if (tw[k] > mw[k] || tp[k] > mp[k])
			return msgid;
	return tr;
}

static const char *
lookup(const char *domain, const char *msgid)
{
	locale_t old = uselocale(msgloc);
	const char *tr = dgettext(domain, msgid);

	uselocale(old);
	return tr;
}

const char *
i18n_gettext(const char *msgid)
{
	if (!on || msgid == NULL || *msgid == '\0')
		return msgid;
	return checked(msgid, lookup(DOMAIN, msgid));
}

int
i18n_translating(void)
{
	const char *header;

	if (!on)
		return 0;
	header = lookup(DOMAIN, "");	/* the catalog's header, "" without a catalog */
	return header != NULL && *header != '\0';
}

int
i18n_widest(const char *const *labels, int n)
{
	int i, w, max = 0;

	for (i = 0; i < n; i++)
		if ((w = utf8_width(i18n_gettext(labels[i]))) > max)
			max = w;
	return max;
}

union arg {
	int		 i;
	long		 l;
	long long	 L;
	size_t		 z;
	intmax_t	 j;
	ptrdiff_t	 t;
	double		 f;
	long double	 D;
	const char	*s;
	void		*p;
};

/*
 * A string argument is shown translated when it is a phrase of our catalog
 * (a step name) or of the C library's (strerror).  Names, ids and sanitized
 * descriptions have no space, so they never are; other text (a cloud message, a
 * raw description) only when it is word for word such a phrase.  The English
 * record of an error (msg.c) never goes through here.
 */
static const char *
arg_text(const char *s)
{
	const char *tr;

	size_t i;

	if (s == NULL || strchr(s, ' ') == NULL)
		return s;
	for (i = 0; i < sizeof(built) / sizeof(built[0]); i++)
		if (built[i].en && strcmp(built[i].en, s) == 0)
			return built[i].tr;
	if ((tr = i18n_gettext(s)) != s)
		return tr;
	tr = lookup("libc", s);
	return strchr(tr, '%') ? s : tr;
}

/* One directive with its value and the ints of its '*'s, if any. */
#define PUT(v) do {							\
	if (d->nstar == 0)						\
		buf_printf(b, d->spec, (v));				\
	else if (d->nstar == 1)						\
		buf_printf(b, d->spec, star[0].i, (v));			\
	else								\
		buf_printf(b, d->spec, star[0].i, star[1].i, (v));	\
} while (0)

static void
add_dir(struct buf *b, const struct dir *d, const union arg *star, const union arg *a)
{
	switch (d->type) {
	case 'i': PUT(a->i); break;
	case 'l': PUT(a->l); break;
	case 'L': PUT(a->L); break;
	case 'z': PUT(a->z); break;
	case 'j': PUT(a->j); break;
	case 't': PUT(a->t); break;
	case 'f': PUT(a->f); break;
	case 'D': PUT(a->D); break;
	case 's': PUT(arg_text(a->s)); break;
	case 'p': PUT(a->p); break;
	}
}

static void
fetch(union arg *a, const char *sig, va_list ap)
{
	for (; *sig; sig++, a++)
		switch (*sig) {
		case 'i': a->i = va_arg(ap, int); break;
		case 'l': a->l = va_arg(ap, long); break;
		case 'L': a->L = va_arg(ap, long long); break;
		case 'z': a->z = va_arg(ap, size_t); break;
		case 'j': a->j = va_arg(ap, intmax_t); break;
		case 't': a->t = va_arg(ap, ptrdiff_t); break;
		case 'f': a->f = va_arg(ap, double); break;
		case 'D': a->D = va_arg(ap, long double); break;
		case 's': a->s = va_arg(ap, const char *); break;
		case 'p': a->p = va_arg(ap, void *); break;
		}
}

int
i18n_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	unsigned k = nbuilt++ % (sizeof(built) / sizeof(built[0]));
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	if (!on || n == 0)
		return len;
	free(built[k].en);
	free(built[k].tr);
	va_start(ap, fmt);
	built[k].tr = i18n_vasprintf(fmt, ap);
	va_end(ap);
	built[k].en = built[k].tr ? xstrdup(buf) : NULL;
	return len;
}

char *
i18n_vasprintf(const char *fmt, va_list ap)
{
	const char *tr = i18n_gettext(fmt), *p;
	char sig[MAXARGS + 1];
	union arg args[MAXARGS], *star;
	struct buf b = {0};
	struct dir d;
	int seq = 0;

	if (!on || i18n_signature(fmt, sig, sizeof(sig)) < 0) {
		char *s;

		if (vasprintf(&s, tr, ap) < 0)
			return NULL;
		return s;
	}
	fetch(args, sig, ap);
	buf_adds(&b, "");
	for (p = tr; *p; ) {
		size_t lit = strcspn(p, "%");

		buf_add(&b, p, lit);
		if (p[lit] == '\0')
			break;
		p = parse_dir(p + lit + 1, &d);	/* tr passed the signature check */
		if (d.type == 0) {
			buf_adds(&b, "%");
			continue;
		}
		star = &args[seq];
		seq += d.nstar;
		add_dir(&b, &d, star, &args[d.pos ? d.pos - 1 : seq++]);
	}
	return b.p;
}
