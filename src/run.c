/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.c: the only module that starts processes.  Each child gets its own process
 * group, /dev/null for stdin, the default signal dispositions, and a deadline;
 * stdout and stderr are drained together in one poll() loop so that neither pipe
 * can fill and stall the child.  On a deadline, an interrupt or an overflow the
 * whole group gets SIGTERM, then SIGKILL after a short grace.
 */
#include <sys/pidfd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/prctl.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

extern char **environ;

volatile sig_atomic_t run_signal;
volatile sig_atomic_t run_signals;
void	(*run_on_hold)(const struct child *);

#define GRACE	1.0		/* seconds between SIGTERM and SIGKILL */
#define OUT_MAX	(16u << 20)

static void
on_signal(int sig)
{
	/* Only record it: the workflow notices, unwinds and cleans up. */
	if (run_signal == 0)
		run_signal = sig;
	if (run_signals < 100)
		run_signals++;
}

void
run_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking flock() or nanosleep() must return early. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A closed stdout must become EPIPE on write, not a silent death before cleanup. */
	signal(SIGPIPE, SIG_IGN);
}

static int
name_matches(const char *entry, const char *name)
{
	size_t n = strlen(name);

	return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

/* The child's environment: ours, less env_unset and the names env_set overrides. */
static char **
make_env(const struct child *c)
{
	size_t n = 0, k = 0, i, j;
	char **env;
	int drop;

	for (i = 0; environ[i]; i++)
		n++;
	for (i = 0; c->env_set && c->env_set[i]; i++)
		n++;
	env = xcalloc(n + 1, sizeof(*env));
	for (i = 0; environ[i]; i++) {
		drop = 0;
		for (j = 0; !drop && c->env_unset && c->env_unset[j]; j++)
			drop = name_matches(environ[i], c->env_unset[j]);
		for (j = 0; !drop && c->env_set && c->env_set[j]; j++) {
			const char *eq = strchr(c->env_set[j], '=');
			size_t len = eq ? (size_t)(eq - c->env_set[j]) : strlen(c->env_set[j]);

			drop = strncmp(environ[i], c->env_set[j], len) == 0 &&
			    environ[i][len] == '=';
		}
		if (!drop)
			env[k++] = environ[i];
	}
	for (i = 0; c->env_set && c->env_set[i]; i++)
		env[k++] = (char *)c->env_set[i];
	env[k] = NULL;
	return env;
}

static void
kill_group(pid_t pid, int sig)
{
	/* The group may already be gone; ESRCH is fine. */
	if (kill(-pid, sig) == -1 && errno == ESRCH)
		kill(pid, sig);
}

/* Wait for pid up to `secs`; returns 1 when reaped. */
static int
reap_within(pid_t pid, int *wstatus, double secs)
{
	double end = now_mono() + secs;
	pid_t r;

	for (;;) {
		r = waitpid(pid, wstatus, WNOHANG);
		if (r == pid)
			return 1;
		if (r == -1 && errno != EINTR)
			return 1;
		if (now_mono() >= end)
			return 0;
		sleep_seconds(0.01);
	}
}

static void
terminate(pid_t pid, int *wstatus)
{
	kill_group(pid, SIGTERM);
	if (!reap_within(pid, wstatus, GRACE)) {
		kill_group(pid, SIGKILL);
		while (waitpid(pid, wstatus, 0) == -1 && errno == EINTR)
			;
	}
	/* Grandchildren that ignored SIGTERM must not outlive the call. */
	kill(-pid, SIGKILL);
}

/*
 * The watchdog: children must die with ackprof, even when ackprof is killed
 * with SIGKILL (a batch killed mid-invoke must not leave an orphaned invoke to
 * start a task nobody records).  posix_spawn cannot set a parent-death signal,
 * and one would reach the direct child only, not the plugin process it runs.
 * So the first child a process starts also forks a watchdog: it holds the read
 * end of a pipe whose only write end is ours, and learns each child's process
 * group (+pgid when started, -pgid once reaped).  When the pipe reaches EOF,
 * ackprof is gone however it died, and the watchdog SIGKILLs every group still
 * listed (a `finish` call's only once it ended, or after RUN_FINISH_WAIT), then
 * exits.  It ignores the terminal's signals and lives in its own process group,
 * so that Ctrl-C cannot take it before ackprof's cleanup is over.
 * A child started in the instant before ackprof dies, before its +pgid is
 * written, is the one case it cannot see.  Once the groups are killed, it runs
 * the cleanup hook armed before it was forked (run_on_orphan: the lease's
 * ai-mode disable when the dead process was its last holder), and starts no
 * watchdog of its own for the children that cleanup runs.
 */
#define WD_FINISH	((int32_t)1 << 30)	/* in a +pgid record: a `finish` call (pids < 2^22) */
/*
 * How often the watchdog drains the records: 100 ms after a record came, backing
 * off to 5 s while none comes (a batch waiting out its polls).  The pipe holds
 * 16,384 records, more than ackprof starts children in 5 s; and were it full, a
 * write would only wait for the next drain.
 */
#define WD_DRAIN_MS	100
#define WD_DRAIN_MAX_MS	5000
static int	wd_fd = -1;
static pid_t	wd_owner;
static int	wd_self;		/* this process is a watchdog */
static void	(*wd_hook)(void *);
static void	*wd_hook_arg;
static pid_t	wd_hook_owner;

static void	watchdog_start(void);

int
run_on_orphan(void (*fn)(void *), void *arg)
{
	/* A watchdog forked already holds no copy of the hook. */
	if (wd_fd >= 0 && wd_owner == getpid())
		return -1;
	wd_hook = fn;
	wd_hook_arg = arg;
	wd_hook_owner = getpid();
	/* Now, not at the first child: a SIGKILL in between must find it there. */
	watchdog_start();
	return 0;
}

/*
 * ackprof is gone: every group dies now, but a `finish` call (a configure call
 * halfway through rewriting ai-mode.json: killed between the truncate and the
 * write, it would leave the file empty) first gets RUN_FINISH_WAIT to end.  The
 * watchdog is not its parent and cannot reap it; the group is gone once its
 * new parent (init or a subreaper) has.
 */
/*
 * Is the group of a `finish` call still at work?  Its leader (pid = pgid) may have
 * exited and wait, a zombie, for its new parent to reap it: kill(-pgid, 0) still
 * succeeds then, but the call is over.
 */
static int
group_working(pid_t pgid)
{
	char path[64], buf[256], *p;
	ssize_t r;
	int fd;

	if (kill(-pgid, 0) == -1)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pgid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 1;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return 1;
	buf[r] = '\0';
	/* "pid (comm) S ...": the state follows the last ')'. */
	p = strrchr(buf, ')');
	return !(p && p[1] == ' ' && p[2] == 'Z');
}

/*
 * ackprof is gone: every group dies now, but a `finish` call (a configure call
 * halfway through rewriting config.json or ai-mode.json: killed between the
 * truncate and the write, it would leave the file empty) first gets
 * RUN_FINISH_WAIT to end.  The watchdog is not its parent and cannot reap it.
 * Only a group still at work at the end is killed: one that ended may have
 * left its pgid free for a stranger's.
 */
static void
kill_groups(int32_t *groups, size_t n)
{
	double end = now_mono() + RUN_FINISH_WAIT;
	size_t i, waiting;

	for (i = 0; i < n; i++)
		if (!(groups[i] & WD_FINISH))
			kill(-(pid_t)groups[i], SIGKILL);
	for (;;) {
		waiting = 0;
		for (i = 0; i < n; i++) {
			if (!(groups[i] & WD_FINISH))
				continue;
			if (group_working((pid_t)(groups[i] & ~WD_FINISH)))
				waiting++;
			else
				groups[i] = 0;	/* ended: never signalled again */
		}
		if (waiting == 0 || now_mono() >= end)
			break;
		sleep_seconds(0.01);
	}
	for (i = 0; i < n; i++)
		if (groups[i] & WD_FINISH)
			kill(-(pid_t)(groups[i] & ~WD_FINISH), SIGKILL);
}

/*
 * One record of the pipe: +pgid is a group started (WD_FINISH set for a `finish`
 * call's), -pgid one reaped.
 */
static void
wd_record(int32_t rec, int32_t **groups, size_t *n, size_t *cap)
{
	size_t i;

	if (rec > 0) {
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 16;
			int32_t *g = realloc(*groups, ncap * sizeof(**groups));

			/* Out of memory: this group goes unlisted; the others are still killed. */
			if (g == NULL)
				return;
			*groups = g;
			*cap = ncap;
		}
		(*groups)[(*n)++] = rec;
	} else
		for (i = 0; i < *n; i++)
			if (((*groups)[i] & ~WD_FINISH) == -rec) {
				(*groups)[i] = (*groups)[--*n];
				break;
			}
}

