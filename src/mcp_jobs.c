/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mcp_jobs.c: the workers of `ackprof mcp`, and the tasks they started.  Each tool
 * call runs in a forked worker that calls the very functions the command line
 * calls (wf_diagnose, wf_result, wf_batch, wf_doctor) with `-o json`; its stdout is
 * the result, its progress lines become notifications/progress, its events say
 * which task it started, and a cancellation (or the answer bound) is a SIGINT to
 * it, so cleanup runs exactly as on a terminal.
 */
#include <sys/mman.h>
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
#include "doctor.h"
#include "mcp_int.h"
#include "msg.h"
#include "run.h"
#include "util.h"
#include "workflow.h"

/* ---- the tasks this server started ------------------------------------------- */

static void
memo_free(struct task_memo *t)
{
	free(t->task_id);
	free(t->cluster);
	free(t->ns);
	free(t->pod);
	free(t->profile);
	memset(t, 0, sizeof(*t));
}

/*
 * How long after its invoke, or the last status a worker read of it, a remembered
 * task is followed: as long as a run of it could take (its busy waits, every poll
 * at the longest jittered wait, an answer bound either side).
 */
static double
memo_horizon(const struct server *sv)
{
	const struct opts *o = sv->base;

	return 1.5 * o->poll_interval * (double)o->poll_max + o->busy_wait * (double)o->busy_retries +
	    2 * sv->bound;
}

static int
memo_live(const struct server *sv, const struct task_memo *t)
{
	return t->task_id && now_mono() - t->born <= memo_horizon(sv);
}

/* Is memo t the task of this pod under this profile, and still to be followed? */
static int
memo_is(const struct server *sv, const struct task_memo *t, const char *profile, const char *cluster,
    const char *ns, const char *pod)
{
	return memo_live(sv, t) && strcmp(t->profile, profile) == 0 && strcmp(t->cluster, cluster) == 0 &&
	    strcmp(t->ns, ns) == 0 && strcmp(t->pod, pod) == 0;
}

/*
 * Remember a task from a successful invoke (never a guessed id), keyed by profile
 * and pod: two profiles never share a task.  The oldest goes first.
 */
static void
task_remember(struct server *sv, const char *profile, const char *id, const char *cluster, const char *ns,
    const char *pod)
{
	struct task_memo *t = NULL, *old = &sv->tasks[0];
	int i;

	/* The pod's own memo, else a free or expired slot, else the oldest. */
	for (i = 0; i < MAX_TASKS && t == NULL; i++)
		if (memo_is(sv, &sv->tasks[i], profile, cluster, ns, pod))
			t = &sv->tasks[i];
	for (i = 0; i < MAX_TASKS && t == NULL; i++) {
		if (!memo_live(sv, &sv->tasks[i]))
			t = &sv->tasks[i];
		else if (sv->tasks[i].seq < old->seq)
			old = &sv->tasks[i];
	}
	if (t == NULL)
		t = old;
	memo_free(t);
	t->profile = xstrdup(profile);
	t->task_id = xstrdup(id);
	t->cluster = xstrdup(cluster);
	t->ns = xstrdup(ns);
	t->pod = xstrdup(pod);
	t->seq = ++sv->task_seq;
	t->born = now_mono();
}

const struct task_memo *
task_find(const struct server *sv, const char *profile, const char *cluster, const char *ns, const char *pod)
{
	int i;

	for (i = 0; i < MAX_TASKS; i++)
		if (memo_is(sv, &sv->tasks[i], profile, cluster, ns, pod))
			return &sv->tasks[i];
	return NULL;
}

const struct task_memo *
task_find_id(const struct server *sv, const char *task_id)
{
	int i;

	/* By its id, a task is the client's own choice: no horizon (its profile is wanted). */
	for (i = 0; i < MAX_TASKS; i++)
		if (sv->tasks[i].task_id && strcmp(sv->tasks[i].task_id, task_id) == 0)
			return &sv->tasks[i];
	return NULL;
}

/*
 * A worker read the task's status: the horizon counts from now (memo_horizon), and
 * a Success or Fail marks it ended.
 */
static void
task_status(struct server *sv, const char *task_id, int ended)
{
	int i;

	for (i = 0; i < MAX_TASKS; i++)
		if (sv->tasks[i].task_id && strcmp(sv->tasks[i].task_id, task_id) == 0) {
			sv->tasks[i].born = now_mono();
			if (ended)
				sv->tasks[i].ended = 1;
		}
}

