/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mcp_result.c: what a tool call answers.  Every result has a state (finished,
 * running, task_failed, cluster_busy, not_started, refused, error), an exit code
 * as the command line would give, the next call to make when there is one, a
 * short summary for people, and the document itself (structuredContent and the
 * same JSON as text).  A call that reaches the answer bound says so with its task.
 * The tools' words (the command line's hints said as a tool's caller reads them)
 * are here too, so that the tools (mcp_tools.c) sit above this file, not beside it.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "contract.h"
#include "mcp_int.h"
#include "report.h"
#include "scrub.h"
#include "util.h"

/* ---- the tools' words --------------------------------------------------------------- */

/* The workflow speaks the command line's language; a tool's caller knows arguments and tools. */
static const struct {
	const char	*cli, *tool;
} words[] = {
	{ "resume with: ackprof result ", "resume: call get_diagnosis_result with task_id " },
	{ "ackprof result ", "get_diagnosis_result with task_id " },
	{ "rerun with the same --state to resume", "call get_diagnosis_result for the running tasks" },
	{ "pass --aliyun PATH", "start ackprof mcp with --aliyun PATH" },
	{ "raise --cli-timeout", "start ackprof mcp with a larger --cli-timeout" },
	{ "pass --scripts-dir DIR", "start ackprof mcp with --scripts-dir DIR" },
	{ "--from/--to/--since", "from/to/since" },
	{ "--from/--to", "from/to" },
	{ "--since DURATION", "since" },
	{ "--from", "from" },
	{ "--to", "to" },
	{ "--since", "since" },
	{ "--realtime", "realtime" },
	{ "(run again when ready)", "(call the tool again when ready)" },
};

/* Rewrite text (a buffer of n bytes) in place, each phrase once per occurrence. */
void
mcp_words(char *text, size_t n)
{
	size_t i, at, from, to, len;
	char *p;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		from = strlen(words[i].cli);
		to = strlen(words[i].tool);
		for (at = 0; (p = strstr(text + at, words[i].cli)) != NULL;) {
			len = strlen(text);
			if (len - from + to >= n)
				break;
			memmove(p + to, p + from, len - (size_t)(p - text) - from + 1);
			memcpy(p, words[i].tool, to);
			at = (size_t)(p - text) + to;
		}
	}
}

/* ---- tool results ---------------------------------------------------------- */

static void
add_text(cJSON *content, const char *text)
{
	cJSON *t = cJSON_CreateObject();

	cJSON_AddStringToObject(t, "type", "text");
	cJSON_AddStringToObject(t, "text", text);
	cJSON_AddItemToArray(content, t);
}

/*
 * A tool result: a short summary for people, then the structured document as JSON
 * text (for hosts that pass only content to the model), and the same document as
 * structuredContent where the protocol has it (2025-06-18 on).
 */
cJSON *
tool_result(const char *summary, cJSON *structured, int is_error, int rev)
{
	cJSON *r = cJSON_CreateObject(), *content = cJSON_CreateArray();
	char *s;

	add_text(content, summary);
	if (structured && (s = scrub_print(structured, 0)) != NULL) {
		add_text(content, s);
		free(s);
	}
	cJSON_AddItemToObject(r, "content", content);
	if (structured && rev >= REV_2025_06_18)
		cJSON_AddItemToObject(r, "structuredContent", structured);
	else
		cJSON_Delete(structured);
	cJSON_AddBoolToObject(r, "isError", is_error);
	return r;
}

/* A refused call: its error in the tool's own words, as {"error": text}. */
void
send_tool_error(const struct server *sv, const cJSON *id, const char *text)
{
	char words[1024];
	cJSON *doc = cJSON_CreateObject();

	clip(words, sizeof(words), text, sizeof(words) - 1);
	mcp_words(words, sizeof(words));
	cJSON_AddStringToObject(doc, "state", "refused");
	cJSON_AddStringToObject(doc, "error", words);
	cJSON_AddNumberToObject(doc, "exit_code", 64);
	send_result(id, tool_result(words, doc, 1, sv->rpc.rev));
}

