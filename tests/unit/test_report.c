/* SPDX-License-Identifier: Apache-2.0 */
/* test_report.c: get-diagnosis-result bodies and the Step 9 report (report.c). */
#include <time.h>

#include <cjson/cJSON.h>

#include "unit.h"

#include "redact.h"
#include "report.h"
#include "target.h"
#include "util.h"

#define CID	"c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6"
#define AKID	"LTAI5tAbCdEfGhIjKlMnOp"

/* api-shapes.md §4: Running and Fail. */
static const char body_running[] =
    "{\"code\": \"Success\", \"message\": \"\", \"request_id\": \"9515E5A0-8905-59B0-9BBF-5F0BE568C3A0\",\n"
    " \"data\": {\"task_id\": \"qT7mYx2L\", \"status\": \"Running\", \"service_name\": \"ocd\", \"code\": 0, \"err_msg\": \"\",\n"
    "          \"result\": null, \"url\": \"/diagnose/detail/qT7mYx2L\",\n"
    "          \"created_at\": \"2026-06-10T09:31:02\", \"updated_at\": \"2026-06-10T09:31:05\"}}\n";

static const char body_fail[] =
    "{\"code\": \"Success\", \"message\": \"\", \"request_id\": \"D2B8\",\n"
    " \"data\": {\"task_id\": \"qT7mYx2L\", \"status\": \"Fail\", \"service_name\": \"ocd\", \"code\": 1,\n"
    "          \"err_msg\": \"Diagnosis failed: pod default/test-app-64cdcb7b98-gchks not found\", \"result\": null}}\n";

/* api-shapes.md §8: the result content, used as an object and as a JSON string. */
#define RESULT_CONTENT \
    "{\"diagnose_mode\": \"realtime\", \"product\": \"ACK\", \"summary\": {" \
    "\"overall_status\": \"Critical\"," \
    "\"root_cause\": \"Container app in pod default/test-app-64cdcb7b98-gchks was OOM-killed 3 times in 10 min: memory cgroup limit 512Mi, anon RSS 498Mi at kill time; page cache cannot be reclaimed below the limit.\"," \
    "\"suggestions\": [" \
    "\"Raise resources.limits.memory of container app to at least 768Mi\"," \
    "\"Check the application for a heap or connection-pool leak (RSS grows 12Mi/min)\"," \
    "\"Set requests.memory equal to limits.memory to avoid node-level memory pressure\"]}," \
    "\"issues\": [" \
    "{\"subsystem\": \"Memory\", \"severity\": \"Critical\", \"title\": \"Container OOM kill\"," \
    " \"detail\": \"3 oom_kill events for cgroup /kubepods/burstable/pod3f2e/app; limit 536870912 bytes, usage peak 536539136 bytes\"}," \
    "{\"subsystem\": \"CPU\", \"severity\": \"Warn\", \"title\": \"CPU throttling\"," \
    " \"detail\": \"nr_throttled/nr_periods = 41% over 60 s; quota 100000 us per 100000 us period\"}," \
    "{\"subsystem\": \"IO\", \"severity\": \"Info\", \"title\": \"IO latency normal\"," \
    " \"detail\": \"p99 await 3.1 ms on vda\"}]}"

static const char body_success_head[] =
    "{\"code\": \"Success\", \"message\": \"\", \"request_id\": \"6B0E2A3C-1F4D-5E6A-8B9C-0D1E2F3A4B5C\",\n"
    " \"data\": {\"task_id\": \"qT7mYx2L\", \"status\": \"Success\", \"service_name\": \"ocd\", \"code\": 0, \"err_msg\": \"\",\n"
    "  \"url\": \"/diagnose/detail/qT7mYx2L\", \"result\": ";

/* A Success body around `result`, which is JSON text (an object, a string, ...). */
static char *
success_body(const char *result)
{
	return xasprintf("%s%s}}", body_success_head, result);
}

/* A Success body whose data.result is the given content JSON-encoded as a string. */
static char *
success_body_string(const char *content)
{
	cJSON *s = cJSON_CreateString(content);
	char *enc = cJSON_PrintUnformatted(s), *b;

	b = success_body(enc);
	free(enc);
	cJSON_Delete(s);
	return b;
}

static void
parse_ok(const char *text, struct diag *d)
{
	char err[256] = "";

	if (diag_parse(text, strlen(text), d, err, sizeof(err)) != 0)
		fail_msg("diag_parse failed: %s\n%s", err, text);
}

/* A Success body's result (JSON text), the overall status and exit code it must give. */
struct shape {
	const char	*result;
	enum overall	 o;
	int		 rc;	/* -1: not checked */
};

#define OVERALL_STATUS(word)	"{\"summary\": {\"overall_status\": \"" word "\"}}"

static void
check_shapes(const struct shape *sh, size_t n)
{
	struct diag d;
	size_t i;
	char *b;

	for (i = 0; i < n; i++) {
		b = success_body(sh[i].result);
		parse_ok(b, &d);
		if (d.state != TASK_SUCCESS || d.overall != sh[i].o ||
		    (sh[i].rc >= 0 && diag_exit_code(&d) != sh[i].rc))
			fail_msg("result %s: state %d overall %d exit %d, want overall %d exit %d",
			    sh[i].result, d.state, d.overall, diag_exit_code(&d), sh[i].o, sh[i].rc);
		diag_free(&d);
		free(b);
	}
}

#define CHECK_SHAPES(table)	check_shapes(table, sizeof(table) / sizeof(table[0]))

static void
parse_bad(const char *text, char *err, size_t errlen)
{
	struct diag d;

	err[0] = '\0';
	if (diag_parse(text, strlen(text), &d, err, errlen) != -1)
		fail_msg("diag_parse accepted:\n%s", text);
	assert_true(err[0] != '\0');
	/* On failure nothing is left to free. */
	assert_null(d.status);
	assert_null(d.result);
	assert_null(d.issues);
}

