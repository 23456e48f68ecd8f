/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd.c: the table of commands and options, the parsing of argv against it (an
 * option a command does not take is a usage error naming the command), --help, and
 * the handlers that hand each command to its workflow.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "batch.h"
#include "cmd.h"
#include "complete.h"
#include "contract.h"
#include "gate.h"
#include "doctor.h"
#include "i18n.h"
#include "mcp.h"
#include "metrics.h"
#include "msg.h"
#include "push.h"
#include "shard.h"
#include "target.h"
#include "utf8.h"
#include "util.h"
#include "workflow.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif
#ifndef SCRIPTSDIR
#define SCRIPTSDIR "/usr/local/share/ackprof/scripts"
#endif

#define B(o)	(UINT64_C(1) << (o))
/* Every command takes these. */
#define ALWAYS	(B(O_HELP) | B(O_VERSION) | B(O_LANG))
#define TARGET	(B(O_CLUSTER) | B(O_NS) | B(O_POD) | B(O_DESC) | B(O_REGION) | B(O_FROM) | \
		 B(O_TO) | B(O_SINCE) | B(O_AROUND) | B(O_REALTIME))
#define LOUD	(B(O_QUIET) | B(O_VERBOSE))
#define POLL	(B(O_POLL_INTERVAL) | B(O_POLL_MAX) | B(O_CLI_TIMEOUT) | B(O_THROTTLE_WAIT) | \
		 B(O_THROTTLE_RETRIES))
#define WIRING	(B(O_ALIYUN) | B(O_VENV) | B(O_SCRIPTS) | POLL | B(O_BUSY_WAIT) | B(O_BUSY_RETRIES))

enum { S_TARGET, S_OUTPUT, S_BATCH, S_MCP, S_BEHAVIOUR, S_TUNING, S_OTHER };

const char *cmd_sections[] = {
	[S_TARGET] = N_("Target:"),
	[S_OUTPUT] = N_("Output:"),
	[S_BATCH] = N_("Batch:"),
	[S_MCP] = N_("MCP server:"),
	[S_BEHAVIOUR] = N_("Behaviour:"),
	[S_TUNING] = N_("Tuning and wiring (flag, then environment variable):"),
	[S_OTHER] = N_("Other:"),
	NULL
};

