/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_configure_list.c: parse_configure_list() on `aliyun configure list` stdout
 * (a tabwriter table), once for the current profile and once for a wanted name.
 * The input is the table; or a profile name, a NUL, then the table.
 *
 * Also the other way round: a table laid out as the CLI's tabwriter does, with
 * the input as the current profile's name, must give that name back whenever
 * it is a valid profile name (pending: finding 5, names starting "Profile" or "---").
 */
#include <stdint.h>
#include <string.h>

#include "../src/aliyun.h"
#include "../src/target.h"
#include "fuzz.h"

/* `configure list` as text/tabwriter prints it (aliyun-cli.md §2), NAME current and Valid. */
static void
round_trip(const char *name)
{
	char table[1024], got[256];
	int w = (int)strlen(name) + 2 > 9 ? (int)strlen(name) + 2 : 9, rc;

	snprintf(table, sizeof(table),
	    "%-*s | Credential         | Valid   | Region           | Language\n"
	    "%.*s | ------------------ | ------- | ---------------- | --------\n"
	    "%s *%*s | AK:***7Qx          | Valid   | cn-hangzhou      | \n"
	    "other%*s | AK:***id2          | Invalid |                  | \n",
	    w, "Profile", w, "----------------------------------------------------------------------",
	    name, w - (int)strlen(name) - 2, "", w - 5, "");
	rc = parse_configure_list(table, NULL, got, sizeof(got));
	FUZZ_CHECK(rc == 1 && strcmp(got, name) == 0, "current profile '%s' read as %d '%s' from:\n%s",
	    name, rc, got, table);
	rc = parse_configure_list(table, name, got, sizeof(got));
	FUZZ_CHECK(rc == 1 && strcmp(got, name) == 0, "profile '%s' asked by name: %d '%s'",
	    name, rc, got);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *part[2], name[256], again[256];
	const char *table;
	size_t n;
	int rc, rc2;

	n = fuzz_split(data, size, part, 2);
	table = n > 1 ? part[1] : part[0];

	/* The current profile (the row marked " *"). */
	memset(name, 'x', sizeof(name));
	rc = parse_configure_list(table, NULL, name, sizeof(name));
	FUZZ_CHECK(rc >= -1 && rc <= 1, "rc %d", rc);
	FUZZ_CHECK(memchr(name, '\0', sizeof(name)) != NULL, "name not terminated");
	FUZZ_CHECK(rc != -1 || name[0] == '\0', "absent, yet a name: '%s'", name);
	if (rc != -1) {
		/* Asking for it by name finds a row of that name (maybe an earlier one). */
		rc2 = parse_configure_list(table, name, again, sizeof(again));
		FUZZ_CHECK(rc2 == 0 || rc2 == 1, "current '%s' not found by name: %d", name, rc2);
		FUZZ_CHECK(strcmp(again, name) == 0, "'%s' found as '%s'", name, again);
	}
	/* No name buffer at all is allowed. */
	rc2 = parse_configure_list(table, NULL, NULL, 0);
	FUZZ_CHECK(rc2 == rc, "with and without a name buffer: %d != %d", rc, rc2);

	/* A wanted profile (--profile NAME). */
	if (n > 1) {
		rc = parse_configure_list(table, part[0], name, sizeof(name));
		FUZZ_CHECK(rc >= -1 && rc <= 1, "rc %d", rc);
		FUZZ_CHECK(rc == -1 || strcmp(name, part[0]) == 0, "wanted '%s', got '%s'",
		    part[0], name);
		/* A tiny buffer truncates, never overflows. */
		rc2 = parse_configure_list(table, part[0], again, 4);
		FUZZ_CHECK(rc2 == rc, "small buffer changed the answer");
		FUZZ_CHECK(strlen(again) < 4, "small buffer overflowed");
	}
	/* The other way round, for names the CLI would accept and ackprof too. */
	if (valid_profile_name(part[0]) && strcmp(part[0], "other") != 0)
		round_trip(part[0]);
	fuzz_split_free(part, 2);
	return 0;
}
