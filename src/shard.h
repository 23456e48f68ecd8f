/* SPDX-License-Identifier: Apache-2.0 */
/* shard.h: batch --shard K/N, the split of a fleet over N independent runs by cluster. */
#ifndef ACKPROF_SHARD_H
#define ACKPROF_SHARD_H

#include <stdint.h>

#include <cjson/cJSON.h>

#define SHARD_MAX 1024	/* at most this many shards */

struct shard {
	unsigned	 k, n;	/* n == 0: no sharding */
};

/* "K/N" with 0 <= K < N <= SHARD_MAX, digits only; 0 or -1. */
int	 shard_parse(const char *, struct shard *);
/* The stable 64-bit hash of a cluster id (FNV-1a), the same on every machine. */
uint64_t shard_hash(const char *);
/* Which of N shards a cluster falls in. */
unsigned shard_of(const char *cluster, unsigned n);
/*
 * A per-shard path: "%K" becomes K and "%N" becomes N, everything else is kept.
 * Returns a new string; *had_k says whether the template held "%K".
 */
/* Does a path hold "%K" or "%N"? */
int	 shard_has_placeholder(const char *);
char	*shard_path(const char *tmpl, const struct shard *, int *had_k);

/* Add "shard": {"index": K, "count": N} to a JSON document when sharded. */
void	 shard_json(cJSON *, const struct shard *);

#endif
