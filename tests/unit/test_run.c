/* SPDX-License-Identifier: Apache-2.0 */
/* test_run.c: the spawner (run.c), driven through tests/unit/run-helper. */
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "unit.h"

#include "run.h"

static const char *helper;
static char tmpdir[] = "/tmp/ackprof-unit-run.XXXXXX";

#define HELPER(...) ((const char *const[]){ helper, __VA_ARGS__, NULL })

static int
setup_all(void **state)
{
	struct stat st;

	(void)state;
	helper = getenv("UNIT_HELPER");
	if (helper == NULL || *helper == '\0')
		helper = "./tests/unit/run-helper";
	if (stat(helper, &st) == -1) {
		fprintf(stderr, "test_run: no helper at %s (build tests/unit/run-helper, run from the top directory)\n",
		    helper);
		return -1;
	}
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return 0;
}

static int
teardown_all(void **state)
{
	char path[4096];
	DIR *d;
	struct dirent *e;

	(void)state;
	if ((d = opendir(tmpdir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(tmpdir);
	return 0;
}

static int
run(struct child *c, const char *const *argv)
{
	c->argv = argv;
	return run_capture(c);
}

static void
run_should_report_the_exit_code_and_keep_the_output(void **state)
{
	struct child c = {0};

	(void)state;
	assert_int_equal(run(&c, HELPER("exit", "7", "hello\n")), 0);
	assert_int_equal(c.status, 7);
	assert_int_equal(c.termsig, 0);
	assert_false(c.timed_out);
	assert_false(c.overflow);
	assert_false(c.interrupted);
	assert_int_equal(c.spawn_errno, 0);
	assert_string_equal(buf_str(&c.out), "hello\n");
	assert_int_equal(c.out.len, 6);
	assert_string_equal(buf_str(&c.err), "");
	assert_true(c.elapsed > 0 && c.elapsed < 5);
	/* The same struct can run again: the old output is dropped. */
	assert_int_equal(run(&c, HELPER("exit", "0")), 0);
	assert_int_equal(c.status, 0);
	assert_string_equal(buf_str(&c.out), "");
	child_free(&c);
}

static void
run_should_report_death_by_signal(void **state)
{
	struct child c = {0};

	(void)state;
	assert_int_equal(run(&c, HELPER("signal", "9")), 0);
	assert_int_equal(c.termsig, SIGKILL);
	assert_int_equal(c.status, 128 + SIGKILL);
	assert_int_equal(run(&c, HELPER("signal", "10")), 0);
	assert_int_equal(c.termsig, SIGUSR1);
	assert_int_equal(c.status, 128 + SIGUSR1);
	assert_false(c.timed_out);
	child_free(&c);
}

static void
run_should_kill_a_child_that_floods_stdout(void **state)
{
	struct child c = {0};
	size_t max = 1u << 20;

	(void)state;
	c.out_max = max;
	c.timeout = 10;
	assert_int_equal(run(&c, HELPER("flood", "52428800")), 0);
	assert_true(c.overflow);
	assert_false(c.timed_out);
	assert_int_equal(c.out.len, max);
	assert_true(c.out.cap <= 2 * max + 1);
	assert_true(c.termsig != 0);
	assert_true(c.status != 0);
	assert_true(c.elapsed < 5);
	assert_int_equal(strspn(c.out.p, "x"), max);
	child_free(&c);
}

static void
run_should_kill_a_child_that_floods_stderr(void **state)
{
	struct child c = {0};

	(void)state;
	c.out_max = 100000;
	assert_int_equal(run(&c, HELPER("flood", "10000000", "2")), 0);
	assert_true(c.overflow);
	assert_int_equal(c.err.len, 100000);
	assert_int_equal(c.out.len, 0);
	child_free(&c);
}

static void
run_should_drain_both_streams_without_deadlock(void **state)
{
	struct child c = {0};
	size_t n = 3u << 20, i;

	(void)state;
	c.timeout = 20;
	assert_int_equal(run(&c, HELPER("both", "3145728")), 0);
	assert_int_equal(c.status, 0);
	assert_false(c.overflow);
	assert_int_equal(c.out.len, n);
	assert_int_equal(c.err.len, n);
	for (i = 0; i < n; i += 4099)
		if (c.out.p[i] != 'a' + (char)(i % 26) || c.err.p[i] != 'a' + (char)(i % 26))
			fail_msg("byte %zu differs", i);
	child_free(&c);
}

/* A pid is gone when kill() says so or it is a zombie waiting for its new parent. */
static int
pid_gone(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	if (kill(pid, 0) == -1 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (p == NULL || (p = strrchr(buf, ')')) == NULL)
		return 1;
	return p[2] == 'Z' || p[2] == 'X';
}

static pid_t
read_pidfile(const char *path)
{
	FILE *f = fopen(path, "r");
	long pid = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return (pid_t)pid;
}

static void
wait_gone(pid_t pid)
{
	int i;

	for (i = 0; i < 200 && !pid_gone(pid); i++)
		usleep(10000);
	if (!pid_gone(pid)) {
		kill(pid, SIGKILL);
		fail_msg("grandchild %ld outlived the call", (long)pid);
	}
}

static void
run_should_kill_the_whole_group_at_the_deadline(void **state)
{
	struct child c = {0};
	char pidfile[4096];
	pid_t gc;

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "%s/grandchild.pid", tmpdir);
	c.timeout = 0.3;
	assert_int_equal(run(&c, HELPER("sleep", "30", pidfile)), 0);
	assert_true(c.timed_out);
	assert_false(c.overflow);
	assert_int_equal(c.termsig, SIGTERM);
	assert_int_equal(c.status, 128 + SIGTERM);
	assert_true(c.elapsed >= 0.25);
	assert_true(c.elapsed < 3);
	gc = read_pidfile(pidfile);
	assert_true(gc > 1);
	/* The grandchild ignored SIGTERM; it must be gone all the same. */
	wait_gone(gc);
	unlink(pidfile);
	child_free(&c);
}

static void
run_should_sigkill_a_child_that_ignores_sigterm(void **state)
{
	struct child c = {0};
	char pidfile[4096];
	pid_t gc;

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "%s/grandchild2.pid", tmpdir);
	c.timeout = 0.3;
	assert_int_equal(run(&c, HELPER("sleep", "30", pidfile, "ignore-term")), 0);
	assert_true(c.timed_out);
	assert_int_equal(c.termsig, SIGKILL);
	assert_true(c.elapsed >= 0.25);
	assert_true(c.elapsed < 5);
	gc = read_pidfile(pidfile);
	assert_true(gc > 1);
	wait_gone(gc);
	unlink(pidfile);
	child_free(&c);
}

static void
run_should_time_out_an_inheriting_child(void **state)
{
	struct child c = {0};

	(void)state;
	c.inherit = 1;
	c.timeout = 0.3;
	assert_int_equal(run(&c, HELPER("sleep", "30")), 0);
	assert_true(c.timed_out);
	assert_int_equal(c.termsig, SIGTERM);
	assert_true(c.elapsed < 3);
	c.timeout = 0;
	c.timed_out = 0;
	assert_int_equal(run(&c, HELPER("exit", "5")), 0);
	assert_int_equal(c.status, 5);
	assert_false(c.timed_out);
	child_free(&c);
}

static void
run_should_capture_stderr_alone(void **state)
{
	struct child c = {0};

	(void)state;
	assert_int_equal(run(&c, HELPER("stderr", "ERROR: something\n")), 0);
	assert_int_equal(c.status, 0);
	assert_string_equal(buf_str(&c.out), "");
	assert_string_equal(buf_str(&c.err), "ERROR: something\n");
	child_free(&c);
}

static void
run_should_wait_for_a_child_that_closes_stdout_early(void **state)
{
	struct child c = {0};

	(void)state;
	c.timeout = 5;
	assert_int_equal(run(&c, HELPER("close-stdout")), 0);
	assert_int_equal(c.status, 3);
	assert_false(c.timed_out);
	assert_string_equal(buf_str(&c.err), "after close\n");
	assert_true(c.elapsed >= 0.15);
	child_free(&c);
}

static void
run_should_report_a_missing_program(void **state)
{
	struct child c = {0};

	(void)state;
	assert_int_equal(run(&c, ((const char *const[]){ "/nonexistent/ackprof-no-such-program", NULL })), -1);
	assert_int_equal(c.spawn_errno, ENOENT);
	assert_int_equal(run(&c, ((const char *const[]){ "ackprof-no-such-program-on-path", NULL })), -1);
	assert_int_equal(c.spawn_errno, ENOENT);
	child_free(&c);
}

static void
run_should_report_a_program_that_is_not_executable(void **state)
{
	struct child c = {0};
	char path[4096];
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/not-executable", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\nexit 0\n", 17), 17);
	close(fd);
	if (geteuid() == 0 && access(path, X_OK) == 0)
		skip();	/* root on a filesystem that ignores modes */
	assert_int_equal(run(&c, ((const char *const[]){ path, NULL })), -1);
	assert_int_equal(c.spawn_errno, EACCES);
	unlink(path);
	child_free(&c);
}

