/* SPDX-License-Identifier: Apache-2.0 */
/* test_redact.c: credential masking (redact.c). */
#include <cjson/cJSON.h>

#include "unit.h"

#include "redact.h"

#define AKID	"LTAI5tAbCdEfGhIjKlMnOp"
#define SECRET	"s3cr3tVALUEabc123XYZ/+="
#define TOKEN	"CAIS8gF1q6Ft5B2yfSjIr5bSEsKLhq5D"

/* redact() of s must be exactly want. */
static void
check(const char *s, const char *want)
{
	char *got = redacts(s);

	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("redact(\"%s\")\n  got  \"%s\"\n  want \"%s\"", s, got, want);
	free(got);
}

/* redact() of s must not contain any of the secrets. */
static void
check_gone(const char *s, const char *const *secrets)
{
	char *got = redacts(s);
	int i;

	assert_non_null(got);
	for (i = 0; secrets[i]; i++)
		if (strstr(got, secrets[i]))
			fail_msg("redact(\"%s\") = \"%s\" still holds \"%s\"", s, got, secrets[i]);
	free(got);
}

static void
unchanged(const char *s)
{
	check(s, s);
}

static void
redact_should_mask_accesskey_ids_whole(void **state)
{
	(void)state;
	check("key " AKID " end", "key LTAI**** end");
	check(AKID, "LTAI****");
	check("a=" AKID "," AKID, "a=LTAI****,LTAI****");
	check("LTAI12345678", "LTAI****");
	/* Not a single character of the id may remain beyond the LTAI prefix. */
	check_gone("id " AKID "\n", (const char *[]){ "5tAb", "MnOp", "tAbCdEf", NULL });
}

static void
redact_should_mask_json_secret_fields(void **state)
{
	(void)state;
	check("{\"access_key_secret\": \"" SECRET "\"}", "{\"access_key_secret\": \"****\"}");
	check("{\"AccessKeySecret\":\"" SECRET "\"}", "{\"AccessKeySecret\":\"****\"}");
	check("{\"access_key_secret\" : \"abc\"}", "{\"access_key_secret\" : \"****\"}");
	check("{\"sts_token\":\"" TOKEN "\"}", "{\"sts_token\":\"****\"}");
	check("{\"SecurityToken\": \"tok-123456\"}", "{\"SecurityToken\": \"****\"}");
	check("{\"access_key_id\": \"" AKID "\"}", "{\"access_key_id\": \"****\"}");
}

static void
redact_should_mask_key_value_and_key_colon_forms(void **state)
{
	(void)state;
	check("access_key_secret=abc123 next", "access_key_secret=**** next");
	check("access_key_secret = abc123", "access_key_secret = ****");
	check("AccessKeySecret: abc123\nRegion: cn-hangzhou",
	    "AccessKeySecret: ****\nRegion: cn-hangzhou");
	check("AccessKeySecret:abc", "AccessKeySecret:****");
	check("ALIBABA_CLOUD_ACCESS_KEY_SECRET=abcdef123", "ALIBABA_CLOUD_ACCESS_KEY_SECRET=****");
	check("ALIBABA_CLOUD_SECURITY_TOKEN=zzzzzzz", "ALIBABA_CLOUD_SECURITY_TOKEN=****");
	check("sts_token: " TOKEN, "sts_token: ****");
	check("x-acs-security-token: tok123", "x-acs-security-token: ****");
	check("password = hunter2", "password = ****");
}

static void
redact_should_mask_credentials_in_urls(void **state)
{
	const char *url = "ERROR: Post \"https://ecs.cn-hangzhou.aliyuncs.com/?AccessKeyId=" AKID
	    "&Action=DescribeRegions&SecurityToken=" TOKEN "&Signature=abc%2Bdef%3D\": dial tcp";
	char *got;

	(void)state;
	check_gone(url, (const char *[]){ AKID, "5tAbCd", TOKEN, "8gF1q6", "abc%2Bdef", NULL });
	got = redacts(url);
	assert_contains(got, "AccessKeyId=");
	assert_contains(got, "Action=DescribeRegions&");
	assert_contains(got, "https://ecs.cn-hangzhou.aliyuncs.com/?");
	assert_contains(got, "\": dial tcp");
	free(got);
}

