/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mcp_server.c: `ackprof mcp`, the same workflow as a Model Context Protocol server
 * over stdio.  The layer above the transport (mcp.c reads, mcp_rpc.c writes): the
 * lifecycle (initialize first and once), the table of methods, cancellation, and the
 * serve loop that polls stdin and the workers and answers each finished or bounded
 * call.  mcp_tools.c has the tools, mcp_result.c their results, mcp_tasks.c MCP
 * tasks, mcp_jobs.c the workers.
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
#include "msg.h"
#include "run.h"
#include "util.h"
#include "workflow.h"

static const struct version {
	const char	*name;
	int		 rev;
} versions[] = {
	{ "2025-11-25", REV_2025_11_25 },	/* the first is the latest, offered by default */
	{ "2025-06-18", REV_2025_06_18 },
	{ "2025-03-26", REV_2025_03_26 },
	{ "2024-11-05", REV_2024_11_05 },
};

/* ---- methods -------------------------------------------------------------------- */

static void
m_initialize(struct server *sv, const cJSON *id, const cJSON *params)
{
	const char *want = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(params, "protocolVersion"));
	const struct version *v = &versions[0];
	cJSON *r, *caps, *info;
	size_t i;

	if (sv->rpc.rev) {
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
	sv->rpc.rev = v->rev;
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "protocolVersion", v->name);
	caps = cJSON_CreateObject();
	cJSON_AddItemToObject(caps, "tools", cJSON_Parse("{\"listChanged\":false}"));
	if (sv->rpc.rev >= REV_2025_11_25)
		cJSON_AddItemToObject(caps, "tasks",
		    cJSON_Parse("{\"list\":{},\"cancel\":{},\"requests\":{\"tools\":{\"call\":{}}}}"));
	cJSON_AddItemToObject(r, "capabilities", caps);
	info = cJSON_CreateObject();
	cJSON_AddStringToObject(info, "name", "ackprof");
	if (sv->rpc.rev >= REV_2025_06_18)
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
	send_result(id, tools_list(sv->rpc.rev));
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
	int i;

	/* The request id as sent, like the ids we keep. */
	rpc_number_text(params, "requestId", line, len);
	if ((rid = cJSON_GetObjectItemCaseSensitive(params, "requestId")) == NULL)
		return;
	for (i = 0; i < MAX_JOBS; i++) {
		struct job *j = &sv->jobs[i];

		if (j->used && !j->cancelled && !j->mtask && cJSON_Compare(j->id, rid, 1))
			job_cancel(j, SIGINT);	/* the worker cleans up, as on Ctrl-C */
	}
}

/* A valid message from the transport: a request to a method of the table, or a notification. */
static void
dispatch(void *ctx, const cJSON *id, const char *name, cJSON *params, int in_batch, const char *line, size_t len)
{
	struct server *sv = ctx;
	size_t i;

	if (id == NULL) {
		/* Notifications: only cancellation needs doing; the rest are ignored. */
		if (strcmp(name, "notifications/cancelled") == 0 && cJSON_IsObject(params))
			cancel(sv, params, line, len);
		return;
	}
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(name, methods[i].name) == 0 && (!sv->rpc.rev || sv->rpc.rev >= methods[i].rev))
			break;
	if (i == sizeof(methods) / sizeof(methods[0]))
		send_error_naming(id, METHOD_NOT_FOUND, "Method not found", name);
	else if (!sv->rpc.rev && !methods[i].before_init)
		send_error(id, INVALID_REQUEST, "Invalid Request: send initialize first");
	else if (in_batch && methods[i].fn == m_initialize)
		send_error(id, INVALID_REQUEST, "Invalid Request: initialize must not be part of a batch");
	else
		methods[i].fn(sv, id, params);
}

static void
server_init(struct server *sv, struct opts *base, const struct batch_opts *bo, double bound)
{
	memset(sv, 0, sizeof(*sv));
	sv->rpc.dispatch = dispatch;
	sv->rpc.ctx = sv;
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
	buf_free(&sv->rpc.in);
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
	sv.rpc.rev = rev;
	rpc_handle(&sv.rpc, line, len, 0);
	server_free(&sv);
}

/* Poll stdin and every worker's pipes; the timeout is the nearest answer deadline. */
static int
server_poll(struct server *sv, struct pollfd *p, int *owner)
{
	double now = now_mono(), wait = 1.0;
	int i, k, n = 0;

	if (!sv->rpc.in_eof && !run_signal) {
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
	/* Started by hand: say what this is.  A client's pipes get nothing extra. */
	if (isatty(0))
		notef("ackprof mcp speaks the Model Context Protocol on stdin/stdout; register it in your MCP "
		    "client (see README), or press Ctrl-D to end it");
	/* A client that goes away must not kill us by SIGPIPE: writes just fail. */
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		for (running = 0, i = 0; i < MAX_JOBS; i++)
			running += sv.jobs[i].used;
		if ((sv.rpc.in_eof || run_signal) && running == 0)
			break;
		/* Shutting down (stdin closed, or a signal): workers stop and clean up. */
		if (sv.rpc.in_eof || run_signal)
			for (i = 0; i < MAX_JOBS; i++)
				job_cancel(&sv.jobs[i], SIGTERM);
		if ((n = server_poll(&sv, p, owner)) == -1)
			break;
		for (k = 0; k < n; k++)
			if (owner[k] == -1 && (p[k].revents & (POLLIN | POLLHUP | POLLERR)))
				rpc_read(&sv.rpc);
		for (i = 0; i < MAX_JOBS; i++) {
			struct pollfd mine[4];
			int m = 0;

			if (!sv.jobs[i].used)
				continue;
			for (k = 0; k < n; k++)
				if (owner[k] == i)
					mine[m++] = p[k];
			if (job_pump(&sv, &sv.jobs[i], mine, m, &status)) {
				job_answer(&sv, &sv.jobs[i], status);
				job_free(&sv.jobs[i]);
			} else if (job_due(&sv.jobs[i], now_mono())) {
				/* At the bound: answer with what is known, then stop the worker. */
				job_answer_bound(&sv, &sv.jobs[i]);
				job_stop_at_bound(&sv.jobs[i]);
			}
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
