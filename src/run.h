/* SPDX-License-Identifier: Apache-2.0 */
/* run.h: start a child with posix_spawnp, capture its output, enforce its deadline. */
#ifndef ACKPROF_RUN_H
#define ACKPROF_RUN_H

#include <signal.h>
#include <stddef.h>

#include "util.h"

/* Set by the SIGINT/SIGTERM/SIGHUP handlers; the signal number that arrived first. */
extern volatile sig_atomic_t run_signal;
/* How many of them arrived: a second one stops a `finish` call after all. */
extern volatile sig_atomic_t run_signals;
struct child;
/* Called once when a signal arrives during a `finish` call, which goes on (say so). */
extern void (*run_on_hold)(const struct child *);

void	run_install_signals(void);
/*
 * Arm a cleanup the watchdog runs after this process died (however: SIGKILL too),
 * once it has killed the children's groups.  Must come before this process starts
 * its first child (the watchdog is forked then, with a copy of fn and arg);
 * returns -1 when a watchdog of this process runs already and will not run it.
 */
int	run_on_orphan(void (*fn)(void *), void *arg);

/* How long the watchdog lets a `finish` call run on after ackprof died. */
#define RUN_FINISH_WAIT	10.0

struct child {
	/* inputs */
	const char *const *argv;	/* argv[0] is looked up in PATH */
	const char *const *env_set;	/* "NAME=value" added (NULL-terminated) */
	const char *const *env_unset;	/* names removed (NULL-terminated) */
	double	 timeout;		/* seconds; 0 = none */
	size_t	 out_max;		/* bytes kept per stream; 0 = 16 MiB */
	int	 in_fd;			/* > 0: the child's stdin; 0: /dev/null */
	int	 inherit;		/* 1: stdout/stderr inherited, nothing captured */
	int	 uninterruptible;	/* 1: ignore run_signal (cleanup calls) */
	/*
	 * 1: a call that rewrites a file of the user's (configure set, ai-mode): not
	 * killed part-way on the first run_signal (run_on_hold says so; a second
	 * signal stops it), nor by the watchdog when ackprof dies (it waits up to
	 * RUN_FINISH_WAIT for it); its deadline stops it.
	 */
	int	 finish;
	/* outputs */
	struct buf out, err;
	int	 status;		/* exit code, or 128 + signal */
	int	 termsig;		/* the signal that killed it, or 0 */
	int	 timed_out;		/* killed at the deadline */
	int	 overflow;		/* killed for printing more than out_max */
	int	 interrupted;		/* killed because run_signal was set */
	int	 spawn_errno;		/* nonzero: could not start (ENOENT, EACCES, ...) */
	double	 elapsed;		/* seconds */
	/* private to run.c */
	int	 pid, fd[2], pidfd, backoff, done, exited, held;
	double	 start, deadline, next_reap;
};

/*
 * Run to completion.  Returns 0 when the child ran (see status and the flags),
 * -1 when it could not be started (spawn_errno says why).
 */
int	run_capture(struct child *);
void	child_free(struct child *);

/*
 * The same, asynchronously, for an event loop over many children: run_start(),
 * then after each poll() hand the child its entries with run_advance() until it
 * returns 1 (finished: status and flags set).  run_pollfds() fills up to two
 * entries; run_wake() is how many seconds may pass before the child needs
 * run_advance() even without input (a deadline, reaping), or -1.
 */
struct pollfd;
#define RUN_MAXFDS 3	/* entries run_pollfds() may fill */
int	run_start(struct child *);
int	run_pollfds(const struct child *, struct pollfd *);
int	run_advance(struct child *, const struct pollfd *, int);
double	run_wake(const struct child *);
/* Drive a started child to the end (run_capture is run_start + run_wait). */
int	run_wait(struct child *);

#endif
