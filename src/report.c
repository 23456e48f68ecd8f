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

#include "contract.h"
#include "i18n.h"
#include "redact.h"
#include "report.h"
#include "scrub.h"
#include "timewin.h"
#include "util.h"

const char *const issue_severity_keys[] = { "severity", "level", "status", "overall_status", NULL };
/* item_name, itemName and metric: the keys SysOM's own inspection client reads. */
const char *const issue_title_keys[] = { "title", "name", "item", "item_name", "itemName", "metric",
	"summary", NULL };
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

/*
 * SysOM's words for a severity, in any case, onto our three levels.  low is a
 * finding, not a clean bill: SysOM's own inspection client counts every level but
 * normal/ok/success as abnormal, so low is Warn, never Info.
 */
static const struct { const char *word; enum overall o; } severity_words[] = {
	{ "info", OVERALL_INFO }, { "normal", OVERALL_INFO }, { "healthy", OVERALL_INFO },
	{ "ok", OVERALL_INFO }, { "success", OVERALL_INFO }, { "pass", OVERALL_INFO },
	{ "warn", OVERALL_WARN }, { "warning", OVERALL_WARN }, { "medium", OVERALL_WARN },
	{ "low", OVERALL_WARN }, { "abnormal", OVERALL_WARN }, { "alert", OVERALL_WARN },
	{ "critical", OVERALL_CRITICAL }, { "error", OVERALL_CRITICAL }, { "high", OVERALL_CRITICAL },
	{ "fatal", OVERALL_CRITICAL },
};

static enum overall
overall_of(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return OVERALL_NONE;
	for (i = 0; i < sizeof(severity_words) / sizeof(severity_words[0]); i++)
		if (strcasecmp(s, severity_words[i].word) == 0)
			return severity_words[i].o;
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

/* obj.lower, else obj.Pascal (SysOM's gateway and some services answer PascalCase). */
static const cJSON *
member(const cJSON *obj, const char *lower, const char *pascal)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, lower);

	if ((v == NULL || cJSON_IsNull(v)) && pascal)
		v = cJSON_GetObjectItemCaseSensitive(obj, pascal);
	return v;
}

/* The first string among obj's keys. */
static char *
first_str(const cJSON *obj, const char *k1, const char *k2)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, k1);

	if (!cJSON_IsString(v) && k2)
		v = cJSON_GetObjectItemCaseSensitive(obj, k2);
	return dupstr(v);
}

/*
 * No overall status: judge by the worst issue.  An issue whose severity is missing or
 * a word we do not know is one we cannot vouch for (Unknown, treated as Warn); with no
 * issue at all there is nothing to call healthy either.
 */
static enum overall
worst_issue(const cJSON *issues)
{
	static const int rank[] = {
		[OVERALL_INFO] = 1, [OVERALL_OTHER] = 2, [OVERALL_WARN] = 3, [OVERALL_CRITICAL] = 4,
		[OVERALL_NONE] = 2,
	};
	enum overall worst = OVERALL_OTHER, o;
	const cJSON *it;
	int seen = 0;

	cJSON_ArrayForEach(it, issues) {
		o = overall_of(issue_field(it, issue_severity_keys));
		if (o == OVERALL_NONE)
			o = OVERALL_OTHER;
		if (!seen++ || rank[o] > rank[worst])
			worst = o;
	}
	return worst;
}

/*
 * The content of a finished task.  summary.root_cause or summary.cause (SysOM's
 * memgraph answers), summary.suggestions or summary.suggestion (one string).
 */
