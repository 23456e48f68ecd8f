/* test_lease.c: the ai-mode lease (lease.c), with a fake `aliyun` that logs its argv. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "unit.h"

#include "aliyun.h"
#include "lease.h"
#include "msg.h"
#include "redact.h"

static char dir[] = "/tmp/ackprof-unit-lease.XXXXXX";
static char logpath[1024], fake[1024], failing[1024], runtime[1024], home[1024];

static void
write_script(const char *path, const char *body)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
}

static int
setup_all(void **state)
{
	char body[8192];

	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(logpath, sizeof(logpath), "%s/calls.log", dir);
	snprintf(fake, sizeof(fake), "%s/aliyun", dir);
	snprintf(failing, sizeof(failing), "%s/aliyun-failing", dir);
	snprintf(runtime, sizeof(runtime), "%s/run", dir);
	snprintf(home, sizeof(home), "%s/home", dir);
	if (mkdir(runtime, 0700) == -1 || mkdir(home, 0700) == -1)
		return -1;
	snprintf(body, sizeof(body), "echo \"$*\" >> '%s'\nexit 0\n", logpath);
	write_script(fake, body);
	snprintf(body, sizeof(body),
	    "echo \"$*\" >> '%s'\n"
	    "if [ \"$3\" = enable ]; then echo 'ERROR: boom' >&2; exit 1; fi\nexit 0\n", logpath);
	write_script(failing, body);
	setenv("HOME", home, 1);
	setenv("XDG_RUNTIME_DIR", runtime, 1);
	unsetenv("XDG_STATE_HOME");
	msg_quiet = 1;
	return 0;
}

static void
rm_tree(const char *path)
{
	char sub[4096];
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &st) == -1)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_tree(sub);
		}
		closedir(d);
		rmdir(path);
	} else
		unlink(path);
}

static int
teardown_all(void **state)
{
	(void)state;
	rm_tree(dir);
	redact_free_patterns();
	return 0;
}

/* Each test starts with an empty log and no holders. */
static int
setup_each(void **state)
{
	char p[4096];

	(void)state;
	unlink(logpath);
	snprintf(p, sizeof(p), "%s/ackprof", runtime);
	rm_tree(p);
	return 0;
}

static struct cli
fake_cli(const char *path)
{
	struct cli c;

	memset(&c, 0, sizeof(c));
	c.path = path;
	c.timeout = 10;
	return c;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b = {0};
	char chunk[4096];
	size_t n;

	buf_add(&b, "", 0);
	if (f == NULL)
		return b.p;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return b.p;
}

static int
count_lines(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);
	int k = 0;

	while (*p) {
		if (strncmp(p, line, n) == 0 && p[n] == '\n')
			k++;
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return k;
}

static const char *
last_line(const char *text)
{
	static char line[512];
	size_t n = strlen(text);
	const char *p;

	if (n == 0)
		return "";
	p = text + n - 1;	/* the final '\n' */
	while (p > text && p[-1] != '\n')
		p--;
	snprintf(line, sizeof(line), "%.*s", (int)(text + n - 1 - p), p);
	return line;
}

#define ENABLE	"configure ai-mode enable"
#define SETUA	"configure ai-mode set-user-agent --user-agent " SKILL_UA
#define DISABLE	"configure ai-mode disable"

static void
lease_should_enable_then_disable_for_a_single_holder(void **state)
{
	struct cli cli = fake_cli(fake);
	struct lease l;
	char *log, prefix[4096];

	(void)state;
	assert_int_equal(lease_acquire(&l, &cli), 0);
	assert_true(l.held);
	assert_true(l.began);
	snprintf(prefix, sizeof(prefix), "%s/ackprof/", runtime);
	assert_int_equal(strncmp(l.lockpath, prefix, strlen(prefix)), 0);
	log = slurp(logpath);
	assert_string_equal(log, ENABLE "\n" SETUA "\n");
	free(log);
	lease_release(&l, &cli);
	assert_false(l.held);
	assert_int_equal(l.others, 0);
	log = slurp(logpath);
	assert_string_equal(log, ENABLE "\n" SETUA "\n" DISABLE "\n");
	free(log);
	/* A second release changes nothing. */
	lease_release(&l, &cli);
	log = slurp(logpath);
	assert_int_equal(count_lines(log, DISABLE), 1);
	free(log);
	lease_free(&l);
}

