/* SPDX-License-Identifier: Apache-2.0 */
/*
 * aliyun.c: every `aliyun` argv is built here, and only here, so the user-agent
 * rule holds by construction: business calls (cs, sysom) carry --user-agent UA,
 * system calls (configure, plugin, version) never do, set-user-agent being the one
 * allowed exception.  Also the readers of the CLI's own text.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenterr.h"
#include "aliyun.h"
#include "i18n.h"
#include "msg.h"
#include "scrub.h"
#include "target.h"
#include "utf8.h"
#include "util.h"

/*
 * What no child inherits.  The AI mode of every call is the CLI's own switch,
 * ai-mode.json, which Step 0 turns on and the lease keeps on until the last run
 * leaves: the caller's ALIBABA_CLOUD_CLI_AI_MODE (which 3.5.x ranks above the file)
 * and ALIBABA_CLOUD_CLI_AGENT_INTEGRATION (which gates 3.5.x's agent detection) are
 * removed, so neither an inherited `=0` nor an agent's variables change the mode,
 * whatever the CLI's version.  Agent detection can only switch the mode on, which is
 * what Step 0 set.  3.4.11 reads none of these.  We never pass --cli-ai-mode or
 * --no-cli-ai-mode.  (README "AI mode of the calls"; doctor reports the same.)
 */
static const char *const child_unset[] = { "DEBUG", "NO_COLOR", "ALIBABA_CLOUD_CLI_AI_MODE",
	"ALIBABA_CLOUD_CLI_AGENT_INTEGRATION", NULL };

const char *
cli_step_name(enum call k)
{
	switch (k) {
	case CALL_AIMODE_ENABLE:	return N_("ai-mode enable");
	case CALL_AIMODE_UA:		return N_("ai-mode set-user-agent");
	case CALL_PLUGIN_UPDATE:	return N_("plugin update");
	case CALL_VERSION:		return N_("version check");
	case CALL_CONFIG_SET:		return N_("auto plugin install");
	case CALL_CONFIG_LIST:		return N_("credential check");
	case CALL_CS_GET:		return N_("cluster lookup (cs GET /clusters)");
	case CALL_INITIAL:		return N_("SysOM role initialization (initial-sysom)");
	case CALL_INVOKE:		return N_("invoke-diagnosis");
	case CALL_RESULT:		return N_("get-diagnosis-result");
	case CALL_AIMODE_DISABLE:	return N_("ai-mode disable");
	case CALL_STEP7:		return N_("VPC endpoint connection (Step 7)");
	case CALL_SETUP_SDK:		return N_("setup-sdk");
	case CALL_AIMODE_SHOW:		return N_("ai-mode show");
	}
	return "?";
}

static void
business(const struct cli *cli, const char **argv, int *n)
{
	if (cli->profile) {
		argv[(*n)++] = "--profile";
		argv[(*n)++] = cli->profile;
	}
	argv[(*n)++] = "--user-agent";
	argv[(*n)++] = SKILL_UA;
}