const struct cmd_opt cmd_opts[O_COUNT] = {
	[O_CLUSTER] = { "cluster", 'c', "ID", C_NONE, NULL, S_TARGET,
	    N_("ACK cluster id (c + 32 hex digits)") },
	[O_NS] = { "namespace", 'n', "NS", C_NONE, NULL, S_TARGET,
	    N_("Kubernetes namespace of the pod") },
	[O_POD] = { "pod", 'p', "NAME", C_NONE, NULL, S_TARGET, N_("pod name") },
	[O_DESC] = { "description", 'd', "TEXT", C_NONE, NULL, S_TARGET,
	    N_("symptom words; sanitized to [a-zA-Z0-9_-]") },
	[O_REGION] = { "region", 'r', "REGION", C_NONE, NULL, S_TARGET,
	    N_("expected region; a different cluster region stops") },
	[O_FROM] = { "from", 0, "TIME", C_NONE, NULL, S_TARGET,
	    N_("historical window start (Unix seconds,\n'YYYY-MM-DD HH:MM[:SS]', HH:MM today, RFC 3339)") },
	[O_TO] = { "to", 0, "TIME", C_NONE, NULL, S_TARGET, N_("historical window end") },
	[O_SINCE] = { "since", 0, "DURATION", C_NONE, NULL, S_TARGET,
	    N_("historical window [now-DURATION, now]: digits and a\nunit (s, m, h, d), e.g. 2h, 90m, 1h30m; at most 31d") },
	[O_AROUND] = { "around", 0, "TIME", C_NONE, NULL, S_TARGET,
	    N_("historical window [TIME-30m, TIME+30m] around a\npoint in time (\"around 3am\"); TIME as for --from") },
	[O_REALTIME] = { "realtime", 0, NULL, C_NONE, NULL, S_TARGET,
	    N_("real-time diagnosis (the default without a window)") },
	[O_OUTPUT] = { "output", 'o', "FORMAT", C_WORDS, "text json jsonl markdown", S_OUTPUT,
	    N_("text (default), json, jsonl (each JSON document on\none line) or markdown") },
	[O_SAVE] = { "save", 0, "FILE", C_FILE, NULL, S_OUTPUT,
	    N_("also write the report to FILE (mode 0600; a FIFO\nor a device is written in place)") },
	[O_METRICS] = { "metrics", 0, "FILE", C_FILE, NULL, S_OUTPUT,
	    N_("also write Prometheus metrics to FILE (mode 0644),\nfor node_exporter's textfile collector") },
	[O_QUIET] = { "quiet", 'q', NULL, C_NONE, NULL, S_OUTPUT,
	    N_("no progress and no notes on stderr") },
	[O_VERBOSE] = { "verbose", 'v', NULL, C_NONE, NULL, S_OUTPUT,
	    N_("each step and each command on stderr") },
	[O_JOBS] = { "jobs", 0, "N", C_NONE, NULL, S_BATCH, N_("clusters diagnosed in parallel [4]") },
	[O_STATE] = { "state", 0, "FILE", C_FILE, NULL, S_BATCH,
	    N_("record invokes and task ids; a rerun resumes\ninstead of invoking") },
	[O_SHARD] = { "shard", 0, "K/N", C_NONE, NULL, S_BATCH,
	    N_("run only shard K of N (0 <= K < N): the clusters\nwhose id hashes to K (each shard has its own files)") },
	[O_PUSH] = { "push", 0, "URL", C_NONE, NULL, S_BATCH,
	    N_("PUT the --metrics file to a Prometheus\nPushgateway at URL/metrics/job/ackprof[/shard/K]\nwhen the run ends") },
	[O_PUSH_TIMEOUT] = { "push-timeout", 0, "SECS", C_NONE, NULL, S_BATCH,
	    N_("deadline of the --push PUT, connecting included [30]") },
	[O_FAIL_ON] = { "fail-on", 0, "LEVEL", C_WORDS, "warn critical error never", S_BATCH,
	    N_("which outcomes fail the run [warn]: warn (Critical,\nfailures, Warn), critical (no Warn), error (failures\nonly), never (no target outcome)") },
	[O_REPLY_WITHIN] = { "reply-within", 0, "SECS", C_NONE, NULL, S_MCP,
	    N_("every tool call answers within SECS; a task still\nrunning comes back with its id [40]") },
	[O_PROFILE] = { "profile", 0, "NAME", C_NONE, NULL, S_BEHAVIOUR,
	    N_("aliyun CLI profile for the cloud calls") },
	[O_YES] = { "yes", 'y', NULL, C_NONE, NULL, S_BEHAVIOUR,
	    N_("ask nothing (no confirmation, no questions)") },
	[O_DRY_RUN] = { "dry-run", 0, NULL, C_NONE, NULL, S_BEHAVIOUR,
	    N_("print the exact command chain and run nothing") },
	[O_FIX] = { "fix", 0, NULL, C_NONE, NULL, S_BEHAVIOUR,
	    N_("doctor: make the changes diagnose would make,\nsaying each") },
	[O_ALIYUN] = { "aliyun", 0, "PATH", C_FILE, NULL, S_TUNING,
	    N_("the CLI to run [ACKPROF_ALIYUN; aliyun]") },
	[O_VENV] = { "sdk-venv", 0, "DIR", C_DIR, NULL, S_TUNING,
	    N_("SysOM SDK venv [ACKPROF_SDK_VENV;\n$XDG_DATA_HOME/ackprof/.sysom-sdk-venv]") },
	[O_SCRIPTS] = { "scripts-dir", 0, "DIR", C_DIR, NULL, S_TUNING,
	    N_("bundled scripts [ACKPROF_SCRIPTS_DIR]") },
	[O_POLL_INTERVAL] = { "poll-interval", 0, "SECS", C_NONE, NULL, S_TUNING,
	    N_("between result polls [10]") },
	[O_POLL_MAX] = { "poll-max", 0, "N", C_NONE, NULL, S_TUNING, N_("polls before giving up [60]") },
	[O_BUSY_WAIT] = { "busy-wait", 0, "SECS", C_NONE, NULL, S_TUNING,
	    N_("wait after Sysom.TaskInProgress [30]") },
	[O_BUSY_RETRIES] = { "busy-retries", 0, "N", C_NONE, NULL, S_TUNING,
	    N_("retries after Sysom.TaskInProgress [3]") },
	[O_CLI_TIMEOUT] = { "cli-timeout", 0, "SECS", C_NONE, NULL, S_TUNING,
	    N_("deadline of one aliyun call [120]") },
	[O_THROTTLE_WAIT] = { "throttle-wait", 0, "SECS", C_NONE, NULL, S_TUNING,
	    N_("first wait after a throttled call (Throttling*,\nServiceUnavailable, HTTP 429/503), doubled\neach retry [1]") },
	[O_THROTTLE_RETRIES] = { "throttle-retries", 0, "N", C_NONE, NULL, S_TUNING,
	    N_("retries of a throttled call [5]") },
	[O_LANG] = { "lang", 0, "LANG", C_WORDS, "zh en", S_OTHER,
	    N_("language of messages: zh (Chinese) or en [from LANG]") },
	[O_HELP] = { "help", 'h', NULL, C_NONE, NULL, S_OTHER,
	    N_("this help; after a command, that command's") },
	[O_VERSION] = { "version", 'V', NULL, C_NONE, NULL, S_OTHER, N_("the version") },
};

static int	run_diagnose(struct inv *);
static int	run_result(struct inv *);
static int	run_batch(struct inv *);
static int	run_mcp(struct inv *);
static int	run_doctor(struct inv *);
static int	run_setup_sdk(struct inv *);
static int	run_completion(struct inv *);
static int	run_version(struct inv *);

