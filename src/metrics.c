/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics.c: --metrics FILE.  The run's outcome in the Prometheus text exposition
 * format (version 0.0.4) for node_exporter's textfile collector: HELP and TYPE lines,
 * each family's samples together, label values escaped, and every value that came
 * from SysOM redacted.  The file is replaced atomically, so a scrape never sees half.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "metrics.h"
#include "msg.h"
#include "redact.h"
#include "utf8.h"
#include "report.h"

/* A label value from SysOM is cut here: a label is a name, not a text. */
#define LABEL_MAX 64

static const struct family {
	const char	*name;
	const char	*help;
} fam[] = {
	{ "ackprof_target_status", "Outcome of the target's diagnosis: 0 Info, 1 Warn, 2 Critical, "
	    "3 task failed, 4 still running, 5 another task running on the cluster, "
	    "6 not diagnosed (see ackprof_target_exit_code)." },
	{ "ackprof_target_exit_code", "ackprof's exit code for the target (ackprof(1) EXIT STATUS)." },
	{ "ackprof_target_issues", "Issues SysOM reported for the target, by severity and subsystem." },
	{ "ackprof_last_run_timestamp_seconds", "When the run ended, in Unix seconds." },
	{ "ackprof_run_duration_seconds", "How long the run took, in seconds." },
	{ "ackprof_exit_code", "ackprof's exit code for the whole run (for batch: 2 for any Critical, else the worst failure, then 1, then 0; see --fail-on)." },
};
enum { F_STATUS, F_EXITC, F_ISSUES, F_TIMESTAMP, F_DURATION, F_EXIT };

void
metrics_label_value(struct buf *b, const char *v)
{
	char *u = utf8_sanitize(v, strlen(v));	/* U+FFFD for what is not UTF-8 */
	const char *s;

	for (s = u; *s; s++) {
		if (*s == '\\')
			buf_adds(b, "\\\\");
		else if (*s == '"')
			buf_adds(b, "\\\"");
		else if (*s == '\n')
			buf_adds(b, "\\n");
		else
			buf_add(b, s, 1);
	}
	free(u);
}

/* SysOM's text as a label: redacted, cut to LABEL_MAX bytes on a character boundary. */
static char *
label_from_sysom(const char *v)
{
	char *red = redacts(v && *v ? v : "unknown");

	red[utf8_cut(red, strlen(red), LABEL_MAX)] = '\0';
	return red;
}

/* {run="..",cluster_id="..",namespace="..",pod=".." — left open for more labels. */
static void
target_labels(struct buf *b, const struct metrics *m, const char *cluster, const char *ns,
    const char *pod)
{
	const char *k[] = { "cluster_id", "namespace", "pod" }, *v[] = { cluster, ns, pod };
	size_t i;

	buf_adds(b, "{run=\"");
	metrics_label_value(b, m->run);
	for (i = 0; i < 3; i++) {
		buf_printf(b, "\",%s=\"", k[i]);
		metrics_label_value(b, v[i] && *v[i] ? v[i] : "unknown");
	}
	buf_adds(b, "\"");
}

void
metrics_init(struct metrics *m, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	memset(m, 0, sizeof(*m));
	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".prom") == 0)
		n -= 5;
	m->run = redact(base, n);	/* a name the user chose; still no secret in a label */
}

void
metrics_free(struct metrics *m)
{
	free(m->run);
	buf_free(&m->status);
	buf_free(&m->exitc);
	buf_free(&m->issues);
}

/* The issues of one target, counted by (severity, subsystem). */
static void
target_issues(struct metrics *m, const char *cluster, const char *ns, const char *pod,
    const cJSON *issues)
{
	int n = cJSON_GetArraySize(issues), i, j, *count = xcalloc((size_t)n + 1, sizeof(int));
	char **sev = xcalloc((size_t)n + 1, sizeof(char *)), **sub = xcalloc((size_t)n + 1, sizeof(char *));

	for (i = 0; i < n; i++) {
		const cJSON *it = cJSON_GetArrayItem(issues, i);

		sev[i] = label_from_sysom(issue_field(it, issue_severity_keys));
		sub[i] = label_from_sysom(issue_field(it, issue_area_keys));
		for (j = 0; j < i && (count[j] == 0 || strcmp(sev[j], sev[i]) || strcmp(sub[j], sub[i])); j++)
			;
		count[j]++;	/* the first item with these labels, or this one */
	}
	for (i = 0; i < n; i++) {
		if (count[i]) {
			buf_adds(&m->issues, fam[F_ISSUES].name);
			target_labels(&m->issues, m, cluster, ns, pod);
			buf_adds(&m->issues, ",severity=\"");
			metrics_label_value(&m->issues, sev[i]);
			buf_adds(&m->issues, "\",subsystem=\"");
			metrics_label_value(&m->issues, sub[i]);
			buf_printf(&m->issues, "\"} %d\n", count[i]);
		}
		free(sev[i]);
		free(sub[i]);
	}
	free(sev);
	free(sub);
	free(count);
}

