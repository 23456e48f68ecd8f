/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mcp_rpc.h: the transport of `ackprof mcp`: JSON-RPC 2.0 over stdio, one message a
 * line.  Reading (mcp.c): framing, ids exactly as sent, batches, malformed messages
 * answered.  Writing (mcp_rpc.c): responses and errors, one line each, redacted, valid
 * UTF-8.  It knows nothing of tools: each request or notification goes up to the
 * dispatch function the layer above gave it.
 */
#ifndef ACKPROF_MCP_RPC_H
#define ACKPROF_MCP_RPC_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "util.h"

/* JSON-RPC error codes. */
#define PARSE_ERROR		-32700
#define INVALID_REQUEST		-32600
#define METHOD_NOT_FOUND	-32601
#define INVALID_PARAMS		-32602

/* Protocol revisions, as comparable numbers. */
#define REV_2024_11_05		20241105
#define REV_2025_03_26		20250326
#define REV_2025_06_18		20250618
#define REV_2025_11_25		20251125

/* A JSON-RPC batch (2025-03-26): its responses leave together, as one array. */
struct rpc_batch {
	cJSON		*arr;
	int		 pending;	/* responses still to come (workers, and the batch's own handling) */
};

struct rpc_conn {
	int		 rev;		/* negotiated protocol revision; 0 before initialize */
	struct rpc_batch *cur_batch;	/* while handling a batch's messages */
	struct buf	 in;
	int		 in_eof;
	int		 discarding;	/* inside an over-long line */
	/*
	 * The layer above: a valid request (id not NULL) or notification (id NULL).  line
	 * is the message's text, for ids inside params kept as sent (rpc_number_text).
	 */
	void		(*dispatch)(void *ctx, const cJSON *id, const char *method, cJSON *params,
			    int in_batch, const char *line, size_t len);
	void		*ctx;
};

/* mcp.c: reading. */
void	 rpc_read(struct rpc_conn *);	/* what stdin has, whole lines dispatched */
void	 rpc_handle(struct rpc_conn *, const char *line, size_t len, int in_batch);
/* params.key, a number in the message's text, kept as sent (a raw item): an id to compare. */
void	 rpc_number_text(cJSON *params, const char *key, const char *line, size_t len);

/* mcp_rpc.c: writing. */
void	 send_json(cJSON *);
void	 send_error(const cJSON *id, int code, const char *message);
void	 send_result(const cJSON *id, cJSON *result);
void	 rpc_collect(struct rpc_batch *);
void	 rpc_batch_done(struct rpc_batch *);
void	 rpc_batch_release(struct rpc_batch **);
void	 send_error_naming(const cJSON *id, int code, const char *what, const char *name);
void	 clip(char *dst, size_t n, const char *s, size_t max);

#endif
