/*
 * mcp.c: `ackprof mcp`, the same workflow as a Model Context Protocol server over
 * stdio (JSON-RPC 2.0, one message a line).  This file owns the framing, the
 * lifecycle and the dispatch of messages; mcp_tools.c the tools, mcp_jobs.c the
 * workers that run them, mcp_rpc.c the messages written.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
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
#include "util.h"
#include "workflow.h"

#define PROTOCOL_VERSION	"2025-06-18"
#define LINE_MAX_BYTES		(4u << 20)	/* a longer request line is refused */

static void
cancel(struct server *sv, const cJSON *params)
{
	const cJSON *rid = cJSON_GetObjectItemCaseSensitive(params, "requestId");
	int i;

	if (rid == NULL)
		return;
	for (i = 0; i < MAX_JOBS; i++) {
		struct job *j = &sv->jobs[i];

		if (j->used && !j->cancelled && cJSON_Compare(j->id, rid, 1)) {
			j->cancelled = 1;
			kill(j->pid, SIGINT);	/* the worker cleans up, as on Ctrl-C */
		}
	}
}

static void
handle(struct server *sv, const char *line, size_t len)
{
	cJSON *m = cJSON_ParseWithLength(line, len), *r;
	const cJSON *id, *method, *params, *v;
	const char *name;

	if (m == NULL) {
		send_error(NULL, PARSE_ERROR, "Parse error");
		return;
	}
	id = cJSON_GetObjectItemCaseSensitive(m, "id");
	if (!cJSON_IsObject(m)) {
		send_error(NULL, INVALID_REQUEST, "Invalid Request: a JSON-RPC message is an object");
		goto out;
	}
	if (id && !cJSON_IsString(id) && !cJSON_IsNumber(id)) {
		send_error(NULL, INVALID_REQUEST, "Invalid Request: id must be a string or a number");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(m, "jsonrpc");
	method = cJSON_GetObjectItemCaseSensitive(m, "method");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "2.0") != 0 || !cJSON_IsString(method)) {
		/* A response from the client (we send no requests) or a malformed message. */
		if (id && (cJSON_GetObjectItemCaseSensitive(m, "result") ||
		    cJSON_GetObjectItemCaseSensitive(m, "error")))
			goto out;
		send_error(id, INVALID_REQUEST, "Invalid Request: needs jsonrpc \"2.0\" and a method");
		goto out;
	}
	name = method->valuestring;
	params = cJSON_GetObjectItemCaseSensitive(m, "params");
	if (params && !cJSON_IsObject(params) && !cJSON_IsArray(params)) {
		if (id)
			send_error(id, INVALID_PARAMS, "Invalid params: must be an object");
		goto out;
	}
	if (id == NULL) {
		/* Notifications: only cancellation needs doing; the rest are ignored. */
		if (strcmp(name, "notifications/cancelled") == 0)
			cancel(sv, params);
		goto out;
	}
	if (strcmp(name, "initialize") == 0) {
		const char *want = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(params,
		    "protocolVersion"));
		static const char *const known[] = { "2025-06-18", "2025-03-26", "2024-11-05", NULL };
		const char *ver = PROTOCOL_VERSION;
		cJSON *caps, *info;
		int i;

		for (i = 0; want && known[i]; i++)
			if (strcmp(want, known[i]) == 0)
				ver = known[i];
		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "protocolVersion", ver);
		caps = cJSON_CreateObject();
		cJSON_AddItemToObject(caps, "tools", cJSON_Parse("{\"listChanged\":false}"));
		cJSON_AddItemToObject(r, "capabilities", caps);
		info = cJSON_CreateObject();
		cJSON_AddStringToObject(info, "name", "ackprof");
		cJSON_AddStringToObject(info, "version", VERSION);
		cJSON_AddItemToObject(r, "serverInfo", info);
		cJSON_AddStringToObject(r, "instructions",
		    "Diagnose ACK pods with Alibaba Cloud SysOM. Ask the user for cluster_id, namespace and pod; "
		    "if the problem happened in the past, ask for the time window. Only standard ACK clusters "
		    "(profile Default) are supported. When diagnose_pod reports a task still running, call "
		    "get_diagnosis_result with its task_id.");
		send_result(id, r);
	} else if (strcmp(name, "ping") == 0) {
		send_result(id, cJSON_CreateObject());
	} else if (strcmp(name, "tools/list") == 0) {
		send_result(id, tools_list());
	} else if (strcmp(name, "tools/call") == 0) {
		if (!cJSON_IsObject(params))
			send_error(id, INVALID_PARAMS, "Invalid params: tools/call needs an object");
		else
			call_tool(sv, id, params);
	} else {
		char msg[160];

		snprintf(msg, sizeof(msg), "Method not found: %.100s", name);
		send_error(id, METHOD_NOT_FOUND, msg);
	}
