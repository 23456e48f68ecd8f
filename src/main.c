/*
 * main.c: process set-up and tear-down around the command table (cmd.c).  The only
 * file that exits.
 */
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "msg.h"
#include "redact.h"
#include "run.h"
#include "target.h"
#include "util.h"

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
	msg_init();
	run_install_signals();
	rc = cmd_main(argc, argv);
	redact_free_patterns();
	re_free_all();
	return rc;
}