static void
run_should_set_and_unset_environment_variables(void **state)
{
	struct child c = {0};
	const char *const set[] = { "NO_COLOR=1", NULL };
	const char *const unset[] = { "DEBUG", NULL };

	(void)state;
	setenv("NO_COLOR", "0", 1);
	setenv("DEBUG", "sdk", 1);
	setenv("DEBUGGER", "keep", 1);
	c.env_set = set;
	c.env_unset = unset;
	assert_int_equal(run(&c, HELPER("env")), 0);
	assert_string_equal(buf_str(&c.out), "NO_COLOR=1\nDEBUG=(unset)\nDEBUGGER=keep\ncount=1\n");
	/* Without the lists the child sees our environment as it is. */
	c.env_set = c.env_unset = NULL;
	assert_int_equal(run(&c, HELPER("env")), 0);
	assert_string_equal(buf_str(&c.out), "NO_COLOR=0\nDEBUG=sdk\nDEBUGGER=keep\ncount=1\n");
	unsetenv("NO_COLOR");
	unsetenv("DEBUG");
	unsetenv("DEBUGGER");
	c.env_set = set;
	assert_int_equal(run(&c, HELPER("env")), 0);
	assert_string_equal(buf_str(&c.out), "NO_COLOR=1\nDEBUG=(unset)\nDEBUGGER=(unset)\ncount=1\n");
	child_free(&c);
}

