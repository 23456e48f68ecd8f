/* SPDX-License-Identifier: Apache-2.0 */
/*
 * doctor.c: `ackprof doctor`, one line per check of what a diagnosis needs (the
 * CLI, its version, a valid profile, ai-mode, the sysom plugin, the SysOM SDK venv
 * and the Step 7 script), a mark and the fix.
 *
 * doctor only looks.  It runs `aliyun version`, `aliyun configure list` and
 * `aliyun configure ai-mode show`, reads the plugin manifest and the ai-mode lease,
 * and imports the SDK in the venv; what diagnose would change (ai-mode, auto
 * plugin install, the plugins) is reported as "will be set by diagnose".  Only
 * `doctor --fix` changes something, and it says each change it makes.  With -v
 * each command it ran is shown under its check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "aliyun.h"
#include "doctor.h"
#include "i18n.h"
#include "lease.h"
#include "msg.h"
#include "run.h"
#include "scrub.h"
#include "steps.h"
#include "utf8.h"
#include "util.h"

struct doctor {
	struct opts	*o;
	struct cli	 cli;
	int		 worst;		/* the exit code so far */
	int		 v[3];		/* the CLI's version, once read */
};

/* One check: a mark, what was found, and under a failed one the fix. */
/* TRANSLATORS: doctor's marks, padded to one column. */
static const char *const marks[] = { N_("[ok]"), N_("[FAIL]"), N_("[done]"), N_("[warn]") };

static void
line(const char *mark, const char *what, const char *fix)
{
	char *w = scrub_line(what);	/* it may quote what the CLI printed */
	const char *m = _(mark);
	int pad = i18n_widest(marks, sizeof(marks) / sizeof(marks[0])) - utf8_width(m);

	printf("%s%*s %s\n", m, pad > 0 ? pad : 0, "", w);
	if (fix)
		printf("       %s%s\n", _("fix: "), fix);
	free(w);
}

static void
check_line(int ok, const char *what, const char *fix)
{
	line(ok ? marks[0] : marks[1], what, ok ? NULL : fix);
}

/* doctor --fix: a change it made, or one that failed. */
static void
done_line(int ok, const char *cmd)
{
	char *what = xasprintf(ok ? _("changed: ran `%s`") : _("could not change: `%s` failed"), cmd);

	line(ok ? marks[2] : marks[1], what, NULL);
	free(what);
}

/* -v: the command a check ran, and how it ended. */
static void
shown(const struct child *c, const char *const *argv, int spawn_rc)
{
	char *cmd;

	if (!msg_verbose)
		return;
	cmd = cli_argv_string(argv);
	if (spawn_rc == -1)
		printf("       $ %s  (%s)\n", cmd, _("could not start"));
	else
		printf("       $ %s  (%s %d)\n", cmd, _("exit"), c->status);
	free(cmd);
}

/* Run one aliyun call to completion; -1 when it could not start. */
static int
call(struct doctor *d, enum call k, struct child *c)
{
	const char *argv[24];
	char *owned[2];
	int rc;

	memset(c, 0, sizeof(*c));
	rc = cli_run(&d->cli, k, NULL, NULL, c);
	cli_argv(&d->cli, k, NULL, NULL, argv, owned);
	shown(c, argv, rc);
	free(owned[0]);
	free(owned[1]);
	return rc == 0 && !c->interrupted && !c->timed_out && !c->termsig ? 0 : -1;
}

static void
worse(struct doctor *d, int rc)
{
	if (d->worst == 0 || (d->worst == 77 && rc == 78))
		d->worst = rc;
}

