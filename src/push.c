/* SPDX-License-Identifier: Apache-2.0 */
/*
 * push.c: batch --push URL.  A CronJob's pod is gone before Prometheus could scrape
 * it, so the run's metrics file goes to a Pushgateway: one HTTP PUT, replacing the
 * group job="ackprof" (and shard="K"), made by curl so that ackprof carries no HTTP
 * or TLS code of its own.  curl reads the URL from a config file only we can read
 * (a URL's user:password never reaches curl's argv), and the body from its stdin:
 * the metrics file as ackprof opened and checked it, never a path curl would open.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "msg.h"
#include "push.h"
#include "run.h"
#include "scrub.h"
#include "utf8.h"
#include "util.h"

int
push_check_url(const char *u, char *err, size_t errlen)
{
	const char *host = strncmp(u, "http://", 7) == 0 ? u + 7 :
	    strncmp(u, "https://", 8) == 0 ? u + 8 : NULL;
	const char *p;

	if (host == NULL) {
		snprintf(err, errlen, "%s", _("--push: the URL must start with http:// or https:// (e.g. http://pushgateway:9091)"));
		return -1;
	}
	if (strlen(u) > 2000 || *host == '\0' || *host == '/') {
		snprintf(err, errlen, "%s", _("--push: the URL names no host, or is longer than 2000 characters"));
		return -1;
	}
	for (p = u; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || strchr("\"\\'<>`{}|^?#", *p)) {
			snprintf(err, errlen, "%s", _("--push: the URL holds a space, a quote, '?', '#' or another character a base URL cannot (give scheme, host, port and path only)"));
			return -1;
		}
	return 0;
}

char *
push_url_shown(const char *u)
{
	const char *host = strstr(u, "://") + 3, *end = host + strcspn(host, "/"), *at;

	for (at = end; at > host && at[-1] != '@'; at--)
		;
	if (at == host)
		return xstrdup(u);
	return xasprintf("%.*s***@%s", (int)(host - u), u, at);
}

char *
push_url(const char *base, const struct shard *sh)
{
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	if (sh->n)
		return xasprintf("%.*s/metrics/job/ackprof/shard/%u", (int)n, base, sh->k);
	return xasprintf("%.*s/metrics/job/ackprof", (int)n, base);
}

/*
 * A curl config string: in double quotes, with \ and " escaped, and a newline (which
 * would end the line and start an option of its own: a hostile --metrics path) and
 * the other controls curl unescapes written as \n, \r, \t, \v.
 */
static void
conf_str(FILE *f, const char *key, const char *v)
{
	static const char ctl[] = "\n\r\t\v", esc[] = "nrtv";
	const char *c;

	fprintf(f, "%s = \"", key);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			fputc('\\', f);
		else if ((c = strchr(ctl, *v)) != NULL) {
			fputc('\\', f);
			fputc(esc[c - ctl], f);
			continue;
		}
		fputc(*v, f);
	}
	fputs("\"\n", f);
}

/* The config file curl reads: mode 0600 (mkstemp), in TMPDIR; its path, or NULL. */
static char *
write_config(const char *url)
{
	const char *tmp = getenv("TMPDIR");
	char *path = xasprintf("%s/ackprof-push.XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	int fd = mkstemp(path), e;
	FILE *f;

	if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
		e = errno;
		if (fd != -1) {
			close(fd);
			unlink(path);
		}
		goto fail;
	}
	conf_str(f, "url", url);
	/* The body is curl's stdin: the file ackprof opened and checked (open_metrics). */
	conf_str(f, "request", "PUT");
	conf_str(f, "data-binary", "@-");
	conf_str(f, "header", "Content-Type: text/plain; version=0.0.4");
	/* The gateway's password from ~/.netrc, not the URL (which `ps` shows in our argv). */
	fputs("netrc-optional\n", f);
	if (fclose(f) == 0)
		return path;
	e = errno;
	unlink(path);
fail:
	/* Without a message, the run's 74 would say nothing (a full TMPDIR, say). */
	errorf("--push: cannot write curl's config in %s: %s (set TMPDIR to a writable directory)",
	    tmp && *tmp == '/' ? tmp : "/tmp", strerror(e));
	free(path);
	return NULL;
}

/*
 * Run curl; 0 when the gateway took the file, -2 when a signal stopped it, else -1
 * with the reason in why.  curl
 * gives up after SECS (connecting included: a gateway that never answers, or a
 * black-holed address); should curl itself hang, it is killed 5 s later.
 */
static int
curl_put(const char *conf, int body, double secs, struct buf *why)
{
	char max[32];
	const char *argv[] = { "curl", "-q", "--silent", "--show-error", "--fail", "--globoff",
	    "--proto", "=http,https", "--max-time", max, "--config", conf, NULL };
	struct child c = {0};
	int rc = -1;

	snprintf(max, sizeof(max), "%g", secs);
	c.argv = argv;
	c.in_fd = body;
	c.timeout = secs + 5;
	if (run_capture(&c) == -1)
		buf_printf(why, _("cannot run curl: %s (install curl)"), strerror(c.spawn_errno));
	else if (c.interrupted)
		rc = -2;
	else if (c.timed_out)
		buf_printf(why, _("curl did not finish within %g s"), secs + 5);
	else if (c.status != 0) {
		char *e = scrub_line(c.err.len ? buf_str(&c.err) : _("no message"));

		buf_printf(why, _("curl exit %d: %.*s"), c.status, (int)utf8_cut(e, strlen(e), 300), e);
		free(e);
	} else
		rc = 0;
	child_free(&c);
	return rc;
}

/*
 * The metrics file, opened for curl's stdin: never through a symlink, and only a
 * regular file of ours.  A textfile collector's directory is often group-writable,
 * and curl opening the path itself would follow whatever was swapped in there
 * after the rename (a link to ~/.aliyun/config.json, pushed to the gateway).
 */
static int
open_metrics(const char *file)
{
	struct stat st;
	int fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd >= 0 && (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())) {
		close(fd);
		errno = EPERM;
		fd = -1;
	}
	if (fd == -1)
		errorf("--push: not sent: %s is not the regular file of yours that this run wrote: %s (check who else can write its directory)",
		    file, strerror(errno));
	else
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int
push_after_run(const char *base, const char *file, const struct shard *sh, double secs, int rc)
{
	char *url, *shown, *conf;
	struct buf why = {0};
	int ok = -1, body;

	/* Interrupted: the run ends now, with its own code; its metrics stay in the file. */
	if (run_signal) {
		warnf("--push: not sent, the run was interrupted (the metrics are in %s)", file);
		return rc;
	}
	if ((body = open_metrics(file)) == -1)
		return rc > 1 ? rc : EX_IOERR;
	url = push_url(base, sh);
	shown = push_url_shown(url);
	if ((conf = write_config(url)) != NULL) {
		ok = curl_put(conf, body, secs, &why);
		unlink(conf);
		free(conf);
		if (ok == 0)
			verbosef("--push: metrics sent to %s", shown);
		else if (ok == -2)
			warnf("--push: stopped by a signal before %s answered (the metrics are in %s)",
			    shown, file);
		else
			errorf("--push: the metrics did not reach %s: %s (they are in %s)", shown,
			    buf_str(&why), file);
	}
	close(body);
	free(url);
	free(shown);
	buf_free(&why);
	if (ok == -2)
		return 128 + run_signal;
	return ok == 0 || rc > 1 ? rc : EX_IOERR;
}
