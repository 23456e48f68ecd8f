/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mcp_tools.c: the tools of `ackprof mcp`: their definitions (tools/list, with
 * output schemas and honest annotations), the checking of a call's arguments in
 * the tool's own words, and the start of a worker for a valid call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "batch.h"
#include "mcp.h"
#include "mcp_int.h"
#include "target.h"
#include "util.h"
#include "schema_doc.h"
#include "workflow.h"

/* Set by the fuzz harness: a valid tools/call is answered without starting a worker. */
int mcp_no_workers;

/* ---- definitions ---------------------------------------------------------------- */

/*
 * since: digits then a unit, repeated (30m, 2h, 1h30m, 1d); linear in any regex
 * engine, since every repetition must end at a unit letter.
 */
static const char target_props[] =
    "{\"cluster_id\":{\"type\":\"string\",\"pattern\":\"^c[0-9a-f]{32}$\","
    "\"description\":\"ACK cluster id (c and 32 lowercase hex digits)\"},"
    "\"namespace\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$\",\"maxLength\":63,"
    "\"description\":\"Kubernetes namespace of the pod\"},"
    "\"pod\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$\","
    "\"maxLength\":253,\"description\":\"pod name\"},"
    "\"description\":{\"type\":\"string\",\"description\":\"symptom words, sanitized to [a-zA-Z0-9_-] "
    "(Chinese symptom words are mapped). If it names a past time (this morning, since Monday, 2 hours ago, "
    "昨天下午, 周一) you must ask the user for the window and pass from/to or since, or realtime.\"},"
    "\"from\":{\"type\":[\"string\",\"integer\"],\"description\":\"historical window start: Unix seconds, "
    "'YYYY-MM-DD HH:MM[:SS]', HH:MM (today) or RFC 3339\"},"
    "\"to\":{\"type\":[\"string\",\"integer\"],\"description\":\"historical window end, same forms\"},"
    "\"since\":{\"type\":\"string\",\"pattern\":\"^([0-9]+[smhd])+$\",\"maxLength\":32,"
    "\"description\":\"window ending now: digits and a unit (s, m, h, d), repeated, e.g. 2h, 90m, 1h30m; "
    "from 1s to 31d in all. A bare number is refused.\"},"
    "\"realtime\":{\"type\":\"boolean\",\"description\":\"real-time diagnosis (the default without a window)\"}}";

/* profile: per call, as --profile; checked as --profile is (valid_profile_name). */
static const char profile_prop[] =
    "{\"type\":\"string\",\"pattern\":\"^[A-Za-z0-9_.@-]{1,64}$\",\"description\":\"aliyun CLI profile "
    "for this call's cloud calls, as --profile (without it: the server's --profile, else the CLI's current). "
    "Tasks are remembered per profile.\"}";

static const char state_prop[] =
    "\"state\":{\"type\":\"string\",\"enum\":[\"finished\",\"running\",\"task_failed\",\"cluster_busy\","
    "\"not_started\",\"refused\",\"error\"]},\"exit_code\":{\"type\":\"integer\"},"
    "\"error\":{\"type\":[\"string\",\"null\"]},\"next\":{\"type\":[\"object\",\"string\",\"null\"]},"
    "\"next_hint\":{\"type\":[\"string\",\"null\"]},\"elapsed_seconds\":{\"type\":\"number\"}";

static const char batch_out[] =
    "\"results\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
    "\"index\":{\"type\":\"integer\"},\"state\":{\"type\":\"string\"},\"exit_code\":{\"type\":\"integer\"},"
    "\"cluster_id\":{\"type\":\"string\"},\"namespace\":{\"type\":\"string\"},\"pod\":{\"type\":\"string\"},"
    "\"task_id\":{\"type\":[\"string\",\"null\"]}},\"required\":[\"index\",\"state\",\"exit_code\"]}},"
    "\"running\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
    "\"index\":{\"type\":\"integer\"},\"task_id\":{\"type\":\"string\"}},\"required\":[\"index\",\"task_id\"]}},"
    "\"summary\":{\"type\":\"object\"}";

static const char doctor_out[] =
    "\"checks\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
    "\"ok\":{\"type\":\"boolean\"},\"check\":{\"type\":\"string\"},\"fix\":{\"type\":[\"string\",\"null\"]}},"
    "\"required\":[\"ok\",\"check\"]}}";