/* The content of RESULT_CONTENT, read. */
static void
check_full_result_core(const struct diag *d)
{
	assert_int_equal(d->state, TASK_SUCCESS);
	assert_int_equal(d->overall, OVERALL_CRITICAL);
	assert_contains(d->root_cause, "OOM-killed 3 times");
	assert_int_equal(cJSON_GetArraySize(d->suggestions), 3);
	assert_int_equal(cJSON_GetArraySize(d->issues), 3);
	assert_true(cJSON_IsObject(d->result));
}

static void
check_full_result(const struct diag *d)
{
	assert_int_equal(d->state, TASK_SUCCESS);
	assert_string_equal(d->status, "Success");
	assert_int_equal(d->overall, OVERALL_CRITICAL);
	assert_string_equal(d->overall_raw, "Critical");
	assert_contains(d->root_cause, "OOM-killed 3 times");
	assert_string_equal(d->mode_raw, "realtime");
	assert_int_equal(cJSON_GetArraySize(d->suggestions), 3);
	assert_string_equal(cJSON_GetArrayItem(d->suggestions, 0)->valuestring,
	    "Raise resources.limits.memory of container app to at least 768Mi");
	assert_int_equal(cJSON_GetArraySize(d->issues), 3);
	assert_string_equal(issue_field(cJSON_GetArrayItem(d->issues, 1), issue_title_keys),
	    "CPU throttling");
	assert_true(cJSON_IsObject(d->result));
	assert_string_equal(d->url, "/diagnose/detail/qT7mYx2L");
	assert_int_equal(diag_exit_code(d), 2);
}

/* ---- diag_parse ---- */

static void
diag_should_read_a_running_task(void **state)
{
	struct diag d;

	(void)state;
	parse_ok(body_running, &d);
	assert_int_equal(d.state, TASK_PENDING);
	assert_string_equal(d.status, "Running");
	assert_null(d.result);
	assert_string_equal(d.url, "/diagnose/detail/qT7mYx2L");
	diag_free(&d);
}

static void
diag_should_read_ready_and_unknown_states(void **state)
{
	struct diag d;
	char *b;

	(void)state;
	b = xasprintf("{\"code\":\"Success\",\"data\":{\"status\":\"Ready\"}}");
	parse_ok(b, &d);
	assert_int_equal(d.state, TASK_PENDING);
	diag_free(&d);
	free(b);
	parse_ok("{\"code\":\"Success\",\"data\":{\"status\":\"Exploded\"}}", &d);
	assert_int_equal(d.state, TASK_UNKNOWN);
	assert_string_equal(d.status, "Exploded");
	diag_free(&d);
}

static void
diag_should_read_a_failed_task(void **state)
{
	struct diag d;

	(void)state;
	parse_ok(body_fail, &d);
	assert_int_equal(d.state, TASK_FAIL);
	assert_string_equal(d.err_msg, "Diagnosis failed: pod default/test-app-64cdcb7b98-gchks not found");
	assert_null(d.result);
	diag_free(&d);
}

static void
diag_should_read_a_result_object(void **state)
{
	struct diag d;
	char *b = success_body(RESULT_CONTENT);

	(void)state;
	parse_ok(b, &d);
	check_full_result(&d);
	diag_free(&d);
	free(b);
}

static void
diag_should_read_a_result_given_as_a_json_string(void **state)
{
	struct diag d;
	char *b = success_body_string(RESULT_CONTENT);

	(void)state;
	assert_non_null(strstr(b, "\"result\": \"{\\\"diagnose_mode"));
	parse_ok(b, &d);
	check_full_result(&d);
	diag_free(&d);
	free(b);
}

static void
diag_should_take_a_string_summary_as_the_root_cause(void **state)
{
	struct diag d;
	char *b = success_body("{\"summary\": \"  memory cgroup leak\", \"overall_status\": \"Warn\","
	    " \"suggestions\": \"restart the pod\"}");

	(void)state;
	parse_ok(b, &d);
	assert_string_equal(d.root_cause, "  memory cgroup leak");
	assert_int_equal(d.overall, OVERALL_WARN);
	assert_int_equal(cJSON_GetArraySize(d.suggestions), 1);
	assert_string_equal(cJSON_GetArrayItem(d.suggestions, 0)->valuestring, "restart the pod");
	assert_int_equal(cJSON_GetArraySize(d.issues), 0);
	assert_int_equal(diag_exit_code(&d), 1);
	diag_free(&d);
	free(b);
}

static void
diag_should_keep_a_result_string_that_is_not_json(void **state)
{
	struct diag d;
	char *b = success_body("\"the node was under memory pressure\"");

	(void)state;
	parse_ok(b, &d);
	assert_int_equal(d.state, TASK_SUCCESS);
	assert_string_equal(d.root_cause, "the node was under memory pressure");
	/* Kept as sent, and never called healthy: SysOM's text says nothing of a status. */
	assert_true(cJSON_IsString(d.result));
	assert_string_equal(d.result->valuestring, "the node was under memory pressure");
	assert_int_equal(d.overall, OVERALL_OTHER);
	assert_int_equal(diag_exit_code(&d), 1);
	diag_free(&d);
	free(b);
}

static void
diag_should_map_an_unknown_overall_status_to_other(void **state)
{
	struct diag d;
	char *b = success_body("{\"summary\": {\"overall_status\": \"Degraded\", \"root_cause\": \"x\"}}");

	(void)state;
	parse_ok(b, &d);
	assert_int_equal(d.overall, OVERALL_OTHER);
	assert_string_equal(d.overall_raw, "Degraded");
	assert_int_equal(diag_exit_code(&d), 1);
	diag_free(&d);
	free(b);
}

