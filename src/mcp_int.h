/* mcp_int.h: what the parts of `ackprof mcp` share (framing, tools, workers). */
#ifndef ACKPROF_MCP_INT_H
#define ACKPROF_MCP_INT_H

#include <sys/types.h>

#include <poll.h>

#include <cjson/cJSON.h>

#include "batch.h"
#include "util.h"
#include "workflow.h"

#define MAX_JOBS		8
#define MAX_TARGETS		1000

/* JSON-RPC error codes. */
#define PARSE_ERROR		-32700
#define INVALID_REQUEST		-32600
#define METHOD_NOT_FOUND	-32601
#define INVALID_PARAMS		-32602

enum tool { T_DIAGNOSE, T_RESULT, T_BATCH, T_DOCTOR };

struct job {
	int		 used;
	enum tool	 tool;
	cJSON		*id;		/* the request id (owned) */
	cJSON		*token;		/* progress token, or NULL (owned) */
	pid_t		 pid;
	int		 fd[3];		/* stdout, stderr, progress */
	struct buf	 out, err, prog;
	double		 progress;
	int		 cancelled;
	char		*tmpfile;	/* diagnose_pods input */
};

struct server {
	struct opts	*base;
	const struct batch_opts *bo;
	struct job	 jobs[MAX_JOBS];
	struct buf	 in;
	int		 in_eof;
	int		 discarding;	/* inside an over-long line */
};

/* mcp_rpc.c: messages out, one line each, written whole with write(2). */
void	 send_json(cJSON *);
void	 send_error(const cJSON *id, int code, const char *message);
void	 send_result(const cJSON *id, cJSON *result);
cJSON	*tool_result(const char *text, cJSON *structured, int is_error);
void	 send_tool_error(const cJSON *id, const char *text);

/* mcp_tools.c: the tool definitions, argument checking, starting a call. */
cJSON	*tools_list(void);
void	 call_tool(struct server *, const cJSON *id, const cJSON *params);

/* mcp_jobs.c: the forked workers that run a call. */
struct job *job_slot(struct server *);
int	 job_start(struct server *, struct job *, struct opts *, const struct batch_opts *);
int	 job_pump(struct job *, const struct pollfd *, int);
void	 job_free(struct job *);

#endif