const struct cmd cmds[] = {
	{ "diagnose", run_diagnose,
	    "-c CLUSTER_ID -n NAMESPACE -p POD [-d TEXT] [-r REGION]\n"
	    "[--from TIME --to TIME | --since DURATION\n"
	    " | --around TIME | --realtime]\n"
	    "[-o text|json|jsonl|markdown] [--save FILE]\n"
	    "[--metrics FILE] [--profile NAME]\n"
	    "[--yes] [--dry-run] [-q] [-v]",
	    NULL, 0, 0, C_NONE, NULL,
	    ALWAYS | TARGET | B(O_OUTPUT) | B(O_SAVE) | B(O_METRICS) | LOUD | B(O_PROFILE) | B(O_YES) |
	    B(O_DRY_RUN) | WIRING,
	    N_("run the whole workflow on one pod"), "text json jsonl markdown" },
	{ "result", run_result,
	    "TASK_ID [-o text|json|jsonl|markdown] [--save FILE]\n"
	    "[--profile NAME] [--dry-run]",
	    "TASK_ID", 1, 1, C_NONE, NULL,
	    ALWAYS | B(O_OUTPUT) | B(O_SAVE) | LOUD | B(O_PROFILE) | B(O_DRY_RUN) | B(O_ALIYUN) | POLL,
	    N_("resume polling an existing diagnosis task"), "text json jsonl markdown" },
	{ "batch", run_batch,
	    "[FILE|-] [--jobs N] [--state FILE] [--metrics FILE]\n"
	    "[--shard K/N] [--push URL] [--push-timeout SECS]\n"
	    "[--fail-on LEVEL] [-o text|json|jsonl]",
	    "[FILE|-]", 0, 1, C_FILE, NULL,
	    ALWAYS | B(O_JOBS) | B(O_STATE) | B(O_SHARD) | B(O_PUSH) | B(O_PUSH_TIMEOUT) | B(O_FAIL_ON) | B(O_METRICS) |
	    B(O_OUTPUT) | LOUD | B(O_PROFILE) | WIRING,
	    N_("many pods: lines 'CLUSTER NAMESPACE POD [description]'\n"
	    "or JSON objects; clusters in parallel, results as they end"), "text json jsonl" },
	{ "mcp", run_mcp, "[--reply-within SECS]", NULL, 0, 0, C_NONE, NULL,
	    ALWAYS | B(O_JOBS) | B(O_REPLY_WITHIN) | LOUD | B(O_PROFILE) | WIRING,
	    N_("serve the workflow to agents (MCP over stdio)"), NULL },
	{ "doctor", run_doctor, "[--fix] [-v]", NULL, 0, 0, C_NONE, NULL,
	    ALWAYS | B(O_VERBOSE) | B(O_FIX) | B(O_PROFILE) | B(O_ALIYUN) | B(O_VENV) | B(O_SCRIPTS) |
	    B(O_CLI_TIMEOUT),
	    N_("check the CLI, profile, ai-mode, plugin and SDK venv;\nchanges nothing (--fix: what diagnose would set)"), NULL },
	{ "setup-sdk", run_setup_sdk, "", NULL, 0, 0, C_NONE, NULL,
	    ALWAYS | LOUD | B(O_VENV) | B(O_SCRIPTS),
	    N_("create or repair the SysOM SDK venv used by Step 7"), NULL },
	{ "completion", run_completion, "bash|zsh|fish", "SHELL", 1, 1, C_WORDS, "bash zsh fish",
	    ALWAYS, N_("print the shell completion script for bash, zsh or fish"), NULL },
	{ "version", run_version, "[-o text|json]", NULL, 0, 0, C_NONE, NULL,
	    ALWAYS | B(O_OUTPUT),
	    N_("the version and the build: git commit, build date,\ncompiler, cJSON and PCRE2 versions (-o json: one document)"),
	    "text json" },
	{ NULL, NULL, NULL, NULL, 0, 0, C_NONE, NULL, 0, NULL, NULL }
};

static const char intro[] = N_(
"Run Alibaba Cloud SysOM kernel-level performance diagnosis on a Pod of an ACK\n"
"cluster by driving the aliyun CLI, and report the root cause and what to do.\n");

/* The exit codes, as --help names them (README and ackprof(1) say more). */
static const struct {
	int		 code;
	const char	*what;
} exit_codes[] = {
	{ 0, N_("Info (healthy)") }, { 1, N_("Warn") }, { 2, N_("Critical") },
	{ 3, N_("task failed") }, { 4, N_("still running") },
	{ 5, N_("another task is running on the cluster") }, { 64, N_("usage") },
	{ 65, N_("target not diagnosable") }, { 69, N_("cloud call failed") },
	{ 74, N_("report, state or metrics not written") },
	{ 75, N_("another batch holds the --state file") },
	{ 77, N_("credentials or permissions") }, { 78, N_("local setup") },
	{ 129, "SIGHUP" }, { 130, "SIGINT" }, { 143, "SIGTERM" },
};

/* Which codes each command can return (NULL: every code, for the whole --help). */
static const struct {
	const char	*cmd, *codes;
} cmd_exits[] = {
	{ "diagnose", " 0 1 2 3 4 5 64 65 69 74 77 78 129 130 143 " },
	{ "result", " 0 1 2 3 4 64 65 69 74 77 78 129 130 143 " },
	{ "batch", " 0 1 2 3 4 5 64 65 69 74 75 77 78 129 130 143 " },
	{ "mcp", " 0 64 78 129 130 143 " },
	{ "doctor", " 0 64 69 77 78 129 130 143 " },
	{ "setup-sdk", " 0 64 69 78 129 130 143 " },
	{ "completion", " 0 64 78 " },
};