static const char writes[] =
    " It changes things, as the command line does: the aliyun CLI's ai-mode is switched on for the call "
    "and off after it, auto-plugin-install is set and plugins are updated";

static const struct tooldef {
	const char	*name, *title, *desc, *desc_writes, *out;
	enum tool	 tool;
	int		 read_only, destructive, idempotent, open_world;
} tooldefs[] = {
	{ "diagnose_pod", "Diagnose an ACK pod with SysOM",
	  "Runs the whole gated SysOM workflow on one pod of a standard (profile Default) ACK cluster: "
	  "cluster check, SysOM role, VPC endpoint, invoke-diagnosis, polling, and returns the root cause, "
	  "issues and suggestions. Stops on a non-Default or non-running cluster. Reports progress. Answers "
	  "within the server's bound: a task still running then comes back as state \"running\" with its "
	  "task_id (call get_diagnosis_result); calling diagnose_pod again for the same pod resumes that task.",
	  "; the SysOM role is initialized, the cluster's VPC endpoint connection is created (idempotent) and a "
	  "diagnosis task is started.", NULL, T_DIAGNOSE, 0, 0, 0, 1 },
	{ "get_diagnosis_result", "Resume a SysOM diagnosis task",
	  "Polls an existing diagnosis task (one diagnose_pod or diagnose_pods reported as running) and returns "
	  "its result, or state \"running\" again at the server's bound.",
	  ". It starts nothing new.", NULL, T_RESULT, 0, 0, 1, 1 },
	{ "diagnose_pods", "Diagnose many ACK pods with SysOM",
	  "Diagnoses a list of pods: one task at a time per cluster, clusters in parallel; returns one result "
	  "per target (with its index in targets) and a summary. At the server's bound, the targets still "
	  "running come back with their task ids.",
	  "; per cluster the SysOM role is initialized and the VPC endpoint connection created (idempotent), "
	  "and one diagnosis task is started per target.", batch_out, T_BATCH, 0, 0, 0, 1 },
	{ "doctor", "Check the local setup",
	  "Checks the aliyun CLI and its version, the current profile (never showing keys), the sysom plugin, "
	  "the SysOM SDK venv and the scripts.",
	  " It only looks: it changes nothing (no ai-mode switch, no configuration change, no plugin "
	  "update), and nothing on the cluster is touched.", doctor_out, T_DOCTOR, 1, 0, 1, 1 },
};

static cJSON *
object_schema(const char *props, const char *required)
{
	char *s = xasprintf("{\"type\":\"object\",\"properties\":{%s},\"required\":[%s]}", props, required);
	cJSON *j = cJSON_Parse(s);

	free(s);
	return j;
}

static cJSON *
target_schema(void)
{
	cJSON *s = cJSON_CreateObject(), *req = cJSON_CreateArray();

	cJSON_AddStringToObject(s, "type", "object");
	cJSON_AddItemToObject(s, "properties", cJSON_Parse(target_props));
	cJSON_AddItemToArray(req, cJSON_CreateString("cluster_id"));
	cJSON_AddItemToArray(req, cJSON_CreateString("namespace"));
	cJSON_AddItemToArray(req, cJSON_CreateString("pod"));
	cJSON_AddItemToObject(s, "required", req);
	cJSON_AddBoolToObject(s, "additionalProperties", 0);
	return s;
}

static cJSON *
input_schema(enum tool t)
{
	cJSON *s, *props, *targets;

	switch (t) {
	case T_DIAGNOSE:
		s = target_schema();
		break;
	case T_RESULT:
		s = cJSON_Parse("{\"type\":\"object\",\"properties\":{\"task_id\":{\"type\":\"string\","
		    "\"pattern\":\"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$\",\"description\":\"the SysOM task id from an earlier call\"}},"
		    "\"required\":[\"task_id\"],\"additionalProperties\":false}");
		break;
	case T_BATCH:
		s = cJSON_Parse("{\"type\":\"object\",\"properties\":{},\"required\":[\"targets\"],"
		    "\"additionalProperties\":false}");
		props = cJSON_GetObjectItemCaseSensitive(s, "properties");
		targets = cJSON_CreateObject();
		cJSON_AddStringToObject(targets, "type", "array");
		cJSON_AddNumberToObject(targets, "minItems", 1);
		cJSON_AddNumberToObject(targets, "maxItems", MAX_TARGETS);
		cJSON_AddItemToObject(targets, "items", target_schema());
		cJSON_AddItemToObject(props, "targets", targets);
		break;
	default:
		return cJSON_Parse("{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}");
	}
	cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(s, "properties"), "profile", cJSON_Parse(profile_prop));
	return s;
}

