/* SPDX-License-Identifier: Apache-2.0 */
/* msg.h: every line ackprof writes to stderr, redacted, honouring -q and -v. */
#ifndef ACKPROF_MSG_H
#define ACKPROF_MSG_H

#include <stdarg.h>

extern int msg_quiet;	/* -q: no progress, no notes */
extern int msg_verbose;	/* -v: step lines even off a terminal */
extern int msg_tty;	/* stderr is a terminal: live progress line */
extern int msg_hold_errors;	/* errorf() only records (batch: the error goes in a result) */
extern int msg_progress_fd;	/* >= 0: progress lines go there (the MCP worker) */
extern int msg_event_fd;	/* >= 0: task events go there (the MCP worker) */

void	msg_init(void);
void	verrorf(const char *, va_list) __attribute__((format(printf, 1, 0)));
void	errorf(const char *, ...) __attribute__((format(printf, 1, 2)));
void	warnf(const char *, ...) __attribute__((format(printf, 1, 2)));
void	notef(const char *, ...) __attribute__((format(printf, 1, 2)));
void	verbosef(const char *, ...) __attribute__((format(printf, 1, 2)));
void	progressf(const char *, ...) __attribute__((format(printf, 1, 2)));
void	progress_done(void);
/* One machine-read line for the MCP server: "task ID CLUSTER NS POD", "status ID STATUS". */
void	eventf(const char *, ...) __attribute__((format(printf, 1, 2)));
const char *msg_last_error(void);	/* in English: for JSON */
const char *msg_last_error_shown(void);	/* as shown to people: for text output */
void	msg_clear_error(void);

#define EX_USAGE 64
/* Print one line on stderr and return EX_USAGE (the command line's and the gate's). */
int	usage_error(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif
