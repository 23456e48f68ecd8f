/* SPDX-License-Identifier: Apache-2.0 */
/* test_aliyun.c: argv building (the user-agent rule), CLI error text, versions, tables (aliyun.c). */
#include "unit.h"

#include "aliyun.h"
#include "redact.h"
#include "target.h"
#include "utf8.h"
#include "util.h"

#define UA	"AlibabaCloud-Agent-Skills/alibabacloud-aes-ack-pod-performance-profiling"
#define CID	"c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6"
#define PARAMS	"{\"product\":\"ACK\",\"region\":\"cn-hangzhou\"}"

static const enum call all_calls[] = {
	CALL_AIMODE_ENABLE, CALL_AIMODE_UA, CALL_PLUGIN_UPDATE, CALL_VERSION, CALL_CONFIG_SET,
	CALL_CONFIG_LIST, CALL_CS_GET, CALL_INITIAL, CALL_INVOKE, CALL_RESULT,
	CALL_AIMODE_DISABLE, CALL_STEP7, CALL_SETUP_SDK,
};
#define NCALLS (sizeof(all_calls) / sizeof(all_calls[0]))

static int
is_business(enum call k)
{
	return k == CALL_CS_GET || k == CALL_INITIAL || k == CALL_INVOKE || k == CALL_RESULT;
}

static int
is_aliyun_system(enum call k)
{
	return k == CALL_AIMODE_ENABLE || k == CALL_AIMODE_UA || k == CALL_PLUGIN_UPDATE ||
	    k == CALL_VERSION || k == CALL_CONFIG_SET || k == CALL_CONFIG_LIST ||
	    k == CALL_AIMODE_DISABLE;
}

/* The two arguments each call takes in the workflow. */
static void
call_args(enum call k, const char **a, const char **a2)
{
	*a = *a2 = NULL;
	switch (k) {
	case CALL_CS_GET:	*a = CID; break;
	case CALL_INVOKE:	*a = PARAMS; break;
	case CALL_RESULT:	*a = "qT7mYx2L"; break;
	case CALL_STEP7:	*a = CID; *a2 = "cn-hangzhou"; break;
	default:		break;
	}
}

/* Build the argv of k and compare it with the NULL-terminated want. */
static void
check_argv(const struct cli *cli, enum call k, const char *const *want)
{
	const char *argv[24], *a, *a2;
	char *owned[2];
	int n, i;

	memset(argv, 0, sizeof(argv));
	call_args(k, &a, &a2);
	n = cli_argv(cli, k, a, a2, argv, owned);
	for (i = 0; want[i] && argv[i]; i++)
		if (strcmp(want[i], argv[i]) != 0)
			fail_msg("call %d, argv[%d] = \"%s\", want \"%s\"", (int)k, i, argv[i], want[i]);
	if (want[i] || argv[i])
		fail_msg("call %d, argv[%d] = \"%s\", want \"%s\"", (int)k, i,
		    argv[i] ? argv[i] : "(end)", want[i] ? want[i] : "(end)");
	assert_int_equal(n, i);
	free(owned[0]);
	free(owned[1]);
}

#define ARGV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct cli plain = { .path = "aliyun", .venv = "/opt/venv", .scripts = "/opt/scripts" };

static void
argv_should_match_every_system_call_exactly(void **state)
{
	(void)state;
	check_argv(&plain, CALL_AIMODE_ENABLE, ARGV("aliyun", "configure", "ai-mode", "enable"));
	check_argv(&plain, CALL_AIMODE_UA, ARGV("aliyun", "configure", "ai-mode", "set-user-agent",
	    "--user-agent", UA));
	check_argv(&plain, CALL_PLUGIN_UPDATE, ARGV("aliyun", "plugin", "update"));
	check_argv(&plain, CALL_VERSION, ARGV("aliyun", "version"));
	check_argv(&plain, CALL_CONFIG_SET, ARGV("aliyun", "configure", "set",
	    "--auto-plugin-install", "true"));
	check_argv(&plain, CALL_CONFIG_LIST, ARGV("aliyun", "configure", "list"));
	check_argv(&plain, CALL_AIMODE_DISABLE, ARGV("aliyun", "configure", "ai-mode", "disable"));
}