/*
 * Read the records the pipe holds (it is non-blocking); 1 at EOF (ackprof is gone),
 * else 0.  Writes of 4 bytes are atomic, so whole records.
 */
static int
wd_drain(int fd, int32_t **groups, size_t *n, size_t *cap, size_t *got)
{
	int32_t recs[256];
	ssize_t r, i;

	for (*got = 0;;) {
		r = read(fd, recs, sizeof(recs));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == 0)
			return 1;
		if (r == -1)
			return errno == EAGAIN ? 0 : 1;
		for (i = 0; i < r / (ssize_t)sizeof(recs[0]); i++, (*got)++)
			wd_record(recs[i], groups, n, cap);
	}
}

static void
watchdog_main(int fd, pid_t owner)
{
	int32_t *groups = NULL;
	size_t n = 0, cap = 0, got;
	struct pollfd p;
	int null, wait = WD_DRAIN_MS;

	setpgid(0, 0);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	/* Hold nothing of ackprof's: not its stdout, not its lease lock. */
	if (dup2(fd, 3) == 3)
		fd = 3;
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	close_range(4, ~0U, 0);
	/*
	 * Sleep until the write end closes (POLLHUP: no event asked for, so a record
	 * does not wake us), and drain the records meanwhile (WD_DRAIN_MS), so that
	 * the pipe never fills.  Woken for every record, the watchdog took 26 wake-ups
	 * a diagnose on cores that ackprof and its children share (issue 25).
	 */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	p.fd = fd;
	p.events = 0;
	for (;;) {
		(void)poll(&p, 1, wait);
		if (wd_drain(fd, &groups, &n, &cap, &got) != 0)
			break;
		wait = got ? WD_DRAIN_MS : wait * 2 < WD_DRAIN_MAX_MS ? wait * 2 : WD_DRAIN_MAX_MS;
	}
	kill_groups(groups, n);
	free(groups);
	/* The hook is the dead process's own (a forked worker's parent armed none for it). */
	if (wd_hook && wd_hook_owner == owner) {
		wd_self = 1;
		wd_hook(wd_hook_arg);
	}
	_exit(0);
}