/* "Exit status:" and the codes command C (NULL: any command) can return, wrapped. */
static void
put_exits(const struct cmd *c)
{
	const char *codes = NULL;
	char item[160], num[8];
	size_t i;
	int col = 0, w;

	for (i = 0; c && i < sizeof(cmd_exits) / sizeof(cmd_exits[0]); i++)
		if (strcmp(cmd_exits[i].cmd, c->name) == 0)
			codes = cmd_exits[i].codes;
	printf("\n%s\n", _("Exit status:"));
	for (i = 0; i < sizeof(exit_codes) / sizeof(exit_codes[0]); i++) {
		snprintf(num, sizeof(num), " %d ", exit_codes[i].code);
		if (codes && strstr(codes, num) == NULL)
			continue;
		snprintf(item, sizeof(item), "%d %s", exit_codes[i].code, _(exit_codes[i].what));
		w = utf8_width(item);
		if (col && col + 3 + w > 78) {
			putchar('\n');
			col = 0;
		}
		printf("%s%s", col ? "   " : "  ", item);
		col += (col ? 3 : 2) + w;
	}
	putchar('\n');
}

/* Print TEXT with its first line after LEFT padded to COL, later lines indented to COL. */
static void
put_column(const char *left, int col, const char *text)
{
	const char *nl;
	int n = utf8_width(left);	/* columns, not bytes: a translation may be CJK */

	fputs(left, stdout);
	for (;;) {
		/* A left part longer than the column puts the text on the next line. */
		if (n > col) {
			putchar('\n');
			n = 0;
		}
		printf("%*s", col - n, "");
		nl = strchr(text, '\n');
		printf("%.*s\n", nl ? (int)(nl - text) : (int)strlen(text), text);
		if (nl == NULL)
			return;
		text = nl + 1;
		n = 0;
	}
}

static void
put_synopsis(const struct cmd *c, const char *lead)
{
	char left[64];

	snprintf(left, sizeof(left), "%sackprof %s", lead, c->name);
	if (*c->synopsis == '\0') {
		printf("%s\n", left);
		return;
	}
	strcat(left, " ");
	put_column(left, utf8_width(left), c->synopsis);
}

/* The options in MASK, by section, each under its heading; OUTPUTS: the -o values taken. */
static void
put_options(uint64_t mask, const char *outputs)
{
	char left[64], own[128];
	int s, i;

	for (s = 0; cmd_sections[s]; s++) {
		int heading = 0;

		for (i = 0; i < O_COUNT; i++) {
			const struct cmd_opt *op = &cmd_opts[i];

			if (op->section != s || !(mask & B(i)))
				continue;
			if (!heading++)
				printf("\n%s\n", _(cmd_sections[s]));
			snprintf(left, sizeof(left), "  %c%c%s--%s%s%s", op->short_name ? '-' : ' ',
			    op->short_name ? op->short_name : ' ', op->short_name ? ", " : "  ", op->name,
			    op->arg ? " " : "", op->arg ? op->arg : "");
			/* A command that takes fewer formats lists its own (batch: no markdown). */
			if (i == O_OUTPUT && outputs && strcmp(outputs, op->words) != 0) {
				snprintf(own, sizeof(own), _("one of: %s [text]"), outputs);
				put_column(left, 28, own);
			} else
				put_column(left, 28, _(op->help));
		}
	}
}

static void
put_help(const struct cmd *only)
{
	const struct cmd *c;
	uint64_t all = 0;
	char left[64], indent[32];
	const char *usage = _("usage: ");
	int first = 1;

	snprintf(indent, sizeof(indent), "%*s", utf8_width(usage) < 31 ? utf8_width(usage) : 31, "");
	for (c = cmds; c->name; c++) {
		if (only && c != only)
			continue;
		put_synopsis(c, first ? usage : indent);
		first = 0;
		all |= c->opts;
	}
	if (only) {
		printf("\n%s\n", _(only->help));
		put_options(only->opts, only->outputs);
		put_exits(only);
		return;
	}
	printf("%sackprof COMMAND --help | --help | --version\n\n%s\n%s\n", indent, _(intro),
	    _("Commands:"));
	for (c = cmds; c->name; c++) {
		snprintf(left, sizeof(left), "  %s%s%s", c->name, c->args ? " " : "", c->args ? c->args : "");
		put_column(left, 22, _(c->help));
	}
	put_options(all, NULL);
	put_exits(NULL);
}

/* The scripts beside the binary (a build tree), else the installed share dir. */
static char *
default_scripts_dir(void)
{
	char *dir = exe_dir(), *p;

	if (dir != NULL) {
		p = xasprintf("%s/scripts/create-cluster-vpc-endpoint-connection.py", dir);
		if (access(p, R_OK) == 0) {
			free(p);
			p = xasprintf("%s/scripts", dir);
			free(dir);
			return p;
		}
		free(p);
		free(dir);
	}
	return xstrdup(SCRIPTSDIR);
}