static void
argv_should_match_every_business_call_exactly(void **state)
{
	(void)state;
	check_argv(&plain, CALL_CS_GET, ARGV("aliyun", "cs", "GET", "/clusters/" CID,
	    "--user-agent", UA));
	check_argv(&plain, CALL_INITIAL, ARGV("aliyun", "sysom", "initial-sysom", "--check-only",
	    "false", "--source", "aes-skills", "--user-agent", UA));
	check_argv(&plain, CALL_INVOKE, ARGV("aliyun", "sysom", "invoke-diagnosis",
	    "--service-name", "ocd", "--channel", "ecs", "--params", PARAMS, "--user-agent", UA));
	check_argv(&plain, CALL_RESULT, ARGV("aliyun", "sysom", "get-diagnosis-result",
	    "--task-id", "qT7mYx2L", "--user-agent", UA));
}

static void
argv_should_run_step7_with_the_venv_python_and_the_bundled_script(void **state)
{
	struct cli dry = plain;

	(void)state;
	check_argv(&plain, CALL_STEP7, ARGV("/opt/venv/bin/python",
	    "/opt/scripts/create-cluster-vpc-endpoint-connection.py",
	    "--region", "cn-hangzhou", "--cluster-id", CID));
	dry.dry_run = 1;
	check_argv(&dry, CALL_STEP7, ARGV("/opt/venv/bin/python",
	    "/opt/scripts/create-cluster-vpc-endpoint-connection.py",
	    "--region", "cn-hangzhou", "--cluster-id", CID, "--dry-run"));
	check_argv(&plain, CALL_SETUP_SDK, ARGV("sh", "/opt/scripts/setup-sdk.sh", "/opt/venv"));
}

static void
argv_should_add_profile_to_business_calls_only(void **state)
{
	struct cli p = plain;

	(void)state;
	p.profile = "prod";
	check_argv(&p, CALL_CS_GET, ARGV("aliyun", "cs", "GET", "/clusters/" CID,
	    "--profile", "prod", "--user-agent", UA));
	check_argv(&p, CALL_RESULT, ARGV("aliyun", "sysom", "get-diagnosis-result",
	    "--task-id", "qT7mYx2L", "--profile", "prod", "--user-agent", UA));
	check_argv(&p, CALL_VERSION, ARGV("aliyun", "version"));
	check_argv(&p, CALL_AIMODE_UA, ARGV("aliyun", "configure", "ai-mode", "set-user-agent",
	    "--user-agent", UA));
	check_argv(&p, CALL_STEP7, ARGV("/opt/venv/bin/python",
	    "/opt/scripts/create-cluster-vpc-endpoint-connection.py",
	    "--region", "cn-hangzhou", "--cluster-id", CID));
}

/* The rule over every call, with and without a profile and dry-run. */
static void
argv_should_apply_the_user_agent_rule_to_every_call(void **state)
{
	const char *argv[24], *a, *a2;
	char *owned[2];
	struct cli c = plain;
	size_t k;
	int n, i, pass, ua, prof;

	(void)state;
	for (pass = 0; pass < 4; pass++) {
		c.profile = pass & 1 ? "prod" : NULL;
		c.dry_run = pass & 2 ? 1 : 0;
		for (k = 0; k < NCALLS; k++) {
			call_args(all_calls[k], &a, &a2);
			n = cli_argv(&c, all_calls[k], a, a2, argv, owned);
			assert_true(n > 0 && n < 16);
			assert_null(argv[n]);
			ua = prof = 0;
			for (i = 0; i < n; i++) {
				ua += strcmp(argv[i], "--user-agent") == 0;
				prof += strcmp(argv[i], "--profile") == 0;
			}
			if (is_business(all_calls[k])) {
				assert_int_equal(ua, 1);
				assert_string_equal(argv[n - 2], "--user-agent");
				assert_string_equal(argv[n - 1], UA);
				assert_int_equal(prof, c.profile ? 1 : 0);
			} else {
				assert_int_equal(ua, all_calls[k] == CALL_AIMODE_UA ? 1 : 0);
				assert_int_equal(prof, 0);
			}
			if (is_aliyun_system(all_calls[k]) || is_business(all_calls[k]))
				assert_string_equal(argv[0], "aliyun");
			free(owned[0]);
			free(owned[1]);
		}
	}
}

/* ---- cli_argv_string ---- */

