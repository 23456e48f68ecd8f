/* SPDX-License-Identifier: Apache-2.0 */
/*
 * contract.h: what every JSON document ackprof writes carries (kind, schema_version,
 * ackprof_version, started_at, finished_at), the documented shape of which is in
 * schema/KIND.schema.json; and the build facts of `ackprof version`.
 */
#ifndef ACKPROF_CONTRACT_H
#define ACKPROF_CONTRACT_H

#include <time.h>

#include <cjson/cJSON.h>

/* Raised whenever a document changes in a way a reader of the old one would break on. */
#define SCHEMA_VERSION 1
/* The SysOM console (the operating system console) that data.url is relative to. */
#define SYSOM_CONSOLE "https://alinux.console.aliyun.com"

/* Put the contract fields first in doc (finished_at: now); started 0 means now. */
void	contract_stamp(cJSON *doc, const char *kind, time_t started);
/* t as RFC 3339 UTC ("2026-06-10T09:31:02Z") into s (at least 21 bytes). */
void	contract_time(time_t t, char *s, size_t n);
/* url: absolute (the console's) when rel is known, url_path: as SysOM sent it. */
void	contract_url(cJSON *doc, const char *rel);
/* k: the Unix time t, or null when there is no such time (historical == 0). */
void	contract_add_time(cJSON *doc, const char *k, int present, time_t t);
/* `ackprof version -o json`: version, commit, build date, compiler, cJSON, PCRE2. */
cJSON	*contract_version(void);

#endif
