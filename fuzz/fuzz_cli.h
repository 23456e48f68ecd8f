/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_cli.h: the checks that the harnesses of the CLI's error text (fuzz_cli_error,
 * fuzz_agenterr) make on every struct cli_error they get back.
 */
#ifndef ACKPROF_FUZZ_CLI_H
#define ACKPROF_FUZZ_CLI_H

#include <string.h>

#include "../src/aliyun.h"
#include "fuzz.h"

/* Every string field is a terminated string inside its array. */
static inline void
fuzz_check_cli_fields(const struct cli_error *e)
{
	FUZZ_CHECK(memchr(e->code, '\0', sizeof(e->code)) != NULL, "code not terminated");
	FUZZ_CHECK(memchr(e->message, '\0', sizeof(e->message)) != NULL, "message not terminated");
	FUZZ_CHECK(memchr(e->request_id, '\0', sizeof(e->request_id)) != NULL,
	    "request_id not terminated");
}

#endif
