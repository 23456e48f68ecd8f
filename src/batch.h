/* SPDX-License-Identifier: Apache-2.0 */
/* batch.h: many pods over many clusters from one process, resumable through a state file. */
#ifndef ACKPROF_BATCH_H
#define ACKPROF_BATCH_H

#include <stddef.h>

#include "timewin.h"
#include "workflow.h"

#define EX_TEMPFAIL 75	/* another batch holds the state file */

struct target {
	char		*cluster, *ns, *pod, *desc;
	struct window	 win;
	int		 line;		/* input line number */
	/* the outcome */
	int		 done;		/* 1 finished here, 2 finished in an earlier run */
	int		 rc;
	char		*task_id;	/* known task (from invoke, or from the state file) */
	int		 invoking;	/* an earlier run started an invoke and recorded no task */
};

/*
 * Parse one input line: "CLUSTER NAMESPACE POD [description...]" or a JSON object
 * with cluster_id, namespace, pod and optional description, from, to, since,
 * realtime.  Returns 1 with *t filled, 0 for a blank or comment line, -1 with a
 * reason in err.
 */
int	batch_parse_line(const char *, time_t now, struct target *, char *err, size_t errlen);
void	target_free(struct target *);
/* Validate and fill a target from its fields; -1 with "FIELD: what is wrong" in err. */
int	target_fill(struct target *, const char *cluster, const char *ns, const char *pod,
	    const char *desc, const char *from, const char *to, const char *since, int realtime,
	    time_t now, char *err, size_t errlen);

/* The options of one target: the run's, with the target's cluster, pod and window. */
void	opts_for_target(struct opts *, const struct opts *base, const struct target *);

/*
 * --fail-on: which target outcomes set batch's exit code.  The order is always
 * Critical (2), then the highest failure code (3 and up), then Warn (1), then 0;
 * FAIL_CRITICAL drops Warn from it, FAIL_ERROR drops Warn and Critical (findings
 * never fail the run, failures do), FAIL_NEVER drops every target outcome.
 */
enum fail_on { FAIL_WARN, FAIL_CRITICAL, FAIL_ERROR, FAIL_NEVER };

/* "warn", "critical", "error", "never" -> enum fail_on; -1 for anything else. */
int	batch_fail_on(const char *);
/* The exit code of targets whose codes are counted in codes[0..255], under fail_on. */
int	batch_exit_code(const int codes[256], int fail_on);

struct batch_opts {
	const char	*input;		/* file, or "-" for stdin */
	const char	*state;		/* --state FILE, or NULL */
	unsigned long	 jobs;		/* clusters in parallel */
	const char	*push;		/* --push URL: a Pushgateway */
	double		 push_timeout;	/* --push-timeout SECS: the PUT's deadline */
	int		 fail_on;	/* enum fail_on */
};

int	wf_batch(struct opts *, const struct batch_opts *);

#endif
