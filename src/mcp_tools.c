/*
 * mcp_tools.c: the tools of `ackprof mcp`: their definitions (tools/list), the
 * checking of a call's arguments, and the start of a worker for a valid call.
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
#include "workflow.h"

/* ---- tools/list ------------------------------------------------------------ */

static const char target_props[] =
    "{\"cluster_id\":{\"type\":\"string\",\"pattern\":\"^c[0-9a-f]{32}$\","
    "\"description\":\"ACK cluster id (c and 32 lowercase hex digits)\"},"
    "\"namespace\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$\",\"maxLength\":63,"
    "\"description\":\"Kubernetes namespace of the pod\"},"
    "\"pod\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$\","
    "\"maxLength\":253,\"description\":\"pod name\"},"
    "\"description\":{\"type\":\"string\",\"description\":\"symptom words, sanitized to [a-zA-Z0-9_-] "
    "(Chinese symptom words are mapped). If it names a past time (this morning, 2 hours ago, 昨天下午) "
    "you must ask the user for the window and pass from/to or since, or realtime.\"},"
    "\"from\":{\"type\":[\"string\",\"integer\"],\"description\":\"historical window start: Unix seconds, "
    "'YYYY-MM-DD HH:MM[:SS]', HH:MM (today) or RFC 3339\"},"
    "\"to\":{\"type\":[\"string\",\"integer\"],\"description\":\"historical window end, same forms\"},"
    "\"since\":{\"type\":\"string\",\"pattern\":\"^([0-9]+[smhd]?)+$\",\"description\":\"window ending now, e.g. 2h, 90m\"},"
    "\"realtime\":{\"type\":\"boolean\",\"description\":\"real-time diagnosis (the default without a window)\"}}";

static cJSON *
tool(const char *name, const char *title, const char *desc, cJSON *schema)
{
	cJSON *t = cJSON_CreateObject();

	cJSON_AddStringToObject(t, "name", name);
	cJSON_AddStringToObject(t, "title", title);
	cJSON_AddStringToObject(t, "description", desc);
	cJSON_AddItemToObject(t, "inputSchema", schema);
	return t;
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

cJSON *
tools_list(void)
{
	cJSON *r = cJSON_CreateObject(), *arr = cJSON_CreateArray(), *s;

	cJSON_AddItemToArray(arr, tool("diagnose_pod", "Diagnose an ACK pod with SysOM",
	    "Runs the whole gated SysOM workflow on one pod of a standard (profile Default) ACK cluster: "
	    "cluster check, SysOM role, VPC endpoint, invoke-diagnosis, polling, and returns the root cause, "
	    "issues and suggestions. Stops on a non-Default or non-running cluster. Reports progress.",
	    target_schema()));
	s = cJSON_Parse("{\"type\":\"object\",\"properties\":{\"task_id\":{\"type\":\"string\","
	    "\"pattern\":\"^[A-Za-z0-9_-]{1,64}$\",\"description\":\"the SysOM task id from an earlier call\"}},"
	    "\"required\":[\"task_id\"],\"additionalProperties\":false}");
	cJSON_AddItemToArray(arr, tool("get_diagnosis_result", "Resume a SysOM diagnosis task",
	    "Polls an existing diagnosis task (for example one that was still running when diagnose_pod gave up) "
	    "and returns its result.", s));
	s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "type", "object");
	{
		cJSON *props = cJSON_CreateObject(), *targets = cJSON_CreateObject(), *req = cJSON_CreateArray();

		cJSON_AddStringToObject(targets, "type", "array");
		cJSON_AddNumberToObject(targets, "minItems", 1);
		cJSON_AddNumberToObject(targets, "maxItems", MAX_TARGETS);
		cJSON_AddItemToObject(targets, "items", target_schema());
		cJSON_AddItemToObject(props, "targets", targets);
		cJSON_AddItemToObject(s, "properties", props);
		cJSON_AddItemToArray(req, cJSON_CreateString("targets"));
		cJSON_AddItemToObject(s, "required", req);
		cJSON_AddBoolToObject(s, "additionalProperties", 0);
	}
	cJSON_AddItemToArray(arr, tool("diagnose_pods", "Diagnose many ACK pods with SysOM",
	    "Diagnoses a list of pods: one task at a time per cluster, clusters in parallel; returns one result "
	    "per target and a summary, worst first.", s));
	cJSON_AddItemToArray(arr, tool("doctor", "Check the local setup",
	    "Checks the aliyun CLI and its version, the current profile (never showing keys), the sysom plugin, "
	    "the SysOM SDK venv and the scripts.",
	    cJSON_Parse("{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}")));
	cJSON_AddItemToObject(r, "tools", arr);
	return r;
}