static void
diag_should_read_overall_status_without_regard_to_case(void **state)
{
	static const struct shape shapes[] = {
		{ OVERALL_STATUS("Info"), OVERALL_INFO, 0 }, { OVERALL_STATUS("info"), OVERALL_INFO, 0 },
		{ OVERALL_STATUS("Normal"), OVERALL_INFO, 0 }, { OVERALL_STATUS("WARN"), OVERALL_WARN, 1 },
		{ OVERALL_STATUS("Warning"), OVERALL_WARN, 1 },
		{ OVERALL_STATUS("critical"), OVERALL_CRITICAL, 2 },
		{ OVERALL_STATUS("Error"), OVERALL_CRITICAL, 2 },
	};

	(void)state;
	CHECK_SHAPES(shapes);
}

static void
diag_should_judge_by_the_worst_issue_without_an_overall_status(void **state)
{
	static const struct shape shapes[] = {
		{ "{\"summary\": {\"root_cause\": \"r\"}, \"issues\": [{\"level\": \"Info\", \"name\": \"a\"},"
		  " {\"level\": \"Warn\", \"name\": \"b\"}]}", OVERALL_WARN, 1 },
		{ "{\"issues\": [{\"status\": \"Critical\"}, {\"severity\": \"Warn\"}]}", OVERALL_CRITICAL, 2 },
	};

	(void)state;
	CHECK_SHAPES(shapes);
}

/*
 * A finished task whose result we cannot read (missing, null, a number, an array, an
 * object of unknown keys) still gives a report: every field unknown, the raw result
 * kept, the exit 1 (Unknown, treated as Warn), never 0.
 */
static void
diag_should_give_an_unknown_report_for_an_unknown_result_shape(void **state)
{
	static const char *const shapes[] = {
		"null", "42", "[1, {\"a\": 2}]", "true", "{}", "{\"foo\": {\"bar\": 1}}",
		"\"[\\\"x\\\"]\"", "{\"summary\": {}, \"issues\": []}", "{\"summary\": 7, \"issues\": \"x\"}",
	};
	struct diag d;
	size_t i;
	char *b;

	(void)state;
	parse_ok("{\"code\":\"Success\",\"data\":{\"task_id\":\"qT7mYx2L\",\"status\":\"Success\"}}", &d);
	assert_int_equal(d.state, TASK_SUCCESS);
	assert_int_equal(d.overall, OVERALL_OTHER);
	assert_null(d.result);
	assert_non_null(d.issues);
	assert_non_null(d.suggestions);
	assert_int_equal(diag_exit_code(&d), 1);
	diag_free(&d);
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		b = success_body(shapes[i]);
		parse_ok(b, &d);
		if (d.state != TASK_SUCCESS || d.overall != OVERALL_OTHER || diag_exit_code(&d) != 1 ||
		    d.issues == NULL || d.suggestions == NULL)
			fail_msg("result %s: state %d overall %d", shapes[i], d.state, d.overall);
		if (strcmp(shapes[i], "null") != 0 && d.result == NULL)
			fail_msg("result %s: the raw result was dropped", shapes[i]);
		diag_free(&d);
		free(b);
	}
}

/* SysOM's gateway and some services answer PascalCase (openapi_client.py's normalisation). */
static void
diag_should_read_pascal_case_envelopes(void **state)
{
	struct diag d;
	char err[256], *b;

	(void)state;
	b = xasprintf("{\"Code\": \"Success\", \"RequestId\": \"R\", \"Data\": {\"TaskId\": \"qT7mYx2L\","
	    " \"Status\": \"Success\", \"ErrMsg\": \"\", \"Result\": %s}}", RESULT_CONTENT);
	parse_ok(b, &d);
	assert_string_equal(d.status, "Success");
	assert_int_equal(d.overall, OVERALL_CRITICAL);
	assert_int_equal(cJSON_GetArraySize(d.issues), 3);
	diag_free(&d);
	free(b);
	parse_ok("{\"Code\": \"Success\", \"Data\": {\"Status\": \"Fail\", \"ErrMsg\": \"pod gone\"}}", &d);
	assert_int_equal(d.state, TASK_FAIL);
	assert_string_equal(d.err_msg, "pod gone");
	diag_free(&d);
	parse_bad("{\"Code\": \"Sysom.ClusterNotFound\", \"Message\": \"no such cluster\", \"Data\": null}",
	    err, sizeof(err));
	assert_string_equal(err, "Sysom.ClusterNotFound: no such cluster");
}

/* data.Result stands in when data.result is missing, null, "" or {}; never over a real one. */
static void
diag_should_take_data_result_capital_when_result_is_empty(void **state)
{
	static const char *const empties[] = { "null", "\"\"", "{}" };
	struct diag d;
	size_t i;
	char *b;

	(void)state;
	for (i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
		b = xasprintf("{\"code\": \"Success\", \"data\": {\"status\": \"Success\", \"result\": %s,"
		    " \"Result\": %s}}", empties[i], RESULT_CONTENT);
		parse_ok(b, &d);
		check_full_result_core(&d);
		diag_free(&d);
		free(b);
	}
	b = xasprintf("{\"code\": \"Success\", \"data\": {\"status\": \"Success\", \"Result\": %s}}",
	    RESULT_CONTENT);
	parse_ok(b, &d);
	check_full_result_core(&d);
	diag_free(&d);
	free(b);
	b = xasprintf("{\"code\": \"Success\", \"data\": {\"status\": \"Success\", \"result\": %s,"
	    " \"Result\": {\"summary\": {\"overall_status\": \"Info\"}}}}", RESULT_CONTENT);
	parse_ok(b, &d);
	assert_int_equal(d.overall, OVERALL_CRITICAL);
	diag_free(&d);
	free(b);
}

