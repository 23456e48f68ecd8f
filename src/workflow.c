/* SPDX-License-Identifier: Apache-2.0 */
/*
 * workflow.c: the call chain of the specification, in its order, with its gates.
 * Every step returns an exit code; the chain stops at the first non-zero one and
 * leaves through one exit path that releases the ai-mode lease (which runs
 * `ai-mode disable` when we are its last holder) and renders the outcome.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "aliyun.h"
#include "backoff.h"
#include "contract.h"
#include "i18n.h"
#include "lease.h"
#include "metrics.h"
#include "msg.h"
#include "push.h"
#include "report.h"
#include "run.h"
#include "scope.h"
#include "scrub.h"
#include "target.h"
#include "steps.h"
#include "util.h"
#include "workflow.h"


int
wf_interrupted_code(void)
{
	switch (run_signal) {
	case SIGINT:	return 130;
	case SIGTERM:	return 143;
	case SIGHUP:	return 129;
	default:	return 128 + run_signal;
	}
}

const char *
wf_signame(int sig)
{
	switch (sig) {
	case SIGINT:	return "SIGINT";
	case SIGTERM:	return "SIGTERM";
	case SIGHUP:	return "SIGHUP";
	default:	return N_("a signal");	/* a phrase: errorf translates it */
	}
}

/* Sleep up to secs; returns 1 when a signal cut it short. */
static int
wait_or_signal(double secs)
{
	double end = now_mono() + secs;

	while (!run_signal) {
		double left = end - now_mono();

		if (left <= 0)
			return 0;
		sleep_seconds(left > 0.2 ? 0.2 : left);
	}
	return 1;
}

/*
 * Run one call and turn the ways a child can go wrong (not started, timed out,
 * killed, flooded, interrupted) into an exit code with one line.  A non-zero
 * exit status is left to the caller, who knows what the step's errors mean.
 */
int
wf_child_failure(struct wf *w, enum call k, int spawn_rc, struct child *c)
{
	const char *what = k == CALL_STEP7 ? "the Step 7 interpreter" : "aliyun";

	w->step = cli_step_name(k);
	if (spawn_rc == -1) {
		if (k == CALL_STEP7)
			errorf("%s: cannot run %s/bin/python: %s (run: ackprof setup-sdk)",
			    w->step, w->cli.venv, strerror(c->spawn_errno));
		else
			errorf("%s: cannot run %s: %s (install the Alibaba Cloud CLI >= %s or pass --aliyun PATH)",
			    w->step, w->cli.path, strerror(c->spawn_errno), MIN_CLI_VERSION);
		return 78;
	}
	if (c->interrupted)
		return wf_interrupted_code();
	if (c->timed_out) {
		errorf("%s: %s gave no answer within %gs and was stopped (check the network; raise --cli-timeout)",
		    w->step, what, w->cli.timeout);
		return 69;
	}
	if (c->overflow) {
		errorf("%s: %s printed more than we keep (%zu bytes) and was stopped (check the CLI; run with -v)",
		    w->step, what, c->out.len > c->err.len ? c->out.len : c->err.len);
		return 69;
	}
	if (c->termsig) {
		errorf("%s: %s was killed by signal %d (run again; check the CLI installation)",
		    w->step, what, c->termsig);
		return 69;
	}
	if (k == CALL_STEP7)
		return 0;
	if (cli_report_broken_config(w->step, c))
		return 77;
	if (c->status != 0 && (k == CALL_INITIAL || k == CALL_INVOKE || k == CALL_RESULT) &&
	    cli_plugin_missing(buf_str(&c->err))) {
		errorf("%s: the sysom plugin (aliyun-cli-sysom) is not installed and the CLI could not install it (run `aliyun plugin install --names aliyun-cli-sysom`, then `ackprof doctor`)",
		    w->step);
		return 78;
	}
	return 0;
}

/* A one-line rendering of a CLI error: "CODE: message (request id R)". */
static void
error_text(const struct cli_error *e, const struct child *c, char *out, size_t n)
{
	char msg[1024];
	size_t i;

	memcpy(msg, e->message, sizeof(msg));
	for (i = 0; msg[i]; i++)
		if (msg[i] == '\n' || msg[i] == '\r')
			msg[i] = ' ';
	/* The fields are scrubbed (cli_parse_error): cut them on characters only. */
	if (e->code[0] && msg[0])
		snprintf(out, n, "%.*s: %.*s", scrub_cut(e->code, 120), e->code, scrub_cut(msg, 700), msg);
	else if (e->code[0] || msg[0])
		snprintf(out, n, "%.*s", scrub_cut(e->code[0] ? e->code : msg, 800), e->code[0] ? e->code : msg);
	else if (c->out.len == 0 && c->err.len == 0)
		snprintf(out, n, "exit %d with no output", c->status);
	else
		snprintf(out, n, "exit %d", c->status);
	if (e->request_id[0]) {
		size_t l = strlen(out);

		snprintf(out + l, n - l, " (request id %s)", e->request_id);
	}
}

/*
 * A business call the cloud refused as throttled or overloaded (Throttling*,
 * ServiceUnavailable, HTTP 429 or 503, in 3.4.11's text or 3.5's envelope): the
 * request did nothing, so it may simply be sent again.
 */
int
wf_throttle(struct wf *w, enum call k, const struct child *c, unsigned long attempt, double *delay)
{
	struct cli_error e;
	char text[1024];

	if (k != CALL_CS_GET && k != CALL_INITIAL && k != CALL_INVOKE && k != CALL_RESULT)
		return 0;
	if (c->status == 0 || c->timed_out || c->interrupted || c->termsig || c->overflow)
		return 0;
	cli_parse_error(buf_str(&c->err), buf_str(&c->out), &e);
	if (!cli_error_is_throttled(&e))
		return 0;
	error_text(&e, c, text, sizeof(text));
	if (attempt >= w->o->throttle_retries) {
		errorf("%s: still throttled after %lu retries: %s (the account's request rate is exhausted: lower --jobs or wait a minute, then run again)",
		    cli_step_name(k), attempt, text);
		return 69;
	}
	*delay = backoff_delay(w->o->throttle_wait, attempt);
	notef("%s: throttled by the cloud (%s); retry %lu of %lu in %.1fs",
	    cli_step_name(k), e.code[0] ? e.code : text, attempt + 1, w->o->throttle_retries, *delay);
	return 1;
}

/*
 * Run one call to completion; the child's own failures become an exit code, and a
 * throttled answer is sent again after a backoff, a bounded number of times.
 */
int
wf_step(struct wf *w, enum call k, const char *a, const char *b, struct child *c)
{
	unsigned long attempt;
	double delay;
	int rc;

	w->step = cli_step_name(k);
	progressf("%s ...", w->step);
	for (attempt = 0;; attempt++) {
		if (run_signal)
			return wf_interrupted_code();
		if ((rc = wf_child_failure(w, k, cli_run(&w->cli, k, a, b, c), c)) != 0)
			return rc;
		if ((rc = wf_throttle(w, k, c, attempt, &delay)) != 1)
			return rc;
		child_free(c);
		memset(c, 0, sizeof(*c));
		if (wait_or_signal(delay))
			return wf_interrupted_code();
	}
}

