/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_timewin.c: the window options and the temporal-word rule.  The input is
 * --from, --to, --since and a description, separated by NULs (an empty part is an
 * option not given).  Each is parsed alone (timewin_parse_time,
 * timewin_parse_duration, temporal_past), then together (timewin_resolve).  The
 * local time zone has DST, so the gaps and folds of local_time() are reachable.
 * The first 8 bytes, read as a time_t, go to timewin_fmt(), the printer of the
 * start_time/end_time that `ackprof result` reads back from the cloud's params
 * (pending: finding 4, a time localtime_r cannot convert prints stack garbage).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/timewin.h"
#include "fuzz.h"

#define NOW	((time_t)1781000000)	/* 2026-06-09, a fixed "now" keeps runs reproducible */
#define MAXDUR	(31L * 86400)

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* US Eastern: a spring-forward gap and a fall-back fold every year. */
	setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
	tzset();
	return 0;
}

/*
 * "[-]Y...Y-MM-DD HH:MM:SS", as "%Y-%m-%d %H:%M:%S" prints any year, or the
 * plain number of seconds when no calendar can show the time.
 */
static int
fmt_ok(const char *s)
{
	static const char tail[] = "-dd-dd dd:dd:dd";
	size_t i, n;

	if (*s == '-')
		s++;
	for (n = 0; s[n] >= '0' && s[n] <= '9'; n++)
		;
	if (n == 0)
		return 0;
	if (s[n] == '\0')
		return 1;
	s += n;
	for (i = 0; tail[i]; i++)
		if (tail[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != tail[i])
			return 0;
	return s[i] == '\0';
}

static void
fmt(time_t t)
{
	char out[64];

	memset(out, 0, sizeof(out));
	timewin_fmt(t, out, sizeof(out));
	FUZZ_CHECK(memchr(out, '\0', sizeof(out)) != NULL, "timewin_fmt: not terminated");
	FUZZ_CHECK(fmt_ok(out), "timewin_fmt(%lld) printed '%s'", (long long)t, out);
}

static void
past(const char *s)
{
	char found[256], small[8];
	int hit;

	memset(found, 'x', sizeof(found));
	hit = temporal_past(s, found, sizeof(found));
	FUZZ_CHECK(hit == 0 || hit == 1, "temporal_past %d", hit);
	FUZZ_CHECK(memchr(found, '\0', sizeof(found)) != NULL, "found not terminated");
	FUZZ_CHECK(hit || found[0] == '\0', "no hit, yet found '%s'", found);
	/* A small buffer gets less, never more; the answer does not change. */
	memset(small, 'x', sizeof(small));
	FUZZ_CHECK(temporal_past(s, small, sizeof(small)) == hit, "answer depends on the buffer");
	FUZZ_CHECK(memchr(small, '\0', sizeof(small)) != NULL, "small found not terminated");
	FUZZ_CHECK(temporal_past(s, NULL, 0) == hit, "answer depends on found");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *part[4], err[512];
	const char *from, *to, *since;
	struct window w;
	time_t t;
	long secs;
	int i, rc;

	if (size >= sizeof(t)) {
		memcpy(&t, data, sizeof(t));
		fmt(t);
	}
	fuzz_split(data, size, part, 4);
	for (i = 0; i < 4; i++) {
		if (part[i] == NULL)
			continue;
		if (timewin_parse_time(part[i], NOW, &t) == 0)
			fmt(t);
		if (timewin_parse_duration(part[i], &secs) == 0)
			FUZZ_CHECK(secs > 0 && secs <= MAXDUR, "'%s' is %ld s", part[i], secs);
		past(part[i]);
	}
	from = part[0] && *part[0] ? part[0] : NULL;
	to = part[1] && *part[1] ? part[1] : NULL;
	since = part[2] && *part[2] ? part[2] : NULL;

	memset(err, 0, sizeof(err));
	rc = timewin_resolve(from, to, since, 0, NOW, &w, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1, "rc %d", rc);
	if (rc == -1) {
		FUZZ_CHECK(err[0] != '\0', "failure without a reason");
	} else if (!from && !to && !since) {
		FUZZ_CHECK(!w.historical && w.start == 0 && w.end == 0, "real time has a window");
	} else {
		/* A window that SysOM can be asked about: in the past, start before end. */
		FUZZ_CHECK(w.historical, "not historical");
		FUZZ_CHECK(w.start > 0 && w.start < w.end, "window %lld-%lld",
		    (long long)w.start, (long long)w.end);
		FUZZ_CHECK(w.end <= NOW + 60, "ends in the future: %lld", (long long)w.end);
		fmt(w.start);
		fmt(w.end);
		if (since)
			FUZZ_CHECK(w.end == NOW && w.end - w.start <= MAXDUR, "since window");
	}
	/* --realtime with any window option is refused; alone it is real time. */
	rc = timewin_resolve(from, to, since, 1, NOW, &w, err, sizeof(err));
	if (from || to || since)
		FUZZ_CHECK(rc == -1, "--realtime combined was accepted");
	else
		FUZZ_CHECK(rc == 0 && !w.historical, "--realtime alone");
	fuzz_split_free(part, 4);
	return 0;
}