static void
run_should_give_the_child_dev_null_as_stdin(void **state)
{
	struct child c = {0};

	(void)state;
	c.timeout = 5;
	assert_int_equal(run(&c, HELPER("stdin")), 0);
	assert_false(c.timed_out);
	assert_string_equal(buf_str(&c.out), "stdin: 0 bytes, eof\n");
	child_free(&c);
}

static void
run_should_put_the_child_in_its_own_process_group(void **state)
{
	struct child c = {0};

	(void)state;
	assert_int_equal(run(&c, HELPER("pgrp")), 0);
	assert_string_equal(buf_str(&c.out), "leader=1\n");
	child_free(&c);
}

static void
run_should_reset_signal_dispositions_and_mask(void **state)
{
	struct child c = {0};
	struct sigaction old;
	sigset_t usr1, prev;

	(void)state;
	sigaction(SIGINT, NULL, &old);
	signal(SIGINT, SIG_IGN);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &prev);
	assert_int_equal(run(&c, HELPER("signals")), 0);
	sigprocmask(SIG_SETMASK, &prev, NULL);
	sigaction(SIGINT, &old, NULL);
	assert_string_equal(buf_str(&c.out), "sigint=default usr1_blocked=0\n");
	child_free(&c);
}

static void
raise_sigint(int sig)
{
	(void)sig;
	raise(SIGINT);
}

static void
run_should_stop_the_child_when_a_signal_arrives(void **state)
{
	struct child c = {0};
	struct itimerval it;
	struct sigaction sa, old;

	(void)state;
	run_install_signals();
	run_signal = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = raise_sigint;
	sigaction(SIGALRM, &sa, &old);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 200000;
	setitimer(ITIMER_REAL, &it, NULL);
	assert_int_equal(run(&c, HELPER("sleep", "30")), 0);
	sigaction(SIGALRM, &old, NULL);
	assert_int_equal(run_signal, SIGINT);
	assert_true(c.interrupted);
	assert_false(c.timed_out);
	assert_true(c.termsig != 0);
	assert_true(c.elapsed >= 0.15);
	assert_true(c.elapsed < 3);
	run_signal = 0;
	child_free(&c);
}

static void
run_should_ignore_run_signal_when_uninterruptible(void **state)
{
	struct child c = {0};

	(void)state;
	run_signal = SIGTERM;
	c.uninterruptible = 1;
	c.timeout = 5;
	assert_int_equal(run(&c, HELPER("sleep", "0.3")), 0);
	assert_false(c.interrupted);
	assert_int_equal(c.status, 0);
	assert_int_equal(c.termsig, 0);
	assert_true(c.elapsed >= 0.25);
	/* The same with the flag off: stopped at once. */
	c.uninterruptible = 0;
	assert_int_equal(run(&c, HELPER("sleep", "5")), 0);
	assert_true(c.interrupted);
	assert_true(c.elapsed < 3);
	run_signal = 0;
	child_free(&c);
}

/* Item 9 of issue 11: the child's exit is final, whoever holds its pipes. */
static void
run_should_end_when_the_child_exits_although_a_grandchild_holds_its_stdout(void **state)
{
	struct child c = {0};
	char pidfile[4096];
	pid_t gc;

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "%s/bg.pid", tmpdir);
	c.timeout = 3;
	assert_int_equal(run(&c, HELPER("bg", "30", pidfile, "answer\n")), 0);
	assert_false(c.timed_out);
	assert_int_equal(c.status, 0);
	assert_int_equal(c.termsig, 0);
	assert_string_equal(buf_str(&c.out), "answer\n");
	assert_true(c.elapsed < 1.5);
	/* The sleeper that held the pipe does not outlive the call either. */
	gc = read_pidfile(pidfile);
	assert_true(gc > 1);
	wait_gone(gc);
	unlink(pidfile);
	child_free(&c);
}