/*
 * Exit 3 that is not about configuration: the CLI refused the call with a tip of its
 * own (3.4.11's ErrorWithTip, 3.5's "failure with a CLI recovery tip"), e.g. "can not
 * find api by path".  Named with the tip; an Alibaba Cloud call that failed (69).
 */
static int
tip_error(struct wf *w, const struct child *c, const char *text)
{
	char tip[256];

	cli_error_tip(buf_str(&c->err), tip, sizeof(tip));
	if (tip[0])
		errorf("%s: the aliyun CLI refused the call: %s (its tip: %s; check the CLI and its sysom plugin with `ackprof doctor`)",
		    w->step, text, tip);
	else
		errorf("%s: the aliyun CLI refused the call: %s (exit 3, not a configuration problem; check the CLI and its sysom plugin with `ackprof doctor`)",
		    w->step, text);
	return 69;
}

/* Errors common to every business call: configuration (exit 3) and permissions. */
static int
common_error(struct wf *w, const struct child *c, const struct cli_error *e,
    const char *actions, const char *text)
{
	if (c->status == 3 && cli_tip_is_config(buf_str(&c->err))) {
		errorf("%s: the CLI configuration is not usable: %s (run `aliyun configure`, then `ackprof doctor`)",
		    w->step, text);
		return 77;
	}
	if (cli_error_is_permission(e, buf_str(&c->err))) {
		/*
		 * The line names what this step needs; an action the cloud's denial names
		 * (AccessDeniedDetail) that is not among them is named first.
		 */
		if (e->auth_action[0] && strstr(actions, e->auth_action) == NULL)
			errorf("%s: permission denied: %s (grant the RAM user %s, which the cloud names, and %s, then run again)",
			    w->step, text, e->auth_action, actions);
		else
			errorf("%s: permission denied: %s (grant the RAM user %s, then run again)",
			    w->step, text, actions);
		return 77;
	}
	if (c->status == 3)
		return tip_error(w, c, text);
	return 0;
}

/* The body code of a plugin answer ("code": "Success"), or NULL when there is none. */
static const char *
body_code(const cJSON *j)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "code");

	if (!cJSON_IsString(v))
		v = cJSON_GetObjectItemCaseSensitive(j, "Code");
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* code is Success, in any case (SysOM's own clients compare it case-blind). */
static int
body_success(const cJSON *j)
{
	const char *code = body_code(j);

	return code && strcasecmp(code, "Success") == 0;
}

/* data, or Data as SysOM's gateway may spell it. */
static const cJSON *
body_data(const cJSON *j)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "data");

	return cJSON_IsObject(v) ? v : cJSON_GetObjectItemCaseSensitive(j, "Data");
}

/* A string member of data under any of its spellings (task_id, taskId, TaskId). */
static const cJSON *
data_str(const cJSON *j, const char *const *names)
{
	const cJSON *v = NULL;
	int i;

	for (i = 0; names[i] && !cJSON_IsString(v); i++)
		v = cJSON_GetObjectItemCaseSensitive(body_data(j), names[i]);
	return v;
}

static int
step_version(struct wf *w)
{
	struct child c = {0};
	int v[3], min[3], rc;
	char *nl;

	if ((rc = wf_step(w, CALL_VERSION, NULL, NULL, &c)) != 0)
		goto out;
	nl = c.out.p;
	if (c.status != 0 || parse_version(nl, v) == -1) {
		nl = strchr(buf_str(&c.out), '\n');
		if (nl)
			*nl = '\0';
		errorf("version check: `aliyun version` exited %d and printed \"%.*s\", not a CLI version (reinstall the Alibaba Cloud CLI >= %s)",
		    c.status, scrub_cut(buf_str(&c.out), 40), buf_str(&c.out), MIN_CLI_VERSION);
		rc = 78;
		goto out;
	}
	parse_version(MIN_CLI_VERSION, min);
	if (version_cmp(v, min) < 0) {
		errorf("version check: aliyun %d.%d.%d is older than %s (upgrade: https://help.aliyun.com/zh/cli/ or `aliyun upgrade`)",
		    v[0], v[1], v[2], MIN_CLI_VERSION);
		rc = 78;
		goto out;
	}
	verbosef("aliyun %d.%d.%d", v[0], v[1], v[2]);
out:
	child_free(&c);
	return rc;
}

int
wf_plugin_update(struct wf *w)
{
	struct child c = {0};
	struct cli_error e;
	char text[1024];
	int rc;

	if ((rc = wf_step(w, CALL_PLUGIN_UPDATE, NULL, NULL, &c)) != 0) {
		/* A plugin index that cannot be fetched must not stop a diagnosis by itself. */
		if (rc == 69) {
			warnf("plugin update did not finish; continuing with the installed plugins");
			rc = 0;
		}
		goto out;
	}
	if (c.status != 0) {
		cli_parse_error(buf_str(&c.err), buf_str(&c.out), &e);
		error_text(&e, &c, text, sizeof(text));
		warnf("plugin update failed (%s); continuing with the installed plugins", text);
	}
out:
	child_free(&c);
	return rc;
}

static int
step_credentials(struct wf *w)
{
	struct child c = {0};
	struct cli_error e;
	char text[1024], name[128];
	int rc, valid;

	if ((rc = wf_step(w, CALL_CONFIG_SET, NULL, NULL, &c)) != 0)
		goto out;
	if (c.status != 0) {
		cli_parse_error(buf_str(&c.err), buf_str(&c.out), &e);
		error_text(&e, &c, text, sizeof(text));
		errorf("auto plugin install: `aliyun configure set` failed: %s (configure a valid profile with `aliyun configure` outside ackprof)",
		    text);
		rc = 77;
		goto out;
	}
	child_free(&c);
	memset(&c, 0, sizeof(c));
	if ((rc = wf_step(w, CALL_CONFIG_LIST, NULL, NULL, &c)) != 0)
		goto out;
	if (c.status != 0) {
		cli_parse_error(buf_str(&c.err), buf_str(&c.out), &e);
		error_text(&e, &c, text, sizeof(text));
		errorf("credential check: no CLI configuration: %s (run `aliyun configure` outside ackprof, then run again)",
		    text);
		rc = 77;
		goto out;
	}
	valid = parse_configure_list(buf_str(&c.out), w->o->profile, name, sizeof(name));
	if (valid == 1) {
		verbosef("profile %s is valid", name);
	} else if (valid == 0) {
		errorf("credential check: profile '%s' is not valid (fix it with `aliyun configure --profile %s` outside ackprof)",
		    name, name);
		rc = 77;
	} else if (w->o->profile) {
		errorf("credential check: no profile named '%s' (see `aliyun configure list`; create it with `aliyun configure --profile %s`)",
		    w->o->profile, w->o->profile);
		rc = 77;
	} else {
		errorf("credential check: no valid current profile in `aliyun configure list` (run `aliyun configure` outside ackprof)");
		rc = 77;
	}
out:
	child_free(&c);
	return rc;
}