static void
parse_result(const cJSON *res, struct diag *d)
{
	const cJSON *sum, *v;

	d->mode_raw = dupstr(cJSON_GetObjectItemCaseSensitive(res, "diagnose_mode"));
	sum = cJSON_GetObjectItemCaseSensitive(res, "summary");
	if (cJSON_IsObject(sum)) {
		d->overall_raw = dupstr(cJSON_GetObjectItemCaseSensitive(sum, "overall_status"));
		d->root_cause = first_str(sum, "root_cause", "cause");
		v = cJSON_GetObjectItemCaseSensitive(sum, "suggestions");
		d->suggestions = suggestions_of(v ? v : cJSON_GetObjectItemCaseSensitive(sum, "suggestion"));
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
	if (d->overall == OVERALL_NONE)
		d->overall = worst_issue(d->issues);
}

static int
empty_value(const cJSON *v)
{
	return v == NULL || cJSON_IsNull(v) || (cJSON_IsString(v) && v->valuestring[0] == '\0') ||
	    (cJSON_IsObject(v) && v->child == NULL);
}

/*
 * data.result, typed `any`: an object, JSON text, or something else.  data.Result
 * stands in when data.result is missing, null, "" or {} (SysOM's own client does the
 * same).  What is kept is the result as sent (JSON text parsed); a shape we cannot
 * read leaves every field unknown, the raw value still in the -o json document.
 */
static void
read_result(const cJSON *data, struct diag *d)
{
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(data, "result");
	const cJSON *alt = cJSON_GetObjectItemCaseSensitive(data, "Result");

	if (empty_value(res) && !empty_value(alt))
		res = alt;
	if (cJSON_IsString(res)) {
		d->result = cJSON_Parse(res->valuestring);
		if (d->result == NULL)
			d->result = xnn(cJSON_CreateString(res->valuestring));
	} else if (res)
		d->result = xnn(cJSON_Duplicate(res, 1));
	if (cJSON_IsObject(d->result)) {
		parse_result(d->result, d);
		return;
	}
	/* Plain text: SysOM's words, the root cause; what it means for the pod is unknown. */
	if (cJSON_IsString(d->result) && d->result->valuestring[0])
		d->root_cause = xstrdup(d->result->valuestring);
	d->suggestions = xnn(cJSON_CreateArray());
	d->issues = xnn(cJSON_CreateArray());
	d->overall = OVERALL_OTHER;
}

static enum task_state
state_of(const char *s)
{
	static const struct { const char *word; enum task_state st; } words[] = {
		{ "Success", TASK_SUCCESS }, { "Fail", TASK_FAIL }, { "Failed", TASK_FAIL },
		{ "Ready", TASK_PENDING }, { "Running", TASK_PENDING }, { "Pending", TASK_PENDING },
		{ "Created", TASK_PENDING },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i].word) == 0)
			return words[i].st;
	return TASK_UNKNOWN;
}

/*
 * The envelope, in either casing: code or Code (Success in any case), data or Data,
 * and in data status/Status, err_msg/ErrMsg.
 */
int
diag_parse(const char *text, size_t len, struct diag *d, char *err, size_t errlen)
{
	const cJSON *data, *code, *v;
	cJSON *j;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	j = cJSON_ParseWithLength(text, len);
	if (!cJSON_IsObject(j)) {
		snprintf(err, errlen, "%s", N_("the answer is not a JSON object"));
		goto out;
	}
	code = member(j, "code", "Code");
	if (cJSON_IsString(code) && strcasecmp(code->valuestring, "Success") != 0) {
		v = member(j, "message", "Message");
		snprintf(err, errlen, "%s: %s", code->valuestring,
		    cJSON_IsString(v) ? v->valuestring : "");
		goto out;
	}
	data = member(j, "data", "Data");
	if (!cJSON_IsObject(data)) {
		snprintf(err, errlen, "%s", N_("the answer has no data object"));
		goto out;
	}
	d->status = first_str(data, "status", "Status");
	if (d->status == NULL) {
		snprintf(err, errlen, "%s", N_("the answer has no data.status"));
		goto out;
	}
	d->err_msg = first_str(data, "err_msg", "ErrMsg");
	d->url = dupstr(cJSON_GetObjectItemCaseSensitive(data, "url"));
	d->state = state_of(d->status);
	if (d->state == TASK_SUCCESS)
		read_result(data, d);
	rc = 0;
out:
	cJSON_Delete(j);
	if (rc == -1)
		diag_free(d);
	return rc;
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
	char s[32], e[32], z[16];

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
	timewin_offset(r->start_time, z, sizeof(z));
	buf_printf(b, _("historical, %s to %s (local time, UTC%s; %lld-%lld)"), s, e, z,
	    (long long)r->start_time, (long long)r->end_time);
}

