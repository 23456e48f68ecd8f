/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mcp.c: `ackprof mcp`, the same workflow as a Model Context Protocol server over
 * stdio (JSON-RPC 2.0, one message a line).  This file owns the framing, the
 * lifecycle (initialize first and once; batches only where 2025-03-26 wants them)
 * and the dispatch of messages; mcp_tools.c the tools, mcp_jobs.c the workers that
 * run them, mcp_result.c their results, mcp_rpc.c the messages written.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "batch.h"
#include "mcp.h"
#include "mcp_int.h"
#include "run.h"
#include "utf8.h"
#include "util.h"
#include "workflow.h"

#define LINE_MAX_BYTES		(4u << 20)	/* a longer request line is refused */

static const struct version {
	const char	*name;
	int		 rev;
} versions[] = {
	{ "2025-11-25", REV_2025_11_25 },	/* the first is the latest, offered by default */
	{ "2025-06-18", REV_2025_06_18 },
	{ "2025-03-26", REV_2025_03_26 },
	{ "2024-11-05", REV_2024_11_05 },
};

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

/* ---- methods -------------------------------------------------------------------- */

static void
m_initialize(struct server *sv, const cJSON *id, const cJSON *params)
{
	const char *want = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(params, "protocolVersion"));
	const struct version *v = &versions[0];
	cJSON *r, *caps, *info;
	size_t i;

	if (sv->rev) {
		send_error(id, INVALID_REQUEST, "Invalid Request: the session is already initialized");
		return;
	}
	if (want == NULL) {
		send_error(id, INVALID_PARAMS, "Invalid params: initialize needs params.protocolVersion (a string)");
		return;
	}
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (strcmp(want, versions[i].name) == 0)
			v = &versions[i];
	sv->rev = v->rev;
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "protocolVersion", v->name);
	caps = cJSON_CreateObject();
	cJSON_AddItemToObject(caps, "tools", cJSON_Parse("{\"listChanged\":false}"));
	if (sv->rev >= REV_2025_11_25)
		cJSON_AddItemToObject(caps, "tasks",
		    cJSON_Parse("{\"list\":{},\"cancel\":{},\"requests\":{\"tools\":{\"call\":{}}}}"));
	cJSON_AddItemToObject(r, "capabilities", caps);
	info = cJSON_CreateObject();
	cJSON_AddStringToObject(info, "name", "ackprof");
	if (sv->rev >= REV_2025_06_18)
		cJSON_AddStringToObject(info, "title", "ackprof: SysOM pod diagnosis for ACK");
	cJSON_AddStringToObject(info, "version", VERSION);
	cJSON_AddItemToObject(r, "serverInfo", info);
	cJSON_AddStringToObject(r, "instructions",
	    "Diagnose ACK pods with Alibaba Cloud SysOM. Ask the user for cluster_id, namespace and pod; "
	    "if the problem happened in the past, ask for the time window. Only standard ACK clusters "
	    "(profile Default) are supported. Every call answers within a bound; when a result has "
	    "state \"running\", call get_diagnosis_result with its task_id (or diagnose_pod again for "
	    "the same pod) until the state is \"finished\".");
	send_result(id, r);
}

static void
m_ping(struct server *sv, const cJSON *id, const cJSON *params)
{
	(void)sv;
	(void)params;
	send_result(id, cJSON_CreateObject());
}

static void
m_tools_list(struct server *sv, const cJSON *id, const cJSON *params)
{
	(void)params;
	send_result(id, tools_list(sv->rev));
}

static void
m_tools_call(struct server *sv, const cJSON *id, const cJSON *params)
{
	if (!cJSON_IsObject(params))
		send_error(id, INVALID_PARAMS, "Invalid params: tools/call needs an object");
	else
		call_tool(sv, id, params);
}

static const struct method {
	const char	*name;
	void		(*fn)(struct server *, const cJSON *, const cJSON *);
	int		 before_init;	/* allowed before initialize */
	int		 rev;		/* from this protocol revision on */
} methods[] = {
	{ "initialize",		m_initialize,		1, 0 },
	{ "ping",		m_ping,			1, 0 },
	{ "tools/list",		m_tools_list,		0, 0 },
	{ "tools/call",		m_tools_call,		0, 0 },
	{ "tasks/get",		m_tasks_get,		0, REV_2025_11_25 },
	{ "tasks/result",	m_tasks_result,		0, REV_2025_11_25 },
	{ "tasks/list",		m_tasks_list,		0, REV_2025_11_25 },
	{ "tasks/cancel",	m_tasks_cancel,		0, REV_2025_11_25 },
};