int
wf_setup(struct wf *w)
{
	int rc;

	w->step = "ai-mode enable";
	if ((rc = lease_acquire(&w->lease, &w->cli)) != 0)
		return rc;
	if ((rc = wf_plugin_update(w)) != 0)
		return rc;
	if ((rc = step_version(w)) != 0)
		return rc;
	return step_credentials(w);
}

/*
 * The specification's fixed messages: in English for -o json ("message"), in the
 * user's language for the text and Markdown output.
 */
static void
template_printf(struct wf *w, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	buf_vprintf(&w->template, fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	s = i18n_vasprintf(fmt, ap);
	va_end(ap);
	if (s)
		buf_adds(&w->template_shown, s);
	free(s);
}

static void
unsupported_template(struct wf *w, const char *profile)
{
	template_printf(w,
	    "\xE2\x9D\x8C Unsupported cluster type\n"
	    "- Cluster ID: %s\n"
	    "- Cluster profile: %s\n"
	    "- This skill ONLY supports diagnosis on standard ACK managed clusters (profile = \"Default\").\n"
	    "- ACS clusters, ASK (Serverless Kubernetes) clusters, Edge clusters, and other non-Default profile clusters are NOT supported.\n"
	    "- Please provide a standard ACK cluster ID to proceed.\n",
	    w->o->cluster, profile);
}

/* Step 5: cs GET /clusters/ID.  Fail closed: anything but a Default, running cluster stops. */
int
wf_eval_cluster(struct wf *w, struct child *c)
{
	struct cli_error e;
	struct cluster_info ci = {0};
	char text[1024];
	const char *profile, *state;
	int rc = 0;

	if (c->status != 0) {
		cli_parse_error(buf_str(&c->err), buf_str(&c->out), &e);
		error_text(&e, c, text, sizeof(text));
		/* Permissions first: InvalidAccessKeyId.NotFound is not a missing cluster. */
		if ((rc = common_error(w, c, &e, "cs:DescribeClusterDetail", text)) != 0) {
			;
		} else if (cli_error_is_not_found(&e, text) || strstr(text, "not found")) {
			errorf("cluster %s not found: %s (check the cluster id and pass a corrected -c)",
			    w->o->cluster, text);
			rc = 65;
		} else {
			errorf("cluster lookup failed: %s (check the network and the cluster id, then run again)", text);
			rc = 69;
		}
		goto out;
	}
	switch (cluster_parse(buf_str(&c->out), c->out.len, &ci)) {
	case -1:
		errorf("cluster lookup: the answer for %s is not the cluster's JSON detail (verify the cluster id; run with -v to see the call)",
		    w->o->cluster);
		rc = 65;
		goto out;
	case -2:
		errorf("cluster lookup: the detail of %s has no usable region_id (verify the cluster id; ackprof never guesses a region)",
		    w->o->cluster);
		rc = 65;
		goto out;
	}
	w->region = xstrdup(ci.region);
	if (ci.name)
		w->cluster_name = xstrdup(ci.name);
	profile = ci.profile;
	if (profile == NULL || strcmp(profile, "Default") != 0) {
		unsupported_template(w, profile ? profile : "(none)");
		/* The cluster detail that shows the skill's out-of-scope pods: all virtual. */
		if (profile && (strcasecmp(profile, "Serverless") == 0 || strcasecmp(profile, "acs") == 0))
			errorf("cluster %s has profile '%s': its pods are ECI or virtual-node pods (ACS/ASK serverless containers), which are out of scope; only standard ACK clusters (profile Default) can be diagnosed (pass the id of a standard ACK cluster)",
			    w->o->cluster, profile);
		else
			errorf("cluster %s has profile '%s': only standard ACK clusters (profile Default) can be diagnosed (pass the id of a standard ACK cluster)",
			    w->o->cluster, profile ? profile : "(none)");
		rc = 65;
		goto out;
	}
	state = ci.state ? ci.state : "(none)";
	if (strcmp(state, "running") != 0) {
		errorf("cluster %s is '%s', not running (wait until it is running, then run again)",
		    w->o->cluster, state);
		rc = 65;
		goto out;
	}
	if (w->o->region && strcmp(w->o->region, w->region) != 0) {
		errorf("cluster %s is in %s, not in %s as -r says (drop -r or pass -r %s)",
		    w->o->cluster, w->region, w->o->region, w->region);
		rc = 65;
		goto out;
	}
	verbosef("cluster %s (%s) in %s: profile Default, running", w->o->cluster,
	    w->cluster_name ? w->cluster_name : "-", w->region);
out:
	cluster_info_free(&ci);
	return rc;
}

/* Step 6: sysom initial-sysom.  The body must say Success. */
int
wf_eval_initial(struct wf *w, struct child *c)
{
	struct cli_error e;
	char text[1024];
	cJSON *j = NULL;
	const char *code;
	int rc = 0;

	j = cJSON_ParseWithLength(buf_str(&c->out), c->out.len);
	code = body_code(j);
	if (c->status == 0 && body_success(j))
		goto out;
	cli_parse_error(buf_str(&c->err), buf_str(&c->out), &e);
	error_text(&e, c, text, sizeof(text));
	if ((rc = common_error(w, c, &e, "sysom:InitialSysom and ram:CreateServiceLinkedRole", text)) != 0)
		goto out;
	if (c->status == 0 && code == NULL)
		errorf("SysOM role initialization: the answer is not JSON with a code (run with -v; check the sysom plugin with `ackprof doctor`)");
	else
		errorf("SysOM role initialization failed: %s (check that SysOM is activated for this account and the service role can be created)",
		    text);
	rc = 69;
out:
	cJSON_Delete(j);
	return rc;
}

/* The first line of text that starts with "ERROR:", else the first non-empty line. */
static void
first_error_line(const char *s, char *out, size_t n)
{
	const char *p = strstr(s, "ERROR:"), *e;

	if (p == NULL)
		for (p = s; *p == '\n' || *p == ' '; p++)
			;
	e = strchr(p, '\n');
	snprintf(out, n, "%.*s", (int)(e ? e - p : (long)strlen(p)), p);
}

/*
 * The script's line for a refusal of the RAM user (scripts/...: "SysOM API error: HTTP
 * 403 Forbidden.RAM - ...", or a body's "Creation failed: NoPermission - ...").
 */
static int
step7_denied(const char *line)
{
	static const char *const signs[] = { "HTTP 401 ", "HTTP 403 ", "Forbidden", "NoPermission",
	    "NotAuthorized", "AccessDenied", NULL };
	int i;

	for (i = 0; signs[i]; i++)
		if (strstr(line, signs[i]))
			return 1;
	return 0;
}

/* Step 7: our script, run with the venv's interpreter.  Success is exit 0 and [OK]. */
int
wf_eval_step7(struct wf *w, struct child *c)
{
	char line[600];
	int rc = 0;

	w->step = cli_step_name(CALL_STEP7);
	if (c->status == 0 && (strstr(buf_str(&c->err), "[OK]") || strstr(buf_str(&c->out), "[OK]")))
		goto out;
	first_error_line(c->err.len ? buf_str(&c->err) : buf_str(&c->out), line, sizeof(line));
	if (c->status != 0 && step7_denied(line)) {
		/* A denial is 77 like every step's, naming the action Step 7 needs (once). */
		char *hint = strstr(line, " (check the credentials and the RAM permission");

		if (hint)
			*hint = '\0';
		errorf("Step 7: permission denied: %s (grant the RAM user sysom:CreateClusterVpcEndpointConnection, then run again)",
		    line);
		return 77;
	}
	if (c->status != 0 && strstr(line, "no usable Alibaba Cloud credentials")) {
		errorf("Step 7: the VPC endpoint connection was not created (exit %d): %s (fix the credentials, then run again)",
		    c->status, line);
		return 77;
	}
	if (c->status == 0)
		errorf("Step 7: the VPC endpoint script exited 0 but printed \"%s\", not its [OK] line (run `ackprof doctor`; reinstall with `ackprof setup-sdk`)",
		    line);
	else
		errorf("Step 7: the VPC endpoint connection was not created (exit %d): %s (fix the cause, then run again; `ackprof doctor` checks the SDK)",
		    c->status, line[0] ? line : "no message");
	rc = 69;
out:
	return rc;
}

static int
step_cluster(struct wf *w)
{
	struct child c = {0};
	int rc;

	if ((rc = wf_step(w, CALL_CS_GET, w->o->cluster, NULL, &c)) == 0)
		rc = wf_eval_cluster(w, &c);
	child_free(&c);
	return rc;
}

static int
step_initial(struct wf *w)
{
	struct child c = {0};
	int rc;

	if ((rc = wf_step(w, CALL_INITIAL, NULL, NULL, &c)) == 0)
		rc = wf_eval_initial(w, &c);
	child_free(&c);
	return rc;
}

void
wf_step7_notice(struct wf *w)
{
	notef("Step 7: creating the SysOM VPC endpoint connection of cluster %s in %s (a write: it opens SysOM's diagnosis channel to this cluster; idempotent)",
	    w->o->cluster, w->region);
}

static int
step_vpc_endpoint(struct wf *w)
{
	struct child c = {0};
	int rc;

	wf_step7_notice(w);
	if ((rc = wf_step(w, CALL_STEP7, w->o->cluster, w->region, &c)) == 0)
		rc = wf_eval_step7(w, &c);
	child_free(&c);
	return rc;
}

char *
wf_params(const char *cluster, const char *region, const char *ns, const char *pod,
    const char *desc, const struct window *win)
{
	cJSON *p = cJSON_CreateObject();
	char *inst = xasprintf("ack-%s", cluster), *s;

	cJSON_AddStringToObject(p, "product", "ACK");
	cJSON_AddStringToObject(p, "region", region);
	cJSON_AddStringToObject(p, "instance", inst);
	cJSON_AddStringToObject(p, "cluster_id", cluster);
	cJSON_AddStringToObject(p, "namespace", ns);
	cJSON_AddStringToObject(p, "pod", pod);
	cJSON_AddStringToObject(p, "description", desc ? desc : "");
	cJSON_AddNumberToObject(p, "start_time", win->historical ? (double)win->start : 0);
	cJSON_AddNumberToObject(p, "end_time", win->historical ? (double)win->end : 0);
	cJSON_AddBoolToObject(p, "enable_diagnosis", !win->historical);
	/* Every field or none: a half-built --params must never reach SysOM. */
	s = cJSON_GetArraySize(p) == 10 ? cJSON_PrintUnformatted(p) : NULL;
	cJSON_Delete(p);
	free(inst);
	if (s == NULL) {
		fputs("ackprof: out of memory\n", stderr);
		_exit(70);
	}
	return s;
}

/* "ocd(qT7mYx2L)" in a TaskInProgress message names the task that holds the cluster. */
static char *
busy_task_hint(const char *msg)
{
	const char *p = strstr(msg, "ocd(");
	size_t n = 0;
	char id[65];

	if (p == NULL)
		return NULL;
	p += 4;
	while (n < 64 && p[n] && p[n] != ')')
		n++;
	if (p[n] != ')' || n == 0)
		return NULL;
	memcpy(id, p, n);
	id[n] = '\0';
	return valid_task_id(id) ? xstrdup(id) : NULL;
}

static void
busy_template(struct wf *w)
{
	template_printf(w,
	    "\xE2\x9A\xA0\xEF\xB8\x8F An existing diagnosis task is running on this instance.\n"
	    "- Instance: ack-%s\n"
	    "- Error: Sysom.TaskInProgress\n"
	    "- Suggestion: Please wait for the running task to complete (typically 3\xE2\x80\x93" "5 minutes), then retry.\n",
	    w->o->cluster);
}

/* Step 8a: invoke-diagnosis, waiting out Sysom.TaskInProgress a bounded number of times. */
int
wf_eval_invoke(struct wf *w, struct child *c, int *busy)
{
	struct cli_error e;
	char text[1024];
	cJSON *j;
	const cJSON *v;
	const char *code;
	int rc = 0;

	*busy = 0;
	j = cJSON_ParseWithLength(buf_str(&c->out), c->out.len);
	code = body_code(j);
	if (c->status == 0 && body_success(j)) {
		static const char *const task_keys[] = { "task_id", "taskId", "TaskId", NULL };

		v = data_str(j, task_keys);
		if (!cJSON_IsString(v) || !valid_task_id(v->valuestring)) {
			/* Never invent a task id: without one there is nothing to poll. */
			errorf("invoke-diagnosis: the answer says Success but carries no usable data.task_id (run again; report it with -v output)");
			rc = 69;
			goto out;
		}
		free(w->task_id);
		w->task_id = xstrdup(v->valuestring);
		verbosef("task %s started", w->task_id);
		eventf("task %s %s %s %s", w->task_id, w->o->cluster, w->o->ns, w->o->pod);
		goto out;
	}
	cli_parse_error(buf_str(&c->err), buf_str(&c->out), &e);
	error_text(&e, c, text, sizeof(text));
	if (strcmp(e.code, "Sysom.TaskInProgress") == 0 || strstr(text, "TaskInProgress")) {
		free(w->busy_hint);
		w->busy_hint = busy_task_hint(e.message);
		*busy = 1;
		eventf("busy %s", w->o->cluster);
		goto out;
	}
	if ((rc = common_error(w, c, &e, "sysom:InvokeDiagnosis", text)) != 0)
		goto out;
	if ((rc = scope_stop(w->o->ns, w->o->pod, text)) != 0)
		goto out;
	if (strstr(e.code, "ClusterNotFound") || strstr(e.code, "ClusterIsNotRunning") ||
	    strstr(e.code, "ClusterRegionNotMatch") ||
	    (strstr(text, "not found") && (strstr(text, "pod") || strstr(text, "Pod")))) {
		errorf("invoke-diagnosis: SysOM cannot diagnose this target: %s (verify the cluster, namespace and pod)", text);
		rc = 65;
	} else if (strstr(e.code, "InvalidParameter")) {
		errorf("invoke-diagnosis: SysOM rejected the parameters: %s (check namespace, pod and description)", text);
		rc = 69;
	} else if (strstr(e.code, "EndpointConnection")) {
		errorf("invoke-diagnosis: SysOM cannot reach the cluster: %s (Step 7 has not taken effect yet: run again in a minute)", text);
		rc = 69;
	} else if (c->status == 0 && code == NULL) {
		errorf("invoke-diagnosis: the answer is not JSON with a code (run with -v; check the sysom plugin with `ackprof doctor`)");
		rc = 69;
	} else {
		errorf("invoke-diagnosis failed: %s (check credentials and permissions with `ackprof doctor`)", text);
		rc = 69;
	}
out:
	cJSON_Delete(j);
	return rc;
}

int
wf_busy_exhausted(struct wf *w)
{
	busy_template(w);
	if (w->busy_hint)
		errorf("another diagnosis task is running on ack-%s: SysOM still answered Sysom.TaskInProgress after %lu retries. Wait 3-5 minutes and run again; the running task looks like %s (see it with ackprof result %s)",
		    w->o->cluster, w->o->busy_retries, w->busy_hint, w->busy_hint);
	else
		errorf("another diagnosis task is running on ack-%s: SysOM still answered Sysom.TaskInProgress after %lu retries. Wait 3-5 minutes, then run again",
		    w->o->cluster, w->o->busy_retries);
	return 5;
}

/* Step 8a: invoke-diagnosis, waiting out Sysom.TaskInProgress a bounded number of times. */
static int
step_invoke(struct wf *w)
{
	struct child c = {0};
	unsigned long attempt;
	int rc = 0, busy;

	if (w->params == NULL)
		w->params = wf_params(w->o->cluster, w->region, w->o->ns, w->o->pod, w->o->desc, &w->o->win);
	for (attempt = 0;; attempt++) {
		child_free(&c);
		memset(&c, 0, sizeof(c));
		if ((rc = wf_step(w, CALL_INVOKE, w->params, NULL, &c)) != 0)
			break;
		if ((rc = wf_eval_invoke(w, &c, &busy)) != 0 || !busy)
			break;
		if (attempt >= w->o->busy_retries) {
			rc = wf_busy_exhausted(w);
			break;
		}
		notef("a diagnosis task is already running on ack-%s; waiting %gs before retry %lu of %lu",
		    w->o->cluster, w->o->busy_wait, attempt + 1, w->o->busy_retries);
		w->step = N_("waiting for the running task (TaskInProgress)");
		if (wait_or_signal(w->o->busy_wait)) {
			rc = wf_interrupted_code();
			break;
		}
	}
	child_free(&c);
	return rc;
}

static void
timeout_template(struct wf *w, const char *status)
{
	template_printf(w,
	    "\xE2\x8F\xB3 SysOM diagnosis task timed out\n"
	    "- Task ID: %s\n"
	    "- Current status: %s\n"
	    "- Suggestion: Please continue waiting for the diagnosis to complete.\n",
	    w->task_id, status);
}

/* A string field of the echoed params into *dst, unless known already or empty. */
static void
param_str(const cJSON *p, const char *key, char **dst)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, key);

	if (*dst == NULL && cJSON_IsString(v) && *v->valuestring)
		*dst = xstrdup(v->valuestring);
}

