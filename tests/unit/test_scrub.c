/* SPDX-License-Identifier: Apache-2.0 */
/* test_scrub.c: what leaves ackprof (scrub.c): leak shapes, JSON kept valid, UTF-8, controls. */
#include <cjson/cJSON.h>

#include "unit.h"

#include "redact.h"
#include "scrub.h"
#include "utf8.h"

#define AKID	"LTAI5tLeakyKeyLeakyKey99"
#define SECRET	"Lk9vQ2xRt7mB4nW8pZ3cY6hJ1sD5fG0a"
#define TOKEN	"CAIS8gF1q6Ft5B2yfSjIr5bLeakyStsTokenQWERTYuiop1234567890abcdefGhIjKlMnOpQrStUvWxYz"
/* base64("LTAI5tLeakyKeyLeakyKey99:Lk9vQ2xRt7mB4nW8pZ3cY6hJ1sD5fG0a") */
#define BASIC	"TFRBSTV0TGVha3lLZXlMZWFreUtleTk5OkxrOXZRMnhSdDdtQjRuVzhwWjNjWTZoSjFzRDVmRzBh"

/* Pieces of the credentials that must never be seen (heads and tails of each). */
static const char *const pieces[] = { "LTAI5t", "LeakyKey99", "Lk9vQ2", "sD5fG0a", "CAIS8g",
	"QWERTYuiop", "StUvWxYz", "TFRBSTV0", "WTZoSjFzRDVmRzBh", NULL };

/* Every shape the adversarial review found (issue 11, item 5), and the older ones. */
static const char *const shapes[] = {
	"{'AccessKeySecret': '" SECRET "', 'AccessKeyId': '" AKID "'}",		/* Python repr */
	"ERROR: {'access_key_secret': '" SECRET "'}",
	"AccessKeySecret%3D" SECRET "&Region=cn",				/* URL-encoded */
	"%7B%22access_key_secret%22%3A%22" SECRET "%22%7D",
	"%22access_key_secret%22%3A%20%22" SECRET "%22",
	"access-key-secret: " SECRET,						/* hyphenated */
	"aliyun --access-key-id " AKID " --access-key-secret " SECRET,		/* flags */
	"--access-key-secret=" SECRET " --sts-token " TOKEN,
	"ALICLOUD_SECRET_KEY=" SECRET,
	"export ALICLOUD_ACCESS_KEY=" AKID,
	"AccessSecret=" SECRET,
	"Authorization: Basic " BASIC,
	"authorization=Basic%20" BASIC,
	"id LTAI5tLeakyKey\nLeakyKey99 is rotated",				/* split across lines */
	"SecurityToken=CAIS8gF1q6Ft5B2yfSjIr5bLeakyStsToken\nQWERTYuiop1234567890abcdefGhIjKl\nMnOpQrStUvWxYz\n",
	"token CAIS8gF1q6Ft5B2y\r\n  fSjIr5bLeakyStsTokenQWERTYuiop1234567890abcdefGhIjKlMnOpQrStUvWxYz",
	"AccessKeySecret:\n" SECRET,						/* key:\n<secret> */
	"AccessKeySecret:\n\t" SECRET,
	"access_key_secret\t" SECRET,						/* tab-separated */
	"AccessKeyId:\t" AKID "\tAccessKeySecret:\t" SECRET,
	"\"password\": \"" SECRET "\\\\\"",
	"password=" SECRET,
	"{\"access_key_secret\": \"" SECRET "\", \"sts_token\": \"" TOKEN "\"}",
	"Caller AccessKeyId=" AKID " SecurityToken=" TOKEN " access_key_secret=" SECRET,
	NULL
};

static void
no_piece(const char *where, const char *in, const char *out)
{
	int i;

	for (i = 0; pieces[i]; i++)
		if (strstr(out, pieces[i]))
			fail_msg("%s: \"%s\"\n  became \"%s\"\n  which holds \"%s\"", where, in, out,
			    pieces[i]);
}