static void
diag_should_read_code_and_status_in_any_case(void **state)
{
	static const struct { const char *code, *status; enum task_state st; } cases[] = {
		{ "success", "success", TASK_SUCCESS }, { "SUCCESS", "SUCCESS", TASK_SUCCESS },
		{ "Success", "fail", TASK_FAIL }, { "success", "FAIL", TASK_FAIL },
		{ "SUCCESS", "running", TASK_PENDING }, { "success", "READY", TASK_PENDING },
	};
	struct diag d;
	size_t i;
	char *b;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b = xasprintf("{\"code\": \"%s\", \"data\": {\"status\": \"%s\", \"result\": %s}}",
		    cases[i].code, cases[i].status, RESULT_CONTENT);
		parse_ok(b, &d);
		if (d.state != cases[i].st)
			fail_msg("code %s status %s: state %d", cases[i].code, cases[i].status, d.state);
		assert_string_equal(d.status, cases[i].status);	/* shown as sent */
		if (d.state == TASK_SUCCESS)
			assert_int_equal(d.overall, OVERALL_CRITICAL);
		diag_free(&d);
		free(b);
	}
}

/* summary.cause and summary.suggestion (one string): what SysOM's memgraph answers carry. */
static void
diag_should_read_summary_cause_and_a_single_suggestion(void **state)
{
	struct diag d;
	char *b = success_body("{\"summary\": {\"overall_status\": \"Warn\", \"cause\": \"memcg leak in app\","
	    " \"suggestion\": \"restart the container and check its caches\"}}");

	(void)state;
	parse_ok(b, &d);
	assert_string_equal(d.root_cause, "memcg leak in app");
	assert_int_equal(cJSON_GetArraySize(d.suggestions), 1);
	assert_string_equal(cJSON_GetArrayItem(d.suggestions, 0)->valuestring,
	    "restart the container and check its caches");
	diag_free(&d);
	free(b);
	/* root_cause wins over cause, suggestions over suggestion. */
	b = success_body("{\"summary\": {\"overall_status\": \"Warn\", \"root_cause\": \"a\", \"cause\": \"b\","
	    " \"suggestions\": [\"c\"], \"suggestion\": \"d\"}}");
	parse_ok(b, &d);
	assert_string_equal(d.root_cause, "a");
	assert_int_equal(cJSON_GetArraySize(d.suggestions), 1);
	assert_string_equal(cJSON_GetArrayItem(d.suggestions, 0)->valuestring, "c");
	diag_free(&d);
	free(b);
}

/* The severity words of SysOM's clients, in any case, onto Info/Warn/Critical. */
static void
diag_should_map_every_severity_word(void **state)
{
	static const struct { const char *word; enum overall o; } cases[] = {
		{ "high", OVERALL_CRITICAL }, { "HIGH", OVERALL_CRITICAL }, { "critical", OVERALL_CRITICAL },
		{ "CRITICAL", OVERALL_CRITICAL }, { "error", OVERALL_CRITICAL }, { "Error", OVERALL_CRITICAL },
		{ "medium", OVERALL_WARN }, { "Medium", OVERALL_WARN }, { "warning", OVERALL_WARN },
		{ "WARNING", OVERALL_WARN }, { "low", OVERALL_WARN }, { "LOW", OVERALL_WARN },
		{ "info", OVERALL_INFO }, { "NORMAL", OVERALL_INFO }, { "ok", OVERALL_INFO },
		{ "severe-ish", OVERALL_OTHER },
	};
	struct shape sh[2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* As an issue's level, with no overall status, and as the overall status itself. */
		sh[0].result = xasprintf("{\"issues\": [{\"level\": \"%s\", \"item_name\": \"x\"}]}",
		    cases[i].word);
		sh[1].result = xasprintf(OVERALL_STATUS("%s"), cases[i].word);
		sh[0].o = sh[1].o = cases[i].o;
		sh[0].rc = sh[1].rc = -1;
		CHECK_SHAPES(sh);
		free((char *)sh[0].result);
		free((char *)sh[1].result);
	}
}

/* An issue whose severity is missing or unknown is no reason to call the pod healthy. */
static void
diag_should_not_call_healthy_beside_an_issue_it_cannot_rate(void **state)
{
	static const struct shape shapes[] = {
		{ "{\"issues\": [{\"severity\": \"Info\"}, {\"severity\": \"\u4e25\u91cd\"}]}", OVERALL_OTHER, 1 },
		{ "{\"issues\": [{\"severity\": \"Info\"}, {\"title\": \"no severity\"}]}", OVERALL_OTHER, 1 },
		{ "{\"issues\": [{\"severity\": \"ok\"}, {\"level\": 3}]}", OVERALL_OTHER, 1 },
		{ "{\"issues\": []}", OVERALL_OTHER, 1 },
		{ "{\"issues\": [{\"severity\": \"low\"}, {\"title\": \"?\"}, {\"level\": \"HIGH\"}]}",
		  OVERALL_CRITICAL, 2 },
	};

	(void)state;
	CHECK_SHAPES(shapes);
}

static void
issue_field_should_read_the_title_keys_of_sysom_clients(void **state)
{
	static const char *const items[] = {
		"{\"item_name\": \"sysom:metric:memory_usage_rate\"}",
		"{\"itemName\": \"sysom:metric:memory_usage_rate\"}",
		"{\"metric\": \"sysom:metric:memory_usage_rate\"}",
	};
	size_t i;
	cJSON *it;

	(void)state;
	for (i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		it = cJSON_Parse(items[i]);
		assert_string_equal(issue_field(it, issue_title_keys), "sysom:metric:memory_usage_rate");
		cJSON_Delete(it);
	}
}

static void
diag_should_report_a_non_success_code(void **state)
{
	char err[256];

	(void)state;
	parse_bad("{\"code\": \"Sysom.ClusterNotFound\", \"message\": \"The specified ACK cluster was not found.\", \"data\": null, \"request_id\": \"1E0D\"}",
	    err, sizeof(err));
	assert_string_equal(err, "Sysom.ClusterNotFound: The specified ACK cluster was not found.");
	parse_bad("{\"code\": \"Sysom.InvalidParameter\", \"data\": {\"status\": \"Success\"}}", err,
	    sizeof(err));
	assert_contains(err, "Sysom.InvalidParameter");
}

