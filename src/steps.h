/* SPDX-License-Identifier: Apache-2.0 */
/*
 * steps.h: the steps of the chain as evaluators, shared by diagnose (which runs
 * each child to completion) and batch (which runs many from one event loop).
 * An evaluator reads a finished child and returns an exit code (0: go on),
 * printing the one error line when it stops the chain.
 */
#ifndef ACKPROF_STEPS_H
#define ACKPROF_STEPS_H

#include "aliyun.h"
#include "lease.h"
#include "report.h"
#include "util.h"
#include "workflow.h"

struct wf {
	struct opts	*o;
	struct cli	 cli;
	struct lease	 lease;
	char		*cluster_name;
	char		*region;
	char		*task_id;
	char		*busy_hint;	/* a task id seen in a TaskInProgress message */
	struct diag	 diag;
	int		 have_diag;
	int		 polls;
	const char	*step;		/* the step running, for an interrupt message */
	struct buf	 template;	/* a specification message for stdout, in English (JSON) */
	struct buf	 template_shown;	/* the same in the user's language (text) */
	char		*ns, *pod;	/* for result: from the task's params */
	char		*params;	/* the --params JSON, once built */
	int		 errors;	/* consecutive failed polls */
	char		 last_status[64];
	int		 for_result;	/* ackprof result: the target comes from the task */
	int		 params_seen;	/* result: a poll carried the task's params */
	int		 mode_known;	/* result: real-time or historical is known */
	int		 metrics;	/* diagnose: write --metrics at the end */
	int		 jsonl;		/* batch -o json, -o jsonl: one unformatted document a line */
	int		 usage;		/* the usage-error document (kind "error") */
	time_t		 started;	/* when this target's run began (started_at) */
	int		 result_rc;	/* the diagnosis's code when cleanup then failed, else -1 */
};

void	wf_init(struct wf *, struct opts *);
void	wf_free(struct wf *);
int	wf_interrupted_code(void);
/* The name of a signal for a message ("SIGTERM"), or a phrase of the catalog. */
const char *wf_signame(int sig);
/* The failures of a child as such: not started, timed out, flooded, killed, interrupted. */
int	wf_child_failure(struct wf *, enum call, int spawn_rc, struct child *);
/* Run one call to completion; the child's own failures become an exit code. */
int	wf_step(struct wf *, enum call, const char *a, const char *b, struct child *);
/* Step 2, plugin update: a failure only warns. */
int	wf_plugin_update(struct wf *);
/* Steps 0-3: the lease (ai-mode on), plugin update, version, credentials. */
int	wf_setup(struct wf *);
int	wf_eval_cluster(struct wf *, struct child *);
int	wf_eval_initial(struct wf *, struct child *);
int	wf_eval_step7(struct wf *, struct child *);
void	wf_step7_notice(struct wf *);
/* invoke: 0 with w->task_id set, or 0 with *busy set (TaskInProgress), or an exit code. */
int	wf_eval_invoke(struct wf *, struct child *, int *busy);
int	wf_busy_exhausted(struct wf *);
/* poll: 0 with *pending set (poll again), or the final exit code. */
int	wf_eval_poll(struct wf *, struct child *, int *pending);
/*
 * A throttled business call (cs GET, initial-sysom, invoke, poll): 1 with *delay
 * set (a note says so) when retry `attempt` may follow, 69 when the retries are
 * spent (one line names the cloud's code), 0 when the answer was not throttled.
 */
int	wf_throttle(struct wf *, enum call, const struct child *, unsigned long attempt,
	    double *delay);
/* A poll that timed out is retried quietly, twice; 1 when this one may be. */
int	wf_poll_retryable(struct wf *, const struct child *);
int	wf_poll_timeout(struct wf *);
/* 1 when a get-diagnosis-result answer's params name this cluster, namespace and pod. */
int	wf_result_names(const char *, size_t, const char *cluster, const char *ns, const char *pod);
/* The exit code once the lease was released (lease_release's code): 0-5 cannot hide it. */
int	wf_cleanup_code(int rc, int cleanup_rc);
/* The whole outcome in the chosen format (newly allocated), as printed and saved. */
char	*wf_render(struct wf *, int rc);

#endif