/*
 * ackprof stopped (SIGSTOP) past the deadline while its child answered: when it
 * runs again, the exit is what counts, not the time that went by.
 */
static void
run_should_not_time_out_a_child_that_exited_while_we_were_stopped(void **state)
{
	struct child c = {0};

	(void)state;
	c.argv = HELPER("exit", "0", "done\n");
	c.timeout = 0.2;
	assert_int_equal(run_start(&c), 0);
	usleep(600000);		/* as if stopped: no poll, no read, past the deadline */
	assert_int_equal(run_wait(&c), 0);
	assert_false(c.timed_out);
	assert_int_equal(c.status, 0);
	assert_string_equal(buf_str(&c.out), "done\n");
	child_free(&c);
}

/* Item 7: children die with ackprof, even when it is killed with SIGKILL. */
static void
run_should_kill_its_children_when_ackprof_dies(void **state)
{
	char pidfile[4096];
	int p[2], st;
	pid_t ackprof, kid = 0, gc;

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "%s/orphan.pid", tmpdir);
	assert_int_equal(pipe(p), 0);
	ackprof = fork();
	assert_true(ackprof >= 0);
	if (ackprof == 0) {
		struct child c = {0};

		close(p[0]);
		c.argv = HELPER("sleep", "30", pidfile);
		if (run_start(&c) == -1)
			_exit(1);
		(void)!write(p[1], &c.pid, sizeof(c.pid));
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &kid, sizeof(kid)), (ssize_t)sizeof(kid));
	close(p[0]);
	while (read_pidfile(pidfile) <= 1)
		usleep(10000);
	gc = read_pidfile(pidfile);
	assert_int_equal(kill(ackprof, SIGKILL), 0);
	assert_int_equal(waitpid(ackprof, &st, 0), ackprof);
	wait_gone(kid);
	wait_gone(gc);
	unlink(pidfile);
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
run_should_not_leak_descriptors(void **state)
{
	struct child c = {0};
	int before, i;

	(void)state;
	before = count_fds();
	for (i = 0; i < 10; i++) {
		run(&c, HELPER("exit", "1", "x"));
		run(&c, ((const char *const[]){ "/nonexistent/ackprof-no-such-program", NULL }));
		c.timeout = 0.05;
		run(&c, HELPER("sleep", "5"));
		c.timeout = 0;
	}
	c.out_max = 1000;
	run(&c, HELPER("flood", "100000"));
	assert_int_equal(count_fds(), before);
	child_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(run_should_report_the_exit_code_and_keep_the_output),
		cmocka_unit_test(run_should_report_death_by_signal),
		cmocka_unit_test(run_should_kill_a_child_that_floods_stdout),
		cmocka_unit_test(run_should_kill_a_child_that_floods_stderr),
		cmocka_unit_test(run_should_drain_both_streams_without_deadlock),
		cmocka_unit_test(run_should_kill_the_whole_group_at_the_deadline),
		cmocka_unit_test(run_should_sigkill_a_child_that_ignores_sigterm),
		cmocka_unit_test(run_should_time_out_an_inheriting_child),
		cmocka_unit_test(run_should_capture_stderr_alone),
		cmocka_unit_test(run_should_wait_for_a_child_that_closes_stdout_early),
		cmocka_unit_test(run_should_report_a_missing_program),
		cmocka_unit_test(run_should_report_a_program_that_is_not_executable),
		cmocka_unit_test(run_should_set_and_unset_environment_variables),
		cmocka_unit_test(run_should_give_the_child_dev_null_as_stdin),
		cmocka_unit_test(run_should_put_the_child_in_its_own_process_group),
		cmocka_unit_test(run_should_reset_signal_dispositions_and_mask),
		cmocka_unit_test(run_should_stop_the_child_when_a_signal_arrives),
		cmocka_unit_test(run_should_ignore_run_signal_when_uninterruptible),
		cmocka_unit_test(run_should_end_when_the_child_exits_although_a_grandchild_holds_its_stdout),
		cmocka_unit_test(run_should_not_time_out_a_child_that_exited_while_we_were_stopped),
		cmocka_unit_test(run_should_kill_its_children_when_ackprof_dies),
		cmocka_unit_test(run_should_not_leak_descriptors),
	};

	return cmocka_run_group_tests_name("run", tests, setup_all, teardown_all);
}
