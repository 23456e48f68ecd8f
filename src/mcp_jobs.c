/*
 * mcp_jobs.c: the workers of `ackprof mcp`.  Each tool call runs in a forked
 * worker that calls the very functions the command line calls (wf_diagnose,
 * wf_result, wf_batch, wf_doctor) with `-o json`; its stdout is the result, its
 * progress lines become notifications/progress, and a cancellation is a SIGINT to
 * it, so cleanup runs exactly as on a terminal.
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
#include "mcp_int.h"
#include "msg.h"
#include "run.h"
#include "util.h"
#include "workflow.h"



void
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
int
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

struct job *
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
int
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

