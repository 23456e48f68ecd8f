/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.c: the only module that renders.  It reads get-diagnosis-result bodies
 * (data.result as an object or as a JSON string, summary as an object or a plain
 * string, issue items under whatever key names they come with) and writes the
 * Step 9 report as text, Markdown or one JSON document.  Everything it writes
 * passes scrub_text() first: the result text comes from the cloud.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "redact.h"
#include "report.h"
#include "scrub.h"
#include "timewin.h"
#include "util.h"

const char *const issue_severity_keys[] = { "severity", "level", "status", "overall_status", NULL };
const char *const issue_title_keys[] = { "title", "name", "item", "summary", NULL };
const char *const issue_detail_keys[] = { "detail", "description", "message", "desc", "reason", NULL };
const char *const issue_area_keys[] = { "subsystem", "category", "type", "module", NULL };

static char *
dupstr(const cJSON *v)
{
	return cJSON_IsString(v) && v->valuestring ? xstrdup(v->valuestring) : NULL;
}

const char *
issue_field(const cJSON *item, const char *const *names)
{
	const cJSON *v;
	int i;

	if (!cJSON_IsObject(item))
		return NULL;
	for (i = 0; names[i]; i++) {
		v = cJSON_GetObjectItemCaseSensitive(item, names[i]);
		if (cJSON_IsString(v) && v->valuestring[0])
			return v->valuestring;
	}
	return NULL;
}

static enum overall
overall_of(const char *s)
{
	if (s == NULL || *s == '\0')
		return OVERALL_NONE;
	if (strcasecmp(s, "Info") == 0 || strcasecmp(s, "Normal") == 0 ||
	    strcasecmp(s, "Healthy") == 0 || strcasecmp(s, "OK") == 0)
		return OVERALL_INFO;
	if (strcasecmp(s, "Warn") == 0 || strcasecmp(s, "Warning") == 0)
		return OVERALL_WARN;
	if (strcasecmp(s, "Critical") == 0 || strcasecmp(s, "Error") == 0)
		return OVERALL_CRITICAL;
	return OVERALL_OTHER;
}

const char *
overall_name(enum overall o)
{
	switch (o) {
	case OVERALL_INFO:	return "Info";
	case OVERALL_WARN:	return "Warn";
	case OVERALL_CRITICAL:	return "Critical";
	case OVERALL_OTHER:	return "Unknown";
	case OVERALL_NONE:	return "None";
	}
	return "Unknown";
}

/* The overall status for people: the code in English, a word in other languages. */
const char *
overall_label(enum overall o)
{
	static const char *const words[] = {
		[OVERALL_INFO] = N_("Info"), [OVERALL_WARN] = N_("Warn"),
		[OVERALL_CRITICAL] = N_("Critical"), [OVERALL_OTHER] = N_("Unknown"),
		[OVERALL_NONE] = N_("None"),
	};

	return _(words[o]);
}

int
diag_exit_code(const struct diag *d)
{
	switch (d->overall) {
	case OVERALL_INFO:	return 0;
	case OVERALL_CRITICAL:	return 2;
	default:		return 1;	/* Warn, and anything we cannot vouch for */
	}
}

void
diag_free(struct diag *d)
{
	free(d->status);
	free(d->err_msg);
	free(d->url);
	free(d->overall_raw);
	free(d->root_cause);
	free(d->mode_raw);
	cJSON_Delete(d->suggestions);
	cJSON_Delete(d->issues);
	cJSON_Delete(d->result);
	memset(d, 0, sizeof(*d));
}

/* Suggestions: an array of strings, a single string, or objects with a text field. */
static cJSON *
suggestions_of(const cJSON *v)
{
	cJSON *arr = xnn(cJSON_CreateArray()), *it;
	const char *t;

	if (cJSON_IsString(v) && v->valuestring[0])
		xok(cJSON_AddItemToArray(arr, xnn(cJSON_CreateString(v->valuestring))));
	else if (cJSON_IsArray(v))
		cJSON_ArrayForEach(it, v) {
			if (cJSON_IsString(it))
				xok(cJSON_AddItemToArray(arr, xnn(cJSON_CreateString(it->valuestring))));
			else if ((t = issue_field(it, issue_detail_keys)) != NULL ||
			    (t = issue_field(it, issue_title_keys)) != NULL)
				xok(cJSON_AddItemToArray(arr, xnn(cJSON_CreateString(t))));
		}
	return arr;
}