static void
check_line(const char *const *argv, const char *want)
{
	char *got = cli_argv_string(argv);

	if (strcmp(got, want) != 0)
		fail_msg("cli_argv_string: got  %s\n                want %s", got, want);
	free(got);
}

static void
argv_string_should_quote_only_what_the_shell_needs(void **state)
{
	(void)state;
	check_line(ARGV("aliyun", "cs", "GET", "/clusters/" CID, "--user-agent", UA),
	    "aliyun cs GET /clusters/" CID " --user-agent " UA);
	check_line(ARGV("aliyun", "--params", "{\"a\":1}"), "aliyun --params '{\"a\":1}'");
	check_line(ARGV("x", ""), "x ''");
	check_line(ARGV("x", "a b"), "x 'a b'");
	check_line(ARGV("x", "it's"), "x 'it'\\''s'");
	check_line(ARGV("x", "$HOME", "`id`", "a;b", "*"), "x '$HOME' '`id`' 'a;b' '*'");
	check_line(ARGV("x", "k=v,w@h:1%+"), "x k=v,w@h:1%+");
	/* One call, one line: a control character is escaped, never written. */
	check_line(ARGV("x", "line\nbreak", "\x1b[2J"), "x 'line\\nbreak' '\\x1b[2J'");
}

static void
argv_string_should_redact_credentials(void **state)
{
	char *got = cli_argv_string(ARGV("aliyun", "configure", "set", "--access-key-id",
	    "LTAI5tAbCdEfGhIjKlMnOp"));

	(void)state;
	assert_null(strstr(got, "5tAbCd"));
	assert_contains(got, "--access-key-id ****");
	free(got);
}

/* ---- cli_parse_error ---- */

static const char server_error[] =
    "ERROR: SDK.ServerError\n"
    "ErrorCode: Forbidden.RAM\n"
    "Recommend: https://api.aliyun.com/troubleshoot?q=Forbidden.RAM&product=CS&requestId=5A1C2B3D-0000-4000-8000-00000000AAAA\n"
    "RequestId: 5A1C2B3D-0000-4000-8000-00000000AAAA\n"
    "Message: User not authorized to operate on the specified resource.\n"
    "RespHeaders: map[Content-Type:[application/json;charset=utf-8] X-Acs-Request-Id:[5A1C2B3D-0000-4000-8000-00000000AAAA]]\n";

static const char lowercase_error[] =
    "ERROR: SDK.ServerError\n"
    "ErrorCode: \n"
    "Recommend: \n"
    "RequestId: \n"
    "Message: {\"code\":\"ErrorClusterNotFound\",\"message\":\"cluster (c0000000000000000000000000000000a) not found in our records\",\"requestId\":\"5A1C2B3D-1111-4000-8000-00000000BBBB\",\"status\":404}\n"
    "RespHeaders: map[Content-Type:[application/json]]\n";

static const char plugin_error[] =
    "Error: SDKError:\n"
    "   StatusCode: 400\n"
    "   Code: Sysom.TaskInProgress\n"
    "   Message: code: 400, A diagnosis task is already running on instance ack-" CID ": ocd(qT7mYx2L). request id: 8C1F0B52-6D3E-5B7A-9E21-44D0C6A1F7B3\n"
    "   Data: {\"Code\":\"Sysom.TaskInProgress\",\"HostId\":\"sysom.aliyuncs.com\",\"Message\":\"A diagnosis task is already running on instance ack-" CID ": ocd(qT7mYx2L).\",\"RequestId\":\"8C1F0B52-6D3E-5B7A-9E21-44D0C6A1F7B3\",\"statusCode\":400}\n";

static void
parse_error_should_read_the_server_error_block(void **state)
{
	struct cli_error e;

	(void)state;
	cli_parse_error(server_error, "", &e);
	assert_string_equal(e.code, "Forbidden.RAM");
	assert_string_equal(e.request_id, "5A1C2B3D-0000-4000-8000-00000000AAAA");
	assert_string_equal(e.message, "User not authorized to operate on the specified resource.");
	assert_true(cli_error_is_permission(&e, server_error));
	assert_false(cli_error_is_not_found(&e, server_error));
}