out:
	cJSON_Delete(m);
}

/* Take whole lines from stdin; an over-long line is refused and skipped to its end. */
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
			handle(sv, sv->in.p + start, len);
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

/* One message, as the server would take it (for the fuzz harness). */
void
mcp_handle_line(struct opts *base, const struct batch_opts *bo, const char *line, size_t len)
{
	struct server sv;

	memset(&sv, 0, sizeof(sv));
	sv.base = base;
	sv.bo = bo;
	handle(&sv, line, len);
}

int
mcp_serve(struct opts *base, const struct batch_opts *bo)
{
	struct server sv;
	struct pollfd p[1 + 3 * MAX_JOBS];
	int owner[1 + 3 * MAX_JOBS];
	int i, n, k, running, status;

	memset(&sv, 0, sizeof(sv));
	sv.base = base;
	sv.bo = bo;
	/* A client that goes away must not kill us by SIGPIPE: writes just fail. */
	signal(SIGPIPE, SIG_IGN);
	fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
	for (;;) {
		n = 0;
		running = 0;
		if (!sv.in_eof && !run_signal) {
			p[n].fd = 0;
			p[n].events = POLLIN;
			owner[n++] = -1;
		}
		for (i = 0; i < MAX_JOBS; i++) {
			if (!sv.jobs[i].used)
				continue;
			running++;
			for (k = 0; k < 3; k++)
				if (sv.jobs[i].fd[k] >= 0) {
					p[n].fd = sv.jobs[i].fd[k];
					p[n].events = POLLIN;
					owner[n++] = i;
				}
		}
		if ((sv.in_eof || run_signal) && running == 0)
			break;
		/* Shutting down (stdin closed, or a signal): workers stop and clean up. */
		if (sv.in_eof || run_signal)
			for (i = 0; i < MAX_JOBS; i++)
				if (sv.jobs[i].used && !sv.jobs[i].cancelled) {
					sv.jobs[i].cancelled = 1;
					kill(sv.jobs[i].pid, SIGTERM);
				}
		if (poll(p, (nfds_t)n, 1000) == -1 && errno != EINTR)
			break;
		for (k = 0; k < n; k++)
			if (owner[k] == -1 && (p[k].revents & (POLLIN | POLLHUP | POLLERR)))
				read_stdin(&sv);
		for (i = 0; i < MAX_JOBS; i++) {
			struct pollfd mine[3];
			int m = 0;

			if (!sv.jobs[i].used)
				continue;
			for (k = 0; k < n; k++)
				if (owner[k] == i)
					mine[m++] = p[k];
			if (job_pump(&sv.jobs[i], mine, m))
				job_free(&sv.jobs[i]);
		}
	}
	for (i = 0; i < MAX_JOBS; i++)
		if (sv.jobs[i].used) {
			waitpid(sv.jobs[i].pid, &status, 0);
			job_free(&sv.jobs[i]);
		}
	buf_free(&sv.in);
	return run_signal ? 128 + run_signal : 0;
}