/* aliyun version: 0 when the CLI runs (whatever its version), -1 when it cannot. */
static int
check_version(struct doctor *d)
{
	struct child c;
	int min[3], ok, rc;
	char *what, fb[24];
	const char *found;

	rc = call(d, CALL_VERSION, &c);
	parse_version(MIN_CLI_VERSION, min);
	ok = rc == 0 && c.status == 0 && parse_version(buf_str(&c.out), d->v) == 0;
	if (rc == -1 && c.spawn_errno) {
		what = xasprintf(_("aliyun runs (%s)"), d->cli.path);
		check_line(0, what, _("install the Alibaba Cloud CLI >= 3.3.15 or pass --aliyun PATH"));
		worse(d, 78);
	} else if (ok && version_cmp(d->v, min) >= 0) {
		what = xasprintf(_("aliyun %d.%d.%d (>= %s)"), d->v[0], d->v[1], d->v[2], MIN_CLI_VERSION);
		check_line(1, what, NULL);
	} else {
		found = c.out.len ? strtok(c.out.p, "\n") : _("nothing");
		scrub_copy(fb, 21, found ? found : "", found ? strlen(found) : 0);
		what = xasprintf(_("aliyun version >= %s (found: %.20s)"), MIN_CLI_VERSION, fb);
		check_line(0, what, _("upgrade the Alibaba Cloud CLI"));
		worse(d, 78);
	}
	free(what);
	child_free(&c);
	return rc == -1 && c.spawn_errno ? -1 : 0;
}

static void
check_profile(struct doctor *d)
{
	struct child c;
	char name[128], *what;
	int valid = -1;

	if (call(d, CALL_CONFIG_LIST, &c) == 0 && c.status == 0 &&
	    cli_report_broken_config(cli_step_name(CALL_CONFIG_LIST), &c) == 0)
		valid = parse_configure_list(buf_str(&c.out), d->o->profile, name, sizeof(name));
	if (valid == 1) {
		what = xasprintf(_("profile '%s' is valid (credentials not shown)"), name);
		check_line(1, what, NULL);
	} else {
		what = xasprintf(_("a valid %s profile"), d->o->profile ? d->o->profile : _("current"));
		check_line(0, what, _("run `aliyun configure` outside ackprof"));
		worse(d, 77);
	}
	free(what);
	child_free(&c);
}

/* `aliyun configure ai-mode show`: 1 on, 0 off, -1 unknown. */
static int
aimode_shown(struct doctor *d)
{
	struct child c;
	cJSON *j, *en;
	int on = -1;

	if (call(d, CALL_AIMODE_SHOW, &c) == 0 && c.status == 0) {
		j = cJSON_ParseWithLength(buf_str(&c.out), c.out.len);
		en = cJSON_GetObjectItemCaseSensitive(j, "enabled");
		if (cJSON_IsBool(en))
			on = cJSON_IsTrue(en);
		cJSON_Delete(j);
	}
	child_free(&c);
	return on;
}

/*
 * ai-mode as the CLI keeps it.  On with no ackprof run holding the lease means a
 * run died before its cleanup (or someone switched it on): say so; --fix switches
 * it off under the lease, so never under a run that started meanwhile.
 */
static int
check_aimode(struct doctor *d)
{
	int on = aimode_shown(d), held = on == 1 ? lease_holders(&d->cli) : 0, rc;
	char *what;

	if (on == -1) {
		line(marks[3], _("ai-mode: `aliyun configure ai-mode show` gave no answer to read"),
		    _("check the CLI with `aliyun configure ai-mode show`"));
	} else if (on == 0) {
		check_line(1, _("ai-mode off; will be set by diagnose (on for its run, off after)"), NULL);
	} else if (held > 0) {
		what = xasprintf(_("ai-mode on, held by running ackprof runs: %d"), held);
		check_line(1, what, NULL);
		free(what);
	} else if (!d->o->fix) {
		line(marks[3], _("ai-mode is on and no ackprof run holds it (a run killed before its cleanup, or switched on by hand)"),
		    _("run `aliyun configure ai-mode disable`, or ackprof doctor --fix"));
	} else {
		rc = lease_reap(&d->cli, 0, 0, NULL);
		done_line(rc == 0, "aliyun configure ai-mode disable");
		if (rc > 0)
			worse(d, rc);
		on = rc == 0 ? 0 : on;
	}
	return on;
}

