/* SPDX-License-Identifier: Apache-2.0 */
/* workflow.h: the ordered steps of diagnose and result, their gates and cleanup. */
#ifndef ACKPROF_WORKFLOW_H
#define ACKPROF_WORKFLOW_H

#include <time.h>

#include "shard.h"
#include "timewin.h"

enum outfmt { OUT_TEXT, OUT_JSON, OUT_MARKDOWN };

struct opts {
	/* the target */
	char		*cluster, *ns, *pod;
	const char	*desc_raw;	/* as given */
	char		*desc;		/* sanitized */
	const char	*region;	/* -r: must equal the cluster's */
	struct window	 win;
	const char	*task_id;	/* ackprof result */
	/* behaviour */
	enum outfmt	 out;
	int		 jsonl;		/* -o jsonl: each JSON document on one line */
	time_t		 started;	/* when the run began (wall clock, started_at) */
	const char	*save;
	const char	*metrics;	/* --metrics FILE (diagnose, batch) */
	struct shard	 shard;		/* batch --shard K/N (n == 0: the whole input) */
	double		 t0;		/* when the run began (now_mono) */
	const char	*profile;
	int		 yes, dry_run, interactive;
	int		 fix;		/* doctor --fix */
	/* wiring */
	const char	*aliyun, *venv, *scripts;
	double		 poll_interval, busy_wait, cli_timeout;
	unsigned long	 poll_max, busy_retries;
	double		 throttle_wait;		/* the first backoff (src/backoff.c) */
	unsigned long	 throttle_retries;
};

int	wf_diagnose(struct opts *);
/* With -o json, a usage error's JSON document on stdout (one line for batch). */
void	wf_usage_document(int rc, int one_line);
int	wf_result(struct opts *);
int	wf_setup_sdk(struct opts *);

/* Build the --params JSON (unformatted); caller frees. */
char	*wf_params(const char *cluster, const char *region, const char *ns, const char *pod,
	    const char *desc, const struct window *);

#endif
