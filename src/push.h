/* SPDX-License-Identifier: Apache-2.0 */
/* push.h: batch --push URL, the --metrics file PUT to a Prometheus Pushgateway. */
#ifndef ACKPROF_PUSH_H
#define ACKPROF_PUSH_H

#include <stddef.h>

#include "shard.h"

#define EX_IOERR 74

/* An http:// or https:// base URL with a host, no query, no fragment, no spaces. */
int	push_check_url(const char *, char *err, size_t errlen);
/* The URL to show: any user:password@ is replaced by ***@.  Caller frees. */
char	*push_url_shown(const char *);
/* BASE/metrics/job/ackprof, then /shard/K when sharded.  Caller frees. */
char	*push_url(const char *base, const struct shard *);
/*
 * PUT FILE to the gateway with curl, within SECS (the URL, which may carry a password, goes to
 * curl through a private config file, never argv).  Returns the run's exit code:
 * RC, or 74 when the push failed and RC said nothing worse than Warn (0 or 1).
 */
int	push_after_run(const char *base, const char *file, const struct shard *, double secs, int rc);

#endif