/* Fork this process's watchdog, unless it has one (a forked worker gets its own). */
static void
watchdog_start(void)
{
	pid_t pid, self = getpid();
	int p[2];

	if (wd_self)
		return;
	if (wd_fd >= 0 && wd_owner != self) {
		/* A forked worker: its parent's watchdog watches its parent. */
		close(wd_fd);
		wd_fd = -1;
	}
	if (wd_fd >= 0)
		return;
	if (pipe2(p, O_CLOEXEC) == -1)
		return;
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		close(p[1]);
		watchdog_main(p[0], self);
	}
	close(p[0]);
	wd_fd = p[1];
	wd_owner = self;
}

/* add: 0 the group ended, 1 a new group, 2 a new group of a `finish` call. */
static void
watchdog_tell(pid_t pgid, int add)
{
	int32_t rec = add == 2 ? (int32_t)pgid | WD_FINISH : add ? (int32_t)pgid : -(int32_t)pgid;

	if (wd_self)
		return;
	if (wd_fd >= 0 && wd_owner != getpid()) {
		close(wd_fd);	/* a forked worker's: its parent's watchdog watches its parent */
		wd_fd = -1;
	}
	if (add)
		watchdog_start();
	if (wd_fd >= 0)
		while (write(wd_fd, &rec, sizeof(rec)) == -1 && errno == EINTR)
			;
}

