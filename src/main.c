/*
 * main.c: options, the Step 4 parameter gate (validation, questions on a terminal,
 * the confirmation), and dispatch.  The only file that exits.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "batch.h"
#include "i18n.h"
#include "mcp.h"
#include "msg.h"
#include "redact.h"
#include "run.h"
#include "target.h"
#include "timewin.h"
#include "utf8.h"
#include "util.h"
#include "workflow.h"

#ifndef VERSION
#define VERSION "0.1.0"
#endif
#ifndef SCRIPTSDIR
#define SCRIPTSDIR "/usr/local/share/ackprof/scripts"
#endif

#define EX_USAGE 64

static const char usage_text[] =
"usage: ackprof diagnose -c CLUSTER_ID -n NAMESPACE -p POD [-d TEXT] [-r REGION]\n"
"                        [--from TIME --to TIME | --since DURATION | --realtime]\n"
"                        [-o text|json|markdown] [--save FILE] [--profile NAME] [--yes]\n"
"                        [--dry-run] [-q] [-v]\n"
"       ackprof result TASK_ID [-o text|json|markdown] [--save FILE]\n"
"       ackprof batch [FILE|-] [--jobs N] [--state FILE] [-o text|json]\n"
"       ackprof mcp\n"
"       ackprof doctor\n"
"       ackprof setup-sdk\n"
"       ackprof --help | --version\n";

static const char help_text[] =
"\n"
"Run Alibaba Cloud SysOM kernel-level performance diagnosis on a Pod of an ACK\n"
"cluster by driving the aliyun CLI, and report the root cause and what to do.\n"
"\n"
"Commands:\n"
"  diagnose            run the whole workflow on one pod\n"
"  result TASK_ID      resume polling an existing diagnosis task\n"
"  batch [FILE|-]      many pods: lines 'CLUSTER NAMESPACE POD [description]'\n"
"                      or JSON objects; clusters in parallel, results as they end\n"
"  mcp                 serve the workflow to agents (Model Context Protocol, stdio)\n"
"  doctor              check the CLI, the profile, the plugin and the SDK venv\n"
"  setup-sdk           create or repair the SysOM SDK venv used by Step 7\n"
"\n"
"Target:\n"
"  -c, --cluster ID        ACK cluster id (c + 32 hex digits)\n"
"  -n, --namespace NS      Kubernetes namespace of the pod\n"
"  -p, --pod NAME          pod name\n"
"  -d, --description TEXT  symptom words; sanitized to [a-zA-Z0-9_-]\n"
"  -r, --region REGION     expected region; a different cluster region stops\n"
"      --from TIME         historical window start (Unix seconds,\n"
"                          'YYYY-MM-DD HH:MM[:SS]', HH:MM today, RFC 3339)\n"
"      --to TIME           historical window end\n"
"      --since DURATION    historical window [now-DURATION, now], e.g. 2h, 90m\n"
"      --realtime          real-time diagnosis (the default without a window)\n"
"\n"
"Output:\n"
"  -o, --output FORMAT     text (default), json or markdown\n"
"      --save FILE         also write the report to FILE (mode 0600)\n"
"  -q, --quiet             no progress and no notes on stderr\n"
"  -v, --verbose           each step and each command on stderr\n"
"\n"
"Batch:\n"
"      --jobs N            clusters diagnosed in parallel [4]\n"
"      --state FILE        record task ids; a rerun resumes instead of invoking\n"
"\n"
"Behaviour:\n"
"      --profile NAME      aliyun CLI profile for the cloud calls\n"
"  -y, --yes               ask nothing (no confirmation, no questions)\n"
"      --dry-run           print the exact command chain and run nothing\n"
"\n"
"Tuning and wiring (flag, then environment variable):\n"
"      --aliyun PATH           the CLI to run [ACKPROF_ALIYUN; aliyun]\n"
"      --sdk-venv DIR          SysOM SDK venv [ACKPROF_SDK_VENV;\n"
"                              $XDG_DATA_HOME/ackprof/.sysom-sdk-venv]\n"
"      --scripts-dir DIR       bundled scripts [ACKPROF_SCRIPTS_DIR]\n"
"      --poll-interval SECS    between result polls [10]\n"
"      --poll-max N            polls before giving up [60]\n"
"      --busy-wait SECS        wait after Sysom.TaskInProgress [30]\n"
"      --busy-retries N        retries after Sysom.TaskInProgress [3]\n"
"      --cli-timeout SECS      deadline of one aliyun call [120]\n"
"\n"
"Exit status:\n"
"  0 healthy (Info)   1 Warn   2 Critical   3 task failed   4 still running\n"
"  5 another task is running on the cluster   64 usage   65 target not diagnosable\n"
"  69 cloud call failed   77 credentials or permissions   78 local setup\n"
"  130 SIGINT   143 SIGTERM   (129 SIGHUP)\n";

enum {
	OPT_FROM = 256, OPT_TO, OPT_SINCE, OPT_REALTIME, OPT_SAVE, OPT_PROFILE, OPT_DRY_RUN,
	OPT_ALIYUN, OPT_VENV, OPT_SCRIPTS, OPT_POLL_INTERVAL, OPT_POLL_MAX, OPT_BUSY_WAIT,
	OPT_BUSY_RETRIES, OPT_CLI_TIMEOUT, OPT_JOBS, OPT_STATE, OPT_LANG,
};

static const struct option longopts[] = {
	{ "cluster",		required_argument,	NULL, 'c' },
	{ "namespace",		required_argument,	NULL, 'n' },
	{ "pod",		required_argument,	NULL, 'p' },
	{ "description",	required_argument,	NULL, 'd' },
	{ "region",		required_argument,	NULL, 'r' },
	{ "from",		required_argument,	NULL, OPT_FROM },
	{ "to",			required_argument,	NULL, OPT_TO },
	{ "since",		required_argument,	NULL, OPT_SINCE },
	{ "realtime",		no_argument,		NULL, OPT_REALTIME },
	{ "output",		required_argument,	NULL, 'o' },
	{ "save",		required_argument,	NULL, OPT_SAVE },
	{ "profile",		required_argument,	NULL, OPT_PROFILE },
	{ "yes",		no_argument,		NULL, 'y' },
	{ "dry-run",		no_argument,		NULL, OPT_DRY_RUN },
	{ "quiet",		no_argument,		NULL, 'q' },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "aliyun",		required_argument,	NULL, OPT_ALIYUN },
	{ "sdk-venv",		required_argument,	NULL, OPT_VENV },
	{ "scripts-dir",	required_argument,	NULL, OPT_SCRIPTS },
	{ "poll-interval",	required_argument,	NULL, OPT_POLL_INTERVAL },
	{ "poll-max",		required_argument,	NULL, OPT_POLL_MAX },
	{ "busy-wait",		required_argument,	NULL, OPT_BUSY_WAIT },
	{ "busy-retries",	required_argument,	NULL, OPT_BUSY_RETRIES },
	{ "cli-timeout",	required_argument,	NULL, OPT_CLI_TIMEOUT },
	{ "jobs",		required_argument,	NULL, OPT_JOBS },
	{ "state",		required_argument,	NULL, OPT_STATE },
	{ "lang",		required_argument,	NULL, OPT_LANG },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

struct args {
	const char *cmd;
	const char *cluster, *ns, *pod, *desc, *region, *from, *to, *since, *output;
	const char *task_id;
	int realtime;
};

static int
usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrorf(fmt, ap);
	va_end(ap);
	return EX_USAGE;
}

/*
 * --lang is read before anything else, so that even a usage error about
 * another option speaks the language asked for.
 */
