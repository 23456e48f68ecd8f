/*
 * lease.c: the ai-mode lease.  State lives under $XDG_RUNTIME_DIR/ackprof (else
 * $XDG_STATE_HOME/ackprof, else ~/.local/state/ackprof), one lock file and one
 * holders file per CLI config directory.  Each holder line is "pid starttime", so
 * a holder that died (even by SIGKILL) or whose pid was reused is noticed and
 * dropped.  Enable and disable run while the lock is held, so one run can never
 * switch ai-mode off between another's enable and its last call.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
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

static int
mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (mkdir(p, 0700) == -1 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

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

static int
holder_alive(long pid, unsigned long long start)
{
	if (pid <= 0)
		return 0;
	if (kill((pid_t)pid, 0) == -1 && errno == ESRCH)
		return 0;
	return start == 0 || proc_start(pid) == start;
}

/* Read the live holders other than `skip`; returns how many. */
static int
read_holders(const char *path, long skip, long *pids, unsigned long long *starts)
{
	FILE *f = fopen(path, "r");
	long pid;
	unsigned long long st;
	int n = 0;

	if (f == NULL)
		return 0;
	while (n < MAXHOLDERS && fscanf(f, "%ld %llu", &pid, &st) == 2) {
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
write_holders(const char *path, const long *pids, const unsigned long long *starts, int n)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	int i, rc = 0;

	if (f == NULL) {
		free(tmp);
		return -1;
	}
	for (i = 0; i < n; i++)
		fprintf(f, "%ld %llu\n", pids[i], starts[i]);
	if (fclose(f) != 0 || rename(tmp, path) == -1)
		rc = -1;
	free(tmp);
	return rc;
}

/* FNV-1a of the config directory, so each CLI config gets its own lease. */
static unsigned long
hash(const char *s)
{
	unsigned long h = 2166136261UL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619UL;
	return h & 0xffffffffUL;
}

static int
lease_paths(struct lease *l)
{
	const char *rt = getenv("XDG_RUNTIME_DIR"), *st = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char *dir, *cfg;

	if (rt && *rt == '/' && access(rt, W_OK) == 0)
		dir = xasprintf("%s/ackprof", rt);
	else if (st && *st == '/')
		dir = xasprintf("%s/ackprof", st);
	else
		dir = xasprintf("%s/.local/state/ackprof", home && *home ? home : "/tmp");
	if (mkdirs(dir) == -1) {
		errorf("cannot create %s: %s (set XDG_RUNTIME_DIR or XDG_STATE_HOME to a writable directory)",
		    dir, strerror(errno));
		free(dir);
		return -1;
	}
	/* The CLI keeps ai-mode.json in ~/.aliyun (it has no env var for another dir). */
	cfg = xasprintf("%s/.aliyun", home && *home ? home : "");
	l->lockpath = xasprintf("%s/aimode-%08lx.lock", dir, hash(cfg));
	l->holderspath = xasprintf("%s/aimode-%08lx.holders", dir, hash(cfg));
	free(cfg);
	free(dir);
	return 0;
}

static int
lock_open(struct lease *l)
{
	int fd = open(l->lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd == -1) {
		errorf("cannot open the ai-mode lease %s: %s", l->lockpath, strerror(errno));
		return -1;
	}
	/* Interrupted by a signal: still take the lock, cleanup must not be skipped. */
	while (flock(fd, LOCK_EX) == -1) {
		if (errno != EINTR) {
			errorf("cannot lock %s: %s", l->lockpath, strerror(errno));
			close(fd);
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
		else
			errorf("%s failed (exit %d): %s (check `aliyun configure ai-mode show` and ~/.aliyun)",
			    cli_step_name(k), c.status, e.message[0] ? e.message : "no message");
		rc = c.status == 2 ? 78 : 69;
	}
	child_free(&c);
	return rc;
}

int
lease_acquire(struct lease *l, struct cli *cli)
{
	long *pids;
	unsigned long long *starts;
	int fd, n, rc;

	memset(l, 0, sizeof(*l));
	if (cli->dry_run)
		return 0;
	if (lease_paths(l) == -1)
		return 78;
	if ((fd = lock_open(l)) == -1)
		return 78;
	pids = xcalloc(MAXHOLDERS + 1, sizeof(*pids));
	starts = xcalloc(MAXHOLDERS + 1, sizeof(*starts));
	n = read_holders(l->holderspath, (long)getpid(), pids, starts);
	pids[n] = (long)getpid();
	starts[n] = proc_start((long)getpid());
	if (write_holders(l->holderspath, pids, starts, n + 1) == -1) {
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
	return rc;
}

void
lease_release(struct lease *l, struct cli *cli)
{
	long *pids;
	unsigned long long *starts;
	int fd, n;

	if (!l->began)
		return;
	l->began = 0;
	if ((fd = lock_open(l)) == -1) {
		/* No lease to consult: err on the side of leaving nothing switched on. */
		(void)aimode_call(cli, CALL_AIMODE_DISABLE, 1, !l->enabled);
		return;
	}
	pids = xcalloc(MAXHOLDERS + 1, sizeof(*pids));
	starts = xcalloc(MAXHOLDERS + 1, sizeof(*starts));
	n = read_holders(l->holderspath, (long)getpid(), pids, starts);
	if (write_holders(l->holderspath, pids, starts, n) == -1)
		warnf("cannot update the ai-mode lease %s: %s", l->holderspath, strerror(errno));
	l->held = 0;
	l->others = n;
	if (n == 0)
		(void)aimode_call(cli, CALL_AIMODE_DISABLE, 1, !l->enabled);
	else
		verbosef("ai-mode left on: %d other ackprof run%s still hold%s it", n,
		    n == 1 ? "" : "s", n == 1 ? "s" : "");
	free(pids);
	free(starts);
	close(fd);
}

void
lease_free(struct lease *l)
{
	free(l->lockpath);
	free(l->holderspath);
	l->lockpath = l->holderspath = NULL;
}
