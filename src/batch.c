/* SPDX-License-Identifier: Apache-2.0 */
/*
 * batch.c: `ackprof batch`.  The whole input is validated first; then the shared
 * steps run once (ai-mode, plugin update, version, credentials), initial-sysom
 * once before the first Step 7, and each cluster runs its own pipeline: cs GET,
 * Step 7, then its targets one at a time (SysOM runs one task per ack-ID).
 * Clusters run in parallel, up to --jobs, as children of one poll() loop.  Each
 * result is written the moment it is known; --state records every task id the
 * moment invoke returns it, so a rerun polls instead of invoking again.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "backoff.h"
#include "batch.h"
#include "contract.h"
#include "filelock.h"
#include "metrics.h"
#include "push.h"
#include "i18n.h"
#include "msg.h"
#include "run.h"
#include "scrub.h"
#include "steps.h"
#include "target.h"
#include "utf8.h"
#include "util.h"

/* ---- input ----------------------------------------------------------- */

/* A value echoed in a message: at most 80 bytes, masked, cut between characters. */
static const char *
echo80(const char *s, char buf[84])
{
	scrub_copy(buf, 81, s, strlen(s));
	return buf;
}

void
target_free(struct target *t)
{
	free(t->cluster);
	free(t->ns);
	free(t->pod);
	free(t->desc);
	free(t->task_id);
	memset(t, 0, sizeof(*t));
}

static const char *
jstr(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);

	if (!v && b)
		v = cJSON_GetObjectItemCaseSensitive(o, b);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A JSON time may be a number (Unix seconds) or a string in any --from form. */
static const char *
jtime(const cJSON *o, const char *k, char *tmp, size_t n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (cJSON_IsNumber(v)) {
		snprintf(tmp, n, "%.0f", v->valuedouble);
		return tmp;
	}
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int
target_fill(struct target *t, const char *cl, const char *ns, const char *pod, const char *desc,
    const char *from, const char *to, const char *since, int realtime, time_t now,
    char *err, size_t errlen)
{
	char found[256], eb[84];

	memset(t, 0, sizeof(*t));
	if (!cl || !ns || !pod) {
		i18n_snprintf(err, errlen, "%s: missing (a target needs cluster_id, namespace and pod)",
		    !cl ? "cluster_id" : !ns ? "namespace" : "pod");
		return -1;
	}
	if (!valid_cluster_id(cl)) {
		i18n_snprintf(err, errlen, "cluster_id: '%.80s' is not an ACK cluster id (c and 32 lowercase hex digits)",
		    echo80(cl, eb));
		return -1;
	}
	if (!valid_namespace(ns)) {
		i18n_snprintf(err, errlen, "namespace: '%.80s' is not a Kubernetes namespace (%s)",
		    echo80(ns, eb), _(target_ns_rule));
		return -1;
	}
	if (!valid_pod(pod)) {
		i18n_snprintf(err, errlen, "pod: '%.80s' is not a Kubernetes pod name (%s)", echo80(pod, eb),
		    _(target_pod_rule));
		return -1;
	}
	if (timewin_resolve(from, to, since, realtime, now, &t->win, err, errlen) == -1) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err);
		i18n_snprintf(err, errlen, "%s: %s", since ? "since" : realtime ? "realtime" : "from/to", why);
		return -1;
	}
	desc = desc ? desc : "";
	if (!t->win.historical && !realtime && temporal_past(desc, found, sizeof(found))) {
		i18n_snprintf(err, errlen, "description: names a past time ('%.80s') but no window was given (add from/to or since, or realtime)",
		    echo80(found, eb));
		return -1;
	}
	t->cluster = xstrdup(cl);
	t->ns = xstrdup(ns);
	t->pod = xstrdup(pod);
	t->desc = sanitize_description(desc);
	return 1;
}

int
batch_parse_line(const char *line, time_t now, struct target *t, char *err, size_t errlen)
{
	const char *p = line;
	char *copy, *f[3], *save = NULL, *rest, tf[32], tt[32];
	cJSON *j, *rt;
	int i, rc;

	memset(t, 0, sizeof(*t));
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '\n' || *p == '\r' || *p == '#')
		return 0;
	if (*p == '{') {
		char name[128];
		int depth;

		if (json_nul_member(p, strlen(p), name, sizeof(name), &depth)) {
			/* cJSON would cut the string at the NUL: "c…\u0000junk" read as "c…". */
			snprintf(err, errlen, _("%s holds a NUL character (\\u0000)"), name);
			return -1;
		}
		j = cJSON_Parse(p);
		if (!cJSON_IsObject(j)) {
			cJSON_Delete(j);
			snprintf(err, errlen, "not a JSON object");
			return -1;
		}
		rt = cJSON_GetObjectItemCaseSensitive(j, "realtime");
		rc = target_fill(t, jstr(j, "cluster_id", "cluster"), jstr(j, "namespace", NULL),
		    jstr(j, "pod", NULL), jstr(j, "description", NULL), jtime(j, "from", tf, sizeof(tf)),
		    jtime(j, "to", tt, sizeof(tt)), jstr(j, "since", NULL), cJSON_IsTrue(rt), now,
		    err, errlen);
		cJSON_Delete(j);
		return rc;
	}
	copy = xstrdup(p);
	copy[strcspn(copy, "\r\n")] = '\0';
	for (i = 0; i < 3; i++)
		f[i] = strtok_r(i ? NULL : copy, " \t", &save);
	rest = save;
	while (rest && (*rest == ' ' || *rest == '\t'))
		rest++;
	rc = target_fill(t, f[0], f[1], f[2], rest, NULL, NULL, NULL, 0, now, err, errlen);
	free(copy);
	return rc;
}

/* ---- the state file -------------------------------------------------- */

static char *
target_key(const struct target *t)
{
	return xasprintf("%s %s %s", t->cluster, t->ns, t->pod);
}

/*
 * Once a record could not be written whole, the state cannot be trusted to hold the
 * next invoke: the batch stops invoking (it still polls what it has) and exits 74.
 * A record cut short leaves no newline: the next one starts on a line of its own.
 */
static int state_lost, state_cut;