cJSON *
tools_list(int rev)
{
	cJSON *r = cJSON_CreateObject(), *arr = cJSON_CreateArray(), *t, *a;
	char *props;
	size_t i;

	for (i = 0; i < sizeof(tooldefs) / sizeof(tooldefs[0]); i++) {
		const struct tooldef *d = &tooldefs[i];
		char *desc = xasprintf("%s%s%s", d->desc, d->read_only ? "" : writes, d->desc_writes);

		t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "name", d->name);
		if (rev >= REV_2025_06_18)
			cJSON_AddStringToObject(t, "title", d->title);
		cJSON_AddStringToObject(t, "description", desc);
		free(desc);
		cJSON_AddItemToObject(t, "inputSchema", input_schema(d->tool));
		if (rev >= REV_2025_06_18 && d->out == NULL)
			/* The published schema itself (schema/diagnosis.schema.json). */
			cJSON_AddItemToObject(t, "outputSchema", cJSON_Parse(schema_diagnosis));
		else if (rev >= REV_2025_06_18) {
			props = xasprintf("%s,%s", state_prop, d->out);
			cJSON_AddItemToObject(t, "outputSchema", object_schema(props, "\"state\",\"exit_code\""));
			free(props);
		}
		a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "title", d->title);
		cJSON_AddBoolToObject(a, "readOnlyHint", d->read_only);
		cJSON_AddBoolToObject(a, "destructiveHint", d->destructive);
		cJSON_AddBoolToObject(a, "idempotentHint", d->idempotent);
		cJSON_AddBoolToObject(a, "openWorldHint", d->open_world);
		cJSON_AddItemToObject(t, "annotations", a);
		if (rev >= REV_2025_11_25)
			cJSON_AddItemToObject(t, "execution", cJSON_Parse("{\"taskSupport\":\"optional\"}"));
		cJSON_AddItemToArray(arr, t);
	}
	cJSON_AddItemToObject(r, "tools", arr);
	return r;
}

/* ---- argument checking ----------------------------------------------------- */

static const char *const target_keys[] = { "cluster_id", "namespace", "pod", "description",
	"from", "to", "since", "realtime", NULL };
static const char *const diagnose_keys[] = { "cluster_id", "namespace", "pod", "description",
	"from", "to", "since", "realtime", "profile", NULL };

static int
only_keys(const cJSON *a, const char *const *keys, const char *prefix, char *err, size_t n)
{
	const cJSON *v;
	char shown[61];
	int k;

	cJSON_ArrayForEach(v, a) {
		for (k = 0; keys[k] && strcmp(keys[k], v->string) != 0; k++)
			;
		if (!keys[k]) {
			clip(shown, sizeof(shown), v->string, 60);
			snprintf(err, n, "%s%s: unknown argument", prefix, shown);
			return -1;
		}
	}
	return 0;
}

/* Check one target object; fills t, or writes "PREFIXfield: what" into err. */
static int
check_target(const cJSON *a, const char *const *keys, const char *prefix, struct target *t, char *err, size_t n)
{
	const cJSON *v;
	const char *str[8] = {0};
	char num[2][32];
	int i, realtime = 0;
	size_t pl = strlen(prefix);

	if (!cJSON_IsObject(a)) {
		snprintf(err, n, "%sarguments: must be an object", prefix);
		return -1;
	}
	if (only_keys(a, keys, prefix, err, n) == -1)
		return -1;
	for (i = 0; target_keys[i]; i++) {
		v = cJSON_GetObjectItemCaseSensitive(a, target_keys[i]);
		if (v == NULL || cJSON_IsNull(v))
			continue;
		if (strcmp(target_keys[i], "realtime") == 0) {
			if (!cJSON_IsBool(v)) {
				snprintf(err, n, "%srealtime: must be a boolean", prefix);
				return -1;
			}
			realtime = cJSON_IsTrue(v);
		} else if ((i == 4 || i == 5) && cJSON_IsNumber(v)) {
			snprintf(num[i - 4], sizeof(num[0]), "%.0f", v->valuedouble);
			str[i] = num[i - 4];
		} else if (!cJSON_IsString(v)) {
			snprintf(err, n, "%s%s: must be a string", prefix, target_keys[i]);
			return -1;
		} else
			str[i] = v->valuestring;
	}
	if (target_fill(t, str[0], str[1], str[2], str[3], str[4], str[5], str[6], realtime,
	    time(NULL), err + pl, n - pl) == -1) {
		memcpy(err, prefix, pl);
		mcp_words(err, n);
		if (strstr(err, "names a past time"))
			snprintf(err + strlen(err), n - strlen(err),
			    ". Ask the user when the problem happened and pass from and to (or since) "
			    "for a historical diagnosis, or realtime: true if it is happening now.");
		return -1;
	}
	return 0;
}