/*
 * For `result`: the target, description and mode named by the task's own params
 * (an object or JSON text), read from the first poll that carries them.  What no
 * poll tells stays unknown (NULL), and the report says "unknown".
 */
static void
params_from_result(struct wf *w, const char *text, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(text, len), *p, *v, *e, *en;

	p = cJSON_GetObjectItemCaseSensitive(body_data(j), "params");
	if (cJSON_IsString(p))
		p = cJSON_Parse(p->valuestring);
	else
		p = cJSON_Duplicate(p, 1);
	if (cJSON_IsObject(p)) {
		w->params_seen = 1;
		param_str(p, "cluster_id", &w->o->cluster);
		param_str(p, "region", &w->region);
		param_str(p, "namespace", &w->o->ns);
		param_str(p, "pod", &w->o->pod);
		param_str(p, "description", &w->o->desc);
		v = cJSON_GetObjectItemCaseSensitive(p, "start_time");
		e = cJSON_GetObjectItemCaseSensitive(p, "end_time");
		en = cJSON_GetObjectItemCaseSensitive(p, "enable_diagnosis");
		/* Only a sane window (before 2100, end after start) is believed. */
		if (cJSON_IsNumber(v) && cJSON_IsNumber(e) && v->valuedouble > 0 &&
		    e->valuedouble > v->valuedouble && e->valuedouble <= 4102444800.0) {
			w->o->win.historical = 1;
			w->o->win.start = (time_t)v->valuedouble;
			w->o->win.end = (time_t)e->valuedouble;
			w->mode_known = 1;
		} else if (cJSON_IsBool(en)) {
			/* enable_diagnosis is true for real-time, false for historical. */
			w->o->win.historical = cJSON_IsFalse(en);
			w->mode_known = 1;
		}
	}
	cJSON_Delete(p);
	cJSON_Delete(j);
}

