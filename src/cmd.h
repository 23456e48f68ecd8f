/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd.h: the table of commands and options: which handler runs each command, the
 * options it takes, and the help texts.  --help, usage errors and shell completion
 * are all generated from it.
 */
#ifndef ACKPROF_CMD_H
#define ACKPROF_CMD_H

#include <stdint.h>

#include "batch.h"
#include "msg.h"
#include "workflow.h"

enum optid {
	O_CLUSTER, O_NS, O_POD, O_DESC, O_REGION, O_FROM, O_TO, O_SINCE, O_AROUND, O_REALTIME,
	O_OUTPUT, O_SAVE, O_METRICS, O_QUIET, O_VERBOSE,
	O_JOBS, O_STATE, O_SHARD, O_PUSH, O_PUSH_TIMEOUT, O_FAIL_ON, O_REPLY_WITHIN,
	O_PROFILE, O_YES, O_DRY_RUN, O_FIX,
	O_ALIYUN, O_VENV, O_SCRIPTS, O_POLL_INTERVAL, O_POLL_MAX, O_BUSY_WAIT, O_BUSY_RETRIES,
	O_CLI_TIMEOUT, O_THROTTLE_WAIT, O_THROTTLE_RETRIES,
	O_LANG, O_HELP, O_VERSION,
	O_COUNT
};

/* What completes an option's value (or a command's argument). */
enum compl { C_NONE, C_FILE, C_DIR, C_WORDS };

struct cmd_opt {
	const char	*name;		/* long name, without the dashes */
	int		 short_name;	/* 0: none */
	const char	*arg;		/* the value's name in help; NULL: a flag */
	enum compl	 compl;
	const char	*words;		/* C_WORDS: the values, space separated */
	int		 section;	/* index in cmd_sections */
	const char	*help;
};

/* The command line as given (before the Step 4 gate resolves it). */
struct args {
	const char	*cluster, *ns, *pod, *desc, *region, *from, *to, *since, *around,
			*output;
	const char	*pos[2];	/* positional arguments after the command */
	int		 npos;
	int		 realtime;
};

struct inv {
	const struct cmd	*cmd;
	struct args		 a;
	struct opts		 o;
	struct batch_opts	 bo;
	double			 reply_within;	/* mcp: every tool call answers within this */
	char			*own_scripts, *own_venv;	/* defaults we allocated */
	char			*own_state, *own_metrics;	/* --shard's paths */
	int			 push_timeout_set;	/* --push-timeout was given */
};

struct cmd {
	const char	*name;
	int		(*run)(struct inv *);
	const char	*synopsis;	/* after "ackprof NAME" */
	const char	*args;		/* positional arguments in the command list */
	int		 min_args, max_args;
	enum compl	 args_compl;
	const char	*args_words;	/* C_WORDS */
	uint64_t	 opts;		/* bit (1 << enum optid) per option it takes */
	const char	*help;
	const char	*outputs;	/* the -o values it takes (O_OUTPUT's words: all of them) */
};

extern const struct cmd_opt	cmd_opts[O_COUNT];
extern const struct cmd		cmds[];
extern const char		*cmd_sections[];

/* Parse argv and run the command; returns the exit status. */
int	cmd_main(int argc, char **argv);

#endif