static void
diag_should_reject_text_that_is_not_a_json_object(void **state)
{
	char err[256];

	(void)state;
	parse_bad("", err, sizeof(err));
	parse_bad("not json", err, sizeof(err));
	parse_bad("[1,2]", err, sizeof(err));
	parse_bad("{\"code\":\"Success\",", err, sizeof(err));
	parse_bad("{\"code\":\"Success\",\"data\":null}", err, sizeof(err));
	parse_bad("{\"code\":\"Success\",\"data\":{}}", err, sizeof(err));
	parse_bad("{\"code\":\"Success\",\"data\":{\"status\":3}}", err, sizeof(err));
}

static void
diag_should_read_only_len_bytes(void **state)
{
	struct diag d;
	char err[64];
	size_t n = strlen(body_running);
	char *b = malloc(n + 10);

	(void)state;
	memcpy(b, body_running, n);
	memcpy(b + n, "garbage!!", 10);
	assert_int_equal(diag_parse(b, n, &d, err, sizeof(err)), 0);
	diag_free(&d);
	/* Cut short: not JSON. */
	assert_int_equal(diag_parse(b, n / 2, &d, err, sizeof(err)), -1);
	free(b);
}

static void
diag_should_give_an_empty_issue_list_when_issues_are_missing(void **state)
{
	struct diag d;
	char *b = success_body("{\"summary\": {\"overall_status\": \"Info\", \"root_cause\": \"\"}}");

	(void)state;
	parse_ok(b, &d);
	assert_non_null(d.issues);
	assert_int_equal(cJSON_GetArraySize(d.issues), 0);
	assert_non_null(d.suggestions);
	assert_int_equal(cJSON_GetArraySize(d.suggestions), 0);
	assert_int_equal(diag_exit_code(&d), 0);
	diag_free(&d);
	free(b);
	b = success_body("{\"summary\": {\"overall_status\": \"Info\"}, \"issues\": {\"a\": 1}}");
	parse_ok(b, &d);
	assert_int_equal(cJSON_GetArraySize(d.issues), 0);
	diag_free(&d);
	free(b);
}

static void
issue_field_should_accept_alternative_key_names(void **state)
{
	cJSON *it = cJSON_Parse("{\"level\": \"Warn\", \"name\": \"Run queue long\","
	    " \"description\": \"load 12 on 4 CPUs\", \"category\": \"CPU\", \"severity\": \"\"}");

	(void)state;
	assert_string_equal(issue_field(it, issue_severity_keys), "Warn");
	assert_string_equal(issue_field(it, issue_title_keys), "Run queue long");
	assert_string_equal(issue_field(it, issue_detail_keys), "load 12 on 4 CPUs");
	assert_string_equal(issue_field(it, issue_area_keys), "CPU");
	cJSON_Delete(it);
	it = cJSON_Parse("[1]");
	assert_null(issue_field(it, issue_title_keys));
	cJSON_Delete(it);
	it = cJSON_Parse("{\"title\": 5}");
	assert_null(issue_field(it, issue_title_keys));
	cJSON_Delete(it);
}

static void
diag_should_take_suggestions_given_as_objects(void **state)
{
	struct diag d;
	char *b = success_body("{\"summary\": {\"overall_status\": \"Warn\", \"suggestions\": ["
	    "{\"description\": \"first\"}, {\"title\": \"second\"}, 7, \"third\", {}]}}");

	(void)state;
	parse_ok(b, &d);
	assert_int_equal(cJSON_GetArraySize(d.suggestions), 3);
	assert_string_equal(cJSON_GetArrayItem(d.suggestions, 0)->valuestring, "first");
	assert_string_equal(cJSON_GetArrayItem(d.suggestions, 1)->valuestring, "second");
	assert_string_equal(cJSON_GetArrayItem(d.suggestions, 2)->valuestring, "third");
	diag_free(&d);
	free(b);
}

/* ---- rendering ---- */

static char *
render(void (*fn)(FILE *, const struct report *), const struct report *r)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);

	assert_non_null(f);
	fn(f, r);
	fclose(f);
	return mem;
}

static void
fill_report(struct report *r, const struct diag *d, int historical)
{
	memset(r, 0, sizeof(*r));
	r->cluster_id = CID;
	r->cluster_name = "prod-web";
	r->region = "cn-hangzhou";
	r->namespace = "default";
	r->pod = "test-app-64cdcb7b98-gchks";
	r->description = "pod_oom";
	r->historical = historical;
	r->start_time = historical ? 1781083860 : 0;	/* 2026-06-10 09:31:00 UTC */
	r->end_time = historical ? 1781092800 : 0;	/* 2026-06-10 12:00:00 UTC */
	r->task_id = "qT7mYx2L";
	r->polls = 4;
	r->diag = d;
}

static void
report_text_should_show_the_step9_layout(void **state)
{
	struct diag d;
	struct report r;
	char *b = success_body(RESULT_CONTENT), *out;

	(void)state;
	parse_ok(b, &d);
	fill_report(&r, &d, 0);
	out = render(report_text, &r);
	assert_contains(out, "default/test-app-64cdcb7b98-gchks");
	assert_contains(out, "prod-web (" CID "), cn-hangzhou");
	assert_contains(out, "real-time");
	assert_not_contains(out, "historical");
	assert_contains(out, "qT7mYx2L (Success)");
	assert_contains(out, "Status:       Critical\n");
	assert_contains(out, "Root cause\n  Container app in pod default/test-app-64cdcb7b98-gchks was OOM-killed");
	assert_contains(out, "Issues (3)\n");
	assert_contains(out, "[Critical] Memory: Container OOM kill\n");
	assert_contains(out, "[Warn] CPU: CPU throttling\n");
	assert_contains(out, "[Info] IO: IO latency normal\n");
	assert_contains(out, "      p99 await 3.1 ms on vda\n");
	assert_contains(out, "  1. Raise resources.limits.memory of container app to at least 768Mi\n");
	assert_contains(out, "  2. Check the application");
	assert_contains(out, "  3. Set requests.memory");
	assert_contains(out, "Description:  pod_oom");
	free(out);
	diag_free(&d);
	free(b);
}

