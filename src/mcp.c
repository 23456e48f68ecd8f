/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mcp.c: the transport of `ackprof mcp`, reading: JSON-RPC 2.0 over stdio, one
 * message a line.  It owns the framing, the ids exactly as sent, batches (only where
 * 2025-03-26 wants them) and the answers to malformed messages; each valid request
 * or notification goes up to the dispatch function of struct rpc_conn.  It knows
 * nothing of tools.  mcp_rpc.c writes; mcp_server.c is the layer above (methods,
 * lifecycle, the serve loop), mcp_tools.c the tools, mcp_jobs.c the workers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "mcp_rpc.h"
#include "utf8.h"
#include "util.h"

#define LINE_MAX_BYTES		(4u << 20)	/* a longer request line is refused */

/* ---- ids exactly as sent: cJSON keeps numbers as doubles, so take the text -------- */

static size_t
skip_ws(const char *s, size_t i, size_t len)
{
	/* As cJSON skips it: every byte up to the space (NUL included). */
	while (i < len && (unsigned char)s[i] <= 32)
		i++;
	return i;
}

static size_t
skip_string(const char *s, size_t i, size_t len)
{
	for (i++; i < len && s[i] != '"'; i++)
		if (s[i] == '\\')
			i++;
	return i + 1;
}

/* The end of the JSON value at s[i] (the text is known to parse). */
static size_t
skip_value(const char *s, size_t i, size_t len)
{
	int depth = 0;

	while (i < len) {
		if (s[i] == '"') {
			i = skip_string(s, i, len);
			if (depth == 0)
				return i;
			continue;
		}
		if (s[i] == '{' || s[i] == '[')
			depth++;
		else if (s[i] == '}' || s[i] == ']') {
			if (--depth <= 0)
				return depth == 0 ? i + 1 : i;
		} else if (depth == 0 && (s[i] == ',' || (unsigned char)s[i] <= 32))
			return i;
		i++;
	}
	return i;
}

/* The text of the first member named key of the object s (as cJSON finds it). */
static int
raw_member(const char *s, size_t len, const char *key, size_t *start, size_t *end)
{
	size_t i = skip_ws(s, 0, len), k, klen = strlen(key);
	int match;

	if (i >= len || s[i] != '{')
		return 0;
	for (i++;;) {
		i = skip_ws(s, i, len);
		if (i >= len || s[i] != '"')
			return 0;
		k = i + 1;
		i = skip_string(s, i, len);
		match = i - 1 - k == klen && memcmp(s + k, key, klen) == 0;
		i = skip_ws(s, i, len);
		if (i >= len || s[i] != ':')
			return 0;
		*start = i = skip_ws(s, i + 1, len);
		i = skip_value(s, i, len);
		if (match) {
			*end = i;
			return 1;
		}
		i = skip_ws(s, i, len);
		if (i >= len || s[i] != ',')
			return 0;
		i++;
	}
}

/*
 * Replace the number at obj.key with a raw item holding its text, so that it is
 * echoed exactly (9007199254740993 stays that, not 9.00719925474099e+15).
 */
static void
keep_number_text(cJSON *obj, const char *key, const char *s, size_t len)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t a, b;
	char *text;

	if (!cJSON_IsNumber(v) || !raw_member(s, len, key, &a, &b) || b <= a || b - a > 64)
		return;
	text = xasprintf("%.*s", (int)(b - a), s + a);
	cJSON_ReplaceItemInObjectCaseSensitive(obj, key, cJSON_CreateRaw(text));
	free(text);
}

void
rpc_number_text(cJSON *params, const char *key, const char *line, size_t len)
{
	size_t a, b;

	if (raw_member(line, len, "params", &a, &b))
		keep_number_text(params, key, line + a, b - a);
}

/* ---- messages ------------------------------------------------------------------ */

/* A JSON-RPC batch: each element handled as a message; the responses leave together. */
static void
handle_batch(struct rpc_conn *c, const char *line, size_t len)
{
	struct rpc_batch *b;
	size_t i = skip_ws(line, 0, len), end;
	int elements = 0;

	if (c->rev != REV_2025_03_26) {
		send_error(NULL, INVALID_REQUEST, c->rev ?
		    "Invalid Request: JSON-RPC batches belong to protocol version 2025-03-26 only" :
		    "Invalid Request: initialize first (batches are not allowed before it)");
		return;
	}
	b = xmalloc(sizeof(*b));
	b->arr = cJSON_CreateArray();
	b->pending = 1;	/* until every element is handled */
	for (i = skip_ws(line, i + 1, len); i < len && line[i] != ']';) {
		if ((end = skip_value(line, i, len)) <= i)
			break;	/* no progress: not an element (cJSON agreed it parses, so never) */
		c->cur_batch = b;
		rpc_collect(b);
		rpc_handle(c, line + i, end - i, 1);
		elements++;
		i = skip_ws(line, end, len);
		if (i < len && line[i] == ',')
			i = skip_ws(line, i + 1, len);
	}
	c->cur_batch = NULL;
	rpc_collect(NULL);
	if (elements == 0)	/* answered alone, not as an array */
		send_error(NULL, INVALID_REQUEST, "Invalid Request: an empty batch");
	rpc_batch_done(b);
}