static const char *
lang_arg(int argc, char **argv)
{
	const char *lang = NULL;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
			lang = argv[++i];
		else if (strncmp(argv[i], "--lang=", 7) == 0)
			lang = argv[i] + 7;
	}
	return lang;
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

/* Read one line from the terminal; NULL on EOF.  The newline is removed. */
static char *
ask(const char *prompt)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	n = getline(&line, &cap, stdin);
	if (n <= 0 || run_signal) {
		free(line);
		fputc('\n', stderr);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static int
ask_required(const char *what, char **val, int (*valid)(const char *), const char *shape)
{
	char *s, *prompt = xasprintf(_("%s: "), _(what));

	for (;;) {
		if ((s = ask(prompt)) == NULL) {
			free(prompt);
			return -1;
		}
		if (valid(s)) {
			*val = s;
			free(prompt);
			return 0;
		}
		fprintf(stderr, _("ackprof: '%s' is not a valid %s (%s)\n"), s, _(what), _(shape));
		free(s);
	}
}

/* The temporal-word rule on a terminal: ask for the window, suggest historical. */
static int
ask_window(struct opts *o, const char *found)
{
	char *from, *to, err[256];
	time_t now = time(NULL);

	fprintf(stderr, _("ackprof: the description mentions a past time ('%s').\n"
	    "A historical diagnosis of that window is recommended. Enter its start and end\n"
	    "(e.g. '2026-11-24 14:00', 14:00 for today, Unix seconds), or an empty start for real-time.\n"),
	    found);
	for (;;) {
		if ((from = ask(_("From: "))) == NULL)
			return -1;
		if (*from == '\0') {
			free(from);
			return 0;
		}
		if ((to = ask(_("To: "))) == NULL) {
			free(from);
			return -1;
		}
		if (timewin_resolve(from, to, NULL, 0, now, &o->win, err, sizeof(err)) == 0) {
			free(from);
			free(to);
			return 0;
		}
		fprintf(stderr, "ackprof: %s\n", err);
		free(from);
		free(to);
	}
}

/* One line of the confirmation: the label padded by display width, then the value. */
static void
confirm_line(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
confirm_line(const char *label, const char *fmt, ...)
{
	static const char *const labels[] = {
		N_("cluster"), N_("pod"), N_("description"), N_("mode"), N_("region"),
	};
	struct buf b = {0};
	va_list ap;
	size_t i;
	int w, max = 0;

	for (i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if ((w = utf8_width(_(labels[i]))) > max)
			max = w;
	buf_adds(&b, "  ");
	buf_addpad(&b, _(label), max + 2);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", buf_str(&b));
	buf_free(&b);
}

/* A yes: y or yes in any case, or the translation's own word for yes. */
static int
is_yes(const char *ans)
{
	/* TRANSLATORS: the answer that means yes to "Proceed? [y/N]", besides y and yes. */
	const char *yes = _("yes");

	return strcasecmp(ans, "y") == 0 || strcasecmp(ans, "yes") == 0 || strcmp(ans, yes) == 0;
}

static int
confirm(const struct opts *o)
{
	char s[32], e[32], *ans;
	int yes;

	fprintf(stderr, "%s\n", _("About to diagnose:"));
	confirm_line(N_("cluster"), "%s", o->cluster);
	confirm_line(N_("pod"), "%s/%s", o->ns, o->pod);
	confirm_line(N_("description"), "%s", *o->desc ? o->desc : _("(none)"));
	if (o->win.historical) {
		timewin_fmt(o->win.start, s, sizeof(s));
		timewin_fmt(o->win.end, e, sizeof(e));
		confirm_line(N_("mode"), _("historical, %s to %s"), s, e);
	} else
		confirm_line(N_("mode"), "%s", _("real-time"));
	if (o->region)
		confirm_line(N_("region"), _("%s (must match the cluster)"), o->region);
	fputs(_("This enables aliyun ai-mode for the run, and Step 7 creates the cluster's\n"
	    "SysOM VPC endpoint connection (a write, idempotent).\n"), stderr);
	if ((ans = ask(_("Proceed? [y/N] "))) == NULL)
		return 0;
	yes = is_yes(ans);
	free(ans);
	return yes;
}

/* Step 4: the parameter gate.  Returns 0 or an exit code (the message printed). */
static int
gate(struct args *a, struct opts *o)
{
	char err[256], found[256];
	time_t now = time(NULL);

	if (a->cluster)
		o->cluster = xstrdup(a->cluster);
	if (a->ns)
		o->ns = xstrdup(a->ns);
	if (a->pod)
		o->pod = xstrdup(a->pod);
	if (o->interactive) {
		if (!o->cluster && ask_required(N_("cluster id"), &o->cluster, valid_cluster_id,
		    N_("c followed by 32 lowercase hex digits")) == -1)
			return usage_error("no cluster id given (pass -c CLUSTER_ID)");
		if (!o->ns && ask_required(N_("namespace"), &o->ns, valid_namespace,
		    N_("a Kubernetes name: lowercase letters, digits, '-'")) == -1)
			return usage_error("no namespace given (pass -n NAMESPACE)");
		if (!o->pod && ask_required(N_("pod"), &o->pod, valid_pod,
		    N_("a Kubernetes name: lowercase letters, digits, '-', '.'")) == -1)
			return usage_error("no pod given (pass -p POD)");
	}
	if (!o->cluster)
		return usage_error("missing -c CLUSTER_ID (see ackprof --help)");
	if (!o->ns)
		return usage_error("missing -n NAMESPACE (see ackprof --help)");
	if (!o->pod)
		return usage_error("missing -p POD (see ackprof --help)");
	if (!valid_cluster_id(o->cluster))
		return usage_error("'%s' is not an ACK cluster id (expected c followed by 32 lowercase hex digits, as in the ACK console)",
		    o->cluster);
	if (!valid_namespace(o->ns))
		return usage_error("'%s' is not a Kubernetes namespace (lowercase letters, digits and '-', at most 63)",
		    o->ns);
	if (!valid_pod(o->pod))
		return usage_error("'%s' is not a Kubernetes pod name (lowercase letters, digits, '-' and '.', at most 253)",
		    o->pod);
	if (a->region && !valid_region(a->region))
		return usage_error("'%s' is not a region id (e.g. cn-hangzhou)", a->region);
	o->region = a->region;
	o->desc_raw = a->desc ? a->desc : "";
	o->desc = sanitize_description(o->desc_raw);
	if (timewin_resolve(a->from, a->to, a->since, a->realtime, now, &o->win, err, sizeof(err)) == -1)
		return usage_error("%s", err);
	if (!o->win.historical && !a->realtime && temporal_past(o->desc_raw, found, sizeof(found))) {
		if (!o->interactive)
			return usage_error("the description names a past time ('%s') but no window was given (pass --from TIME --to TIME or --since DURATION for a historical diagnosis, or --realtime)",
			    found);
		if (ask_window(o, found) == -1)
			return usage_error("no window given (pass --from/--to, --since or --realtime)");
	}
	if (strcmp(o->desc, o->desc_raw) != 0)
		notef("description '%s' sent as '%s'", o->desc_raw, o->desc);
	if (o->interactive && !o->dry_run && !confirm(o)) {
		notef("nothing done");
		return EX_USAGE;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct args a;
	struct batch_opts bo = { "-", NULL, 4 };
	char *scripts = NULL, *venv = NULL;
	const char *env;
	int ch, rc;
	unsigned long ul;

	/*
	 * cJSON allocates through our wrapper: running out of memory is one clear
	 * line and exit 70, never a half-built document or --params.
	 */
	cJSON_Hooks hooks = { xmalloc, free };

	cJSON_InitHooks(&hooks);
	memset(&o, 0, sizeof(o));
	memset(&a, 0, sizeof(a));
	if (i18n_init(lang_arg(argc, argv)) == -1)
		return usage_error("unknown language '%s' for --lang (zh or en)", lang_arg(argc, argv));
	msg_init();
	run_install_signals();
	o.poll_interval = 10;
	o.poll_max = 60;
	o.busy_wait = 30;
	o.busy_retries = 3;
	o.cli_timeout = 120;
	o.out = OUT_TEXT;

	if (argc >= 2 && argv[1][0] != '-') {
		a.cmd = argv[1];
		argv++;
		argc--;
	}
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:n:p:d:r:o:yqvhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': a.cluster = optarg; break;
		case 'n': a.ns = optarg; break;
		case 'p': a.pod = optarg; break;
		case 'd': a.desc = optarg; break;
		case 'r': a.region = optarg; break;
		case OPT_FROM: a.from = optarg; break;
		case OPT_TO: a.to = optarg; break;
		case OPT_SINCE: a.since = optarg; break;
		case OPT_REALTIME: a.realtime = 1; break;
		case 'o': a.output = optarg; break;
		case OPT_SAVE: o.save = optarg; break;
		case OPT_PROFILE:
			if (!valid_profile_name(optarg))
				return usage_error("'%s' is not a profile name (letters, digits, '_', '-', '.', '@')", optarg);
			o.profile = optarg;
			break;
		case OPT_LANG: break;	/* read by lang_arg() */
		case 'y': o.yes = 1; break;
		case OPT_DRY_RUN: o.dry_run = 1; break;
		case 'q': msg_quiet = 1; break;
		case 'v': msg_verbose = 1; break;
		case OPT_ALIYUN: o.aliyun = optarg; break;
		case OPT_VENV: o.venv = optarg; break;
		case OPT_SCRIPTS: o.scripts = optarg; break;
		case OPT_POLL_INTERVAL:
			if (parse_seconds(optarg, 3600, &o.poll_interval) == -1)
				return usage_error("bad --poll-interval '%s' (seconds, 0 to 3600, fractions allowed)", optarg);
			break;
		case OPT_BUSY_WAIT:
			if (parse_seconds(optarg, 3600, &o.busy_wait) == -1)
				return usage_error("bad --busy-wait '%s' (seconds, 0 to 3600, fractions allowed)", optarg);
			break;
		case OPT_CLI_TIMEOUT:
			if (parse_seconds(optarg, 86400, &o.cli_timeout) == -1 || o.cli_timeout <= 0)
				return usage_error("bad --cli-timeout '%s' (seconds, more than 0)", optarg);
			break;
		case OPT_POLL_MAX:
			if (parse_ulong(optarg, 1, 100000, &ul) == -1)
				return usage_error("bad --poll-max '%s' (a whole number, 1 to 100000)", optarg);
			o.poll_max = ul;
			break;
		case OPT_JOBS:
			if (parse_ulong(optarg, 1, 256, &ul) == -1)
				return usage_error("bad --jobs '%s' (a whole number, 1 to 256)", optarg);
			bo.jobs = ul;
			break;
		case OPT_STATE:
			bo.state = optarg;
			break;
		case OPT_BUSY_RETRIES:
			if (parse_ulong(optarg, 0, 100, &ul) == -1)
				return usage_error("bad --busy-retries '%s' (a whole number, 0 to 100)", optarg);
			o.busy_retries = ul;
			break;
		case 'h':
			fputs(usage_text, stdout);
			fputs(help_text, stdout);
			return 0;
		case 'V':
			printf("ackprof %s\n", VERSION);
			return 0;
		case ':':
			return usage_error("option %s needs a value (see ackprof --help)", argv[optind - 1]);
		default:
			if (optopt)
				return usage_error("unknown option -%c (see ackprof --help)", optopt);
			return usage_error("unknown option %s (see ackprof --help)", argv[optind - 1]);
		}
	}
	if (a.cmd == NULL) {
		if (optind < argc)
			a.cmd = argv[optind++];
		else
			return usage_error("no command given (diagnose, result, batch, mcp, doctor or setup-sdk; see ackprof --help)");
	}
	if (strcmp(a.cmd, "result") == 0 && optind < argc)
		a.task_id = argv[optind++];
	if (strcmp(a.cmd, "batch") == 0 && optind < argc)
		bo.input = argv[optind++];
	if (optind < argc)
		return usage_error("unexpected argument '%s' (see ackprof --help)", argv[optind]);
	if (a.output) {
		if (strcmp(a.output, "text") == 0)
			o.out = OUT_TEXT;
		else if (strcmp(a.output, "json") == 0)
			o.out = OUT_JSON;
		else if (strcmp(a.output, "markdown") == 0 || strcmp(a.output, "md") == 0)
			o.out = OUT_MARKDOWN;
		else
			return usage_error("unknown output format '%s' (text, json or markdown)", a.output);
	}
	if (!o.aliyun)
		o.aliyun = (env = getenv("ACKPROF_ALIYUN")) && *env ? env : "aliyun";
	if (!o.venv)
		o.venv = (env = getenv("ACKPROF_SDK_VENV")) && *env ? env : (venv = default_venv());
	if (!o.scripts)
		o.scripts = (env = getenv("ACKPROF_SCRIPTS_DIR")) && *env ? env :
		    (scripts = default_scripts_dir());
	o.interactive = !o.yes && isatty(0) && isatty(2);

	if (strcmp(a.cmd, "diagnose") == 0) {
		if ((rc = gate(&a, &o)) == 0)
			rc = wf_diagnose(&o);
	} else if (strcmp(a.cmd, "result") == 0) {
		if (a.task_id == NULL)
			rc = usage_error("missing TASK_ID (ackprof result TASK_ID)");
		else if (!valid_task_id(a.task_id))
			rc = usage_error("'%s' is not a SysOM task id (letters and digits, as printed by invoke-diagnosis)",
			    a.task_id);
		else {
			o.task_id = a.task_id;
			rc = wf_result(&o);
		}
	} else if (strcmp(a.cmd, "batch") == 0) {
		if (o.out == OUT_MARKDOWN)
			rc = usage_error("batch writes text or json (-o text|json)");
		else if (a.cluster || a.ns || a.pod || a.desc)
			rc = usage_error("batch takes its targets from FILE or stdin, not -c/-n/-p/-d");
		else if (o.dry_run)
			rc = usage_error("--dry-run is for diagnose and result");
		else
			rc = wf_batch(&o, &bo);
	} else if (strcmp(a.cmd, "mcp") == 0) {
		if (a.cluster || a.ns || a.pod || a.desc || o.dry_run || o.save)
			rc = usage_error("mcp takes its targets from tool calls, not from options");
		else {
			i18n_english();	/* the protocol's text is read by programs */
			rc = mcp_serve(&o, &bo);
		}
	} else if (strcmp(a.cmd, "doctor") == 0) {
		rc = wf_doctor(&o);
	} else if (strcmp(a.cmd, "setup-sdk") == 0) {
		rc = wf_setup_sdk(&o);
	} else {
		rc = usage_error("unknown command '%s' (diagnose, result, batch, mcp, doctor or setup-sdk; see ackprof --help)",
		    a.cmd);
	}
	free(o.cluster);
	free(o.ns);
	free(o.pod);
	free(o.desc);
	free(scripts);
	free(venv);
	redact_free_patterns();
	re_free_all();
	return rc;
}