static void
report_text_should_show_a_historical_window(void **state)
{
	struct diag d;
	struct report r;
	char *b = success_body(RESULT_CONTENT), *out;

	(void)state;
	parse_ok(b, &d);
	fill_report(&r, &d, 1);
	out = render(report_text, &r);
	assert_contains(out, "historical, 2026-06-10 09:31:00 to 2026-06-10 12:00:00");
	assert_contains(out, "1781083860-1781092800");
	assert_not_contains(out, "real-time");
	free(out);
	diag_free(&d);
	free(b);
}

static void
report_text_should_say_none_for_a_healthy_result(void **state)
{
	struct diag d;
	struct report r;
	char *b = success_body("{\"summary\": {\"overall_status\": \"Info\", \"root_cause\": \"\","
	    " \"suggestions\": []}, \"issues\": []}"), *out;

	(void)state;
	parse_ok(b, &d);
	fill_report(&r, &d, 0);
	r.cluster_name = NULL;
	r.region = NULL;
	out = render(report_text, &r);
	assert_contains(out, "Status:       Info\n");
	assert_contains(out, "None found");
	assert_contains(out, "Issues (0)\n  none\n");
	assert_contains(out, "Recommendations\n  none\n");
	assert_contains(out, "Cluster:      " CID ", unknown\n");
	free(out);
	r.namespace = NULL;
	r.pod = "";
	r.cluster_id = NULL;
	r.mode_unknown = 1;
	out = render(report_text, &r);
	assert_contains(out, "SysOM diagnosis of pod unknown/unknown\n");
	assert_contains(out, "Cluster:      unknown, unknown\n");
	assert_contains(out, "Mode:         unknown\n");
	assert_null(strstr(out, "(null)"));
	free(out);
	out = render(report_markdown, &r);
	assert_contains(out, "`unknown/unknown`");
	assert_null(strstr(out, "(null)"));
	free(out);
	diag_free(&d);
	free(b);
}

static void
report_text_should_show_issues_with_alternative_keys_and_odd_items(void **state)
{
	struct diag d;
	struct report r;
	char *b = success_body("{\"summary\": {\"overall_status\": \"Degraded\"}, \"issues\": ["
	    "{\"level\": \"Warn\", \"name\": \"Run queue long\", \"description\": \"load 12 on 4 CPUs\"},"
	    "{\"metric\": 3}]}"), *out;

	(void)state;
	parse_ok(b, &d);
	fill_report(&r, &d, 0);
	out = render(report_text, &r);
	assert_contains(out, "[Warn] Run queue long\n      load 12 on 4 CPUs\n");
	assert_contains(out, "[-] {\"metric\":3}\n");
	assert_contains(out, "Unknown (SysOM said \"Degraded\"; treated as Warn)");
	free(out);
	diag_free(&d);
	free(b);
}

static void
report_should_mask_secrets_in_the_result(void **state)
{
	struct diag d;
	struct report r;
	char *b = success_body("{\"summary\": {\"overall_status\": \"Warn\", \"root_cause\": "
	    "\"key " AKID " leaked in env\", \"suggestions\": [\"rotate access_key_secret=abc123xyz\"]},"
	    " \"issues\": [{\"severity\": \"Warn\", \"title\": \"STS.NUkmP4Tg7Kn3KmYx9wBDgd8Xz in logs\"}]}");
	char *out;

	(void)state;
	parse_ok(b, &d);
	fill_report(&r, &d, 0);
	out = render(report_text, &r);
	assert_not_contains(out, "5tAbCd");
	assert_not_contains(out, "abc123xyz");
	assert_not_contains(out, "NUkmP4");
	assert_contains(out, "key LTAI**** leaked");
	free(out);
	out = render(report_markdown, &r);
	assert_not_contains(out, "5tAbCd");
	assert_not_contains(out, "abc123xyz");
	assert_not_contains(out, "NUkmP4");
	free(out);
	diag_free(&d);
	free(b);
}

static void
report_markdown_should_follow_the_template(void **state)
{
	struct diag d;
	struct report r;
	char *b = success_body(RESULT_CONTENT), *out;

	(void)state;
	parse_ok(b, &d);
	fill_report(&r, &d, 1);
	out = render(report_markdown, &r);
	assert_contains(out, "## SysOM diagnosis: `default/test-app-64cdcb7b98-gchks`\n");
	assert_contains(out, "| Cluster | prod-web (`" CID "`) |\n");
	assert_contains(out, "| Region | cn-hangzhou |\n");
	assert_contains(out, "| Mode | historical, 2026-06-10 09:31:00 to 2026-06-10 12:00:00");
	assert_contains(out, "| Overall status | **Critical** |\n");
	assert_contains(out, "### Root cause\n\nContainer app in pod");
	assert_contains(out, "### Issues (3)\n");
	assert_contains(out, "| Critical | Memory | Container OOM kill | 3 oom_kill events");
	assert_contains(out, "| Warn | CPU | CPU throttling |");
	assert_contains(out, "\n1. Raise resources.limits.memory");
	assert_contains(out, "\n2. Check the application");
	assert_contains(out, "\n3. Set requests.memory");
	free(out);
	fill_report(&r, &d, 0);
	out = render(report_markdown, &r);
	assert_contains(out, "| Mode | real-time |\n");
	free(out);
	diag_free(&d);
	free(b);
}

