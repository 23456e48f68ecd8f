/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_agenterr.c: the CLI 3.5.x agent-mode error envelope (src/agenterr.c) and what
 * the classification makes of it, beside 3.4.11's text for the same failure: each
 * failure class must come out the same under both.
 */
#include "unit.h"

#include "agenterr.h"
#include "aliyun.h"

/* 3.5.1, AI mode, cs GET refused (openapi/agent_error.go serverAgentError). */
static const char forbidden35[] =
    "{\"schemaVersion\":\"v1\",\"message\":\"User not authorized to operate on the specified resource.\","
    "\"error_code\":\"Forbidden.RAM\",\"status_code\":403,\"request_id\":\"B1F0C2D3-E4A5\","
    "\"recovery\":{\"action\":\"lookup_error_code\",\"hint\":\"Look up diagnostic solutions for error code Forbidden.RAM.\"}}\n";

static void
envelope_should_fill_code_message_request_id_and_status(void **state)
{
	struct cli_error e;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(agent_error_parse(LIT(forbidden35), &e), 1);
	assert_string_equal(e.code, "Forbidden.RAM");
	assert_string_equal(e.message, "User not authorized to operate on the specified resource.");
	assert_string_equal(e.request_id, "B1F0C2D3-E4A5");
	assert_int_equal(e.http_status, 403);
}

static void
envelope_should_be_found_after_other_lines_and_without_schema_version(void **state)
{
	/* 3.5.0 has no schemaVersion; a warning line may come first. */
	static const char text[] = "warning: something\n"
	    "  {\"message\":\"server error\",\"error_code\":\"Throttling.User\",\"status_code\":400,"
	    "\"recovery\":{\"action\":\"inspect_action_help\",\"command\":\"aliyun cs GET --help\",\"hint\":\"h\"}}\n";
	struct cli_error e;

	(void)state;
	assert_int_equal(agent_error_parse(LIT(text), &e), 1);
	assert_string_equal(e.code, "Throttling.User");
	assert_int_equal(e.http_status, 400);
	assert_true(cli_error_is_throttled(&e));
}

static void
other_json_should_not_pass_for_an_envelope(void **state)
{
	static const char *const texts[] = {
		"{\"message\":\"no recovery\"}",
		"{\"recovery\":{},\"message\":7}",
		"[{\"message\":\"m\",\"recovery\":{}}]",
		"{\"schemaVersion\":\"v1\",\"error\":{\"code\":\"INVALID_CLI_OUTPUT\",\"message\":\"m\"}}",
		"{\"message\":\"m\",\"recovery\":\"text\"}",
		"ERROR: SDK.ServerError\nErrorCode: Forbidden.RAM\n",
		"{\"message\":\"m\",\"recovery\":{", "",
	};
	struct cli_error e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		memset(&e, 0x5a, sizeof(e));
		assert_int_equal(agent_error_parse(texts[i], strlen(texts[i]), &e), 0);
		assert_int_equal((unsigned char)e.code[0], 0x5a);	/* left alone */
	}
}

static void
odd_status_codes_should_be_dropped(void **state)
{
	static const char text[] = "{\"message\":\"m\",\"status_code\":1e300,\"recovery\":{}}";
	static const char text2[] = "{\"message\":\"m\",\"status_code\":\"503\",\"recovery\":{}}";
	struct cli_error e;

	(void)state;
	assert_int_equal(agent_error_parse(LIT(text), &e), 1);
	assert_int_equal(e.http_status, 0);
	assert_int_equal(agent_error_parse(LIT(text2), &e), 1);
	assert_int_equal(e.http_status, 0);
}

static void
long_fields_should_be_cut_on_a_character(void **state)
{
	char text[3000], *p = text;
	struct cli_error e;
	int i;

	(void)state;
	p += sprintf(p, "{\"message\":\"");
	for (i = 0; i < 700; i++)
		p += sprintf(p, "\xe8\xaf\x8a");	/* 诊, 3 bytes */
	sprintf(p, "\",\"error_code\":\"X\",\"recovery\":{}}");
	assert_int_equal(agent_error_parse(text, strlen(text), &e), 1);
	assert_true(strlen(e.message) < sizeof(e.message));
	assert_int_equal(strlen(e.message) % 3, 0);
}

