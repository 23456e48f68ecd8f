/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c: process set-up and tear-down around the command table (cmd.c).  The only
 * file that exits.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "i18n.h"
#include "msg.h"
#include "redact.h"
#include "run.h"
#include "target.h"
#include "util.h"

/*
 * --lang is read before anything else, so that even a usage error about
 * another option speaks the language asked for.
 */
static const char *
lang_arg(int argc, char **argv)
{
	const char *lang = NULL;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
			lang = argv[++i];
		else if (strncmp(argv[i], "--lang=", 7) == 0)
			lang = argv[i] + 7;
	}
	return lang;
}

int
main(int argc, char **argv)
{
	/*
	 * cJSON allocates through our wrapper: running out of memory is one clear
	 * line and exit 70, never a half-built document or --params.
	 */
	cJSON_Hooks hooks = { xmalloc, free };
	int rc;

	cJSON_InitHooks(&hooks);
	redact_learn_env();
	msg_init();
	if (i18n_init(lang_arg(argc, argv)) == -1)
		rc = usage_error("unknown language '%s' for --lang (zh or en)", lang_arg(argc, argv));
	else {
		run_install_signals();
		rc = cmd_main(argc, argv);
	}
	redact_free_patterns();
	re_free_all();
	return rc;
}