int
cli_argv(const struct cli *cli, enum call k, const char *arg, const char *arg2,
    const char **argv, char **owned)
{
	int n = 0;

	owned[0] = owned[1] = NULL;
	argv[n++] = cli->path;
	switch (k) {
	case CALL_AIMODE_ENABLE:
	case CALL_AIMODE_DISABLE:
		argv[n++] = "configure";
		argv[n++] = "ai-mode";
		argv[n++] = k == CALL_AIMODE_ENABLE ? "enable" : "disable";
		break;
	case CALL_AIMODE_SHOW:
		argv[n++] = "configure";
		argv[n++] = "ai-mode";
		argv[n++] = "show";
		break;
	case CALL_AIMODE_UA:
		/* The allowed exception: a config value being stored, not a request header. */
		argv[n++] = "configure";
		argv[n++] = "ai-mode";
		argv[n++] = "set-user-agent";
		argv[n++] = "--user-agent";
		argv[n++] = SKILL_UA;
		break;
	case CALL_PLUGIN_UPDATE:
		argv[n++] = "plugin";
		argv[n++] = "update";
		break;
	case CALL_VERSION:
		argv[n++] = "version";
		break;
	case CALL_CONFIG_SET:
		argv[n++] = "configure";
		argv[n++] = "set";
		argv[n++] = "--auto-plugin-install";
		argv[n++] = "true";
		break;
	case CALL_CONFIG_LIST:
		argv[n++] = "configure";
		argv[n++] = "list";
		break;
	case CALL_CS_GET:
		argv[n++] = "cs";
		argv[n++] = "GET";
		owned[0] = xasprintf("/clusters/%s", arg);
		argv[n++] = owned[0];
		business(cli, argv, &n);
		break;
	case CALL_INITIAL:
		argv[n++] = "sysom";
		argv[n++] = "initial-sysom";
		argv[n++] = "--check-only";
		argv[n++] = "false";
		argv[n++] = "--source";
		argv[n++] = "aes-skills";
		business(cli, argv, &n);
		break;
	case CALL_INVOKE:
		argv[n++] = "sysom";
		argv[n++] = "invoke-diagnosis";
		argv[n++] = "--service-name";
		argv[n++] = "ocd";
		argv[n++] = "--channel";
		argv[n++] = "ecs";
		argv[n++] = "--params";
		argv[n++] = arg;
		business(cli, argv, &n);
		break;
	case CALL_RESULT:
		argv[n++] = "sysom";
		argv[n++] = "get-diagnosis-result";
		argv[n++] = "--task-id";
		argv[n++] = arg;
		business(cli, argv, &n);
		break;
	case CALL_STEP7:
		owned[0] = xasprintf("%s/bin/python", cli->venv);
		owned[1] = xasprintf("%s/create-cluster-vpc-endpoint-connection.py", cli->scripts);
		argv[0] = owned[0];
		argv[n++] = owned[1];
		argv[n++] = "--region";
		argv[n++] = arg2;
		argv[n++] = "--cluster-id";
		argv[n++] = arg;
		if (cli->dry_run)
			argv[n++] = "--dry-run";
		break;
	case CALL_SETUP_SDK:
		owned[0] = xasprintf("%s/setup-sdk.sh", cli->scripts);
		argv[0] = "sh";
		argv[n++] = owned[0];
		argv[n++] = cli->venv;
		break;
	}
	argv[n] = NULL;
	return n;
}

static int
needs_quote(const char *s)
{
	if (*s == '\0')
		return 1;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_./:=,@%+", *s))
			return 1;
	return 0;
}

char *
cli_argv_string(const char *const *argv)
{
	struct buf b = {0};
	const char *p;
	char *r;
	int i;

	buf_add(&b, "", 0);
	for (i = 0; argv[i]; i++) {
		if (i)
			buf_adds(&b, " ");
		if (!needs_quote(argv[i])) {
			buf_adds(&b, argv[i]);
			continue;
		}
		buf_adds(&b, "'");
		for (p = argv[i]; *p; p++) {
			if (*p == '\'')
				buf_adds(&b, "'\\''");
			else
				buf_add(&b, p, 1);
		}
		buf_adds(&b, "'");
	}
	/* One line, masked: the argv is echoed with -v, --dry-run and in -o json "calls". */
	r = scrub_line(b.p);
	buf_free(&b);
	return r;
}

/* The request id of a call: from the JSON body (three casings), else the error text. */
static void
request_id_of(const struct child *c, char *out, size_t n)
{
	cJSON *j;
	const char *keys[] = { "RequestId", "request_id", "requestId" };
	struct cli_error e;
	size_t i;

	out[0] = '\0';
	j = cJSON_ParseWithLength(buf_str(&c->out), c->out.len);
	if (cJSON_IsObject(j)) {
		for (i = 0; i < 3; i++) {
			cJSON *v = cJSON_GetObjectItemCaseSensitive(j, keys[i]);

			if (cJSON_IsString(v) && v->valuestring[0]) {
				snprintf(out, n, "%s", v->valuestring);
				break;
			}
		}
	}
	cJSON_Delete(j);
	if (out[0] == '\0' && c->err.len) {
		cli_parse_error(buf_str(&c->err), buf_str(&c->out), &e);
		snprintf(out, n, "%s", e.request_id);
	}
}