static void
report_markdown_should_keep_table_rows_whole(void **state)
{
	struct diag d;
	struct report r;
	char *b = success_body("{\"summary\": {\"overall_status\": \"Warn\"}, \"issues\": ["
	    "{\"severity\": \"Warn\", \"title\": \"a | b\", \"detail\": \"line1\\nline2\"}]}"), *out;

	(void)state;
	parse_ok(b, &d);
	fill_report(&r, &d, 0);
	out = render(report_markdown, &r);
	assert_contains(out, "| Warn | - | a \\| b | line1<br>line2 |\n");
	free(out);
	diag_free(&d);
	free(b);
}

static void
report_json_should_carry_every_field(void **state)
{
	struct diag d;
	struct report r;
	char *b = success_body_string(RESULT_CONTENT);
	cJSON *calls = cJSON_CreateArray(), *doc, *v;

	(void)state;
	cJSON_AddItemToArray(calls, cJSON_CreateString("one call"));
	parse_ok(b, &d);
	fill_report(&r, &d, 1);
	r.calls = calls;
	doc = report_json(&r, 2);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(doc, "cluster_id")->valuestring, CID);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(doc, "region")->valuestring, "cn-hangzhou");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(doc, "namespace")->valuestring, "default");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(doc, "pod")->valuestring,
	    "test-app-64cdcb7b98-gchks");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(doc, "mode")->valuestring, "historical");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(doc, "start_time")->valuedouble, 1781083860);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(doc, "end_time")->valuedouble, 1781092800);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(doc, "task_id")->valuestring, "qT7mYx2L");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(doc, "status")->valuestring, "Success");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(doc, "overall_status")->valuestring,
	    "Critical");
	assert_contains(cJSON_GetObjectItemCaseSensitive(doc, "root_cause")->valuestring,
	    "OOM-killed 3 times");
	v = cJSON_GetObjectItemCaseSensitive(doc, "suggestions");
	assert_true(cJSON_IsArray(v));
	assert_int_equal(cJSON_GetArraySize(v), 3);
	v = cJSON_GetObjectItemCaseSensitive(doc, "issues");
	assert_true(cJSON_IsArray(v));
	assert_int_equal(cJSON_GetArraySize(v), 3);
	v = cJSON_GetObjectItemCaseSensitive(doc, "result");
	assert_true(cJSON_IsObject(v));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(v, "diagnose_mode")->valuestring, "realtime");
	v = cJSON_GetObjectItemCaseSensitive(doc, "calls");
	assert_true(cJSON_IsArray(v));
	assert_int_equal(cJSON_GetArraySize(v), 1);
	assert_string_equal(cJSON_GetArrayItem(v, 0)->valuestring, "one call");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(doc, "exit_code")->valuedouble, 2);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(doc, "polls")->valuedouble, 4);
	/* The document owns copies: deleting the inputs first must be safe. */
	diag_free(&d);
	cJSON_Delete(calls);
	v = cJSON_GetObjectItemCaseSensitive(doc, "issues");
	assert_string_equal(issue_field(cJSON_GetArrayItem(v, 0), issue_title_keys),
	    "Container OOM kill");
	cJSON_Delete(doc);
	free(b);
}

static void
report_json_should_describe_a_realtime_run_and_missing_values(void **state)
{
	struct diag d;
	struct report r;
	char *b = success_body("{\"summary\": {\"overall_status\": \"Info\"}}");
	cJSON *doc;

	(void)state;
	parse_ok(b, &d);
	fill_report(&r, &d, 0);
	r.region = NULL;
	r.calls = NULL;
	doc = report_json(&r, 0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(doc, "mode")->valuestring, "realtime");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(doc, "start_time")->valuedouble, 0);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(doc, "end_time")->valuedouble, 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc, "region")));
	assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "calls")));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(doc, "root_cause")->valuestring, "");
	cJSON_Delete(doc);
	diag_free(&d);
	free(b);
}

/* The -o json path prints the document and redacts the text (workflow.c render()). */
static char *
json_as_printed(const struct report *r)
{
	cJSON *doc = report_json(r, 1);
	char *s = cJSON_Print(doc), *red = redacts(s);

	cJSON_Delete(doc);
	free(s);
	return red;
}

static void
report_json_should_not_leak_plain_secrets_once_printed(void **state)
{
	struct diag d;
	struct report r;
	char *b = success_body("{\"summary\": {\"overall_status\": \"Warn\", \"root_cause\": "
	    "\"env has access_key_secret=abc123xyz and " AKID "\"}}"), *out;
	cJSON *back;

	(void)state;
	parse_ok(b, &d);
	fill_report(&r, &d, 0);
	out = json_as_printed(&r);
	assert_not_contains(out, "abc123xyz");
	assert_not_contains(out, "5tAbCd");
	back = cJSON_Parse(out);
	assert_true(cJSON_IsObject(back));
	cJSON_Delete(back);
	free(out);
	diag_free(&d);
	free(b);
}

/* A quoted secret in a result string is printed by cJSON_Print as
 * \"access_key_secret\": \"abc123xyz\"; it must not survive redacts() in -o json. */
static void
report_json_should_not_leak_quoted_secrets_once_printed(void **state)
{
	struct diag d;
	struct report r;
	char *b = success_body("{\"summary\": {\"overall_status\": \"Warn\", \"root_cause\": "
	    "\"config: {\\\"access_key_secret\\\": \\\"abc123xyz\\\"}\"}}"), *out;

	(void)state;
	parse_ok(b, &d);
	fill_report(&r, &d, 0);
	out = json_as_printed(&r);
	assert_not_contains(out, "abc123xyz");
	free(out);
	diag_free(&d);
	free(b);
}