static void
redact_should_mask_sts_ids_and_tokens(void **state)
{
	(void)state;
	check("id STS.NUkmP4Tg7Kn3KmYx9wBDgd8Xz end", "id STS.**** end");
	check("token " TOKEN, "token ****");
	check("Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "Bearer ****");
}

static void
redact_should_mask_the_id_in_an_authorization_header(void **state)
{
	(void)state;
	check_gone("Authorization: acs " AKID ":Zm9vYmFyc2lnbmF0dXJl",
	    (const char *[]){ AKID, "5tAbCd", NULL });
	check_gone("{\"Authorization\": \"acs " AKID ":Zm9vYmFyc2lnbmF0dXJl\"}",
	    (const char *[]){ AKID, "5tAbCd", NULL });
}

/* Regression (fixed): rule order in redact.c rules[]: the LTAI rule runs first and leaves
	 * "acs LTAI****:sig", then the key/value rule masks only the word "acs", and the
	 * Authorization rule no longer matches ('*' is outside its class), so the request
	 * signature survives: "Authorization: **** LTAI****:Zm9vYmFyc2lnbmF0dXJl".  Fix:
	 * redact.c rules[], move the "(acs|bearer)" rule to the top of the table. */
static void
redact_should_mask_the_signature_in_an_authorization_header(void **state)
{
	(void)state;
	check_gone("Authorization: acs " AKID ":Zm9vYmFyc2lnbmF0dXJl",
	    (const char *[]){ "Zm9vYmFyc2lnbmF0dXJl", NULL });
	check_gone("{\"Authorization\": \"acs " AKID ":Zm9vYmFyc2lnbmF0dXJl\"}",
	    (const char *[]){ "Zm9vYmFyc2lnbmF0dXJl", NULL });
}

static void
redact_should_leave_ordinary_text_alone(void **state)
{
	(void)state;
	unchanged("");
	unchanged("Container app in pod default/test-app-64cdcb7b98-gchks was OOM-killed 3 times");
	unchanged("task qT7mYx2L finished: Success");
	unchanged("cluster c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6 in cn-hangzhou");
	unchanged("RequestId: 8C1F0B52-6D3E-5B7A-9E21-44D0C6A1F7B3");
	unchanged("{\"request_id\": \"43A910E9-A739-525E-855D-A32C257F1826\", \"task_id\": \"qT7mYx2L\"}");
	unchanged("ErrorCode: Forbidden.RAM\nRecommend: https://api.aliyun.com/troubleshoot?"
	    "q=Forbidden.RAM&product=CS&requestId=8C1F0B52-6D3E-5B7A-9E21-44D0C6A1F7B3\n");
	unchanged("the password policy is strict; tokens expire");
	unchanged("LTAI is the prefix of an AccessKey id");
	unchanged("instance ack-c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6");
	unchanged("\xe5\x86\x85\xe5\xad\x98\xe6\xb3\x84\xe6\xbc\x8f");
}

/* Regression (fixed): the Authorization rule "(acs|bearer)\s+[A-Za-z0-9._+/=:-]{8,}" matches prose:
	 * the Step 5 unsupported-cluster template (workflow.c unsupported_template, printed
	 * through redacts()) comes out as "- ACS ****, ASK (Serverless Kubernetes) clusters".
	 * Fix: redact.c rules[], require the shape of an acs signature,
	 * "(?i)\\b(acs)\\s+[A-Za-z0-9.]{8,}:[A-Za-z0-9+/=]+" and keep bearer as its own rule. */
static void
redact_should_leave_prose_about_acs_clusters_alone(void **state)
{
	(void)state;
	unchanged("- ACS clusters, ASK (Serverless Kubernetes) clusters, Edge clusters, and other "
	    "non-Default profile clusters are NOT supported.\n");
	unchanged("acs products and services");
}

/* aliyun `configure get` prints the profile with tabs; the masked text must stay JSON. */
static void
redact_should_keep_json_valid(void **state)
{
	const char *in = "{\n"
	    "\t\"access_key_id\": \"" AKID "\",\n"
	    "\t\"access_key_secret\": \"" SECRET "\",\n"
	    "\t\"sts_token\": \"" TOKEN "\",\n"
	    "\t\"mode\": \"StsToken\",\n"
	    "\t\"region_id\": \"cn-hangzhou\"\n"
	    "}\n";
	char *got = redacts(in);
	cJSON *j = cJSON_Parse(got), *v;

	(void)state;
	if (!cJSON_IsObject(j))
		fail_msg("not JSON after redaction:\n%s", got);
	v = cJSON_GetObjectItemCaseSensitive(j, "access_key_secret");
	assert_true(cJSON_IsString(v));
	assert_string_equal(v->valuestring, "****");
	v = cJSON_GetObjectItemCaseSensitive(j, "access_key_id");
	assert_true(cJSON_IsString(v));
	assert_null(strstr(v->valuestring, "5tAb"));
	v = cJSON_GetObjectItemCaseSensitive(j, "sts_token");
	assert_true(cJSON_IsString(v));
	assert_string_equal(v->valuestring, "****");
	v = cJSON_GetObjectItemCaseSensitive(j, "region_id");
	assert_string_equal(v->valuestring, "cn-hangzhou");
	v = cJSON_GetObjectItemCaseSensitive(j, "mode");
	assert_string_equal(v->valuestring, "StsToken");
	cJSON_Delete(j);
	free(got);
}

/* The -o json document is cJSON_Print()ed, then redacted: nested objects included. */
static void
redact_should_keep_printed_cjson_valid(void **state)
{
	cJSON *o = cJSON_CreateObject(), *n = cJSON_CreateObject(), *back;
	char *text, *got;

	(void)state;
	cJSON_AddStringToObject(o, "AccessKeyId", AKID);
	cJSON_AddStringToObject(n, "access_key_secret", SECRET);
	cJSON_AddStringToObject(n, "note", "fine");
	cJSON_AddItemToObject(o, "nested", n);
	text = cJSON_Print(o);
	got = redacts(text);
	back = cJSON_Parse(got);
	if (!cJSON_IsObject(back))
		fail_msg("not JSON after redaction:\n%s", got);
	assert_null(strstr(got, SECRET));
	assert_null(strstr(got, AKID));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(back, "nested"), "note")->valuestring, "fine");
	cJSON_Delete(back);
	cJSON_Delete(o);
	free(text);
	free(got);
}