/* The pod an invoke's --params name, "CLUSTER NAMESPACE POD" (names hold no space). */
static void
invoke_target(const char *params, char *out, size_t n)
{
	cJSON *j = cJSON_Parse(params ? params : "");
	const char *f[3] = { "cluster_id", "namespace", "pod" }, *v[3];
	int i;

	for (i = 0; i < 3; i++) {
		v[i] = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, f[i]));
		if (v[i] == NULL || *v[i] == '\0' || strchr(v[i], ' '))
			v[i] = "-";
	}
	snprintf(out, n, "%s %s %s", v[0], v[1], v[2]);
	cJSON_Delete(j);
}

/*
 * The calls that rewrite a file of the user's: config.json (every profile and its
 * keys) or ai-mode.json.  The CLI truncates the file, then writes it (os.WriteFile),
 * so such a call is let finish (run.h, `finish`): stopped in between, it would
 * leave the file empty.
 */
static int
rewrites_config(enum call k)
{
	return k == CALL_CONFIG_SET || k == CALL_AIMODE_ENABLE || k == CALL_AIMODE_UA ||
	    k == CALL_AIMODE_DISABLE;
}

/* A signal came during a `finish` call: it goes on, and the user is told why. */
static void
hold_note(const struct child *c)
{
	char *line = cli_argv_string(c->argv);

	notef("waiting for `%s` to finish rewriting its file (stopped part-way, it would leave the file empty); a second Ctrl-C stops it now",
	    line);
	free(line);
}

int
call_start(struct cli *cli, struct cli_call *cl, enum call k, const char *arg, const char *arg2,
    struct child *c)
{
	memset(cl, 0, sizeof(*cl));
	cl->c = c;
	cl->k = k;
	cli_argv(cli, k, arg, arg2, cl->argv, cl->owned);
	cl->set[0] = "NO_COLOR=1";
	if (k == CALL_STEP7 && cli->profile) {
		snprintf(cl->profenv, sizeof(cl->profenv), "ALIBABA_CLOUD_PROFILE=%s", cli->profile);
		cl->set[1] = cl->profenv;
	}
	if (k == CALL_SETUP_SDK && i18n_translating()) {
		/* setup-sdk.sh speaks through gettext(1) from our catalog, in our language. */
		snprintf(cl->textdir, sizeof(cl->textdir), "TEXTDOMAINDIR=%s", i18n_localedir());
		cl->set[1] = cl->textdir;
		cl->set[2] = "LANGUAGE=zh_CN";
		cl->set[3] = "LC_ALL=C.UTF-8";
	}
	c->argv = cl->argv;
	c->finish = rewrites_config(k);
	run_on_hold = hold_note;
	c->env_set = cl->set;
	c->env_unset = child_unset;
	if (c->timeout == 0 && k != CALL_SETUP_SDK)
		c->timeout = cli->timeout;
	cl->line = cli_argv_string(cl->argv);
	verbosef("run: %s", cl->line);
	if (k == CALL_INVOKE && msg_event_fd >= 0) {
		/* The MCP server stops no worker in the middle of one, nor invokes its pod again. */
		invoke_target(arg, cl->target, sizeof(cl->target));
		eventf("invoking %s", cl->target);
	}
	cl->spawn_rc = run_start(c);
	return cl->spawn_rc;
}

