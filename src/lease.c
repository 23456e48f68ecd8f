/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lease.c: the ai-mode lease.  It lives in the CLI config directory it protects
 * (the one whose ai-mode.json `aliyun configure ai-mode` switches: the directory
 * of --config-path, else $HOME/.aliyun), made canonical, in a subdirectory
 * ackprof/ of mode 0700: aimode.lock and aimode.holders.  So every run against one
 * config directory meets there, whatever its environment (a desktop's
 * XDG_RUNTIME_DIR or a cron job's bare one, HOME=/x or HOME=/x/), and nothing in
 * it is reachable by another user: the directory must be ours and writable by no
 * one else (else 78), every file is opened O_NOFOLLOW and checked to be a regular
 * file of ours, and the temporary holders file is created O_EXCL.  Each holder
 * line is "pid starttime"; a line is believed only for a live pid whose start time
 * matches, so a holder that died (even by SIGKILL), a reused pid or a forged line
 * ("1 0") is dropped.  Enable and disable run while the lock is held, so one run
 * can never switch ai-mode off between another's enable and its last call.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aliyun.h"
#include "lease.h"
#include "msg.h"
#include "run.h"
#include "util.h"

#define MAXHOLDERS 4096

/* The start time of a process in clock ticks since boot, or 0 when it is gone. */
static unsigned long long
proc_start(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long long st = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		return 0;
	}
	fclose(f);
	/* Field 22; the command name (field 2) may hold spaces, so start after its ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return 0;
	p++;
	for (i = 3; i <= 22 && p; i++) {
		while (*p == ' ')
			p++;
		if (i == 22) {
			st = strtoull(p, NULL, 10);
			break;
		}
		p = strchr(p, ' ');
	}
	return st ? st : 1;
}

/* A holder line is believed only for a live pid with the very start time it names. */
static int
holder_alive(long pid, unsigned long long start)
{
	if (pid <= 0 || start == 0)
		return 0;
	if (kill((pid_t)pid, 0) == -1 && errno == ESRCH)
		return 0;
	return proc_start(pid) == start;
}

/* A file of the lease: a regular file of ours, or refused. */
static int
our_file(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/*
 * Read the live holders other than `skip`; returns how many, or -1.  *listed
 * (when given) tells whether a line named `skip` with start time skip_start (any,
 * when 0), alive or not.
 */
static int
read_holders(int dfd, long skip, unsigned long long skip_start, int *listed, long *pids,
    unsigned long long *starts)
{
	int fd = openat(dfd, "aimode.holders", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	long pid;
	unsigned long long st;
	int n = 0;
	FILE *f;

	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	if (our_file(fd) == -1 || (f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return -1;
	}
	if (listed)
		*listed = 0;
	while (n < MAXHOLDERS && fscanf(f, "%ld %llu", &pid, &st) == 2) {
		if (listed && pid == skip && (skip_start == 0 || st == skip_start))
			*listed = 1;
		if (pid == skip || !holder_alive(pid, st))
			continue;
		pids[n] = pid;
		starts[n] = st;
		n++;
	}
	fclose(f);
	return n;
}

static int
write_holders(int dfd, const long *pids, const unsigned long long *starts, int n)
{
	char tmp[64];
	int fd, i, rc = 0, e;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "aimode.holders.tmp.%ld", (long)getpid());
	/* Never through a name someone left there: a stale one is removed, not followed. */
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1 && errno == EEXIST && unlinkat(dfd, tmp, 0) == 0)
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	if ((f = fdopen(fd, "w")) == NULL) {
		e = errno;
		close(fd);
		unlinkat(dfd, tmp, 0);
		errno = e;
		return -1;
	}
	for (i = 0; i < n; i++)
		fprintf(f, "%ld %llu\n", pids[i], starts[i]);
	if (fclose(f) != 0 || renameat(dfd, tmp, dfd, "aimode.holders") == -1) {
		e = errno;
		unlinkat(dfd, tmp, 0);
		errno = e;
		rc = -1;
	}
	return rc;
}

char *
lease_config_dir(const char *config_path)
{
	const char *home = getenv("HOME");
	char real[PATH_MAX], *cfg, *slash;
	struct passwd *pw;

	if (config_path && *config_path) {
		/* --config-path names the config file; ai-mode.json sits beside it. */
		cfg = xstrdup(config_path);
		if ((slash = strrchr(cfg, '/')) == NULL) {
			free(cfg);
			cfg = xstrdup(".");
		} else if (slash == cfg)
			slash[1] = '\0';
		else
			*slash = '\0';
	} else {
		if (home == NULL || *home == '\0') {
			if ((pw = getpwuid(geteuid())) == NULL || pw->pw_dir == NULL || !*pw->pw_dir) {
				errno = ENOENT;
				return NULL;
			}
			home = pw->pw_dir;
		}
		if (realpath(home, real) == NULL)
			return NULL;
		cfg = xasprintf("%s%s.aliyun", real, strcmp(real, "/") == 0 ? "" : "/");
	}
	/* The CLI creates its directory on first use; so do we, for nobody else. */
	if (mkdir(cfg, 0700) == -1 && errno != EEXIST) {
		free(cfg);
		return NULL;
	}
	if (realpath(cfg, real) == NULL) {
		free(cfg);
		return NULL;
	}
	free(cfg);
	return xstrdup(real);
}

/*
 * Open the lease directory, creating it 0700; it must be ours and writable by no
 * one else.  Returns a directory descriptor, or -1 with the line printed.
 */
static int
lease_dir_open(struct lease *l)
{
	struct stat st;
	int fd;

	if (mkdir(l->dir, 0700) == -1 && errno != EEXIST) {
		errorf("cannot create the ai-mode lease directory %s: %s (check the CLI config directory's owner and mode)",
		    l->dir, strerror(errno));
		return -1;
	}
	fd = open(l->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		errorf("cannot open the ai-mode lease directory %s: %s (it must be a directory of yours, not a link; remove it and run again)",
		    l->dir, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		errorf("cannot read the ai-mode lease directory %s: %s", l->dir, strerror(errno));
		close(fd);
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		errorf("refusing the ai-mode lease directory %s: owned by uid %ld, mode %03o; it must be yours and writable by no one else (remove it, or chown and chmod 700 it)",
		    l->dir, (long)st.st_uid, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	return fd;
}

static int
lease_paths(struct lease *l, struct cli *cli)
{
	char *cfg = lease_config_dir(cli->config_path);

	if (cfg == NULL) {
		errorf("cannot find the aliyun CLI's config directory ($HOME/.aliyun): %s (set HOME to your home directory)",
		    strerror(errno));
		return -1;
	}
	l->dir = xasprintf("%s/ackprof", cfg);
	l->lockpath = xasprintf("%s/aimode.lock", l->dir);
	l->holderspath = xasprintf("%s/aimode.holders", l->dir);
	free(cfg);
	return 0;
}

/* Open the lease directory and take its lock; -1 with the line printed. */
static int
lock_open(struct lease *l, int *dfd)
{
	int fd;

	if ((*dfd = lease_dir_open(l)) == -1)
		return -1;
	fd = openat(*dfd, "aimode.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1 || our_file(fd) == -1) {
		errorf("cannot open the ai-mode lease %s: %s (it must be a regular file of yours; remove it and run again)",
		    l->lockpath, strerror(errno));
		if (fd != -1)
			close(fd);
		close(*dfd);
		return -1;
	}
	/* Interrupted by a signal: still take the lock, cleanup must not be skipped. */
	while (flock(fd, LOCK_EX) == -1) {
		if (errno != EINTR) {
			errorf("cannot lock %s: %s", l->lockpath, strerror(errno));
			close(fd);
			close(*dfd);
			return -1;
		}
	}
	return fd;
}

/* Run an ai-mode call; returns the exit code for the workflow (0 when fine). */
static int
aimode_call(struct cli *cli, enum call k, int cleanup, int quiet)
{
	struct child c = {0};
	struct cli_error e;
	int rc = 0;

	c.uninterruptible = cleanup;
	if (cli_run(cli, k, NULL, NULL, &c) == -1) {
		/* At cleanup, the failure to start was already reported by step 1. */
		if (!cleanup)
			errorf("%s: cannot run %s: %s (install the Alibaba Cloud CLI >= %s or pass --aliyun PATH)",
		    cli_step_name(k), cli->path, strerror(c.spawn_errno), MIN_CLI_VERSION);
		rc = 78;
	} else if (c.interrupted) {
		rc = 128 + run_signal;
	} else if (c.timed_out && k == CALL_AIMODE_DISABLE && !quiet) {
		errorf("%s: aliyun gave no answer within %gs and was stopped; ai-mode may still be on (run `aliyun configure ai-mode disable`)",
		    cli_step_name(k), cli->timeout);
		rc = 69;
	} else if (c.timed_out) {
		errorf("%s: aliyun timed out after %gs (check the CLI and the network; raise --cli-timeout)",
		    cli_step_name(k), cli->timeout);
		rc = 69;
	} else if (!cleanup && (rc = cli_report_broken_config(cli_step_name(k), &c)) != 0) {
		;
	} else if (c.status != 0 && quiet) {
		rc = 69;	/* step 1 failed already and said why */
	} else if (c.status != 0) {
		cli_parse_error(buf_str(&c.err), buf_str(&c.out), &e);
		if (c.status == 2)
			errorf("%s: this aliyun does not know 'configure ai-mode': %s (upgrade the CLI to >= %s)",
			    cli_step_name(k), e.message, MIN_CLI_VERSION);
		else if (k == CALL_AIMODE_DISABLE)
			errorf("%s failed (exit %d): %s; ai-mode may still be on (run `aliyun configure ai-mode disable`)",
			    cli_step_name(k), c.status, e.message[0] ? e.message : "no message");
		else
			errorf("%s failed (exit %d): %s (check `aliyun configure ai-mode show` and ~/.aliyun)",
			    cli_step_name(k), c.status, e.message[0] ? e.message : "no message");
		rc = c.status == 2 ? 78 : 69;
	}
	child_free(&c);
	return rc;
}

/*
 * Cleanup after a SIGKILL.  What the watchdog (run.c) needs to run lease_reap for
 * this process once it is gone, armed before this process starts its first child
 * (the watchdog is forked then, with a copy of this): static, so that it outlives
 * the caller's frames.
 */
static struct {
	struct cli		 cli;
	char			 config_path[PATH_MAX], path[PATH_MAX];
	long			 pid;
	unsigned long long	 start;
} orphan;

static void
orphan_cleanup(void *arg)
{
	(void)arg;
	(void)lease_reap(&orphan.cli, orphan.pid, orphan.start);
}

static void
arm_orphan_cleanup(const struct cli *cli, long pid, unsigned long long start)
{
	memset(&orphan, 0, sizeof(orphan));
	orphan.cli.timeout = cli->timeout;
	snprintf(orphan.path, sizeof(orphan.path), "%s", cli->path ? cli->path : "aliyun");
	orphan.cli.path = orphan.path;
	if (cli->config_path) {
		snprintf(orphan.config_path, sizeof(orphan.config_path), "%s", cli->config_path);
		orphan.cli.config_path = orphan.config_path;
	}
	orphan.pid = pid;
	orphan.start = start;
	if (run_on_orphan(orphan_cleanup, NULL) == -1)
		verbosef("the watchdog started before the ai-mode lease; after a SIGKILL the next run switches ai-mode off");
}

int
lease_reap(struct cli *cli, long pid, unsigned long long start)
{
	struct lease l;
	long *pids;
	unsigned long long *starts;
	int fd, dfd, n, listed = 0, rc = -1;

	memset(&l, 0, sizeof(l));
	if (lease_paths(&l, cli) == -1)
		return 78;
	if ((fd = lock_open(&l, &dfd)) == -1) {
		lease_free(&l);
		return 78;
	}
	pids = xcalloc(MAXHOLDERS + 1, sizeof(*pids));
	starts = xcalloc(MAXHOLDERS + 1, sizeof(*starts));
	n = read_holders(dfd, pid, start, &listed, pids, starts);
	if (n == 0 && (listed || pid <= 0))
		rc = aimode_call(cli, CALL_AIMODE_DISABLE, 1, 0);
	if (n >= 0 && listed)
		(void)write_holders(dfd, pids, starts, n);
	free(pids);
	free(starts);
	close(fd);
	close(dfd);
	lease_free(&l);
	return rc;
}

int
lease_holders(struct cli *cli)
{
	struct lease l;
	long *pids;
	unsigned long long *starts;
	int dfd, n;

	memset(&l, 0, sizeof(l));
	if (lease_paths(&l, cli) == -1)
		return -1;
	/* Only look: no directory or lock file is created, and no lock is taken. */
	dfd = open(l.dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	lease_free(&l);
	if (dfd == -1)
		return errno == ENOENT ? 0 : -1;
	pids = xcalloc(MAXHOLDERS + 1, sizeof(*pids));
	starts = xcalloc(MAXHOLDERS + 1, sizeof(*starts));
	n = read_holders(dfd, 0, 0, NULL, pids, starts);
	free(pids);
	free(starts);
	close(dfd);
	return n;
}

int
lease_acquire(struct lease *l, struct cli *cli)
{
	long *pids;
	unsigned long long *starts;
	int fd, dfd, n, rc;

	memset(l, 0, sizeof(*l));
	if (cli->dry_run)
		return 0;
	if (lease_paths(l, cli) == -1)
		return 78;
	if ((fd = lock_open(l, &dfd)) == -1)
		return 78;
	pids = xcalloc(MAXHOLDERS + 1, sizeof(*pids));
	starts = xcalloc(MAXHOLDERS + 1, sizeof(*starts));
	if ((n = read_holders(dfd, (long)getpid(), 0, NULL, pids, starts)) == -1) {
		errorf("cannot read the ai-mode lease %s: %s (it must be a regular file of yours; remove it and run again)",
		    l->holderspath, strerror(errno));
		rc = 78;
		goto out;
	}
	pids[n] = (long)getpid();
	starts[n] = proc_start((long)getpid());
	/* Before we are listed: killed right after, the watchdog is there to drop us. */
	arm_orphan_cleanup(cli, pids[n], starts[n]);
	if (write_holders(dfd, pids, starts, n + 1) == -1) {
		errorf("cannot write the ai-mode lease %s: %s", l->holderspath, strerror(errno));
		rc = 78;
		goto out;
	}
	l->held = 1;
	l->began = 1;
	if (n)
		verbosef("ai-mode lease shared with %d other run%s", n, n == 1 ? "" : "s");
	rc = aimode_call(cli, CALL_AIMODE_ENABLE, 0, 0);
	l->enabled = rc == 0;
	if (rc == 0)
		rc = aimode_call(cli, CALL_AIMODE_UA, 0, 0);
out:
	free(pids);
	free(starts);
	close(fd);
	close(dfd);
	return rc;
}

int
lease_release(struct lease *l, struct cli *cli)
{
	long *pids;
	unsigned long long *starts;
	int fd, dfd, n, rc = 0;

	if (!l->began)
		return 0;
	l->began = 0;
	if ((fd = lock_open(l, &dfd)) == -1) {
		/* No lease to consult: err on the side of leaving nothing switched on. */
		return aimode_call(cli, CALL_AIMODE_DISABLE, 1, !l->enabled);
	}
	pids = xcalloc(MAXHOLDERS + 1, sizeof(*pids));
	starts = xcalloc(MAXHOLDERS + 1, sizeof(*starts));
	if ((n = read_holders(dfd, (long)getpid(), 0, NULL, pids, starts)) == -1) {
		warnf("cannot read the ai-mode lease %s: %s", l->holderspath, strerror(errno));
		n = 0;
	}
	/*
	 * Disable first, then leave the holders file: killed in between, we are still
	 * listed and our watchdog (lease_reap) runs the disable again.
	 */
	if (n == 0)
		rc = aimode_call(cli, CALL_AIMODE_DISABLE, 1, !l->enabled);
	else
		verbosef("ai-mode left on: %d other ackprof run%s still hold%s it", n,
		    n == 1 ? "" : "s", n == 1 ? "s" : "");
	if (write_holders(dfd, pids, starts, n) == -1)
		warnf("cannot update the ai-mode lease %s: %s", l->holderspath, strerror(errno));
	l->held = 0;
	l->others = n;
	free(pids);
	free(starts);
	close(fd);
	close(dfd);
	return rc;
}

void
lease_free(struct lease *l)
{
	free(l->dir);
	free(l->lockpath);
	free(l->holderspath);
	l->dir = l->lockpath = l->holderspath = NULL;
}