static void
parse_error_should_read_a_lowercase_body_from_message(void **state)
{
	struct cli_error e;

	(void)state;
	cli_parse_error(lowercase_error, "", &e);
	assert_string_equal(e.code, "ErrorClusterNotFound");
	assert_string_equal(e.message, "cluster (c0000000000000000000000000000000a) not found in our records");
	assert_string_equal(e.request_id, "5A1C2B3D-1111-4000-8000-00000000BBBB");
	assert_int_equal(e.http_status, 404);
	assert_true(cli_error_is_not_found(&e, lowercase_error));
	assert_false(cli_error_is_permission(&e, lowercase_error));
}

static void
parse_error_should_read_the_plugin_sdkerror_block(void **state)
{
	struct cli_error e;

	(void)state;
	cli_parse_error(plugin_error, "", &e);
	assert_string_equal(e.code, "Sysom.TaskInProgress");
	assert_int_equal(e.http_status, 400);
	assert_string_equal(e.request_id, "8C1F0B52-6D3E-5B7A-9E21-44D0C6A1F7B3");
	assert_string_equal(e.message,
	    "A diagnosis task is already running on instance ack-" CID ": ocd(qT7mYx2L).");
	assert_false(cli_error_is_permission(&e, plugin_error));
	assert_false(cli_error_is_not_found(&e, plugin_error));
}

static void
parse_error_should_take_the_request_id_from_the_message_without_data(void **state)
{
	static const char text[] =
	    "Error: SDKError:\n"
	    "   StatusCode: 403\n"
	    "   Code: Forbidden.RAM\n"
	    "   Message: code: 403, You are not authorized. request id: 1111-2222\n";
	struct cli_error e;

	(void)state;
	cli_parse_error(text, NULL, &e);
	assert_string_equal(e.code, "Forbidden.RAM");
	assert_string_equal(e.message, "You are not authorized.");
	assert_string_equal(e.request_id, "1111-2222");
	assert_int_equal(e.http_status, 403);
	assert_true(cli_error_is_permission(&e, NULL));
}

static void
parse_error_should_read_plain_error_lines(void **state)
{
	struct cli_error e;

	(void)state;
	cli_parse_error("ERROR: load configure failed: stat /root/.aliyun/config.json: no such file or directory\n",
	    "", &e);
	assert_string_equal(e.message,
	    "load configure failed: stat /root/.aliyun/config.json: no such file or directory");
	assert_string_equal(e.code, "");
	assert_string_equal(e.request_id, "");
	/* The first ERROR: line, after other noise. */
	cli_parse_error("Note: Could not load the remote plugin catalog\nERROR: 'foo' is not a valid product.\n",
	    "", &e);
	assert_string_equal(e.message, "'foo' is not a valid product.");
	/* No trailing newline (the startup quirk of the CLI). */
	cli_parse_error("ERROR: load current configuration failed x", "", &e);
	assert_string_equal(e.message, "load current configuration failed x");
}

static void
parse_error_should_read_cobra_errors(void **state)
{
	struct cli_error e;

	(void)state;
	cli_parse_error("Error: unknown flag: --region-id\nUsage:\n  sysom invoke-diagnosis [flags]\n", "", &e);
	assert_string_equal(e.message, "unknown flag: --region-id");
	assert_string_equal(e.code, "");
}

static void
parse_error_should_read_an_error_body_on_stdout(void **state)
{
	struct cli_error e;

	(void)state;
	cli_parse_error("", "{\"code\":\"Sysom.ClusterNotFound\",\"message\":\"The specified ACK cluster was not found.\",\"data\":null,\"request_id\":\"1E0D-1\"}\n",
	    &e);
	assert_string_equal(e.code, "Sysom.ClusterNotFound");
	assert_string_equal(e.message, "The specified ACK cluster was not found.");
	assert_string_equal(e.request_id, "1E0D-1");
	assert_true(cli_error_is_not_found(&e, NULL));
}

static void
parse_error_should_cope_with_empty_input(void **state)
{
	struct cli_error e;

	(void)state;
	memset(&e, 'x', sizeof(e));
	cli_parse_error("", "", &e);
	assert_string_equal(e.code, "");
	assert_string_equal(e.message, "");
	assert_string_equal(e.request_id, "");
	assert_int_equal(e.http_status, 0);
	cli_parse_error("", NULL, &e);
	assert_string_equal(e.message, "");
	cli_parse_error("\n\n  \n", "", &e);
	assert_string_equal(e.message, "");
	cli_parse_error("\n  something odd happened\nmore\n", "", &e);
	assert_string_equal(e.message, "something odd happened");
}

