/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run-helper.c: the child that test_run drives through run_capture(), the way git's
 * t/helper/test-run-command.c is driven.  One mode per behaviour of a child:
 *
 *	exit N [TEXT]		print TEXT on stdout, exit N
 *	signal N		die by signal N
 *	flood BYTES [1|2]	write BYTES of 'x' to stdout (or stderr), exit 0
 *	both BYTES		write BYTES of a known pattern to stdout and to stderr,
 *				interleaved, exit 0
 *	sleep SECS [PIDFILE [ignore-term]]
 *				fork a grandchild that ignores SIGTERM and sleeps, write
 *				its pid to PIDFILE; sleep; with ignore-term, ignore SIGTERM too
 *	bg SECS PIDFILE TEXT	leave a grandchild sleeping SECS with our stdout and
 *				stderr (its pid in PIDFILE), print TEXT, exit 0 at once
 *	stderr TEXT		write TEXT to stderr only
 *	close-stdout		close stdout, then write to stderr and exit 3
 *	env			print NO_COLOR, DEBUG, DEBUGGER and how often NO_COLOR occurs
 *	stdin			read stdin, print how many bytes came before EOF
 *	pgrp			print whether the helper leads its own process group
 *	signals			print the disposition of SIGINT and whether SIGUSR1 is blocked
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void
nap(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write pid to path, atomically (the test polls for the file). */
static int
write_pidfile(const char *path, pid_t pid)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(f, "%ld\n", (long)pid);
	if (fclose(f) != 0 || rename(tmp, path) == -1)
		return -1;
	return 0;
}

static const char *
show(const char *name)
{
	const char *v = getenv(name);

	return v ? v : "(unset)";
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	char buf[65536];

	if (strcmp(mode, "exit") == 0 && argc > 2) {
		if (argc > 3)
			printf("%s", argv[3]);
		return atoi(argv[2]);
	}
	if (strcmp(mode, "signal") == 0 && argc > 2) {
		int sig = atoi(argv[2]);

		signal(sig, SIG_DFL);
		raise(sig);
		nap(5);
		return 99;
	}
	if (strcmp(mode, "flood") == 0 && argc > 2) {
		long long left = atoll(argv[2]);
		int fd = argc > 3 ? atoi(argv[3]) : 1;
		size_t n;

		memset(buf, 'x', sizeof(buf));
		while (left > 0) {
			n = left < (long long)sizeof(buf) ? (size_t)left : sizeof(buf);
			if (write_all(fd, buf, n) == -1)
				return 98;
			left -= (long long)n;
		}
		return 0;
	}
	if (strcmp(mode, "both") == 0 && argc > 2) {
		long long left = atoll(argv[2]), off = 0;
		size_t n, i;

		while (left > 0) {
			n = left < 4096 ? (size_t)left : 4096;
			for (i = 0; i < n; i++)
				buf[i] = (char)('a' + (off + (long long)i) % 26);
			if (write_all(1, buf, n) == -1 || write_all(2, buf, n) == -1)
				return 98;
			left -= (long long)n;
			off += (long long)n;
		}
		return 0;
	}
	if (strcmp(mode, "sleep") == 0 && argc > 2) {
		double secs = atof(argv[2]);

		if (argc > 3) {
			pid_t pid = fork();

			if (pid == -1)
				return 97;
			if (pid == 0) {
				signal(SIGTERM, SIG_IGN);
				nap(secs);
				_exit(0);
			}
			if (write_pidfile(argv[3], pid) == -1)
				return 96;
			if (argc > 4 && strcmp(argv[4], "ignore-term") == 0)
				signal(SIGTERM, SIG_IGN);
		}
		nap(secs);
		return 0;
	}
	if (strcmp(mode, "bg") == 0 && argc > 4) {
		pid_t pid = fork();

		if (pid == -1)
			return 97;
		if (pid == 0) {
			nap(atof(argv[2]));
			_exit(0);
		}
		if (write_pidfile(argv[3], pid) == -1)
			return 96;
		printf("%s", argv[4]);
		return 0;
	}
	if (strcmp(mode, "stderr") == 0 && argc > 2) {
		fprintf(stderr, "%s", argv[2]);
		return 0;
	}
	if (strcmp(mode, "close-stdout") == 0) {
		close(1);
		nap(0.2);
		fprintf(stderr, "after close\n");
		return 3;
	}
	if (strcmp(mode, "env") == 0) {
		int i, n = 0;

		for (i = 0; environ[i]; i++)
			n += strncmp(environ[i], "NO_COLOR=", 9) == 0;
		printf("NO_COLOR=%s\nDEBUG=%s\nDEBUGGER=%s\ncount=%d\n", show("NO_COLOR"),
		    show("DEBUG"), show("DEBUGGER"), n);
		return 0;
	}
	if (strcmp(mode, "stdin") == 0) {
		ssize_t n;
		long total = 0;

		alarm(3);	/* a stdin that never ends must not hang the test */
		while ((n = read(0, buf, sizeof(buf))) > 0)
			total += n;
		printf("stdin: %ld bytes, %s\n", total, n == 0 ? "eof" : "error");
		return 0;
	}
	if (strcmp(mode, "pgrp") == 0) {
		printf("leader=%d\n", getpgrp() == getpid());
		return 0;
	}
	if (strcmp(mode, "signals") == 0) {
		struct sigaction sa;
		sigset_t cur;

		sigaction(SIGINT, NULL, &sa);
		sigprocmask(SIG_BLOCK, NULL, &cur);
		printf("sigint=%s usr1_blocked=%d\n",
		    sa.sa_handler == SIG_IGN ? "ignored" : sa.sa_handler == SIG_DFL ? "default" : "other",
		    sigismember(&cur, SIGUSR1));
		return 0;
	}
	fprintf(stderr, "run-helper: unknown mode '%s'\n", mode);
	return 100;
}
