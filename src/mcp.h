/* SPDX-License-Identifier: Apache-2.0 */
/* mcp.h: `ackprof mcp`, the workflow as a Model Context Protocol server over stdio. */
#ifndef ACKPROF_MCP_H
#define ACKPROF_MCP_H

#include "batch.h"
#include "workflow.h"

/* Serve until stdin closes or a signal arrives; returns the exit code. */
/* bound: seconds within which every tool call answers (--reply-within). */
#define MCP_DEFAULT_BOUND	40.0
int	mcp_serve(struct opts *, const struct batch_opts *, double bound);

/* For the fuzz harness: handle one message; with mcp_no_workers, no worker starts. */
extern int mcp_no_workers;
void	mcp_handle_line(struct opts *, const struct batch_opts *, const char *, size_t);

#endif
