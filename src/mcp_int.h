/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mcp_int.h: the layers of `ackprof mcp` above the transport (mcp_rpc.h), top down:
 * the server (mcp_server.c: methods, the serve loop), the tools (mcp_tools.c), their
 * results (mcp_result.c), MCP tasks (mcp_tasks.c), the workers (mcp_jobs.c).  Each
 * calls only downward; the jobs report back through returned values.
 */
#ifndef ACKPROF_MCP_INT_H
#define ACKPROF_MCP_INT_H

#include <sys/types.h>

#include <poll.h>

#include <cjson/cJSON.h>

#include "batch.h"
#include "mcp_rpc.h"
#include "util.h"
#include "workflow.h"

#define MAX_JOBS		8
#define MAX_TARGETS		1000
#define MAX_TASKS		256	/* tasks remembered; the oldest is forgotten first */

#define MAX_MTASKS		64	/* MCP tasks (2025-11-25) kept per session */

enum tool { T_DIAGNOSE, T_RESULT, T_BATCH, T_DOCTOR };
enum mtstatus { MT_WORKING, MT_COMPLETED, MT_FAILED, MT_CANCELLED };

/* An MCP task: a tools/call the client follows with tasks/get and tasks/result. */
struct mtask {
	int		 used;
	unsigned long	 seq;
	char		 id[32];
	enum mtstatus	 status;
	char		 message[160];
	char		 created[32], updated[32];
	double		 ttl;		/* as the client asked, or -1 */
	cJSON		*result;	/* the CallToolResult, once ended */
	cJSON		*waiting;	/* ids of tasks/result requests to answer when it ends */
};

struct job {
	int		 used;
	enum tool	 tool;
	cJSON		*id;		/* the request id (owned) */
	cJSON		*token;		/* progress token, or NULL (owned) */
	struct rpc_batch *batch;	/* the batch the request came in, or NULL */
	struct mtask	*mtask;		/* run as an MCP task: the result goes there */
	pid_t		 pid;
	int		 fd[4];		/* stdout, stderr, progress, events */
	struct buf	 out, err, prog, ev;
	double		 progress;
	double		 deadline;	/* monotonic: answer by then */
	double		 started;	/* monotonic: when the worker started */
	int		 polls;		/* results the worker read of its task ("status" events) */
	char		 cluster[40], ns[64], pod[256];	/* the target, when known, or "" */
	char		 profile[72];	/* the call's aliyun profile, "" for the CLI's current */
	int		 cancelled;	/* no response is due any more */
	int		 resumed;	/* diagnose_pod that resumed a remembered task */
	int		 busy;		/* the worker met Sysom.TaskInProgress */
	int		 invoking;	/* invoke-diagnosis calls in flight */
	struct buf	 inflight;	/* their pods, a line "CLUSTER NAMESPACE POD" each */
	int		 stop_pending;	/* answered at the bound: stop it once invoking is 0 */
	char		 task[72];	/* the task id the worker reported, or "" */
	char		 status[48];	/* its last status */
	char		 step[160];	/* the last progress line */
	struct buf	 input;		/* diagnose_pods: the batch input lines */
	struct buf	 state;		/* and a state file naming the remembered tasks */
	cJSON		*targets;	/* diagnose_pods: [{cluster_id, namespace, pod}] in order */
};

/*
 * A task this server started, by target: a call for that pod follows it.  It is
 * forgotten once a whole answer (not one at the bound) has carried its end: an
 * answer at the bound, or a worker stopped after it, loses no result.  Nor is it
 * followed once it is older than any run of it could last (memo_horizon): a call
 * for the pod an hour later, from a client that never came back for an answer,
 * starts a new diagnosis instead of getting the old result.
 */
struct task_memo {
	char		*task_id, *cluster, *ns, *pod;
	char		*profile;	/* the aliyun profile it runs under, "" for the CLI's current */
	unsigned long	 seq;		/* for forgetting the oldest */
	int		 ended;		/* a worker saw it end (Success or Fail) */
	double		 born;		/* now_mono() at its invoke or last status read; see memo_horizon() */
};

struct server {
	struct opts	*base;
	const struct batch_opts *bo;
	double		 bound;		/* --reply-within */
	struct rpc_conn	 rpc;		/* the transport: the revision, the batch being handled */
	struct job	 jobs[MAX_JOBS];
	struct task_memo tasks[MAX_TASKS];
	struct mtask	 mtasks[MAX_MTASKS];
	unsigned long	 task_seq;
};

/* mcp_tools.c: the tool definitions, argument checking, starting a call. */
cJSON	*tools_list(int rev);
void	 call_tool(struct server *, const cJSON *id, const cJSON *params);

/* mcp_result.c: a finished or bounded call's result; the tools' words. */
cJSON	*tool_result(const char *summary, cJSON *structured, int is_error, int rev);
void	 send_tool_error(const struct server *, const cJSON *id, const char *text);
void	 mcp_words(char *text, size_t n);
void	 job_answer(struct server *, struct job *, int status);
void	 job_answer_bound(struct server *, struct job *);

/* mcp_jobs.c: the forked workers that run a call; the tasks they started. */
struct job *job_slot(struct server *);
int	 job_start(struct server *, struct job *, struct opts *, const struct batch_opts *);
int	 job_pump(struct server *, struct job *, const struct pollfd *, int, int *status);
void	 job_free(struct job *);
int	 job_due(const struct job *, double now);
void	 job_stop_at_bound(struct job *);
void	 job_cancel(struct job *, int sig);
const struct task_memo *task_find(const struct server *, const char *profile, const char *cluster,
	    const char *ns, const char *pod);
const struct task_memo *task_find_id(const struct server *, const char *task_id);
void	 job_target(struct job *, const char *cluster, const char *ns, const char *pod);
int	 job_invoking(const struct server *, const char *profile, const char *cluster, const char *ns,
	    const char *pod);
void	 task_delivered(struct server *, const struct job *);
void	 task_forget_all(struct server *);

/* mcp_tasks.c: MCP tasks (2025-11-25). */
struct mtask *mtask_new(struct server *, const cJSON *spec);
void	 mtask_free(struct mtask *);
cJSON	*mtask_json(const struct mtask *);
void	 mtask_finish(struct mtask *, cJSON *result, int status, const char *message);
void	 m_tasks_get(struct server *, const cJSON *, const cJSON *);
void	 m_tasks_result(struct server *, const cJSON *, const cJSON *);
void	 m_tasks_list(struct server *, const cJSON *, const cJSON *);
void	 m_tasks_cancel(struct server *, const cJSON *, const cJSON *);

#endif
