/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mcp_tasks.c: MCP tasks (protocol 2025-11-25): a tools/call with a "task" field
 * answers at once with a task, its worker runs with no answer bound, and the
 * client follows it with tasks/get, tasks/result (answered when the task ends),
 * tasks/list and tasks/cancel.  The tasks live as long as the session.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "mcp_int.h"
#include "util.h"

static const char *const status_names[] = {
	[MT_WORKING] = "working", [MT_COMPLETED] = "completed", [MT_FAILED] = "failed",
	[MT_CANCELLED] = "cancelled",
};

static void
iso_now(char *out, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A new task record, or NULL when MAX_MTASKS are all working. */
struct mtask *
mtask_new(struct server *sv, const cJSON *spec)
{
	const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(spec, "ttl");
	struct mtask *t = NULL;
	int i;

	/* A free slot, else the oldest task that has ended. */
	for (i = 0; i < MAX_MTASKS && t == NULL; i++)
		if (!sv->mtasks[i].used)
			t = &sv->mtasks[i];
	for (i = 0; i < MAX_MTASKS && t == NULL; i++)
		if (sv->mtasks[i].status != MT_WORKING && (t == NULL || sv->mtasks[i].seq < t->seq))
			t = &sv->mtasks[i];
	if (t == NULL)
		return NULL;
	mtask_free(t);
	t->used = 1;
	t->seq = ++sv->task_seq;
	snprintf(t->id, sizeof(t->id), "ackprof-%lu", t->seq);
	iso_now(t->created, sizeof(t->created));
	memcpy(t->updated, t->created, sizeof(t->updated));
	t->ttl = cJSON_IsNumber(ttl) && ttl->valuedouble >= 0 ? ttl->valuedouble : -1;
	t->waiting = cJSON_CreateArray();
	return t;
}

void
mtask_free(struct mtask *t)
{
	cJSON_Delete(t->result);
	cJSON_Delete(t->waiting);
	memset(t, 0, sizeof(*t));
}

cJSON *
mtask_json(const struct mtask *t)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "taskId", t->id);
	cJSON_AddStringToObject(o, "status", status_names[t->status]);
	if (t->message[0])
		cJSON_AddStringToObject(o, "statusMessage", t->message);
	cJSON_AddStringToObject(o, "createdAt", t->created);
	cJSON_AddStringToObject(o, "lastUpdatedAt", t->updated);
	if (t->ttl >= 0)
		cJSON_AddNumberToObject(o, "ttl", t->ttl);
	else
		cJSON_AddNullToObject(o, "ttl");
	cJSON_AddNumberToObject(o, "pollInterval", 2000);
	return o;
}

/* The answer to tasks/result for an ended task, with its related-task _meta. */
static void
send_task_result(const struct mtask *t, const cJSON *id)
{
	cJSON *r, *meta, *rel;

	if (t->status == MT_CANCELLED) {
		send_error(id, INVALID_PARAMS, "Invalid params: the task was cancelled; it has no result");
		return;
	}
	r = cJSON_Duplicate(t->result, 1);
	meta = cJSON_CreateObject();
	rel = cJSON_CreateObject();
	cJSON_AddStringToObject(rel, "taskId", t->id);
	cJSON_AddItemToObject(meta, "io.modelcontextprotocol/related-task", rel);
	cJSON_AddItemToObject(r, "_meta", meta);
	send_result(id, r);
}

/* The worker ended: keep its result, answer whoever waits in tasks/result. */
void
mtask_finish(struct mtask *t, cJSON *result, int status, const char *message)
{
	const cJSON *id;

	if (t->status != MT_WORKING) {	/* cancelled first: cancellation sticks */
		cJSON_Delete(result);
		return;
	}
	t->status = status;
	t->result = result;
	snprintf(t->message, sizeof(t->message), "%s", message ? message : "");
	iso_now(t->updated, sizeof(t->updated));
	cJSON_ArrayForEach(id, t->waiting)
		send_task_result(t, id);
	cJSON_Delete(t->waiting);
	t->waiting = cJSON_CreateArray();
}

static struct mtask *
find(struct server *sv, const cJSON *id, const cJSON *params)
{
	const char *tid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(params, "taskId"));
	int i;

	for (i = 0; tid && i < MAX_MTASKS; i++)
		if (sv->mtasks[i].used && strcmp(sv->mtasks[i].id, tid) == 0)
			return &sv->mtasks[i];
	send_error(id, INVALID_PARAMS, tid ? "Invalid params: no such task" : "Invalid params: needs params.taskId");
	return NULL;
}

void
m_tasks_get(struct server *sv, const cJSON *id, const cJSON *params)
{
	struct mtask *t = find(sv, id, params);

	if (t)
		send_result(id, mtask_json(t));
}

void
m_tasks_result(struct server *sv, const cJSON *id, const cJSON *params)
{
	struct mtask *t = find(sv, id, params);

	if (t == NULL)
		return;
	if (t->status == MT_WORKING)
		cJSON_AddItemToArray(t->waiting, cJSON_Duplicate(id, 1));	/* answered when it ends */
	else
		send_task_result(t, id);
}

void
m_tasks_list(struct server *sv, const cJSON *id, const cJSON *params)
{
	cJSON *r = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	int i;

	(void)params;
	for (i = 0; i < MAX_MTASKS; i++)
		if (sv->mtasks[i].used)
			cJSON_AddItemToArray(arr, mtask_json(&sv->mtasks[i]));
	cJSON_AddItemToObject(r, "tasks", arr);
	send_result(id, r);
}

void
m_tasks_cancel(struct server *sv, const cJSON *id, const cJSON *params)
{
	struct mtask *t = find(sv, id, params);
	const cJSON *w;
	int i;

	if (t == NULL)
		return;
	if (t->status != MT_WORKING) {
		send_error(id, INVALID_PARAMS, "Invalid params: the task has already ended");
		return;
	}
	for (i = 0; i < MAX_JOBS; i++)
		if (sv->jobs[i].used && sv->jobs[i].mtask == t)
			job_cancel(&sv->jobs[i], SIGINT);	/* the worker cleans up, as on Ctrl-C */
	t->status = MT_CANCELLED;
	snprintf(t->message, sizeof(t->message), "cancelled by the client");
	iso_now(t->updated, sizeof(t->updated));
	cJSON_ArrayForEach(w, t->waiting)
		send_task_result(t, w);
	send_result(id, mtask_json(t));
}
