/* SPDX-License-Identifier: Apache-2.0 */
/* timewin.h: diagnosis time windows and the specification's temporal-word rule. */
#ifndef ACKPROF_TIMEWIN_H
#define ACKPROF_TIMEWIN_H

#include <stddef.h>
#include <time.h>

/*
 * Parse a point in time: Unix seconds, "YYYY-MM-DD HH:MM[:SS]", "HH:MM" (today),
 * RFC 3339.  0 with *out set; -1 when it is none of these; for a local time
 * TIMEWIN_GAP when the clocks skip it (daylight saving time starts).  One they pass
 * twice (it ends) is taken at its first reading, as other tools do; timewin_twice
 * tells the caller so, to say which it took.
 */
#define TIMEWIN_GAP		(-2)
#define TIMEWIN_AMBIGUOUS	(-3)
int	timewin_parse_time(const char *, time_t now, time_t *out);
/*
 * The one line for a local time that TIMEWIN_GAP or TIMEWIN_AMBIGUOUS refused
 * (what names it: "--from"): what is wrong and the RFC 3339 spelling to give
 * instead; 0 with it in err, or -1 when val is not such a time.
 */
int	timewin_explain(const char *what, const char *val, time_t now, char *err, size_t errlen);
/*
 * Is val a local time the clocks pass twice (daylight saving time ends)?  1 with the
 * reading taken and the other as RFC 3339 with their offsets in took and other
 * (48 bytes each), else 0.
 */
int	timewin_twice(const char *val, time_t now, char took[48], char other[48]);
/* Parse a duration: N, Ns, Nm, Nh, Nd, and sums like 1h30m. */
int	timewin_parse_duration(const char *, long *secs);

struct window {
	time_t	start, end;	/* 0, 0 for real time */
	int	historical;
};

/*
 * Resolve --from/--to/--since/--realtime into a window.  Returns 0, or -1 with
 * a one-line reason in err.
 */
int	timewin_resolve(const char *from, const char *to, const char *since, int realtime,
	    time_t now, struct window *, char *err, size_t errlen);

/* The half-width of an --around window: "around 3am" is 02:30 to 03:30 (the skill's rule). */
#define AROUND_SECS	(30 * 60)

/*
 * Resolve --around TIME (with whatever else was given, which must be nothing of
 * --from/--to/--since/--realtime) into [TIME-30m, TIME+30m], the end cut to now.
 * Without --around, timewin_resolve.  Returns 0, or -1 with a one-line reason in err.
 */
int	timewin_resolve_around(const char *around, const char *from, const char *to,
	    const char *since, int realtime, time_t now, struct window *, char *err, size_t errlen);

/*
 * A point in time in the description ("around 3am", "at 14:30", "凌晨3点左右", "3点前后"):
 * 1 with the phrase copied to found, else 0.  Such a description wants --around.
 */
int	temporal_point(const char *desc, char *found, size_t foundlen);

/*
 * The same, a bare HH:MM taken on the day of `day` (a time on that day) rather than
 * today; the window must still end before `now`.
 */
int	timewin_resolve_on(const char *from, const char *to, const char *since, int realtime,
	    time_t day, time_t now, struct window *, char *err, size_t errlen);
/*
 * The day a description names (yesterday, 昨天下午, 前天, 上周五, last friday): a time
 * (local noon) on that day, or 0 when it names none.
 */
time_t	timewin_named_day(const char *desc, time_t now);

/*
 * The temporal-word rule: 1 when the description names a past time (the words
 * found are copied to found), 0 when it names none or describes an ongoing problem.
 */
int	temporal_past(const char *desc, char *found, size_t foundlen);

/* Format a Unix time as local "YYYY-MM-DD HH:MM:SS". */
void	timewin_fmt(time_t, char *, size_t);
/* The local time zone's offset from UTC at that time, as "+08:00" ("" if unknown). */
void	timewin_offset(time_t, char *, size_t);

#endif