/* ---- argument checking ----------------------------------------------------- */

static const char *const target_keys[] = { "cluster_id", "namespace", "pod", "description",
	"from", "to", "since", "realtime", NULL };

/* Check one target object; fills t, or writes "PREFIXfield: what" into err. */
static int
check_target(const cJSON *a, const char *prefix, struct target *t, char *err, size_t n)
{
	const cJSON *v;
	const char *str[8] = {0};
	char num[2][32];
	int i, k, realtime = 0;

	if (!cJSON_IsObject(a)) {
		snprintf(err, n, "%sarguments: must be an object", prefix);
		return -1;
	}
	cJSON_ArrayForEach(v, a) {
		for (k = 0; target_keys[k] && strcmp(target_keys[k], v->string) != 0; k++)
			;
		if (!target_keys[k]) {
			snprintf(err, n, "%s%.60s: unknown argument", prefix, v->string);
			return -1;
		}
	}
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
	    time(NULL), err + strlen(prefix), n - strlen(prefix)) == -1) {
		memcpy(err, prefix, strlen(prefix));
		if (strstr(err, "names a past time"))
			snprintf(err + strlen(err), n - strlen(err),
			    ". Ask the user when the problem happened and pass from and to (or since) "
			    "for a historical diagnosis, or realtime: true if it is happening now.");
		return -1;
	}
	return 0;
}

/* ---- requests ------------------------------------------------------------------- */

/* Set by the fuzz harness: a valid tools/call is answered without starting a worker. */
int mcp_no_workers;

