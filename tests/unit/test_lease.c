/* SPDX-License-Identifier: Apache-2.0 */
/* test_lease.c: the ai-mode lease (lease.c), with a fake `aliyun` that logs its argv. */
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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
	snprintf(p, sizeof(p), "%s/.aliyun", home);
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
	/* In the CLI config directory it protects, whatever XDG_RUNTIME_DIR says. */
	assert_non_null(realpath(home, prefix));
	strcat(prefix, "/.aliyun/ackprof/");
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
	char line[64], own[128], tok[64], *holders;
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
	assert_int_equal(sscanf(holders, "%ld %llu %63s", &pid, &st, tok), 3);
	assert_int_equal(pid, (long)getpid());
	assert_string_equal(tok, l.token);
	snprintf(own, sizeof(own), "%ld %llu %s\n", pid, st, l.token);
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

/* Item 2 of issue 11: one lease per config directory, whatever the environment. */
static void
lease_should_be_one_per_config_dir_whatever_the_environment(void **state)
{
	struct cli cli = fake_cli(fake);
	struct lease l;
	char other[1024], link[1024], *log;
	int up[2], go[2], st;
	pid_t pid;

	(void)state;
	snprintf(other, sizeof(other), "%s/state", dir);
	snprintf(link, sizeof(link), "%s/home-link", dir);
	unlink(link);
	assert_int_equal(symlink(home, link), 0);
	assert_int_equal(lease_acquire(&l, &cli), 0);
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* A cron job: no XDG_RUNTIME_DIR, another XDG_STATE_HOME, HOME spelt otherwise. */
		const char *h[3];
		struct lease o;
		int i, bad = 0;

		close(up[0]);
		close(go[1]);
		h[0] = xasprintf("%s/", home);
		h[1] = xasprintf("%s//.", home);
		h[2] = link;
		unsetenv("XDG_RUNTIME_DIR");
		setenv("XDG_STATE_HOME", other, 1);
		for (i = 0; i < 3; i++) {
			setenv("HOME", h[i], 1);
			if (lease_acquire(&o, &cli) != 0 || strcmp(o.lockpath, l.lockpath) != 0)
				bad = 1;
			lease_release(&o, &cli);
			/* We were not the last: the parent still holds it. */
			if (o.others != 1)
				bad = 1;
			lease_free(&o);
		}
		_exit(bad);
	}
	close(up[1]);
	close(go[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	log = slurp(logpath);
	assert_int_equal(count_lines(log, DISABLE), 0);
	free(log);
	lease_release(&l, &cli);
	log = slurp(logpath);
	assert_int_equal(count_lines(log, DISABLE), 1);
	free(log);
	lease_free(&l);
	close(up[0]);
	close(go[1]);
	unlink(link);
}

/* The CLI's --config-path names a file: its directory is the config directory. */
static void
lease_config_dir_should_follow_a_config_path(void **state)
{
	char want[4096], *path, *got;

	(void)state;
	path = xasprintf("%s/cfg//config.json", dir);
	got = lease_config_dir(path);
	assert_non_null(got);
	assert_non_null(realpath(dir, want));
	strcat(want, "/cfg");
	assert_string_equal(got, want);
	free(got);
	free(path);
	/* Without one, $HOME/.aliyun, canonical. */
	got = lease_config_dir(NULL);
	assert_non_null(got);
	assert_non_null(realpath(home, want));
	strcat(want, "/.aliyun");
	assert_string_equal(got, want);
	free(got);
}

/* ---- item 1 of issue 11: the lease as a hostile local user would find it ---- */

static char *
lease_dir_path(void)
{
	char real[4096];

	assert_non_null(realpath(home, real));
	return xasprintf("%s/.aliyun/ackprof", real);
}

/* The file names the lease used before (FNV-1a of "$HOME/.aliyun" in $XDG_RUNTIME_DIR). */
static char *
old_name(const char *suffix)
{
	char *cfg = xasprintf("%s/.aliyun", home), *p, *s;
	unsigned long h = 2166136261UL;

	for (p = cfg; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619UL;
	s = xasprintf("%s/ackprof/aimode-%08lx%s", runtime, h & 0xffffffffUL, suffix);
	free(cfg);
	return s;
}

static void
lease_should_refuse_a_lease_directory_others_can_write(void **state)
{
	struct cli cli = fake_cli(fake);
	struct lease l;
	char *d = lease_dir_path(), *cfg = xasprintf("%s/.aliyun", home), *log;
	struct stat sb;

	(void)state;
	assert_int_equal(mkdir(cfg, 0700), 0);
	assert_int_equal(mkdir(d, 0777), 0);
	assert_int_equal(chmod(d, 0777), 0);	/* as another user would leave it */
	assert_int_equal(lease_acquire(&l, &cli), 78);
	assert_false(l.began);
	assert_false(l.held);
	/* Nothing ran, nothing was written there. */
	assert_int_equal(stat(logpath, &sb), -1);
	log = xasprintf("%s/aimode.lock", d);
	assert_int_equal(lstat(log, &sb), -1);
	free(log);
	lease_release(&l, &cli);
	lease_free(&l);
	free(cfg);
	free(d);
}

static void
lease_should_refuse_a_lease_directory_of_another_user(void **state)
{
	struct cli cli = fake_cli(fake);
	struct lease l;
	char *d = lease_dir_path(), *cfg = xasprintf("%s/.aliyun", home);
	struct stat sb;

	(void)state;
	if (geteuid() != 0) {
		free(cfg);
		free(d);
		skip();
	}
	assert_int_equal(mkdir(cfg, 0700), 0);
	assert_int_equal(mkdir(d, 0700), 0);
	assert_int_equal(chown(d, 65534, 65534), 0);
	assert_int_equal(lease_acquire(&l, &cli), 78);
	assert_false(l.began);
	assert_int_equal(stat(logpath, &sb), -1);
	lease_free(&l);
	free(cfg);
	free(d);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/*
 * Symlinks planted under every name the lease writes, in the runtime directory a
 * hostile user pre-created 0777 (where the lease used to live) and in the lease
 * directory itself: no victim file is ever written through.
 */
static void
lease_should_never_write_through_planted_symlinks(void **state)
{
	struct cli cli = fake_cli(fake);
	struct lease l;
	char *d = lease_dir_path(), *cfg = xasprintf("%s/.aliyun", home);
	char victim[1024], *names[6], *text;
	int i;

	(void)state;
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	write_file(victim, "precious\n");
	names[0] = xasprintf("%s/ackprof", runtime);
	assert_int_equal(mkdir(names[0], 0777), 0);
	assert_int_equal(chmod(names[0], 0777), 0);
	free(names[0]);
	names[0] = old_name(".lock");
	names[1] = old_name(".holders");
	names[2] = xasprintf("%s.tmp.%ld", names[1], (long)getpid());
	assert_int_equal(mkdir(cfg, 0700), 0);
	assert_int_equal(mkdir(d, 0700), 0);
	names[3] = xasprintf("%s/aimode.holders.tmp.%ld", d, (long)getpid());
	names[4] = xasprintf("%s/aimode.holders", d);
	names[5] = NULL;
	for (i = 0; names[i]; i++)
		assert_int_equal(symlink(victim, names[i]), 0);
	/* A planted holders file is a link: refused, and nothing is written. */
	assert_int_equal(lease_acquire(&l, &cli), 78);
	lease_free(&l);
	text = slurp(victim);
	assert_string_equal(text, "precious\n");
	free(text);
	/* Without it, the planted temporary name is replaced, never followed. */
	unlink(names[4]);
	assert_int_equal(lease_acquire(&l, &cli), 0);
	lease_release(&l, &cli);
	lease_free(&l);
	text = slurp(victim);
	assert_string_equal(text, "precious\n");
	free(text);
	/* A planted lock is refused too. */
	free(names[4]);
	names[4] = xasprintf("%s/aimode.lock", d);
	unlink(names[4]);
	assert_int_equal(symlink(victim, names[4]), 0);
	assert_int_equal(lease_acquire(&l, &cli), 78);
	lease_free(&l);
	text = slurp(victim);
	assert_string_equal(text, "precious\n");
	free(text);
	for (i = 0; names[i]; i++) {
		unlink(names[i]);
		free(names[i]);
	}
	free(cfg);
	free(d);
}

/* A forged line for a live pid with no start time ("1 0") keeps nothing on. */
static void
lease_should_not_believe_a_holder_line_without_its_start_time(void **state)
{
	struct cli cli = fake_cli(fake);
	struct lease l;
	char *log;

	(void)state;
	assert_int_equal(lease_acquire(&l, &cli), 0);
	append(l.holderspath, "1 0\n");
	lease_release(&l, &cli);
	assert_int_equal(l.others, 0);
	log = slurp(logpath);
	assert_int_equal(count_lines(log, DISABLE), 1);
	free(log);
	lease_free(&l);
}

/* ---- item 6 of issue 19: the lease across PID namespaces ---- */

/* A helper process a test started; killed after the test, should an assertion stop it. */
static pid_t straggler;

static int
teardown_each(void **state)
{
	(void)state;
	if (straggler > 0) {
		kill(straggler, SIGKILL);
		waitpid(straggler, NULL, 0);
	}
	straggler = 0;
	return 0;
}

/* A process's start time, as lease.c reads it (field 22 of /proc/PID/stat). */
static unsigned long long
start_of(pid_t pid)
{
	char path[64], *text, *p;
	unsigned long long st = 0;
	int i;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	text = slurp(path);
	if ((p = strrchr(text, ')')) != NULL)
		for (i = 3, p++; i <= 22 && p; i++, p = strchr(p + 1, ' '))
			if (i == 22)
				st = strtoull(p, NULL, 10);
	free(text);
	return st;
}

/* The aimode.holder.* lock files in the lease directory: how many, and the mode of one. */
static int
holder_files(mode_t *mode)
{
	char *d = lease_dir_path(), path[4096];
	struct dirent *e;
	struct stat sb;
	DIR *dp = opendir(d);
	int n = 0;

	if (dp == NULL) {
		free(d);
		return 0;
	}
	while ((e = readdir(dp)) != NULL)
		if (strncmp(e->d_name, "aimode.holder.", 14) == 0) {
			snprintf(path, sizeof(path), "%s/%s", d, e->d_name);
			assert_int_equal(lstat(path, &sb), 0);
			assert_true(S_ISREG(sb.st_mode));
			assert_int_equal(sb.st_uid, geteuid());
			*mode = sb.st_mode & 07777;
			n++;
		}
	closedir(dp);
	free(d);
	return n;
}

static void
lease_should_keep_a_lock_file_of_its_own_while_held(void **state)
{
	struct cli cli = fake_cli(fake);
	struct lease l;
	mode_t mode = 0;
	char *holders, want[128];

	(void)state;
	assert_int_equal(lease_acquire(&l, &cli), 0);
	assert_int_equal(strlen(l.token), LEASE_TOKEN_LEN);
	assert_int_equal(holder_files(&mode), 1);
	assert_int_equal(mode, 0600);
	holders = slurp(l.holderspath);
	snprintf(want, sizeof(want), "%ld %llu %s\n", (long)getpid(), start_of(getpid()), l.token);
	assert_string_equal(holders, want);
	free(holders);
	lease_release(&l, &cli);
	assert_int_equal(holder_files(&mode), 0);
	lease_free(&l);
}

/* A line whose lock nobody holds is dead, even when its pid and start time match a live process. */
static void
lease_should_not_believe_a_live_pid_whose_lock_is_free(void **state)
{
	struct cli cli = fake_cli(fake);
	struct lease l;
	char line[128], *log;

	(void)state;
	assert_int_equal(lease_acquire(&l, &cli), 0);
	snprintf(line, sizeof(line), "%ld %llu 0123456789abcdef\n", (long)getppid(), start_of(getppid()));
	append(l.holderspath, line);
	lease_release(&l, &cli);
	assert_int_equal(l.others, 0);
	log = slurp(logpath);
	assert_int_equal(count_lines(log, DISABLE), 1);
	free(log);
	lease_free(&l);
}

/* Without a lock to ask (an older ackprof's "pid start" line), a live pid is still believed. */
static void
lease_should_fall_back_to_the_pid_for_a_line_without_a_lock(void **state)
{
	struct cli cli = fake_cli(fake);
	struct lease l;
	char line[128], *log;
	pid_t kid = fork();

	(void)state;
	assert_true(kid >= 0);
	if (kid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pause();
		_exit(0);
	}
	straggler = kid;
	assert_int_equal(lease_acquire(&l, &cli), 0);
	snprintf(line, sizeof(line), "%ld %llu\n", (long)kid, start_of(kid));
	append(l.holderspath, line);
	lease_release(&l, &cli);
	assert_int_equal(l.others, 1);
	log = slurp(logpath);
	assert_int_equal(count_lines(log, DISABLE), 0);
	free(log);
	lease_free(&l);
}

/*
 * Run fn in a new PID namespace (as its pid 1), with its own /proc when own_proc:
 * fn's code is the grandchild's exit status, 77 when namespaces are not permitted.
 * Returns the child's pid; *up is read for fn's signals.
 */
static pid_t
in_pid_namespace(int own_proc, int (*fn)(int, int), int up, int go)
{
	pid_t pid = fork(), inner;
	int st;

	if (pid != 0)
		return straggler = pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (unshare(CLONE_NEWPID | (own_proc ? CLONE_NEWNS : 0)) == -1)
		_exit(77);
	if (own_proc && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		_exit(77);
	if ((inner = fork()) == 0) {
		/* A failed assertion in the test leaves no holder waiting forever. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (own_proc && mount("proc", "/proc", "proc", 0, NULL) == -1)
			_exit(77);
		_exit(fn(up, go));
	}
	if (inner == -1 || waitpid(inner, &st, 0) != inner)
		_exit(99);
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 98);
}

/* The holder in the other namespace: take the lease, say so, wait, leave; exit its others. */
static int
ns_holder(int up, int go)
{
	struct cli cli = fake_cli(fake);
	struct lease o;
	char c;

	if (getpid() != 1 || lease_acquire(&o, &cli) != 0)
		return 100;
	(void)!write(up, "1", 1);
	if (read(go, &c, 1) != 1)
		return 101;
	lease_release(&o, &cli);
	return o.others;
}

/*
 * Gone while holding, with no release: as pid 1 it takes its namespace with it, so
 * its watchdog is killed too (at best it starts its reap before that).
 */
static int
ns_holder_killed(int up, int go)
{
	struct cli cli = fake_cli(fake);
	struct lease o;

	(void)up;
	(void)go;
	if (getpid() != 1 || lease_acquire(&o, &cli) != 0)
		return 100;
	_exit(0);
}

/* A container sharing ~/.aliyun (its own PID namespace and /proc) holds the lease. */
static void
lease_should_believe_a_live_holder_in_another_pid_namespace(void **state)
{
	struct cli cli = fake_cli(fake);
	struct lease l;
	int up[2], go[2], st;
	char c, *log;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(go), 0);
	pid = in_pid_namespace(1, ns_holder, up[1], go[0]);
	assert_true(pid > 0);
	close(up[1]);
	close(go[0]);
	if (read(up[0], &c, 1) != 1) {
		assert_int_equal(waitpid(pid, &st, 0), pid);
		straggler = 0;
		close(up[0]);
		close(go[1]);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
			skip();	/* no PID namespaces here (not root, or seccomp) */
		fail_msg("the holder in the other namespace failed: status %d", st);
	}
	assert_int_equal(lease_acquire(&l, &cli), 0);
	lease_release(&l, &cli);
	assert_int_equal(l.others, 1);
	log = slurp(logpath);
	assert_int_equal(count_lines(log, DISABLE), 0);
	free(log);
	assert_int_equal(write(go[1], "1", 1), 1);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	straggler = 0;
	log = slurp(logpath);
	assert_int_equal(count_lines(log, DISABLE), 1);
	assert_string_equal(last_line(log), DISABLE);
	free(log);
	close(up[0]);
	close(go[1]);
	lease_free(&l);
}

/*
 * A holder killed in another PID namespace, where it was pid 1: its line ("1" and
 * the start time its /proc gave, here the host's init's) names a live process here.
 * Its lock went with it, so it is dropped and the last run switches ai-mode off.
 */
static void
lease_should_drop_a_dead_holder_of_another_pid_namespace(void **state)
{
	struct cli cli = fake_cli(fake);
	struct lease l;
	int st;
	mode_t mode;
	char *log, *holders;
	pid_t pid;

	(void)state;
	pid = in_pid_namespace(0, ns_holder_killed, -1, -1);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	straggler = 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		skip();
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(lease_acquire(&l, &cli), 0);
	lease_release(&l, &cli);
	assert_int_equal(l.others, 0);
	log = slurp(logpath);
	assert_true(count_lines(log, DISABLE) >= 1);
	assert_string_equal(last_line(log), DISABLE);
	free(log);
	holders = slurp(l.holderspath);
	assert_string_equal(holders, "");
	free(holders);
	assert_int_equal(holder_files(&mode), 0);
	lease_free(&l);
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
		cmocka_unit_test_setup(lease_should_be_one_per_config_dir_whatever_the_environment, setup_each),
		cmocka_unit_test_setup(lease_config_dir_should_follow_a_config_path, setup_each),
		cmocka_unit_test_setup(lease_should_refuse_a_lease_directory_others_can_write, setup_each),
		cmocka_unit_test_setup(lease_should_refuse_a_lease_directory_of_another_user, setup_each),
		cmocka_unit_test_setup(lease_should_never_write_through_planted_symlinks, setup_each),
		cmocka_unit_test_setup(lease_should_not_believe_a_holder_line_without_its_start_time, setup_each),
		cmocka_unit_test_setup_teardown(lease_should_keep_a_lock_file_of_its_own_while_held, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(lease_should_not_believe_a_live_pid_whose_lock_is_free, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(lease_should_fall_back_to_the_pid_for_a_line_without_a_lock, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(lease_should_believe_a_live_holder_in_another_pid_namespace, setup_each, teardown_each),
		cmocka_unit_test_setup_teardown(lease_should_drop_a_dead_holder_of_another_pid_namespace, setup_each, teardown_each),
	};

	return cmocka_run_group_tests_name("lease", tests, setup_all, teardown_all);
}