/* ---- the calls ----------------------------------------------------------------- */

struct call {
	struct server	*sv;
	const cJSON	*id, *args;
	struct opts	 o;
	struct batch_opts bo;
	struct target	 t;
	struct buf	 input, state;
	cJSON		*targets;
	const char	*resume;	/* a remembered task of this pod */
	char		 err[600];
};

/* The call's profile: its "profile" argument, checked as --profile is, else the server's. */
static int
call_profile(struct call *c)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->args, "profile");
	char shown[68];

	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v)) {
		snprintf(c->err, sizeof(c->err), "profile: must be a string");
		return -1;
	}
	if (!valid_profile_name(v->valuestring)) {
		clip(shown, sizeof(shown), v->valuestring, 64);
		snprintf(c->err, sizeof(c->err), "profile: '%s' is not a profile name (1 to 64 letters, digits, "
		    "'_', '-', '.', '@', not starting with '-'); pass the name of an aliyun CLI profile, or leave profile out", shown);
		return -1;
	}
	c->o.profile = v->valuestring;
	return 0;
}

/* The key of the call's remembered tasks: its profile, "" for the CLI's current. */
static const char *
memo_profile(const struct call *c)
{
	return c->o.profile ? c->o.profile : "";
}

static int
prep_diagnose(struct call *c)
{
	const struct task_memo *m;

	if (check_target(c->args, diagnose_keys, "", &c->t, c->err, sizeof(c->err)) == -1)
		return -1;
	opts_for_target(&c->o, c->sv->base, &c->t);
	if (call_profile(c) == -1)
		return -1;
	if ((m = task_find(c->sv, memo_profile(c), c->t.cluster, c->t.ns, c->t.pod)) != NULL) {
		/* This server started a task for the pod that has not ended: follow it, start none. */
		c->resume = m->task_id;
		c->o.task_id = m->task_id;
	} else if (job_invoking(c->sv, memo_profile(c), c->t.cluster, c->t.ns, c->t.pod)) {
		snprintf(c->err, sizeof(c->err), "an earlier call for this pod is starting its diagnosis task "
		    "(its invoke-diagnosis has not answered yet): call diagnose_pod again in a few seconds "
		    "to follow that task; none was started now");
		return -1;
	}
	return 0;
}

static int
prep_result(struct call *c)
{
	static const char *const keys[] = { "task_id", "profile", NULL };
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->args, "task_id");
	const struct task_memo *m;

	if (only_keys(c->args, keys, "", c->err, sizeof(c->err)) == -1 || call_profile(c) == -1)
		return -1;
	if (!cJSON_IsString(v)) {
		snprintf(c->err, sizeof(c->err), v ? "task_id: must be a string" : "task_id: missing");
		return -1;
	}
	if (!valid_task_id(v->valuestring)) {
		snprintf(c->err, sizeof(c->err), "task_id: not a SysOM task id (a letter or digit, then letters, digits, '_' and '-')");
		return -1;
	}
	c->o.task_id = v->valuestring;
	/* A task this server started, named without a profile: polled under the one that started it. */
	if (!cJSON_HasObjectItem(c->args, "profile") && (m = task_find_id(c->sv, v->valuestring)) != NULL)
		c->o.profile = *m->profile ? m->profile : NULL;
	return 0;
}