/*
 * A secret inside a JSON string value is written with escaped quotes
 * (\"access_key_secret\":\"abc123\"): the -o json case whenever a result or message
 * field carries JSON text.  (This failed at the first commit; src/redact.c now allows
 * the escaped quote.)
 */
static void
redact_should_mask_json_escaped_secrets_inside_strings(void **state)
{
	const char *in = "{\"message\":\"{\\\"access_key_secret\\\":\\\"abc123\\\"}\"}";
	char *got = redacts(in);
	cJSON *j = cJSON_Parse(got);

	(void)state;
	if (strstr(got, "abc123"))
		fail_msg("the escaped secret survived: %s", got);
	assert_true(cJSON_IsObject(j));
	cJSON_Delete(j);
	free(got);
	check_gone("{\"m\":\"{\\\"AccessKeySecret\\\": \\\"q1w2e3r4\\\", \\\"sts_token\\\":\\\"tok999\\\"}\"}",
	    (const char *[]){ "q1w2e3r4", "tok999", NULL });
}

/* Regression (fixed): the key/value rule stops a value at the first space, comma, '&', ';', '}'
	 * or ']', even inside quotes, so a quoted secret with a space leaks its tail:
	 * {"password": "a b c"} -> {"password": "**** b c"}.  Fix: redact.c, key/value
	 * rule: replace the tail
	 *   "\\\\?\"?\\s*[:=]\\s*\\\\?\"?)([^\"\\\\\\s,&;}\\]]+)"  with
	 *   "(?:\\\\?\")?\\s*[:=]\\s*)(?:(\\\\?\")(?:[^\"\\\\]|\\\\(?!\"))*|[^\"\\\\\\s,&;}\\]]+)"
	 * and the replacement "${1}****" with "${1}${2}****": a quoted value is masked
	 * up to its closing quote, escaped or not. */