static void
lease_should_leave_ai_mode_on_while_another_run_holds_it(void **state)
{
	struct cli cli = fake_cli(fake);
	struct lease l;
	int up[2], go[2], st;
	char c, *log;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The other run: take the lease, say so, wait, leave. */
		struct lease o;

		close(up[0]);
		close(go[1]);
		if (lease_acquire(&o, &cli) != 0)
			_exit(100);
		(void)!write(up[1], "1", 1);
		if (read(go[0], &c, 1) != 1)
			_exit(101);
		lease_release(&o, &cli);
		_exit(o.others);
	}
	close(up[1]);
	close(go[0]);
	assert_int_equal(read(up[0], &c, 1), 1);
	assert_int_equal(lease_acquire(&l, &cli), 0);
	lease_release(&l, &cli);
	assert_int_equal(l.others, 1);
	log = slurp(logpath);
	assert_int_equal(count_lines(log, ENABLE), 2);
	assert_int_equal(count_lines(log, DISABLE), 0);
	free(log);
	/* Now the other run leaves: it is the last, so it switches ai-mode off. */
	assert_int_equal(write(go[1], "1", 1), 1);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	log = slurp(logpath);
	assert_int_equal(count_lines(log, DISABLE), 1);
	assert_string_equal(last_line(log), DISABLE);
	free(log);
	close(up[0]);
	close(go[1]);
	lease_free(&l);
}

static pid_t
dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static void
append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
lease_should_drop_a_holder_that_died(void **state)
{
	struct cli cli = fake_cli(fake);
	struct lease l;
	char line[64], *log, *holders;

	(void)state;
	assert_int_equal(lease_acquire(&l, &cli), 0);
	/* A run that was SIGKILLed: its line stays, its pid is gone. */
	snprintf(line, sizeof(line), "%ld 12345\n", (long)dead_pid());
	append(l.holderspath, line);
	lease_release(&l, &cli);
	assert_int_equal(l.others, 0);
	log = slurp(logpath);
	assert_int_equal(count_lines(log, DISABLE), 1);
	free(log);
	holders = slurp(l.holderspath);
	assert_string_equal(holders, "");
	free(holders);
	lease_free(&l);
}

static void
lease_should_drop_a_holder_whose_pid_was_reused(void **state)
{
	struct cli cli = fake_cli(fake);
	struct lease l;
	char line[64], *log;

	(void)state;
	assert_int_equal(lease_acquire(&l, &cli), 0);
	/* A live pid (our parent) with a start time that is not its own. */
	snprintf(line, sizeof(line), "%ld 4242424242424\n", (long)getppid());
	append(l.holderspath, line);
	lease_release(&l, &cli);
	assert_int_equal(l.others, 0);
	log = slurp(logpath);
	assert_int_equal(count_lines(log, DISABLE), 1);
	free(log);
	lease_free(&l);
}

static void
lease_should_forget_stale_holders_when_taken(void **state)
{
	struct cli cli = fake_cli(fake);
	struct lease l;
	char line[64], own[64], *holders;
	long pid;
	unsigned long long st;

	(void)state;
	assert_int_equal(lease_acquire(&l, &cli), 0);
	lease_release(&l, &cli);
	snprintf(line, sizeof(line), "%ld 777\n", (long)dead_pid());
	append(l.holderspath, line);
	lease_free(&l);
	assert_int_equal(lease_acquire(&l, &cli), 0);
	holders = slurp(l.holderspath);
	assert_int_equal(sscanf(holders, "%ld %llu", &pid, &st), 2);
	assert_int_equal(pid, (long)getpid());
	snprintf(own, sizeof(own), "%ld %llu\n", pid, st);
	assert_string_equal(holders, own);
	free(holders);
	lease_release(&l, &cli);
	lease_free(&l);
}