/* One normalized batch input line (the window as Unix seconds) for target bt. */
static void
add_input_line(struct call *c, const struct target *bt)
{
	cJSON *line = cJSON_CreateObject(), *key = cJSON_CreateObject();
	const struct task_memo *m;
	char *s;

	cJSON_AddStringToObject(line, "cluster_id", bt->cluster);
	cJSON_AddStringToObject(line, "namespace", bt->ns);
	cJSON_AddStringToObject(line, "pod", bt->pod);
	cJSON_AddStringToObject(line, "description", bt->desc);
	if (bt->win.historical) {
		cJSON_AddNumberToObject(line, "from", (double)bt->win.start);
		cJSON_AddNumberToObject(line, "to", (double)bt->win.end);
	} else
		cJSON_AddBoolToObject(line, "realtime", 1);
	s = cJSON_PrintUnformatted(line);
	buf_printf(&c->input, "%s\n", s ? s : "");
	free(s);
	cJSON_Delete(line);
	cJSON_AddStringToObject(key, "cluster_id", bt->cluster);
	cJSON_AddStringToObject(key, "namespace", bt->ns);
	cJSON_AddStringToObject(key, "pod", bt->pod);
	cJSON_AddItemToArray(c->targets, key);
	/* A task this server started for the pod and not seen end: the batch polls it, invokes none. */
	if ((m = task_find(c->sv, memo_profile(c), bt->cluster, bt->ns, bt->pod)) != NULL) {
		line = cJSON_CreateObject();
		s = xasprintf("%s %s %s", bt->cluster, bt->ns, bt->pod);
		cJSON_AddStringToObject(line, "key", s);
		free(s);
		cJSON_AddStringToObject(line, "task_id", m->task_id);
		s = cJSON_PrintUnformatted(line);
		buf_printf(&c->state, "%s\n", s ? s : "");
		free(s);
		cJSON_Delete(line);
	}
}

/* The index of an earlier target naming the same pod, or -1. */
static int
earlier(const cJSON *targets, const struct target *bt)
{
	const cJSON *k;
	int i = 0;

	cJSON_ArrayForEach(k, targets) {
		if (strcmp(cJSON_GetObjectItemCaseSensitive(k, "cluster_id")->valuestring, bt->cluster) == 0 &&
		    strcmp(cJSON_GetObjectItemCaseSensitive(k, "namespace")->valuestring, bt->ns) == 0 &&
		    strcmp(cJSON_GetObjectItemCaseSensitive(k, "pod")->valuestring, bt->pod) == 0)
			return i;
		i++;
	}
	return -1;
}

static int
prep_batch(struct call *c)
{
	static const char *const keys[] = { "targets", "profile", NULL };
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(c->args, "targets"), *it;
	char prefix[48];
	int i = 0, dup;

	if (only_keys(c->args, keys, "", c->err, sizeof(c->err)) == -1 || call_profile(c) == -1)
		return -1;
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 1 || cJSON_GetArraySize(list) > MAX_TARGETS) {
		snprintf(c->err, sizeof(c->err), "targets: must be an array of 1 to %d targets", MAX_TARGETS);
		return -1;
	}
	c->targets = cJSON_CreateArray();
	cJSON_ArrayForEach(it, list) {
		struct target bt = {0};

		snprintf(prefix, sizeof(prefix), "targets[%d].", i);
		if (check_target(it, target_keys, prefix, &bt, c->err, sizeof(c->err)) == -1) {
			target_free(&bt);
			return -1;
		}
		if ((dup = earlier(c->targets, &bt)) >= 0) {
			snprintf(c->err, sizeof(c->err), "targets[%d] repeats targets[%d]: cluster_id %s, namespace %s, "
			    "pod %s (each pod once)", i, dup, bt.cluster, bt.ns, bt.pod);
			target_free(&bt);
			return -1;
		}
		if (task_find(c->sv, memo_profile(c), bt.cluster, bt.ns, bt.pod) == NULL &&
		    job_invoking(c->sv, memo_profile(c), bt.cluster, bt.ns, bt.pod)) {
			snprintf(c->err, sizeof(c->err), "targets[%d]: an earlier call is starting the diagnosis "
			    "task of pod %s/%s (its invoke-diagnosis has not answered yet): call diagnose_pods again "
			    "in a few seconds to follow that task; none was started now", i, bt.ns, bt.pod);
			target_free(&bt);
			return -1;
		}
		add_input_line(c, &bt);
		target_free(&bt);
		i++;
	}
	c->bo.input = "-";
	c->bo.state = NULL;
	return 0;
}

static int
prep_doctor(struct call *c)
{
	if (cJSON_GetArraySize(c->args) > 0) {
		snprintf(c->err, sizeof(c->err), "doctor takes no arguments");
		return -1;
	}
	return 0;
}

static int (*const prep[])(struct call *) = {
	[T_DIAGNOSE] = prep_diagnose, [T_RESULT] = prep_result, [T_BATCH] = prep_batch, [T_DOCTOR] = prep_doctor,
};