static char *
default_venv(void)
{
	const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (x && *x == '/')
		return xasprintf("%s/ackprof/.sysom-sdk-venv", x);
	return xasprintf("%s/.local/share/ackprof/.sysom-sdk-venv", home && *home ? home : ".");
}

/*
 * --save and --state, before any cloud call (as --metrics): the path names a file whose
 * directory exists and which can be written or created there.  SPECIAL: a FIFO or a
 * character device is fine (--save writes those in place).  0 or a usage error.
 */
static int
check_out_path(const char *flag, const char *path, int special)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/") :
	    xasprintf("%.*s", (int)(slash - path), path);
	struct stat st;
	int rc = 0;

	if (*path == '\0' || (slash && slash[1] == '\0'))
		rc = usage_error("%s '%s' names no file (name a file)", flag, path);
	else if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
		rc = usage_error("%s %s: no directory %s (create it, or choose another path)", flag, path,
		    dir);
	else if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			rc = usage_error("%s %s is a directory (name a file in it)", flag, path);
		else if (!S_ISREG(st.st_mode) && !(special && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))))
			rc = usage_error("%s %s is not a regular file (choose a file)", flag, path);
		else if (access(path, W_OK) == -1)
			rc = usage_error("%s %s: cannot write it: %s (choose a writable path)", flag, path,
			    strerror(errno));
	} else if (access(dir, W_OK | X_OK) == -1)
		rc = usage_error("%s %s: cannot create a file in %s: %s (choose a writable directory)",
		    flag, path, dir, strerror(errno));
	free(dir);
	return rc;
}

/* Store one option's value; 0 or a usage error. */
static int
apply_opt(struct inv *v, int id, const char *arg)
{
	struct opts *o = &v->o;
	unsigned long ul;
	char err[PATH_MAX + 128];

	switch (id) {
	case O_CLUSTER: v->a.cluster = arg; break;
	case O_NS: v->a.ns = arg; break;
	case O_POD: v->a.pod = arg; break;
	case O_DESC: v->a.desc = arg; break;
	case O_REGION: v->a.region = arg; break;
	case O_FROM: v->a.from = arg; break;
	case O_TO: v->a.to = arg; break;
	case O_SINCE: v->a.since = arg; break;
	case O_AROUND: v->a.around = arg; break;
	case O_REALTIME: v->a.realtime = 1; break;
	case O_OUTPUT: v->a.output = arg; break;
	case O_SAVE:
		if (check_out_path("--save", arg, 1) != 0)
			return 64;
		o->save = arg;
		break;
	case O_METRICS:
		/* A path with %K is checked once --shard has made it a path (run_batch). */
		if (!shard_has_placeholder(arg) && metrics_check_path(arg, err, sizeof(err)) == -1)
			return usage_error("%s", err);
		o->metrics = arg;
		break;
	case O_QUIET: msg_quiet = 1; break;
	case O_VERBOSE: msg_verbose = 1; break;
	case O_STATE:
		/* A path with %K is checked once --shard has made it a path (shard_paths). */
		if (!shard_has_placeholder(arg) && check_out_path("--state", arg, 0) != 0)
			return 64;
		v->bo.state = arg;
		break;
	case O_SHARD:
		if (shard_parse(arg, &v->o.shard) == -1)
			return usage_error("bad --shard '%s' (K/N: whole numbers, 0 <= K < N <= %d, e.g. 0/4)",
			    arg, SHARD_MAX);
		break;
	case O_PUSH:
		if (push_check_url(arg, err, sizeof(err)) == -1)
			return usage_error("%s", err);
		v->bo.push = arg;
		break;
	case O_PUSH_TIMEOUT:
		if (parse_seconds(arg, 3600, &v->bo.push_timeout) == -1 || v->bo.push_timeout <= 0)
			return usage_error("bad --push-timeout '%s' (seconds, more than 0, at most 3600)", arg);
		v->push_timeout_set = 1;
		break;
	case O_FAIL_ON:
		if ((v->bo.fail_on = batch_fail_on(arg)) < 0)
			return usage_error("bad --fail-on '%s' (warn, critical, error or never)", arg);
		break;
	case O_REPLY_WITHIN:
		if (parse_seconds(arg, 3600, &v->reply_within) == -1 || v->reply_within <= 0)
			return usage_error("bad --reply-within '%s' (seconds, more than 0, at most 3600)", arg);
		break;
	case O_YES: o->yes = 1; break;
	case O_DRY_RUN: o->dry_run = 1; break;
	case O_FIX: o->fix = 1; break;
	case O_ALIYUN: o->aliyun = arg; break;
	case O_VENV: o->venv = arg; break;
	case O_SCRIPTS: o->scripts = arg; break;
	case O_LANG: break;	/* main() has read it, before anything was said */
	case O_PROFILE:
		if (!valid_profile_name(arg))
			return usage_error("'%s' is not a profile name (letters, digits, '_', '-', '.', '@', not starting with '-')", arg);
		o->profile = arg;
		break;
	case O_POLL_INTERVAL:
		if (parse_seconds(arg, 3600, &o->poll_interval) == -1)
			return usage_error("bad --poll-interval '%s' (seconds, 0 to 3600, fractions allowed)", arg);
		break;
	case O_BUSY_WAIT:
		if (parse_seconds(arg, 3600, &o->busy_wait) == -1)
			return usage_error("bad --busy-wait '%s' (seconds, 0 to 3600, fractions allowed)", arg);
		break;
	case O_CLI_TIMEOUT:
		if (parse_seconds(arg, 86400, &o->cli_timeout) == -1 || o->cli_timeout <= 0)
			return usage_error("bad --cli-timeout '%s' (seconds, more than 0)", arg);
		break;
	case O_POLL_MAX:
		if (parse_ulong(arg, 1, 100000, &ul) == -1)
			return usage_error("bad --poll-max '%s' (a whole number, 1 to 100000)", arg);
		o->poll_max = ul;
		break;
	case O_THROTTLE_WAIT:
		if (parse_seconds(arg, 60, &o->throttle_wait) == -1)
			return usage_error("bad --throttle-wait '%s' (seconds, 0 to 60, fractions allowed)", arg);
		break;
	case O_THROTTLE_RETRIES:
		if (parse_ulong(arg, 0, 10, &ul) == -1)
			return usage_error("bad --throttle-retries '%s' (a whole number, 0 to 10)", arg);
		o->throttle_retries = ul;
		break;
	case O_BUSY_RETRIES:
		if (parse_ulong(arg, 0, 100, &ul) == -1)
			return usage_error("bad --busy-retries '%s' (a whole number, 0 to 100)", arg);
		o->busy_retries = ul;
		break;
	case O_JOBS:
		if (parse_ulong(arg, 1, 256, &ul) == -1)
			return usage_error("bad --jobs '%s' (a whole number, 1 to 256)", arg);
		v->bo.jobs = ul;
		break;
	}
	return 0;
}