static void
scrub_text_should_mask_every_leak_shape(void **state)
{
	int i;

	(void)state;
	for (i = 0; shapes[i]; i++) {
		char *got = scrub_text(shapes[i], strlen(shapes[i]), 1);

		no_piece("scrub_text", shapes[i], got);
		free(got);
		got = scrub_line(shapes[i]);
		no_piece("scrub_line", shapes[i], got);
		free(got);
	}
}

/* The same shapes as JSON string values (where the newline and tab are escaped in the text). */
static void
scrub_json_should_mask_every_leak_shape_and_stay_valid(void **state)
{
	int i;

	(void)state;
	for (i = 0; shapes[i]; i++) {
		cJSON *o = cJSON_CreateObject(), *back;
		char *s;

		cJSON_AddStringToObject(o, "message", shapes[i]);
		cJSON_AddItemToObject(o, "nested", cJSON_CreateStringArray(&shapes[i], 1));
		s = scrub_print(o, i % 2);
		assert_non_null(s);
		no_piece("scrub_print", shapes[i], s);
		back = cJSON_Parse(s);
		if (!cJSON_IsObject(back))
			fail_msg("not JSON: %s", s);
		cJSON_Delete(back);
		cJSON_Delete(o);
		free(s);
	}
}

static cJSON *
parse_scrubbed(const char *in, char **text)
{
	cJSON *j = cJSON_Parse(in), *back;

	assert_non_null(j);
	*text = scrub_print(j, 0);
	cJSON_Delete(j);
	back = cJSON_Parse(*text);
	if (!cJSON_IsObject(back))
		fail_msg("not JSON after scrubbing: %s\n  from: %s", *text, in);
	return back;
}

/* Issue 11, item 4: these documents came out invalid when the serialised text was redacted. */
static void
scrub_json_should_keep_documents_valid(void **state)
{
	static const char *const docs[] = {
		"{\"issues\":[{\"password\": 12345, \"title\": \"t\"}]}",
		"{\"signature\": null, \"a\": 1}",
		"{\"authorization\": {\"type\": \"Basic\", \"value\": \"" BASIC "\"}, \"b\": [1]}",
		"{\"detail\": \"password: abc\\\\\", \"next\": \"still here\"}",
		"{\"password\": \"abc\\\\\", \"next\": \"still here\"}",
		"{\"m\": \"access_key_secret=x\\\\\", \"n\": \"\\\"password\\\": \\\"y\\\\\\\\\\\"\"}",
		"{\"AccessKeySecret\": [\"" SECRET "\"], \"ok\": true, \"password\": false}",
		"{\"Authorization\": \"Basic " BASIC "\", \"x-acs-security-token\": \"" TOKEN "\"}",
		NULL
	};
	int i;

	(void)state;
	for (i = 0; docs[i]; i++) {
		char *s;
		cJSON *back = parse_scrubbed(docs[i], &s);

		no_piece("scrub_json", docs[i], s);
		assert_null(strstr(s, "12345"));
		assert_null(strstr(s, "abc"));
		cJSON_Delete(back);
		free(s);
	}
}

static void
scrub_json_should_keep_keys_and_harmless_values(void **state)
{
	char *s;
	cJSON *back = parse_scrubbed("{\"signature\": null, \"password\": 12345, \"enabled\": true,"
	    "\"issues\": [{\"authorization\": {\"k\": \"v\"}, \"title\": \"CPU throttling\"}],"
	    "\"progressToken\": 7, \"task_id\": \"qT7mYx2L\", \"key\": \"c1 default app\"}", &s), *v;

	(void)state;
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(back, "signature")));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(back, "password")->valuestring, "****");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(back, "enabled")));
	v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(back, "issues"), 0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(v, "authorization")->valuestring, "****");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(v, "title")->valuestring, "CPU throttling");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(back, "progressToken")->valueint, 7);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(back, "task_id")->valuestring, "qT7mYx2L");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(back, "key")->valuestring, "c1 default app");
	cJSON_Delete(back);
	free(s);
}

