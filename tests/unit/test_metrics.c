/* SPDX-License-Identifier: Apache-2.0 */
/* test_metrics.c: the Prometheus text of --metrics: escaping, redaction, counting, the file. */
#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

#include "unit.h"

#include "metrics.h"
#include "util.h"

static char *
escaped(const char *in)
{
	struct buf b = {0};

	metrics_label_value(&b, in);
	return b.p ? b.p : xstrdup("");
}

static void
metrics_should_escape_label_values_as_the_format_requires(void **state)
{
	char *s;

	(void)state;
	s = escaped("a\"b\\c\nd");
	assert_string_equal(s, "a\\\"b\\\\c\\nd");
	free(s);
	s = escaped("内存 ok");
	assert_string_equal(s, "内存 ok");
	free(s);
	s = escaped("bad\xff\xc3(");	/* a stray byte and a cut sequence */
	assert_string_equal(s, "bad\xef\xbf\xbd\xef\xbf\xbd(");
	free(s);
}

/* The whole (small) file, NUL-terminated. */
static char *
read_small(const char *path)
{
	static char text[16384];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return text;
}

static void
metrics_should_count_issues_and_redact_and_cut_labels(void **state)
{
	char dir[] = "/tmp/ackprof-metrics-unit.XXXXXX", *path, *text;
	struct metrics m;
	cJSON *issues = cJSON_Parse("[{\"severity\":\"Warn\",\"subsystem\":\"CPU\"},"
	    "{\"level\":\"Warn\",\"category\":\"CPU\"},"
	    "{\"severity\":\"Info\",\"subsystem\":\"AccessKeySecret=Lk9vQ2xRt7mB4nW8pZ3cY6hJ1sD5fG0a\"},"
	    "{\"severity\":\"Critical\",\"subsystem\":\"" "网络网络网络网络网络网络网络网络网络网络网络网络" "\"},"
	    "{\"title\":\"nothing else\"}]");
	struct stat st;
	mode_t old = umask(077);

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/fleet.prom", dir);
	metrics_init(&m, path);
	metrics_target(&m, "c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6", "default", "app-1", 2, issues);
	metrics_target(&m, "c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6", NULL, "app-2", 69, NULL);
	assert_int_equal(metrics_write(&m, path, 69, 1.5, 1780000000), 0);
	umask(old);
	text = read_small(path);
	assert_contains(text, "severity=\"Warn\",subsystem=\"CPU\"} 2\n");
	assert_not_contains(text, "Lk9vQ2xRt7mB4nW8pZ3cY6hJ1sD5fG0a");
	/* 64 bytes at most: 21 three-byte characters, never half of one. */
	assert_contains(text, "subsystem=\"网络网络网络网络网络网络网络网络网络网络网\"} 1\n");
	assert_contains(text, "severity=\"unknown\",subsystem=\"unknown\"} 1\n");
	assert_contains(text, "ackprof_target_status{run=\"fleet\",cluster_id=\"c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6\",namespace=\"unknown\",pod=\"app-2\"} 6\n");
	assert_contains(text, "ackprof_target_exit_code{run=\"fleet\",cluster_id=\"c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6\",namespace=\"unknown\",pod=\"app-2\"} 69\n");
	assert_contains(text, "ackprof_run_duration_seconds{run=\"fleet\"} 1.500\n");
	assert_contains(text, "ackprof_last_run_timestamp_seconds{run=\"fleet\"} 1780000000\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);	/* whatever the umask */
	unlink(path);
	rmdir(dir);
	free(path);
	metrics_free(&m);
	cJSON_Delete(issues);
}

static void
metrics_should_refuse_links_special_files_and_missing_directories(void **state)
{
	char dir[] = "/tmp/ackprof-metrics-unit.XXXXXX", err[512], *p;
	struct metrics m;

	(void)state;
	assert_non_null(mkdtemp(dir));
	p = xasprintf("%s/link.prom", dir);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(metrics_check_path(p, err, sizeof(err)), -1);
	assert_contains(err, "symbolic link");
	unlink(p);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(metrics_check_path(p, err, sizeof(err)), -1);
	assert_contains(err, "not a regular file");
	/* Found at the last moment, it is still not replaced. */
	metrics_init(&m, p);
	assert_int_equal(metrics_write(&m, p, 0, 0, 0), -1);
	struct stat st;
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	metrics_free(&m);
	unlink(p);
	free(p);
	p = xasprintf("%s/no/such.prom", dir);
	assert_int_equal(metrics_check_path(p, err, sizeof(err)), -1);
	free(p);
	assert_int_equal(metrics_check_path("", err, sizeof(err)), -1);
	assert_int_equal(metrics_check_path("/tmp/", err, sizeof(err)), -1);
	assert_int_equal(metrics_check_path("x.prom", err, sizeof(err)), 0);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(metrics_should_escape_label_values_as_the_format_requires),
		cmocka_unit_test(metrics_should_count_issues_and_redact_and_cut_labels),
		cmocka_unit_test(metrics_should_refuse_links_special_files_and_missing_directories),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