/* Append one record and flush it to disk: a killed batch loses nothing it recorded. */
static void
state_append(int fd, cJSON *rec)
{
	char *s = scrub_print(rec, 0), *line;
	ssize_t w;
	size_t len;

	cJSON_Delete(rec);
	if (fd < 0 || s == NULL) {
		free(s);
		return;
	}
	line = xasprintf("%s%s\n", state_cut ? "\n" : "", s);
	len = strlen(line);
	w = write(fd, line, len);
	if (w > 0 && (size_t)w < len)
		state_cut = 1;
	else if (w == (ssize_t)len)
		state_cut = 0;
	if (w != (ssize_t)len || fsync(fd) == -1) {
		if (!state_lost)
			warnf("cannot write the state file: %s", w >= 0 && (size_t)w < len ?
			    _("a short write (is the disk full?)") : strerror(errno));
		state_lost = 1;
	}
	free(line);
	free(s);
}

static void
state_task(int fd, const struct target *t)
{
	cJSON *r = cJSON_CreateObject();
	char *k = target_key(t);

	cJSON_AddStringToObject(r, "key", k);
	cJSON_AddStringToObject(r, "task_id", t->task_id);
	free(k);
	state_append(fd, r);
}

/*
 * Recorded before an invoke starts: an invoke that a kill cut short may still
 * have started a task, and a rerun must look for it before it invokes again.
 */
static void
state_invoking(int fd, const struct target *t)
{
	cJSON *r;
	char *k;

	if (fd < 0)
		return;
	r = cJSON_CreateObject();
	k = target_key(t);
	cJSON_AddStringToObject(r, "key", k);
	cJSON_AddBoolToObject(r, "invoking", 1);
	free(k);
	state_append(fd, r);
}

static void
state_done(int fd, const struct target *t)
{
	cJSON *r = cJSON_CreateObject();
	char *k = target_key(t);

	cJSON_AddStringToObject(r, "key", k);
	if (t->task_id)
		cJSON_AddStringToObject(r, "task_id", t->task_id);
	cJSON_AddBoolToObject(r, "done", 1);
	cJSON_AddNumberToObject(r, "exit_code", t->rc);
	free(k);
	state_append(fd, r);
}

/* An exit code read back from a state file: a whole number a process can exit with. */
static int
state_exit_code(const cJSON *v, int *rc)
{
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
	    v->valuedouble > 255 || v->valuedouble != floor(v->valuedouble))
		return -1;
	*rc = (int)v->valuedouble;
	return 0;
}

/*
 * Read the records of an earlier run into the targets: a task id to poll, an
 * invoke that was cut short (look for its task before invoking again), or a
 * finished target to skip.  A torn last line (the process killed mid-write), or
 * a finished record whose exit code is not 0-255, is ignored; a task id that is
 * not one refuses the file.  Returns the open descriptor for appending, or -1.
 */
#define STATE_LINE_MAX	(1024 * 1024)

/*
 * One line of the state file into b, at most STATE_LINE_MAX bytes of it kept: a longer
 * one is read to its end and marked too long, never held whole.  *nl says whether it
 * ended in a newline.  Returns 0 at the end of the file.
 */
static int
state_line(FILE *f, struct buf *b, int *nl, int *toolong)
{
	char chunk[4096];
	size_t n;

	buf_reset(b);
	*nl = *toolong = 0;
	while (fgets(chunk, sizeof(chunk), f) != NULL) {
		n = strlen(chunk);
		if (b->len + n <= STATE_LINE_MAX)
			buf_add(b, chunk, n);
		else
			*toolong = 1;
		if (n > 0 && chunk[n - 1] == '\n') {
			*nl = 1;
			return 1;
		}
	}
	return b->len > 0 || *toolong;
}