static void
parse_result(cJSON *res, struct diag *d)
{
	cJSON *sum, *v;

	d->mode_raw = dupstr(cJSON_GetObjectItemCaseSensitive(res, "diagnose_mode"));
	sum = cJSON_GetObjectItemCaseSensitive(res, "summary");
	if (cJSON_IsObject(sum)) {
		d->overall_raw = dupstr(cJSON_GetObjectItemCaseSensitive(sum, "overall_status"));
		d->root_cause = dupstr(cJSON_GetObjectItemCaseSensitive(sum, "root_cause"));
		d->suggestions = suggestions_of(cJSON_GetObjectItemCaseSensitive(sum, "suggestions"));
	} else {
		/* Older services: summary is a plain string; take it as the root cause. */
		if (cJSON_IsString(sum))
			d->root_cause = dupstr(sum);
		d->overall_raw = dupstr(cJSON_GetObjectItemCaseSensitive(res, "overall_status"));
		d->suggestions = suggestions_of(cJSON_GetObjectItemCaseSensitive(res, "suggestions"));
	}
	v = cJSON_GetObjectItemCaseSensitive(res, "issues");
	d->issues = xnn(cJSON_IsArray(v) ? cJSON_Duplicate(v, 1) : cJSON_CreateArray());
	d->overall = overall_of(d->overall_raw);
	/*
	 * No overall status: judge by the worst issue severity.  With none to judge
	 * by (a plain-text summary, say), do not call it healthy: it is unknown.
	 */
	if (d->overall == OVERALL_NONE) {
		cJSON *it;
		enum overall worst = OVERALL_NONE, o;

		cJSON_ArrayForEach(it, d->issues) {
			o = overall_of(issue_field(it, issue_severity_keys));
			if (o == OVERALL_CRITICAL || (o == OVERALL_WARN && worst != OVERALL_CRITICAL) ||
			    (o == OVERALL_INFO && worst == OVERALL_NONE))
				worst = o;
		}
		d->overall = worst == OVERALL_NONE ? OVERALL_OTHER : worst;
	}
}

int
diag_parse(const char *text, size_t len, struct diag *d, char *err, size_t errlen)
{
	cJSON *j, *data, *code, *res, *v;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	j = cJSON_ParseWithLength(text, len);
	if (!cJSON_IsObject(j)) {
		snprintf(err, errlen, "%s", N_("the answer is not a JSON object"));
		goto out;
	}
	code = cJSON_GetObjectItemCaseSensitive(j, "code");
	if (cJSON_IsString(code) && strcmp(code->valuestring, "Success") != 0) {
		v = cJSON_GetObjectItemCaseSensitive(j, "message");
		snprintf(err, errlen, "%s: %s", code->valuestring,
		    cJSON_IsString(v) ? v->valuestring : "");
		goto out;
	}
	data = cJSON_GetObjectItemCaseSensitive(j, "data");
	if (!cJSON_IsObject(data)) {
		snprintf(err, errlen, "%s", N_("the answer has no data object"));
		goto out;
	}
	d->status = dupstr(cJSON_GetObjectItemCaseSensitive(data, "status"));
	if (d->status == NULL) {
		snprintf(err, errlen, "%s", N_("the answer has no data.status"));
		goto out;
	}
	d->err_msg = dupstr(cJSON_GetObjectItemCaseSensitive(data, "err_msg"));
	d->url = dupstr(cJSON_GetObjectItemCaseSensitive(data, "url"));
	if (strcmp(d->status, "Success") == 0)
		d->state = TASK_SUCCESS;
	else if (strcmp(d->status, "Fail") == 0 || strcmp(d->status, "Failed") == 0)
		d->state = TASK_FAIL;
	else if (strcmp(d->status, "Ready") == 0 || strcmp(d->status, "Running") == 0 ||
	    strcmp(d->status, "Pending") == 0 || strcmp(d->status, "Created") == 0)
		d->state = TASK_PENDING;
	else
		d->state = TASK_UNKNOWN;
	if (d->state == TASK_SUCCESS) {
		res = cJSON_GetObjectItemCaseSensitive(data, "result");
		if (cJSON_IsString(res)) {
			/* data.result is typed `any`: it arrives as an object or as JSON text. */
			d->result = cJSON_Parse(res->valuestring);
			if (!cJSON_IsObject(d->result)) {
				cJSON_Delete(d->result);
				d->result = xnn(cJSON_CreateObject());
				xnn(cJSON_AddStringToObject(d->result, "summary", res->valuestring));
			}
		} else if (cJSON_IsObject(res)) {
			d->result = xnn(cJSON_Duplicate(res, 1));
		} else {
			snprintf(err, errlen, "%s", N_("the task succeeded but its result is missing"));
			goto out;
		}
		parse_result(d->result, d);
	}
	rc = 0;
out:
	cJSON_Delete(j);
	if (rc == -1)
		diag_free(d);
	return rc;
}