static const struct cmd *
find_cmd(const char *name)
{
	const struct cmd *c;

	for (c = cmds; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* "--jobs", or "-p/--pod" when it has a short form. */
static const char *
opt_label(int id, char *buf, size_t len)
{
	if (cmd_opts[id].short_name)
		snprintf(buf, len, "-%c/--%s", cmd_opts[id].short_name, cmd_opts[id].name);
	else
		snprintf(buf, len, "--%s", cmd_opts[id].name);
	return buf;
}

struct seen {
	int		 id;
	const char	*arg;
};

/* getopt over the whole table; SEEN gets the options in command-line order. */
static int
scan(int argc, char **argv, struct seen *seen, int *nseen)
{
	struct option lo[O_COUNT + 1];
	char so[3 * O_COUNT + 2], *s = so;
	int i, ch, idx;

	*s++ = ':';
	for (i = 0; i < O_COUNT; i++) {
		lo[i] = (struct option){ cmd_opts[i].name,
		    cmd_opts[i].arg ? required_argument : no_argument, NULL, 256 + i };
		if (cmd_opts[i].short_name) {
			*s++ = (char)cmd_opts[i].short_name;
			if (cmd_opts[i].arg)
				*s++ = ':';
		}
	}
	*s = '\0';
	lo[O_COUNT] = (struct option){ NULL, 0, NULL, 0 };
	opterr = 0;
	while ((ch = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (ch == ':')
			return usage_error("option %s needs a value (see ackprof --help)", argv[optind - 1]);
		if (ch == '?') {
			if (optopt)
				return usage_error("unknown option -%c (see ackprof --help)", optopt);
			return usage_error("unknown option %s (see ackprof --help)", argv[optind - 1]);
		}
		for (idx = ch - 256, i = 0; ch < 256 && i < O_COUNT; i++)
			if (cmd_opts[i].short_name == ch)
				idx = i;
		seen[*nseen].id = idx;
		seen[(*nseen)++].arg = optarg;
	}
	return 0;
}

/* Resolve the command and its options into V; 0, -1 (done: help or version) or an exit code. */
static int
parse(int argc, char **argv, struct inv *v)
{
	struct seen *seen = xmalloc(sizeof(*seen) * (size_t)(argc + 1));
	int nseen = 0, i, rc, help = 0;
	const char *name = NULL;
	char lab[64];

	if (argc >= 2 && argv[1][0] != '-') {
		name = argv[1];
		argv++;
		argc--;
	}
	if ((rc = scan(argc, argv, seen, &nseen)) != 0)
		goto out;
	if (name == NULL && optind < argc)
		name = argv[optind++];
	for (i = 0; i < nseen; i++) {
		if (seen[i].id == O_VERSION) {
			printf("ackprof %s\n", VERSION);
			rc = -1;
			goto out;
		}
		help |= seen[i].id == O_HELP;
	}
	if (name && (v->cmd = find_cmd(name)) == NULL) {
		rc = usage_error("unknown command '%s' (diagnose, result, batch, mcp, doctor, setup-sdk, completion or version; see ackprof --help)", name);
		goto out;
	}
	if (help) {
		put_help(v->cmd);
		rc = -1;
		goto out;
	}
	if (v->cmd == NULL) {
		rc = usage_error("no command given (diagnose, result, batch, mcp, doctor, setup-sdk, completion or version; see ackprof --help)");
		goto out;
	}
	for (i = 0; i < nseen; i++) {
		if (!(v->cmd->opts & B(seen[i].id))) {
			rc = usage_error("%s does not take %s (see ackprof %s --help)", v->cmd->name,
			    opt_label(seen[i].id, lab, sizeof(lab)), v->cmd->name);
			goto out;
		}
		if ((rc = apply_opt(v, seen[i].id, seen[i].arg)) != 0)
			goto out;
	}
	while (optind < argc && v->a.npos < v->cmd->max_args)
		v->a.pos[v->a.npos++] = argv[optind++];
	if (optind < argc)
		rc = usage_error("unexpected argument '%s' (see ackprof %s --help)", argv[optind], v->cmd->name);
	else if (v->a.npos < v->cmd->min_args)
		rc = usage_error("missing %s (ackprof %s %s)", v->cmd->args, v->cmd->name, v->cmd->args);
out:
	free(seen);
	return rc;
}

/* Defaults, the environment and -o: what every command needs before it runs. */
static int
resolve(struct inv *v)
{
	struct opts *o = &v->o;
	const char *env, *f = v->a.output;

	if (f) {
		if (strcmp(f, "text") == 0)
			o->out = OUT_TEXT;
		else if (strcmp(f, "json") == 0)
			o->out = OUT_JSON;
		else if (strcmp(f, "jsonl") == 0)
			o->out = OUT_JSON, o->jsonl = 1;
		else if (strcmp(f, "markdown") == 0 || strcmp(f, "md") == 0)
			o->out = OUT_MARKDOWN;
		else
			return usage_error("unknown output format '%s' (text, json, jsonl or markdown)", f);
	}
	if (!o->aliyun)
		o->aliyun = (env = getenv("ACKPROF_ALIYUN")) && *env ? env : "aliyun";
	if (!o->venv)
		o->venv = (env = getenv("ACKPROF_SDK_VENV")) && *env ? env :
		    (v->own_venv = default_venv());
	if (!o->scripts)
		o->scripts = (env = getenv("ACKPROF_SCRIPTS_DIR")) && *env ? env :
		    (v->own_scripts = default_scripts_dir());
	o->interactive = !o->yes && isatty(0) && isatty(2);
	return 0;
}

static int
run_diagnose(struct inv *v)
{
	char err[1200];
	int rc;

	/* A --metrics path with %K was left for --shard, which diagnose does not take. */
	if (v->o.metrics && shard_has_placeholder(v->o.metrics) &&
	    metrics_check_path(v->o.metrics, err, sizeof(err)) == -1)
		return usage_error("%s", err);
	rc = gate(&v->a, &v->o);
	return rc ? rc : wf_diagnose(&v->o);
}

static int
run_result(struct inv *v)
{
	const char *id = v->a.pos[0];

	if (!valid_task_id(id))
		return usage_error("'%s' is not a SysOM task id (letters and digits, as printed by invoke-diagnosis)", id);
	v->o.task_id = id;
	return wf_result(&v->o);
}

/*
 * --shard: "%K" in --state and --metrics becomes the shard's index, so that the shards
 * of one fleet never share a file; two shards on one path are refused.
 */
static int
shard_paths(struct inv *v)
{
	const struct shard *sh = &v->o.shard;
	char err[1200];
	int had_k;

	if (v->bo.state) {
		if (sh->n == 0 && shard_has_placeholder(v->bo.state))
			return usage_error("--state %s holds %%K or %%N but there is no --shard (name the file itself)",
			    v->bo.state);
		if (sh->n) {
			v->bo.state = v->own_state = shard_path(v->bo.state, sh, &had_k);
			if (!had_k && sh->n > 1)
				return usage_error("--state: with --shard, the path must hold %%K so the shards do not share it (e.g. fleet-%%K.state)");
			/* Checked here, as a path without %K is: an empty shard fails alike. */
			if (check_out_path("--state", v->bo.state, 0) != 0)
				return 64;
		}
	}
	had_k = 0;
	if (v->o.metrics && shard_has_placeholder(v->o.metrics)) {
		if (sh->n == 0)
			return usage_error("--metrics %s holds %%K or %%N but there is no --shard (name the file itself)",
			    v->o.metrics);
		v->o.metrics = v->own_metrics = shard_path(v->o.metrics, sh, &had_k);
	}
	/* %N alone names one file for every shard. */
	if (v->o.metrics && sh->n > 1 && !had_k)
		return usage_error("--metrics: with --shard, the path must hold %%K so the shards do not share it (e.g. ackprof-%%K.prom)");
	if (v->own_metrics && metrics_check_path(v->o.metrics, err, sizeof(err)) == -1)
		return usage_error("%s", err);
	if (v->bo.push && !v->o.metrics)
		return usage_error("--push sends the --metrics file: give --metrics FILE too");
	if (v->push_timeout_set && !v->bo.push)
		return usage_error("--push-timeout is the deadline of --push: give --push URL too");
	return 0;
}

static int
run_batch(struct inv *v)
{
	int rc;

	if (v->o.out == OUT_MARKDOWN)
		return usage_error("batch writes text, json or jsonl (-o text|json|jsonl; json is JSON Lines too)");
	if ((rc = shard_paths(v)) != 0)
		return rc;
	v->bo.input = v->a.npos ? v->a.pos[0] : "-";
	return wf_batch(&v->o, &v->bo);
}

static int
run_mcp(struct inv *v)
{
	i18n_english();	/* the protocol's text is read by programs */
	return mcp_serve(&v->o, &v->bo, v->reply_within);
}

static int
run_doctor(struct inv *v)
{
	return wf_doctor(&v->o);
}

static int
run_setup_sdk(struct inv *v)
{
	return wf_setup_sdk(&v->o);
}

static int
run_completion(struct inv *v)
{
	int rc = complete_print(v->a.pos[0], cmds, cmd_opts);

	if (rc == 1)
		return usage_error("unknown shell '%s' (bash, zsh or fish)", v->a.pos[0]);
	if (rc == -1) {
		errorf("cannot write the completion script: %s", strerror(errno));
		return 78;
	}
	return 0;
}

/*
 * ackprof version: the first line is --version's; then the build, one fact a line.
 * -o json is one document (schema/version.schema.json), whatever the language.
 */
static int
run_version(struct inv *v)
{
	static const char *const keys[] = { "git_commit", "build_date", "compiler", "cjson_version",
	    "pcre2_version" };
	cJSON *doc = contract_version();
	char *s;
	size_t i;

	if (v->o.out == OUT_MARKDOWN) {
		cJSON_Delete(doc);
		return usage_error("version writes text or json (-o text|json)");
	}
	if (v->o.out == OUT_JSON) {
		contract_stamp(doc, "version", 0);
		s = v->o.jsonl ? cJSON_PrintUnformatted(doc) : cJSON_Print(doc);
		printf("%s\n", s ? s : "{}");
		free(s);
	} else {
		printf("ackprof %s\n", VERSION);
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			printf("%s: %s\n", keys[i],
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, keys[i])));
	}
	cJSON_Delete(doc);
	return fflush(stdout) == EOF ? 74 : 0;
}

/* The option a long name (or an unambiguous prefix of one) names, or -1. */
static int
long_opt(const char *name, size_t n)
{
	int i, found = -1;

	for (i = 0; i < O_COUNT; i++)
		if (strncmp(cmd_opts[i].name, name, n) == 0) {
			if (cmd_opts[i].name[n] == '\0')
				return i;
			found = found == -1 ? i : -2;
		}
	return found < 0 ? -1 : found;
}

/*
 * Was -o json asked for?  Read before getopt (which stops at the first bad
 * option, and permutes argv), the way getopt reads the table, so that any usage
 * error can answer in JSON.  The last -o wins.
 */
static int
wants_json(int argc, char **argv)
{
	const char *a, *val;
	int i, k, json = 0;
	size_t n;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		a = argv[i];
		val = NULL;
		if (a[0] != '-' || a[1] == '\0')
			continue;
		if (a[1] == '-') {
			n = strcspn(a + 2, "=");
			if ((k = long_opt(a + 2, n)) < 0 || !cmd_opts[k].arg)
				continue;
			val = a[2 + n] == '=' ? a + 3 + n : i + 1 < argc ? argv[++i] : NULL;
		} else {
			for (a++; *a; a++) {
				for (k = 0; k < O_COUNT && cmd_opts[k].short_name != *a; k++)
					;
				if (k == O_COUNT || !cmd_opts[k].arg)
					continue;
				val = a[1] ? a + 1 : i + 1 < argc ? argv[++i] : NULL;
				break;
			}
		}
		if (val && k == O_OUTPUT)
			json = strcmp(val, "json") == 0 ? 1 : strcmp(val, "jsonl") == 0 ? 2 : 0;
	}
	return json;
}