/*
 * Where the CLI's AI mode comes from in this environment, by the precedence of
 * aliyun CLI 3.5 (issue 18): ALIBABA_CLOUD_CLI_AI_MODE, then agent auto-detection
 * (gated by ALIBABA_CLOUD_CLI_AGENT_INTEGRATION), then ai-mode.json; 3.4 reads
 * ai-mode.json only.  A run overrides these variables for every call it makes, so
 * that each runs with the AI mode Step 0 set; doctor says which are here.
 */
static const char *const ai_vars[] = { "ALIBABA_CLOUD_CLI_AI_MODE", "ALIBABA_CLOUD_CLI_AGENT_INTEGRATION", NULL };
/* Agent markers the CLI's auto-detection may see (the ones we know of). */
static const char *const agent_vars[] = { "CLAUDECODE", "CURSOR_AGENT", "CODEX_SANDBOX", "GEMINI_CLI",
    "AI_AGENT", NULL };

static int
falsy(const char *v)
{
	return strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0 || strcasecmp(v, "off") == 0 ||
	    strcasecmp(v, "no") == 0;
}

/* The variables found, "NAME=value" (cut) or "NAME", comma separated, in b. */
static int
vars_found(struct buf *b, const char **agent)
{
	const char *const *tabs[] = { ai_vars, agent_vars };
	const char *v;
	char cut[20];
	size_t t, i;
	int n = 0;

	for (t = 0; t < 2; t++)
		for (i = 0; tabs[t][i]; i++) {
			if ((v = getenv(tabs[t][i])) == NULL || *v == '\0')
				continue;
			scrub_copy(cut, 17, v, strlen(v));
			if (t == 0)
				buf_printf(b, "%s%s=%s", n++ ? ", " : "", tabs[t][i], cut);
			else
				buf_printf(b, "%s%s", n++ ? ", " : "", tabs[t][i]);
			if (t == 1 && !*agent)
				*agent = tabs[t][i];
		}
	return n;
}

static void
check_ai_env(struct doctor *d, int on)
{
	const char *mode = getenv("ALIBABA_CLOUD_CLI_AI_MODE"), *gate = getenv(ai_vars[1]), *agent = NULL;
	struct buf b = {0};
	int n = vars_found(&b, &agent), v35 = d->v[0] > 3 || (d->v[0] == 3 && d->v[1] >= 5);
	const char *state = _("unknown");
	char *what;

	if (v35 && mode && *mode)
		state = falsy(mode) ? _("off") : _("on");
	else if (v35 && agent && !(gate && falsy(gate)))
		state = _("on");
	else if (on >= 0)
		state = on ? _("on") : _("off");
	if (v35 && mode && *mode)
		what = xasprintf(_("AI mode outside ackprof: %s, from ALIBABA_CLOUD_CLI_AI_MODE (over ai-mode.json)"), state);
	else if (v35 && agent && !(gate && falsy(gate)))
		what = xasprintf(_("AI mode outside ackprof: %s, from agent detection (%s set)"), state, agent);
	else
		what = xasprintf(_("AI mode outside ackprof: %s, from ai-mode.json"), state);
	check_line(1, what, NULL);
	if (n)
		printf("       %s%s\n", _("in this environment: "), buf_str(&b));
	printf("       %s\n", n ? _("during a run ackprof overrides these for every aliyun call: each runs with the AI mode Step 0 set") :
	    _("during a run every aliyun call runs with the AI mode Step 0 set"));
	free(what);
	buf_free(&b);
}

