/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_mcp.c: one JSON-RPC message of `ackprof mcp` (whatever an agent runtime or
 * a broken client sends).  The server must answer or ignore it, never crash; a
 * valid tools/call is checked as usual but starts no worker here.  Successive
 * inputs meet a new server, one initialized at 2025-03-26 (batches) and one at
 * 2025-11-25, in turn (mcp_handle_line).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/batch.h"
#include "../src/mcp.h"
#include "../src/workflow.h"
#include "fuzz.h"

static struct opts base;
static struct batch_opts bo = { .input = "-", .state = NULL, .jobs = 4 };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = open("/dev/null", O_WRONLY);

	(void)argc;
	(void)argv;
	/* The answers go to stdout: keep them out of the fuzzer's output. */
	dup2(fd, 1);
	close(fd);
	mcp_no_workers = 1;
	base.aliyun = "aliyun";
	base.venv = "/nonexistent";
	base.scripts = "/nonexistent";
	base.poll_max = 1;
	base.cli_timeout = 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mcp_handle_line(&base, &bo, (const char *)data, size);
	return 0;
}