/*
 * Does a result's echoed params name this target?  For batch: a task found
 * running where an earlier run's invoke was cut short is adopted only then.
 */
int
wf_result_names(const char *text, size_t len, const char *cluster, const char *ns,
    const char *pod)
{
	cJSON *j = cJSON_ParseWithLength(text, len), *p, *c, *n, *q;
	int same = 0;

	p = cJSON_GetObjectItemCaseSensitive(body_data(j), "params");
	p = cJSON_IsString(p) ? cJSON_Parse(p->valuestring) : cJSON_Duplicate(p, 1);
	c = cJSON_GetObjectItemCaseSensitive(p, "cluster_id");
	n = cJSON_GetObjectItemCaseSensitive(p, "namespace");
	q = cJSON_GetObjectItemCaseSensitive(p, "pod");
	if (cJSON_IsString(c) && cJSON_IsString(n) && cJSON_IsString(q))
		same = strcmp(c->valuestring, cluster) == 0 && strcmp(n->valuestring, ns) == 0 &&
		    strcmp(q->valuestring, pod) == 0;
	cJSON_Delete(p);
	cJSON_Delete(j);
	return same;
}

/* Without params, the result's own diagnose_mode tells real-time from historical. */
static void
mode_from_result(struct wf *w)
{
	const char *m = w->diag.mode_raw;

	if (w->mode_known || m == NULL)
		return;
	if (strcasecmp(m, "realtime") == 0 || strcasecmp(m, "real-time") == 0) {
		w->o->win.historical = 0;
		w->mode_known = 1;
	} else if (strncasecmp(m, "histor", 6) == 0) {
		w->o->win.historical = 1;
		w->mode_known = 1;
	}
}

/* Step 8b: get-diagnosis-result until Success or Fail, at most poll_max times. */
int
wf_poll_retryable(struct wf *w, const struct child *c)
{
	/* A poll that hung may be the network: try again, a few times, quietly. */
	if (c->timed_out && w->errors < 2) {
		w->errors++;
		return 1;
	}
	return 0;
}

