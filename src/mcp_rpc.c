/*
 * mcp_rpc.c: the messages `ackprof mcp` writes: JSON-RPC responses, errors and
 * tool results, one line each, redacted, written whole with write(2) (never stdio:
 * workers are forked).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "mcp_int.h"
#include "redact.h"
#include "util.h"

void
send_json(cJSON *msg)
{
	char *s = cJSON_PrintUnformatted(msg), *red;
	size_t len, off = 0;
	ssize_t n;

	cJSON_Delete(msg);
	if (s == NULL)
		return;
	red = redacts(s);
	free(s);
	len = strlen(red);
	red = xrealloc(red, len + 2);
	red[len++] = '\n';
	while (off < len) {
		n = write(1, red + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	free(red);
}

static cJSON *
rpc(const cJSON *id)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "jsonrpc", "2.0");
	cJSON_AddItemToObject(m, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
	return m;
}

void
send_error(const cJSON *id, int code, const char *message)
{
	cJSON *m = rpc(id), *e = cJSON_CreateObject();

	cJSON_AddNumberToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", message);
	cJSON_AddItemToObject(m, "error", e);
	send_json(m);
}

void
send_result(const cJSON *id, cJSON *result)
{
	cJSON *m = rpc(id);

	cJSON_AddItemToObject(m, "result", result);
	send_json(m);
}

/* A tool result: text for the model, the JSON document for programs. */
cJSON *
tool_result(const char *text, cJSON *structured, int is_error)
{
	cJSON *r = cJSON_CreateObject(), *content = cJSON_CreateArray(), *t = cJSON_CreateObject();

	cJSON_AddStringToObject(t, "type", "text");
	cJSON_AddStringToObject(t, "text", text);
	cJSON_AddItemToArray(content, t);
	cJSON_AddItemToObject(r, "content", content);
	if (structured)
		cJSON_AddItemToObject(r, "structuredContent", structured);
	cJSON_AddBoolToObject(r, "isError", is_error);
	return r;
}

void
send_tool_error(const cJSON *id, const char *text)
{
	send_result(id, tool_result(text, NULL, 1));
}