static void
parse_error_should_truncate_long_fields(void **state)
{
	struct buf b = {0};
	struct cli_error e;
	int i;

	(void)state;
	buf_adds(&b, "ERROR: SDK.ServerError\nErrorCode: ");
	for (i = 0; i < 500; i++)
		buf_adds(&b, "C");
	buf_adds(&b, "\nMessage: ");
	for (i = 0; i < 5000; i++)
		buf_adds(&b, "m");
	buf_adds(&b, "\n");
	cli_parse_error(b.p, "", &e);
	assert_int_equal(strlen(e.code), sizeof(e.code) - 1);
	assert_int_equal(strlen(e.message), sizeof(e.message) - 1);
	buf_free(&b);
}

/*
 * Issue 11, items 5 and 10: a field is cut between characters, never inside one, and
 * masked on the whole text first: a cut used to leave the head of an id ("LTAI5tLe").
 */
static void
parse_error_should_cut_on_characters_and_mask_before_cutting(void **state)
{
	struct buf b = {0};
	struct cli_error e;
	size_t n;
	int i;

	(void)state;
	buf_adds(&b, "ERROR: ");
	for (i = 0; i < 1000; i++)
		buf_adds(&b, "\xE8\xAF\x8A");	/* 诊: 3 bytes, 1024 not a multiple of 3 */
	buf_adds(&b, "\n");
	cli_parse_error(b.p, "", &e);
	n = strlen(e.message);
	assert_true(n >= sizeof(e.message) - 3 && n % 3 == 0);
	assert_true(utf8_valid(e.message, n));
	buf_reset(&b);
	buf_adds(&b, "ERROR: ");
	for (i = 0; i < 1017; i++)
		buf_adds(&b, "x");
	buf_adds(&b, "LTAI5tLeakyKeyLeakyKey99 and \xFF\xFE\n");
	cli_parse_error(b.p, "", &e);
	assert_null(strstr(e.message, "LTAI5t"));
	assert_true(utf8_valid(e.message, strlen(e.message)));
	buf_free(&b);
}

static void
error_kinds_should_classify_codes_and_statuses(void **state)
{
	struct cli_error e;

	(void)state;
	memset(&e, 0, sizeof(e));
	snprintf(e.code, sizeof(e.code), "ErrorCheckAcl");
	assert_true(cli_error_is_permission(&e, NULL));
	snprintf(e.code, sizeof(e.code), "NoPermission");
	assert_true(cli_error_is_permission(&e, NULL));
	snprintf(e.code, sizeof(e.code), "InvalidSecurityToken.Expired");
	assert_true(cli_error_is_permission(&e, NULL));
	snprintf(e.code, sizeof(e.code), "Sysom.TaskInProgress");
	assert_false(cli_error_is_permission(&e, NULL));
	assert_false(cli_error_is_permission(&e, "a diagnosis task is running"));
	assert_true(cli_error_is_permission(&e, "... Forbidden.RAM ..."));
	snprintf(e.code, sizeof(e.code), "Sysom.ACKClusterNotFound");
	assert_true(cli_error_is_not_found(&e, NULL));
	assert_false(cli_error_is_permission(&e, NULL));
	snprintf(e.code, sizeof(e.code), "EntityNotExist.Role");
	assert_true(cli_error_is_not_found(&e, NULL));
	e.code[0] = '\0';
	e.http_status = 403;
	assert_true(cli_error_is_permission(&e, NULL));
	assert_false(cli_error_is_not_found(&e, NULL));
	e.http_status = 401;
	assert_true(cli_error_is_permission(&e, NULL));
	e.http_status = 404;
	assert_true(cli_error_is_not_found(&e, NULL));
	assert_false(cli_error_is_permission(&e, NULL));
	e.http_status = 500;
	assert_false(cli_error_is_not_found(&e, NULL));
	assert_false(cli_error_is_permission(&e, NULL));
}

/* ---- versions ---- */

static void
check_version(const char *s, int a, int b, int c)
{
	int v[3] = { -1, -1, -1 };

	if (parse_version(s, v) != 0)
		fail_msg("parse_version(\"%s\") failed", s);
	assert_int_equal(v[0], a);
	assert_int_equal(v[1], b);
	assert_int_equal(v[2], c);
}