/* ---- a call's answer -------------------------------------------------------- */

static const struct {
	int		 rc;
	const char	*state;
} states[] = {
	{ 0, "finished" }, { 1, "finished" }, { 2, "finished" }, { 3, "task_failed" },
	{ 4, "running" }, { 5, "cluster_busy" }, { 64, "refused" },
};

static const char *
state_of(int rc)
{
	size_t i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (states[i].rc == rc)
			return states[i].state;
	return "error";
}

/* The last "ackprof: ..." line of a worker's stderr, without the prefix. */
static char *
last_error(const char *err)
{
	const char *p = err, *last = NULL, *e;

	while (p && *p) {
		if (strncmp(p, "ackprof: ", 9) == 0)
			last = p + 9;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (last == NULL)
		return NULL;
	e = strchr(last, '\n');
	return e ? xasprintf("%.*s", (int)(e - last), last) : xstrdup(last);
}

/* Replace a string member with the same text in the tools' words. */
static void
reword(cJSON *doc, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, key));
	char text[2048];

	if (s == NULL)
		return;
	clip(text, sizeof(text), s, sizeof(text) - 1);
	mcp_words(text, sizeof(text));
	cJSON_ReplaceItemInObjectCaseSensitive(doc, key, cJSON_CreateString(text));
}

static void
set(cJSON *doc, const char *key, cJSON *v)
{
	if (cJSON_HasObjectItem(doc, key))
		cJSON_ReplaceItemInObjectCaseSensitive(doc, key, v);
	else
		cJSON_AddItemToObject(doc, key, v);
}

static const char *
str(const cJSON *doc, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, key));
}

/* {"tool": "get_diagnosis_result", "arguments": {"task_id": task}}: a call an agent can make as is. */
static cJSON *
follow_call(const char *task)
{
	cJSON *call = cJSON_CreateObject(), *args = cJSON_CreateObject();

	cJSON_AddStringToObject(call, "tool", "get_diagnosis_result");
	cJSON_AddStringToObject(args, "task_id", task);
	cJSON_AddItemToObject(call, "arguments", args);
	return call;
}

/*
 * The next call, when the task goes on or the cluster is busy: next is the call itself
 * where its arguments are known (a task to follow), else the advice as text; next_hint
 * says it in words either way.
 */
static void
set_next(cJSON *doc, const char *state)
{
	const char *task = str(doc, "task_id"), *hint = str(doc, "running_task_hint");
	cJSON *call = NULL;
	char *next = NULL;

	if (strcmp(state, "running") == 0 && task && *task) {
		next = xasprintf("call get_diagnosis_result with task_id %s", task);
		call = follow_call(task);
	} else if (strcmp(state, "cluster_busy") == 0 && hint) {
		next = xasprintf("another task (%s) runs on the cluster: call get_diagnosis_result with task_id %s, "
		    "or diagnose_pod again in 3-5 minutes", hint, hint);
		call = follow_call(hint);
	} else if (strcmp(state, "cluster_busy") == 0)
		next = xstrdup("call diagnose_pod again in 3-5 minutes");
	else if (strcmp(state, "not_started") == 0)
		next = xstrdup("call diagnose_pod again for this pod");
	set(doc, "next", call ? call : next ? cJSON_CreateString(next) : cJSON_CreateNull());
	set(doc, "next_hint", next ? cJSON_CreateString(next) : cJSON_CreateNull());
	free(next);
}

/* Where a call stands: its target (when known), the time it took, the polls it made. */
static void
set_progress(cJSON *doc, const struct job *j, int polls_too)
{
	static const char *const keys[] = { "cluster_id", "namespace", "pod" };
	const char *vals[] = { j->cluster, j->ns, j->pod };
	size_t i;

	for (i = 0; i < 3; i++)
		if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, keys[i])))
			set(doc, keys[i], vals[i][0] ? cJSON_CreateString(vals[i]) : cJSON_CreateNull());
	set(doc, "elapsed_seconds", cJSON_CreateNumber((double)(long)((now_mono() - j->started) * 10) / 10));
	if (polls_too || !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(doc, "polls")))
		set(doc, "polls", cJSON_CreateNumber(j->polls));
}