void
call_finish(struct cli *cli, struct cli_call *cl)
{
	struct child *c = cl->c;
	char rid[128];
	cJSON *rec;

	/* A CLI that colours its output despite NO_COLOR: strip, so parsing sees text. */
	if (c->out.p)
		strip_ansi(c->out.p), c->out.len = strlen(c->out.p);
	if (c->err.p)
		strip_ansi(c->err.p), c->err.len = strlen(c->err.p);
	if (cli->calls) {
		rec = cJSON_CreateObject();
		cJSON_AddStringToObject(rec, "step", cli_step_name(cl->k));
		cJSON_AddStringToObject(rec, "argv", cl->line);
		if (cl->spawn_rc == -1) {
			cJSON_AddNullToObject(rec, "exit_code");
			cJSON_AddStringToObject(rec, "error", "could not start");
		} else {
			cJSON_AddNumberToObject(rec, "exit_code", c->status);
			if (c->timed_out)
				cJSON_AddStringToObject(rec, "error", "timed out");
			else if (c->interrupted)
				cJSON_AddStringToObject(rec, "error", "interrupted");
			else if (c->overflow)
				cJSON_AddStringToObject(rec, "error", "output too large");
		}
		cJSON_AddNumberToObject(rec, "duration_ms", (double)(long)(c->elapsed * 1000 + 0.5));
		request_id_of(c, rid, sizeof(rid));
		if (rid[0])
			cJSON_AddStringToObject(rec, "request_id", rid);
		else
			cJSON_AddNullToObject(rec, "request_id");
		cJSON_AddItemToArray(cli->calls, rec);
	}
	if (cl->k == CALL_INVOKE && msg_event_fd >= 0)
		eventf("invoked %s", cl->target);
	free(cl->line);
	free(cl->owned[0]);
	free(cl->owned[1]);
	cl->line = cl->owned[0] = cl->owned[1] = NULL;
	c->argv = NULL;
	c->env_set = NULL;
}

int
cli_run(struct cli *cli, enum call k, const char *arg, const char *arg2, struct child *c)
{
	struct cli_call cl;

	if (call_start(cli, &cl, k, arg, arg2, c) == 0)
		run_wait(c);
	call_finish(cli, &cl);
	return cl.spawn_rc;
}

void
strip_ansi(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\033' && s[1] == '[') {
			s += 2;
			while (*s && ((*s >= '0' && *s <= '9') || *s == ';'))
				s++;
			if (*s)
				s++;
			continue;
		}
		*w++ = *s++;
	}
	*w = '\0';
}

/* Copy the value of "Key: value" from a block (indented or not) into out. */
/* Copy at most len bytes of src (up to its NUL) into dst[size], cut on a character. */
static void
copy_field(char *dst, size_t size, const char *src, size_t len)
{
	len = strnlen(src, len);
	len = utf8_cut(src, len, size - 1);
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static int
block_field(const char *text, const char *key, char *out, size_t n)
{
	const char *p = text, *e;
	size_t klen = strlen(key);

	while (p && *p) {
		const char *q = p;

		while (*q == ' ' || *q == '\t')
			q++;
		if (strncmp(q, key, klen) == 0 && q[klen] == ':') {
			q += klen + 1;
			while (*q == ' ')
				q++;
			e = strchr(q, '\n');
			if (e == NULL)
				e = q + strlen(q);
			copy_field(out, n, q, (size_t)(e - q));
			return 1;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

/* Read code/message/request id out of a JSON body with either casing. */
static void
error_from_body(const char *body, struct cli_error *e)
{
	cJSON *j = cJSON_Parse(body);
	const char *ck[] = { "Code", "code" }, *mk[] = { "Message", "message" };
	const char *rk[] = { "RequestId", "requestId", "request_id" };
	cJSON *v;
	int i;

	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return;
	}
	for (i = 0; i < 2 && e->code[0] == '\0'; i++)
		if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(j, ck[i])))
			copy_field(e->code, sizeof(e->code), v->valuestring, SIZE_MAX);
	for (i = 0; i < 2; i++)
		if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(j, mk[i]))) {
			copy_field(e->message, sizeof(e->message), v->valuestring, SIZE_MAX);
			break;
		}
	for (i = 0; i < 3 && e->request_id[0] == '\0'; i++)
		if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(j, rk[i])))
			copy_field(e->request_id, sizeof(e->request_id), v->valuestring, SIZE_MAX);
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(j, "status")) && !e->http_status)
		e->http_status = v->valueint;
	cJSON_Delete(j);
}