static int
is(const cJSON *o, const char *key, const char *want)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return v && strcmp(v, want) == 0;
}

/*
 * A whole answer of job j went out: the ended tasks it followed are forgotten, so
 * that a new call for the pod starts a new task.  Until then a call for the pod
 * follows the ended task and gets its result at once: neither an answer at the
 * bound (a partial diagnose_pods, a worker that saw the end after it) nor a
 * repeated diagnose_pods starts a second task for a pod.
 */
void
task_delivered(struct server *sv, const struct job *j)
{
	const cJSON *t;
	int i;

	for (i = 0; i < MAX_TASKS; i++) {
		struct task_memo *m = &sv->tasks[i];

		if (m->task_id == NULL || !m->ended || strcmp(m->profile, j->profile) != 0)
			continue;
		if (j->tool != T_BATCH) {
			if (strcmp(m->task_id, j->task) == 0)
				memo_free(m);
			continue;
		}
		cJSON_ArrayForEach(t, j->targets)
			if (is(t, "cluster_id", m->cluster) && is(t, "namespace", m->ns) && is(t, "pod", m->pod)) {
				memo_free(m);
				break;
			}
	}
}

void
task_forget_all(struct server *sv)
{
	int i;

	for (i = 0; i < MAX_TASKS; i++)
		memo_free(&sv->tasks[i]);
}

/* ---- workers ---------------------------------------------------------------------- */

void
job_free(struct job *j)
{
	int i;

	cJSON_Delete(j->id);
	cJSON_Delete(j->token);
	cJSON_Delete(j->targets);
	for (i = 0; i < 4; i++)
		if (j->fd[i] >= 0)
			close(j->fd[i]);
	buf_free(&j->out);
	buf_free(&j->err);
	buf_free(&j->prog);
	buf_free(&j->ev);
	buf_free(&j->input);
	buf_free(&j->state);
	buf_free(&j->inflight);
	memset(j, 0, sizeof(*j));
}

struct job *
job_slot(struct server *sv)
{
	int i, k;

	for (i = 0; i < MAX_JOBS; i++)
		if (!sv->jobs[i].used) {
			memset(&sv->jobs[i], 0, sizeof(sv->jobs[i]));
			for (k = 0; k < 4; k++)
				sv->jobs[i].fd[k] = -1;
			sv->jobs[i].used = 1;
			return &sv->jobs[i];
		}
	return NULL;
}

/* The pod the job diagnoses (a "still running" answer names it). */
void
job_target(struct job *j, const char *cluster, const char *ns, const char *pod)
{
	snprintf(j->cluster, sizeof(j->cluster), "%s", cluster ? cluster : "");
	snprintf(j->ns, sizeof(j->ns), "%s", ns ? ns : "");
	snprintf(j->pod, sizeof(j->pod), "%s", pod ? pod : "");
}

/* The line "C N P\n" in j's in-flight invokes, or NULL. */
static char *
inflight_find(const struct job *j, const char *c, const char *n, const char *p)
{
	char want[400], *at;

	snprintf(want, sizeof(want), "%s %s %s\n", c, n, p);
	for (at = j->inflight.p; at && (at = strstr(at, want)) != NULL; at++)
		if (at == j->inflight.p || at[-1] == '\n')
			return at;
	return NULL;
}

/*
 * Is a worker of this profile (diagnose_pod's or diagnose_pods') in the middle of
 * an invoke for this pod?  Answered at the bound, it goes on until the invoke
 * answers; a second call for the pod in the meantime must not invoke again.
 */
int
job_invoking(const struct server *sv, const char *profile, const char *cluster, const char *ns,
    const char *pod)
{
	const struct job *j;
	int i;

	for (i = 0; i < MAX_JOBS; i++) {
		j = &sv->jobs[i];
		if (j->used && strcmp(j->profile, profile) == 0 && inflight_find(j, cluster, ns, pod))
			return 1;
	}
	return 0;
}