static void
issues_text(struct buf *t, const cJSON *issues)
{
	const cJSON *it;

	if (cJSON_GetArraySize(issues) == 0)
		return;
	buf_adds(t, "\nIssues:");
	cJSON_ArrayForEach(it, issues) {
		const char *sev = issue_field(it, issue_severity_keys);
		const char *area = issue_field(it, issue_area_keys);
		const char *title = issue_field(it, issue_title_keys);
		const char *detail = issue_field(it, issue_detail_keys);

		buf_printf(t, "\n- [%s] %s%s%s", sev ? sev : "-", area ? area : "", area ? ": " : "",
		    title ? title : cJSON_IsString(it) ? it->valuestring : "(untitled)");
		if (detail)
			buf_printf(t, " (%s)", detail);
	}
}

/* The summary of one diagnosis document. */
static void
diagnosis_text(struct buf *t, const cJSON *doc, int rc, double bound)
{
	const char *state = str(doc, "state"), *s, *task = str(doc, "task_id");
	const cJSON *it;
	int i = 0;

	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "resumed")))
		buf_printf(t, "Resumed task %s, started earlier for this pod.\n", task);
	if (strcmp(state, "finished") == 0) {
		const char *rc_text = str(doc, "root_cause");

		s = str(doc, "overall_status");
		buf_printf(t, "Overall status: %s (exit %d). Root cause: %s", s ? s : "?", rc,
		    rc_text && *rc_text ? rc_text : "none found.");
		issues_text(t, cJSON_GetObjectItemCaseSensitive(doc, "issues"));
		if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "suggestions")) > 0)
			buf_adds(t, "\nSuggestions:");
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc, "suggestions"))
			if (cJSON_IsString(it))
				buf_printf(t, "\n%d. %s", ++i, it->valuestring);
		buf_printf(t, "\nTask: %s", task ? task : "-");
		return;
	}
	if (strcmp(state, "running") == 0 && task && *task) {
		const char *pod = str(doc, "pod"), *ns = str(doc, "namespace"), *cl = str(doc, "cluster_id");

		s = str(doc, "status");
		buf_printf(t, "Task %s", task);
		if (pod && ns && cl)
			buf_printf(t, " (pod %s/%s of cluster %s)", ns, pod, cl);
		buf_printf(t, " is still %s", s ? s : "Running");
		if (bound > 0)
			buf_printf(t, " after the %gs answer bound", bound);
		buf_printf(t, " (%g s, %d polls)",
		    cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(doc, "elapsed_seconds")),
		    (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(doc, "polls")));
		buf_printf(t, ": call get_diagnosis_result with task_id %s to wait for it.", task);
		return;
	}
	buf_printf(t, "%s (exit %d)", (s = str(doc, "error")) ? s : "failed", rc);
	if ((s = str(doc, "message")) != NULL)
		buf_printf(t, "\n%s", s);
	if ((s = str(doc, "next_hint")) != NULL)
		buf_printf(t, "\nNext: %s.", s);
}

/*
 * The contract of schema/diagnosis.schema.json (the tools' outputSchema) on a document
 * the worker did not write: started_at is when the call began.
 */
static void
stamp(cJSON *doc, const struct job *j)
{
	if (cJSON_GetObjectItemCaseSensitive(doc, "kind") == NULL)
		contract_stamp(doc, "diagnosis", time(NULL) - (time_t)(now_mono() - j->started));
}