static void
parse_error(const char *err, const char *out, struct cli_error *e)
{
	char tmp[1024];
	const char *p;

	memset(e, 0, sizeof(*e));
	/* CLI 3.5.x in AI mode: the compact JSON envelope (src/agenterr.c). */
	if (agent_error_parse(err, strlen(err), e))
		return;
	if (strstr(err, "SDK.ServerError")) {
		/* Built-in call: ErrorCode/RequestId may be empty; Message then holds the raw body. */
		block_field(err, "ErrorCode", e->code, sizeof(e->code));
		block_field(err, "RequestId", e->request_id, sizeof(e->request_id));
		block_field(err, "Message", e->message, sizeof(e->message));
		if (e->message[0] == '{') {
			snprintf(tmp, sizeof(tmp), "%s", e->message);
			error_from_body(tmp, e);
		}
		return;
	}
	if ((p = strstr(err, "SDKError:")) != NULL) {
		/* Plugin (tea) error block. */
		if (block_field(p, "StatusCode", tmp, sizeof(tmp)))
			e->http_status = atoi(tmp);
		block_field(p, "Code", e->code, sizeof(e->code));
		if (block_field(p, "Data", tmp, sizeof(tmp)))
			error_from_body(tmp, e);
		if (block_field(p, "Message", tmp, sizeof(tmp))) {
			/* "code: 400, <message> request id: <id>" */
			char *m = tmp, *r;

			if (strncmp(m, "code: ", 6) == 0 && (r = strchr(m, ',')) != NULL)
				m = r + 1 + (r[1] == ' ');
			if ((r = strstr(m, " request id: ")) != NULL) {
				if (e->request_id[0] == '\0')
					copy_field(e->request_id, sizeof(e->request_id), r + 13, SIZE_MAX);
				*r = '\0';
			}
			copy_field(e->message, sizeof(e->message), m, SIZE_MAX);
		}
		return;
	}
	/* A body on stdout (exit 0 with an error code, or a plugin printing JSON). */
	if (out && *out == '{')
		error_from_body(out, e);
	if (e->code[0] || e->message[0])
		return;
	/* Plain "ERROR: text" or Cobra's "Error: text": the first such line. */
	for (p = err; p && *p; ) {
		if (strncmp(p, "ERROR: ", 7) == 0 || strncmp(p, "Error: ", 7) == 0) {
			const char *end = strchr(p, '\n');
			size_t n = end ? (size_t)(end - p - 7) : strlen(p + 7);

			copy_field(e->message, sizeof(e->message), p + 7, n);
			return;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	/* Anything else: the first non-empty line, trimmed. */
	for (p = err; *p == '\n' || *p == ' '; p++)
		;
	if (*p) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		copy_field(e->message, sizeof(e->message), p, n);
	}
}

/*
 * The fields are copied raw (a JSON body among them must still parse), then scrubbed:
 * what the CLI said is masked, valid UTF-8 and cut on a character before anyone prints it.
 */
/*
 * The RAM action a denial names (AccessDeniedDetail.AuthAction: a Go map on 3.4.11's
 * stderr, JSON in a plugin's Data or a body): kept only when it has an action's shape,
 * "service:Action", so nothing else of the text reaches our line.
 */
static void
auth_action(const char *text, char *out, size_t n)
{
	const char *p = text ? strstr(text, "AuthAction") : NULL;
	size_t len = 0, colon = 0, i;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += strlen("AuthAction");
	while (*p == '"' || *p == ':' || *p == ' ')
		p++;
	while (p[len] && (isalnum((unsigned char)p[len]) || p[len] == '-' || p[len] == ':' ||
	    p[len] == '*') && len < n - 1)
		len++;
	for (i = 0; i < len; i++)
		colon += p[i] == ':';
	if (colon != 1 || !islower((unsigned char)p[0]) || p[len - 1] == ':')
		return;
	memcpy(out, p, len);
	out[len] = '\0';
}

void
cli_parse_error(const char *err, const char *out, struct cli_error *e)
{
	parse_error(err, out, e);
	auth_action(err, e->auth_action, sizeof(e->auth_action));
	if (e->auth_action[0] == '\0')
		auth_action(out, e->auth_action, sizeof(e->auth_action));
	scrub_copy(e->code, sizeof(e->code), e->code, strlen(e->code));
	scrub_copy(e->message, sizeof(e->message), e->message, strlen(e->message));
	scrub_copy(e->request_id, sizeof(e->request_id), e->request_id, strlen(e->request_id));
}

int
cli_error_is_permission(const struct cli_error *e, const char *text)
{
	static const char *codes[] = { "Forbidden", "NoPermission", "ErrorCheckAcl",
	    "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidSecurityToken",
	    "NotAuthorized", "Unauthorized", "AccessDenied", "IncompleteSignature",
	    "SysomOpenAPIAssumeRoleException", NULL };
	int i;

	if (e->http_status == 401 || e->http_status == 403)
		return 1;
	for (i = 0; codes[i]; i++)
		if (strncmp(e->code, codes[i], strlen(codes[i])) == 0 ||
		    (text && strstr(text, codes[i])))
			return 1;
	return 0;
}

int
cli_error_is_not_found(const struct cli_error *e, const char *text)
{
	(void)text;
	if (e->http_status == 404)
		return 1;
	return strstr(e->code, "NotFound") != NULL || strstr(e->code, "NotExist") != NULL;
}

int
cli_error_is_throttled(const struct cli_error *e)
{
	return e->http_status == 429 || e->http_status == 503 ||
	    strncmp(e->code, "Throttling", 10) == 0 ||
	    strncmp(e->code, "ServiceUnavailable", 18) == 0;
}

int
parse_version(const char *s, int v[3])
{
	int n = 0, i;
	long x;
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == 'v')
		s++;
	for (i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		x = strtol(s, &end, 10);
		if (x > 100000)
			return -1;
		v[i] = (int)x;
		n++;
		s = end;
		if (i < 2) {
			if (*s != '.')
				return -1;
			s++;
		}
	}
	/* Allow a pre-release or build suffix, then only a line end. */
	if (*s == '-' || *s == '+')
		while (*s && *s != '\n' && !isspace((unsigned char)*s))
			s++;
	while (*s == '\n' || *s == '\r' || *s == ' ')
		s++;
	return *s == '\0' && n == 3 ? 0 : -1;
}