static void
scrub_json_should_repair_invalid_utf8_in_values_and_keys(void **state)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	(void)state;
	cJSON_AddStringToObject(o, "root_cause", "bad \xFF\xFE cut \xE5\x86 end");
	cJSON_AddStringToObject(o, "k\xC0\xAF", "v");
	s = scrub_print(o, 1);
	assert_true(utf8_valid(s, strlen(s)));
	assert_contains(s, "bad \xEF\xBF\xBD\xEF\xBF\xBD cut \xEF\xBF\xBD end");
	cJSON_Delete(o);
	free(s);
}

static void
scrub_line_should_escape_controls(void **state)
{
	char *s;

	(void)state;
	s = scrub_line("c1\nackprof: forged\r\x1b[31mred\x1b[0m\x07\x7f\xC2\x9B" "2J\ttab");
	assert_string_equal(s, "c1\\nackprof: forged\\r\\x1b[31mred\\x1b[0m\\x07\\x7f\\u009b2J\\ttab");
	free(s);
	s = scrub_text(LIT("keep\nlines\tand tabs\x1b]0;title\x07"), 1);
	assert_string_equal(s, "keep\nlines\tand tabs\\x1b]0;title\\x07");
	free(s);
	s = scrub_line("\xE4\xB8\xAD\xE6\x96\x87 \xC3\xA9 ok");	/* printable non-ASCII stays */
	assert_string_equal(s, "\xE4\xB8\xAD\xE6\x96\x87 \xC3\xA9 ok");
	free(s);
}

/* Issue 19, item 3: bidi controls and display-changing format characters ("Trojan Source"). */
static void
scrub_line_should_escape_bidi_and_format_characters(void **state)
{
	char *s;

	(void)state;
	s = scrub_text(LIT("a\u202Eb\u2066c\u2069d\u200Ee\u200Ff\u061Cg\u200Bh\u2060i\uFEFFj\u202Ak"), 1);
	assert_string_equal(s, "a\\u202eb\\u2066c\\u2069d\\u200ee\\u200ff\\u061cg\\u200bh"
	    "\\u2060i\\ufeffj\\u202ak");
	free(s);
	/* Neighbours stay: U+2010 (hyphen), U+2070, U+0627 (Arabic alef), U+FEFE. */
	s = scrub_line("\u2010\u2070\u0627\uFEFE");
	assert_string_equal(s, "\u2010\u2070\u0627\uFEFE");
	free(s);
}

/* A message cut after masking: never the head of an id, never half a character. */
static void
scrub_copy_should_mask_before_cutting_on_a_character(void **state)
{
	char msg[701], big[1200], dst[16];
	size_t i;

	(void)state;
	/* 690 bytes of text, then the id: a 700-byte cut used to leave "LTAI5tLe". */
	memset(big, 'x', 690);
	memcpy(big + 690, AKID " tail", strlen(AKID " tail") + 1);
	scrub_copy(msg, sizeof(msg), big, strlen(big));
	assert_null(strstr(msg, "LTAI5t"));
	assert_contains(msg, "LTAI****");
	for (i = 1; i <= sizeof(dst); i++) {
		scrub_copy(dst, i, "ab\xE4\xB8\xAD\xE6\x96\x87\xF0\x9F\x98\x80", 13);
		assert_true(strlen(dst) < i);
		assert_true(utf8_valid(dst, strlen(dst)));
	}
	assert_int_equal(scrub_cut("ab\xE4\xB8\xAD", 4), 2);
	assert_int_equal(scrub_cut("ab\xE4\xB8\xAD", 5), 5);
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
		cmocka_unit_test(scrub_text_should_mask_every_leak_shape),
		cmocka_unit_test(scrub_json_should_mask_every_leak_shape_and_stay_valid),
		cmocka_unit_test(scrub_json_should_keep_documents_valid),
		cmocka_unit_test(scrub_json_should_keep_keys_and_harmless_values),
		cmocka_unit_test(scrub_json_should_repair_invalid_utf8_in_values_and_keys),
		cmocka_unit_test(scrub_line_should_escape_controls),
		cmocka_unit_test(scrub_line_should_escape_bidi_and_format_characters),
		cmocka_unit_test(scrub_copy_should_mask_before_cutting_on_a_character),
	};

	return cmocka_run_group_tests_name("scrub", tests, NULL, teardown_all);
}