/* diagnose_pod, get_diagnosis_result: the workflow's -o json document, completed. */
static cJSON *
diagnosis_doc(struct job *j, int rc, const char *err, const char *state)
{
	cJSON *doc = cJSON_ParseWithLength(buf_str(&j->out), j->out.len);

	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		doc = cJSON_CreateObject();
		cJSON_AddItemToObject(doc, "task_id", j->task[0] ? cJSON_CreateString(j->task) : cJSON_CreateNull());
		cJSON_AddNumberToObject(doc, "exit_code", rc);
		cJSON_AddStringToObject(doc, "error", err ? err : "the worker ended without a result");
	}
	stamp(doc, j);
	set(doc, "state", cJSON_CreateString(state));
	set(doc, "resumed", cJSON_CreateBool(j->resumed));
	reword(doc, "error");
	reword(doc, "message");
	set_progress(doc, j, 0);
	set_next(doc, state);
	return doc;
}

static int
same(const cJSON *a, const cJSON *b, const char *key)
{
	const char *x = str(a, key), *y = str(b, key);

	return x && y && strcmp(x, y) == 0;
}

/* Where a batch result's target is in the call's list (targets are unique), or -1. */
static int
target_index(const cJSON *targets, const cJSON *r)
{
	const cJSON *t;
	int i = 0;

	cJSON_ArrayForEach(t, targets) {
		if (same(t, r, "cluster_id") && same(t, r, "namespace") && same(t, r, "pod"))
			return i;
		i++;
	}
	return -1;
}

/* diagnose_pods: the JSON Lines of the batch, as results (with each target's index) and a summary. */
static cJSON *
batch_doc(struct job *j, int rc, const char *err)
{
	cJSON *doc = cJSON_CreateObject(), *results = cJSON_CreateArray(), *line, *v;
	const char *p = buf_str(&j->out), *e;

	for (; *p; p = e + 1) {
		e = strchr(p, '\n');
		line = cJSON_ParseWithLength(p, e ? (size_t)(e - p) : strlen(p));
		if (cJSON_IsObject(line) && (v = cJSON_DetachItemFromObject(line, "summary"))) {
			cJSON_AddItemToObject(doc, "summary", v);
			cJSON_Delete(line);
		} else if (cJSON_IsObject(line)) {
			cJSON_AddNumberToObject(line, "index", target_index(j->targets, line));
			set(line, "state", cJSON_CreateString(state_of((int)cJSON_GetNumberValue(
			    cJSON_GetObjectItemCaseSensitive(line, "exit_code")))));
			reword(line, "error");
			cJSON_AddItemToArray(results, line);
		} else
			cJSON_Delete(line);
		if (!e)
			break;
	}
	cJSON_AddItemToObject(doc, "results", results);
	cJSON_AddNumberToObject(doc, "exit_code", rc);
	cJSON_AddStringToObject(doc, "state", rc <= 2 ? "finished" : state_of(rc));
	if (err && !cJSON_GetObjectItemCaseSensitive(doc, "summary"))
		cJSON_AddStringToObject(doc, "error", err);
	reword(doc, "error");
	return doc;
}

static void
batch_text(struct buf *t, const cJSON *doc, const cJSON *targets)
{
	const cJSON *r;
	const char *s;
	int done = 0;

	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(doc, "results")) {
		int ix = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "index"));
		int rc = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "exit_code"));

		done++;
		buf_printf(t, "targets[%d] %s/%s: ", ix, str(r, "namespace") ? str(r, "namespace") : "?",
		    str(r, "pod") ? str(r, "pod") : "?");
		if (rc <= 2)
			buf_printf(t, "%s (exit %d), root cause: %s; task %s\n", str(r, "overall_status") ?
			    str(r, "overall_status") : "?", rc, (s = str(r, "root_cause")) && *s ? s : "none found",
			    str(r, "task_id") ? str(r, "task_id") : "-");
		else
			buf_printf(t, "exit %d: %s\n", rc, (s = str(r, "error")) ? s : state_of(rc));
	}
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(doc, "running")) {
		done++;
		buf_printf(t, "targets[%d] %s/%s: still running, task %s: call get_diagnosis_result with task_id %s\n",
		    (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "index")), str(r, "namespace"),
		    str(r, "pod"), str(r, "task_id"), str(r, "task_id"));
	}
	buf_printf(t, "%d of %d target%s reported; worst exit %d", done, cJSON_GetArraySize(targets),
	    cJSON_GetArraySize(targets) == 1 ? "" : "s",
	    (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(doc, "exit_code")));
	if ((s = str(doc, "error")) != NULL)
		buf_printf(t, ": %s", s);
}

