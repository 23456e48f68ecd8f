/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rusage: run one command and print, on one line of key=value pairs, what it cost.
 *
 *   rusage [-x] [-o FILE] -- COMMAND [ARG...]
 *
 * The command inherits stdin, stdout and stderr; the line goes to FILE (appended)
 * or to stderr.  Fields:
 *
 *   rc         exit status (128+N for a signal)
 *   wall_us    spawn to exit (CLOCK_MONOTONIC)
 *   tree_us    user+sys of the command and of every descendant it reaped: the
 *              rusage wait4() returns for the command (Linux: RUSAGE_BOTH of it)
 *   tree_user_us, tree_sys_us   the same, split
 *   self_us    the command's own on-CPU time, not its children's: the scheduler's
 *              sum_exec_runtime (/proc/PID/schedstat, ns) read while the command is
 *              a zombie (waitid WNOWAIT), i.e. after its last instruction and
 *              before we reap it.  Single-threaded commands only (the leader's).
 *   kids_us    tree_us - self_us: what its children cost
 *   self_minflt  the command's own minor page faults (/proc/PID/stat, same moment)
 *   tree_minflt  minor page faults of the command and its reaped descendants
 *   tree_maxrss_kb  ru_maxrss from wait4: the largest of the command and its
 *              reaped descendants (Linux takes the max, not the sum)
 *   self_hwm_kb  with -x only: VmHWM of the command itself, read at its
 *              PTRACE_EVENT_EXIT stop (the address space still exists then);
 *              -1 without -x.  -x makes every signal the command receives (one
 *              SIGCHLD per child) a ptrace stop, so wall time under -x is slightly
 *              inflated: use it for memory, not for time.
 *   nvcsw, nivcsw   voluntary / involuntary context switches of the tree
 *   self_nvcsw  the command's own voluntary context switches (each time it slept)
 *   self_rqwait_us  time the command itself was runnable but waiting for a CPU
 */
#define _GNU_SOURCE
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long
tv_us(struct timeval tv)
{
	return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* sum_exec_runtime and run-queue wait in ns, or -1. */
static long long
schedstat_ns(pid_t pid, long long *rqwait)
{
	char path[64];
	long long ns = -1;
	FILE *f;

	*rqwait = -1;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fscanf(f, "%lld %lld", &ns, rqwait) != 2)
		ns = -1;
	fclose(f);
	return ns;
}

/* minflt (field 10) of /proc/PID/stat: the command's own minor page faults, or -1. */
static long long
stat_minflt(pid_t pid)
{
	char path[64], buf[4096], *p;
	unsigned long long v;
	size_t n;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The comm field may hold spaces: count fields after the last ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	p++;
	/* p is at the space before field 3 (state); move to the space before field 10 */
	for (i = 3; i < 10 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", &v) != 1)
		return -1;
	return (long long)v;
}

static long
status_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static void
usage(void)
{
	fputs("usage: rusage [-x] [-o FILE] -- COMMAND [ARG...]\n", stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *out = NULL;
	int trace = 0, opt, st = 0, rc;
	long hwm = -1;
	long long self_ns, minflt, tree, rqwait;
	long vcs;
	struct rusage ru;
	siginfo_t si;
	double t0, t1;
	pid_t pid;
	FILE *o;

	while ((opt = getopt(argc, argv, "+xo:")) != -1) {
		if (opt == 'x')
			trace = 1;
		else if (opt == 'o')
			out = optarg;
		else
			usage();
	}
	if (optind >= argc)
		usage();
	argv += optind;

	t0 = mono();
	if (trace) {
		pid = fork();
		if (pid == -1) {
			perror("rusage: fork");
			return 1;
		}
		if (pid == 0) {
			if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == -1)
				_exit(126);
			execvp(argv[0], argv);
			_exit(127);
		}
		/* The exec stop (SIGTRAP): set the options, then let it run. */
		if (waitpid(pid, &st, 0) == -1 || !WIFSTOPPED(st)) {
			fputs("rusage: -x: ptrace is not permitted here\n", stderr);
			return 3;
		}
		ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL));
		ptrace(PTRACE_CONT, pid, NULL, NULL);
		for (;;) {
			if (waitpid(pid, &st, 0) == -1) {
				if (errno == EINTR)
					continue;
				perror("rusage: waitpid");
				return 1;
			}
			if (!WIFSTOPPED(st))
				break;		/* reaped already: should not happen */
			if ((st >> 8) == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
				hwm = status_kb(pid, "VmHWM");
				ptrace(PTRACE_CONT, pid, NULL, NULL);
				break;
			}
			/* A signal-delivery stop: deliver it. */
			ptrace(PTRACE_CONT, pid, NULL, (void *)(long)WSTOPSIG(st));
		}
	} else {
		rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
		if (rc != 0) {
			fprintf(stderr, "rusage: %s: %s\n", argv[0], strerror(rc));
			return 127;
		}
	}
	/* Wait for the zombie without reaping it, so that /proc still shows it. */
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == -1)
		if (errno != EINTR) {
			perror("rusage: waitid");
			return 1;
		}
	t1 = mono();
	self_ns = schedstat_ns(pid, &rqwait);
	vcs = status_kb(pid, "voluntary_ctxt_switches");
	minflt = stat_minflt(pid);
	while (wait4(pid, &st, 0, &ru) == -1)
		if (errno != EINTR) {
			perror("rusage: wait4");
			return 1;
		}
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	tree = tv_us(ru.ru_utime) + tv_us(ru.ru_stime);
	/* rusage truncates to us, schedstat is ns: keep a 1 us rounding off kids_us */
	if (self_ns >= 0 && (self_ns + 500) / 1000 > tree)
		self_ns = tree * 1000;
	o = out ? fopen(out, "a") : stderr;
	if (o == NULL) {
		perror(out);
		return 1;
	}
	fprintf(o, "rc=%d wall_us=%lld tree_us=%lld tree_user_us=%lld tree_sys_us=%lld "
	    "self_us=%lld kids_us=%lld self_minflt=%lld tree_minflt=%ld tree_maxrss_kb=%ld "
	    "self_hwm_kb=%ld nvcsw=%ld nivcsw=%ld self_nvcsw=%ld self_rqwait_us=%lld\n",
	    rc, (long long)((t1 - t0) * 1e6 + 0.5), tree, tv_us(ru.ru_utime), tv_us(ru.ru_stime),
	    self_ns < 0 ? -1 : (self_ns + 500) / 1000,
	    self_ns < 0 ? -1 : tree - (self_ns + 500) / 1000, minflt, ru.ru_minflt,
	    ru.ru_maxrss, hwm, ru.ru_nvcsw, ru.ru_nivcsw, vcs, rqwait < 0 ? -1 : rqwait / 1000);
	if (out)
		fclose(o);
	return 0;
}
