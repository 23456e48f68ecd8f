/* SPDX-License-Identifier: Apache-2.0 */
/* test_contract.c: the JSON contract's fields (first, once, in UTC), the null window, the console url. */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "contract.h"

static char *
print(cJSON *doc)
{
	char *s = cJSON_PrintUnformatted(doc);

	assert_non_null(s);
	return s;
}

static void
stamp_should_put_the_contract_first_and_once(void **state)
{
	cJSON *doc = cJSON_Parse("{\"a\":1,\"kind\":\"old\",\"b\":[2]}");
	char *s;

	(void)state;
	contract_stamp(doc, "diagnosis", (time_t)1781083862);
	contract_stamp(doc, "diagnosis", (time_t)1781083862);	/* twice: still once each */
	s = print(doc);
	assert_true(strncmp(s, "{\"kind\":\"diagnosis\",\"schema_version\":1,\"ackprof_version\":\"", 57) == 0);
	assert_non_null(strstr(s, "\"started_at\":\"2026-06-10T09:31:02Z\",\"finished_at\":\""));
	assert_non_null(strstr(s, "Z\",\"a\":1,\"b\":[2]}"));
	assert_null(strstr(s, "old"));
	assert_int_equal(cJSON_GetArraySize(doc), 7);
	free(s);
	cJSON_Delete(doc);
	/* An empty document gets the five fields, and the list stays whole for the next item. */
	doc = cJSON_CreateObject();
	contract_stamp(doc, "dry_run", 0);
	cJSON_AddTrueToObject(doc, "dry_run");
	assert_int_equal(cJSON_GetArraySize(doc), 6);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "dry_run")));
	cJSON_Delete(doc);
}

static void
times_and_urls_should_follow_the_contract(void **state)
{
	cJSON *doc = cJSON_CreateObject();
	char t[32], *s;

	(void)state;
	contract_time(0, t, sizeof(t));
	assert_string_equal(t, "1970-01-01T00:00:00Z");
	contract_add_time(doc, "start_time", 0, 0);
	contract_add_time(doc, "end_time", 1, 1781083862);
	contract_url(doc, "/diagnose/detail/qT7mYx2L");
	s = print(doc);
	assert_string_equal(s, "{\"start_time\":null,\"end_time\":1781083862,"
	    "\"url\":\"https://alinux.console.aliyun.com/diagnose/detail/qT7mYx2L\","
	    "\"url_path\":\"/diagnose/detail/qT7mYx2L\"}");
	free(s);
	cJSON_Delete(doc);
	doc = cJSON_CreateObject();
	contract_url(doc, NULL);
	contract_url(doc, "https://example.com/x");	/* already absolute: kept */
	s = print(doc);
	assert_string_equal(s, "{\"url\":null,\"url_path\":null,\"url\":\"https://example.com/x\","
	    "\"url_path\":\"https://example.com/x\"}");
	free(s);
	cJSON_Delete(doc);
}

static void
version_should_name_the_build(void **state)
{
	cJSON *v = contract_version();
	static const char *const keys[] = { "version", "git_commit", "build_date", "compiler",
	    "cjson_version", "pcre2_version" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, keys[i]));

		assert_non_null(s);
		assert_true(*s != '\0');
	}
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "cjson_version")),
	    cJSON_Version());
	cJSON_Delete(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stamp_should_put_the_contract_first_and_once),
		cmocka_unit_test(times_and_urls_should_follow_the_contract),
		cmocka_unit_test(version_should_name_the_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
