/* SPDX-License-Identifier: Apache-2.0 */
/*
 * aliyun.h: the one place that builds `aliyun` argv (and so applies the user-agent
 * rule), runs it, records the call, and reads the CLI's text: error blocks,
 * version strings, `configure list` tables.
 */
#ifndef ACKPROF_ALIYUN_H
#define ACKPROF_ALIYUN_H

#include <cjson/cJSON.h>

#include "run.h"

#define SKILL_UA "AlibabaCloud-Agent-Skills/alibabacloud-aes-ack-pod-performance-profiling"
#define MIN_CLI_VERSION "3.3.15"

enum call {
	CALL_AIMODE_ENABLE,	/* configure ai-mode enable */
	CALL_AIMODE_UA,		/* configure ai-mode set-user-agent --user-agent UA */
	CALL_PLUGIN_UPDATE,	/* plugin update */
	CALL_VERSION,		/* version */
	CALL_CONFIG_SET,	/* configure set --auto-plugin-install true */
	CALL_CONFIG_LIST,	/* configure list */
	CALL_CS_GET,		/* cs GET /clusters/ID --user-agent UA */
	CALL_INITIAL,		/* sysom initial-sysom --check-only false --source aes-skills */
	CALL_INVOKE,		/* sysom invoke-diagnosis --service-name ocd --channel ecs --params P */
	CALL_RESULT,		/* sysom get-diagnosis-result --task-id T */
	CALL_AIMODE_DISABLE,	/* configure ai-mode disable */
	CALL_STEP7,		/* VENV/bin/python SCRIPTS/create-cluster-vpc-endpoint-connection.py */
	CALL_SETUP_SDK,		/* sh SCRIPTS/setup-sdk.sh VENV */
	CALL_AIMODE_SHOW,	/* configure ai-mode show (doctor: only reads) */
};

struct trace;	/* the calls[] record, owned by the caller */

struct cli {
	const char	*path;		/* the aliyun to run */
	const char	*profile;	/* --profile for business calls, or NULL */
	const char	*venv;		/* the SDK venv directory */
	const char	*scripts;	/* the bundled scripts directory */
	double		 timeout;	/* --cli-timeout */
	int		 dry_run;	/* print the argv, run nothing */
	const char	*config_path;	/* the CLI's --config-path, were we to pass one (never yet) */
	cJSON		*calls;		/* array: one object per child run */
};

/* The argv of a call, NULL-terminated, in a caller-provided array of at least 16. */
int	cli_argv(const struct cli *, enum call, const char *arg, const char *arg2,
	    const char **argv, char **owned);
/* Render an argv as one shell-quoted line (redacted), newly allocated. */
char	*cli_argv_string(const char *const *);

/*
 * Run a call.  Fills c (caller frees with child_free).  Returns 0 when the child
 * ran, -1 when it could not be started.
 */
int	cli_run(struct cli *, enum call, const char *arg, const char *arg2, struct child *c);

/*
 * The same in two halves, for an event loop: call_start() builds the argv and
 * starts the child (0, or -1 when it could not start); once run_advance() says
 * the child finished, call_finish() strips colour and records the call.
 */
struct cli_call {
	struct child	*c;
	enum call	 k;
	int		 spawn_rc;
	const char	*argv[24];
	char		*owned[2];
	char		*line;
	char		 profenv[160];
	char		 textdir[4200];	/* setup-sdk.sh's TEXTDOMAINDIR=, in a language */
	const char	*set[5];
	char		 target[400];	/* invoke: "CLUSTER NAMESPACE POD", for its events */
};

int	call_start(struct cli *, struct cli_call *, enum call, const char *arg, const char *arg2,
	    struct child *c);
void	call_finish(struct cli *, struct cli_call *);

/* Short human name of a step, for messages. */
const char *cli_step_name(enum call);

/* A CLI error, parsed from the SDK.ServerError block, a plugin SDKError block or ERROR: text. */
struct cli_error {
	char	code[128];
	char	message[1024];
	char	request_id[128];
	int	http_status;
	char	auth_action[96];	/* AccessDeniedDetail's AuthAction ("cs:X"), or "" */
};

void	cli_parse_error(const char *err, const char *out, struct cli_error *);
int	cli_error_is_permission(const struct cli_error *, const char *text);
int	cli_error_is_not_found(const struct cli_error *, const char *text);
/* Throttling*, ServiceUnavailable, HTTP 429 or 503: the call may be retried later. */
int	cli_error_is_throttled(const struct cli_error *);

/*
 * A corrupt CLI configuration (the CLI then exits 0 with only an error on stderr):
 * says so in one line naming the file, for the step, and returns 77; else 0.
 */
int	cli_report_broken_config(const char *step, const struct child *);
/* 1 when a sysom call's stderr says the plugin is missing and was not installed. */
int	cli_plugin_missing(const char *err);
/*
 * Exit 3 is the CLI's "failure with a tip" (3.4.11's ErrorWithTip, 3.5's "failure with
 * a CLI recovery tip"): a configuration problem (no region, an unknown or unconfigured
 * profile, missing credentials, all with "use `aliyun configure`"), or another refusal
 * such as "can not find api by path".  cli_tip_is_config is 1 for the first kind.
 * cli_error_tip copies the tip (the first non-empty line after the ERROR line),
 * scrubbed and cut on a character, into out; "" when there is none.
 */
int	cli_tip_is_config(const char *err);
void	cli_error_tip(const char *err, char *out, size_t n);

/* Version strings: "3.4.11\n" -> {3,4,11}.  Returns 0 or -1. */
int	parse_version(const char *, int v[3]);
int	version_cmp(const int a[3], const int b[3]);

/*
 * `configure list`: find the current profile (marked " *") or `want` when given;
 * copies its name and returns 1 when it is Valid, 0 when Invalid, -1 when absent
 * or the table cannot be read.
 */
int	parse_configure_list(const char *, const char *want, char *name, size_t);

/* The fields of a cs DescribeClusterDetail body that the workflow reads. */
struct cluster_info {
	char	*name;		/* may be NULL */
	char	*region;	/* region_id: always set on success */
	char	*profile;	/* may be NULL */
	char	*state;		/* may be NULL */
};

/*
 * Parse `aliyun cs GET /clusters/ID` stdout.  Returns 0, -1 when it is not a JSON
 * object, -2 when it has no usable region_id.  Free with cluster_info_free.
 */
int	cluster_parse(const char *, size_t, struct cluster_info *);
void	cluster_info_free(struct cluster_info *);

/* Strip ANSI colour sequences in place (a CLI without NO_COLOR support). */
void	strip_ansi(char *);

#endif