static void
redact_should_mask_quoted_values_with_spaces_whole(void **state)
{
	(void)state;
	check("{\"password\": \"a b c\"}", "{\"password\": \"****\"}");
	check("password: \"a b\" rest", "password: \"****\" rest");
	check("{\"m\":\"{\\\"password\\\":\\\"x, y\\\"}\"}", "{\"m\":\"{\\\"password\\\":\\\"****\\\"}\"}");
}

static void
redact_should_read_only_len_bytes(void **state)
{
	char *got;

	(void)state;
	got = redact("LTAI tail " AKID, 9);
	assert_string_equal(got, "LTAI tail");
	free(got);
	got = redact(AKID "xyz", strlen(AKID));
	assert_string_equal(got, "LTAI****");
	free(got);
}

static void
redact_needed_should_tell_whether_anything_would_change(void **state)
{
	(void)state;
	assert_true(redact_needed(LIT("id " AKID)));
	assert_true(redact_needed(LIT("{\"access_key_secret\":\"x\"}")));
	assert_true(redact_needed(LIT("STS.NUkmP4Tg7Kn3KmYx9wBDgd8Xz")));
	assert_false(redact_needed(LIT("task qT7mYx2L finished")));
	assert_false(redact_needed(LIT("")));
	/* Only the first len bytes count. */
	assert_false(redact_needed("ok " AKID, 3));
}

/*
 * A rule's trigger word without its shape changes nothing, and the rules of other words
 * still run beside it (redact.c runs each rule only on its own trigger words).
 */
static void
redact_should_leave_trigger_words_without_a_credential_alone(void **state)
{
	static const char *const texts[] = {
		"3. Set requests.memory equal to limits.memory",	/* "sts." */
		"ACS clusters, ASK clusters and Edge clusters; profile 'acs'",
		"sts.abcdefghijklmnop and ltai12345678 and cais12345678901234567890",
		"the key to basic troubleshooting is a bearer of good news",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		unchanged(texts[i]);
		if (redact_needed(texts[i], strlen(texts[i])))
			fail_msg("redact_needed(\"%s\")", texts[i]);
	}
	check("requests.memory STS.NUkmP4Tg7Kn3KmYx9wBDgd8Xz profile acs " AKID,
	    "requests.memory STS.**** profile acs LTAI****");
	check("ACS clusters; password=hunter22", "ACS clusters; password=****");
}

static void
redact_should_handle_large_inputs(void **state)
{
	size_t n = 4u << 20, i;
	char *big = malloc(n + 1), *got;
	size_t hits = 0;
	const char *p;

	(void)state;
	for (i = 0; i < n; i++)
		big[i] = "abcdefghij klmnop\n"[i % 18];
	/* A secret every 64 KiB. */
	for (i = 1000; i + 40 < n; i += 65536)
		memcpy(big + i, " " AKID " ", strlen(AKID) + 2);
	big[n] = '\0';
	got = redact(big, n);
	assert_null(strstr(got, AKID));
	for (p = got; (p = strstr(p, "LTAI****")) != NULL; p++)
		hits++;
	assert_int_equal(hits, (n - 1040) / 65536 + 1);
	free(got);
	free(big);
}