/* doctor: its check lines as {ok, check, fix}. */
static cJSON *
doctor_doc(struct job *j, int rc, const char *err)
{
	cJSON *doc = cJSON_CreateObject(), *checks = cJSON_CreateArray(), *c = NULL;
	const char *p = buf_str(&j->out), *e;

	for (; *p; p = e + 1) {
		size_t n = (e = strchr(p, '\n')) ? (size_t)(e - p) : strlen(p);
		char *line = xasprintf("%.*s", (int)n, p);

		if (strncmp(line, "[ok]   ", 7) == 0 || strncmp(line, "[FAIL] ", 7) == 0) {
			c = cJSON_CreateObject();
			cJSON_AddBoolToObject(c, "ok", line[1] == 'o');
			cJSON_AddStringToObject(c, "check", line + 7);
			cJSON_AddNullToObject(c, "fix");
			cJSON_AddItemToArray(checks, c);
		} else if (c && strncmp(line, "       fix: ", 12) == 0)
			cJSON_ReplaceItemInObjectCaseSensitive(c, "fix", cJSON_CreateString(line + 12));
		free(line);
		if (!e)
			break;
	}
	cJSON_AddStringToObject(doc, "state", rc == 0 ? "finished" : "error");
	cJSON_AddNumberToObject(doc, "exit_code", rc);
	cJSON_AddItemToObject(doc, "checks", checks);
	cJSON_AddItemToObject(doc, "error", err ? cJSON_CreateString(err) : cJSON_CreateNull());
	return doc;
}

/* Send the result of job j; inside a batch, into the batch's array. */
static void
answer(struct server *sv, struct job *j, const char *text, cJSON *doc, int is_error)
{
	char first[160];

	if (j->mtask) {
		clip(first, sizeof(first), text, strcspn(text, "\n"));
		mtask_finish(j->mtask, tool_result(text, doc, is_error, sv->rpc.rev),
		    is_error ? MT_FAILED : MT_COMPLETED, first);
		return;
	}
	if (j->batch)
		rpc_collect(j->batch);
	send_result(j->id, tool_result(text, doc, is_error, sv->rpc.rev));
	rpc_batch_release(&j->batch);
}

/* The worker ended: its result. */
void
job_answer(struct server *sv, struct job *j, int status)
{
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	char *err = last_error(buf_str(&j->err));
	struct buf text = {0};
	cJSON *doc;
	int is_error;

	if (j->cancelled) {
		/* Cancelled, or answered at the bound: no response is due. */
		free(err);
		return;
	}
	if (err) {
		char words[1024];

		clip(words, sizeof(words), err, sizeof(words) - 1);
		mcp_words(words, sizeof(words));
		free(err);
		err = xstrdup(words);
	}
	switch (j->tool) {
	case T_DIAGNOSE:
	case T_RESULT:
		doc = diagnosis_doc(j, rc, err, state_of(rc));
		diagnosis_text(&text, doc, rc, 0);
		is_error = rc > 2 && rc != 4;
		break;
	case T_BATCH:
		doc = batch_doc(j, rc, err);
		batch_text(&text, doc, j->targets);
		is_error = rc > 2 && rc != 4;
		break;
	default:
		doc = doctor_doc(j, rc, err);
		buf_adds(&text, buf_str(&j->out));
		if (err)
			buf_adds(&text, err);
		is_error = rc != 0;
		break;
	}
	answer(sv, j, buf_str(&text), doc, is_error);
	task_delivered(sv, j);
	buf_free(&text);
	free(err);
}