static void
cancel(struct server *sv, cJSON *params, const char *line, size_t len)
{
	const cJSON *rid;
	size_t a, b;
	int i;

	/* The request id as sent, like the ids we keep. */
	if (raw_member(line, len, "params", &a, &b))
		keep_number_text(params, "requestId", line + a, b - a);
	if ((rid = cJSON_GetObjectItemCaseSensitive(params, "requestId")) == NULL)
		return;
	for (i = 0; i < MAX_JOBS; i++) {
		struct job *j = &sv->jobs[i];

		if (j->used && !j->cancelled && !j->mtask && cJSON_Compare(j->id, rid, 1))
			job_cancel(j, SIGINT);	/* the worker cleans up, as on Ctrl-C */
	}
}

static void handle(struct server *, const char *, size_t, int);

/* A JSON-RPC batch: each element handled as a message; the responses leave together. */
static void
handle_batch(struct server *sv, const char *line, size_t len)
{
	struct rpc_batch *b;
	size_t i = skip_ws(line, 0, len), end;
	int elements = 0;

	if (sv->rev != REV_2025_03_26) {
		send_error(NULL, INVALID_REQUEST, sv->rev ?
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
		sv->cur_batch = b;
		rpc_collect(b);
		handle(sv, line + i, end - i, 1);
		elements++;
		i = skip_ws(line, end, len);
		if (i < len && line[i] == ',')
			i = skip_ws(line, i + 1, len);
	}
	sv->cur_batch = NULL;
	rpc_collect(NULL);
	if (elements == 0)	/* answered alone, not as an array */
		send_error(NULL, INVALID_REQUEST, "Invalid Request: an empty batch");
	rpc_batch_done(b);
}

/* Is the message a request we may not answer yet, or a malformed one?  Then answer that. */
static int
refuse(struct server *sv, const cJSON *m, const cJSON *id)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "jsonrpc");
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(m, "method");
	const cJSON *params = cJSON_GetObjectItemCaseSensitive(m, "params");

	(void)sv;
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

static void
handle(struct server *sv, const char *line, size_t len, int in_batch)
{
	cJSON *m, *id, *params;
	const char *name;
	size_t i;

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
		handle_batch(sv, line, len);
		return;
	}
	if (!cJSON_IsObject(m)) {
		send_error(NULL, INVALID_REQUEST, "Invalid Request: a JSON-RPC message is an object");
		goto out;
	}
	id = cJSON_GetObjectItemCaseSensitive(m, "id");
	params = cJSON_GetObjectItemCaseSensitive(m, "params");
	if (refuse(sv, m, id))
		goto out;
	keep_number_text(m, "id", line, len);
	id = cJSON_GetObjectItemCaseSensitive(m, "id");
	name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "method"));
	if (id == NULL) {
		/* Notifications: only cancellation needs doing; the rest are ignored. */
		if (strcmp(name, "notifications/cancelled") == 0 && cJSON_IsObject(params))
			cancel(sv, params, line, len);
		goto out;
	}
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(name, methods[i].name) == 0 && (!sv->rev || sv->rev >= methods[i].rev))
			break;
	if (i == sizeof(methods) / sizeof(methods[0]))
		send_error_naming(id, METHOD_NOT_FOUND, "Method not found", name);
	else if (!sv->rev && !methods[i].before_init)
		send_error(id, INVALID_REQUEST, "Invalid Request: send initialize first");
	else if (in_batch && methods[i].fn == m_initialize)
		send_error(id, INVALID_REQUEST, "Invalid Request: initialize must not be part of a batch");
	else
		methods[i].fn(sv, id, params);
out:
	cJSON_Delete(m);
}

/*
 * Take whole lines from stdin; an over-long line is refused and skipped to its
 * end.  stdin stays blocking: it may be the very socket or terminal stdout is
 * (O_NONBLOCK is a property of the open file, shared by both), and poll() has
 * said a read will not block.
 */