static void
lease_should_do_nothing_in_dry_run(void **state)
{
	struct cli cli = fake_cli(fake);
	struct lease l;
	struct stat sb;

	(void)state;
	cli.dry_run = 1;
	assert_int_equal(lease_acquire(&l, &cli), 0);
	assert_false(l.began);
	lease_release(&l, &cli);
	assert_int_equal(stat(logpath, &sb), -1);
	lease_free(&l);
}

static void
lease_should_owe_cleanup_when_enable_fails(void **state)
{
	struct cli cli = fake_cli(failing);
	struct lease l;
	char *log;

	(void)state;
	assert_int_equal(lease_acquire(&l, &cli), 69);
	assert_true(l.began);
	log = slurp(logpath);
	assert_string_equal(log, ENABLE "\n");
	free(log);
	lease_release(&l, &cli);
	log = slurp(logpath);
	assert_string_equal(log, ENABLE "\n" DISABLE "\n");
	free(log);
	lease_free(&l);
}

static void
lease_should_report_a_missing_cli_and_release_cleanly(void **state)
{
	char missing[1024], *holders;
	struct cli cli;
	struct lease l;

	(void)state;
	snprintf(missing, sizeof(missing), "%s/no-such-aliyun", dir);
	cli = fake_cli(missing);
	assert_int_equal(lease_acquire(&l, &cli), 78);
	assert_true(l.began);
	lease_release(&l, &cli);
	holders = slurp(l.holderspath);
	assert_string_equal(holders, "");
	free(holders);
	lease_free(&l);
}

static void
lease_should_fall_back_to_xdg_state_home(void **state)
{
	struct cli cli = fake_cli(fake);
	struct lease l;
	char statehome[1024], prefix[4096];

	(void)state;
	snprintf(statehome, sizeof(statehome), "%s/state", dir);
	unsetenv("XDG_RUNTIME_DIR");
	setenv("XDG_STATE_HOME", statehome, 1);
	assert_int_equal(lease_acquire(&l, &cli), 0);
	snprintf(prefix, sizeof(prefix), "%s/ackprof/", statehome);
	assert_int_equal(strncmp(l.lockpath, prefix, strlen(prefix)), 0);
	assert_int_equal(strncmp(l.holderspath, prefix, strlen(prefix)), 0);
	lease_release(&l, &cli);
	lease_free(&l);
	setenv("XDG_RUNTIME_DIR", runtime, 1);
	unsetenv("XDG_STATE_HOME");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(lease_should_enable_then_disable_for_a_single_holder, setup_each),
		cmocka_unit_test_setup(lease_should_leave_ai_mode_on_while_another_run_holds_it, setup_each),
		cmocka_unit_test_setup(lease_should_drop_a_holder_that_died, setup_each),
		cmocka_unit_test_setup(lease_should_drop_a_holder_whose_pid_was_reused, setup_each),
		cmocka_unit_test_setup(lease_should_forget_stale_holders_when_taken, setup_each),
		cmocka_unit_test_setup(lease_should_do_nothing_in_dry_run, setup_each),
		cmocka_unit_test_setup(lease_should_owe_cleanup_when_enable_fails, setup_each),
		cmocka_unit_test_setup(lease_should_report_a_missing_cli_and_release_cleanly, setup_each),
		cmocka_unit_test_setup(lease_should_fall_back_to_xdg_state_home, setup_each),
	};

	return cmocka_run_group_tests_name("lease", tests, setup_all, teardown_all);
}
