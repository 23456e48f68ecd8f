/*
 * mcp.c: `ackprof mcp`, the same workflow as a Model Context Protocol server over
 * stdio (JSON-RPC 2.0, one message a line).  Each tool call is validated here, then
 * run by a forked worker that calls the very functions the command line calls
 * (wf_diagnose, wf_result, wf_batch, wf_doctor) with `-o json`; the worker's stdout
 * is the result, its progress lines become notifications/progress, and a
 * cancellation is a SIGINT to it, so cleanup runs exactly as on a terminal.
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
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "batch.h"
#include "mcp.h"
#include "msg.h"
#include "run.h"
#include "scrub.h"
#include "target.h"
#include "util.h"
#include "workflow.h"

#define PROTOCOL_VERSION	"2025-06-18"
#define LINE_MAX_BYTES		(4u << 20)	/* a longer request line is refused */
#define MAX_JOBS		8
#define MAX_TARGETS		1000

/* JSON-RPC error codes. */
#define PARSE_ERROR		-32700
#define INVALID_REQUEST		-32600
#define METHOD_NOT_FOUND	-32601
#define INVALID_PARAMS		-32602

enum tool { T_DIAGNOSE, T_RESULT, T_BATCH, T_DOCTOR };

struct job {
	int		 used;
	enum tool	 tool;
	cJSON		*id;		/* the request id (owned) */
	cJSON		*token;		/* progress token, or NULL (owned) */
	pid_t		 pid;
	int		 fd[3];		/* stdout, stderr, progress */
	struct buf	 out, err, prog;
	double		 progress;
	int		 cancelled;
	char		*tmpfile;	/* diagnose_pods input */
};

struct server {
	struct opts	*base;
	const struct batch_opts *bo;
	struct job	 jobs[MAX_JOBS];
	struct buf	 in;
	int		 in_eof;
	int		 discarding;	/* inside an over-long line */
};

/* ---- output: whole lines with write(2), never stdio (workers are forked) ---- */