void
call_tool(struct server *sv, const cJSON *id, const cJSON *params)
{
	const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(params, "name"));
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(params, "_meta");
	const cJSON *token = cJSON_GetObjectItemCaseSensitive(meta, "progressToken");
	struct batch_opts bo = *sv->bo;
	struct target t = {0};	/* freed on every path, some of which never fill it */
	struct opts o = *sv->base;
	struct job *j;
	char err[600];
	enum tool tl;
	cJSON *empty = NULL;

	if (name == NULL) {
		send_error(id, INVALID_PARAMS, "tools/call needs params.name");
		return;
	}
	if (strcmp(name, "diagnose_pod") == 0)
		tl = T_DIAGNOSE;
	else if (strcmp(name, "get_diagnosis_result") == 0)
		tl = T_RESULT;
	else if (strcmp(name, "diagnose_pods") == 0)
		tl = T_BATCH;
	else if (strcmp(name, "doctor") == 0)
		tl = T_DOCTOR;
	else {
		snprintf(err, sizeof(err), "Unknown tool: %.100s", name);
		send_error(id, INVALID_PARAMS, err);
		return;
	}
	if (args == NULL)
		args = empty = cJSON_CreateObject();
	if (!cJSON_IsObject(args)) {
		send_tool_error(id, "arguments: must be an object");
		goto out;
	}
	if (token && !cJSON_IsString(token) && !cJSON_IsNumber(token))
		token = NULL;
	o.out = OUT_JSON;
	o.save = NULL;
	o.dry_run = 0;
	switch (tl) {
	case T_DIAGNOSE:
		if (check_target(args, "", &t, err, sizeof(err)) == -1) {
			send_tool_error(id, err);
			goto out;
		}
		opts_for_target(&o, sv->base, &t);
		o.out = OUT_JSON;
		o.save = NULL;
		o.dry_run = 0;
		break;
	case T_RESULT: {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, "task_id"), *a;

		cJSON_ArrayForEach(a, args)
			if (strcmp(a->string, "task_id") != 0) {
				snprintf(err, sizeof(err), "%.60s: unknown argument", a->string);
				send_tool_error(id, err);
				goto out;
			}
		if (!cJSON_IsString(v)) {
			send_tool_error(id, v ? "task_id: must be a string" : "task_id: missing");
			goto out;
		}
		if (!valid_task_id(v->valuestring)) {
			send_tool_error(id, "task_id: not a SysOM task id (letters, digits, '_' and '-')");
			goto out;
		}
		o.task_id = v->valuestring;
		break;
	}
	case T_BATCH: {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(args, "targets"), *it, *a;
		char prefix[48], tmpl[] = "/tmp/ackprof-mcp-XXXXXX";
		int i = 0, fd;
		FILE *f;

		cJSON_ArrayForEach(a, args)
			if (strcmp(a->string, "targets") != 0) {
				snprintf(err, sizeof(err), "%.60s: unknown argument", a->string);
				send_tool_error(id, err);
				goto out;
			}
		if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) < 1 ||
		    cJSON_GetArraySize(list) > MAX_TARGETS) {
			send_tool_error(id, "targets: must be an array of 1 to 1000 targets");
			goto out;
		}
		if ((fd = mkstemp(tmpl)) == -1 || (f = fdopen(fd, "w")) == NULL) {
			send_tool_error(id, "cannot write a temporary file (check TMPDIR)");
			goto out;
		}
		cJSON_ArrayForEach(it, list) {
			struct target bt = {0};
			cJSON *line;
			char *s;

			snprintf(prefix, sizeof(prefix), "targets[%d].", i++);
			if (check_target(it, prefix, &bt, err, sizeof(err)) == -1) {
				fclose(f);
				unlink(tmpl);
				send_tool_error(id, err);
				goto out;
			}
			/* The batch input, normalized: the window as Unix seconds. */
			line = cJSON_CreateObject();
			cJSON_AddStringToObject(line, "cluster_id", bt.cluster);
			cJSON_AddStringToObject(line, "namespace", bt.ns);
			cJSON_AddStringToObject(line, "pod", bt.pod);
			cJSON_AddStringToObject(line, "description", bt.desc);
			if (bt.win.historical) {
				cJSON_AddNumberToObject(line, "from", (double)bt.win.start);
				cJSON_AddNumberToObject(line, "to", (double)bt.win.end);
			} else
				cJSON_AddBoolToObject(line, "realtime", 1);
			s = cJSON_PrintUnformatted(line);
			fprintf(f, "%s\n", s ? s : "");
			free(s);
			cJSON_Delete(line);
			target_free(&bt);
		}
		if (fclose(f) != 0) {
			unlink(tmpl);
			send_tool_error(id, "cannot write a temporary file (check TMPDIR)");
			goto out;
		}
		bo.input = xstrdup(tmpl);
		break;
	}
	case T_DOCTOR:
		if (cJSON_GetArraySize(args) > 0) {
			send_tool_error(id, "doctor takes no arguments");
			goto out;
		}
		break;
	}
	if (mcp_no_workers) {
		send_tool_error(id, "workers are disabled");
		if (tl == T_BATCH) {
			unlink(bo.input);
			free((char *)bo.input);
		}
		goto out;
	}
	if ((j = job_slot(sv)) == NULL) {
		send_tool_error(id, "too many tool calls at once (at most 8); try again when one finishes");
		if (tl == T_BATCH) {
			unlink(bo.input);
			free((char *)bo.input);
		}
		goto out;
	}
	j->tool = tl;
	j->id = cJSON_Duplicate(id, 1);
	j->token = token ? cJSON_Duplicate(token, 1) : NULL;
	if (tl == T_BATCH)
		j->tmpfile = (char *)bo.input;
	if (job_start(sv, j, &o, &bo) == -1) {
		send_tool_error(id, "cannot start a worker (fork failed); try again");
		job_free(j);
	}
out:
	target_free(&t);
	cJSON_Delete(empty);
}

