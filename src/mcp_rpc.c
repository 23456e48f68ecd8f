/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mcp_rpc.c: the messages `ackprof mcp` writes: JSON-RPC responses and errors
 * (what they carry is the caller's; this file knows nothing of tools), one line each, redacted, valid UTF-8 whatever went in, written
 * whole with write(2) (never stdio: workers are forked).  Inside a JSON-RPC batch
 * the responses are collected and leave as one array.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "mcp_rpc.h"
#include "scrub.h"
#include "utf8.h"
#include "util.h"

static struct rpc_batch *collect;	/* responses go here, not to stdout */

/* Write a whole line to stdout.  stdout stays blocking (we never change its flags). */
static void
write_line(char *s)
{
	size_t len = strlen(s), off = 0;
	ssize_t n;

	/* Redacted as a structure before (scrub_print); repaired here, whatever went in. */
	s = utf8_sanitize(s, len);
	len = strlen(s);
	s = xrealloc(s, len + 2);
	s[len++] = '\n';
	while (off < len) {
		n = write(1, s + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* the client is gone: nothing more to tell it */
		off += (size_t)n;
	}
	free(s);
}

void
send_json(cJSON *msg)
{
	char *s;

	if (collect && cJSON_HasObjectItem(msg, "id") && !cJSON_HasObjectItem(msg, "method")) {
		cJSON_AddItemToArray(collect->arr, msg);
		return;
	}
	s = scrub_print(msg, 0);	/* the structure, never its text */
	cJSON_Delete(msg);
	if (s != NULL)
		write_line(s);
	free(s);
}

void
rpc_collect(struct rpc_batch *b)
{
	collect = b;
}

/* One response of the batch has come (or its handling ended): send it all when complete. */
void
rpc_batch_done(struct rpc_batch *b)
{
	char *s;

	if (--b->pending > 0)
		return;
	/* Notifications alone get no response at all, not even an empty array. */
	if (cJSON_GetArraySize(b->arr) > 0 && (s = scrub_print(b->arr, 0)) != NULL) {
		write_line(s);
		free(s);
	}
	cJSON_Delete(b->arr);
	free(b);
}

/* Let go of a batch's slot for a response that is sent (or will never be). */
void
rpc_batch_release(struct rpc_batch **b)
{
	if (*b == NULL)
		return;
	rpc_collect(NULL);
	rpc_batch_done(*b);
	*b = NULL;
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

/* An error that names what the client sent (at most 100 bytes of it, whole characters). */
void
send_error_naming(const cJSON *id, int code, const char *what, const char *name)
{
	char msg[160], shown[101];

	clip(shown, sizeof(shown), name, 100);
	snprintf(msg, sizeof(msg), "%s: %s", what, shown);
	send_error(id, code, msg);
}

void
send_result(const cJSON *id, cJSON *result)
{
	cJSON *m = rpc(id);

	cJSON_AddItemToObject(m, "result", result);
	send_json(m);
}

/* Copy at most max bytes of s, never cutting a character in two. */
void
clip(char *dst, size_t n, const char *s, size_t max)
{
	size_t len = strlen(s);

	if (n == 0)
		return;
	if (max > n - 1)
		max = n - 1;
	len = utf8_cut(s, len, max);
	memcpy(dst, s, len);
	dst[len] = '\0';
}