static int
state_load(const char *path, struct target *ts, size_t n)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc;
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	struct strmap keys = { 0 };
	struct buf lb = { 0 };
	char *line, *k;
	size_t i;
	unsigned long lineno = 0;
	int nl = 1, toolong, torn = 0;
	cJSON *j, *v;

	if (f != NULL) {
		/* One lookup a line: linear in the file and the targets. */
		for (i = 0; i < n; i++) {
			k = target_key(&ts[i]);
			strmap_put(&keys, k, i);
			free(k);
		}
		while (state_line(f, &lb, &nl, &toolong)) {
			const cJSON *tid, *done;

			lineno++;
			if (toolong) {
				warnf("state file %s, line %lu: longer than 1 MiB; set aside as corrupt",
				    path, lineno);
				continue;
			}
			line = lb.p;
			j = cJSON_Parse(line);
			v = cJSON_GetObjectItemCaseSensitive(j, "task_id");
			if (cJSON_IsString(v) && !valid_task_id(v->valuestring)) {
				/* Never polled, never dropped silently: the file is not ours or was edited. */
				errorf("state file %s, line %lu: '%s' is not a SysOM task id (fix or remove the line, or use a new --state file)",
				    path, lineno, v->valuestring);
				cJSON_Delete(j);
				buf_free(&lb);
				fclose(f);
				strmap_free(&keys);
				return -1;
			}
			v = cJSON_GetObjectItemCaseSensitive(j, "key");
			if (!cJSON_IsString(v) || !strmap_get(&keys, v->valuestring, &i)) {
				cJSON_Delete(j);
				continue;
			}
			tid = cJSON_GetObjectItemCaseSensitive(j, "task_id");
			done = cJSON_GetObjectItemCaseSensitive(j, "done");
			if (cJSON_IsString(tid)) {	/* checked above */
				free(ts[i].task_id);
				ts[i].task_id = xstrdup(tid->valuestring);
				ts[i].invoking = 0;
			}
			if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "invoking")) && !ts[i].task_id)
				ts[i].invoking = 1;
			/* A finished record is believed only with a sane exit code. */
			if (cJSON_IsTrue(done) &&
			    state_exit_code(cJSON_GetObjectItemCaseSensitive(j, "exit_code"), &rc) == 0) {
				ts[i].done = 2;
				ts[i].rc = rc;
			}
			cJSON_Delete(j);
		}
		/* A last line without its newline: a crash or a full disk cut it short. */
		torn = lineno > 0 && !nl;
		buf_free(&lb);
		fclose(f);
	} else if (fd >= 0)
		close(fd);
	strmap_free(&keys);
	state_lost = state_cut = 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		errorf("cannot open the state file %s: %s (choose a writable path for --state)", path,
		    strerror(errno));
	else if (torn) {
		/* Ended here, so that the next record is a line of its own. */
		warnf("state file %s, line %lu: cut short (a crash or a full disk); set aside as corrupt",
		    path, lineno);
		if (write(fd, "\n", 1) != 1 || fsync(fd) == -1) {
			errorf("cannot write the state file %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* ---- the event loop ---------------------------------------------------- */

enum cstate { C_QUEUED, C_CS, C_WAIT_INITIAL, C_STEP7, C_NEXT, C_INVOKE, C_BUSY_WAIT,
	C_POLL, C_POLL_WAIT, C_THROTTLED, C_DONE };

struct cluster {
	char		*id;
	size_t		*idx;		/* its targets, in input order */
	size_t		 n, next;
	enum cstate	 st;
	struct opts	 o;		/* cluster-level: no pod */
	struct wf	 cw;		/* cs GET and Step 7 */
	struct opts	 to;		/* the current target's */
	struct wf	 tw;		/* the current target's calls */
	int		 have_tw;
	size_t		 cur;		/* index of the current target */
	struct child	 c;
	struct cli_call	 call;
	int		 running;	/* c is a child in flight */
	double		 wake_at;
	unsigned long	 attempts, polls;
	unsigned long	 throttled;	/* retries of the call now refused as throttled */
	enum cstate	 resume;	/* C_THROTTLED: the state that sends the call again */
	int		 adopting;	/* polling a task an earlier run's invoke may have started */
	int		 adopt_tried;
	int		 rc;		/* a cluster-level failure */
	char		*error;		/* its message */
	unsigned	 ok, fail;
};

struct batch {
	struct opts	*o;
	const struct batch_opts *bo;
	struct target	*t;
	size_t		 nt;
	struct cluster	*cl;
	size_t		 ncl, active, started;
	struct wf	 gw;		/* the shared steps */
	int		 initial;	/* 0 not run, 1 running, 2 ok, 3 failed */
	int		 initial_rc;
	unsigned long	 initial_throttled;	/* its retries after a throttled answer */
	double		 initial_at;	/* not before (a throttled one's backoff) */
	char		*initial_error;
	struct child	 ic;
	struct cli_call	 icall;
	int		 statefd;
	int		 lockfd;	/* holds the lock on the state file */
	double		 t0;		/* when the batch began */
	struct metrics	 m;		/* --metrics: every target's outcome */
	size_t		 ndone;
	int		 interrupted;
};

/* Text lines are scrubbed here; JSON Lines come scrubbed as structures (scrub_print). */
/* The last error as the output needs it: English in JSON Lines, as shown in text. */
static const char *
last_error(const struct batch *b)
{
	return b->o->out == OUT_JSON ? msg_last_error() : msg_last_error_shown();
}

static void
emit_line(const char *s, int json)
{
	char *red = json ? xstrdup(s) : scrub_text(s, strlen(s), 1);

	progress_done();
	fputs(red, stdout);
	fflush(stdout);
	free(red);
}

/* The first column of a result line: wide enough for "exit 130" in any language. */
static int
status_column(void)
{
	int w = utf8_width(_("exit %d")) + 1;	/* "%d" stands for 3 digits */

	return w > 8 ? w : 8;
}

/* One line per finished target, written at once. */
static void
report_target(struct batch *b, struct target *t, struct wf *w, const char *err)
{
	struct buf b2 = {0};
	char *s, *rc;

	if (b->o->out == OUT_JSON) {
		if (w) {
			w->jsonl = 1;
			s = wf_render(w, t->rc);
		} else {
			cJSON *o = cJSON_CreateObject();
			char *p;

			cJSON_AddStringToObject(o, "cluster_id", t->cluster);
			cJSON_AddStringToObject(o, "namespace", t->ns);
			cJSON_AddStringToObject(o, "pod", t->pod);
			cJSON_AddNumberToObject(o, "exit_code", t->rc);
			cJSON_AddStringToObject(o, "error", err ? err : "");
			shard_json(o, &b->o->shard);
			contract_stamp(o, "diagnosis", b->o->started);
			p = scrub_print(o, 0);
			cJSON_Delete(o);
			s = xasprintf("%s\n", p ? p : "{}");
			free(p);
		}
		if (s)
			emit_line(s, 1);
		free(s);
		return;
	}
	/* One target, one line: what came from the cloud is scrubbed as a line first. */
	if (t->rc <= 2 && w && w->have_diag && w->diag.state == TASK_SUCCESS) {
		char *rcause = scrub_line(w->diag.root_cause && *w->diag.root_cause ? w->diag.root_cause :
		    _("no anomaly found"));

		buf_addpad(&b2, overall_label(w->diag.overall), status_column());
		buf_printf(&b2, _(" %s %s/%s task %s: "), t->cluster, t->ns, t->pod,
		    t->task_id ? t->task_id : "-");
		buf_add(&b2, rcause, utf8_cut(rcause, strlen(rcause), 200));
		buf_adds(&b2, "\n");
		free(rcause);
	} else {
		char *why = scrub_line(err && *err ? err : _("failed"));

		rc = xasprintf(_("exit %d"), t->rc);
		buf_addpad(&b2, rc, status_column());
		if (t->task_id)
			buf_printf(&b2, _(" %s %s/%s task %s: "), t->cluster, t->ns, t->pod, t->task_id);
		else
			buf_printf(&b2, _(" %s %s/%s: "), t->cluster, t->ns, t->pod);
		buf_printf(&b2, "%s\n", why);
		free(rc);
		free(why);
	}
	s = b2.p;
	emit_line(s, 0);
	free(s);
}

static void
finish_target(struct batch *b, struct cluster *c, struct target *t, int rc, struct wf *w)
{
	const char *err = NULL;
	char *e = NULL;

	t->rc = rc;
	t->done = 1;
	b->ndone++;
	if (rc > 2) {
		c->fail++;
		e = xstrdup(c->error ? c->error : last_error(b));
		err = e;
	} else
		c->ok++;
	state_done(b->statefd, t);
	if (b->o->metrics)
		metrics_target(&b->m, t->cluster, t->ns, t->pod, rc,
		    w && w->have_diag && w->diag.state == TASK_SUCCESS ? w->diag.issues : NULL);
	report_target(b, t, w, err);
	free(e);
	msg_clear_error();
}

static void
cluster_fail_rest(struct batch *b, struct cluster *c, int rc, const char *why)
{
	size_t i;

	free(c->error);
	c->error = xstrdup(why && *why ? why : "failed");
	c->rc = rc;
	for (i = c->next; i < c->n; i++) {
		struct target *t = &b->t[c->idx[i]];

		if (!t->done)
			finish_target(b, c, t, rc, NULL);
	}
	c->next = c->n;
	c->st = C_DONE;
}

void
opts_for_target(struct opts *dst, const struct opts *base, const struct target *t)
{
	*dst = *base;
	dst->cluster = t->cluster;
	dst->ns = t->ns;
	dst->pod = t->pod;
	dst->desc = t->desc;
	dst->desc_raw = t->desc;
	dst->win = t->win;
	dst->region = NULL;
}

static int
start_call(struct cluster *c, struct wf *w, enum call k, const char *a, const char *a2)
{
	memset(&c->c, 0, sizeof(c->c));
	/* An invoke in flight must finish: its task id is what a rerun needs. */
	c->c.uninterruptible = k == CALL_INVOKE;
	w->step = cli_step_name(k);
	if (call_start(&w->cli, &c->call, k, a, a2, &c->c) == -1) {
		call_finish(&w->cli, &c->call);
		return wf_child_failure(w, k, -1, &c->c);
	}
	c->running = 1;
	return 0;
}

/* Move a cluster on as far as it can go without waiting. */
static void
advance(struct batch *b, struct cluster *c)
{
	struct target *t;
	int rc;

	for (;;) {
		switch (c->st) {
		case C_QUEUED:
			if (b->interrupted)
				return;
			c->st = C_CS;
			if ((rc = start_call(c, &c->cw, CALL_CS_GET, c->id, NULL)) != 0) {
				cluster_fail_rest(b, c, rc, last_error(b));
				break;
			}
			return;
		case C_WAIT_INITIAL:
			if (b->initial == 0 && now_mono() >= b->initial_at) {
				b->initial = 1;
				memset(&b->ic, 0, sizeof(b->ic));
				b->gw.step = cli_step_name(CALL_INITIAL);
				if (call_start(&b->gw.cli, &b->icall, CALL_INITIAL, NULL, NULL, &b->ic) == -1) {
					call_finish(&b->gw.cli, &b->icall);
					b->initial = 3;
					b->initial_rc = wf_child_failure(&b->gw, CALL_INITIAL, -1, &b->ic);
					b->initial_error = xstrdup(last_error(b));
					child_free(&b->ic);
				}
			}
			if (b->initial == 1)
				return;
			if (b->initial == 3) {
				cluster_fail_rest(b, c, b->initial_rc, b->initial_error);
				break;
			}
			if (b->interrupted)
				return;
			c->st = C_STEP7;
			wf_step7_notice(&c->cw);
			if ((rc = start_call(c, &c->cw, CALL_STEP7, c->id, c->cw.region)) != 0) {
				cluster_fail_rest(b, c, rc, last_error(b));
				break;
			}
			return;
		case C_NEXT:
			if (c->have_tw) {
				wf_free(&c->tw);
				c->have_tw = 0;
			}
			while (c->next < c->n && b->t[c->idx[c->next]].done)
				c->next++;
			if (c->next >= c->n || b->interrupted) {
				c->st = C_DONE;
				break;
			}
			c->cur = c->idx[c->next++];
			t = &b->t[c->cur];
			opts_for_target(&c->to, b->o, t);
			wf_init(&c->tw, &c->to);
			c->have_tw = 1;
			c->tw.region = xstrdup(c->cw.region);
			if (c->cw.cluster_name)
				c->tw.cluster_name = xstrdup(c->cw.cluster_name);
			c->attempts = c->polls = 0;
			c->adopting = c->adopt_tried = 0;
			if (t->task_id) {
				/* Recorded by an earlier run: poll it, never invoke it again. */
				c->tw.task_id = xstrdup(t->task_id);
				c->st = C_POLL;
			} else {
				c->tw.params = wf_params(t->cluster, c->tw.region, t->ns, t->pod, t->desc,
				    &t->win);
				c->st = C_INVOKE;
			}
			break;
		case C_INVOKE:
			if (b->interrupted || state_lost) {
				c->st = C_DONE;
				break;
			}
			/* On disk before the call: a kill cannot hide an invoke from a rerun. */
			state_invoking(b->statefd, &b->t[c->cur]);
			if (state_lost) {
				/* Not recorded: a rerun could not know of this task.  Not started. */
				c->st = C_DONE;
				break;
			}
			if ((rc = start_call(c, &c->tw, CALL_INVOKE, c->tw.params, NULL)) != 0) {
				finish_target(b, c, &b->t[c->cur], rc, &c->tw);
				c->st = C_NEXT;
				break;
			}
			return;
		case C_POLL:
			if (b->interrupted) {
				c->st = C_DONE;
				break;
			}
			if ((rc = start_call(c, &c->tw, CALL_RESULT, c->tw.task_id, NULL)) != 0) {
				finish_target(b, c, &b->t[c->cur], rc, &c->tw);
				c->st = C_NEXT;
				break;
			}
			return;
		case C_BUSY_WAIT:
		case C_POLL_WAIT:
		case C_THROTTLED:
			if (b->interrupted) {
				c->st = C_DONE;
				break;
			}
			if (now_mono() < c->wake_at)
				return;
			/* After a throttled call, its own state sends it again (C_QUEUED: cs GET). */
			c->st = c->st == C_BUSY_WAIT ? C_INVOKE : c->st == C_POLL_WAIT ? C_POLL : c->resume;
			break;
		case C_DONE:
			if (c->have_tw) {
				wf_free(&c->tw);
				c->have_tw = 0;
			}
			return;
		default:
			return;
		}
	}
}

/*
 * The task an earlier run's cut-short invoke may have started is over: it is the
 * target's when its params name the target (recorded, 1); else the target's
 * outcome so far is forgotten, to be invoked afresh (0).
 */
static int
adopted(struct batch *b, struct cluster *c, struct target *t, struct wf *w)
{
	c->adopting = 0;
	t->invoking = 0;
	if (w->have_diag && (w->diag.state == TASK_SUCCESS || w->diag.state == TASK_FAIL) &&
	    wf_result_names(buf_str(&c->c.out), c->c.out.len, t->cluster, t->ns, t->pod)) {
		t->task_id = xstrdup(w->task_id);
		state_task(b->statefd, t);
		return 1;
	}
	msg_clear_error();
	free(w->task_id);
	w->task_id = NULL;
	diag_free(&w->diag);
	w->have_diag = 0;
	w->polls = w->errors = 0;
	buf_reset(&w->template);
	snprintf(w->last_status, sizeof(w->last_status), "Running");
	return 0;
}

/* A cluster's child finished: evaluate it and choose the next state. */
static void
child_done(struct batch *b, struct cluster *c)
{
	struct wf *w = c->st == C_CS || c->st == C_STEP7 ? &c->cw : &c->tw;
	enum call k = c->call.k;
	struct target *t = c->st >= C_NEXT ? &b->t[c->cur] : NULL;
	int rc, busy, pending;
	double delay;

	call_finish(&w->cli, &c->call);
	c->running = 0;
	/* A hung poll is retried quietly, as in diagnose; the last one is a timeout (4). */
	if (c->st == C_POLL && wf_poll_retryable(w, &c->c)) {
		if (++c->polls >= b->o->poll_max) {
			finish_target(b, c, t, wf_poll_timeout(w), w);
			c->st = C_NEXT;
		} else {
			c->wake_at = now_mono() + jittered(b->o->poll_interval);
			c->st = C_POLL_WAIT;
		}
		child_free(&c->c);
		return;
	}
	rc = wf_child_failure(w, k, 0, &c->c);
	/* Refused as throttled: the same call again after a backoff (wf_throttle). */
	if (rc == 0 && (c->st == C_CS || c->st == C_INVOKE || c->st == C_POLL) &&
	    (rc = wf_throttle(w, k, &c->c, c->throttled, &delay)) == 1) {
		c->throttled++;
		c->resume = c->st == C_CS ? C_QUEUED : c->st;
		c->wake_at = now_mono() + delay;
		c->st = C_THROTTLED;
		child_free(&c->c);
		return;
	}
	if (rc == 0)
		c->throttled = 0;
	switch (c->st) {
	case C_CS:
		if (rc == 0)
			rc = wf_eval_cluster(w, &c->c);
		if (rc != 0)
			cluster_fail_rest(b, c, rc, last_error(b));
		else
			c->st = C_WAIT_INITIAL;
		break;
	case C_STEP7:
		if (rc == 0)
			rc = wf_eval_step7(w, &c->c);
		if (rc != 0)
			cluster_fail_rest(b, c, rc, last_error(b));
		else
			c->st = C_NEXT;
		break;
	case C_INVOKE:
		if (rc == 0)
			rc = wf_eval_invoke(w, &c->c, &busy);
		if (rc == 0 && busy && t->invoking && w->busy_hint && !c->adopt_tried) {
			/*
			 * An earlier run was killed during this target's invoke, and a
			 * task runs on the cluster: it may be that invoke's.  Wait it
			 * out by polling it; it is ours if its params name this target.
			 */
			c->adopting = c->adopt_tried = 1;
			free(w->task_id);
			w->task_id = xstrdup(w->busy_hint);
			w->polls = w->errors = 0;
			c->polls = 0;
			notef("%s %s/%s: an earlier run's invoke was cut short and task %s runs on the cluster; waiting for it",
			    t->cluster, t->ns, t->pod, w->task_id);
			c->st = C_POLL;
		} else if (rc == 0 && busy) {
			if (c->attempts++ < b->o->busy_retries) {
				c->wake_at = now_mono() + b->o->busy_wait;
				c->st = C_BUSY_WAIT;
			} else {
				finish_target(b, c, t, wf_busy_exhausted(w), w);
				c->st = C_NEXT;
			}
		} else if (rc == 0) {
			t->task_id = xstrdup(w->task_id);
			state_task(b->statefd, t);
			c->st = C_POLL;
		} else {
			finish_target(b, c, t, rc, w);
			c->st = C_NEXT;
		}
		break;
	case C_POLL:
		if (rc == 0)
			rc = wf_eval_poll(w, &c->c, &pending);
		else
			pending = 0;
		c->polls++;
		if (rc == 0 && pending && c->polls >= b->o->poll_max)
			rc = wf_poll_timeout(w);
		if (rc == 0 && pending) {
			c->wake_at = now_mono() + jittered(b->o->poll_interval);
			c->st = C_POLL_WAIT;
		} else {
			/* An interrupted poll leaves the task to a rerun: not a result. */
			if (c->c.interrupted) {
				c->st = C_DONE;
				break;
			}
			if (c->adopting && !adopted(b, c, t, w)) {
				c->st = C_INVOKE;	/* someone else's task, now over: invoke ours */
				break;
			}
			finish_target(b, c, t, rc, w);
			c->st = C_NEXT;
		}
		break;
	default:
		break;
	}
	child_free(&c->c);
}

static void
initial_done(struct batch *b)
{
	double delay;
	int rc;

	call_finish(&b->gw.cli, &b->icall);
	rc = wf_child_failure(&b->gw, CALL_INITIAL, 0, &b->ic);
	if (rc == 0 && (rc = wf_throttle(&b->gw, CALL_INITIAL, &b->ic, b->initial_throttled,
	    &delay)) == 1) {
		/* Throttled: the next cluster that waits for it sends it again, after delay. */
		b->initial_throttled++;
		b->initial_at = now_mono() + delay;
		b->initial = 0;
		child_free(&b->ic);
		return;
	}
	if (rc == 0)
		rc = wf_eval_initial(&b->gw, &b->ic);
	child_free(&b->ic);
	if (rc == 0)
		b->initial = 2;
	else {
		b->initial = 3;
		b->initial_rc = rc;
		b->initial_error = xstrdup(last_error(b));
	}
}

static void
progress(struct batch *b)
{
	size_t i, running = 0, queued = 0;
	char el[32];

	for (i = 0; i < b->ncl; i++) {
		struct cluster *c = &b->cl[i];

		if (c->st == C_DONE)
			continue;
		if (c->st == C_QUEUED) {
			queued += c->n;
			continue;
		}
		running++;
		queued += c->n - c->next;
	}
	fmt_duration(now_mono() - b->t0, el, sizeof(el));
	progressf("batch: %zu/%zu done, %zu cluster%s running, %zu target%s queued, %s elapsed, polls every %gs",
	    b->ndone, b->nt, running, running == 1 ? "" : "s", queued, queued == 1 ? "" : "s", el,
	    b->o->poll_interval);
}

static void
loop(struct batch *b)
{
	/* Only the clusters under way are looked at: a round costs --jobs, not the fleet. */
	size_t *act = xcalloc(b->bo->jobs + 1, sizeof(*act)), nact = 0;
	struct pollfd *pfd = xcalloc(RUN_MAXFDS * (b->bo->jobs + 1), sizeof(*pfd));
	int *owner = xcalloc(RUN_MAXFDS * (b->bo->jobs + 1), sizeof(*owner));
	size_t i, a, next_cluster = 0;
	double last_progress = 0;

	for (;;) {
		int n = 0, k, ms;
		double wake = 0.2, w;

		if (run_signal && !b->interrupted)
			b->interrupted = 1;
		/* Start clusters while there is room. */
		while (!b->interrupted && b->active < b->bo->jobs && next_cluster < b->ncl) {
			struct cluster *c = &b->cl[next_cluster++];

			if (c->st != C_QUEUED)
				continue;	/* nothing left to do there */
			b->active++;
			advance(b, c);
			if (c->st == C_DONE)
				b->active--;
			else
				act[nact++] = (size_t)(c - b->cl);
		}
		for (a = 0; a < nact; a++) {
			struct cluster *c = &b->cl[act[a]];

			if (c->running) {
				k = run_pollfds(&c->c, pfd + n);
				while (k-- > 0)
					owner[n++] = (int)act[a];
				w = run_wake(&c->c);
				if (w >= 0 && w < wake)
					wake = w;
			} else if (c->st == C_BUSY_WAIT || c->st == C_POLL_WAIT || c->st == C_THROTTLED) {
				w = c->wake_at - now_mono();
				if (w < wake)
					wake = w < 0 ? 0 : w;
			}
		}
		if (b->initial == 1) {
			k = run_pollfds(&b->ic, pfd + n);
			while (k-- > 0)
				owner[n++] = -1;
			w = run_wake(&b->ic);
			if (w >= 0 && w < wake)
				wake = w;
		}
		if (nact == 0 && b->initial != 1 && (next_cluster >= b->ncl || b->interrupted))
			break;
		ms = (int)(wake * 1000) + (wake > 0);
		if (poll(pfd, (nfds_t)n, ms) == -1 && errno != EINTR)
			n = 0;
		/* Hand each child its poll entries, then move every cluster on. */
		if (b->initial == 1) {
			struct pollfd mine[RUN_MAXFDS];
			int m = 0;

			for (k = 0; k < n; k++)
				if (owner[k] == -1)
					mine[m++] = pfd[k];
			if (run_advance(&b->ic, mine, m))
				initial_done(b);
		}
		for (a = 0; a < nact; a++) {
			struct cluster *c = &b->cl[act[a]];
			enum cstate before = c->st;

			i = act[a];
			if (c->running) {
				struct pollfd mine[RUN_MAXFDS];
				int m = 0;

				for (k = 0; k < n; k++)
					if (owner[k] == (int)i)
						mine[m++] = pfd[k];
				if (run_advance(&c->c, mine, m))
					child_done(b, c);
			}
			if (!c->running && c->st != C_QUEUED && c->st != C_DONE)
				advance(b, c);
			if (before != C_DONE && c->st == C_DONE)
				b->active--;
		}
		for (a = i = 0; a < nact; a++)
			if (b->cl[act[a]].st != C_DONE)
				act[i++] = act[a];
		nact = i;
		if (now_mono() - last_progress > 0.1) {
			progress(b);
			last_progress = now_mono();
		}
	}
	progress_done();
	free(act);
	free(pfd);
	free(owner);
}

/* ---- the summary --------------------------------------------------------- */

static int
rank(int rc)
{
	/* Worst first: Critical, Warn, failures (highest code first), Info. */
	if (rc == 2)
		return 0;
	if (rc == 1)
		return 1;
	if (rc == 0)
		return 1000;
	return 2 + (255 - rc);
}

static const char *
class_name(int rc)
{
	switch (rc) {
	case 0:	return N_("Info (healthy)");
	case 1:	return N_("Warn");
	case 2:	return N_("Critical");
	case 3:	return N_("task failed");
	case 4:	return N_("still running");
	case 5:	return N_("cluster busy");
	case 64: return N_("usage");
	case 65: return N_("not diagnosable");
	case 69: return N_("cloud call failed");
	case 77: return N_("credentials/permissions");
	case 78: return N_("local setup");
	default: return rc >= 128 ? N_("interrupted") : N_("other");
	}
}

int
batch_fail_on(const char *s)
{
	static const char *const names[] = { "warn", "critical", "error", "never" };
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

int
batch_exit_code(const int codes[256], int fail_on)
{
	int i;

	if (fail_on == FAIL_NEVER)
		return 0;
	if (codes[2] && fail_on != FAIL_ERROR)
		return 2;	/* a Critical is never hidden by a failure elsewhere */
	for (i = 255; i > 2; i--)
		if (codes[i])
			return i;
	return codes[1] && fail_on == FAIL_WARN ? 1 : 0;
}

/* The batch's exit code from the targets finished so far (here or in an earlier run). */
static int
batch_rc(const struct batch *b)
{
	int codes[256] = {0};
	size_t j;

	for (j = 0; j < b->nt; j++)
		if (b->t[j].done)
			codes[b->t[j].rc & 255]++;
	return batch_exit_code(codes, b->bo->fail_on);
}

static int
cmp_rank(const void *a, const void *b)
{
	return rank(*(const int *)a) - rank(*(const int *)b);
}

static void
summary(struct batch *b)
{
	int codes[256] = {0}, order[256], nord = 0, i;
	size_t j, skipped = 0, pending = 0;
	struct buf s = {0};
	cJSON *o, *by, *cls;
	char *p;

	for (j = 0; j < b->nt; j++) {
		if (b->t[j].done == 2)
			skipped++;
		if (!b->t[j].done) {
			pending++;
			continue;
		}
		codes[b->t[j].rc & 255]++;
	}
	for (i = 0; i < 256; i++)
		if (codes[i])
			order[nord++] = i;
	qsort(order, (size_t)nord, sizeof(int), cmp_rank);
	if (b->o->out == OUT_JSON) {
		o = cJSON_CreateObject();
		by = cJSON_CreateArray();
		for (i = 0; i < nord; i++) {
			cJSON *e = cJSON_CreateObject();

			cJSON_AddNumberToObject(e, "exit_code", order[i]);
			cJSON_AddStringToObject(e, "class", class_name(order[i]));
			cJSON_AddNumberToObject(e, "targets", codes[order[i]]);
			cJSON_AddItemToArray(by, e);
		}
		cls = cJSON_CreateArray();
		for (j = 0; j < b->ncl; j++) {
			cJSON *e = cJSON_CreateObject();

			cJSON_AddStringToObject(e, "cluster_id", b->cl[j].id);
			cJSON_AddNumberToObject(e, "targets", (double)b->cl[j].n);
			cJSON_AddNumberToObject(e, "finished", b->cl[j].ok);
			cJSON_AddNumberToObject(e, "failed", b->cl[j].fail);
			cJSON_AddItemToArray(cls, e);
		}
		cJSON *sum = cJSON_CreateObject();

		cJSON_AddNumberToObject(sum, "targets", (double)b->nt);
		cJSON_AddNumberToObject(sum, "skipped_done_earlier", (double)skipped);
		cJSON_AddNumberToObject(sum, "not_run", (double)pending);
		cJSON_AddNumberToObject(sum, "exit_code", batch_rc(b));
		cJSON_AddItemToObject(sum, "by_class", by);
		cJSON_AddItemToObject(sum, "clusters", cls);
		cJSON_AddItemToObject(o, "summary", sum);
		shard_json(o, &b->o->shard);
		contract_stamp(o, "batch_summary", b->o->started);
		p = scrub_print(o, 0);
		cJSON_Delete(o);
		buf_printf(&s, "%s\n", p ? p : "{}");
		free(p);
	} else {
		buf_printf(&s, _("\nSummary: %zu target%s over %zu cluster%s"), b->nt,
		    b->nt == 1 ? "" : "s", b->ncl, b->ncl == 1 ? "" : "s");
		if (skipped)
			buf_printf(&s, _(", %zu done in an earlier run"), skipped);
		if (pending)
			buf_printf(&s, _(", %zu not run"), pending);
		buf_adds(&s, "\n");
		for (i = 0; i < nord; i++) {
			buf_adds(&s, "  ");
			buf_addpad(&s, _(class_name(order[i])), 24);
			buf_printf(&s, _(" %5d  (exit %d)\n"), codes[order[i]], order[i]);
		}
		buf_adds(&s, _("Per cluster (finished / failed of targets):\n"));
		for (j = 0; j < b->ncl; j++)
			buf_printf(&s, _("  %s  %u / %u of %zu%s%s\n"), b->cl[j].id, b->cl[j].ok,
			    b->cl[j].fail, b->cl[j].n, b->cl[j].error ? "  " : "",
			    b->cl[j].error ? b->cl[j].error : "");
	}
	emit_line(buf_str(&s), b->o->out == OUT_JSON);
	buf_free(&s);
}

/* ---- the command ---------------------------------------------------------- */

static int
read_input(struct batch *b)
{
	FILE *f = strcmp(b->bo->input, "-") == 0 ? stdin : fopen(b->bo->input, "r");
	char *line = NULL, err[300];
	size_t cap = 0, have = 0, j;
	int lineno = 0, bad = 0, r;
	time_t now = time(NULL);
	struct target t;
	struct strmap seen = { 0 };
	char *key;

	if (f == NULL) {
		errorf("cannot read %s: %s (pass a file of targets, or - for stdin)", b->bo->input,
		    strerror(errno));
		return 64;
	}
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		r = batch_parse_line(line, now, &t, err, sizeof(err));
		if (r == 0)
			continue;
		if (r == -1) {
			errorf("batch input line %d: %s", lineno, err);
			bad++;
			continue;
		}
		t.line = lineno;
		/* A hash of the targets seen: linear, whatever the input's size. */
		key = target_key(&t);
		if (strmap_get(&seen, key, &j)) {
			errorf("batch input line %d: %s %s/%s repeats line %d", lineno, t.cluster, t.ns,
			    t.pod, b->t[j].line);
			free(key);
			target_free(&t);
			bad++;
			continue;
		}
		strmap_put(&seen, key, b->nt);
		free(key);
		if (b->nt == have) {
			have = have ? have * 2 : 64;
			b->t = xrealloc(b->t, have * sizeof(*b->t));
		}
		b->t[b->nt++] = t;
	}
	free(line);
	strmap_free(&seen);
	if (f != stdin)
		fclose(f);
	if (bad) {
		errorf("%d bad line%s in %s: nothing was run (fix them and run again)", bad,
		    bad == 1 ? "" : "s", strcmp(b->bo->input, "-") == 0 ? "stdin" : b->bo->input);
		return 64;
	}
	if (b->nt == 0) {
		errorf("no targets in %s (lines: CLUSTER NAMESPACE POD [description], or JSON objects)",
		    strcmp(b->bo->input, "-") == 0 ? "stdin" : b->bo->input);
		return 64;
	}
	return 0;
}

/* Group targets by cluster, in order of first appearance (a hash: linear). */
static void
group(struct batch *b)
{
	struct strmap ids = { 0 };
	size_t i, j, *of = xcalloc(b->nt, sizeof(*of));

	b->cl = xcalloc(b->nt, sizeof(*b->cl));
	for (i = 0; i < b->nt; i++) {
		if (!strmap_get(&ids, b->t[i].cluster, &j)) {
			j = b->ncl++;
			b->cl[j].id = b->t[i].cluster;
			strmap_put(&ids, b->t[i].cluster, j);
		}
		of[i] = j;
		b->cl[j].n++;
	}
	for (j = 0; j < b->ncl; j++) {
		b->cl[j].idx = xcalloc(b->cl[j].n, sizeof(size_t));
		b->cl[j].n = 0;
	}
	for (i = 0; i < b->nt; i++)
		b->cl[of[i]].idx[b->cl[of[i]].n++] = i;
	free(of);
	strmap_free(&ids);
	/* Within a cluster, tasks recorded by an earlier run go first: they hold the cluster. */
	for (j = 0; j < b->ncl; j++) {
		struct cluster *c = &b->cl[j];
		size_t k = 0, m;

		for (m = 0; m < c->n; m++)
			if (b->t[c->idx[m]].task_id && !b->t[c->idx[m]].done) {
				size_t tmp = c->idx[k];

				c->idx[k++] = c->idx[m];
				c->idx[m] = tmp;
			}
	}
}

/*
 * --shard K/N: keep the targets whose cluster falls in shard K, once the whole input
 * has been validated (a typo fails every shard alike).  Returns how many are kept.
 */
static size_t
take_shard(struct batch *b)
{
	const struct shard *sh = &b->o->shard;
	size_t i, n = 0;

	for (i = 0; i < b->nt; i++) {
		if (shard_of(b->t[i].cluster, sh->n) == sh->k)
			b->t[n++] = b->t[i];
		else
			target_free(&b->t[i]);
	}
	if (n == 0)
		notef("shard %u/%u: none of the %zu targets falls in this shard; nothing to do", sh->k, sh->n,
		    b->nt);
	else
		verbosef("shard %u/%u: %zu of %zu targets", sh->k, sh->n, n, b->nt);
	b->nt = n;
	return n;
}

/* One batch per state file: a second one exits 75 rather than race the first. */
static int
lock_state(struct batch *b)
{
	char err[1024];

	b->lockfd = filelock_take(b->bo->state, err, sizeof(err));
	if (b->lockfd == FILELOCK_BUSY) {
		errorf("another ackprof batch is using the state file %s: wait for it to end, or use another --state", b->bo->state);
		return EX_TEMPFAIL;
	}
	if (b->lockfd == -1) {
		errorf("cannot use --state: %s", err);
		return 64;
	}
	return 0;
}

int
wf_batch(struct opts *o, const struct batch_opts *bo)
{
	struct batch b;
	size_t i, todo = 0;
	int rc, crc, setup_rc;

	memset(&b, 0, sizeof(b));
	b.o = o;
	b.bo = bo;
	b.statefd = b.lockfd = -1;
	b.t0 = now_mono();
	if (o->metrics)
		metrics_init(&b.m, o->metrics);
	if ((rc = read_input(&b)) != 0)
		goto out;
	if (o->shard.n && take_shard(&b) == 0) {
		summary(&b);
		rc = 0;
		goto out;
	}
	if (bo->state && (rc = lock_state(&b)) != 0)
		goto out;
	if (bo->state && (b.statefd = state_load(bo->state, b.t, b.nt)) == -1) {
		rc = 64;
		goto out;
	}
	group(&b);
	/* A cluster's counts include its targets finished by an earlier run. */
	for (i = 0; i < b.ncl; i++)
		for (size_t k = 0; k < b.cl[i].n; k++) {
			const struct target *t = &b.t[b.cl[i].idx[k]];

			if (t->done == 2 && t->rc > 2)
				b.cl[i].fail++;
			else if (t->done == 2)
				b.cl[i].ok++;
		}
	for (i = 0; i < b.nt; i++) {
		if (b.t[i].done == 2 && o->metrics)
			metrics_target(&b.m, b.t[i].cluster, b.t[i].ns, b.t[i].pod, b.t[i].rc, NULL);
		if (!b.t[i].done)
			todo++;
	}
	if (todo == 0) {
		notef("every target is done already (per %s)", bo->state);
		summary(&b);
		rc = batch_rc(&b);
		goto out;
	}
	for (i = 0; i < b.ncl; i++) {
		struct cluster *c = &b.cl[i];

		c->o = *o;
		c->o.cluster = c->id;
		c->o.ns = c->o.pod = NULL;
		wf_init(&c->cw, &c->o);
		/* Clusters whose targets are all done need nothing. */
		c->st = C_DONE;
		for (size_t k = 0; k < c->n; k++)
			if (!b.t[c->idx[k]].done)
				c->st = C_QUEUED;
	}
	wf_init(&b.gw, o);
	if ((setup_rc = rc = wf_setup(&b.gw)) != 0) {
		/* The shared steps failed: every target fails the same way. */
		char *why = xstrdup(last_error(&b));

		msg_hold_errors = 1;
		for (i = 0; i < b.ncl; i++)
			if (b.cl[i].st != C_DONE)
				cluster_fail_rest(&b, &b.cl[i], rc, why);
		free(why);
	} else {
		msg_hold_errors = 1;
		loop(&b);
	}
	msg_hold_errors = 0;
	crc = lease_release(&b.gw.lease, &b.gw.cli);
	summary(&b);
	/* --fail-on never still fails a run whose shared steps failed: nothing was diagnosed. */
	rc = setup_rc && bo->fail_on == FAIL_NEVER ? setup_rc : batch_rc(&b);
	rc = wf_cleanup_code(rc, crc);
	if (run_signal) {
		rc = wf_interrupted_code();
		if (bo->state)
			errorf("received %s: no new diagnosis was started and ai-mode was cleaned up; the task ids are in %s (rerun with the same --state to resume)",
			    wf_signame(run_signal), bo->state);
		else
			errorf("received %s: no new diagnosis was started and ai-mode was cleaned up",
			    wf_signame(run_signal));
	} else if (state_lost) {
		rc = 74;
		errorf("the state file %s could not be written: no task was started after that (free space or fix %s, then rerun with the same --state)",
		    bo->state, bo->state);
	} else if (rc != 0) {
		errorf("batch finished: worst exit %d (%s); see the summary", rc, class_name(rc));
	}
out:
	/* The metrics of a run that could not start are not written over the running one's. */
	if (o->metrics && rc != EX_TEMPFAIL &&
	    metrics_write(&b.m, o->metrics, rc, now_mono() - o->t0, time(NULL)) == 0 && bo->push)
		rc = push_after_run(bo->push, o->metrics, &o->shard, bo->push_timeout, rc);
	if (o->metrics)
		metrics_free(&b.m);
	if (b.lockfd >= 0)
		close(b.lockfd);
	for (i = 0; i < b.ncl; i++) {
		wf_free(&b.cl[i].cw);
		if (b.cl[i].have_tw)
			wf_free(&b.cl[i].tw);
		free(b.cl[i].idx);
		free(b.cl[i].error);
	}
	free(b.cl);
	if (b.gw.cli.calls)
		wf_free(&b.gw);
	free(b.initial_error);
	for (i = 0; i < b.nt; i++)
		target_free(&b.t[i]);
	free(b.t);
	if (b.statefd >= 0)
		close(b.statefd);
	return rc;
}
