/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shard.c: batch --shard K/N.  A cluster's targets all go to one shard (SysOM runs one
 * task per cluster, and the ai-mode lease is per CLI config), chosen by a stable hash
 * of the cluster id alone, so the split does not depend on the input's order, the
 * machine or the build: the N shards are disjoint and together are the input.
 */
#include <stdio.h>
#include <string.h>

#include "shard.h"
#include "util.h"

int
shard_parse(const char *s, struct shard *sh)
{
	const char *slash = strchr(s, '/');
	unsigned long k, n;
	char kbuf[16];

	if (slash == NULL || (size_t)(slash - s) >= sizeof(kbuf))
		return -1;
	memcpy(kbuf, s, (size_t)(slash - s));
	kbuf[slash - s] = '\0';
	if (parse_ulong(kbuf, 0, SHARD_MAX - 1, &k) == -1 ||
	    parse_ulong(slash + 1, 1, SHARD_MAX, &n) == -1 || k >= n)
		return -1;
	sh->k = (unsigned)k;
	sh->n = (unsigned)n;
	return 0;
}

uint64_t
shard_hash(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(1099511628211);
	}
	/* FNV's low bits mix poorly over ids that differ in their last characters. */
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	return h;
}

unsigned
shard_of(const char *cluster, unsigned n)
{
	return n ? (unsigned)(shard_hash(cluster) % n) : 0;
}

char *
shard_path(const char *tmpl, const struct shard *sh, int *had_k)
{
	struct buf b = {0};
	const char *p;

	*had_k = 0;
	for (p = tmpl; *p; p++) {
		if (p[0] == '%' && p[1] == 'K') {
			buf_printf(&b, "%u", sh->k);
			*had_k = 1;
			p++;
		} else if (p[0] == '%' && p[1] == 'N') {
			buf_printf(&b, "%u", sh->n);
			p++;
		} else
			buf_add(&b, p, 1);
	}
	return b.p ? b.p : xstrdup("");
}

int
shard_has_placeholder(const char *p)
{
	return strstr(p, "%K") != NULL || strstr(p, "%N") != NULL;
}

void
shard_json(cJSON *doc, const struct shard *sh)
{
	cJSON *o;

	if (sh->n == 0)
		return;
	o = cJSON_AddObjectToObject(doc, "shard");
	cJSON_AddNumberToObject(o, "index", sh->k);
	cJSON_AddNumberToObject(o, "count", sh->n);
}
