/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gate.c: Step 4 of the specification, the parameter gate: validation of the target,
 * questions on a terminal, and the confirmation before any cloud call.
 */
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cmd.h"
#include "gate.h"
#include "i18n.h"
#include "msg.h"
#include "run.h"
#include "scrub.h"
#include "steps.h"
#include "target.h"
#include "timewin.h"
#include "util.h"

/* Read one line from the terminal; NULL on EOF.  The newline is removed. */
static char *
ask(const char *prompt)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	/*
	 * Wait for a line in short polls: a Ctrl-C that lands between the prompt and
	 * the read would otherwise leave getline() blocked with run_signal set.
	 */
	while (!run_signal) {
		struct pollfd p = { 0, POLLIN, 0 };

		if (poll(&p, 1, 200) != 0)
			break;
	}
	n = run_signal ? -1 : getline(&line, &cap, stdin);
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
	char *s, *q, *prompt = xasprintf(_("%s: "), _(what));

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
		q = scrub_line(s);	/* echoed: no control character reaches the terminal */
		fprintf(stderr, _("ackprof: '%s' is not a valid %s (%s)\n"), q, _(what), _(shape));
		free(q);
		free(s);
	}
}

/* A local time the clocks pass twice (daylight saving time ends): say which reading was taken. */
static void
note_twice(const char *what, const char *val, time_t day)
{
	char took[48], other[48];

	if (val && timewin_twice(val, day, took, other))
		notef("%s '%s' comes twice in this time zone (the clocks go back when daylight saving time ends): took the first, %s; for the second, give %s",
		    what, val, took, other);
}

/* A local time the clocks skip (daylight saving time starts): say so; -1 when it is not one. */
static int
explain_time(const char *ans, time_t day)
{
	char err[512], *q;

	if (timewin_explain(_("time"), ans, day, err, sizeof(err)) == -1)
		return -1;
	q = scrub_line(err);
	fprintf(stderr, "ackprof: %s\n", q);
	free(q);
	return 0;
}

/*
 * One answer of the window, checked as typed: a time (a bare HH:MM on `day`) that is
 * not in the future.  0 with *t set; -1 when the prompt was left (Ctrl-C, EOF);
 * 1 when the answer was empty.
 */
static int
ask_point(const char *prompt, time_t day, time_t now, time_t *t, char **typed)
{
	char *ans, *q;

	for (;;) {
		if ((ans = ask(prompt)) == NULL)
			return -1;
		if (*ans == '\0') {
			free(ans);
			return 1;
		}
		q = scrub_line(ans);
		if (timewin_parse_time(ans, day, t) != 0 && explain_time(ans, day) == -1)
			errorf("bad time '%s' (use 'YYYY-MM-DD HH:MM[:SS]', HH:MM, Unix seconds or RFC 3339)", q);
		else if (timewin_parse_time(ans, day, t) != 0)
			;	/* said why: a local time skipped or passed twice (daylight saving time) */
		else if (*t > now + 60)
			errorf("'%s' is in the future (enter a past time)", q);
		else {
			free(q);
			note_twice(_("time"), ans, day);
			*typed = ans;
			return 0;
		}
		free(q);
		free(ans);
	}
}

/*
 * The temporal-word rule on a terminal: ask for the window, suggest historical.
 * When the description names a day (yesterday, 昨天下午, 上周五), a bare HH:MM is
 * taken on that day, and the prompts say which.
 */
