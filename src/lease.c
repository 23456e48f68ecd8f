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
 * line is "pid starttime token": the holder keeps an flock on aimode.holder.TOKEN
 * (created O_EXCL, 0600) for as long as it holds the lease, and the kernel drops
 * that lock when it dies, however it dies.  A line is believed while its lock is
 * held, which holds across PID namespaces (a container sharing ~/.aliyun, where a
 * pid means nothing); so a holder that died (even by SIGKILL) or a forged line is
 * dropped.  Only a line with no lock to consult (an older ackprof's, a filesystem
 * without flock) falls back to its pid: believed for a live pid whose start time
 * matches.  Enable and disable run while the lock is held, so one run can never
 * switch ai-mode off between another's enable and its last call.
 */
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aliyun.h"
#include "lease.h"
#include "msg.h"
#include "run.h"
#include "util.h"

#define MAXHOLDERS 4096
#define HOLDER_PREFIX "aimode.holder."

/* A line of the holders file; token "" on an older ackprof's line (pid only). */
struct holder {
	long			 pid;
	unsigned long long	 start;
	char			 token[LEASE_TOKEN_LEN + 1];
};

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

/* The fallback: a live pid with the very start time its line names. */
static int
pid_alive(long pid, unsigned long long start)
{
	if (pid <= 0 || start == 0)
		return 0;
	if (kill((pid_t)pid, 0) == -1 && errno == ESRCH)
		return 0;
	return proc_start(pid) == start;
}

static int	our_file(int);

/*
 * Is the flock on aimode.holder.TOKEN held (by its holder, alive)?  1 or 0; a file
 * that is missing, a link or not ours is no holder.  -1 when the lock cannot tell
 * (no flock on this filesystem).
 */
static int
lock_held(int dfd, const char *token)
{
	char name[64];
	int fd, held;

	snprintf(name, sizeof(name), HOLDER_PREFIX "%s", token);
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1)
		return errno == ENOENT || errno == ELOOP ? 0 : -1;
	if (our_file(fd) == -1) {
		close(fd);
		return 0;
	}
	if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		held = 0;	/* nobody holds it: its holder is gone */
	else
		held = errno == EWOULDBLOCK ? 1 : -1;
	close(fd);
	return held;
}

