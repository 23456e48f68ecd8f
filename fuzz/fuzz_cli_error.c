/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_cli_error.c: cli_parse_error() on what a failed `aliyun` call leaves:
 * SDK.ServerError blocks, plugin SDKError blocks, plain ERROR:/Error: text, and a
 * JSON body on stdout.  The input is stderr, a NUL, then stdout (no NUL: no
 * stdout at all, which the parser accepts as NULL).  strip_ansi() runs first on
 * a copy, as cli_run() does with a CLI that colours its output.  The exit-3 readers
 * (cli_tip_is_config, cli_error_tip) get the same stderr: the tip is a terminated
 * string with no newline, within its buffer, also when that buffer is small.
 */
#include <stdint.h>
#include <string.h>

#include "../src/aliyun.h"
#include "fuzz.h"
#include "fuzz_cli.h"

static void
one(const char *err, const char *out)
{
	struct cli_error e;
	char tip[256], small[5];
	int perm, nf, conf;

	cli_parse_error(err, out, &e);
	fuzz_check_cli_fields(&e);
	perm = cli_error_is_permission(&e, err);
	nf = cli_error_is_not_found(&e, err);
	FUZZ_CHECK(perm == 0 || perm == 1, "is_permission %d", perm);
	FUZZ_CHECK(nf == 0 || nf == 1, "is_not_found %d", nf);
	/* Without the raw text only the parsed fields decide; still a yes or a no. */
	perm = cli_error_is_permission(&e, NULL);
	nf = cli_error_is_not_found(&e, NULL);
	FUZZ_CHECK(perm == 0 || perm == 1, "is_permission(NULL) %d", perm);
	FUZZ_CHECK(nf == 0 || nf == 1, "is_not_found(NULL) %d", nf);
	conf = cli_tip_is_config(err);
	FUZZ_CHECK(conf == 0 || conf == 1, "tip_is_config %d", conf);
	cli_error_tip(err, tip, sizeof(tip));
	FUZZ_CHECK(memchr(tip, '\0', sizeof(tip)) != NULL, "tip not terminated");
	FUZZ_CHECK(strchr(tip, '\n') == NULL, "tip has a newline");
	cli_error_tip(err, small, sizeof(small));
	FUZZ_CHECK(memchr(small, '\0', sizeof(small)) != NULL, "small tip not terminated");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *part[2];
	size_t n, len;

	n = fuzz_split(data, size, part, 2);
	one(part[0], n > 1 ? part[1] : NULL);
	/* As cli_run() sees it: colour stripped in place, never longer. */
	len = strlen(part[0]);
	strip_ansi(part[0]);
	FUZZ_CHECK(strlen(part[0]) <= len, "strip_ansi grew the text");
	if (n > 1)
		strip_ansi(part[1]);
	one(part[0], n > 1 ? part[1] : "");
	fuzz_split_free(part, 2);
	return 0;
}