static const char *
or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* What the task did not tell us (ackprof result without the task's params). */
static const char *
or_unknown(const char *s)
{
	return s && *s ? s : _("unknown");
}

const char *
report_mode(const struct report *r)
{
	if (r->mode_unknown)
		return NULL;
	return r->historical ? "historical" : "realtime";
}

static void
window_line(struct buf *b, const struct report *r)
{
	char s[32], e[32];

	if (r->mode_unknown) {
		buf_adds(b, _("unknown"));
		return;
	}
	if (!r->historical) {
		buf_adds(b, _("real-time"));
		return;
	}
	if (r->start_time <= 0) {
		buf_adds(b, _("historical, window unknown"));
		return;
	}
	timewin_fmt(r->start_time, s, sizeof(s));
	timewin_fmt(r->end_time, e, sizeof(e));
	buf_printf(b, _("historical, %s to %s (local time; %lld-%lld)"), s, e,
	    (long long)r->start_time, (long long)r->end_time);
}

/* Write b to f masked, valid UTF-8, controls but the layout's newlines and tabs escaped. */
static void
flush_redacted(FILE *f, struct buf *b)
{
	char *red = scrub_text(buf_str(b), b->len, 1);

	fputs(red, f);
	fflush(f);
	free(red);
	buf_free(b);
}

static void
status_line(struct buf *b, const struct diag *d)
{
	buf_adds(b, overall_label(d->overall));
	if (d->overall == OVERALL_OTHER && d->overall_raw && *d->overall_raw)
		buf_printf(b, _(" (SysOM said \"%s\"; treated as Warn)"), d->overall_raw);
	else if (d->overall == OVERALL_OTHER)
		buf_adds(b, _(" (SysOM gave no overall status; treated as Warn)"));
}

/* The head of the text report: labels padded to one column, in every language. */
enum head { H_CLUSTER, H_MODE, H_DESC, H_TASK, H_STATUS, H_N };

static void
head(struct buf *b, enum head h)
{
	static const char *const labels[H_N] = {
		N_("Cluster:"), N_("Mode:"), N_("Description:"), N_("Task:"), N_("Status:"),
	};

	buf_adds(b, "  ");
	buf_addpad(b, _(labels[h]), i18n_widest(labels, H_N) + 2);
}

static const char *
root_cause_text(const struct diag *d)
{
	return d->root_cause && *d->root_cause ? d->root_cause :
	    _("None found: no anomaly was detected.");
}

static void
text_issue(struct buf *b, const cJSON *it)
{
	const char *sev = issue_field(it, issue_severity_keys);
	const char *area = issue_field(it, issue_area_keys);
	const char *title = issue_field(it, issue_title_keys);
	const char *detail = issue_field(it, issue_detail_keys);

	buf_printf(b, "  [%s] ", or_dash(sev));
	if (area)
		buf_printf(b, _("%s: "), area);
	if (title)
		buf_adds(b, title);
	else if (cJSON_IsString(it))
		buf_adds(b, it->valuestring);
	else {
		char *raw = cJSON_PrintUnformatted(it);

		buf_adds(b, raw ? raw : "?");
		free(raw);
	}
	buf_adds(b, "\n");
	if (detail)
		buf_printf(b, "      %s\n", detail);
}

void
report_text(FILE *f, const struct report *r)
{
	const struct diag *d = r->diag;
	struct buf b = {0};
	const cJSON *it;
	int i = 0;

	buf_printf(&b, _("SysOM diagnosis of pod %s/%s\n\n"), or_unknown(r->namespace), or_unknown(r->pod));
	head(&b, H_CLUSTER);
	if (r->cluster_name && *r->cluster_name)
		buf_printf(&b, "%s (%s), %s\n", r->cluster_name, or_unknown(r->cluster_id),
		    or_unknown(r->region));
	else
		buf_printf(&b, "%s, %s\n", or_unknown(r->cluster_id), or_unknown(r->region));
	head(&b, H_MODE);
	window_line(&b, r);
	buf_adds(&b, "\n");
	if (r->description && *r->description) {
		head(&b, H_DESC);
		buf_printf(&b, "%s\n", r->description);
	}
	head(&b, H_TASK);
	buf_printf(&b, "%s (%s)\n", r->task_id, or_dash(d->status));
	head(&b, H_STATUS);
	status_line(&b, d);
	buf_printf(&b, "\n\n%s\n  %s\n", _("Root cause"), root_cause_text(d));
	buf_printf(&b, _("\nIssues (%d)\n"), cJSON_GetArraySize(d->issues));
	if (cJSON_GetArraySize(d->issues) == 0)
		buf_printf(&b, "  %s\n", _("none"));
	cJSON_ArrayForEach(it, d->issues)
		text_issue(&b, it);
	buf_printf(&b, "\n%s\n", _("Recommendations"));
	if (cJSON_GetArraySize(d->suggestions) == 0)
		buf_printf(&b, "  %s\n", _("none"));
	cJSON_ArrayForEach(it, d->suggestions)
		buf_printf(&b, "  %d. %s\n", ++i, it->valuestring);
	flush_redacted(f, &b);
}

/*
 * Markdown table cells must not break the row.  The cell is masked before its newlines
 * become <br>: a credential wrapped over two lines must still be seen as one.
 */
static void
md_cell(struct buf *b, const char *cell)
{
	char *red = redacts(cell ? cell : "-");
	const char *s;

	for (s = red; *s; s++) {
		if (*s == '|')
			buf_adds(b, "\\|");
		else if (*s == '\n')
			buf_adds(b, "<br>");
		else
			buf_add(b, s, 1);
	}
	free(red);
}

void
report_markdown(FILE *f, const struct report *r)
{
	const struct diag *d = r->diag;
	struct buf b = {0};
	const cJSON *it;
	int i = 0;

	buf_printf(&b, _("## SysOM diagnosis: `%s/%s`\n\n"), or_unknown(r->namespace), or_unknown(r->pod));
	buf_printf(&b, "| %s | %s |\n|---|---|\n", _("Field"), _("Value"));
	if (r->cluster_name && *r->cluster_name)
		buf_printf(&b, "| %s | %s (`%s`) |\n", _("Cluster"), r->cluster_name,
		    or_unknown(r->cluster_id));
	else
		buf_printf(&b, "| %s | `%s` |\n", _("Cluster"), or_unknown(r->cluster_id));
	buf_printf(&b, "| %s | %s |\n", _("Region"), or_unknown(r->region));
	if (r->description && *r->description) {
		buf_printf(&b, "| %s | ", _("Description"));
		md_cell(&b, r->description);
		buf_adds(&b, " |\n");
	}
	buf_printf(&b, "| %s | ", _("Mode"));
	window_line(&b, r);
	buf_adds(&b, " |\n");
	buf_printf(&b, "| %s | `%s` (%s) |\n", _("Task"), r->task_id, or_dash(d->status));
	buf_printf(&b, "| %s | **", _("Overall status"));
	status_line(&b, d);
	buf_printf(&b, "** |\n\n### %s\n\n", _("Root cause"));
	buf_printf(&b, "%s\n\n", root_cause_text(d));
	buf_printf(&b, _("### Issues (%d)\n\n"), cJSON_GetArraySize(d->issues));
	if (cJSON_GetArraySize(d->issues) == 0)
		buf_printf(&b, "%s\n\n", _("None."));
	else {
		buf_printf(&b, "| %s | %s | %s | %s |\n|---|---|---|---|\n", _("Severity"), _("Area"),
		    _("Issue"), _("Detail"));
		cJSON_ArrayForEach(it, d->issues) {
			buf_adds(&b, "| ");
			md_cell(&b, issue_field(it, issue_severity_keys));
			buf_adds(&b, " | ");
			md_cell(&b, issue_field(it, issue_area_keys));
			buf_adds(&b, " | ");
			md_cell(&b, issue_field(it, issue_title_keys));
			buf_adds(&b, " | ");
			md_cell(&b, issue_field(it, issue_detail_keys));
			buf_adds(&b, " |\n");
		}
		buf_adds(&b, "\n");
	}
	buf_printf(&b, "### %s\n\n", _("Recommendations"));
	if (cJSON_GetArraySize(d->suggestions) == 0)
		buf_printf(&b, "%s\n", _("None."));
	cJSON_ArrayForEach(it, d->suggestions)
		buf_printf(&b, "%d. %s\n", ++i, it->valuestring);
	flush_redacted(f, &b);
}

void
json_add_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		xnn(cJSON_AddStringToObject(o, k, v));
	else
		xnn(cJSON_AddNullToObject(o, k));
}

