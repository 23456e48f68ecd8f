/*
 * run.c: the only module that starts processes.  Each child gets its own process
 * group, /dev/null for stdin, the default signal dispositions, and a deadline;
 * stdout and stderr are drained together in one poll() loop so that neither pipe
 * can fill and stall the child.  On a deadline, an interrupt or an overflow the
 * whole group gets SIGTERM, then SIGKILL after a short grace.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

extern char **environ;

volatile sig_atomic_t run_signal;

#define GRACE	1.0		/* seconds between SIGTERM and SIGKILL */
#define OUT_MAX	(16u << 20)

static void
on_signal(int sig)
{
	/* Only record it: the workflow notices, unwinds and cleans up. */
	if (run_signal == 0)
		run_signal = sig;
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

int
run_capture(struct child *c)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, defs;
	int po[2] = {-1, -1}, pe[2] = {-1, -1};
	struct pollfd pfd[2];
	char **env, rbuf[65536];
	size_t max = c->out_max ? c->out_max : OUT_MAX;
	double start = now_mono(), deadline = 0;
	int wstatus = 0, rc, open_fds, killed = 0, reaped = 0, i, backoff = 1;
	pid_t pid;
	ssize_t n;

	c->status = c->termsig = c->timed_out = c->overflow = c->interrupted = 0;
	c->spawn_errno = 0;
	buf_reset(&c->out);
	buf_reset(&c->err);
	buf_add(&c->out, "", 0);
	buf_add(&c->err, "", 0);
	if ((c->spawn_errno = executable(c->argv[0])) != 0) {
		c->elapsed = 0;
		return -1;
	}

	if (!c->inherit && (pipe2(po, O_CLOEXEC) == -1 || pipe2(pe, O_CLOEXEC) == -1)) {
		c->spawn_errno = errno;
		goto fail_pipes;
	}
	posix_spawn_file_actions_init(&fa);
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
		goto fail;
	}

	if (c->timeout > 0)
		deadline = start + c->timeout;
	if (c->inherit) {
		po[0] = pe[0] = -1;
		open_fds = 0;
	} else {
		fcntl(po[0], F_SETFL, O_NONBLOCK);
		fcntl(pe[0], F_SETFL, O_NONBLOCK);
		open_fds = 2;
	}
	pfd[0].fd = po[0];
	pfd[1].fd = pe[0];
	pfd[0].events = pfd[1].events = POLLIN;

	/* Drain both pipes until EOF; then reap.  With nothing captured, poll the pid. */
	while (!killed) {
		int ms = -1;

		if (!c->uninterruptible && run_signal) {
			c->interrupted = 1;
			break;
		}
		if (open_fds == 0) {
			rc = waitpid(pid, &wstatus, WNOHANG);
			if (rc == pid) {
				reaped = 1;
				break;
			}
			/*
			 * Both pipes closed: the child is exiting, or lives on without
			 * them.  Back off from 1 ms so that the usual case costs nothing.
			 */
			ms = backoff;
			if (backoff < 50)
				backoff *= 2;
		}
		if (deadline > 0) {
			double left = deadline - now_mono();

			if (left <= 0) {
				c->timed_out = 1;
				break;
			}
			if (ms < 0 || left * 1000 < ms)
				ms = (int)(left * 1000) + 1;
		}
		/* Wake now and then to notice a signal that arrived outside poll(). */
		if (ms < 0 || ms > 200)
			ms = 200;
		rc = poll(pfd, 2, ms);
		if (rc == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			struct buf *b = i == 0 ? &c->out : &c->err;

			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(pfd[i].fd, rbuf, sizeof(rbuf));
			if (n > 0) {
				if (b->len + (size_t)n > max) {
					buf_add(b, rbuf, max - b->len);
					c->overflow = 1;
					killed = 1;
					break;
				}
				buf_add(b, rbuf, (size_t)n);
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
			}
		}
	}
	if (c->timed_out || c->interrupted || c->overflow) {
		terminate(pid, &wstatus);
	} else if (!reaped) {
		while (waitpid(pid, &wstatus, 0) == -1 && errno == EINTR)
			;
	}
	for (i = 0; i < 2; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	if (WIFEXITED(wstatus))
		c->status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus)) {
		c->termsig = WTERMSIG(wstatus);
		c->status = 128 + c->termsig;
	}
	c->elapsed = now_mono() - start;
	return 0;

fail:
	if (!c->inherit) {
		close(po[0]);
		close(pe[0]);
	}
	c->elapsed = now_mono() - start;
	return -1;
fail_pipes:
	for (i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	return -1;
}

void
child_free(struct child *c)
{
	buf_free(&c->out);
	buf_free(&c->err);
}