int
wf_eval_poll(struct wf *w, struct child *c, int *pending)
{
	struct cli_error e;
	char text[1024], perr[512];
	int failure_rc;

	*pending = 0;
	w->polls++;
	if (c->status != 0) {
		cli_parse_error(buf_str(&c->err), buf_str(&c->out), &e);
		error_text(&e, c, text, sizeof(text));
		if ((failure_rc = common_error(w, c, &e, "sysom:GetDiagnosisResult", text)) != 0)
			return failure_rc;
		if (++w->errors >= 3 || strstr(e.code, "InvalidParameter") || strstr(text, "not exist")) {
			errorf("get-diagnosis-result failed: %s (check the task id; resume with: ackprof result %s)",
			    text, w->task_id);
			return 69;
		}
		*pending = 1;
		return 0;
	}
	diag_free(&w->diag);
	w->have_diag = 0;
	if (diag_parse(buf_str(&c->out), c->out.len, &w->diag, perr, sizeof(perr)) == -1) {
		if (++w->errors >= 3) {
			errorf("get-diagnosis-result: %s (resume with: ackprof result %s)", perr, w->task_id);
			return 69;
		}
		*pending = 1;
		return 0;
	}
	w->errors = 0;
	w->have_diag = 1;
	if (w->for_result && !w->params_seen)
		params_from_result(w, buf_str(&c->out), c->out.len);
	if (w->for_result)
		mode_from_result(w);
	snprintf(w->last_status, sizeof(w->last_status), "%s", w->diag.status);
	eventf("status %s %s", w->task_id, w->last_status);
	if (w->diag.state == TASK_SUCCESS)
		return diag_exit_code(&w->diag);
	if (w->diag.state == TASK_FAIL) {
		const char *m = w->diag.err_msg && *w->diag.err_msg ? w->diag.err_msg : "no reason given";
		int rc;

		if ((rc = scope_stop(w->o->ns, w->o->pod, m)) != 0)
			return rc;
		if (strstr(m, "not found")) {
			errorf("diagnosis task %s failed: %s (verify the namespace and pod name; the pod must be scheduled on an ECS node)",
			    w->task_id, m);
			return 65;
		}
		errorf("diagnosis task %s failed: %s (run again; if it keeps failing, check the pod and the SysOM console)",
		    w->task_id, m);
		return 3;
	}
	if (w->diag.state == TASK_UNKNOWN)
		verbosef("task %s has status '%s'; still polling", w->task_id, w->diag.status);
	*pending = 1;
	return 0;
}

int
wf_poll_timeout(struct wf *w)
{
	timeout_template(w, w->last_status);
	errorf("diagnosis task %s is still %s after %lu polls (resume with: ackprof result %s)",
	    w->task_id, w->last_status, w->o->poll_max, w->task_id);
	return 4;
}

/* Step 8b: get-diagnosis-result until Success or Fail, at most poll_max times. */
static int
step_poll(struct wf *w)
{
	struct child c = {0};
	unsigned long i, throttled = 0;
	int rc = 0, pending = 0;
	double t0 = now_mono(), delay;
	char el[32];

	for (i = 1; i <= w->o->poll_max; i++) {
		child_free(&c);
		memset(&c, 0, sizeof(c));
		w->step = cli_step_name(CALL_RESULT);
		if (run_signal) {
			rc = wf_interrupted_code();
			goto out;
		}
		rc = cli_run(&w->cli, CALL_RESULT, w->task_id, NULL, &c);
		if (rc == 0 && wf_poll_retryable(w, &c)) {
			pending = 1;
		} else if ((rc = wf_child_failure(w, CALL_RESULT, rc, &c)) == 0 &&
		    (rc = wf_throttle(w, CALL_RESULT, &c, throttled, &delay)) == 1) {
			throttled++;
			i--;	/* a refused poll is not one of the --poll-max */
			if (wait_or_signal(delay)) {
				rc = wf_interrupted_code();
				goto out;
			}
			continue;
		} else {
			throttled = 0;
			if (rc == 0)
				rc = wf_eval_poll(w, &c, &pending);
			fmt_duration(now_mono() - t0, el, sizeof(el));
			progressf("get-diagnosis-result %s: poll %lu of %lu (%s), %s elapsed, every %gs",
			    w->task_id, i, w->o->poll_max, w->last_status, el, w->o->poll_interval);
		}
		if (rc != 0 || !pending)
			goto out;
		if (i < w->o->poll_max && wait_or_signal(jittered(w->o->poll_interval))) {
			rc = wf_interrupted_code();
			goto out;
		}
	}
	rc = wf_poll_timeout(w);
out:
	child_free(&c);
	return rc;
}