static int
ask_window(struct opts *o, const char *found)
{
	char *from = NULL, *to = NULL, *q, *pf, *pt, err[256], ds[16];
	time_t now = time(NULL), day = timewin_named_day(o->desc_raw, now), t;
	struct tm tm;
	int rc;

	fprintf(stderr, _("ackprof: the description mentions a past time ('%s').\n"
	    "A historical diagnosis of that window is recommended. Enter its start and end\n"
	    "(e.g. '2026-11-24 14:00', 14:00 for today, Unix seconds), or an empty start for real-time.\n"),
	    found);
	if (day) {
		localtime_r(&day, &tm);
		strftime(ds, sizeof(ds), "%Y-%m-%d", &tm);
		fprintf(stderr, _("A bare HH:MM is taken on %s, the day the description names.\n"), ds);
		pf = xasprintf(_("From (on %s): "), ds);
		pt = xasprintf(_("To (on %s): "), ds);
	} else {
		day = now;
		pf = xstrdup(_("From: "));
		pt = xstrdup(_("To: "));
	}
	if ((rc = ask_point(pf, day, now, &t, &from)) != 0)
		goto out;	/* empty: real-time */
	for (;;) {
		if ((rc = ask_point(pt, day, now, &t, &to)) == -1)
			goto out;
		if (rc == 1)
			continue;	/* an end is needed once a start was given */
		if (timewin_resolve_on(from, to, NULL, 0, day, now, &o->win, err, sizeof(err)) == 0)
			break;
		q = scrub_line(err);
		fprintf(stderr, "ackprof: %s\n", q);
		free(q);
		free(to);
		to = NULL;
	}
out:
	free(from);
	free(to);
	free(pf);
	free(pt);
	return rc < 0 ? -1 : 0;
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

	buf_adds(&b, "  ");
	buf_addpad(&b, _(label), i18n_widest(labels, sizeof(labels) / sizeof(labels[0])) + 2);
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

/*
 * A question left without an answer: Ctrl-C (or another signal) at the prompt is
 * an interrupt, 130, not a usage error; end of input is the usage error `why`.
 */
static int
no_answer(const char *why)
{
	if (run_signal) {
		errorf("interrupted at the prompt; nothing done (run again when ready)");
		return wf_interrupted_code();
	}
	if (why == NULL) {
		notef("nothing done");
		return EX_USAGE;
	}
	return usage_error("%s", why);	/* shown translated: it is a message of the catalog */
}

/* Step 4: the parameter gate.  Returns 0 or an exit code (the message printed). */
int
gate(const struct args *a, struct opts *o)
{
	char err[256], found[256], point[256];
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
			return no_answer(N_("no cluster id given (pass -c CLUSTER_ID)"));
		if (!o->ns && ask_required(N_("namespace"), &o->ns, valid_namespace,
		    N_("a Kubernetes name: lowercase letters, digits, '-'")) == -1)
			return no_answer(N_("no namespace given (pass -n NAMESPACE)"));
		if (!o->pod && ask_required(N_("pod"), &o->pod, valid_pod,
		    N_("a Kubernetes name: lowercase letters, digits, '-', '.'")) == -1)
			return no_answer(N_("no pod given (pass -p POD)"));
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
		return usage_error("'%s' is not a Kubernetes namespace (%s)", o->ns, _(target_ns_rule));
	if (!valid_pod(o->pod))
		return usage_error("'%s' is not a Kubernetes pod name (%s)", o->pod, _(target_pod_rule));
	if (a->region && !valid_region(a->region))
		return usage_error("'%s' is not a region id (e.g. cn-hangzhou)", a->region);
	o->region = a->region;
	o->desc_raw = a->desc ? a->desc : "";
	o->desc = sanitize_description(o->desc_raw);
	if (timewin_resolve_around(a->around, a->from, a->to, a->since, a->realtime, now, &o->win, err,
	    sizeof(err)) == -1)
		return usage_error("%s", err);
	note_twice("--from", a->from, now);
	note_twice("--to", a->to, now);
	note_twice("--around", a->around, now);
	if (!o->win.historical && !a->realtime && temporal_past(o->desc_raw, found, sizeof(found))) {
		if (!o->interactive && temporal_point(o->desc_raw, point, sizeof(point)))
			return usage_error("the description names a point in time ('%s') but no window was given (pass --around TIME for the 30 minutes either side of it, --from TIME --to TIME, or --realtime)",
			    point);
		if (!o->interactive)
			return usage_error("the description names a past time ('%s') but no window was given (pass --from TIME --to TIME or --since DURATION for a historical diagnosis, or --realtime)",
			    found);
		if (ask_window(o, found) == -1)
			return no_answer(N_("no window given (pass --from/--to, --since or --realtime)"));
	}
	if (strcmp(o->desc, o->desc_raw) != 0)
		notef("description '%s' sent as '%s'", o->desc_raw, o->desc);
	if (o->interactive && !o->dry_run && !confirm(o))
		return no_answer(NULL);
	return 0;
}