/* What diagnose sets each run: reported; run (and said) only with --fix. */
static void
check_diagnose_sets(struct doctor *d)
{
	static const struct {
		enum call	 k;
		const char	*will, *cmd;
	} sets[] = {
		{ CALL_CONFIG_SET, N_("auto plugin install: will be set by diagnose (`aliyun configure set --auto-plugin-install true`)"),
		  "aliyun configure set --auto-plugin-install true" },
		{ CALL_PLUGIN_UPDATE, N_("plugins: will be updated by diagnose (`aliyun plugin update`)"),
		  "aliyun plugin update" },
	};
	struct child c;
	size_t i;
	int ok;

	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		if (!d->o->fix) {
			check_line(1, _(sets[i].will), NULL);
			continue;
		}
		ok = call(d, sets[i].k, &c) == 0 && c.status == 0;
		done_line(ok, sets[i].cmd);
		if (!ok)
			worse(d, 69);
		child_free(&c);
	}
}

static int
sysom_plugin_present(void)
{
	const char *dir = getenv("ALIBABA_CLOUD_CLI_PLUGINS_DIR"), *home = getenv("HOME");
	char *path = dir && *dir ? xasprintf("%s/manifest.json", dir) :
	    xasprintf("%s/.aliyun/plugins/manifest.json", home ? home : "");
	FILE *f = fopen(path, "r");
	char buf[8192];
	size_t n;
	int found = 0;

	free(path);
	if (f == NULL)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf) - 1, f)) > 0) {
		buf[n] = '\0';
		if (strstr(buf, "aliyun-cli-sysom"))
			found = 1;
	}
	fclose(f);
	return found;
}

static void
check_plugin(void)
{
	if (sysom_plugin_present() == 1)
		check_line(1, _("sysom plugin installed (aliyun-cli-sysom)"), NULL);
	else
		line(marks[3], _("sysom plugin not found in the plugin manifest"),
		    _("it installs itself on first use (auto plugin install), or run `aliyun plugin install --names aliyun-cli-sysom`"));
}

/* The SDK venv, by importing what Step 7 imports; and the Step 7 script. */
static void
check_sdk(struct doctor *d)
{
	struct child c = {0};
	char *py = xasprintf("%s/bin/python", d->o->venv);
	char *sc = xasprintf("%s/create-cluster-vpc-endpoint-connection.py", d->o->scripts);
	char *what = xasprintf(_("SysOM SDK importable in %s"), d->o->venv);
	const char *imp[] = { py, "-c",
	    "import alibabacloud_sysom20231230.client, alibabacloud_tea_openapi, alibabacloud_credentials",
	    NULL };
	int rc;

	c.argv = imp;
	c.timeout = 60;
	rc = access(py, X_OK) == 0 ? run_capture(&c) : -1;
	shown(&c, imp, rc);
	check_line(rc == 0 && c.status == 0, what, _("run: ackprof setup-sdk"));
	if (rc != 0 || c.status != 0)
		worse(d, 78);
	child_free(&c);
	free(what);
	what = xasprintf(_("Step 7 script %s"), sc);
	check_line(access(sc, R_OK) == 0, what, _("pass --scripts-dir DIR or reinstall ackprof"));
	if (access(sc, R_OK) != 0)
		worse(d, 78);
	free(what);
	free(py);
	free(sc);
}

int
wf_doctor(struct opts *o)
{
	struct doctor d;
	int on;

	memset(&d, 0, sizeof(d));
	d.o = o;
	d.cli.path = o->aliyun;
	d.cli.profile = o->profile;
	d.cli.venv = o->venv;
	d.cli.scripts = o->scripts;
	d.cli.timeout = o->cli_timeout;
	msg_quiet = 1;	/* doctor reports on stdout, one line per check */
	if (check_version(&d) == 0) {
		check_profile(&d);
		on = check_aimode(&d);
		check_ai_env(&d, on);
		check_diagnose_sets(&d);
	}
	check_plugin();
	check_sdk(&d);
	fflush(stdout);
	return run_signal ? wf_interrupted_code() : d.worst;
}