static void
read_stdin(struct server *sv)
{
	char rbuf[65536], *nl;
	ssize_t n = read(0, rbuf, sizeof(rbuf));
	size_t start = 0;

	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		sv->in_eof = 1;
		return;
	}
	if (n < 0)
		return;
	buf_add(&sv->in, rbuf, (size_t)n);
	while ((nl = memchr(sv->in.p + start, '\n', sv->in.len - start)) != NULL) {
		size_t len = (size_t)(nl - (sv->in.p + start));

		if (sv->discarding)
			sv->discarding = 0;
		else if (len > 0)
			handle(sv, sv->in.p + start, len, 0);
		start += len + 1;
	}
	memmove(sv->in.p, sv->in.p + start, sv->in.len - start);
	sv->in.len -= start;
	sv->in.p[sv->in.len] = '\0';
	if (sv->in.len > LINE_MAX_BYTES) {
		if (!sv->discarding)
			send_error(NULL, INVALID_REQUEST, "Invalid Request: message longer than 4 MiB");
		sv->discarding = 1;
		buf_reset(&sv->in);
	}
}

static void
server_init(struct server *sv, struct opts *base, const struct batch_opts *bo, double bound)
{
	memset(sv, 0, sizeof(*sv));
	sv->base = base;
	sv->bo = bo;
	sv->bound = bound;
}

static void
server_free(struct server *sv)
{
	int i;

	task_forget_all(sv);
	for (i = 0; i < MAX_MTASKS; i++)
		mtask_free(&sv->mtasks[i]);
	buf_free(&sv->in);
}

/* One message, as the server would take it (for the fuzz harness): initialized at rev. */
void
mcp_handle_line(struct opts *base, const struct batch_opts *bo, const char *line, size_t len)
{
	static struct server sv;
	static int rev;

	/* Alternate the states that matter: new, 2025-03-26 (batches), the latest. */
	server_init(&sv, base, bo, MCP_DEFAULT_BOUND);
	rev = rev == 0 ? REV_2025_03_26 : rev == REV_2025_03_26 ? REV_2025_11_25 : 0;
	sv.rev = rev;
	handle(&sv, line, len, 0);
	server_free(&sv);
}

/* Poll stdin and every worker's pipes; the timeout is the nearest answer deadline. */
static int
server_poll(struct server *sv, struct pollfd *p, int *owner)
{
	double now = now_mono(), wait = 1.0;
	int i, k, n = 0;

	if (!sv->in_eof && !run_signal) {
		p[n].fd = 0;
		p[n].events = POLLIN;
		owner[n++] = -1;
	}
	for (i = 0; i < MAX_JOBS; i++) {
		struct job *j = &sv->jobs[i];

		if (!j->used)
			continue;
		for (k = 0; k < 4; k++)
			if (j->fd[k] >= 0) {
				p[n].fd = j->fd[k];
				p[n].events = POLLIN;
				owner[n++] = i;
			}
		if (!j->cancelled && !j->mtask && j->deadline - now < wait)
			wait = j->deadline - now;
	}
	if (wait < 0)
		wait = 0;
	if (poll(p, (nfds_t)n, (int)(wait * 1000) + 1) == -1 && errno != EINTR)
		return -1;
	return n;
}

int
mcp_serve(struct opts *base, const struct batch_opts *bo, double bound)
{
	struct server sv;
	struct pollfd p[1 + 4 * MAX_JOBS];
	int owner[1 + 4 * MAX_JOBS];
	int i, n, k, running, status;

	server_init(&sv, base, bo, bound);
	/* A client that goes away must not kill us by SIGPIPE: writes just fail. */
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		for (running = 0, i = 0; i < MAX_JOBS; i++)
			running += sv.jobs[i].used;
		if ((sv.in_eof || run_signal) && running == 0)
			break;
		/* Shutting down (stdin closed, or a signal): workers stop and clean up. */
		if (sv.in_eof || run_signal)
			for (i = 0; i < MAX_JOBS; i++)
				job_cancel(&sv.jobs[i], SIGTERM);
		if ((n = server_poll(&sv, p, owner)) == -1)
			break;
		for (k = 0; k < n; k++)
			if (owner[k] == -1 && (p[k].revents & (POLLIN | POLLHUP | POLLERR)))
				read_stdin(&sv);
		for (i = 0; i < MAX_JOBS; i++) {
			struct pollfd mine[4];
			int m = 0;

			if (!sv.jobs[i].used)
				continue;
			for (k = 0; k < n; k++)
				if (owner[k] == i)
					mine[m++] = p[k];
			if (job_pump(&sv, &sv.jobs[i], mine, m))
				job_free(&sv.jobs[i]);
			else
				job_check_bound(&sv, &sv.jobs[i], now_mono());
		}
	}
	for (i = 0; i < MAX_JOBS; i++)
		if (sv.jobs[i].used) {
			waitpid(sv.jobs[i].pid, &status, 0);
			job_free(&sv.jobs[i]);
		}
	server_free(&sv);
	return run_signal ? 128 + run_signal : 0;
}
