/*
 * doctor.c: `ackprof doctor`, one line per check of what a diagnosis needs (the
 * CLI, its version, a valid profile, the sysom plugin, the SysOM SDK venv and the
 * Step 7 script), a mark and the fix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aliyun.h"
#include "doctor.h"
#include "i18n.h"
#include "lease.h"
#include "msg.h"
#include "run.h"
#include "scrub.h"
#include "steps.h"
#include "util.h"

/* doctor: one line per check, a mark and the fix. */
static void
check_line(int ok, const char *what, const char *fix)
{
	char *w = scrub_line(what);	/* it may quote what the CLI printed */

	printf("%s %s\n", ok ? "[ok]  " : "[FAIL]", w);
	if (!ok && fix)
		printf("       %s%s\n", _("fix: "), fix);
	free(w);
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

int
wf_doctor(struct opts *o)
{
	struct wf w;
	struct child c = {0};
	char *py, *sc, *what;
	int rc, worst = 0, v[3], min[3], valid, plug;
	char name[128];
	const char *imp[] = { NULL, "-c",
	    "import alibabacloud_sysom20231230.client, alibabacloud_tea_openapi, alibabacloud_credentials",
	    NULL };

	wf_init(&w, o);
	msg_quiet = 1;	/* doctor reports on stdout, one line per check */
	rc = lease_acquire(&w.lease, &w.cli);
	check_line(rc == 0, _("aliyun runs and ai-mode is on for this run (Step 0)"),
	    _("install the Alibaba Cloud CLI >= 3.3.15 or pass --aliyun PATH"));
	if (rc != 0) {
		worst = rc >= 128 ? rc : 78;
		goto out;
	}
	wf_plugin_update(&w);
	rc = wf_step(&w, CALL_VERSION, NULL, NULL, &c);
	parse_version(MIN_CLI_VERSION, min);
	if (rc == 0 && c.status == 0 && parse_version(buf_str(&c.out), v) == 0 && version_cmp(v, min) >= 0) {
		what = xasprintf(_("aliyun %d.%d.%d (>= %s)"), v[0], v[1], v[2], MIN_CLI_VERSION);
		check_line(1, what, NULL);
	} else {
		const char *found = c.out.len ? strtok(c.out.p, "\n") : _("nothing");
		char fb[24];

		scrub_copy(fb, 21, found ? found : "", found ? strlen(found) : 0);
		what = xasprintf(_("aliyun version >= %s (found: %.20s)"), MIN_CLI_VERSION, fb);
		check_line(0, what, _("upgrade the Alibaba Cloud CLI"));
		worst = 78;
	}
	free(what);
	child_free(&c);
	memset(&c, 0, sizeof(c));
	if (wf_step(&w, CALL_CONFIG_SET, NULL, NULL, &c) == 0 && c.status == 0)
		check_line(1, _("auto plugin install enabled"), NULL);
	else
		check_line(0, _("auto plugin install enabled"),
		    _("run `aliyun configure` to set up a valid profile"));
	child_free(&c);
	memset(&c, 0, sizeof(c));
	rc = wf_step(&w, CALL_CONFIG_LIST, NULL, NULL, &c);
	valid = rc == 0 && c.status == 0 ?
	    parse_configure_list(buf_str(&c.out), o->profile, name, sizeof(name)) : -1;
	if (valid == 1) {
		what = xasprintf(_("profile '%s' is valid (credentials not shown)"), name);
		check_line(1, what, NULL);
	} else {
		what = xasprintf(_("a valid %s profile"), o->profile ? o->profile : _("current"));
		check_line(0, what, _("run `aliyun configure` outside ackprof"));
		if (worst == 0)
			worst = 77;
	}
	free(what);
	child_free(&c);
	plug = sysom_plugin_present();
	if (plug == 1)
		check_line(1, _("sysom plugin installed (aliyun-cli-sysom)"), NULL);
	else
		printf("[warn] %s\n       %s%s\n", _("sysom plugin not found in the plugin manifest"), _("fix: "),
		    _("it installs itself on first use (auto plugin install), or run `aliyun plugin install --names aliyun-cli-sysom`"));
	py = xasprintf("%s/bin/python", o->venv);
	sc = xasprintf("%s/create-cluster-vpc-endpoint-connection.py", o->scripts);
	memset(&c, 0, sizeof(c));
	imp[0] = py;
	c.argv = imp;
	c.timeout = 60;
	if (access(py, X_OK) == 0 && run_capture(&c) == 0 && c.status == 0) {
		what = xasprintf(_("SysOM SDK importable in %s"), o->venv);
		check_line(1, what, NULL);
	} else {
		what = xasprintf(_("SysOM SDK importable in %s"), o->venv);
		check_line(0, what, _("run: ackprof setup-sdk"));
		if (worst == 0 || worst == 77)
			worst = 78;
	}
	free(what);
	child_free(&c);
	what = xasprintf(_("Step 7 script %s"), sc);
	check_line(access(sc, R_OK) == 0, what, _("pass --scripts-dir DIR or reinstall ackprof"));
	if (access(sc, R_OK) != 0)
		worst = 78;
	free(what);
	free(py);
	free(sc);
out:
	worst = wf_cleanup_code(worst, lease_release(&w.lease, &w.cli));
	if (run_signal)
		worst = wf_interrupted_code();
	fflush(stdout);
	wf_free(&w);
	return worst;
}