static void
send_json(cJSON *msg)
{
	char *red = scrub_print(msg, 0);	/* the structure, never its text */
	size_t len, off = 0;
	ssize_t n;

	cJSON_Delete(msg);
	if (red == NULL)
		return;
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

static void
send_error(const cJSON *id, int code, const char *message)
{
	cJSON *m = rpc(id), *e = cJSON_CreateObject();

	cJSON_AddNumberToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", message);
	cJSON_AddItemToObject(m, "error", e);
	send_json(m);
}

static void
send_result(const cJSON *id, cJSON *result)
{
	cJSON *m = rpc(id);

	cJSON_AddItemToObject(m, "result", result);
	send_json(m);
}

/* A tool result: text for the model, the JSON document for programs. */
static cJSON *
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

static void
send_tool_error(const cJSON *id, const char *text)
{
	send_result(id, tool_result(text, NULL, 1));
}

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

static cJSON *
tools_list(void)
{
	cJSON *r = cJSON_CreateObject(), *arr = cJSON_CreateArray(), *s;

	cJSON_AddItemToArray(arr, tool("diagnose_pod", "Diagnose an ACK pod with SysOM",
	    "Runs the whole gated SysOM workflow on one pod of a standard (profile Default) ACK cluster: "
	    "cluster check, SysOM role, VPC endpoint, invoke-diagnosis, polling, and returns the root cause, "
	    "issues and suggestions. Stops on a non-Default or non-running cluster. Reports progress.",
	    target_schema()));
	s = cJSON_Parse("{\"type\":\"object\",\"properties\":{\"task_id\":{\"type\":\"string\","
	    "\"pattern\":\"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$\",\"description\":\"the SysOM task id from an earlier call\"}},"
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
			snprintf(err, n, "%s%.*s: unknown argument", prefix, scrub_cut(v->string, 60), v->string);
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

/* ---- workers ----------------------------------------------------------------- */

static void
job_free(struct job *j)
{
	int i;

	cJSON_Delete(j->id);
	cJSON_Delete(j->token);
	for (i = 0; i < 3; i++)
		if (j->fd[i] >= 0)
			close(j->fd[i]);
	buf_free(&j->out);
	buf_free(&j->err);
	buf_free(&j->prog);
	if (j->tmpfile) {
		unlink(j->tmpfile);
		free(j->tmpfile);
	}
	memset(j, 0, sizeof(*j));
}

/*
 * Fork a worker running fn on its own copy of the options: stdout and stderr go
 * to pipes, progress lines to a third.  The worker never returns.
 */
static int
job_start(struct server *sv, struct job *j, struct opts *o, const struct batch_opts *bo)
{
	int p[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}}, i, rc = 0, dn;
	pid_t pid;

	for (i = 0; i < 3; i++)
		if (pipe2(p[i], O_CLOEXEC) == -1)
			goto fail;
	pid = fork();
	if (pid == -1)
		goto fail;
	if (pid == 0) {
		dn = open("/dev/null", O_RDONLY);
		dup2(dn, 0);
		dup2(p[0][1], 1);
		dup2(p[1][1], 2);
		msg_progress_fd = j->token ? p[2][1] : -1;
		for (i = 0; i < MAX_JOBS; i++)	/* other workers' pipes are not ours */
			if (&sv->jobs[i] != j && sv->jobs[i].used)
				for (int k = 0; k < 3; k++)
					if (sv->jobs[i].fd[k] >= 0)
						close(sv->jobs[i].fd[k]);
		msg_quiet = 1;
		msg_tty = 0;
		run_signal = 0;
		o->yes = 1;
		o->interactive = 0;
		switch (j->tool) {
		case T_DIAGNOSE:
			rc = wf_diagnose(o);
			break;
		case T_RESULT:
			rc = wf_result(o);
			break;
		case T_BATCH:
			rc = wf_batch(o, bo);
			break;
		case T_DOCTOR:
			rc = wf_doctor(o);
			break;
		}
		fflush(stdout);
		fflush(stderr);
		_exit(rc);
	}
	j->pid = pid;
	for (i = 0; i < 3; i++) {
		close(p[i][1]);
		j->fd[i] = p[i][0];
		fcntl(j->fd[i], F_SETFL, O_NONBLOCK);
	}
	return 0;
fail:
	for (i = 0; i < 3; i++) {
		if (p[i][0] >= 0)
			close(p[i][0]);
		if (p[i][1] >= 0)
			close(p[i][1]);
	}
	return -1;
}

static struct job *
job_slot(struct server *sv)
{
	int i;

	for (i = 0; i < MAX_JOBS; i++)
		if (!sv->jobs[i].used) {
			memset(&sv->jobs[i], 0, sizeof(sv->jobs[i]));
			sv->jobs[i].fd[0] = sv->jobs[i].fd[1] = sv->jobs[i].fd[2] = -1;
			sv->jobs[i].used = 1;
			return &sv->jobs[i];
		}
	return NULL;
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
	return e ? strndup(last, (size_t)(e - last)) : xstrdup(last);
}

static void
job_done(struct job *j, int status)
{
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	cJSON *doc = NULL, *v;
	struct buf text = {0};
	char *err = last_error(buf_str(&j->err));
	const char *s;

	if (j->cancelled) {
		/* notifications/cancelled: no response; the worker has cleaned up. */
		free(err);
		return;
	}
	switch (j->tool) {
	case T_DIAGNOSE:
	case T_RESULT:
		doc = cJSON_ParseWithLength(buf_str(&j->out), j->out.len);
		if (!cJSON_IsObject(doc)) {
			cJSON_Delete(doc);
			doc = NULL;
			buf_printf(&text, "ackprof ended with exit %d: %s", rc, err ? err : "no result");
			break;
		}
		if (rc <= 2) {
			s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "overall_status"));
			buf_printf(&text, "Overall status: %s (exit %d). ", s ? s : "?", rc);
			s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "root_cause"));
			buf_printf(&text, "Root cause: %s", s && *s ? s : "none found.");
			v = cJSON_GetObjectItemCaseSensitive(doc, "suggestions");
			if (cJSON_GetArraySize(v) > 0) {
				const cJSON *it;
				int i = 0;

				buf_adds(&text, "\nSuggestions:");
				cJSON_ArrayForEach(it, v)
					if (cJSON_IsString(it))
						buf_printf(&text, "\n%d. %s", ++i, it->valuestring);
			}
			s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "task_id"));
			buf_printf(&text, "\nTask: %s", s ? s : "-");
		} else {
			buf_printf(&text, "%s (exit %d)", err ? err : "failed", rc);
			s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "message"));
			if (s)
				buf_printf(&text, "\n%s", s);
			s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "task_id"));
			if (rc == 4 && s)
				buf_printf(&text, "\nThe task is still running: call get_diagnosis_result with task_id %s.", s);
		}
		break;
	case T_BATCH: {
		cJSON *results = cJSON_CreateArray(), *line;
		const char *p = buf_str(&j->out), *e;

		doc = cJSON_CreateObject();
		while (*p) {
			e = strchr(p, '\n');
			line = cJSON_ParseWithLength(p, e ? (size_t)(e - p) : strlen(p));
			if (cJSON_IsObject(line) && (v = cJSON_DetachItemFromObject(line, "summary"))) {
				cJSON_AddItemToObject(doc, "summary", v);
				cJSON_Delete(line);
			} else if (cJSON_IsObject(line))
				cJSON_AddItemToArray(results, line);
			else
				cJSON_Delete(line);
			if (!e)
				break;
			p = e + 1;
		}
		cJSON_AddItemToObject(doc, "results", results);
		buf_printf(&text, "%d target%s diagnosed; worst exit %d", cJSON_GetArraySize(results),
		    cJSON_GetArraySize(results) == 1 ? "" : "s", rc);
		if (err && rc > 2)
			buf_printf(&text, ": %s", err);
		break;
	}
	case T_DOCTOR:
		buf_adds(&text, buf_str(&j->out));
		if (err)
			buf_printf(&text, "%s", err);
		break;
	}
	if (text.p == NULL)
		buf_adds(&text, "");
	send_result(j->id, tool_result(text.p, doc, j->tool == T_DOCTOR ? rc != 0 : rc > 2));
	buf_free(&text);
	free(err);
}

