/* mcp.h: `ackprof mcp`, the workflow as a Model Context Protocol server over stdio. */
#ifndef ACKPROF_MCP_H
#define ACKPROF_MCP_H

#include "batch.h"
#include "workflow.h"

/* Serve until stdin closes or a signal arrives; returns the exit code. */
int	mcp_serve(struct opts *, const struct batch_opts *);

#endif
