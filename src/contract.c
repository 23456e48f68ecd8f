/* SPDX-License-Identifier: Apache-2.0 */
/*
 * contract.c: the versioned contract of the JSON documents (README "JSON output").
 * The fields come first, so a reader sees the kind and the schema version before
 * anything else, and the same in every kind of document.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "contract.h"
#include "util.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif
#ifndef GIT_COMMIT
#define GIT_COMMIT "unknown"
#endif
#ifndef BUILD_DATE
#define BUILD_DATE "unknown"
#endif

void
contract_time(time_t t, char *s, size_t n)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(s, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(s, n, "1970-01-01T00:00:00Z");
}

void
contract_stamp(cJSON *doc, const char *kind, time_t started)
{
	cJSON *head = xnn(cJSON_CreateObject()), *it;
	char s[32];
	time_t now = time(NULL);

	if (doc == NULL)
		return;
	xnn(cJSON_AddStringToObject(head, "kind", kind));
	xnn(cJSON_AddNumberToObject(head, "schema_version", SCHEMA_VERSION));
	xnn(cJSON_AddStringToObject(head, "ackprof_version", VERSION));
	contract_time(started ? started : now, s, sizeof(s));
	xnn(cJSON_AddStringToObject(head, "started_at", s));
	contract_time(now, s, sizeof(s));
	xnn(cJSON_AddStringToObject(head, "finished_at", s));
	/* A document stamped twice keeps one of each. */
	for (it = head->child; it; it = it->next)
		cJSON_DeleteItemFromObjectCaseSensitive(doc, it->string);
	/* head's items go before doc's: the list is spliced, names and all. */
	if (doc->child) {
		cJSON *last = head->child->prev, *first = doc->child;

		last->next = first;
		head->child->prev = first->prev;
		first->prev = last;
	}
	doc->child = head->child;
	head->child = NULL;
	cJSON_Delete(head);
}

void
contract_url(cJSON *doc, const char *rel)
{
	char *abs = NULL;

	if (rel && *rel && strncmp(rel, "https://", 8) != 0 && strncmp(rel, "http://", 7) != 0)
		abs = xasprintf("%s%s%s", SYSOM_CONSOLE, rel[0] == '/' ? "" : "/", rel);
	if (rel && *rel)
		xnn(cJSON_AddStringToObject(doc, "url", abs ? abs : rel));
	else
		xnn(cJSON_AddNullToObject(doc, "url"));
	if (rel && *rel)
		xnn(cJSON_AddStringToObject(doc, "url_path", rel));
	else
		xnn(cJSON_AddNullToObject(doc, "url_path"));
	free(abs);
}

void
contract_add_time(cJSON *doc, const char *k, int present, time_t t)
{
	if (present)
		xnn(cJSON_AddNumberToObject(doc, k, (double)t));
	else
		xnn(cJSON_AddNullToObject(doc, k));
}

static const char *
compiler(void)
{
#if defined(__clang__)
	return "clang " __clang_version__;
#elif defined(__GNUC__)
	return "gcc " __VERSION__;
#else
	return "unknown";
#endif
}

cJSON *
contract_version(void)
{
	cJSON *o = xnn(cJSON_CreateObject());
	char pcre[64] = "unknown";

	if (pcre2_config(PCRE2_CONFIG_VERSION, pcre) < 0)
		snprintf(pcre, sizeof(pcre), "unknown");
	xnn(cJSON_AddStringToObject(o, "version", VERSION));
	xnn(cJSON_AddStringToObject(o, "git_commit", GIT_COMMIT));
	xnn(cJSON_AddStringToObject(o, "build_date", BUILD_DATE));
	xnn(cJSON_AddStringToObject(o, "compiler", compiler()));
	xnn(cJSON_AddStringToObject(o, "cjson_version", cJSON_Version()));
	xnn(cJSON_AddStringToObject(o, "pcre2_version", pcre));
	xnn(cJSON_AddNumberToObject(o, "schema_version", SCHEMA_VERSION));
	return o;
}