/* A holder is alive while it holds its lock; without a lock to ask, by its pid. */
static int
holder_alive(int dfd, const struct holder *h)
{
	int held = h->token[0] ? lock_held(dfd, h->token) : -1;

	return held >= 0 ? held : pid_alive(h->pid, h->start);
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

/* Is h the holder `skip` names: by its token, or by pid (and start, any when 0) without one. */
static int
same_holder(const struct holder *h, const struct holder *skip)
{
	if (h->token[0] || skip->token[0])
		return strcmp(h->token, skip->token) == 0;
	return h->pid == skip->pid && (skip->start == 0 || h->start == skip->start);
}

/* A holders line: "pid start token", or an older "pid start"; 0, or -1 when no line. */
static int
parse_holder(const char *line, struct holder *h)
{
	char tok[LEASE_TOKEN_LEN + 2];
	int k;

	memset(h, 0, sizeof(*h));
	k = sscanf(line, "%ld %llu %17s", &h->pid, &h->start, tok);
	if (k < 2)
		return -1;
	if (k == 3 && strlen(tok) == LEASE_TOKEN_LEN
	    && strspn(tok, "0123456789abcdef") == LEASE_TOKEN_LEN)
		memcpy(h->token, tok, sizeof(h->token));
	return 0;
}

/*
 * Read the live holders other than `skip` (none when NULL) into *hsp, malloc'd with
 * one free slot beyond them (the caller frees it, whatever the result); returns how
 * many, or -1.  *listed (when given) tells whether `skip` had a line, alive or not.
 * The array grows with the file: a fixed one of MAXHOLDERS (160 KB) cost every run
 * about 40 page faults and an munmap, twice (issue 25).
 */
static int
read_holders(int dfd, const struct holder *skip, int *listed, struct holder **hsp)
{
	int fd = openat(dfd, "aimode.holders", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char line[256];
	int n = 0, cap = 8;
	struct holder *hs;
	FILE *f;

	*hsp = hs = xcalloc((size_t)cap + 1, sizeof(*hs));
	if (listed)
		*listed = 0;
	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	if (our_file(fd) == -1 || (f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return -1;
	}
	while (n < MAXHOLDERS && fgets(line, sizeof(line), f) != NULL) {
		if (n == cap) {
			cap *= 2;
			*hsp = hs = xrealloc(hs, ((size_t)cap + 1) * sizeof(*hs));
			memset(hs + n, 0, ((size_t)cap + 1 - n) * sizeof(*hs));
		}
		if (parse_holder(line, &hs[n]) == -1)
			continue;
		if (skip && same_holder(&hs[n], skip)) {
			if (listed)
				*listed = 1;
			continue;
		}
		if (holder_alive(dfd, &hs[n]))
			n++;
	}
	fclose(f);
	return n;
}

/* Remove the lock files of holders gone (killed between creating and listing, too). */
static void
sweep_holder_files(int dfd)
{
	size_t plen = strlen(HOLDER_PREFIX);
	const char *tok;
	struct dirent *e;
	DIR *d;
	int fd;

	if ((fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		tok = e->d_name + plen;
		if (strncmp(e->d_name, HOLDER_PREFIX, plen) != 0 || strlen(tok) != LEASE_TOKEN_LEN
		    || strspn(tok, "0123456789abcdef") != LEASE_TOKEN_LEN)
			continue;
		if (lock_held(dfd, tok) == 0)
			(void)unlinkat(dfd, e->d_name, 0);
	}
	closedir(d);
}

static int
write_holders(int dfd, const struct holder *hs, int n)
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
		fprintf(f, "%ld %llu%s%s\n", hs[i].pid, hs[i].start, hs[i].token[0] ? " " : "",
		    hs[i].token);
	if (fclose(f) != 0 || renameat(dfd, tmp, dfd, "aimode.holders") == -1) {
		e = errno;
		unlinkat(dfd, tmp, 0);
		errno = e;
		rc = -1;
	}
	sweep_holder_files(dfd);
	return rc;
}

/* A fresh token: random; should entropy not be ready (early boot), O_EXCL still keeps it unique. */
static void
new_token(struct holder *h, int tries)
{
	unsigned char r[LEASE_TOKEN_LEN / 2];
	unsigned long long x;
	size_t i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		x = ((unsigned long long)h->pid << 32) ^ h->start
		    ^ (unsigned long long)time(NULL) * 2654435761u ^ (unsigned long long)tries;
		for (i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)(x >> (8 * i));
	}
	for (i = 0; i < sizeof(r); i++)
		snprintf(h->token + 2 * i, 3, "%02x", r[i]);
}

/*
 * Become a holder: create aimode.holder.TOKEN (O_EXCL, 0600) and keep an flock on
 * it.  Returns its descriptor with h->token set, or -1 (errno set) with h->token ""
 * (then the line falls back to the pid: say a filesystem without flock).
 */
static int
holder_create(int dfd, struct holder *h)
{
	char name[64];
	int fd = -1, tries, e;

	for (tries = 0; tries < 4; tries++) {
		new_token(h, tries);
		snprintf(name, sizeof(name), HOLDER_PREFIX "%s", h->token);
		fd = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	e = errno;
	if (fd >= 0) {
		close(fd);
		(void)unlinkat(dfd, name, 0);
	}
	h->token[0] = '\0';
	errno = e;
	return -1;
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
	struct cli	 cli;
	char		 config_path[PATH_MAX], path[PATH_MAX];
	struct holder	 self;
} orphan;

static void
orphan_cleanup(void *arg)
{
	(void)arg;
	(void)lease_reap(&orphan.cli, orphan.self.pid, orphan.self.start, orphan.self.token);
}

static void
arm_orphan_cleanup(const struct cli *cli, const struct holder *self)
{
	memset(&orphan, 0, sizeof(orphan));
	orphan.cli.timeout = cli->timeout;
	snprintf(orphan.path, sizeof(orphan.path), "%s", cli->path ? cli->path : "aliyun");
	orphan.cli.path = orphan.path;
	if (cli->config_path) {
		snprintf(orphan.config_path, sizeof(orphan.config_path), "%s", cli->config_path);
		orphan.cli.config_path = orphan.config_path;
	}
	orphan.self = *self;
	if (run_on_orphan(orphan_cleanup, NULL) == -1)
		verbosef("the watchdog started before the ai-mode lease; after a SIGKILL the next run switches ai-mode off");
}

int
lease_reap(struct cli *cli, long pid, unsigned long long start, const char *token)
{
	struct lease l;
	struct holder dead, *hs;
	int fd, dfd, n, listed = 0, rc = -1;

	memset(&l, 0, sizeof(l));
	memset(&dead, 0, sizeof(dead));
	dead.pid = pid;
	dead.start = start;
	snprintf(dead.token, sizeof(dead.token), "%s", token ? token : "");
	if (lease_paths(&l, cli) == -1)
		return 78;
	if ((fd = lock_open(&l, &dfd)) == -1) {
		lease_free(&l);
		return 78;
	}
	n = read_holders(dfd, pid > 0 || dead.token[0] ? &dead : NULL, &listed, &hs);
	if (n == 0 && (listed || (pid <= 0 && !dead.token[0])))
		rc = aimode_call(cli, CALL_AIMODE_DISABLE, 1, 0);
	if (n >= 0 && listed)
		(void)write_holders(dfd, hs, n);
	free(hs);
	close(fd);
	close(dfd);
	lease_free(&l);
	return rc;
}

int
lease_holders(struct cli *cli)
{
	struct lease l;
	struct holder *hs;
	int dfd, n;

	memset(&l, 0, sizeof(l));
	if (lease_paths(&l, cli) == -1)
		return -1;
	/* Only look: no directory or lock file is created, and no lock is kept. */
	dfd = open(l.dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	lease_free(&l);
	if (dfd == -1)
		return errno == ENOENT ? 0 : -1;
	n = read_holders(dfd, NULL, NULL, &hs);
	free(hs);
	close(dfd);
	return n;
}

/* Let go of our holder lock file (under the lease lock when dfd >= 0). */
static void
holder_drop(struct lease *l, int dfd)
{
	char name[64];

	if (!l->token[0])
		return;
	snprintf(name, sizeof(name), HOLDER_PREFIX "%s", l->token);
	if (dfd >= 0)
		(void)unlinkat(dfd, name, 0);
	close(l->holder_fd);
	l->token[0] = '\0';
}

int
lease_acquire(struct lease *l, struct cli *cli)
{
	struct holder *hs, self;
	int fd, dfd, n, rc;

	memset(l, 0, sizeof(*l));
	if (cli->dry_run)
		return 0;
	if (lease_paths(l, cli) == -1)
		return 78;
	if ((fd = lock_open(l, &dfd)) == -1)
		return 78;
	/* A line of our own pid with no token is a stale one of ours (or a reused pid). */
	memset(&self, 0, sizeof(self));
	self.pid = (long)getpid();
	if ((n = read_holders(dfd, &self, NULL, &hs)) == -1) {
		errorf("cannot read the ai-mode lease %s: %s (it must be a regular file of yours; remove it and run again)",
		    l->holderspath, strerror(errno));
		rc = 78;
		goto out;
	}
	self.start = proc_start(self.pid);
	if ((l->holder_fd = holder_create(dfd, &self)) == -1)
		verbosef("no lock file for the ai-mode lease (%s); its holders are told apart by pid", strerror(errno));
	memcpy(l->token, self.token, sizeof(l->token));
	hs[n] = self;
	/* Before we are listed: killed right after, the watchdog is there to drop us. */
	arm_orphan_cleanup(cli, &self);
	if (write_holders(dfd, hs, n + 1) == -1) {
		errorf("cannot write the ai-mode lease %s: %s", l->holderspath, strerror(errno));
		holder_drop(l, dfd);
		rc = 78;
		goto out;
	}
	l->held = 1;
	l->began = 1;
	if (n)
		verbosef("ai-mode lease shared with %d other run%s", n, n == 1 ? "" : "s");
	rc = aimode_call(cli, CALL_AIMODE_ENABLE, 0, 0);
	l->enabled = rc == 0;
	/* The calls are let finish (aimode_call): a signal that came meanwhile counts now. */
	if (rc == 0 && run_signal)
		rc = 128 + run_signal;
	if (rc == 0)
		rc = aimode_call(cli, CALL_AIMODE_UA, 0, 0);
	if (rc == 0 && run_signal)
		rc = 128 + run_signal;
out:
	free(hs);
	close(fd);
	close(dfd);
	return rc;
}

int
lease_release(struct lease *l, struct cli *cli)
{
	struct holder *hs, self;
	int fd, dfd, n, rc = 0;

	if (!l->began)
		return 0;
	l->began = 0;
	if ((fd = lock_open(l, &dfd)) == -1) {
		holder_drop(l, -1);
		/* No lease to consult: err on the side of leaving nothing switched on. */
		return aimode_call(cli, CALL_AIMODE_DISABLE, 1, !l->enabled);
	}
	memset(&self, 0, sizeof(self));
	self.pid = (long)getpid();
	memcpy(self.token, l->token, sizeof(self.token));
	if ((n = read_holders(dfd, &self, NULL, &hs)) == -1) {
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
	if (write_holders(dfd, hs, n) == -1)
		warnf("cannot update the ai-mode lease %s: %s", l->holderspath, strerror(errno));
	holder_drop(l, dfd);
	l->held = 0;
	l->others = n;
	free(hs);
	close(fd);
	close(dfd);
	return rc;
}

void
lease_free(struct lease *l)
{
	holder_drop(l, -1);
	free(l->dir);
	free(l->lockpath);
	free(l->holderspath);
	l->dir = l->lockpath = l->holderspath = NULL;
}