/* When the run wrote the report, local time with its offset: "2026-12-03 14:16:07 +08:00". */
static void
ran_at(struct buf *b, const struct report *r)
{
	char s[32], z[16];

	timewin_fmt(r->ran_at, s, sizeof(s));
	timewin_offset(r->ran_at, z, sizeof(z));
	buf_printf(b, "%s %s", s, z);
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
enum head { H_CLUSTER, H_MODE, H_DESC, H_TASK, H_STATUS, H_RAN, H_N };

static void
head(struct buf *b, enum head h)
{
	static const char *const labels[H_N] = {
		N_("Cluster:"), N_("Mode:"), N_("Description:"), N_("Task:"), N_("Status:"),
		N_("Report at:"),
	};

	buf_adds(b, "  ");
	buf_addpad(b, _(labels[h]), i18n_widest(labels, H_N) + 2);
}

/*
 * SysOM's words for a task state, a severity and a subsystem, shown to people in their
 * language (the JSON keeps SysOM's): a known word (any case) is a phrase of the
 * catalog, anything else is shown as SysOM wrote it.
 */
static const char *
known_word(const char *s, const char *const *words, size_t n)
{
	size_t i;

	if (s == NULL || *s == '\0')
		return "-";
	for (i = 0; i < n; i++)
		if (strcasecmp(s, words[i]) == 0)	/* untranslated: as SysOM wrote it */
			return strcmp(_(words[i]), words[i]) != 0 ? _(words[i]) : s;
	return s;
}

static const char *
state_word(const char *s)
{
	/* TRANSLATORS: SysOM's task states, shown as "T0000005 (Success)". */
	static const char *const words[] = { N_("Success"), N_("Fail"), N_("Failed"),
		N_("Ready"), N_("Running"), N_("Pending"), N_("Created") };

	return known_word(s, words, sizeof(words) / sizeof(words[0]));
}

static const char *
severity_word(const char *s)
{
	/* TRANSLATORS: the severity of one issue: the same terms as the overall status. */
	static const char *const words[] = { N_("Info"), N_("Warn"), N_("Critical"),
		N_("Warning") };

	return known_word(s, words, sizeof(words) / sizeof(words[0]));
}

static const char *
area_word(const char *s)
{
	/* TRANSLATORS: SysOM's subsystem names for an issue. */
	static const char *const words[] = { N_("Memory"), N_("CPU"), N_("IO"), N_("Network"),
		N_("Runtime"), N_("Health"), N_("Disk"), N_("Scheduling"), N_("Kernel"),
		N_("Process"), N_("File system") };

	return s ? known_word(s, words, sizeof(words) / sizeof(words[0])) : NULL;
}

/*
 * A heading over SysOM's own words: in a translated report it says they are SysOM's
 * original text (not mistranslated); in English the plain heading.
 */
static const char *
sysom_head(const char *plain, const char *labelled, int sysoms)
{
	return sysoms && strcmp(_(labelled), labelled) != 0 ? _(labelled) : _(plain);
}

/* No root cause is "none" only for a healthy result; otherwise it is unknown. */
static const char *
root_cause_text(const struct diag *d)
{
	if (d->root_cause && *d->root_cause)
		return d->root_cause;
	if (d->overall == OVERALL_INFO)
		return _("None found: no anomaly was detected.");
	return _("unknown: SysOM's result names none (its raw result is in -o json)");
}

/* The skill's rule: SysOM's suggestions may be high-risk; a person approves each. */
static const char *
approval_line(void)
{
	return _("These are SysOM's suggestions: some may be high-risk. Carry none out without the approval of the cluster's owner.");
}

static void
text_issue(struct buf *b, const cJSON *it)
{
	const char *sev = issue_field(it, issue_severity_keys);
	const char *area = issue_field(it, issue_area_keys);
	const char *title = issue_field(it, issue_title_keys);
	const char *detail = issue_field(it, issue_detail_keys);

	buf_printf(b, "  [%s] ", severity_word(sev));
	if (area)
		buf_printf(b, _("%s: "), area_word(area));
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
	/* TRANSLATORS: a task id and its state, e.g. "T0000005 (Success)". */
	buf_printf(&b, _("%s (%s)\n"), r->task_id, state_word(d->status));
	head(&b, H_STATUS);
	status_line(&b, d);
	if (r->ran_at) {
		buf_adds(&b, "\n");
		head(&b, H_RAN);
		ran_at(&b, r);
	}
	buf_printf(&b, "\n\n%s\n  %s\n", sysom_head(N_("Root cause"), N_("Root cause (SysOM's original text)"),
	    d->root_cause && *d->root_cause), root_cause_text(d));
	buf_printf(&b, sysom_head(N_("\nIssues (%d)\n"), N_("\nIssues (SysOM's original text, %d)\n"),
	    cJSON_GetArraySize(d->issues) > 0), cJSON_GetArraySize(d->issues));
	if (cJSON_GetArraySize(d->issues) == 0)
		buf_printf(&b, "  %s\n", _("none"));
	cJSON_ArrayForEach(it, d->issues)
		text_issue(&b, it);
	buf_printf(&b, "\n%s\n", sysom_head(N_("Recommendations"), N_("Recommendations (SysOM's original text)"),
	    cJSON_GetArraySize(d->suggestions) > 0));
	if (cJSON_GetArraySize(d->suggestions) == 0)
		buf_printf(&b, "  %s\n", _("none"));
	else
		buf_printf(&b, "  %s\n", approval_line());
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
	buf_printf(&b, "| %s | ", _("Task"));
	buf_printf(&b, _("`%s` (%s)"), r->task_id, state_word(d->status));
	buf_adds(&b, " |\n");
	buf_printf(&b, "| %s | **", _("Overall status"));
	status_line(&b, d);
	buf_adds(&b, "** |\n");
	if (r->ran_at) {
		buf_printf(&b, "| %s | ", _("Report at"));
		ran_at(&b, r);
		buf_adds(&b, " |\n");
	}
	buf_printf(&b, "\n### %s\n\n", sysom_head(N_("Root cause"), N_("Root cause (SysOM's original text)"),
	    d->root_cause && *d->root_cause));
	buf_printf(&b, "%s\n\n", root_cause_text(d));
	buf_printf(&b, sysom_head(N_("### Issues (%d)\n\n"), N_("### Issues (SysOM's original text, %d)\n\n"),
	    cJSON_GetArraySize(d->issues) > 0), cJSON_GetArraySize(d->issues));
	if (cJSON_GetArraySize(d->issues) == 0)
		buf_printf(&b, "%s\n\n", _("None."));
	else {
		buf_printf(&b, "| %s | %s | %s | %s |\n|---|---|---|---|\n", _("Severity"), _("Area"),
		    _("Issue"), _("Detail"));
		cJSON_ArrayForEach(it, d->issues) {
			buf_adds(&b, "| ");
			md_cell(&b, severity_word(issue_field(it, issue_severity_keys)));
			buf_adds(&b, " | ");
			md_cell(&b, area_word(issue_field(it, issue_area_keys)));
			buf_adds(&b, " | ");
			md_cell(&b, issue_field(it, issue_title_keys));
			buf_adds(&b, " | ");
			md_cell(&b, issue_field(it, issue_detail_keys));
			buf_adds(&b, " |\n");
		}
		buf_adds(&b, "\n");
	}
	buf_printf(&b, "### %s\n\n", sysom_head(N_("Recommendations"), N_("Recommendations (SysOM's original text)"),
	    cJSON_GetArraySize(d->suggestions) > 0));
	if (cJSON_GetArraySize(d->suggestions) == 0)
		buf_printf(&b, "%s\n", _("None."));
	else
		buf_printf(&b, "> %s\n\n", approval_line());
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
	/* A real-time diagnosis has no window: null, never 0. */
	contract_add_time(o, "start_time", r->historical && r->start_time > 0, r->start_time);
	contract_add_time(o, "end_time", r->historical && r->end_time > 0, r->end_time);
	xnn(cJSON_AddStringToObject(o, "task_id", r->task_id));
	xnn(cJSON_AddStringToObject(o, "status", d->status ? d->status : ""));
	xnn(cJSON_AddStringToObject(o, "overall_status", overall_name(d->overall)));
	json_add_str(o, "overall_status_raw", d->overall_raw);
	xnn(cJSON_AddStringToObject(o, "root_cause", d->root_cause ? d->root_cause : ""));
	add_copy(o, "suggestions", d->suggestions, cJSON_CreateArray);
	add_copy(o, "issues", d->issues, cJSON_CreateArray);
	if (d->err_msg && *d->err_msg)
		xnn(cJSON_AddStringToObject(o, "err_msg", d->err_msg));
	contract_url(o, d->url);
	xnn(cJSON_AddNumberToObject(o, "polls", r->polls));
	xnn(cJSON_AddNumberToObject(o, "exit_code", exit_code));
	add_copy(o, "result", d->result, cJSON_CreateNull);
	add_copy(o, "calls", r->calls, cJSON_CreateArray);
	return o;
}