/*
 * Can prog be executed, as posix_spawnp would look it up?  posix_spawnp reports
 * ENOENT itself on glibc >= 2.24, but not under every wrapper (valgrind turns a
 * failed exec into exit 127), and "could not start" must stay apart from "ran
 * and failed".  Returns 0 or an errno value.
 */
static int
executable(const char *prog)
{
	const char *path, *p, *end;
	char full[4096];
	int err = ENOENT;

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0 ? 0 : errno;
	if ((path = getenv("PATH")) == NULL || *path == '\0')
		path = "/bin:/usr/bin";
	for (p = path; ; p = end + 1) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		/* An empty PATH element means the current directory. */
		if (end == p)
			snprintf(full, sizeof(full), "./%s", prog);
		else
			snprintf(full, sizeof(full), "%.*s/%s", (int)(end - p), p, prog);
		if (access(full, X_OK) == 0)
			return 0;
		if (errno == EACCES)
			err = EACCES;
		if (*end == '\0')
			break;
	}
	return err;
}

/*
 * pidfd_open(2) where it can be used.  valgrind 3.19 does not know the system
 * call and says so on stderr, so under it (its preload library is in LD_PRELOAD)
 * the back-off is used instead.
 */
static int
use_pidfd(void)
{
	static int use = -1;
	const char *pre;

	if (use < 0) {
		pre = getenv("LD_PRELOAD");
		use = !(pre && strstr(pre, "vgpreload"));
	}
	return use;
}

int
run_start(struct child *c)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, defs;
	int po[2] = {-1, -1}, pe[2] = {-1, -1}, rc, i;
	char **env;
	pid_t pid;

	c->status = c->termsig = c->timed_out = c->overflow = c->interrupted = 0;
	c->spawn_errno = 0;
	c->done = 0;
	c->fd[0] = c->fd[1] = -1;
	c->pidfd = -1;
	c->pid = -1;
	c->backoff = 1;
	c->next_reap = 0;
	c->exited = 0;
	c->held = 0;
	buf_reset(&c->out);
	buf_reset(&c->err);
	buf_add(&c->out, "", 0);
	buf_add(&c->err, "", 0);
	c->start = now_mono();
	c->deadline = c->timeout > 0 ? c->start + c->timeout : 0;
	if ((c->spawn_errno = executable(c->argv[0])) != 0) {
		c->elapsed = 0;
		return -1;
	}
	if (!c->inherit && (pipe2(po, O_CLOEXEC) == -1 || pipe2(pe, O_CLOEXEC) == -1)) {
		c->spawn_errno = errno;
		for (i = 0; i < 2; i++) {
			if (po[i] >= 0)
				close(po[i]);
			if (pe[i] >= 0)
				close(pe[i]);
		}
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	if (c->in_fd > 0)
		posix_spawn_file_actions_adddup2(&fa, c->in_fd, 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!c->inherit) {
		posix_spawn_file_actions_adddup2(&fa, po[1], 1);
		posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	}
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&defs);
	sigaddset(&defs, SIGINT);
	sigaddset(&defs, SIGTERM);
	sigaddset(&defs, SIGHUP);
	sigaddset(&defs, SIGPIPE);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &defs);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	env = make_env(c);
	rc = posix_spawnp(&pid, c->argv[0], &fa, &at, (char *const *)c->argv, env);
	free(env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (!c->inherit) {
		close(po[1]);
		close(pe[1]);
	}
	if (rc != 0) {
		c->spawn_errno = rc;
		if (!c->inherit) {
			close(po[0]);
			close(pe[0]);
		}
		c->elapsed = now_mono() - c->start;
		return -1;
	}
	c->pid = pid;
	watchdog_tell(pid, c->finish ? 2 : 1);
	/*
	 * A pidfd becomes readable when the child exits, so reaping costs no
	 * guesswork; without one (an old kernel), run_advance backs off instead.
	 */
	c->pidfd = use_pidfd() ? pidfd_open(pid, 0) : -1;
	if (c->pidfd >= 0)
		fcntl(c->pidfd, F_SETFD, FD_CLOEXEC);
	if (!c->inherit) {
		fcntl(po[0], F_SETFL, O_NONBLOCK);
		fcntl(pe[0], F_SETFL, O_NONBLOCK);
		c->fd[0] = po[0];
		c->fd[1] = pe[0];
	}
	return 0;
}

