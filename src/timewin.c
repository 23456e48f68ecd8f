/* SPDX-License-Identifier: Apache-2.0 */
/*
 * timewin.c: time windows for historical diagnosis, and the detection of past-time
 * phrases (English and Chinese) that the specification's Step 4 turns into a question.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "target.h"
#include "timewin.h"
#include "utf8.h"
#include "util.h"

/* A value echoed in a message: at most 60 bytes, cut between characters. */
static const char *
echo(const char *s, char buf[64])
{
	size_t n = utf8_cut(s, strlen(s), 60);

	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* Do these local fields read back as y-mo-d h:mi:s? */
static int
reads_back(time_t t, int y, int mo, int d, int h, int mi, int s)
{
	struct tm b;

	return localtime_r(&t, &b) != NULL && b.tm_year == y - 1900 && b.tm_mon == mo - 1
	    && b.tm_mday == d && b.tm_hour == h && b.tm_min == mi && b.tm_sec == s;
}

/* tm for the fields of a date and time (year, month 1-12, ...), everything else 0. */
static void
set_tm(struct tm *tm, int y, int mo, int d, int h, int mi, int s)
{
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = y - 1900;
	tm->tm_mon = mo - 1;
	tm->tm_mday = d;
	tm->tm_hour = h;
	tm->tm_min = mi;
	tm->tm_sec = s;
}

/*
 * mktime for local fields, never guessed: 0 with *out set; -1 for a date that
 * normalises into another (Feb 30); TIMEWIN_GAP for a time the clocks skip when
 * daylight saving time starts; TIMEWIN_AMBIGUOUS, its two readings in alt, for
 * one they pass twice when it ends.  Each reading (standard, daylight) counts only
 * if it reads back as the very fields given.
 */
static int
local_time(int y, int mo, int d, int h, int mi, int s, time_t *out, time_t alt[2])
{
	struct tm tm;
	time_t t, found[2] = {0, 0};
	int dst, n = 0;

	for (dst = 0; dst <= 1; dst++) {
		set_tm(&tm, y, mo, d, h, mi, s);
		tm.tm_isdst = dst;
		t = mktime(&tm);
		if (reads_back(t, y, mo, d, h, mi, s) && (n == 0 || found[0] != t))
			found[n++] = t;
	}
	if (n == 1) {
		*out = found[0];
		return 0;
	}
	if (n == 2) {
		alt[0] = found[0] < found[1] ? found[0] : found[1];
		alt[1] = found[0] < found[1] ? found[1] : found[0];
		return TIMEWIN_AMBIGUOUS;
	}
	/* No reading: no such date, or a time skipped on a day that exists. */
	set_tm(&tm, y, mo, d, 0, 0, 0);
	t = timegm(&tm);
	return tm.tm_mday == d && tm.tm_mon == mo - 1 ? TIMEWIN_GAP : -1;
}

static int	parse_time(const char *, time_t, time_t *, time_t alt[2]);

int
timewin_parse_time(const char *s, time_t now, time_t *out)
{
	time_t alt[2];
	int rc = parse_time(s, now, out, alt);

	if (rc == TIMEWIN_AMBIGUOUS) {
		*out = alt[0];	/* the first time the clocks show it */
		return 0;
	}
	return rc;
}

/* A time as RFC 3339 with its local UTC offset, the spelling that is never ambiguous. */
static void
rfc3339_local(time_t t, char *buf, size_t len)
{
	struct tm tm;
	long off;
	size_t n;

	localtime_r(&t, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff;
	snprintf(buf + n, len - n, "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 3600,
	    labs(off) % 3600 / 60);
}

int
timewin_explain(const char *what, const char *val, time_t now, char *err, size_t errlen)
{
	char eb[64];
	time_t t, alt[2];

	if (parse_time(val, now, &t, alt) != TIMEWIN_GAP)
		return -1;
	i18n_snprintf(err, errlen, "bad %s '%s': no such local time in this time zone (the clocks skip it when daylight saving time starts); give it with its UTC offset, in RFC 3339 (YYYY-MM-DDTHH:MM:SS+HH:MM)",
	    what, echo(val, eb));
	return 0;
}

int
timewin_twice(const char *val, time_t now, char took[48], char other[48])
{
	time_t t, alt[2];

	if (parse_time(val, now, &t, alt) != TIMEWIN_AMBIGUOUS)
		return 0;
	rfc3339_local(alt[0], took, 48);
	rfc3339_local(alt[1], other, 48);
	return 1;
}

static int
parse_time(const char *s, time_t now, time_t *out, time_t alt[2])
{
	int y, mo, d, h, mi, sec = 0, oh, om, n = 0;
	char sign[2];
	unsigned long v;
	struct tm tm, check;
	time_t t;

	if (all_digits(s)) {
		if (parse_ulong(s, 0, 4102444800UL, &v) == -1)	/* before 2100 */
			return -1;
		*out = (time_t)v;
		return 0;
	}
	/* Everything else has one of these shapes; sscanf alone would let " 9:31" in. */
	if (!re_match(10, "^(?:\\d{4}-\\d{2}-\\d{2}[ Tt])?\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?"
	    "(?:[Zz]|[+-]\\d{2}:\\d{2})?\\z", s, strlen(s)))
		return -1;
	/* HH:MM today, local time. */
	if (strlen(s) == 5 && sscanf(s, "%2d:%2d%n", &h, &mi, &n) == 2 && n == 5) {
		localtime_r(&now, &tm);
		if (h > 23 || mi > 59)
			return -1;
		return local_time(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, h, mi, 0, out, alt);
	}
	/* RFC 3339: YYYY-MM-DDTHH:MM:SS(Z|+HH:MM), fractions allowed and ignored. */
	if (sscanf(s, "%4d-%2d-%2d%*1[Tt]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) == 6) {
		const char *z = s + n;

		if (*z == '.') {
			z++;
			if (!isdigit((unsigned char)*z))
				return -1;
			while (isdigit((unsigned char)*z))
				z++;
		}
		if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
			return -1;
		set_tm(&tm, y, mo, d, h, mi, sec);
		/* A date that timegm() normalises into another (Feb 30) is no date. */
		check = tm;
		t = timegm(&check);
		if (check.tm_mday != d || check.tm_mon != mo - 1)
			return -1;
		if ((*z == 'Z' || *z == 'z') && z[1] == '\0') {
			*out = t;
			return 0;
		}
		n = 0;
		if (sscanf(z, "%1[+-]%2d:%2d%n", sign, &oh, &om, &n) == 3 && z[n] == '\0' &&
		    oh <= 23 && om <= 59) {
			long off = (long)oh * 3600 + om * 60;

			*out = t - (sign[0] == '+' ? off : -off);
			return 0;
		}
		return -1;
	}
	/* YYYY-MM-DD HH:MM[:SS], local time. */
	n = 0;
	if (sscanf(s, "%4d-%2d-%2d %2d:%2d%n", &y, &mo, &d, &h, &mi, &n) == 5) {
		const char *r = s + n;

		sec = 0;
		if (*r == ':') {
			int m = 0;

			if (sscanf(r, ":%2d%n", &sec, &m) != 1 || r[m] != '\0')
				return -1;
		} else if (*r != '\0')
			return -1;
		if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
			return -1;
		return local_time(y, mo, d, h, mi, sec, out, alt);
	}
	return -1;
}

int
timewin_parse_duration(const char *s, long *secs)
{
	long total = 0, v, mul;
	const char *p = s;
	char *end;

	if (*s == '\0')
		return -1;
	if (all_digits(s))
		return -1;	/* no unit: 90 seconds or 90 minutes?  Never guessed. */
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = strtol(p, &end, 10);
		switch (*end) {
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		default: return -1;
		}
		if (v > 31L * 86400)
			return -1;
		total += v * mul;
		if (total > 31L * 86400)
			return -1;
		p = end + 1;
	}
	if (total <= 0)
		return -1;
	*secs = total;
	return 0;
}

/* Why a well-formed duration was refused: 1 over 31 days, 2 zero, 0 not well-formed. */
static int
duration_why(const char *s)
{
	double total = 0;
	const char *p = s;
	char *end;

	while (*p && isdigit((unsigned char)*p)) {
		double v = strtod(p, &end);

		if (end == p || !strchr("smhd", *end) || *end == '\0')
			return 0;
		total += v * (*end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : 86400);
		p = end + 1;
	}
	if (*p || p == s)
		return 0;
	return total <= 0 ? 2 : total > 31.0 * 86400 ? 1 : 0;
}

int
timewin_resolve(const char *from, const char *to, const char *since, int realtime,
    time_t now, struct window *w, char *err, size_t errlen)
{
	return timewin_resolve_on(from, to, since, realtime, now, now, w, err, errlen);
}

int
timewin_resolve_on(const char *from, const char *to, const char *since, int realtime,
    time_t day, time_t now, struct window *w, char *err, size_t errlen)
{
	char eb[64];
	long secs;

	memset(w, 0, sizeof(*w));
	if (realtime && (from || to || since)) {
		i18n_snprintf(err, errlen, "%s", N_("--realtime cannot be combined with --from/--to/--since"));
		return -1;
	}
	if (since && (from || to)) {
		i18n_snprintf(err, errlen, "%s", N_("--since cannot be combined with --from/--to"));
		return -1;
	}
	if (since) {
		if (all_digits(since) && *since) {
			i18n_snprintf(err, errlen, "bad --since '%s': a bare number has no unit (say %ss, %sm, %sh or %sd)",
			    echo(since, eb), echo(since, eb), echo(since, eb), echo(since, eb), echo(since, eb));
			return -1;
		}
		if (timewin_parse_duration(since, &secs) == -1 && duration_why(since) == 1) {
			i18n_snprintf(err, errlen, "bad --since '%s': longer than 31 days, the longest window accepted (say at most 31d)", echo(since, eb));
			return -1;
		}
		if (timewin_parse_duration(since, &secs) == -1 && duration_why(since) == 2) {
			i18n_snprintf(err, errlen, "bad --since '%s': a window of zero length (say at least 1s)", echo(since, eb));
			return -1;
		}
		if (timewin_parse_duration(since, &secs) == -1) {
			i18n_snprintf(err, errlen, "bad --since '%s' (digits and a unit s, m, h or d, e.g. 30m, 2h, 1h30m, 1d; at most 31d)", echo(since, eb));
			return -1;
		}
		w->start = now - secs;
		w->end = now;
		w->historical = 1;
		return 0;
	}
	if (!from && !to)
		return 0;
	if (!from || !to) {
		i18n_snprintf(err, errlen, "%s", N_("--from and --to go together (or use --since DURATION)"));
		return -1;
	}
	if (timewin_parse_time(from, day, &w->start) != 0) {
		if (timewin_explain("--from", from, day, err, errlen) == -1)
			i18n_snprintf(err, errlen, "bad --from '%s' (use Unix seconds, 'YYYY-MM-DD HH:MM[:SS]', HH:MM or RFC 3339)", echo(from, eb));
		return -1;
	}
	if (timewin_parse_time(to, day, &w->end) != 0) {
		if (timewin_explain("--to", to, day, err, errlen) == -1)
			i18n_snprintf(err, errlen, "bad --to '%s' (use Unix seconds, 'YYYY-MM-DD HH:MM[:SS]', HH:MM or RFC 3339)", echo(to, eb));
		return -1;
	}
	if (w->start <= 0 || w->start >= w->end) {
		i18n_snprintf(err, errlen, "%s", N_("the window must start before it ends (--from before --to)"));
		return -1;
	}
	if (w->end > now + 60) {
		i18n_snprintf(err, errlen, "%s", N_("the window ends in the future (--to after now)"));
		return -1;
	}
	w->historical = 1;
	return 0;
}

int
timewin_resolve_around(const char *around, const char *from, const char *to, const char *since,
    int realtime, time_t now, struct window *w, char *err, size_t errlen)
{
	char eb[64];
	time_t t;

	if (around == NULL)
		return timewin_resolve(from, to, since, realtime, now, w, err, errlen);
	memset(w, 0, sizeof(*w));
	if (from || to || since || realtime) {
		i18n_snprintf(err, errlen, "%s", N_("--around cannot be combined with --from/--to/--since/--realtime"));
		return -1;
	}
	if (timewin_parse_time(around, now, &t) != 0) {
		if (timewin_explain("--around", around, now, err, errlen) == 0)
			return -1;
		i18n_snprintf(err, errlen, "bad --around '%s' (use Unix seconds, 'YYYY-MM-DD HH:MM[:SS]', HH:MM or RFC 3339)", echo(around, eb));
		return -1;
	}
	if (t > now + 60) {
		i18n_snprintf(err, errlen, "%s", N_("--around names a time in the future"));
		return -1;
	}
	if (t <= AROUND_SECS) {
		i18n_snprintf(err, errlen, "bad --around '%s' (use Unix seconds, 'YYYY-MM-DD HH:MM[:SS]', HH:MM or RFC 3339)", echo(around, eb));
		return -1;
	}
	w->start = t - AROUND_SECS;
	/* A point less than 30 minutes ago: the window ends now; SysOM has no future data. */
	w->end = t + AROUND_SECS < now ? t + AROUND_SECS : now;
	if (w->end <= w->start)
		w->end = w->start + 1;
	w->historical = 1;
	return 0;
}

/* Past-time phrases, English (caseless, word-bounded) and Chinese. */
static const char past_re[] =
    "(?i)\\b(?:(?:this|yesterday|last|earlier this)\\s+(?:morning|afternoon|evening|night|week|weekend|month)"
    "|yesterday|last\\s+night|overnight|earlier\\s+today|the\\s+day\\s+before|"
    "(?:(?:around|at|about|since|from|before|after)\\s+)?\\d{1,2}(?::\\d{2})?\\s*(?:am|pm|a\\.m|p\\.m)|"
    "(?:around|at|about|since)\\s+\\d{1,2}:\\d{2}|"
    "(?:\\d+|an?|a\\s+few|few|several|couple\\s+of)\\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?)\\s+ago|"
    "(?:(?:since|on|last|this\\s+past|past|from)\\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)days?"
    "(?:\\s+(?:morning|afternoon|evening|night))?|"
    "(?:(?:since|on|last|from)\\s+)(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\\.?|"
    "\\d{4}-\\d{1,2}-\\d{1,2}|"
    "(?:since|on|from|until|till|before|after)\\s+\\d{1,2}/\\d{1,2}(?:/\\d{2,4})?|"
    "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    "|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?|"
    "\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?"
    "|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
    ")\\b"
    "|[0-9０-９]{1,2}[:：][0-9０-９]{2}\\s*(?:左右|前后)"
    "|今天早上|今早|今天上午|今天下午|昨天|昨晚|昨夜|昨日|前天|前日|凌晨|上午|下午|中午|傍晚|晚上|早上|早晨|夜里|半夜|刚才|之前|上个月"
    "|(?:上|这|本|前)?(?:个)?(?:周|星期|礼拜)[一二三四五六日天末]|上(?:个)?(?:周|星期|礼拜)|周末"
    "|[0-9０-９一二三四五六七八九十]{1,3}月[0-9０-９一二三四五六七八九十]{1,3}(?:日|号)?"
    "|[0-9０-９]{1,2}(?:日|号)(?![0-9])"
    "|[0-9０-９一二三四五六七八九十两半几]+\\s*(?:个)?(?:小时|分钟|天|周)(?:之)?前"
    "|(?:[0-9０-９]{1,2}|十[一二]?|[二三四五六七八九两]|一(?=点(?:钟|半|多|左右|[0-9一二三四五六七八九十]+分)))\\s*点";
/*
 * A point in time, the skill's "around 3am" (±30 min): around/about/at/approximately
 * a clock time in English; a clock time followed by 左右 or 前后 in Chinese.
 */
static const char point_re[] =
    "(?i)\\b(?:around|about|at|approximately|roughly|circa)\\s+(?:"
    "\\d{1,2}(?::\\d{2})?\\s*(?:am|pm|a\\.m\\.?|p\\.m\\.?)|\\d{1,2}:\\d{2}|noon|midnight)"
    "|(?:凌晨|清晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|半夜)?\\s*"
    "(?:(?:[0-9０-９]{1,2}|十[一二]?|[一二三四五六七八九两])\\s*点(?:钟|半|[0-9０-９一二三四五六七八九十]{1,3}分?)?"
    "|[0-9０-９]{1,2}[:：][0-9０-９]{2})\\s*(?:左右|前后)";
/* An ongoing problem: real time is right. */
static const char now_re[] =
    "(?i)\\b(?:right\\s+now|now|currently|ongoing|at\\s+the\\s+moment|still\\s+happening|as\\s+we\\s+speak)\\b"
    "|现在|正在|当前|目前|此刻|实时";

static pcre2_code *past_code, *now_code, *point_code;

static pcre2_code *
compile(const char *pat)
{
	int errc;
	PCRE2_SIZE erro;
	pcre2_code *c;

	c = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &errc, &erro, NULL);
	if (c == NULL)
		abort();
	return c;
}

int
temporal_past(const char *desc, char *found, size_t foundlen)
{
	pcre2_match_data *md;
	PCRE2_SIZE *ov, off = 0, len = strlen(desc);
	int hit = 0;

	if (found && foundlen)
		found[0] = '\0';
	if (len == 0)
		return 0;	/* no words, no patterns to compile */
	if (past_code == NULL) {
		past_code = compile(past_re);
		now_code = compile(now_re);
	}
	md = pcre2_match_data_create(4, NULL);
	if (md == NULL)
		abort();
	if (pcre2_match(now_code, (PCRE2_SPTR)desc, len, 0, 0, md, NULL) >= 0) {
		pcre2_match_data_free(md);
		return 0;
	}
	while (off < len && pcre2_match(past_code, (PCRE2_SPTR)desc, len, off, 0, md, NULL) >= 0) {
		ov = pcre2_get_ovector_pointer(md);
		if (found && foundlen) {
			size_t have = strlen(found), n = ov[1] - ov[0];

			if (have + n + 5 < foundlen) {
				if (have)
					strcat(found, "', '");
				strncat(found, desc + ov[0], n);
			}
		}
		hit = 1;
		off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
	}
	pcre2_match_data_free(md);
	return hit;
}

int
temporal_point(const char *desc, char *found, size_t foundlen)
{
	pcre2_match_data *md;
	PCRE2_SIZE *ov, len = strlen(desc), n;
	int hit;

	if (found && foundlen)
		found[0] = '\0';
	if (len == 0)
		return 0;
	if (point_code == NULL)
		point_code = compile(point_re);
	md = pcre2_match_data_create(1, NULL);
	if (md == NULL)
		abort();
	hit = pcre2_match(point_code, (PCRE2_SPTR)desc, len, 0, 0, md, NULL) >= 0;
	if (hit && found && foundlen) {
		ov = pcre2_get_ovector_pointer(md);
		n = ov[1] - ov[0];
		if (n >= foundlen)
			n = utf8_cut(desc + ov[0], n, foundlen - 1);
		memcpy(found, desc + ov[0], n);
		found[n] = '\0';
	}
	pcre2_match_data_free(md);
	return hit;
}

/* Weekday words: Chinese digits after 周/星期/礼拜 (日 and 天 are Sunday), English names. */
static int
weekday_of(const char *desc, int *last)
{
	static const char *const zh[] = { "日", "一", "二", "三", "四", "五", "六", "天" };
	static const char *const en[] = { "sunday", "monday", "tuesday", "wednesday", "thursday",
	    "friday", "saturday" };
	static const char *const pre[] = { "周", "星期", "礼拜" };
	const char *p;
	size_t i, k;

	for (k = 0; k < 3; k++)
		for (p = desc; (p = strstr(p, pre[k])) != NULL; p += strlen(pre[k]))
			for (i = 0; i < 8; i++)
				if (strncmp(p + strlen(pre[k]), zh[i], strlen(zh[i])) == 0) {
					/* 上周五, 上个星期五: the previous week's. */
					*last = (p - desc >= 3 && strncmp(p - 3, "上", 3) == 0) ||
					    (p - desc >= 6 && strncmp(p - 6, "上个", 6) == 0);
					return i % 7;
				}
	for (i = 0; i < 7; i++)
		if (strcasestr(desc, en[i])) {
			*last = 0;	/* "last friday": the most recent one */
			return (int)i;
		}
	return -1;
}

time_t
timewin_named_day(const char *desc, time_t now)
{
	struct tm tm;
	int back = -1, wd, last = 0;

	if (strstr(desc, "前天") || strstr(desc, "前日") || strcasestr(desc, "the day before"))
		back = 2;
	else if (strstr(desc, "昨") || strcasestr(desc, "yesterday") || strcasestr(desc, "last night"))
		back = 1;
	localtime_r(&now, &tm);
	if (back < 0 && (wd = weekday_of(desc, &last)) >= 0) {
		if (last)	/* the previous Monday-to-Sunday week */
			back = (tm.tm_wday + 6) % 7 + 7 - (wd + 6) % 7;
		else		/* the most recent such day before today */
			back = (tm.tm_wday - wd + 7) % 7 ? (tm.tm_wday - wd + 7) % 7 : 7;
	}
	if (back < 0)
		return 0;
	tm.tm_mday -= back;
	tm.tm_hour = 12;
	tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

void
timewin_offset(time_t t, char *out, size_t n)
{
	struct tm tm;
	char z[16];

	/* strftime's %z is "+0800"; RFC 3339 writes it "+08:00". */
	if (n == 0)
		return;
	*out = '\0';
	if (localtime_r(&t, &tm) == NULL || strftime(z, sizeof(z), "%z", &tm) != 5)
		return;
	snprintf(out, n, "%.3s:%.2s", z, z + 3);
}

void
timewin_fmt(time_t t, char *out, size_t n)
{
	struct tm tm;

	/* A time no calendar can show is printed as the number it is. */
	if (localtime_r(&t, &tm) == NULL || strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(out, n, "%lld", (long long)t);
}