/* An unknown shape: the report still comes, fields unknown, the raw result kept in JSON. */
static void
report_should_render_an_unknown_result_shape(void **state)
{
	struct diag d;
	struct report r;
	char *b = success_body("[{\"odd\": \"shape\"}]"), *out;
	cJSON *doc, *res;

	(void)state;
	parse_ok(b, &d);
	fill_report(&r, &d, 0);
	out = render(report_text, &r);
	assert_contains(out, "Status:       Unknown (SysOM gave no overall status; treated as Warn)\n");
	assert_contains(out, "Root cause\n  unknown: SysOM's result names none (its raw result is in -o json)\n");
	assert_not_contains(out, "None found");
	assert_not_contains(out, "Info");
	free(out);
	out = render(report_markdown, &r);
	assert_contains(out, "unknown: SysOM's result names none");
	free(out);
	doc = report_json(&r, 1);
	assert_string_equal(cJSON_GetObjectItem(doc, "overall_status")->valuestring, "Unknown");
	res = cJSON_GetObjectItem(doc, "result");
	assert_true(cJSON_IsArray(res));
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(res, 0), "odd")->valuestring, "shape");
	cJSON_Delete(doc);
	diag_free(&d);
	free(b);
}

/* The skill's rule: SysOM's suggestions need the owner's approval; said once, under them. */
static void
report_should_say_that_suggestions_need_approval(void **state)
{
	struct diag d;
	struct report r;
	char *b = success_body(RESULT_CONTENT), *out;

	(void)state;
	parse_ok(b, &d);
	fill_report(&r, &d, 0);
	out = render(report_text, &r);
	assert_contains(out, "Recommendations\n  These are SysOM's suggestions: some may be high-risk. "
	    "Carry none out without the approval of the cluster's owner.\n  1. Raise");
	free(out);
	out = render(report_markdown, &r);
	assert_contains(out, "### Recommendations\n\n> These are SysOM's suggestions: some may be high-risk. "
	    "Carry none out without the approval of the cluster's owner.\n\n1. Raise");
	free(out);
	diag_free(&d);
	free(b);
	/* No suggestion, nothing to approve. */
	b = success_body("{\"summary\": {\"overall_status\": \"Info\"}}");
	parse_ok(b, &d);
	fill_report(&r, &d, 0);
	out = render(report_text, &r);
	assert_not_contains(out, "approval");
	free(out);
	diag_free(&d);
	free(b);
}

static void
overall_name_should_name_every_value(void **state)
{
	(void)state;
	assert_string_equal(overall_name(OVERALL_INFO), "Info");
	assert_string_equal(overall_name(OVERALL_WARN), "Warn");
	assert_string_equal(overall_name(OVERALL_CRITICAL), "Critical");
	assert_string_equal(overall_name(OVERALL_OTHER), "Unknown");
}

static int
setup_all(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
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
		cmocka_unit_test(diag_should_read_a_running_task),
		cmocka_unit_test(diag_should_read_ready_and_unknown_states),
		cmocka_unit_test(diag_should_read_a_failed_task),
		cmocka_unit_test(diag_should_read_a_result_object),
		cmocka_unit_test(diag_should_read_a_result_given_as_a_json_string),
		cmocka_unit_test(diag_should_take_a_string_summary_as_the_root_cause),
		cmocka_unit_test(diag_should_keep_a_result_string_that_is_not_json),
		cmocka_unit_test(diag_should_map_an_unknown_overall_status_to_other),
		cmocka_unit_test(diag_should_read_overall_status_without_regard_to_case),
		cmocka_unit_test(diag_should_judge_by_the_worst_issue_without_an_overall_status),
		cmocka_unit_test(diag_should_give_an_unknown_report_for_an_unknown_result_shape),
		cmocka_unit_test(diag_should_read_pascal_case_envelopes),
		cmocka_unit_test(diag_should_take_data_result_capital_when_result_is_empty),
		cmocka_unit_test(diag_should_read_code_and_status_in_any_case),
		cmocka_unit_test(diag_should_read_summary_cause_and_a_single_suggestion),
		cmocka_unit_test(diag_should_map_every_severity_word),
		cmocka_unit_test(diag_should_not_call_healthy_beside_an_issue_it_cannot_rate),
		cmocka_unit_test(issue_field_should_read_the_title_keys_of_sysom_clients),
		cmocka_unit_test(diag_should_report_a_non_success_code),
		cmocka_unit_test(diag_should_reject_text_that_is_not_a_json_object),
		cmocka_unit_test(diag_should_read_only_len_bytes),
		cmocka_unit_test(diag_should_give_an_empty_issue_list_when_issues_are_missing),
		cmocka_unit_test(issue_field_should_accept_alternative_key_names),
		cmocka_unit_test(diag_should_take_suggestions_given_as_objects),
		cmocka_unit_test(report_text_should_show_the_step9_layout),
		cmocka_unit_test(report_text_should_show_a_historical_window),
		cmocka_unit_test(report_text_should_say_none_for_a_healthy_result),
		cmocka_unit_test(report_text_should_show_issues_with_alternative_keys_and_odd_items),
		cmocka_unit_test(report_should_mask_secrets_in_the_result),
		cmocka_unit_test(report_markdown_should_follow_the_template),
		cmocka_unit_test(report_markdown_should_keep_table_rows_whole),
		cmocka_unit_test(report_json_should_carry_every_field),
		cmocka_unit_test(report_json_should_describe_a_realtime_run_and_missing_values),
		cmocka_unit_test(report_json_should_not_leak_plain_secrets_once_printed),
		cmocka_unit_test(report_json_should_not_leak_quoted_secrets_once_printed),
		cmocka_unit_test(report_should_render_an_unknown_result_shape),
		cmocka_unit_test(report_should_say_that_suggestions_need_approval),
		cmocka_unit_test(overall_name_should_name_every_value),
	};

	return cmocka_run_group_tests_name("report", tests, setup_all, teardown_all);
}