/* Each failure class: 3.4.11's rendering and 3.5.1's envelope classify alike. */
static void
both_renderings_should_classify_alike(void **state)
{
	static const struct {
		const char	*v34, *v35;
		int		 perm, nf, thr;
		const char	*code;
	} cases[] = {
		{ "ERROR: SDK.ServerError\nErrorCode: Forbidden.RAM\nRecommend: \nRequestId: R1\nMessage: denied\n",
		  "{\"message\":\"denied\",\"error_code\":\"Forbidden.RAM\",\"status_code\":403,\"request_id\":\"R1\",\"recovery\":{\"action\":\"a\",\"hint\":\"h\"}}",
		  1, 0, 0, "Forbidden.RAM" },
		{ "ERROR: SDK.ServerError\nErrorCode: ErrorClusterNotFound\nRecommend: \nRequestId: R2\nMessage: cluster not found\n",
		  "{\"message\":\"cluster not found\",\"error_code\":\"ErrorClusterNotFound\",\"status_code\":404,\"request_id\":\"R2\",\"recovery\":{\"action\":\"a\",\"hint\":\"h\"}}",
		  0, 1, 0, "ErrorClusterNotFound" },
		{ "Error: SDKError:\n   StatusCode: 429\n   Code: Throttling\n   Message: code: 429, slow down request id: R3\n   Data: {}\n",
		  "{\"message\":\"slow down\",\"error_code\":\"Throttling\",\"status_code\":429,\"request_id\":\"R3\",\"recovery\":{\"action\":\"a\",\"hint\":\"h\"}}",
		  0, 0, 1, "Throttling" },
		{ "Error: SDKError:\n   StatusCode: 400\n   Code: Sysom.TaskInProgress\n   Message: code: 400, busy request id: R4\n   Data: {}\n",
		  "{\"message\":\"busy\",\"error_code\":\"Sysom.TaskInProgress\",\"status_code\":400,\"request_id\":\"R4\",\"recovery\":{\"action\":\"a\",\"hint\":\"h\"}}",
		  0, 0, 0, "Sysom.TaskInProgress" },
	};
	struct cli_error a, b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cli_parse_error(cases[i].v34, "", &a);
		cli_parse_error(cases[i].v35, "", &b);
		assert_string_equal(a.code, cases[i].code);
		assert_string_equal(b.code, cases[i].code);
		assert_string_equal(a.request_id, b.request_id);
		assert_int_equal(cli_error_is_permission(&a, cases[i].v34), cases[i].perm);
		assert_int_equal(cli_error_is_permission(&b, cases[i].v35), cases[i].perm);
		assert_int_equal(cli_error_is_not_found(&a, NULL), cases[i].nf);
		assert_int_equal(cli_error_is_not_found(&b, NULL), cases[i].nf);
		assert_int_equal(cli_error_is_throttled(&a), cases[i].thr);
		assert_int_equal(cli_error_is_throttled(&b), cases[i].thr);
	}
}

static void
auth_action_should_come_from_the_denial_detail_only_when_it_is_an_action(void **state)
{
	static const char go_map[] = "ERROR: SDK.ServerError\nErrorCode: Forbidden.RAM\n"
	    "AccessDeniedDetail: map[AuthAction:sysom:InvokeDiagnosis AuthPrincipalType:SubUser]\n";
	static const char json[] = "Error: SDKError:\n   StatusCode: 403\n   Code: Forbidden.RAM\n"
	    "   Data: {\"AccessDeniedDetail\":{\"AuthAction\":\"cs:DescribeClusterDetail\"}}\n";
	static const char bad[] = "AccessDeniedDetail: map[AuthAction:$(rm -rf) x]\n";
	struct cli_error e;

	(void)state;
	cli_parse_error(go_map, "", &e);
	assert_string_equal(e.auth_action, "sysom:InvokeDiagnosis");
	cli_parse_error(json, "", &e);
	assert_string_equal(e.auth_action, "cs:DescribeClusterDetail");
	cli_parse_error(bad, "", &e);
	assert_string_equal(e.auth_action, "");
}

static void
throttling_codes_should_be_recognised(void **state)
{
	static const struct {
		const char	*code;
		int		 status, want;
	} cases[] = {
		{ "Throttling", 400, 1 }, { "Throttling.User", 400, 1 }, { "Throttling.Api", 0, 1 },
		{ "ServiceUnavailable", 503, 1 }, { "", 503, 1 }, { "", 429, 1 },
		{ "Forbidden.RAM", 403, 0 }, { "InternalError", 500, 0 }, { "NotThrottling", 400, 0 },
	};
	struct cli_error e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&e, 0, sizeof(e));
		snprintf(e.code, sizeof(e.code), "%s", cases[i].code);
		e.http_status = cases[i].status;
		assert_int_equal(cli_error_is_throttled(&e), cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(envelope_should_fill_code_message_request_id_and_status),
		cmocka_unit_test(envelope_should_be_found_after_other_lines_and_without_schema_version),
		cmocka_unit_test(other_json_should_not_pass_for_an_envelope),
		cmocka_unit_test(odd_status_codes_should_be_dropped),
		cmocka_unit_test(long_fields_should_be_cut_on_a_character),
		cmocka_unit_test(both_renderings_should_classify_alike),
		cmocka_unit_test(auth_action_should_come_from_the_denial_detail_only_when_it_is_an_action),
		cmocka_unit_test(throttling_codes_should_be_recognised),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
