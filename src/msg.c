/* SPDX-License-Identifier: Apache-2.0 */
/*
 * msg.c: the messages of ackprof on stderr.  Errors always print; notes and
 * progress follow -q/-v.  A live progress line is drawn only on a terminal, and
 * is erased before any other line so that the two never mix.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "msg.h"
#include "scrub.h"
#include "utf8.h"
#include "util.h"

int msg_quiet;
int msg_verbose;
int msg_tty;
int msg_hold_errors;
int msg_progress_fd = -1;
int msg_event_fd = -1;

static int live;	/* a progress line is on screen */
static char last_error[1024];	/* the last errorf() line in English, for -o json */
static char last_shown[1024];	/* the same as shown, in the user's language */
static int errors_on;	/* inside errorf() */

const char *
msg_last_error(void)
{
	return last_error;
}

const char *
msg_last_error_shown(void)
{
	return last_shown;
}

void
msg_clear_error(void)
{
	last_error[0] = '\0';
	last_shown[0] = '\0';
}

void
msg_init(void)
{
	int fd;

	/*
	 * A standard descriptor closed at start (`ackprof batch ... >&-`) is opened
	 * on /dev/null first: else the next file opened (the --state file) would
	 * become stdout and receive the results.
	 */
	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(70);
	msg_tty = isatty(2);
}

static void
clear_live(void)
{
	if (live) {
		fputs("\r\033[K", stderr);
		live = 0;
	}
}

/* Keep s in dst[n], cut on a character boundary. */
static void
keep(char *dst, size_t n, const char *s)
{
	size_t len = utf8_cut(s, strlen(s), n - 1);

	memcpy(dst, s, len);
	dst[len] = '\0';
}

/*
 * Errors are recorded in English (they go into -o json and JSON Lines, which
 * read the same in every language) and as shown, in the user's language.
 */
static void
emit(const char *prefix, const char *fmt, va_list ap)
{
	char *line, *red;
	va_list en;

	if (errors_on) {
		va_copy(en, ap);
		if (vasprintf(&line, fmt, en) >= 0) {
			red = scrub_line(line);
			keep(last_error, sizeof(last_error), red);
			free(red);
			free(line);
		}
		va_end(en);
	}
	if ((line = i18n_vasprintf(fmt, ap)) == NULL)
		return;
	/* One message, one line: masked, valid UTF-8, controls escaped (input is echoed). */
	red = scrub_line(line);
	free(line);
	if (errors_on)
		keep(last_shown, sizeof(last_shown), red);
	/* Batch: the error belongs to one target's result line, not to stderr. */
	if (!errors_on || !msg_hold_errors) {
		clear_live();
		fprintf(stderr, "ackprof: %s%s\n", *prefix ? _(prefix) : "", red);
		fflush(stderr);
	}
	free(red);
}

void
verrorf(const char *fmt, va_list ap)
{
	errors_on = 1;
	emit("", fmt, ap);
	errors_on = 0;
}

void
errorf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrorf(fmt, ap);
	va_end(ap);
}

void
warnf(const char *fmt, ...)
{
	va_list ap;

	if (msg_quiet)
		return;
	va_start(ap, fmt);
	emit(N_("warning: "), fmt, ap);
	va_end(ap);
}

void
notef(const char *fmt, ...)
{
	va_list ap;

	if (msg_quiet)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void
verbosef(const char *fmt, ...)
{
	va_list ap;

	if (msg_quiet || !msg_verbose)
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

/*
 * Progress: on a terminal, one line redrawn in place; with -v off a terminal, a
 * plain line per step; otherwise nothing, so that automation sees only errors.
 */
void
progressf(const char *fmt, ...)
{
	char *line, *s;
	va_list ap;

	if (msg_progress_fd < 0 && (msg_quiet || (!msg_tty && !msg_verbose)))
		return;
	va_start(ap, fmt);
	line = i18n_vasprintf(fmt, ap);
	va_end(ap);
	if (line == NULL)
		return;
	s = scrub_line(line);
	free(line);
	if (msg_progress_fd >= 0)
		/* The MCP server's worker: one line per event, for notifications/progress. */
		dprintf(msg_progress_fd, "%.*s\n", scrub_cut(s, 510), s);
	else if (msg_tty && !msg_verbose) {
		fprintf(stderr, "\r\033[K%.*s", scrub_cut(s, 511), s);
		live = 1;
	} else
		fprintf(stderr, "ackprof: %.*s\n", scrub_cut(s, 511), s);
	fflush(stderr);
	free(s);
}

void
progress_done(void)
{
	clear_live();
	fflush(stderr);
}

void
eventf(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	if (msg_event_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		return;	/* a cut event would lie: none at all */
	line[n++] = '\n';
	(void)!write(msg_event_fd, line, (size_t)n);
}

int
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrorf(fmt, ap);
	va_end(ap);
	return EX_USAGE;
}