static int
write_all(int fd, const char *text, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = write(fd, text + off, len - off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

/*
 * Onto what is not a regular file (a FIFO, a character device such as /dev/null
 * or a terminal, /dev/stdout), the report is written in place: such a file is
 * never replaced.  A FIFO nobody reads is refused rather than waited on; a block
 * device, a directory or a socket is refused.
 */
static int
save_in_place(const char *path, const struct stat *st, const char *text, size_t len)
{
	int fd, e;

	if (!S_ISFIFO(st->st_mode) && !S_ISCHR(st->st_mode) && !S_ISREG(st->st_mode)) {
		if (S_ISDIR(st->st_mode))
			errorf("cannot save the report to %s: it is a directory, not a file (choose a file for --save)", path);
		else if (S_ISBLK(st->st_mode))
			errorf("cannot save the report to %s: it is a block device, not a file (choose a file for --save)", path);
		else
			errorf("cannot save the report to %s: it is a socket or other special file, not a file (choose a file for --save)", path);
		return -1;
	}
	fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC |
	    (S_ISREG(st->st_mode) ? O_TRUNC : 0));
	if (fd == -1) {
		errorf("cannot save the report to %s: %s (%s)", path, strerror(errno),
		    errno == ENXIO ? "a FIFO with no reader: start the reader first" :
		    "choose a writable path for --save");
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if (write_all(fd, text, len) == -1) {
		e = errno;
		close(fd);
		errorf("cannot save the report to %s: %s (choose a writable path for --save)", path,
		    strerror(e));
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Write text to path with mode 0600: atomically (temp file + rename) for a new
 * name or a regular file; anything else in place (save_in_place).
 */
static int
save_file(const char *path, const char *text, size_t len)
{
	char *tmp;
	int fd, rc = -1;
	struct stat st;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* A link is written through to what it names, never replaced. */
		if (S_ISLNK(st.st_mode) && stat(path, &st) == -1) {
			errorf("cannot save the report to %s: a link to nothing: %s (choose a file for --save)",
			    path, strerror(errno));
			return -1;
		}
		return save_in_place(path, &st, text, len);
	}
	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		goto out;
	if (write_all(fd, text, len) == -1) {
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (fsync(fd) == -1 || close(fd) == -1 || rename(tmp, path) == -1) {
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		errorf("cannot save the report to %s: %s (choose a writable path for --save)", path, strerror(errno));
	free(tmp);
	return rc;
}

/*
 * -o json and a usage error (exit 64, nothing run): the failure document all the
 * same, every target field null and `error` the line printed on stderr; one line
 * for batch (JSON Lines).
 */
void
wf_usage_document(int rc, int one_line)
{
	struct opts o;
	struct wf w;
	char *s;

	memset(&o, 0, sizeof(o));
	o.out = OUT_JSON;
	wf_init(&w, &o);
	w.jsonl = one_line;
	w.usage = 1;
	w.for_result = 1;	/* the mode is unknown (null), like everything else */
	if ((s = wf_render(&w, rc)) != NULL) {
		fputs(s, stdout);
		fflush(stdout);
	}
	free(s);
	wf_free(&w);
}

/* Render the outcome into a string in the chosen format. */
char *
wf_render(struct wf *w, int rc)
{
	struct report r;
	char *mem = NULL, *s, *red;
	size_t len = 0;
	FILE *f;
	cJSON *doc;
	/* A finished diagnosis is reported even when cleanup failed after it. */
	int shown = w->have_diag && w->diag.state == TASK_SUCCESS &&
	    (w->result_rc >= 0 ? w->result_rc : rc) <= 2;

	memset(&r, 0, sizeof(r));
	r.cluster_id = w->o->cluster;
	r.mode_unknown = w->for_result && !w->mode_known;
	r.cluster_name = w->cluster_name;
	r.region = w->region;
	r.namespace = w->o->ns;
	r.pod = w->o->pod;
	r.description = w->o->desc;
	r.historical = w->o->win.historical;
	r.start_time = w->o->win.historical ? w->o->win.start : 0;
	r.end_time = w->o->win.historical ? w->o->win.end : 0;
	r.task_id = w->task_id ? w->task_id : "";
	r.polls = w->polls;
	r.ran_at = time(NULL);
	r.diag = &w->diag;
	r.calls = w->cli.calls;
	if (w->o->out == OUT_JSON) {
		if (shown) {
			doc = report_json(&r, rc);
			if (w->result_rc >= 0)
				json_add_str(doc, "error", msg_last_error()[0] ? msg_last_error() : NULL);
		} else {
			doc = cJSON_CreateObject();
			json_add_str(doc, "cluster_id", w->o->cluster);
			json_add_str(doc, "cluster_name", w->cluster_name);
			json_add_str(doc, "region", w->region);
			json_add_str(doc, "namespace", w->o->ns);
			json_add_str(doc, "pod", w->o->pod);
			json_add_str(doc, "description", w->o->desc);
			json_add_str(doc, "mode", report_mode(&r));
			contract_add_time(doc, "start_time", r.historical && r.start_time > 0, r.start_time);
			contract_add_time(doc, "end_time", r.historical && r.end_time > 0, r.end_time);
			json_add_str(doc, "task_id", w->task_id);
			json_add_str(doc, "status", w->have_diag ? w->diag.status : NULL);
			if (w->have_diag && w->diag.err_msg && *w->diag.err_msg)
				cJSON_AddStringToObject(doc, "err_msg", w->diag.err_msg);
			json_add_str(doc, "running_task_hint", w->busy_hint);
			cJSON_AddNumberToObject(doc, "polls", w->polls);
			cJSON_AddNumberToObject(doc, "exit_code", rc);
			json_add_str(doc, "error", msg_last_error()[0] ? msg_last_error() : NULL);
			json_add_str(doc, "message", w->template.len ? buf_str(&w->template) : NULL);
			contract_url(doc, w->have_diag ? w->diag.url : NULL);
			cJSON_AddItemToObject(doc, "calls", cJSON_Duplicate(w->cli.calls, 1));
		}
		shard_json(doc, &w->o->shard);
		contract_stamp(doc, w->usage ? "error" : "diagnosis", w->started);
		/* The structure is scrubbed, never its text: the document stays JSON. */
		s = scrub_print(doc, !w->jsonl && !w->o->jsonl);
		cJSON_Delete(doc);
		if (s == NULL)
			return NULL;
		red = xasprintf("%s\n", s);
		free(s);
		return red;
	}
	if ((f = open_memstream(&mem, &len)) == NULL)
		return NULL;
	if (w->template.len) {
		red = scrub_text(buf_str(&w->template_shown), w->template_shown.len, 1);
		fputs(red, f);
		free(red);
	} else if (shown) {
		if (w->o->out == OUT_MARKDOWN)
			report_markdown(f, &r);
		else
			report_text(f, &r);
	}
	fclose(f);
	return mem;
}

/*
 * Print (and save) the outcome.  A report that cannot be written (a closed pipe,
 * a full disk) is one line on stderr; the exit code stays the diagnosis's, which
 * is what automation reads, except that a --save that failed turns 0 and 1 into
 * 74: a run whose saved report was lost never looks like a clean one (as --push).
 */
static int
emit_output(struct wf *w, int rc)
{
	char *s = wf_render(w, rc);
	size_t n;

	if (s == NULL)
		return rc;
	n = strlen(s);
	if (n) {
		fputs(s, stdout);
		if (fflush(stdout) == EOF || ferror(stdout))
			errorf("cannot write the report: %s", strerror(errno));
	}
	if (w->o->save && n && save_file(w->o->save, s, n) == -1 && (rc == 0 || rc == 1))
		rc = EX_IOERR;
	free(s);
	return rc;
}

void
wf_init(struct wf *w, struct opts *o)
{
	memset(w, 0, sizeof(*w));
	w->o = o;
	w->cli.path = o->aliyun;
	w->cli.profile = o->profile;
	w->cli.venv = o->venv;
	w->cli.scripts = o->scripts;
	w->cli.timeout = o->cli_timeout;
	w->cli.dry_run = o->dry_run;
	w->cli.calls = cJSON_CreateArray();
	w->result_rc = -1;
	w->started = time(NULL);
	snprintf(w->last_status, sizeof(w->last_status), "Running");
}

void
wf_free(struct wf *w)
{
	lease_free(&w->lease);
	diag_free(&w->diag);
	cJSON_Delete(w->cli.calls);
	free(w->cluster_name);
	free(w->region);
	free(w->task_id);
	free(w->busy_hint);
	free(w->params);
	buf_free(&w->template);
	buf_free(&w->template_shown);
}

/* The venv and the script must be there before Step 0: never stop half-way for them. */
static int
check_sdk(struct wf *w)
{
	char *py = xasprintf("%s/bin/python", w->o->venv);
	char *sc = xasprintf("%s/create-cluster-vpc-endpoint-connection.py", w->o->scripts);
	int rc = 0;

	if (access(py, X_OK) == -1) {
		errorf("the SysOM SDK venv is missing or broken: %s: %s (run: ackprof setup-sdk)", py, strerror(errno));
		rc = 78;
	} else if (access(sc, R_OK) == -1) {
		errorf("the Step 7 script is missing: %s: %s (pass --scripts-dir DIR or reinstall ackprof)", sc, strerror(errno));
		rc = 78;
	}
	free(py);
	free(sc);
	return rc;
}

/* --dry-run: the chain a real run would execute, redacted, and nothing run. */
static int
dry_run(struct wf *w, int for_result)
{
	static const enum call chain[] = { CALL_AIMODE_ENABLE, CALL_AIMODE_UA, CALL_PLUGIN_UPDATE,
	    CALL_VERSION, CALL_CONFIG_SET, CALL_CONFIG_LIST, CALL_CS_GET, CALL_INITIAL, CALL_STEP7,
	    CALL_INVOKE, CALL_RESULT, CALL_AIMODE_DISABLE };
	static const enum call rchain[] = { CALL_AIMODE_ENABLE, CALL_AIMODE_UA, CALL_PLUGIN_UPDATE,
	    CALL_RESULT, CALL_AIMODE_DISABLE };
	const enum call *ch = for_result ? rchain : chain;
	size_t i, n = for_result ? sizeof(rchain) / sizeof(rchain[0]) : sizeof(chain) / sizeof(chain[0]);
	const char *region = w->o->region ? w->o->region : "REGION_FROM_STEP_5";
	const char *argv[24];
	char *owned[2], *line, *params = NULL;
	const char *task = for_result ? w->o->task_id : "TASK_ID_FROM_INVOKE";
	cJSON *doc = cJSON_CreateArray();

	/* Shown as it would run, without --dry-run: the script is not run now. */
	w->cli.dry_run = 0;
	if (!for_result)
		params = wf_params(w->o->cluster, region, w->o->ns, w->o->pod, w->o->desc, &w->o->win);
	for (i = 0; i < n; i++) {
		const char *a = NULL, *b = NULL;

		if (ch[i] == CALL_CS_GET)
			a = w->o->cluster;
		else if (ch[i] == CALL_STEP7)
			a = w->o->cluster, b = region;
		else if (ch[i] == CALL_INVOKE)
			a = params;
		else if (ch[i] == CALL_RESULT)
			a = task;
		cli_argv(&w->cli, ch[i], a, b, argv, owned);
		line = cli_argv_string(argv);
		if (w->o->out == OUT_JSON)
			cJSON_AddItemToArray(doc, cJSON_CreateString(line));
		else
			printf("%s\n", line);
		free(line);
		free(owned[0]);
		free(owned[1]);
	}
	if (w->o->out == OUT_JSON) {
		cJSON *o = cJSON_CreateObject();
		char *s;

		cJSON_AddBoolToObject(o, "dry_run", 1);
		cJSON_AddItemToObject(o, "chain", doc);
		contract_stamp(o, "dry_run", w->started);
		s = scrub_print(o, !w->o->jsonl);
		printf("%s\n", s ? s : "");
		free(s);
		cJSON_Delete(o);
	} else
		cJSON_Delete(doc);
	free(params);
	fflush(stdout);
	return 0;
}

/*
 * A run that could not switch ai-mode back off must not look like a clean
 * diagnosis: a result code (0-5) becomes the cleanup's (69, or 78); an earlier
 * failure keeps its own code (it is the cause).
 */
int
wf_cleanup_code(int rc, int cleanup_rc)
{
	return cleanup_rc && rc >= 0 && rc < 64 ? cleanup_rc : rc;
}

/* diagnose --metrics FILE: this one target's outcome (dry runs write nothing). */
static void
write_metrics(struct wf *w, int rc)
{
	struct metrics m;
	const struct opts *o = w->o;

	if (!w->metrics || !o->metrics || o->dry_run)
		return;
	metrics_init(&m, o->metrics);
	metrics_target(&m, o->cluster, o->ns, o->pod, rc,
	    w->have_diag && w->diag.state == TASK_SUCCESS ? w->diag.issues : NULL);
	(void)metrics_write(&m, o->metrics, rc, now_mono() - o->t0, time(NULL));
	metrics_free(&m);
}

static int
finish(struct wf *w, int rc)
{
	int sig_rc;

	progress_done();
	sig_rc = wf_cleanup_code(rc, lease_release(&w->lease, &w->cli));
	if (sig_rc != rc)
		w->result_rc = rc;	/* the report is still shown; the exit says ai-mode is on */
	rc = sig_rc;
	progress_done();
	if (rc >= 128 || run_signal) {
		sig_rc = wf_interrupted_code();
		if (w->task_id)
			errorf("interrupted by %s during %s; ai-mode cleanup done (the task goes on: ackprof result %s)",
			    wf_signame(run_signal), w->step ? w->step : N_("start-up"), w->task_id);
		else
			errorf("interrupted by %s during %s; ai-mode cleanup done (run again when ready)",
			    wf_signame(run_signal), w->step ? w->step : N_("start-up"));
		rc = sig_rc;
	}
	rc = emit_output(w, rc);
	write_metrics(w, rc);
	wf_free(w);
	return rc;
}

int
wf_diagnose(struct opts *o)
{
	struct wf w;
	int rc;

	wf_init(&w, o);
	w.metrics = 1;
	if (o->dry_run) {
		rc = dry_run(&w, 0);
		wf_free(&w);
		return rc;
	}
	if ((rc = check_sdk(&w)) != 0) {
		rc = emit_output(&w, rc);
		write_metrics(&w, rc);
		wf_free(&w);
		return rc;
	}
	if ((rc = wf_setup(&w)) != 0)
		goto out;
	if ((rc = step_cluster(&w)) != 0)
		goto out;
	if ((rc = step_initial(&w)) != 0)
		goto out;
	if ((rc = step_vpc_endpoint(&w)) != 0)
		goto out;
	if ((rc = step_invoke(&w)) != 0)
		goto out;
	rc = step_poll(&w);
out:
	return finish(&w, rc);
}

int
wf_result(struct opts *o)
{
	struct wf w;
	int rc;

	wf_init(&w, o);
	if (o->dry_run) {
		rc = dry_run(&w, 1);
		wf_free(&w);
		return rc;
	}
	w.task_id = xstrdup(o->task_id);
	w.for_result = 1;
	w.step = "ai-mode enable";
	if ((rc = lease_acquire(&w.lease, &w.cli)) != 0)
		goto out;
	if ((rc = wf_plugin_update(&w)) != 0)
		goto out;
	rc = step_poll(&w);
out:
	return finish(&w, rc);
}

int
wf_setup_sdk(struct opts *o)
{
	struct wf w;
	struct child c = {0};
	int rc;

	wf_init(&w, o);
	c.inherit = 1;
	if (cli_run(&w.cli, CALL_SETUP_SDK, NULL, NULL, &c) == -1) {
		errorf("setup-sdk: cannot run %s/setup-sdk.sh: %s (pass --scripts-dir DIR)", o->scripts,
		    strerror(c.spawn_errno));
		rc = 78;
	} else if (c.interrupted || run_signal) {
		rc = wf_interrupted_code();
	} else if (c.status != 0) {
		errorf("setup-sdk failed with exit code %d (read the messages above; the venv is %s)", c.status, o->venv);
		rc = 78;
	} else
		rc = 0;
	child_free(&c);
	wf_free(&w);
	return rc;
}