/* Exit 3 is a tip: configuration (77) or another refusal of the CLI's own (69). */
static void
exit3_tip_should_tell_configuration_from_other_refusals(void **state)
{
	char tip[64];

	(void)state;
	assert_true(cli_tip_is_config("ERROR: region can't be empty\n\nConfiguration failed, use `aliyun configure` to configure it\n"));
	assert_true(cli_tip_is_config("ERROR: unknown profile prod, run configure to check\n"));
	assert_true(cli_tip_is_config("ERROR: access_key_id is not configured for profile 'x'.\n"));
	assert_false(cli_tip_is_config("ERROR: can not find api by path /clusters/c1\n\nPlease confirm if the API path exists\n"));
	assert_false(cli_tip_is_config("ERROR: command missing\n"));
	assert_false(cli_tip_is_config(""));
	cli_error_tip("ERROR: can not find api by path /x\n\nPlease confirm if the API path exists\n", tip, sizeof(tip));
	assert_string_equal(tip, "Please confirm if the API path exists");
	cli_error_tip("ERROR: command missing\n", tip, sizeof(tip));
	assert_string_equal(tip, "");
	cli_error_tip("no error line\nat all\n", tip, sizeof(tip));
	assert_string_equal(tip, "");
	/* Scrubbed and cut: a key in the tip is masked, a long tip ends on a character. */
	cli_error_tip("ERROR: x\nuse LTAI5tAbCdEfGhIjKlMnOp to sign\n", tip, sizeof(tip));
	assert_null(strstr(tip, "LTAI5tAbCdEf"));
	cli_error_tip("ERROR: x\n\xe6\x8f\x90\xe7\xa4\xba\xe6\x8f\x90\xe7\xa4\xba\n", tip, 8);
	assert_string_equal(tip, "\xe6\x8f\x90\xe7\xa4\xba");
}

static void
version_should_parse_cli_output(void **state)
{
	(void)state;
	check_version("3.4.11\n", 3, 4, 11);
	check_version("3.3.15", 3, 3, 15);
	check_version("3.10.2", 3, 10, 2);
	check_version("v3.4.11", 3, 4, 11);
	check_version("3.4.11\r\n", 3, 4, 11);
	check_version("0.0.1\n", 0, 0, 1);
	check_version("3.4.12-beta.1\n", 3, 4, 12);
}

static void
version_should_reject_malformed_text(void **state)
{
	static const char *const bad[] = {
		"abc", "3.4", "3.4.x", "", "\n", "3.4.11.2", "3..4", "3.4.11 extra",
		"Alibaba Cloud Command Line Interface Version 3.4.11", "-3.4.11", "3.-4.11",
		"99999999999999999999.1.1", "3.4.99999999999", "4294967299.0.0", NULL,
	};
	int v[3], i;

	(void)state;
	for (i = 0; bad[i]; i++)
		if (parse_version(bad[i], v) != -1)
			fail_msg("parse_version(\"%s\") accepted it", bad[i]);
}

static void
version_cmp_should_compare_numerically(void **state)
{
	int a[3] = { 3, 4, 11 }, min[3] = { 3, 3, 15 }, b[3] = { 3, 10, 2 }, c[3] = { 3, 9, 99 };
	int d[3] = { 3, 3, 14 }, e[3] = { 3, 3, 15 }, f[3] = { 4, 0, 0 };

	(void)state;
	assert_int_equal(version_cmp(a, min), 1);
	assert_int_equal(version_cmp(min, a), -1);
	assert_int_equal(version_cmp(b, c), 1);
	assert_int_equal(version_cmp(d, min), -1);
	assert_int_equal(version_cmp(e, min), 0);
	assert_int_equal(version_cmp(f, a), 1);
}

/* ---- configure list ---- */

/* The real CLI 3.4.11 fills the current profile's Language from LANG. */
static const char conf_table[] =
    "Profile   | Credential         | Valid   | Region           | Language\n"
    "--------- | ------------------ | ------- | ---------------- | --------\n"
    "custom1 * | AK:***id1          | Valid   | cn-hangzhou      | en\n"
    "custom2   | AK:***id2          | Valid   | cn-beijing       | \n"
    "broken    | AK:***             | Invalid |                  | \n";