int
run_pollfds(const struct child *c, struct pollfd *p)
{
	int i, n = 0;

	for (i = 0; i < 2; i++) {
		if (c->fd[i] < 0)
			continue;
		p[n].fd = c->fd[i];
		p[n].events = POLLIN;
		p[n].revents = 0;
		n++;
	}
	/* The child's own exit ends the call, whoever still holds its pipes. */
	if (c->pidfd >= 0 && !c->done) {
		p[n].fd = c->pidfd;
		p[n].events = POLLIN;
		p[n].revents = 0;
		n++;
	}
	return n;
}

double
run_wake(const struct child *c)
{
	double now = now_mono(), w = -1;

	if (c->done)
		return 0;
	/* Without a pidfd, the exit is noticed by looking now and then. */
	if (c->pidfd < 0)
		w = c->next_reap > now ? c->next_reap - now : 0;
	if (c->deadline > 0 && (w < 0 || c->deadline - now < w))
		w = c->deadline > now ? c->deadline - now : 0;
	return w;
}

static void
finish(struct child *c, int wstatus)
{
	int i;

	for (i = 0; i < 2; i++)
		if (c->fd[i] >= 0) {
			close(c->fd[i]);
			c->fd[i] = -1;
		}
	if (c->pidfd >= 0) {
		close(c->pidfd);
		c->pidfd = -1;
	}
	if (WIFEXITED(wstatus))
		c->status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus)) {
		c->termsig = WTERMSIG(wstatus);
		c->status = 128 + c->termsig;
	}
	c->elapsed = now_mono() - c->start;
	c->done = 1;
	watchdog_tell(c->pid, 0);
}

/*
 * Has the child exited?  It is left a zombie (WNOWAIT), so that its pid, which
 * is also its process group's id, cannot be reused before collect() is done.
 * Without a pidfd to wake us, the next look is backed off from 1 ms to 50 ms.
 */
static int
exited(struct child *c)
{
	siginfo_t si;

	if (c->exited)
		return 1;
	if (c->pidfd < 0 && now_mono() < c->next_reap)
		return 0;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
		c->exited = errno == ECHILD;
	else
		c->exited = si.si_pid == c->pid;
	if (!c->exited && c->pidfd < 0) {
		c->next_reap = now_mono() + c->backoff / 1000.0;
		if (c->backoff < 50)
			c->backoff *= 2;
	}
	return c->exited;
}

/*
 * The child exited: what it wrote is already in the pipes (at most a pipe's
 * capacity), so take that without waiting for an EOF that a grandchild may
 * hold back; then the rest of its group goes (no child outlives its call), and
 * the child is reaped.
 */