/* Is the message a request we may not answer yet, or a malformed one?  Then answer that. */
static int
refuse(const cJSON *m, const cJSON *id)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "jsonrpc");
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(m, "method");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(m, "params");

	if (id && !cJSON_IsString(id) && !cJSON_IsNumber(id)) {
		send_error(NULL, INVALID_REQUEST, "Invalid Request: id must be a string or a number");
		return 1;
	}
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "2.0") != 0 || !cJSON_IsString(method)) {
		/* A response from the client (we send no requests) is dropped quietly. */
		if (!(id && (cJSON_HasObjectItem(m, "result") || cJSON_HasObjectItem(m, "error"))))
			send_error(id, INVALID_REQUEST, "Invalid Request: needs jsonrpc \"2.0\" and a method");
		return 1;
	}
	if (params && !cJSON_IsObject(params) && !cJSON_IsArray(params)) {
		if (id)
			send_error(id, INVALID_PARAMS, "Invalid params: must be an object");
		return 1;
	}
	return 0;
}

/*
 * A string holding U+0000 anywhere in the message is refused, naming its member: cJSON
 * would cut it at the NUL ("ping\u0000x" read as "ping").  An id holding one cannot be
 * echoed byte-exact, so it is answered with id null; a notification is dropped.
 */
static int
refuse_nul(const cJSON *m, const cJSON *id, const char *line, size_t len)
{
	char name[128];
	int depth, in_id;

	if (!json_nul_member(line, len, name, sizeof(name), &depth))
		return 0;
	in_id = depth == 1 && strcmp(name, "id") == 0;
	if (in_id)
		id = NULL;
	else if (id == NULL && !cJSON_HasObjectItem(m, "id"))
		return 1;	/* a notification: nothing is answered */
	if (in_id || (depth == 1 && (strcmp(name, "method") == 0 || strcmp(name, "jsonrpc") == 0)))
		send_error_naming(id, INVALID_REQUEST,
		    "Invalid Request: a string holds U+0000 (NUL) in member", name);
	else
		send_error_naming(id, INVALID_PARAMS,
		    "Invalid params: a string holds U+0000 (NUL) in member", name);
	return 1;
}

void
rpc_handle(struct rpc_conn *c, const char *line, size_t len, int in_batch)
{
	cJSON *m, *id, *params;
	const char *name;

	if (!utf8_valid(line, len)) {
		/* Nothing of it is echoed: it could not be written back as valid UTF-8. */
		send_error(NULL, PARSE_ERROR, "Parse error: the message is not valid UTF-8");
		return;
	}
	if ((m = cJSON_ParseWithLength(line, len)) == NULL) {
		send_error(NULL, PARSE_ERROR, "Parse error: not a JSON text");
		return;
	}
	if (cJSON_IsArray(m) && !in_batch) {
		cJSON_Delete(m);
		handle_batch(c, line, len);
		return;
	}
	if (!cJSON_IsObject(m)) {
		send_error(NULL, INVALID_REQUEST, "Invalid Request: a JSON-RPC message is an object");
		goto out;
	}
	id = cJSON_GetObjectItemCaseSensitive(m, "id");
	if (refuse_nul(m, id, line, len) || refuse(m, id))
		goto out;
	keep_number_text(m, "id", line, len);
	id = cJSON_GetObjectItemCaseSensitive(m, "id");
	params = cJSON_GetObjectItemCaseSensitive(m, "params");
	name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "method"));
	c->dispatch(c->ctx, id, name, params, in_batch, line, len);
out:
	cJSON_Delete(m);
}

/*
 * Take whole lines from stdin; an over-long line is refused and skipped to its
 * end.  stdin stays blocking: it may be the very socket or terminal stdout is
 * (O_NONBLOCK is a property of the open file, shared by both), and poll() has
 * said a read will not block.
 */
void
rpc_read(struct rpc_conn *c)
{
	char rbuf[65536], *nl;
	ssize_t n = read(0, rbuf, sizeof(rbuf));
	size_t start = 0;

	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		c->in_eof = 1;
		return;
	}
	if (n < 0)
		return;
	buf_add(&c->in, rbuf, (size_t)n);
	while ((nl = memchr(c->in.p + start, '\n', c->in.len - start)) != NULL) {
		size_t len = (size_t)(nl - (c->in.p + start));

		if (c->discarding)
			c->discarding = 0;
		else if (len > 0)
			rpc_handle(c, c->in.p + start, len, 0);
		start += len + 1;
	}
	memmove(c->in.p, c->in.p + start, c->in.len - start);
	c->in.len -= start;
	c->in.p[c->in.len] = '\0';
	if (c->in.len > LINE_MAX_BYTES) {
		if (!c->discarding)
			send_error(NULL, INVALID_REQUEST, "Invalid Request: message longer than 4 MiB");
		c->discarding = 1;
		buf_reset(&c->in);
	}
}