int
version_cmp(const int a[3], const int b[3])
{
	int i;

	for (i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

int
parse_configure_list(const char *text, const char *want, char *name, size_t n)
{
	const char *line = text, *next;
	char cell[3][256];
	int seen_header = 0;

	if (name && n)
		name[0] = '\0';
	for (; line && *line; line = next) {
		const char *end = strchr(line, '\n');
		const char *p, *q;
		int i, cur;

		next = end ? end + 1 : NULL;
		if (end == NULL)
			end = line + strlen(line);
		/*
		 * The header is the first "Profile ... |" line and the separator the
		 * one right after it; later lines are profiles, whatever their names
		 * ("ProfileProd", "---x" are valid profile names).
		 */
		if (seen_header == 0) {
			if (strncmp(line, "Profile", 7) == 0 && memchr(line, '|', (size_t)(end - line)))
				seen_header = 1;
			continue;
		}
		if (seen_header == 1) {
			seen_header = 2;
			if (strncmp(line, "---", 3) == 0)
				continue;
		}
		/* Cells: name, credential, valid. */
		p = line;
		for (i = 0; i < 3; i++) {
			q = memchr(p, '|', (size_t)(end - p));
			if (q == NULL)
				q = end;
			while (p < q && *p == ' ')
				p++;
			size_t len = (size_t)(q - p);
			while (len && p[len - 1] == ' ')
				len--;
			if (len >= sizeof(cell[i]))
				len = sizeof(cell[i]) - 1;
			memcpy(cell[i], p, len);
			cell[i][len] = '\0';
			p = q < end ? q + 1 : end;
		}
		cur = 0;
		size_t l = strlen(cell[0]);
		if (l >= 2 && strcmp(cell[0] + l - 2, " *") == 0) {
			cell[0][l - 2] = '\0';
			cur = 1;
		}
		if (want ? strcmp(cell[0], want) == 0 : cur) {
			if (name && n)
				snprintf(name, n, "%s", cell[0]);
			return strcmp(cell[2], "Valid") == 0 ? 1 : 0;
		}
	}
	return -1;
}

static char *
str_field(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) && v->valuestring ? xstrdup(v->valuestring) : NULL;
}

int
cluster_parse(const char *text, size_t len, struct cluster_info *ci)
{
	cJSON *j = cJSON_ParseWithLength(text, len);
	int rc = 0;

	memset(ci, 0, sizeof(*ci));
	if (!cJSON_IsObject(j)) {
		rc = -1;
		goto out;
	}
	ci->region = str_field(j, "region_id");
	if (ci->region == NULL || !valid_region(ci->region)) {
		rc = -2;
		goto out;
	}
	ci->name = str_field(j, "name");
	ci->profile = str_field(j, "profile");
	ci->state = str_field(j, "state");
out:
	cJSON_Delete(j);
	if (rc != 0)
		cluster_info_free(ci);
	return rc;
}

void
cluster_info_free(struct cluster_info *ci)
{
	free(ci->name);
	free(ci->region);
	free(ci->profile);
	free(ci->state);
	memset(ci, 0, sizeof(*ci));
}

/*
 * The real CLI's startup quirk: with a corrupt config.json, or "current" naming a
 * missing profile, every command (version included) prints only
 * "ERROR: load current configuration failed <why>" on stderr, no newline, and exits 0.
 */
int
cli_report_broken_config(const char *step, const struct child *c)
{
	const char *err = buf_str(&c->err);
	const char *p = strstr(err, "load current configuration failed");
	const char *home = getenv("HOME");
	size_t n;

	if (c->status != 0 || p == NULL)
		return 0;
	n = strcspn(p, "\n");
	errorf("%s: the aliyun CLI's configuration is broken: %s/.aliyun/config.json: %.*s (repair or move that file, then run `aliyun configure`)",
	    step, home && *home ? home : "~", (int)(n > 300 ? 300 : n), p);
	return 77;
}

/*
 * The ways the CLI says the sysom plugin is missing and could not be installed:
 * auto-install failing, an install prompt without a terminal, no plugin index.
 * 3.4.11 quotes the product 'sysom'; 3.5.x quotes it with Go's %q ("sysom", in
 * openapi's InvalidProductOrPluginError), and in AI mode writes that message in
 * the JSON envelope, where the quotes are escaped (\"sysom\").
 */
int
cli_plugin_missing(const char *err)
{
	static const char *const signs[] = { "'sysom' is not a valid", "\"sysom\" is not a valid",
	    "\\\"sysom\\\" is not a valid",
	    "Plugin 'aliyun-cli-sysom' is required", "plugin install --names aliyun-cli-sysom",
	    "failed to install plugin 'aliyun-cli-sysom'", NULL };
	int i;

	for (i = 0; signs[i]; i++)
		if (strstr(err, signs[i]))
			return 1;
	return 0;
}

int
cli_tip_is_config(const char *err)
{
	static const char *const signs[] = { "configur", "profile", "credential", "access_key",
	    "accesskey", "region can't be empty", NULL };
	int i;

	for (i = 0; signs[i]; i++)
		if (strcasestr(err, signs[i]))
			return 1;
	return 0;
}

void
cli_error_tip(const char *err, char *out, size_t n)
{
	const char *p = strstr(err, "ERROR: "), *end;

	out[0] = '\0';
	if (p == NULL || (p = strchr(p, '\n')) == NULL)
		return;
	while (*p == '\n' || *p == ' ' || *p == '\t')
		p++;
	end = p + strcspn(p, "\n");
	if (end > p)
		scrub_copy(out, n, p, (size_t)(end - p));
}