static void
plugin_missing_should_know_the_clis_messages(void **state)
{
	(void)state;
	/* Auto-install on, the download failing (the real CLI 3.4.11). */
	assert_true(cli_plugin_missing("Plugin 'aliyun-cli-sysom' is required for command 'sysom initial-sysom' but not installed.\n"
	    "Auto-installing plugin 'aliyun-cli-sysom'...\n"
	    "ERROR: failed to install plugin 'aliyun-cli-sysom': download failed: 404\n"));
	/* No plugin index. */
	assert_true(cli_plugin_missing("ERROR: 'sysom' is not a valid product. See `aliyun help`.\n"));
	/* Auto-install off, no terminal. */
	assert_true(cli_plugin_missing("ERROR: 'sysom' is not a valid built-in product.\n"
	    "A plugin 'aliyun-cli-sysom' is available which supports this product.\n"
	    "Run 'aliyun plugin install --names aliyun-cli-sysom' to install it.\n"));
	/* 3.5.x: Go's %q quoting, as text and inside the AI-mode envelope. */
	assert_true(cli_plugin_missing("ERROR: \"sysom\" is not a valid product. See `aliyun help`.\n"));
	assert_true(cli_plugin_missing("{\"message\":\"\\\"sysom\\\" is not a valid product.\",\"recovery\":"
	    "{\"action\":\"inspect_root_help\",\"command\":\"aliyun --help\",\"hint\":\"Inspect the available products.\"}}\n"));
	assert_false(cli_plugin_missing("ERROR: \"sysomx\" is not a valid product.\n"));
	assert_false(cli_plugin_missing("Error: SDKError:\n   StatusCode: 403\n   Code: Forbidden.RAM\n"));
	assert_false(cli_plugin_missing(""));
}

static void
configure_list_should_find_the_current_profile(void **state)
{
	char name[64];

	(void)state;
	memset(name, 'x', sizeof(name));
	assert_int_equal(parse_configure_list(conf_table, NULL, name, sizeof(name)), 1);
	assert_string_equal(name, "custom1");
}

static void
configure_list_should_find_a_wanted_profile(void **state)
{
	char name[64];

	(void)state;
	assert_int_equal(parse_configure_list(conf_table, "custom2", name, sizeof(name)), 1);
	assert_string_equal(name, "custom2");
	assert_int_equal(parse_configure_list(conf_table, "custom1", name, sizeof(name)), 1);
	assert_string_equal(name, "custom1");
	assert_int_equal(parse_configure_list(conf_table, "broken", name, sizeof(name)), 0);
	assert_string_equal(name, "broken");
	assert_int_equal(parse_configure_list(conf_table, "nosuch", name, sizeof(name)), -1);
	assert_string_equal(name, "");
	assert_int_equal(parse_configure_list(conf_table, "custom", name, sizeof(name)), -1);
}

static void
configure_list_should_report_an_invalid_current_profile(void **state)
{
	static const char t[] =
	    "Profile   | Credential         | Valid   | Region           | Language\n"
	    "--------- | ------------------ | ------- | ---------------- | --------\n"
	    "default   | AK:***id1          | Valid   | cn-hangzhou      | \n"
	    "env *     |                    | Invalid |                  | \n";
	char name[64];

	(void)state;
	assert_int_equal(parse_configure_list(t, NULL, name, sizeof(name)), 0);
	assert_string_equal(name, "env");
}

static void
configure_list_should_reject_tables_it_cannot_read(void **state)
{
	char name[64];

	(void)state;
	/* Rows without the header. */
	assert_int_equal(parse_configure_list(
	    "custom1 * | AK:***id1          | Valid   | cn-hangzhou      | \n", NULL, name,
	    sizeof(name)), -1);
	assert_int_equal(parse_configure_list("", NULL, name, sizeof(name)), -1);
	assert_int_equal(parse_configure_list("garbage\n\x01\x02|||\n", NULL, name, sizeof(name)), -1);
	assert_int_equal(parse_configure_list(
	    "ERROR: load configure failed: stat /root/.aliyun/config.json: no such file or directory\n",
	    NULL, name, sizeof(name)), -1);
	/* A header and no current profile. */
	assert_int_equal(parse_configure_list(
	    "Profile   | Credential         | Valid   | Region           | Language\n"
	    "--------- | ------------------ | ------- | ---------------- | --------\n"
	    "custom2   | AK:***id2          | Valid   | cn-beijing       | \n", NULL, name,
	    sizeof(name)), -1);
	/* The header alone, no final newline. */
	assert_int_equal(parse_configure_list("Profile | Credential | Valid", NULL, name,
	    sizeof(name)), -1);
}

