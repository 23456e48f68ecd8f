/* SPDX-License-Identifier: Apache-2.0 */
/* timewin.h: diagnosis time windows and the specification's temporal-word rule. */
#ifndef ACKPROF_TIMEWIN_H
#define ACKPROF_TIMEWIN_H

#include <stddef.h>
#include <time.h>

/* Parse a point in time: Unix seconds, "YYYY-MM-DD HH:MM[:SS]", "HH:MM" (today), RFC 3339. */
int	timewin_parse_time(const char *, time_t now, time_t *out);
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

/*
 * The temporal-word rule: 1 when the description names a past time (the words
 * found are copied to found), 0 when it names none or describes an ongoing problem.
 */
int	temporal_past(const char *desc, char *found, size_t foundlen);

/* Format a Unix time as local "YYYY-MM-DD HH:MM:SS". */
void	timewin_fmt(time_t, char *, size_t);

#endif