/* Read what a worker wrote; forward progress lines.  Returns 1 when it is finished. */
static int
job_pump(struct job *j, const struct pollfd *p, int n)
{
	char rbuf[65536];
	ssize_t r;
	int i, k, status;
	char *nl;

	for (k = 0; k < n; k++) {
		if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		for (i = 0; i < 3; i++) {
			struct buf *b = i == 0 ? &j->out : i == 1 ? &j->err : &j->prog;

			if (j->fd[i] != p[k].fd || j->fd[i] < 0)
				continue;
			r = read(j->fd[i], rbuf, sizeof(rbuf));
			if (r > 0)
				buf_add(b, rbuf, (size_t)r);
			else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(j->fd[i]);
				j->fd[i] = -1;
			}
		}
	}
	while (j->prog.len && (nl = memchr(j->prog.p, '\n', j->prog.len)) != NULL) {
		size_t len = (size_t)(nl - j->prog.p);
		cJSON *m, *params;
		char *line = strndup(j->prog.p, len);

		memmove(j->prog.p, nl + 1, j->prog.len - len - 1);
		j->prog.len -= len + 1;
		j->prog.p[j->prog.len] = '\0';
		if (j->token && !j->cancelled) {
			m = cJSON_CreateObject();
			params = cJSON_CreateObject();
			cJSON_AddStringToObject(m, "jsonrpc", "2.0");
			cJSON_AddStringToObject(m, "method", "notifications/progress");
			cJSON_AddItemToObject(params, "progressToken", cJSON_Duplicate(j->token, 1));
			cJSON_AddNumberToObject(params, "progress", ++j->progress);
			cJSON_AddStringToObject(params, "message", line);
			cJSON_AddItemToObject(m, "params", params);
			send_json(m);
		}
		free(line);
	}
	if (j->fd[0] >= 0 || j->fd[1] >= 0 || j->fd[2] >= 0)
		return 0;
	while (waitpid(j->pid, &status, 0) == -1 && errno == EINTR)
		;
	job_done(j, status);
	return 1;
}

/* ---- requests ------------------------------------------------------------------- */

/* Set by the fuzz harness: a valid tools/call is answered without starting a worker. */
int mcp_no_workers;

static void
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
		snprintf(err, sizeof(err), "Unknown tool: %.*s", scrub_cut(name, 100), name);
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
				snprintf(err, sizeof(err), "%.*s: unknown argument", scrub_cut(a->string, 60), a->string);
				send_tool_error(id, err);
				goto out;
			}
		if (!cJSON_IsString(v)) {
			send_tool_error(id, v ? "task_id: must be a string" : "task_id: missing");
			goto out;
		}
		if (!valid_task_id(v->valuestring)) {
			send_tool_error(id, "task_id: not a SysOM task id (a letter or digit, then letters, digits, '_' and '-')");
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
				snprintf(err, sizeof(err), "%.*s: unknown argument", scrub_cut(a->string, 60), a->string);
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

		snprintf(msg, sizeof(msg), "Method not found: %.*s", scrub_cut(name, 100), name);
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