static void
configure_list_should_survive_odd_rows(void **state)
{
	struct buf b = {0};
	char name[8];
	int i;

	(void)state;
	buf_adds(&b, "Profile | Credential | Valid | Region | Language\n");
	buf_adds(&b, "|||||||\n\n*\n | \n");
	for (i = 0; i < 200; i++)
		buf_adds(&b, "z");
	buf_adds(&b, " * | x | Valid | cn | \n");
	/* A 200-character name: truncated into name, still Valid. */
	assert_int_equal(parse_configure_list(b.p, NULL, name, sizeof(name)), 1);
	assert_int_equal(strlen(name), sizeof(name) - 1);
	buf_free(&b);
}

/* ---- strip_ansi ---- */

static void
check_strip(const char *in, const char *want)
{
	char *s = strdup(in);

	strip_ansi(s);
	if (strcmp(s, want) != 0)
		fail_msg("strip_ansi(\"%s\") = \"%s\", want \"%s\"", in, s, want);
	free(s);
}

static void
strip_ansi_should_remove_colour_sequences(void **state)
{
	(void)state;
	check_strip("\033[1;31mERROR: SDK.ServerError\nErrorCode: X\n\033[0m",
	    "ERROR: SDK.ServerError\nErrorCode: X\n");
	check_strip("\033[38;5;196mred\033[0m plain", "red plain");
	check_strip("\033[Kline", "line");
	check_strip("plain text", "plain text");
	check_strip("", "");
	check_strip("tail\033", "tail\033");
	check_strip("tail\033[", "tail");
	check_strip("tail\033[1;3", "tail");
}

static int
teardown_all(void **state)
{
	(void)state;
	redact_free_patterns();
	re_free_all();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(argv_should_match_every_system_call_exactly),
		cmocka_unit_test(argv_should_match_every_business_call_exactly),
		cmocka_unit_test(argv_should_run_step7_with_the_venv_python_and_the_bundled_script),
		cmocka_unit_test(argv_should_add_profile_to_business_calls_only),
		cmocka_unit_test(argv_should_apply_the_user_agent_rule_to_every_call),
		cmocka_unit_test(argv_string_should_quote_only_what_the_shell_needs),
		cmocka_unit_test(argv_string_should_redact_credentials),
		cmocka_unit_test(parse_error_should_read_the_server_error_block),
		cmocka_unit_test(parse_error_should_read_a_lowercase_body_from_message),
		cmocka_unit_test(parse_error_should_read_the_plugin_sdkerror_block),
		cmocka_unit_test(parse_error_should_take_the_request_id_from_the_message_without_data),
		cmocka_unit_test(parse_error_should_read_plain_error_lines),
		cmocka_unit_test(parse_error_should_read_cobra_errors),
		cmocka_unit_test(parse_error_should_read_an_error_body_on_stdout),
		cmocka_unit_test(parse_error_should_cope_with_empty_input),
		cmocka_unit_test(parse_error_should_truncate_long_fields),
		cmocka_unit_test(parse_error_should_cut_on_characters_and_mask_before_cutting),
		cmocka_unit_test(error_kinds_should_classify_codes_and_statuses),
		cmocka_unit_test(exit3_tip_should_tell_configuration_from_other_refusals),
		cmocka_unit_test(version_should_parse_cli_output),
		cmocka_unit_test(version_should_reject_malformed_text),
		cmocka_unit_test(version_cmp_should_compare_numerically),
		cmocka_unit_test(plugin_missing_should_know_the_clis_messages),
		cmocka_unit_test(configure_list_should_find_the_current_profile),
		cmocka_unit_test(configure_list_should_find_a_wanted_profile),
		cmocka_unit_test(configure_list_should_report_an_invalid_current_profile),
		cmocka_unit_test(configure_list_should_reject_tables_it_cannot_read),
		cmocka_unit_test(configure_list_should_survive_odd_rows),
		cmocka_unit_test(strip_ansi_should_remove_colour_sequences),
	};

	return cmocka_run_group_tests_name("aliyun", tests, NULL, teardown_all);
}