static void
launch(struct call *c, enum tool tl, const cJSON *token, const cJSON *task)
{
	const struct task_memo *m;
	struct mtask *mt = NULL;
	struct job *j;

	if (mcp_no_workers) {
		send_tool_error(c->sv, c->id, "workers are disabled");
		return;
	}
	if ((j = job_slot(c->sv)) == NULL) {
		send_tool_error(c->sv, c->id, "too many tool calls at once (at most 8); try again when one finishes");
		return;
	}
	if (task && (mt = mtask_new(c->sv, task)) == NULL) {
		j->used = 0;
		send_tool_error(c->sv, c->id, "too many tasks working at once; try again when one ends");
		return;
	}
	snprintf(j->profile, sizeof(j->profile), "%s", memo_profile(c));
	j->tool = c->resume ? T_RESULT : tl;
	j->resumed = c->resume != NULL;
	if (j->tool == T_RESULT)	/* the task is known from the start */
		snprintf(j->task, sizeof(j->task), "%s", c->o.task_id);
	if (tl == T_DIAGNOSE)
		job_target(j, c->t.cluster, c->t.ns, c->t.pod);
	else if (tl == T_RESULT && (m = task_find_id(c->sv, c->o.task_id)) != NULL)
		job_target(j, m->cluster, m->ns, m->pod);	/* a task this server started */
	j->id = cJSON_Duplicate(c->id, 1);
	j->token = token ? cJSON_Duplicate(token, 1) : NULL;
	j->input = c->input;
	memset(&c->input, 0, sizeof(c->input));
	j->state = c->state;
	memset(&c->state, 0, sizeof(c->state));
	j->targets = c->targets;
	c->targets = NULL;
	if (job_start(c->sv, j, &c->o, &c->bo) == -1) {
		send_tool_error(c->sv, c->id, "cannot start a worker (fork or memory file failed); try again");
		job_free(j);
		if (mt)
			mtask_free(mt);
		return;
	}
	if ((j->mtask = mt) != NULL) {
		/* A task: the answer is the task now; its result comes through tasks/result. */
		cJSON *r = cJSON_CreateObject();

		cJSON_AddItemToObject(r, "task", mtask_json(mt));
		send_result(c->id, r);
	} else if ((j->batch = c->sv->rpc.cur_batch) != NULL)
		j->batch->pending++;
}

void
call_tool(struct server *sv, const cJSON *id, const cJSON *params)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(params, "name"));
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(params, "_meta");
	const cJSON *token = cJSON_GetObjectItemCaseSensitive(meta, "progressToken");
	const cJSON *task = sv->rpc.rev >= REV_2025_11_25 ? cJSON_GetObjectItemCaseSensitive(params, "task") : NULL;
	struct call c;
	cJSON *empty = NULL;
	size_t i;

	if (name == NULL) {
		send_error(id, INVALID_PARAMS, "Invalid params: tools/call needs params.name");
		return;
	}
	for (i = 0; i < sizeof(tooldefs) / sizeof(tooldefs[0]) && strcmp(name, tooldefs[i].name) != 0; i++)
		;
	if (task && !cJSON_IsObject(task)) {
		send_error(id, INVALID_PARAMS, "Invalid params: task must be an object ({\"ttl\": ms})");
		return;
	}
	if (i == sizeof(tooldefs) / sizeof(tooldefs[0])) {
		send_error_naming(id, INVALID_PARAMS, "Unknown tool", name);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.sv = sv;
	c.id = id;
	c.o = *sv->base;
	c.bo = *sv->bo;
	c.args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
	if (c.args == NULL)
		c.args = empty = cJSON_CreateObject();
	if (token && !cJSON_IsString(token) && !cJSON_IsNumber(token) && !cJSON_IsRaw(token))
		token = NULL;
	if (!cJSON_IsObject(c.args))
		snprintf(c.err, sizeof(c.err), "arguments: must be an object");
	else if (prep[tooldefs[i].tool](&c) == 0) {
		c.o.out = OUT_JSON;
		c.o.save = NULL;
		c.o.dry_run = 0;
		launch(&c, tooldefs[i].tool, token, task);
	}
	if (c.err[0])
		send_tool_error(sv, id, c.err);
	target_free(&c.t);
	buf_free(&c.input);
	buf_free(&c.state);
	cJSON_Delete(c.targets);
	cJSON_Delete(empty);
}