void
metrics_target(struct metrics *m, const char *cluster, const char *ns, const char *pod, int rc,
    const cJSON *issues)
{
	buf_adds(&m->status, fam[F_STATUS].name);
	target_labels(&m->status, m, cluster, ns, pod);
	buf_printf(&m->status, "} %d\n", rc >= 0 && rc <= 5 ? rc : 6);
	buf_adds(&m->exitc, fam[F_EXITC].name);
	target_labels(&m->exitc, m, cluster, ns, pod);
	buf_printf(&m->exitc, "} %d\n", rc);
	if (issues && rc <= 2)
		target_issues(m, cluster, ns, pod, issues);
}

static void
family(struct buf *out, int f, const struct buf *samples)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", fam[f].name, fam[f].help, fam[f].name);
	if (samples->len)
		buf_add(out, samples->p, samples->len);
}

static void
run_sample(struct buf *out, const struct metrics *m, int f, const char *fmt, double v)
{
	struct buf s = {0};

	buf_printf(&s, "%s{run=\"", fam[f].name);
	metrics_label_value(&s, m->run);
	buf_adds(&s, "\"} ");
	buf_printf(&s, fmt, v);
	buf_adds(&s, "\n");
	family(out, f, &s);
	buf_free(&s);
}

int
metrics_check_path(const char *path, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/") :
	    xasprintf("%.*s", (int)(slash - path), path);
	struct stat st;
	int rc = -1;

	if (*path == '\0' || (slash && slash[1] == '\0'))
		i18n_snprintf(err, errlen, "--metrics '%s' names no file", path);
	else if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))
		i18n_snprintf(err, errlen, "--metrics %s: there is no directory %s (create it, or name a file in an existing directory)", path, dir);
	else if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		i18n_snprintf(err, errlen, "--metrics %s is a symbolic link (not followed; name the file itself)", path);
	else if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		i18n_snprintf(err, errlen, "--metrics %s exists and is not a regular file (not replaced)", path);
	else
		rc = 0;
	free(dir);
	return rc;
}

/*
 * Replace path with text: a new file beside it (O_EXCL, O_NOFOLLOW, a name the
 * textfile collector ignores), mode 0644 (node_exporter runs as another user; the
 * file holds no secret), fsync, rename.  rename() replaces a symbolic link itself
 * and never writes through it; a special file found at the last moment is refused.
 */
static int
write_atomic(const char *path, const char *text, size_t len)
{
	const char *slash = strrchr(path, '/');
	char *tmp = xasprintf("%.*s.%s.tmp.%ld", slash ? (int)(slash - path + 1) : 0, path,
	    slash ? slash + 1 : path, (long)getpid());
	struct stat st;
	int fd, rc = -1;
	ssize_t n;
	size_t off = 0;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		errno = EEXIST;
		goto out;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) == -1)
		goto out;
	if (fchmod(fd, 0644) == -1)	/* whatever the umask */
		goto fail;
	while (off < len) {
		if ((n = write(fd, text + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	rc = 0;
	goto out;
fail:
	n = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = (int)n;
out:
	free(tmp);
	return rc;
}

int
metrics_write(struct metrics *m, const char *path, int exit_code, double duration, time_t now)
{
	struct buf out = {0};
	int rc;

	family(&out, F_STATUS, &m->status);
	family(&out, F_EXITC, &m->exitc);
	family(&out, F_ISSUES, &m->issues);
	run_sample(&out, m, F_TIMESTAMP, "%.0f", (double)now);
	run_sample(&out, m, F_DURATION, "%.3f", duration);
	run_sample(&out, m, F_EXIT, "%.0f", exit_code);
	if ((rc = write_atomic(path, out.p, out.len)) == -1)
		errorf("cannot write the metrics to %s: %s (check --metrics; the old file is left as it was)",
		    path, errno == EEXIST ? "not a regular file" : strerror(errno));
	buf_free(&out);
	return rc;
}