/* diagnose_pods: its targets on a memory file, the worker's stdin (no temporary file). */
static int
input_fd(const struct buf *in)
{
	int fd = memfd_create("ackprof-mcp-targets", MFD_CLOEXEC);
	size_t off = 0;
	ssize_t n;

	if (fd == -1)
		return -1;
	while (off < in->len) {
		n = write(fd, in->p + off, in->len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * diagnose_pods naming pods whose tasks this server remembers: the batch gets a
 * --state file naming those tasks, so that it polls them instead of invoking.  The
 * batch locks it and never follows a link, so it is a regular file, in a private
 * directory under $TMPDIR, removed when the batch ends.
 */
static int
batch_with_state(struct opts *o, const struct batch_opts *bo, const struct buf *state)
{
	const char *tmp = getenv("TMPDIR");
	struct batch_opts b = *bo;
	char dir[4096], path[4200];
	int fd, rc;

	snprintf(dir, sizeof(dir), "%s/ackprof-mcp-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return wf_batch(o, bo);	/* no resumption, but the batch still runs */
	snprintf(path, sizeof(path), "%s/state", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) == -1 ||
	    write(fd, state->p, state->len) != (ssize_t)state->len) {
		if (fd >= 0)
			close(fd);
		unlink(path);
		rmdir(dir);
		return wf_batch(o, bo);
	}
	close(fd);
	b.state = path;
	rc = wf_batch(o, &b);
	unlink(path);
	rmdir(dir);
	return rc;
}

static void
worker(struct server *sv, struct job *j, struct opts *o, const struct batch_opts *bo, int p[4][2], int in)
{
	int i, k, rc = 0;

	dup2(in, 0);
	dup2(p[0][1], 1);
	dup2(p[1][1], 2);
	msg_progress_fd = p[2][1];
	msg_event_fd = p[3][1];
	for (i = 0; i < MAX_JOBS; i++)	/* other workers' pipes are not ours */
		if (&sv->jobs[i] != j && sv->jobs[i].used)
			for (k = 0; k < 4; k++)
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
		rc = j->state.len ? batch_with_state(o, bo, &j->state) : wf_batch(o, bo);
		break;
	case T_DOCTOR:
		rc = wf_doctor(o);
		break;
	}
	fflush(stdout);
	fflush(stderr);
	_exit(rc);
}

/*
 * Fork a worker running the call on its own copy of the options: stdout, stderr,
 * progress and events each on a pipe; stdin the targets, or /dev/null.
 */
int
job_start(struct server *sv, struct job *j, struct opts *o, const struct batch_opts *bo)
{
	int p[4][2] = {{-1, -1}, {-1, -1}, {-1, -1}, {-1, -1}}, i, in;
	pid_t pid = -1;

	in = j->input.len ? input_fd(&j->input) : open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in == -1)
		return -1;
	for (i = 0; i < 4; i++)
		if (pipe2(p[i], O_CLOEXEC) == -1)
			goto out;
	if ((pid = fork()) == 0)
		worker(sv, j, o, bo, p, in);
	if (pid == -1)
		goto out;
	j->pid = pid;
	j->started = now_mono();
	j->deadline = j->started + sv->bound;
	for (i = 0; i < 4; i++) {
		close(p[i][1]);
		p[i][1] = -1;
		j->fd[i] = p[i][0];
		p[i][0] = -1;
		/* Our own pipe ends: no one else shares them. */
		fcntl(j->fd[i], F_SETFL, O_NONBLOCK);
	}
out:
	close(in);
	for (i = 0; i < 4; i++) {
		if (p[i][0] >= 0)
			close(p[i][0]);
		if (p[i][1] >= 0)
			close(p[i][1]);
	}
	return pid == -1 ? -1 : 0;
}

/* Take whole lines off the front of b; fn gets each (NUL-terminated, no newline). */
static void
each_line(struct server *sv, struct job *j, struct buf *b, void (*fn)(struct server *, struct job *, char *))
{
	char *nl;

	while (b->len && (nl = memchr(b->p, '\n', b->len)) != NULL) {
		size_t len = (size_t)(nl - b->p);
		char *line = xasprintf("%.*s", (int)len, b->p);

		memmove(b->p, nl + 1, b->len - len - 1);
		b->len -= len + 1;
		b->p[b->len] = '\0';
		fn(sv, j, line);
		free(line);
	}
}

static void
on_progress(struct server *sv, struct job *j, char *line)
{
	cJSON *m, *params;

	(void)sv;
	snprintf(j->step, sizeof(j->step), "%s", line);
	if (j->mtask)
		snprintf(j->mtask->message, sizeof(j->mtask->message), "%s", line);
	if (j->token == NULL || j->cancelled)
		return;
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

/* "invoking C N P" / "invoked C N P": the worker's invokes in flight, by pod. */
static void
on_invoke(struct job *j, int start, char *const *f)
{
	char *at;
	size_t len;

	if (start) {
		j->invoking++;
		buf_printf(&j->inflight, "%s %s %s\n", f[1], f[2], f[3]);
		return;
	}
	if ((at = inflight_find(j, f[1], f[2], f[3])) != NULL) {
		len = strlen(f[1]) + strlen(f[2]) + strlen(f[3]) + 3;
		memmove(at, at + len, j->inflight.len - (size_t)(at - j->inflight.p) - len + 1);
		j->inflight.len -= len;
	}
	if (j->invoking > 0 && --j->invoking == 0 && j->stop_pending) {
		/* Answered at the bound while invoking: the task id is in (remembered); now stop. */
		j->stop_pending = 0;
		kill(j->pid, SIGINT);
	}
}

/*
 * "task ID CLUSTER NS POD", "status ID STATUS", "busy CLUSTER", "invoking C N P" and
 * "invoked C N P" from the worker.
 */
static void
on_event(struct server *sv, struct job *j, char *line)
{
	char *f[5] = {0}, *save = NULL;
	int n = 0;

	for (char *w = strtok_r(line, " ", &save); w && n < 5; w = strtok_r(NULL, " ", &save))
		f[n++] = w;
	if (n == 5 && strcmp(f[0], "task") == 0) {
		task_remember(sv, j->profile, f[1], f[2], f[3], f[4]);
		if (j->tool != T_BATCH) {
			snprintf(j->task, sizeof(j->task), "%s", f[1]);
			job_target(j, f[2], f[3], f[4]);
		}
	} else if (n >= 3 && strcmp(f[0], "status") == 0) {
		if (strcmp(f[1], j->task) == 0) {
			snprintf(j->status, sizeof(j->status), "%s", f[2]);
			j->polls++;
		}
		/* Ended: forgotten once an answer carries it (task_delivered), not before. */
		task_status(sv, f[1], strcmp(f[2], "Success") == 0 || strcmp(f[2], "Fail") == 0 ||
		    strcmp(f[2], "Failed") == 0);
	} else if (n == 2 && strcmp(f[0], "busy") == 0)
		j->busy = 1;
	else if (n == 4 && (strcmp(f[0], "invoking") == 0 || strcmp(f[0], "invoked") == 0))
		on_invoke(j, strcmp(f[0], "invoking") == 0, f);
}

/*
 * Read what a worker wrote; forward progress.  Returns 1 when it is finished, its
 * wait status in *status: the caller answers (jobs never call up into results).
 */
int
job_pump(struct server *sv, struct job *j, const struct pollfd *p, int n, int *status)
{
	char rbuf[65536];
	ssize_t r;
	int i, k;

	for (k = 0; k < n; k++) {
		if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		for (i = 0; i < 4; i++) {
			struct buf *b = i == 0 ? &j->out : i == 1 ? &j->err : i == 2 ? &j->prog : &j->ev;

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
	each_line(sv, j, &j->ev, on_event);
	each_line(sv, j, &j->prog, on_progress);
	if (j->fd[0] >= 0 || j->fd[1] >= 0 || j->fd[2] >= 0 || j->fd[3] >= 0)
		return 0;
	while (waitpid(j->pid, status, 0) == -1 && errno == EINTR)
		;
	return 1;
}

/*
 * No response is due any more (cancelled, answered at the bound, shutting down):
 * signal the worker, which cleans up as on a terminal, and let its batch go.
 */
void
job_cancel(struct job *j, int sig)
{
	if (!j->used)
		return;
	if (sig && (!j->cancelled || j->stop_pending)) {
		j->stop_pending = 0;
		kill(j->pid, sig);
	}
	j->cancelled = 1;
	rpc_batch_release(&j->batch);
}

/* Is the job's answer due (its bound passed, nothing answered yet)?  The caller answers. */
int
job_due(const struct job *j, double now)
{
	/* An MCP task has no answer bound: tasks/get answers at once. */
	return j->used && !j->cancelled && !j->mtask && now >= j->deadline;
}

/*
 * Answered at the bound: stop the worker.  One that is invoking is stopped only
 * once the invoke has answered: killed in flight, the task SysOM may have started
 * would have no known id.
 */
void
job_stop_at_bound(struct job *j)
{
	job_cancel(j, j->invoking ? 0 : SIGINT);
	j->stop_pending = j->invoking > 0;
}
