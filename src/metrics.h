/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.h: --metrics FILE, the outcome of a run in the Prometheus text exposition
 * format, written atomically for node_exporter's textfile collector.
 */
#ifndef ACKPROF_METRICS_H
#define ACKPROF_METRICS_H

#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "util.h"

struct metrics {
	char		*run;		/* the run label: the file's name without .prom */
	struct buf	 status, exitc, issues;	/* sample lines, one family each */
};

/*
 * Check FILE before the run: its directory exists, and FILE, if it exists, is a
 * regular file (a symbolic link is not followed, a special file not replaced).
 * Returns 0, or -1 with a reason in err.
 */
int	metrics_check_path(const char *path, char *err, size_t errlen);
void	metrics_init(struct metrics *, const char *path);
/* One target's outcome: its exit code and, when it finished, SysOM's issues. */
void	metrics_target(struct metrics *, const char *cluster, const char *ns, const char *pod,
	    int rc, const cJSON *issues);
/* Write every family atomically, mode 0644.  Returns 0, or -1 with the error printed. */
int	metrics_write(struct metrics *, const char *path, int exit_code, double duration, time_t now);
void	metrics_free(struct metrics *);
/* The label value as the format wants it: valid UTF-8, \ " and newline escaped. */
void	metrics_label_value(struct buf *, const char *);

#endif
