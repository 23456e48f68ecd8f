/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agenterr.c: the CLI 3.5.x agent-mode error envelope, read into struct cli_error.
 * Each field is optional but message and recovery, which every structured agent
 * error carries (cli/agent_error.go: NewAgentError refuses an envelope without
 * them); unknown fields are ignored, as the CLI's documentation asks of consumers.
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "agenterr.h"
#include "aliyun.h"
#include "utf8.h"

/* Copy a JSON string into dst[size], cut on a character. */
static void
put(char *dst, size_t size, const cJSON *v)
{
	size_t n;

	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return;
	n = utf8_cut(v->valuestring, strlen(v->valuestring), size - 1);
	memcpy(dst, v->valuestring, n);
	dst[n] = '\0';
}

/* 1 when line is an envelope; its fields go into e. */
static int
envelope(const char *line, size_t len, struct cli_error *e)
{
	cJSON *j = cJSON_ParseWithLength(line, len);
	const cJSON *m, *r, *s;
	int ok;

	m = cJSON_GetObjectItemCaseSensitive(j, "message");
	r = cJSON_GetObjectItemCaseSensitive(j, "recovery");
	ok = cJSON_IsObject(j) && cJSON_IsString(m) && cJSON_IsObject(r);
	if (ok) {
		memset(e, 0, sizeof(*e));
		put(e->message, sizeof(e->message), m);
		put(e->code, sizeof(e->code), cJSON_GetObjectItemCaseSensitive(j, "error_code"));
		put(e->request_id, sizeof(e->request_id),
		    cJSON_GetObjectItemCaseSensitive(j, "request_id"));
		s = cJSON_GetObjectItemCaseSensitive(j, "status_code");
		if (cJSON_IsNumber(s) && s->valuedouble >= 100 && s->valuedouble < 1000)
			e->http_status = (int)s->valuedouble;
	}
	cJSON_Delete(j);
	return ok;
}

int
agent_error_parse(const char *err, size_t len, struct cli_error *e)
{
	const char *p = err, *end = err + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		while (p < nl && (*p == ' ' || *p == '\t'))
			p++;
		if (p < nl && *p == '{' && envelope(p, (size_t)(nl - p), e))
			return 1;
		p = nl + 1;
	}
	return 0;
}