/* o[k] = a deep copy of v, or empty() when there is no v; out of memory exits 70. */
static void
add_copy(cJSON *o, const char *k, const cJSON *v, cJSON *(*empty)(void))
{
	xok(cJSON_AddItemToObject(o, k, xnn(v ? cJSON_Duplicate(v, 1) : empty())));
}

/*
 * Every cJSON allocation here is checked (xnn, xok): ackprof's cJSON allocates through
 * xmalloc and exits 70 itself, and any other allocator gets the same exit, never a
 * document with a field silently missing (tests/unit/test_oom.c).
 */
cJSON *
report_json(const struct report *r, int exit_code)
{
	const struct diag *d = r->diag;
	cJSON *o = xnn(cJSON_CreateObject());

	json_add_str(o, "cluster_id", r->cluster_id && *r->cluster_id ? r->cluster_id : NULL);
	json_add_str(o, "cluster_name", r->cluster_name);
	json_add_str(o, "region", r->region);
	json_add_str(o, "namespace", r->namespace);
	json_add_str(o, "pod", r->pod);
	xnn(cJSON_AddStringToObject(o, "description", r->description ? r->description : ""));
	json_add_str(o, "mode", report_mode(r));
	xnn(cJSON_AddNumberToObject(o, "start_time", (double)r->start_time));
	xnn(cJSON_AddNumberToObject(o, "end_time", (double)r->end_time));
	xnn(cJSON_AddStringToObject(o, "task_id", r->task_id));
	xnn(cJSON_AddStringToObject(o, "status", d->status ? d->status : ""));
	xnn(cJSON_AddStringToObject(o, "overall_status", overall_name(d->overall)));
	json_add_str(o, "overall_status_raw", d->overall_raw);
	xnn(cJSON_AddStringToObject(o, "root_cause", d->root_cause ? d->root_cause : ""));
	add_copy(o, "suggestions", d->suggestions, cJSON_CreateArray);
	add_copy(o, "issues", d->issues, cJSON_CreateArray);
	if (d->err_msg && *d->err_msg)
		xnn(cJSON_AddStringToObject(o, "err_msg", d->err_msg));
	if (d->url)
		xnn(cJSON_AddStringToObject(o, "url", d->url));
	xnn(cJSON_AddNumberToObject(o, "polls", r->polls));
	xnn(cJSON_AddNumberToObject(o, "exit_code", exit_code));
	add_copy(o, "result", d->result, cJSON_CreateNull);
	add_copy(o, "calls", r->calls, cJSON_CreateArray);
	return o;
}