/* diagnose_pods at the bound: what finished, the tasks still running, what never started. */
static cJSON *
batch_bound_doc(struct server *sv, struct job *j)
{
	cJSON *doc = batch_doc(j, 4, NULL), *running = cJSON_CreateArray(), *t, *r;
	const struct task_memo *m;
	int i = 0, found;

	cJSON_ArrayForEach(t, j->targets) {
		found = 0;
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(doc, "results"))
			if ((int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "index")) == i)
				found = 1;
		m = task_find(sv, j->profile, str(t, "cluster_id"), str(t, "namespace"), str(t, "pod"));
		if (!found && m) {
			r = cJSON_Duplicate(t, 1);
			cJSON_AddNumberToObject(r, "index", i);
			cJSON_AddStringToObject(r, "task_id", m->task_id);
			cJSON_AddStringToObject(r, "state", "running");
			cJSON_AddItemToArray(running, r);
		}
		i++;
	}
	cJSON_AddItemToObject(doc, "running", running);
	set(doc, "state", cJSON_CreateString("running"));
	cJSON_AddStringToObject(doc, "next", "call diagnose_pods again with the same targets (the tasks started "
	    "are followed, finished ones answer at once, none is started again), or get_diagnosis_result with "
	    "each running task_id");
	return doc;
}

/* The bound has come and the worker is still at it: answer with what is known. */
void
job_answer_bound(struct server *sv, struct job *j)
{
	struct buf text = {0};
	cJSON *doc;

	switch (j->tool) {
	case T_DIAGNOSE:
	case T_RESULT:
		doc = cJSON_CreateObject();
		if (j->task[0]) {
			cJSON_AddStringToObject(doc, "task_id", j->task);
			cJSON_AddStringToObject(doc, "status", j->status[0] ? j->status : "Running");
			cJSON_AddNumberToObject(doc, "exit_code", 4);
			cJSON_AddStringToObject(doc, "state", "running");
		} else {
			cJSON_AddNullToObject(doc, "task_id");
			cJSON_AddNumberToObject(doc, "exit_code", j->busy ? 5 : 69);
			cJSON_AddStringToObject(doc, "state", j->busy ? "cluster_busy" : "not_started");
			cJSON_AddItemToObject(doc, "error", cJSON_CreateString(j->invoking ?
			    "the diagnosis task was being started when the answer bound came: call diagnose_pod again "
			    "for this pod to follow it" : j->busy ?
			    "another diagnosis task is running on the cluster (Sysom.TaskInProgress); no task was started" :
			    "no diagnosis task was started within the answer bound"));
			if (j->step[0])
				cJSON_AddStringToObject(doc, "last_step", j->step);
		}
		cJSON_AddBoolToObject(doc, "resumed", j->resumed);
		stamp(doc, j);
		set_progress(doc, j, 1);
		set_next(doc, str(doc, "state"));
		diagnosis_text(&text, doc, (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(doc, "exit_code")),
		    sv->bound);
		answer(sv, j, buf_str(&text), doc, !j->task[0]);
		break;
	case T_BATCH:
		doc = batch_bound_doc(sv, j);
		batch_text(&text, doc, j->targets);
		buf_printf(&text, "\nThe answer bound (%gs) came first. Next: %s.", sv->bound, str(doc, "next"));
		answer(sv, j, buf_str(&text), doc, 0);
		break;
	default:
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "state", "error");
		cJSON_AddNumberToObject(doc, "exit_code", 69);
		cJSON_AddStringToObject(doc, "error", "doctor did not finish within the answer bound");
		cJSON_AddItemToObject(doc, "checks", cJSON_CreateArray());
		buf_printf(&text, "doctor did not finish within the %gs answer bound (a slow aliyun call?)", sv->bound);
		answer(sv, j, buf_str(&text), doc, 1);
		break;
	}
	buf_free(&text);
}