/* Issue 11, item 5: the shapes that leaked, masked with their keys kept readable. */
static void
redact_should_mask_the_shapes_of_issue_11(void **state)
{
	(void)state;
	check("{'AccessKeySecret': '" SECRET "'}", "{'AccessKeySecret': '****'}");
	check("AccessKeySecret%3D" SECRET "&a=b", "AccessKeySecret%3D****&a=b");
	check("%22access_key_secret%22%3A%22" SECRET "%22%7D", "%22access_key_secret%22%3A%22****%22%7D");
	check("access-key-secret: " SECRET, "access-key-secret: ****");
	check("--access-key-secret " SECRET " --region cn", "--access-key-secret **** --region cn");
	check("ALICLOUD_SECRET_KEY=" SECRET, "ALICLOUD_SECRET_KEY=****");
	check("AccessSecret=" SECRET, "AccessSecret=****");
	check("Authorization: Basic TFRBSTV0OnNlY3JldA==", "Authorization: ****");
	check("id " AKID "\n", "id LTAI****\n");
	check("id LTAI5tAbCd\nEfGhIjKlMnOp rotated", "id LTAI**** rotated");
	check("sts_token\t" TOKEN, "sts_token\t****");
	check("cut at LTAI5tAb", "cut at LTAI****");
	check("split LTAI\n5tAbCdEfGhIjKlMnOp here", "split LTAI**** here");
	check("{\\\"m\\\": \\\"id LTAI5tAbCd\\nEfGhIjKlMnOp\\\"}", "{\\\"m\\\": \\\"id LTAI****\\\"}");
	check("STS.NUkm\nP4Tg7Kn3KmYx9wBDgd8Xz ok", "STS.**** ok");
}

/* The new rules leave prose alone: a masked word in a message misleads. */
static void
redact_should_leave_prose_alone_with_the_new_rules(void **state)
{
	(void)state;
	unchanged("basic troubleshooting steps");
	unchanged("Basic auth is off");
	unchanged("SignatureDoesNotMatch: the signature does not match");
	unchanged("the api key was rotated; the access key id is valid");
	unchanged("LTAI");
	unchanged("tests passed\nexists: yes");
}

static int
teardown_all(void **state)
{
	(void)state;
	redact_free_patterns();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(redact_should_mask_the_shapes_of_issue_11),
		cmocka_unit_test(redact_should_leave_prose_alone_with_the_new_rules),
		cmocka_unit_test(redact_should_mask_accesskey_ids_whole),
		cmocka_unit_test(redact_should_mask_json_secret_fields),
		cmocka_unit_test(redact_should_mask_key_value_and_key_colon_forms),
		cmocka_unit_test(redact_should_mask_credentials_in_urls),
		cmocka_unit_test(redact_should_mask_sts_ids_and_tokens),
		cmocka_unit_test(redact_should_mask_the_id_in_an_authorization_header),
/* Regression (fixed): see redact_should_mask_the_signature_in_an_authorization_header */
		cmocka_unit_test(redact_should_mask_the_signature_in_an_authorization_header),
		cmocka_unit_test(redact_should_leave_ordinary_text_alone),
/* Regression (fixed): see redact_should_leave_prose_about_acs_clusters_alone */
		cmocka_unit_test(redact_should_leave_prose_about_acs_clusters_alone),
		cmocka_unit_test(redact_should_keep_json_valid),
		cmocka_unit_test(redact_should_keep_printed_cjson_valid),
		cmocka_unit_test(redact_should_mask_json_escaped_secrets_inside_strings),
/* Regression (fixed): see redact_should_mask_quoted_values_with_spaces_whole */
		cmocka_unit_test(redact_should_mask_quoted_values_with_spaces_whole),
		cmocka_unit_test(redact_should_read_only_len_bytes),
		cmocka_unit_test(redact_needed_should_tell_whether_anything_would_change),
		cmocka_unit_test(redact_should_leave_trigger_words_without_a_credential_alone),
		cmocka_unit_test(redact_should_handle_large_inputs),
	};

	return cmocka_run_group_tests_name("redact", tests, NULL, teardown_all);
}