int
cmd_main(int argc, char **argv)
{
	struct inv v;
	int rc, json = wants_json(argc, argv);

	memset(&v, 0, sizeof(v));
	v.o.t0 = now_mono();
	v.o.started = time(NULL);
	v.o.poll_interval = 10;
	v.reply_within = MCP_DEFAULT_BOUND;
	v.o.poll_max = 60;
	v.o.busy_wait = 30;
	v.o.busy_retries = 3;
	v.o.throttle_wait = 1;
	v.o.throttle_retries = 5;
	v.o.cli_timeout = 120;
	v.o.out = OUT_TEXT;
	v.bo.input = "-";
	v.bo.jobs = 4;
	v.bo.push_timeout = 30;
	rc = parse(argc, argv, &v);
	if (rc == 0 && (rc = resolve(&v)) == 0)
		rc = v.cmd->run(&v);
	/* Every command answers -o json with a document, a usage error too. */
	if (rc == EX_USAGE && json && !(v.cmd && v.cmd->run == run_mcp))
		wf_usage_document(rc, json == 2 || (v.cmd && v.cmd->run == run_batch));
	free(v.o.cluster);
	free(v.o.ns);
	free(v.o.pod);
	free(v.o.desc);
	free(v.own_scripts);
	free(v.own_state);
	free(v.own_metrics);
	free(v.own_venv);
	return rc == -1 ? 0 : rc;
}