static void
collect(struct child *c)
{
	char rbuf[65536];
	size_t max = c->out_max ? c->out_max : OUT_MAX, left;
	int wstatus = 0, i, cap;
	ssize_t r;

	for (i = 0; i < 2; i++) {
		struct buf *b = i == 0 ? &c->out : &c->err;

		if (c->fd[i] < 0)
			continue;
		cap = fcntl(c->fd[i], F_GETPIPE_SZ);
		left = cap > 0 ? (size_t)cap : sizeof(rbuf);
		while (left > 0) {
			r = read(c->fd[i], rbuf, sizeof(rbuf) < left ? sizeof(rbuf) : left);
			if (r == -1 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			left -= (size_t)r;
			if (b->len + (size_t)r > max) {
				buf_add(b, rbuf, max - b->len);
				c->overflow = 1;
				break;
			}
			buf_add(b, rbuf, (size_t)r);
		}
	}
	kill(-c->pid, SIGKILL);
	while (waitpid(c->pid, &wstatus, 0) == -1 && errno == EINTR)
		;
	finish(c, wstatus);
}

int
run_advance(struct child *c, const struct pollfd *p, int n)
{
	char rbuf[65536];
	size_t max = c->out_max ? c->out_max : OUT_MAX;
	int wstatus = 0, i, j;
	ssize_t r;

	if (c->done)
		return 1;
	/* Drain what is ready: both streams, so that neither pipe fills. */
	for (j = 0; j < n; j++) {
		if (!(p[j].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		for (i = 0; i < 2; i++) {
			struct buf *b = i == 0 ? &c->out : &c->err;

			if (c->fd[i] != p[j].fd || c->fd[i] < 0)
				continue;
			r = read(c->fd[i], rbuf, sizeof(rbuf));
			if (r > 0) {
				if (b->len + (size_t)r > max) {
					buf_add(b, rbuf, max - b->len);
					c->overflow = 1;
				} else
					buf_add(b, rbuf, (size_t)r);
			} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(c->fd[i]);
				c->fd[i] = -1;
			}
		}
	}
	if (!c->overflow && !c->uninterruptible && run_signal && (!c->finish || run_signals > 1))
		c->interrupted = 1;
	else if (c->finish && !c->uninterruptible && run_signal && !c->held) {
		c->held = 1;
		if (run_on_hold)
			run_on_hold(c);
	}
	if (c->overflow || c->interrupted) {
		terminate(c->pid, &wstatus);
		finish(c, wstatus);
		return 1;
	}
	/*
	 * The child's own exit is final, before any deadline: a grandchild that
	 * still holds the pipes, or ackprof itself stopped (SIGSTOP) past the
	 * deadline while the child answered, must not turn an answer into a timeout.
	 */
	if (exited(c)) {
		collect(c);
		return 1;
	}
	if (c->deadline > 0 && now_mono() >= c->deadline) {
		c->timed_out = 1;
		terminate(c->pid, &wstatus);
		finish(c, wstatus);
		return 1;
	}
	return 0;
}

int
run_wait(struct child *c)
{
	struct pollfd p[RUN_MAXFDS];
	double wake;
	int n, ms;

	for (;;) {
		n = run_pollfds(c, p);
		wake = run_wake(c);
		/* Wake now and then to notice a signal that arrived outside poll(). */
		ms = wake < 0 || wake > 0.2 ? 200 : (int)(wake * 1000) + (wake > 0);
		if (poll(p, (nfds_t)n, ms) == -1 && errno != EINTR)
			n = 0;
		if (run_advance(c, p, n))
			return 0;
	}
}

int
run_capture(struct child *c)
{
	if (run_start(c) == -1)
		return -1;
	return run_wait(c);
}

void
child_free(struct child *c)
{
	buf_free(&c->out);
	buf_free(&c->err);
}
