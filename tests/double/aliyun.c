/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fake `aliyun` CLI for ackprof's tests: it answers from fixture files
 * what the real CLI (v3.4.11, with the sysom plugin) would print, byte for
 * byte where the reference says how.  Called as python*, it stands in for
 * the Step 7 script's interpreter.  See README.md beside this file.
 */
#define _DEFAULT_SOURCE

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gojson.h"

#ifndef FIXTURES_DIR
#define FIXTURES_DIR	"fixtures"
#endif

#define CLI_VERSION	"3.4.11"
#define CLI_VERSION_35	"3.5.1"
#define RED		"\033[1;31m"
#define YELLOW		"\033[1;33m"
#define RESET		"\033[0m"
#define CONFIG_TIP	"Configuration failed, use `aliyun configure` to configure it"
/* The task id of the reference examples (api-shapes.md §3, §4, §8). */
#define EXAMPLE_TASK	"qT7mYx2L"
/* Exit status of the double's own failures: a broken fixture or a call it cannot simulate. */
#define EXIT_DOUBLE	99

enum kind { K_BUILTIN, K_PLUGIN, K_RAW, K_NETERROR, K_CONFIGERROR, K_HANG,
	K_SIGNAL };

/* One answer: read from a fixture file, or made up by the double itself. */
struct answer {
	enum kind	 kind;
	int		 status;	/* HTTP status: builtin, plugin */
	int		 exit_code;	/* raw */
	int		 signo;		/* signal */
	int		 close_stdout;
	int		 error_no_newline;	/* raw: the red ERROR line ends without \n */
	long		 delay_ms;
	long long	 flood;		/* -1: none */
	char		*err_text;	/* raw: verbatim stderr */
	char		*error;		/* raw: a red "ERROR: ..." line after it */
	char		*tip;		/* raw: a yellow tip after that */
	struct buf	 body;
};

/* What one invocation asks for. */
struct call {
	const char	*key;		/* fixture key; NULL when answered natively */
	char		*key_buf;	/* key, when it had to be built */
	struct answer	 native;	/* the answer when there is no fixture */
	/* Global flags, wherever they stood (--profile is only stripped). */
	const char	*ua, *config_path;
	char		*region;
	int		 quiet;
	/* Call details for scenario choice and {{...}} substitution. */
	char		*cluster_id, *task_id;
	const char	*path;		/* cs GET path, for the SDK trace */
	const char	*aimode_sub;
	const char	*auto_plugin_install;
	/* The chosen scenario: its name (or absolute path) and directory. */
	char		*scenario, *scen_dir;
	/* Live task mode (README "Live tasks"): an invoke that will start a task. */
	char		*live_id;	/* the id given out; NULL: no task */
	int		 live_fd;	/* STATE/live/busy-CLUSTER, locked; -1 */
	long long	 live_ms;	/* the task's duration */
	int		 delay_done;	/* FAKE_ALIYUN_DELAY_MS already slept */
};

static const char	*progname;
static char		*fixtures_root;
static int		 nocolor;
/* FAKE_ALIYUN_PERSONALITY=3.5.1: the CLI 3.5.x (version, agent-mode errors, exit statuses). */
static int		 v35;

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("fake-aliyun: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_DOUBLE);
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

static char *
xvasprintf(const char *fmt, va_list ap)
{
	va_list copy;
	int n;
	char *s;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		die("vsnprintf failed");
	s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

static char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* Writes everything, retrying on EINTR; other errors are the reader's problem. */
static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static int
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *
basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

static void
sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int
read_file(const char *path, struct buf *b)
{
	char chunk[65536];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		buf_add(b, chunk, (size_t)r);
	}
	close(fd);
	buf_str(b);
	return 0;
}

static void
mkdir_p(const char *dir)
{
	char *p = xstrdup(dir), *s;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			die("mkdir %s: %s", p, strerror(errno));
		*s = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		die("mkdir %s: %s", p, strerror(errno));
	free(p);
}

/*
 * The call log.  One line per invocation, made with one write(2) on an
 * O_APPEND descriptor so that concurrent callers never interleave.
 */
static void
escape_arg(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	if (*p == '\0') {
		buf_adds(b, "\\e");
		return;
	}
	for (; *p != '\0'; p++) {
		char e[4] = { '\\', 'x', 0, 0 };

		switch (*p) {
		case '\\':
			buf_adds(b, "\\\\");
			break;
		case ' ':
			buf_adds(b, "\\s");
			break;
		case '\t':
			buf_adds(b, "\\t");
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				e[2] = hex[*p >> 4];
				e[3] = hex[*p & 0xF];
				buf_add(b, e, 4);
			} else
				buf_addc(b, (char)*p);
		}
	}
}

static void
append_line(const char *path, struct buf *line)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	write_all(fd, line->p, line->n);
	close(fd);
}

/* Append "HEAD ARG..." (the arguments escaped, as logged) to the file named by $var, if set. */
static void
log_argv(const char *var, const char *head, int argc, char **argv)
{
	const char *path = getenv(var);
	struct buf line = { 0 };
	int i;

	if (path == NULL || *path == '\0')
		return;
	escape_arg(&line, head);
	for (i = 1; i < argc; i++) {
		buf_addc(&line, ' ');
		escape_arg(&line, argv[i]);
	}
	buf_addc(&line, '\n');
	append_line(path, &line);
	buf_free(&line);
}

static void
log_call(int argc, char **argv)
{
	const char *path;
	const char *names[] = { "NO_COLOR", "DEBUG", "ALIBABA_CLOUD_PROFILE",
	    "ALIBABA_CLOUD_CLI_AI_MODE", "ALIBABA_CLOUD_CLI_AGENT_INTEGRATION" };
	struct buf line = { 0 };
	char pid[32];
	int i;

	log_argv("FAKE_ALIYUN_LOG", progname, argc, argv);
	path = getenv("FAKE_ALIYUN_ENVLOG");
	if (path != NULL && *path != '\0') {
		for (i = 0; i < 5; i++) {
			const char *v = getenv(names[i]);

			if (i > 0)
				buf_addc(&line, ' ');
			buf_adds(&line, names[i]);
			buf_addc(&line, '=');
			if (v == NULL)
				buf_addc(&line, '-');
			else
				escape_arg(&line, v);
		}
		buf_addc(&line, '\n');
		append_line(path, &line);
	}
	buf_free(&line);
	/*
	 * The caller's pid, so that a test can tell ackprof's own calls from those of its
	 * watchdog (which runs `ai-mode disable` for a run that died holding the lease).
	 */
	snprintf(pid, sizeof(pid), "%ld", (long)getppid());
	log_argv("FAKE_ALIYUN_PPIDLOG", pid, argc, argv);
}

/*
 * The shim of tests/real: called as `aliyun` with FAKE_ALIYUN_REAL set, the call
 * (already logged) runs the real CLI instead, unchanged but for `--endpoint E --insecure` added
 * to cs calls (E = FAKE_ALIYUN_CS_ENDPOINT), the CLI having no variable for it.
 */
static void
passthrough(const char *real, int argc, char **argv)
{
	const char *ep = getenv("FAKE_ALIYUN_CS_ENDPOINT");
	char **av = xmalloc(((size_t)argc + 4) * sizeof(*av));
	int i, n = 0;

	av[n++] = (char *)real;
	for (i = 1; i < argc; i++)
		av[n++] = argv[i];
	if (argc > 1 && strcmp(argv[1], "cs") == 0 && ep != NULL && *ep != '\0') {
		av[n++] = "--endpoint";
		av[n++] = (char *)ep;
		av[n++] = "--insecure";
	}
	av[n] = NULL;
	execv(real, av);
	die("exec %s: %s", real, strerror(errno));
}

/* cli/color.go: colour unless NO_COLOR is exactly 1 or true, even on pipes. */
static void
coloured(struct buf *b, const char *colour, const char *text)
{
	if (!nocolor)
		buf_adds(b, colour);
	buf_adds(b, text);
	if (!nocolor)
		buf_adds(b, RESET);
}

/* The host's error block: red "ERROR: msg\n", then an optional yellow tip. */
static void
cli_error(struct buf *err, const char *msg, const char *tip)
{
	char *s = xasprintf("ERROR: %s\n", msg);

	coloured(err, RED, s);
	free(s);
	if (tip != NULL) {
		s = xasprintf("\n%s\n", tip);
		coloured(err, YELLOW, s);
		free(s);
	}
}

static void
native_init(struct call *c)
{
	memset(&c->native, 0, sizeof(c->native));
	c->native.kind = K_RAW;
	c->native.flood = -1;
}

/* Something the double does not simulate: its own message, exit 99. */
static void
native_unsupported(struct call *c, const char *what)
{
	native_init(c);
	c->native.err_text = xasprintf("fake-aliyun: %s is not simulated\n", what);
	c->native.exit_code = EXIT_DOUBLE;
}

/* A native answer that is only an error block; tip may be NULL. */
static void
native_error(struct call *c, int code, const char *tip, const char *fmt, ...)
{
	va_list ap;

	native_init(c);
	va_start(ap, fmt);
	c->native.error = xvasprintf(fmt, ap);
	va_end(ap);
	c->native.tip = tip != NULL ? xstrdup(tip) : NULL;
	c->native.exit_code = code;
}

/*
 * Fixture files: "key: value" header lines ('#' comments allowed), a line
 * "---", then the body verbatim to the end of the file.
 */
static long long
num_header(const char *path, const char *key, const char *v)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 0)
		die("%s: bad %s: '%s'", path, key, v);
	return n;
}

/* Text header values know \n, \t, \r, \e (ESC), \\ and \xHH. */
static char *
unescape(const char *s)
{
	struct buf b = { 0 };

	for (; *s != '\0'; s++) {
		if (*s != '\\' || s[1] == '\0') {
			buf_addc(&b, *s);
			continue;
		}
		switch (*++s) {
		case 'n':
			buf_addc(&b, '\n');
			break;
		case 't':
			buf_addc(&b, '\t');
			break;
		case 'r':
			buf_addc(&b, '\r');
			break;
		case 'e':
			buf_addc(&b, '\033');
			break;
		case 'x':
			if (s[1] != '\0' && s[2] != '\0') {
				char h[3] = { s[1], s[2], '\0' };

				buf_addc(&b, (char)strtol(h, NULL, 16));
				s += 2;
				break;
			}
			/* FALLTHROUGH */
		default:
			buf_addc(&b, *s);
		}
	}
	return buf_str(&b);
}

static void
parse_fixture(const char *path, struct answer *a)
{
	struct buf f = { 0 };
	char *p, *nl, *from = NULL;

	memset(a, 0, sizeof(*a));
	a->status = 200;
	a->flood = -1;
	if (read_file(path, &f) < 0)
		die("read %s: %s", path, strerror(errno));
	for (p = f.p; p < f.p + f.n; p = nl + 1) {
		char *k, *v, *e;

		if ((nl = memchr(p, '\n', (size_t)(f.p + f.n - p))) == NULL)
			break;
		*nl = '\0';
		if (strcmp(p, "---") == 0) {
			size_t off = (size_t)(nl + 1 - f.p);

			if (from != NULL) {
				/* body_from: SCENARIO/KEY lends its body. */
				struct answer other;
				char *op = xasprintf("%s/scenarios/%s", fixtures_root, from);

				if (off != f.n)
					die("%s: body_from and a body of its own", path);
				parse_fixture(op, &other);
				a->body = other.body;
				other.body.p = NULL;
				free(other.err_text);
				free(other.error);
				free(other.tip);
				free(op);
				free(from);
			} else
				buf_add(&a->body, f.p + off, f.n - off);
			buf_str(&a->body);
			buf_free(&f);
			return;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		k = p;
		if ((v = strchr(p, ':')) == NULL)
			die("%s: not a header line: '%s'", path, p);
		*v++ = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		if (strcmp(k, "stderr") == 0 || strcmp(k, "error") == 0 ||
		    strcmp(k, "tip") == 0) {
			char **dst = k[0] == 's' ? &a->err_text :
			    k[0] == 'e' ? &a->error : &a->tip;

			free(*dst);
			*dst = unescape(v);
			continue;
		}
		/* Other values may carry a trailing "# comment". */
		if ((e = strchr(v, '#')) != NULL)
			*e = '\0';
		for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = '\0';
		if (strcmp(k, "kind") == 0) {
			static const char *const kinds[] = { "builtin", "plugin",
			    "raw", "neterror", "config-error", "hang", "signal" };
			size_t i;

			for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
				if (strcmp(v, kinds[i]) == 0)
					break;
			if (i == sizeof(kinds) / sizeof(kinds[0]))
				die("%s: unknown kind '%s'", path, v);
			a->kind = (enum kind)i;
		} else if (strcmp(k, "status") == 0)
			a->status = (int)num_header(path, k, v);
		else if (strcmp(k, "exit") == 0)
			a->exit_code = (int)num_header(path, k, v);
		else if (strcmp(k, "signal") == 0)
			a->signo = (int)num_header(path, k, v);
		else if (strcmp(k, "delay_ms") == 0)
			a->delay_ms = (long)num_header(path, k, v);
		else if (strcmp(k, "flood_bytes") == 0)
			a->flood = num_header(path, k, v);
		else if (strcmp(k, "close_stdout") == 0)
			a->close_stdout = num_header(path, k, v) != 0;
		else if (strcmp(k, "error_no_newline") == 0)
			a->error_no_newline = num_header(path, k, v) != 0;
		else if (strcmp(k, "body_from") == 0) {
			if (strstr(v, "..") != NULL || v[0] == '/')
				die("%s: bad body_from '%s'", path, v);
			free(from);
			from = xstrdup(v);
		} else
			die("%s: unknown header '%s'", path, k);
	}
	die("%s: no '---' line ends the header", path);
}

/* State: call counters, the task-to-scenario map, live tasks. */
static char *
state_path(void)
{
	const char *env = getenv("FAKE_ALIYUN_STATE"), *home;

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	home = getenv("HOME");
	return xasprintf("%s/.aliyun/fake-state", home != NULL ? home : "");
}

/* The state directory, created if missing. */
static char *
state_dir(void)
{
	char *dir = state_path();

	mkdir_p(dir);
	return dir;
}

/* A file name made of anything: keep [A-Za-z0-9._-], the rest becomes '_'. */
static char *
safe_name(const char *s)
{
	char *t = xstrdup(s), *p;

	for (p = t; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			*p = '_';
	return t;
}

/* Counts this call of key under scenario; returns its number, from 1. */
static long
next_count(const char *scenario, const char *key)
{
	char *dir = state_dir(), *s = safe_name(scenario);
	char *path = xasprintf("%s/count.%s.%s", dir, s, key);
	char text[32], *out;
	ssize_t r;
	long n = 0;
	int fd;

	free(dir);
	free(s);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		die("open %s: %s", path, strerror(errno));
	/* The lock makes read-increment-write atomic across parallel callers. */
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			die("flock %s: %s", path, strerror(errno));
	r = pread(fd, text, sizeof(text) - 1, 0);
	if (r > 0) {
		text[r] = '\0';
		n = strtol(text, NULL, 10);
	}
	n++;
	out = xasprintf("%ld\n", n);
	if (pwrite(fd, out, strlen(out), 0) < 0 ||
	    ftruncate(fd, (off_t)strlen(out)) < 0)
		die("write %s: %s", path, strerror(errno));
	free(out);
	free(path);
	close(fd);		/* and so unlock */
	return n;
}

static void
record_task(const char *task, const char *scenario, const char *cluster)
{
	char *dir = state_dir(), *path = xasprintf("%s/tasks", dir);
	struct buf line = { 0 };

	buf_adds(&line, task);
	buf_addc(&line, '\t');
	buf_adds(&line, scenario);
	buf_addc(&line, '\t');
	buf_adds(&line, cluster != NULL ? cluster : "");
	buf_addc(&line, '\n');
	append_line(path, &line);
	buf_free(&line);
	free(path);
	free(dir);
}

/* The scenario recorded for task (the last record wins), and its cluster. */
static int
lookup_task(const char *task, char **scenario, char **cluster)
{
	char *dir = state_dir(), *path = xasprintf("%s/tasks", dir), *p, *nl;
	struct buf f = { 0 };
	int found = 0;

	free(dir);
	if (read_file(path, &f) < 0) {
		free(path);
		return 0;
	}
	free(path);
	for (p = f.p; p < f.p + f.n; p = nl + 1) {
		char *t1, *t2;

		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		if ((t1 = strchr(p, '\t')) == NULL ||
		    (t2 = strchr(t1 + 1, '\t')) == NULL)
			continue;
		*t1 = *t2 = '\0';
		if (strcmp(p, task) != 0)
			continue;
		free(*scenario);
		free(*cluster);
		*scenario = xstrdup(t1 + 1);
		*cluster = xstrdup(t2 + 1);
		found = 1;
	}
	buf_free(&f);
	return found;
}

/* fixtures/clusters.map: "CLUSTER_ID SCENARIO" lines, '#' comments. */
static char *
map_cluster(const char *cluster)
{
	char *path = xasprintf("%s/clusters.map", fixtures_root), *p, *nl;
	char *found = NULL;
	struct buf f = { 0 };

	if (read_file(path, &f) < 0) {
		free(path);
		return NULL;
	}
	free(path);
	for (p = f.p; p < f.p + f.n && found == NULL; p = nl + 1) {
		char *id, *scen, *save = NULL;

		if ((nl = strchr(p, '\n')) == NULL)
			nl = f.p + f.n;
		*nl = '\0';
		if (strchr(p, '#') != NULL)
			*strchr(p, '#') = '\0';
		if ((id = strtok_r(p, " \t\r", &save)) == NULL ||
		    (scen = strtok_r(NULL, " \t\r", &save)) == NULL)
			continue;
		if (strcmp(id, cluster) == 0)
			found = xstrdup(scen);
	}
	buf_free(&f);
	return found;
}

static void resolve_scenario(struct call *);

static void
choose_scenario(struct call *c)
{
	const char *env = getenv("FAKE_ALIYUN_SCENARIO");

	if (env != NULL && *env != '\0')
		c->scenario = xstrdup(env);
	else if (c->cluster_id != NULL &&
	    (c->scenario = map_cluster(c->cluster_id)) != NULL)
		;
	else if (c->task_id != NULL && c->cluster_id == NULL) {
		char *cluster = NULL;

		if (!lookup_task(c->task_id, &c->scenario, &cluster))
			c->scenario = xstrdup("default");
		if (cluster != NULL && *cluster != '\0')
			c->cluster_id = cluster;
		else
			free(cluster);
	} else
		c->scenario = xstrdup("default");
	resolve_scenario(c);
}

/* The directory of c->scenario: a name under scenarios/, or an absolute path. */
static void
resolve_scenario(struct call *c)
{
	struct stat st;

	if (c->scenario[0] == '/')
		c->scen_dir = xstrdup(c->scenario);
	else {
		if (strchr(c->scenario, '/') != NULL ||
		    strcmp(c->scenario, ".") == 0 ||
		    strcmp(c->scenario, "..") == 0)
			die("bad scenario name '%s'", c->scenario);
		c->scen_dir = xasprintf("%s/scenarios/%s", fixtures_root,
		    c->scenario);
	}
	if (stat(c->scen_dir, &st) < 0 || !S_ISDIR(st.st_mode))
		die("no scenario '%s' (%s)", c->scenario, c->scen_dir);
}

/*
 * The fixture for key in dir.  With numbered variants KEY.1, KEY.2, ... the
 * Nth call (counted per scenario and key) gets KEY.N, else the highest
 * KEY.M below N, else KEY, else the lowest numbered one.
 */
static char *
find_in_dir(const char *dir, const char *key, const char *scenario, long *nth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t kl = strlen(key);
	long best = 0, lowest = 0, *nums = NULL;
	size_t nnums = 0, i;
	int plain = 0;
	char *path;

	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		const char *s = e->d_name;
		char *end;
		long m;

		if (strncmp(s, key, kl) != 0)
			continue;
		if (s[kl] == '\0') {
			plain = 1;
			continue;
		}
		if (s[kl] != '.' || s[kl + 1] < '0' || s[kl + 1] > '9')
			continue;
		m = strtol(s + kl + 1, &end, 10);
		if (*end != '\0' || m <= 0)
			continue;
		nums = realloc(nums, (nnums + 1) * sizeof(*nums));
		if (nums == NULL)
			die("out of memory");
		nums[nnums++] = m;
	}
	closedir(d);
	if (nnums > 0) {
		if (*nth == 0)
			*nth = next_count(scenario, key);
		for (i = 0; i < nnums; i++) {
			if (nums[i] <= *nth && nums[i] > best)
				best = nums[i];
			if (lowest == 0 || nums[i] < lowest)
				lowest = nums[i];
		}
	}
	free(nums);
	if (best > 0)
		path = xasprintf("%s/%s.%ld", dir, key, best);
	else if (plain)
		path = xasprintf("%s/%s", dir, key);
	else if (lowest > 0)
		path = xasprintf("%s/%s.%ld", dir, key, lowest);
	else
		path = NULL;
	return path;
}

static char *
find_fixture(struct call *c)
{
	char *def = xasprintf("%s/scenarios/default", fixtures_root);
	char *path;
	long nth = 0;

	path = find_in_dir(c->scen_dir, c->key, c->scenario, &nth);
	if (path == NULL && strcmp(c->scen_dir, def) != 0)
		path = find_in_dir(def, c->key, c->scenario, &nth);
	free(def);
	return path;
}

/*
 * {{cluster_id}}, {{task_id}}, {{region}}, {{home}}, {{auto_task_id}} and
 * {{language}}: `configure list` fills a profile's missing language from LANG
 * alone ("zh" when it starts with zh, else "en"; LC_ALL is not read).
 */
static char *
auto_task_id(const struct call *c)
{
	size_t n;

	if (c->live_id != NULL)
		return xstrdup(c->live_id);
	if (c->cluster_id == NULL || (n = strlen(c->cluster_id)) < 7)
		return xstrdup(EXAMPLE_TASK);
	return xasprintf("T%s", c->cluster_id + n - 7);
}

static void
substitute(const struct call *c, struct buf *b)
{
	struct buf out = { 0 };
	char *autoid = auto_task_id(c);
	const char *home = getenv("HOME"), *lang = getenv("LANG");
	struct {
		const char *token, *value;
	} subs[] = {
		{ "{{cluster_id}}", c->cluster_id },
		{ "{{task_id}}", c->task_id },
		{ "{{region}}", c->region != NULL ? c->region : "cn-hangzhou" },
		{ "{{home}}", home },
		{ "{{auto_task_id}}", autoid },
		{ "{{language}}", lang != NULL && strncmp(lang, "zh", 2) == 0 ? "zh" : "en" },
	};
	size_t i = 0, j;

	while (i < b->n) {
		for (j = 0; j < sizeof(subs) / sizeof(subs[0]); j++) {
			size_t tl = strlen(subs[j].token);

			if (b->n - i >= tl && memcmp(b->p + i, subs[j].token, tl) == 0) {
				buf_adds(&out, subs[j].value != NULL ? subs[j].value : "");
				i += tl;
				break;
			}
		}
		if (j == sizeof(subs) / sizeof(subs[0]))
			buf_addc(&out, b->p[i++]);
	}
	free(autoid);
	buf_free(b);
	buf_str(&out);
	*b = out;
}

static void
substitute_str(const struct call *c, char **s)
{
	struct buf b = { 0 };

	if (*s == NULL)
		return;
	buf_adds(&b, *s);
	free(*s);
	substitute(c, &b);
	*s = buf_str(&b);
}

static char *
trimmed(const struct buf *b)
{
	size_t i = 0, n = b->n;
	char *s;

	while (i < n && (b->p[i] == ' ' || b->p[i] == '\n' || b->p[i] == '\t' ||
	    b->p[i] == '\r'))
		i++;
	while (n > i && (b->p[n - 1] == ' ' || b->p[n - 1] == '\n' ||
	    b->p[n - 1] == '\t' || b->p[n - 1] == '\r'))
		n--;
	s = xmalloc(n - i + 1);
	memcpy(s, b->p + i, n - i);
	s[n - i] = '\0';
	return s;
}

/*
 * DEBUG=sdk: the legacy SDK traces the HTTP exchange on stdout, before the
 * answer.  Status 0: the request went out and no response came back.
 */
static void
sdk_trace(const struct call *c, struct buf *out, int status)
{
	const char *debug = getenv("DEBUG");
	const char *text = status == 200 ? " OK" : status == 403 ? " Forbidden" :
	    status == 404 ? " Not Found" : "";
	char *s;

	if (debug == NULL || strstr(debug, "sdk") == NULL)
		return;
	s = xasprintf("> GET %s HTTP/1.1\n"
	    "> Host: cs.%s.aliyuncs.com\n"
	    "> Accept-Encoding: identity\n"
	    "> User-Agent: AlibabaCloud (linux; amd64) Golang/go1.23.8 Core/0.0.1 Aliyun-CLI/" CLI_VERSION "\n"
	    "> x-acs-version: 2015-12-15\n"
	    ">\n",
	    c->path != NULL ? c->path : "/", c->region != NULL ? c->region :
	    "cn-hangzhou");
	buf_adds(out, s);
	free(s);
	if (status == 0)
		return;
	s = xasprintf("< HTTP/1.1 %d%s\n"
	    "< Content-Type: application/json;charset=utf-8\n"
	    "<\n", status, text);
	buf_adds(out, s);
	free(s);
}

/* Go's fmt %s of a decoded JSON value inside a map (AccessDeniedDetail). */
static void
go_fmt_s(struct buf *b, const struct jv *v)
{
	size_t i;

	switch (v->type) {
	case J_NULL:
		buf_adds(b, "%!s(<nil>)");
		break;
	case J_BOOL:
		buf_adds(b, v->b ? "%!s(bool=true)" : "%!s(bool=false)");
		break;
	case J_NUM:
		buf_adds(b, "%!s(float64=");
		buf_add(b, v->s, v->n);
		buf_addc(b, ')');
		break;
	case J_STR:
		buf_add(b, v->s, v->n);
		break;
	case J_ARR:
		buf_addc(b, '[');
		for (i = 0; i < v->len; i++) {
			if (i > 0)
				buf_addc(b, ' ');
			go_fmt_s(b, v->v[i]);
		}
		buf_addc(b, ']');
		break;
	case J_OBJ: {
		/* fmt prints map keys sorted. */
		size_t *ix = xmalloc(v->len * sizeof(*ix)), n = 0, a, k;

		for (i = 0; i < v->len; i++) {
			/* Skip keys that occur again later: the last one wins. */
			for (k = i + 1; k < v->len; k++)
				if (v->kn[k] == v->kn[i] &&
				    memcmp(v->k[k], v->k[i], v->kn[i]) == 0)
					break;
			if (k == v->len)
				ix[n++] = i;
		}
		for (a = 1; a < n; a++)	/* insertion sort: maps here are tiny */
			for (k = a; k > 0; k--) {
				size_t x = ix[k - 1], y = ix[k];
				size_t m = v->kn[x] < v->kn[y] ? v->kn[x] : v->kn[y];
				int cmp = memcmp(v->k[x], v->k[y], m);

				if (cmp < 0 || (cmp == 0 && v->kn[x] <= v->kn[y]))
					break;
				ix[k - 1] = y;
				ix[k] = x;
			}
		buf_adds(b, "map[");
		for (a = 0; a < n; a++) {
			if (a > 0)
				buf_addc(b, ' ');
			buf_add(b, v->k[ix[a]], v->kn[ix[a]]);
			buf_addc(b, ':');
			go_fmt_s(b, v->v[ix[a]]);
		}
		buf_addc(b, ']');
		free(ix);
		break;
	}
	}
}

/*
 * A failed built-in call: the legacy SDK's ServerError, printed by the CLI
 * after "ERROR: ".  Fields come from the case-sensitive keys Code, Message,
 * RequestId and Recommend of a JSON object body; Message defaults to the
 * whole raw body (sdk/errors/server_error.go).
 */
static void
server_error(const struct answer *a, struct buf *err)
{
	struct jv *j = gj_parse_strict(a->body.p, a->body.n);
	const struct jv *obj = j != NULL && j->type == J_OBJ ? j : NULL;
	const char *code = gj_getstr(obj, "Code"), *rid = gj_getstr(obj, "RequestId");
	const char *rec = gj_getstr(obj, "Recommend"), *msg = gj_getstr(obj, "Message");
	const char *hdr_id = rid;
	const struct jv *denied = gj_get(obj, "AccessDeniedDetail");
	struct buf b = { 0 };

	/* The X-Acs-Request-Id header is there whatever the body looks like. */
	if (hdr_id == NULL)
		hdr_id = gj_getstr(obj, "requestId");
	if (hdr_id == NULL)
		hdr_id = gj_getstr(obj, "request_id");
	if (hdr_id == NULL)
		hdr_id = "0C5C46D6-7B35-5D1F-8A3B-6F2E1C9D0A47";
	buf_adds(&b, "ERROR: SDK.ServerError\nErrorCode: ");
	buf_adds(&b, code != NULL ? code : "");
	buf_adds(&b, "\nRecommend: ");
	buf_adds(&b, rec != NULL ? rec : "");
	buf_adds(&b, "\nRequestId: ");
	buf_adds(&b, rid != NULL ? rid : "");
	buf_adds(&b, "\nMessage: ");
	if (msg != NULL)
		buf_adds(&b, msg);
	else
		buf_add(&b, a->body.p, a->body.n);
	buf_adds(&b, "\nRespHeaders: map[Content-Type:[application/json;charset=utf-8] "
	    "Date:[Tue, 10 Jun 2026 01:31:02 GMT] X-Acs-Request-Id:[");
	buf_adds(&b, hdr_id);
	buf_adds(&b, "]]\n");
	if (denied != NULL && denied->type == J_OBJ) {
		buf_adds(&b, "AccessDeniedDetail: ");
		go_fmt_s(&b, denied);
		buf_addc(&b, '\n');
	}
	coloured(err, RED, buf_str(&b));
	buf_free(&b);
	gj_free(j);
}

/* tea.ToString of a body field: "" when absent, the text of a string, JSON otherwise. */
static void
tea_string(struct buf *b, const struct jv *v)
{
	if (v == NULL || v->type == J_NULL)
		return;
	if (v->type == J_STR)
		buf_add(b, v->s, v->n);
	else
		gj_encode(b, v, GJ_COMPACT, 0, 0);
}

static const struct jv *
either(const struct jv *obj, const char *k1, const char *k2, const char *k3)
{
	const struct jv *v = gj_get(obj, k1);

	if (v == NULL || v->type == J_NULL)
		v = gj_get(obj, k2);
	if ((v == NULL || v->type == J_NULL) && k3 != NULL)
		v = gj_get(obj, k3);
	return v;
}

/*
 * A failed plugin call: the plugin prints the darabonba/tea SDKError with a
 * Cobra-style "Error: " prefix (aliyun-cli.md §5).  Data is the body with
 * statusCode added, keys sorted, compact.
 */
static void
plugin_error(const struct answer *a, struct buf *err)
{
	struct jv *j = gj_decode(a->body.p, a->body.n, NULL);
	struct jv *st;
	char *status;

	if (j == NULL || j->type != J_OBJ) {
		/* util.ReadAsJSON / AssertAsMap failed before any SDKError. */
		size_t i = 0;

		while (i < a->body.n && strchr(" \t\r\n", a->body.p[i]) != NULL)
			i++;
		if (j != NULL) {
			buf_adds(err, "Error: ");
			gj_encode(err, j, GJ_COMPACT, 0, 0);
			buf_adds(err, " is not a map[string]interface{}\n");
		} else if (i >= a->body.n)
			buf_adds(err, "Error: EOF\n");
		else {
			unsigned char ch = (unsigned char)a->body.p[i];
			char *s = ch >= 0x20 && ch < 0x7f ?
			    xasprintf("Error: invalid character '%c' looking for beginning of value\n", ch) :
			    xasprintf("Error: invalid character '\\x%02x' looking for beginning of value\n", ch);

			buf_adds(err, s);
			free(s);
		}
		gj_free(j);
		return;
	}
	status = xasprintf("%d", a->status);
	buf_adds(err, "Error: SDKError:\n   StatusCode: ");
	buf_adds(err, status);
	buf_adds(err, "\n   Code: ");
	tea_string(err, either(j, "Code", "code", NULL));
	buf_adds(err, "\n   Message: code: ");
	buf_adds(err, status);
	buf_adds(err, ", ");
	tea_string(err, either(j, "Message", "message", NULL));
	buf_adds(err, " request id: ");
	tea_string(err, either(j, "RequestId", "requestId", "request_id"));
	buf_adds(err, "\n   Data: ");
	/* err["statusCode"] = response.StatusCode: appended, so it wins. */
	st = xmalloc(sizeof(*st));
	memset(st, 0, sizeof(*st));
	st->type = J_NUM;
	st->s = status;
	st->n = strlen(status);
	j->v = realloc(j->v, (j->len + 1) * sizeof(*j->v));
	j->k = realloc(j->k, (j->len + 1) * sizeof(*j->k));
	j->kn = realloc(j->kn, (j->len + 1) * sizeof(*j->kn));
	if (j->v == NULL || j->k == NULL || j->kn == NULL)
		die("out of memory");
	j->v[j->len] = st;
	j->k[j->len] = xstrdup("statusCode");
	j->kn[j->len] = strlen("statusCode");
	j->len++;
	j->cap = j->len;
	gj_encode(err, j, GJ_COMPACT, 0, 0);
	buf_addc(err, '\n');
	gj_free(j);
}

static int
is_2xx(int status)
{
	return status >= 200 && status < 300;
}

static int
succeeded(const struct answer *a)
{
	switch (a->kind) {
	case K_BUILTIN:
		return is_2xx(a->status);
	case K_PLUGIN:
		return a->status < 400 || a->status >= 600;
	case K_RAW:
		return a->exit_code == 0;
	default:
		return 0;
	}
}

/*
 * configure ai-mode (aliyun-cli.md §6): the state is <configdir>/ai-mode.json,
 * written with json.MarshalIndent(cfg, "", "\t") (HTML escaping on).
 */
struct aimode {
	int		 enabled;
	char		*ua;
	struct jv	*doc;		/* the file as read */
	const struct jv	*ossutil;	/* in doc; written back as it was */
	char		*dir, *file;
};

/*
 * The 3.5.x personality.  AI mode is effective, in this order: the flags
 * --no-cli-ai-mode/--cli-ai-mode (ackprof passes neither), ALIBABA_CLOUD_CLI_AI_MODE,
 * agent detection (not simulated: it can only switch the mode on), ai-mode.json
 * (docs/en/integrations.md "Agent-mode errors"; README here).
 */
static void aimode_load(const struct call *, struct aimode *);
static void aimode_free(struct aimode *);
static void config_rewrite(const struct call *);

static int
ai_mode_on(const struct call *c)
{
	const char *e = getenv("ALIBABA_CLOUD_CLI_AI_MODE");
	struct aimode m;
	int on;

	if (!v35)
		return 0;
	if (e != NULL && *e != '\0')
		return strcmp(e, "1") == 0 || strcmp(e, "true") == 0;
	aimode_load(c, &m);
	on = m.enabled;
	aimode_free(&m);
	return on;
}

static void
json_str(struct buf *b, const char *s)
{
	struct jv v;

	memset(&v, 0, sizeof(v));
	v.type = J_STR;
	v.s = (char *)s;
	v.n = strlen(s);
	gj_encode(b, &v, GJ_COMPACT, 0, 0);
}

/* One compact object and a newline on stderr (cli/agent_error.go, openapi/agent_error.go). */
static void
agent_envelope(struct buf *err, const char *msg, const char *code, int status,
    const char *rid, const char *action, const char *hint)
{
	char num[16];

	buf_adds(err, "{\"schemaVersion\":\"v1\",\"message\":");
	json_str(err, msg);
	if (code != NULL && *code != '\0') {
		buf_adds(err, ",\"error_code\":");
		json_str(err, code);
	}
	if (status > 0) {
		snprintf(num, sizeof(num), "%d", status);
		buf_adds(err, ",\"status_code\":");
		buf_adds(err, num);
	}
	if (rid != NULL && *rid != '\0') {
		buf_adds(err, ",\"request_id\":");
		json_str(err, rid);
	}
	buf_adds(err, ",\"recovery\":{\"action\":");
	json_str(err, action);
	buf_adds(err, ",\"hint\":");
	json_str(err, hint);
	buf_adds(err, "}}\n");
}

/*
 * A server error in AI mode: the envelope with error_code, status_code, request_id,
 * exit 2.  A body that is not an object keeps the human-readable rendering (returns 1
 * without writing: the caller renders it the 3.4 way).
 */
static int
agent_error(const struct call *c, const struct answer *a, struct buf *err)
{
	struct jv *j = gj_decode(a->body.p, a->body.n, NULL);
	const struct jv *o = j != NULL && j->type == J_OBJ ? j : NULL;
	const struct jv *cv, *mv, *rv;
	char *code = NULL, *msg = NULL, *rid = NULL, *hint;
	struct buf t = { 0 };

	(void)c;
	if (o == NULL) {
		gj_free(j);
		if (a->kind == K_PLUGIN)
			return 1;
		/* The legacy SDK: the raw body is the message. */
		msg = xstrdup(a->body.n ? buf_str((struct buf *)&a->body) : "");
		agent_envelope(err, *msg ? msg : "server error", NULL, a->status, NULL,
		    "inspect_action_help", "The server rejected the request; check the error code and message, fix the parameters, or retry if the failure is transient.");
		free(msg);
		return 2;
	}
	cv = either(o, "Code", "code", NULL);
	mv = either(o, "Message", "message", NULL);
	rv = either(o, "RequestId", "requestId", "request_id");
	tea_string(&t, cv);
	code = xstrdup(buf_str(&t));
	t.n = 0;
	tea_string(&t, mv);
	msg = xstrdup(buf_str(&t));
	t.n = 0;
	tea_string(&t, rv);
	rid = xstrdup(buf_str(&t));
	buf_free(&t);
	hint = xasprintf("Look up diagnostic solutions for error code %s.", code);
	agent_envelope(err, *msg ? msg : "server error", code, a->status, rid,
	    "lookup_error_code", hint);
	free(hint);
	free(code);
	free(msg);
	free(rid);
	gj_free(j);
	return 2;
}

/* Fills out and err with what the answer prints; returns the exit status. */
static int
render(const struct call *c, const struct answer *a, struct buf *out,
    struct buf *err)
{
	char *msg;
	struct jv *j;

	switch (a->kind) {
	case K_BUILTIN:
		sdk_trace(c, out, a->status);
		if (!is_2xx(a->status)) {
			if (ai_mode_on(c))
				return agent_error(c, a, err);
			server_error(a, err);
			return 1;
		}
		if (c->quiet)
			return 0;
		/* openapi/commando.go sortJSON, then Println. */
		if ((j = gj_decode(a->body.p, a->body.n, NULL)) != NULL) {
			gj_encode(out, j, GJ_TABS, 0, 0);
			gj_free(j);
		} else
			buf_add(out, a->body.p, a->body.n);
		buf_addc(out, '\n');
		return 0;
	case K_PLUGIN:
		if (!succeeded(a)) {
			if (ai_mode_on(c) && agent_error(c, a, err) == 2)
				return 2;
			plugin_error(a, err);
			return 1;
		}
		buf_add(out, a->body.p, a->body.n);
		if (a->body.n == 0 || a->body.p[a->body.n - 1] != '\n')
			buf_addc(out, '\n');
		return 0;
	case K_RAW:
		buf_add(out, a->body.p, a->body.n);
		if (a->err_text != NULL)
			buf_adds(err, a->err_text);
		if (a->error != NULL && a->error_no_newline) {
			/* The corrupt-config quirk: Go's Fprintf with no "\n". */
			msg = xasprintf("ERROR: %s", a->error);
			coloured(err, RED, msg);
			free(msg);
		} else if (a->error != NULL)
			cli_error(err, a->error, a->tip);
		else if (a->tip != NULL) {
			msg = xasprintf("\n%s\n", a->tip);
			coloured(err, YELLOW, msg);
			free(msg);
		}
		return a->exit_code;
	case K_NETERROR:
	case K_CONFIGERROR:
		if (a->kind == K_NETERROR)
			sdk_trace(c, out, 0);
		msg = trimmed(&a->body);
		if (a->kind == K_NETERROR && ai_mode_on(c)) {
			/* 3.5: a transport error is a structured agent error too. */
			agent_envelope(err, msg, NULL, 0, NULL, "retry_request",
			    "The request did not reach the service; check the network, then retry.");
			free(msg);
			return 2;
		}
		cli_error(err, msg, a->kind == K_CONFIGERROR ? CONFIG_TIP : NULL);
		free(msg);
		return a->kind == K_CONFIGERROR ? 3 : 1;
	case K_SIGNAL:
		buf_add(out, a->body.p, a->body.n);
		return 0;
	case K_HANG:
		break;
	}
	return 0;
}


static void
aimode_load(const struct call *c, struct aimode *m)
{
	struct buf f = { 0 };
	struct jv *j;
	const struct jv *v;

	memset(m, 0, sizeof(*m));
	if (c->config_path != NULL) {
		char *d = xstrdup(c->config_path), *slash = strrchr(d, '/');

		if (slash == NULL)
			strcpy(d, ".");
		else if (slash == d)
			d[1] = '\0';
		else
			*slash = '\0';
		m->dir = d;
	} else {
		const char *home = getenv("HOME");

		m->dir = xasprintf("%s/.aliyun", home != NULL ? home : "");
	}
	m->file = xasprintf("%s/ai-mode.json", m->dir);
	if (read_file(m->file, &f) < 0)
		return;
	/* A corrupt file means the defaults. */
	if ((j = gj_parse_strict(f.p, f.n)) != NULL && j->type == J_OBJ) {
		const struct jv *e = gj_get(j, "enabled");
		const struct jv *u = gj_get(j, "user_agent");

		if ((e == NULL || e->type == J_NULL || e->type == J_BOOL) &&
		    (u == NULL || u->type == J_NULL || u->type == J_STR)) {
			m->enabled = e != NULL && e->type == J_BOOL && e->b;
			m->ua = u != NULL && u->type == J_STR ? xstrdup(u->s) : NULL;
			if ((v = gj_get(j, "ossutil")) != NULL && v->type != J_NULL)
				m->ossutil = v;
		}
	}
	m->doc = j;
	buf_free(&f);
}

static void
aimode_free(struct aimode *m)
{
	free(m->ua);
	gj_free(m->doc);
	free(m->dir);
	free(m->file);
}

static void
aimode_save(const struct aimode *m)
{
	struct buf b = { 0 };
	const char *env;
	int fd;

	mkdir_p(m->dir);
	buf_adds(&b, m->enabled ? "{\n\t\"enabled\": true" : "{\n\t\"enabled\": false");
	if (m->ua != NULL && *m->ua != '\0') {
		buf_adds(&b, ",\n\t\"user_agent\": ");
		gj_string(&b, m->ua, strlen(m->ua), 1);
	}
	if (m->ossutil != NULL) {
		buf_adds(&b, ",\n\t\"ossutil\": ");
		gj_encode(&b, m->ossutil, GJ_TABS, 1, 1);
	}
	buf_adds(&b, "\n}");
	if ((fd = open(m->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		die("open %s: %s", m->file, strerror(errno));
	/* Truncated, not yet written: a test kills the caller in this window. */
	if ((env = getenv("FAKE_ALIYUN_AIMODE_WRITE_MS")) != NULL && *env != '\0')
		sleep_ms(strtol(env, NULL, 10));
	write_all(fd, b.p, b.n);
	close(fd);
	buf_free(&b);
}

/* util.SanitizeUserAgent: printable ASCII only, at most 256 bytes. */
static char *
effective_ua(const char *ua)
{
	struct buf b = { 0 };
	const char *s = ua != NULL ? ua : "", *e;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	if (e == s) {
		s = "AlibabaCloud-Agent-Skills";
		e = s + strlen(s);
	}
	for (; s < e && b.n < 256; s++)
		if (*s >= 0x20 && *s < 0x7f)
			buf_addc(&b, *s);
	return buf_str(&b);
}

/* Applies enable/disable/set-user-agent/reset-user-agent to the state. */
static void
aimode_apply(const struct call *c)
{
	struct aimode m;
	const char *sub = c->aimode_sub;

	aimode_load(c, &m);
	if (strcmp(sub, "enable") == 0)
		m.enabled = 1;
	else if (strcmp(sub, "disable") == 0)
		m.enabled = 0;
	else if (strcmp(sub, "set-user-agent") == 0) {
		free(m.ua);
		m.ua = xstrdup(c->ua != NULL ? c->ua : "");
	} else if (strcmp(sub, "reset-user-agent") == 0) {
		free(m.ua);
		m.ua = NULL;
	} else {
		aimode_free(&m);
		return;
	}
	aimode_save(&m);
	aimode_free(&m);
}

static void
aimode_native(struct call *c)
{
	struct aimode m;
	struct buf *o;
	char *eff;

	if (strcmp(c->aimode_sub, "set-user-agent") == 0 &&
	    (c->ua == NULL || *c->ua == '\0')) {
		native_error(c, 1, NULL, "--user-agent is required for set-user-agent");
		return;
	}
	/* The others are silent; main applies the change. */
	native_init(c);
	if (strcmp(c->aimode_sub, "show") != 0)
		return;
	aimode_load(c, &m);
	eff = effective_ua(m.ua);
	o = &c->native.body;
	buf_adds(o, m.enabled ? "{\n  \"enabled\": true," : "{\n  \"enabled\": false,");
	if (m.ua != NULL && *m.ua != '\0') {
		buf_adds(o, "\n  \"user_agent\": ");
		gj_string(o, m.ua, strlen(m.ua), 1);
		buf_addc(o, ',');
	}
	buf_adds(o, "\n  \"effective_user_agent\": ");
	gj_string(o, eff, strlen(eff), 1);
	if (m.enabled) {
		char *suffix = xasprintf("AlibabaCloud-AIMode/enabled %s", eff);

		buf_adds(o, ",\n  \"request_user_agent_suffix\": ");
		gj_string(o, suffix, strlen(suffix), 1);
		free(suffix);
	}
	buf_adds(o, ",\n  \"config_file\": ");
	gj_string(o, m.file, strlen(m.file), 1);
	buf_adds(o, "\n}\n");
	free(eff);
	aimode_free(&m);
}

/*
 * Global flags (cli/parser.go): "--flag value", "--flag=value" or
 * "--flag:value", anywhere on the line.  A following word that starts with
 * '-' is not a value, unless it starts with "---".
 */
static const char *
flag_value(int argc, char **argv, int *i, const char *name, int *matched)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	*matched = 0;
	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=' || a[n] == ':') {
		*matched = 1;
		return a + n + 1;
	}
	if (a[n] != '\0')
		return NULL;
	*matched = 1;
	if (*i + 1 < argc && (argv[*i + 1][0] != '-' || has_prefix(argv[*i + 1], "---")))
		return argv[++*i];
	return NULL;
}

/* The value of a subcommand flag among the remaining words, or NULL. */
static const char *
sub_flag(int n, char **w, const char *name)
{
	int i, matched;
	const char *v = NULL;

	for (i = 0; i < n; i++) {
		const char *x = flag_value(n, w, &i, name, &matched);

		if (matched)
			v = x != NULL ? x : "";
	}
	return v;
}

static int
is_method(const char *s)
{
	return strcmp(s, "GET") == 0 || strcmp(s, "POST") == 0 ||
	    strcmp(s, "PUT") == 0 || strcmp(s, "DELETE") == 0;
}

/* The cluster id and region inside invoke-diagnosis --params; 0 when it is not a JSON object. */
static int
read_params(struct call *c, const char *params)
{
	struct jv *j = params != NULL ? gj_parse_strict(params, strlen(params)) : NULL;
	const char *s;

	if (j == NULL || j->type != J_OBJ) {
		gj_free(j);
		return 0;
	}
	if ((s = gj_getstr(j, "cluster_id")) != NULL)
		c->cluster_id = xstrdup(s);
	if (c->region == NULL && (s = gj_getstr(j, "region")) != NULL)
		c->region = xstrdup(s);
	/* SKILL.md: a description outside ^[a-zA-Z0-9_-]*$ is Sysom.InvalidParameter. */
	if ((s = gj_getstr(j, "description")) != NULL)
		for (; *s != '\0'; s++)
			if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			    (*s >= '0' && *s <= '9') || *s == '_' || *s == '-')) {
				gj_free(j);
				return 0;
			}
	gj_free(j);
	return 1;
}

static void
aliyun_call(struct call *c, int argc, char **argv)
{
	static const char *const globals[] = { "--profile", "-p",
	    "--user-agent", "--region", "--config-path", "--read-timeout",
	    "--connect-timeout" };
	char **w = xmalloc((size_t)argc * sizeof(*w));
	int n = 0, i, matched = 0;
	size_t g;
	const char *v = NULL;

	for (i = 1; i < argc; i++) {
		for (g = 0; g < sizeof(globals) / sizeof(globals[0]); g++)
			if ((v = flag_value(argc, argv, &i, globals[g], &matched)), matched)
				break;
		if (!matched) {
			if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
				c->quiet = 1;
			w[n++] = argv[i];
		} else if (strcmp(globals[g], "--user-agent") == 0)
			c->ua = v;
		else if (strcmp(globals[g], "--region") == 0 && v != NULL) {
			free(c->region);
			c->region = xstrdup(v);
		} else if (strcmp(globals[g], "--config-path") == 0)
			c->config_path = v;
	}

	if (n == 0 || w[0][0] == '-') {
		/* No command: the root prints its usage (also for --version). */
		native_init(c);
		buf_adds(&c->native.body,
		    "Alibaba Cloud Command Line Interface Version " CLI_VERSION "\n\n"
		    "Usage:\n  aliyun <product> <operation> [--parameter1 value1 --parameter2 value2 ...]\n\n"
		    "(usage text not simulated by the test double)\n");
	} else if (strcmp(w[0], "version") == 0)
		c->key = "version";
	else if (strcmp(w[0], "configure") == 0) {
		if (n < 2)
			native_unsupported(c, "interactive 'configure'");
		else if (strcmp(w[1], "ai-mode") == 0) {
			static const char *const subs[] = { "show", "enable",
			    "disable", "set-user-agent", "reset-user-agent" };
			size_t k;

			c->aimode_sub = n > 2 ? w[2] : "show";
			for (k = 0; k < sizeof(subs) / sizeof(subs[0]); k++)
				if (strcmp(c->aimode_sub, subs[k]) == 0)
					break;
			if (k == sizeof(subs) / sizeof(subs[0]))
				native_error(c, 2, NULL, "'%s' is not a valid command",
				    c->aimode_sub);
			else
				c->key = c->key_buf = xasprintf("ai-mode-%s",
				    c->aimode_sub);
		} else if (strcmp(w[1], "set") == 0) {
			c->key = "configure-set";
			c->auto_plugin_install = sub_flag(n, w, "--auto-plugin-install");
		} else if (strcmp(w[1], "list") == 0)
			c->key = "configure-list";
		else if (strcmp(w[1], "get") == 0)
			c->key = "configure-get";
		else
			native_error(c, 2, NULL, "'%s' is not a valid command", w[1]);
	} else if (strcmp(w[0], "plugin") == 0) {
		if (n >= 2 && strcmp(w[1], "update") == 0)
			c->key = "plugin-update";
		else
			native_error(c, 2, NULL, "'%s' is not a valid command",
			    n >= 2 ? w[1] : w[0]);
	} else if (strcmp(w[0], "cs") == 0) {
		if (n >= 3 && strcmp(w[1], "GET") == 0 && has_prefix(w[2], "/clusters/") &&
		    w[2][10] != '\0' && strchr(w[2] + 10, '/') == NULL) {
			c->key = "cs-get";
			c->path = w[2];
			c->cluster_id = xstrdup(w[2] + 10);
		} else if (n >= 3 && is_method(w[1]))
			native_error(c, 3, "Please confirm if the API path exists",
			    "can not find api by path %s", w[2]);
		else
			native_error(c, 2, NULL, "'%s' is not a valid command",
			    n >= 2 ? w[1] : w[0]);
	} else if (strcmp(w[0], "sysom") == 0) {
		if (n >= 2 && strcmp(w[1], "initial-sysom") == 0)
			c->key = "initial-sysom";
		else if (n >= 2 && strcmp(w[1], "invoke-diagnosis") == 0)
			c->key = read_params(c, sub_flag(n, w, "--params")) ?
			    "invoke" : "invoke-invalid-params";
		else if (n >= 2 && strcmp(w[1], "get-diagnosis-result") == 0) {
			v = sub_flag(n, w, "--task-id");
			if (v == NULL || *v == '\0') {
				native_init(c);
				c->native.err_text =
				    xstrdup("Error: required flags missing: --task-id\n");
				c->native.exit_code = 1;
			} else {
				c->key = "result";
				c->task_id = xstrdup(v);
			}
		} else
			native_error(c, 2, NULL, "'%s' is not a valid command",
			    n >= 2 ? w[1] : w[0]);
	} else if (n >= 2 && w[1][0] != '-' && strpbrk(w[1], "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == NULL)
		native_error(c, 2, NULL, "'%s' is not a valid product. See `aliyun help`.", w[0]);
	else
		native_error(c, 2, NULL,
		    "'%s' is not a valid command or product. See `aliyun help`.", w[0]);
	free(w);
}

/*
 * The Step 7 interpreter: `python SCRIPT --region R --cluster-id ID
 * [--dry-run]`, with the command line checked as the script's argparse
 * parser would (prog = the script's base name, usage wrapped at 78 columns).
 */
/* argparse's get_lines(): parts joined by spaces, a new indented line when one would pass 78 columns. */
static void
usage_lines(struct buf *b, const char *const *parts, size_t nparts,
    size_t indent, size_t line_len, int cont)
{
	size_t i, width = 78, len = line_len;
	int empty = !cont;

	for (i = 0; i < nparts; i++) {
		size_t pl = strlen(parts[i]);

		if (len + 1 + pl > width && !empty) {
			size_t k;

			buf_addc(b, '\n');
			for (k = 0; k < indent; k++)
				buf_addc(b, ' ');
			len = indent - 1;
			empty = 1;
		}
		if (!empty)
			buf_addc(b, ' ');
		buf_adds(b, parts[i]);
		len += pl + 1;
		empty = 0;
	}
}

static void
argparse_error(struct call *c, const char *script, const char *fmt, ...)
{
	static const char *const opts[] = { "[-h]", "--region REGION",
	    "--cluster-id CLUSTER_ID", "[--dry-run]" };
	const char *prog = basename_of(script);
	size_t plen = strlen(prog), nopts = sizeof(opts) / sizeof(opts[0]);
	size_t total = strlen("usage: ") + plen, i;
	struct buf u = { 0 };
	va_list ap;
	char *msg;

	native_init(c);
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);

	for (i = 0; i < nopts; i++)
		total += 1 + strlen(opts[i]);
	buf_adds(&u, "usage: ");
	if (total <= 78) {
		buf_adds(&u, prog);
		for (i = 0; i < nopts; i++) {
			buf_addc(&u, ' ');
			buf_adds(&u, opts[i]);
		}
	} else if (strlen("usage: ") + plen <= 78 * 3 / 4) {
		/* Options continue under the first one, after the program name. */
		buf_adds(&u, prog);
		usage_lines(&u, opts, nopts, 7 + plen + 1, 7 + plen, 1);
	} else {
		/* A long name stands alone; the options follow, indented. */
		size_t k;

		buf_adds(&u, prog);
		buf_addc(&u, '\n');
		for (k = 0; k < 7; k++)
			buf_addc(&u, ' ');
		usage_lines(&u, opts, nopts, 7, 6, 0);
	}
	c->native.err_text = xasprintf("%s\n%s: error: %s\n", buf_str(&u), prog, msg);
	c->native.exit_code = 2;
	buf_free(&u);
	free(msg);
}

static void
python_call(struct call *c, int argc, char **argv)
{
	static const char *const opts[] = { "--region", "--cluster-id",
	    "--dry-run", "--help" };
	const char *script, *region = NULL, *cluster = NULL;
	struct buf extra = { 0 };
	struct stat st;
	int i;

	if (argc < 2) {
		native_unsupported(c, "an interactive python");
		return;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		c->key = "python-version";
		return;
	}
	if (strcmp(argv[1], "-c") == 0 || strcmp(argv[1], "-m") == 0) {
		c->key = argv[1][1] == 'c' ? "python-c" : "python-m";
		return;
	}
	if (argv[1][0] == '-') {
		native_unsupported(c, "this python option");
		return;
	}
	script = argv[1];
	if (stat(script, &st) < 0) {
		/* CPython names the file by its absolute path. */
		char cwd[PATH_MAX];

		native_init(c);
		if (script[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL)
			c->native.err_text = xasprintf("%s: can't open file '%s/%s': "
			    "[Errno 2] No such file or directory\n", argv[0], cwd, script);
		else
			c->native.err_text = xasprintf("%s: can't open file '%s': "
			    "[Errno 2] No such file or directory\n", argv[0], script);
		c->native.exit_code = 2;
		return;
	}
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '='), *opt = NULL;
		size_t len = eq != NULL ? (size_t)(eq - a) : strlen(a), k;

		/* argparse takes any unambiguous prefix of a long option. */
		if (len > 2 && has_prefix(a, "--")) {
			for (k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
				if (strncmp(opts[k], a, len) == 0)
					opt = opts[k];
		} else if (strcmp(a, "-h") == 0)
			opt = "--help";
		if (opt == NULL) {
			if (extra.n > 0)
				buf_addc(&extra, ' ');
			buf_adds(&extra, a);
			continue;
		}
		if (strcmp(opt, "--help") == 0) {
			native_unsupported(c, "the script's --help");
			goto out;
		}
		if (strcmp(opt, "--dry-run") == 0) {
			if (eq != NULL) {
				argparse_error(c, script, "argument --dry-run: "
				    "ignored explicit argument '%s'", eq + 1);
				goto out;
			}
			continue;
		}
		if (eq != NULL)
			a = eq + 1;
		else if (i + 1 < argc && argv[i + 1][0] != '-')
			a = argv[++i];
		else {
			argparse_error(c, script, "argument %s: expected one argument", opt);
			goto out;
		}
		if (strcmp(opt, "--region") == 0)
			region = a;
		else
			cluster = a;
	}
	/* argparse reports missing required options before unknown words. */
	if (region == NULL || cluster == NULL)
		argparse_error(c, script, "the following arguments are required: %s",
		    region == NULL && cluster == NULL ? "--region, --cluster-id" :
		    region == NULL ? "--region" : "--cluster-id");
	else if (extra.n > 0)
		argparse_error(c, script, "unrecognized arguments: %s", buf_str(&extra));
	else {
		c->key = "step7";
		c->cluster_id = xstrdup(cluster);
		c->region = xstrdup(region);
	}
out:
	buf_free(&extra);
}

static void
answer_free(struct answer *a)
{
	free(a->err_text);
	free(a->error);
	free(a->tip);
	buf_free(&a->body);
}

static void
flood(long long n)
{
	static char xs[65536];

	memset(xs, 'x', sizeof(xs));
	while (n > 0) {
		size_t chunk = n < (long long)sizeof(xs) ? (size_t)n : sizeof(xs);

		write_all(STDOUT_FILENO, xs, chunk);
		n -= (long long)chunk;
	}
}

static void
die_by_signal(int signo)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(signo, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, signo);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(signo);
}

/*
 * Live task mode (README "Live tasks"): SysOM runs one task per cluster.
 * On with FAKE_ALIYUN_TASK_MS=N, or a task.conf "task_ms: N" in the call's
 * scenario.  State, under STATE/live/, one file per cluster and per task so
 * that no call reads more than a few small files:
 *   counter		the last task number given out (under flock);
 *   busy-CLUSTER	"TASK START_MS DURATION_MS\n" of the cluster's latest
 *			task, empty once its final result was answered; the
 *			file is never removed, its flock guards the cluster;
 *   task-TASK		"START_MS DURATION_MS\nCLUSTER\nSCENARIO\n", written
 *			once (by rename) under the cluster's lock.
 */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
parse_ms(const char *what, const char *v)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 0)
		die("%s: bad milliseconds '%s'", what, v);
	return n;
}

/* A task id the live mode can keep: 1 to 64 of [A-Za-z0-9._-]. */
static int
is_live_id(const char *s)
{
	size_t n;

	if (s == NULL || (n = strlen(s)) == 0 || n > 64)
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* Is the live mode on for this call's scenario?  Sets *ms, the duration. */
static int
live_mode(const struct call *c, long long *ms)
{
	const char *env = getenv("FAKE_ALIYUN_TASK_MS");
	char *path, *p, *nl;
	struct buf f = { 0 };
	int on = 0;

	if (env != NULL && *env != '\0') {
		*ms = parse_ms("FAKE_ALIYUN_TASK_MS", env);
		return 1;
	}
	path = xasprintf("%s/task.conf", c->scen_dir);
	if (read_file(path, &f) < 0) {
		if (errno != ENOENT)
			die("read %s: %s", path, strerror(errno));
		free(path);
		return 0;
	}
	/* "key: value" lines; '#' comments and blank lines. */
	for (p = f.p; p < f.p + f.n; p = nl + 1) {
		char *k, *v, *e;

		if ((nl = memchr(p, '\n', (size_t)(f.p + f.n - p))) == NULL)
			nl = f.p + f.n;
		*nl = '\0';
		if ((e = strchr(p, '#')) != NULL)
			*e = '\0';
		for (e = p + strlen(p); e > p && strchr(" \t\r", e[-1]) != NULL;)
			*--e = '\0';
		for (k = p; *k == ' ' || *k == '\t'; k++)
			;
		if (*k == '\0')
			continue;
		if ((v = strchr(k, ':')) == NULL)
			die("%s: not a 'key: value' line: '%s'", path, k);
		*v++ = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		if (strcmp(k, "task_ms") != 0)
			die("%s: unknown key '%s'", path, k);
		*ms = parse_ms(path, v);
		on = 1;
	}
	if (!on)
		die("%s: no task_ms", path);
	buf_free(&f);
	free(path);
	return 1;
}

/* FAKE_ALIYUN_TASK_MS_MAP: "CLUSTER_ID MS" lines give clusters their own duration. */
static long long
live_duration(const char *cluster, long long ms)
{
	const char *map = getenv("FAKE_ALIYUN_TASK_MS_MAP");
	struct buf f = { 0 };
	char *p, *nl;
	int found = 0;

	if (map == NULL || *map == '\0')
		return ms;
	if (read_file(map, &f) < 0)
		die("FAKE_ALIYUN_TASK_MS_MAP: read %s: %s", map, strerror(errno));
	for (p = f.p; p < f.p + f.n && !found; p = nl + 1) {
		char *id, *v, *save = NULL;

		if ((nl = memchr(p, '\n', (size_t)(f.p + f.n - p))) == NULL)
			nl = f.p + f.n;
		*nl = '\0';
		if (strchr(p, '#') != NULL)
			*strchr(p, '#') = '\0';
		if ((id = strtok_r(p, " \t\r", &save)) == NULL)
			continue;
		if ((v = strtok_r(NULL, " \t\r", &save)) == NULL)
			die("%s: no milliseconds for '%s'", map, id);
		if (strcmp(id, cluster) == 0) {
			ms = parse_ms(map, v);
			found = 1;
		}
	}
	buf_free(&f);
	return ms;
}

static char *
live_dir(void)
{
	char *dir = state_dir(), *live = xasprintf("%s/live", dir);

	free(dir);
	mkdir_p(live);
	return live;
}

/* Opens (creating) and locks path; closing the descriptor unlocks. */
static int
lock_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			die("flock %s: %s", path, strerror(errno));
	return fd;
}

static void
rewrite_fd(int fd, const char *path, const char *text)
{
	size_t n = strlen(text);

	if ((n > 0 && pwrite(fd, text, n, 0) != (ssize_t)n) ||
	    ftruncate(fd, (off_t)n) < 0)
		die("write %s: %s", path, strerror(errno));
}

/* A new task id: 'L' and the next counter value in 7 base-62 digits. */
static char *
live_new_id(const char *dir)
{
	static const char digits[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	char *path = xasprintf("%s/counter", dir), text[32], *out, id[9];
	long long n = 0;
	ssize_t r;
	int fd = lock_file(path), i;

	if ((r = pread(fd, text, sizeof(text) - 1, 0)) > 0) {
		text[r] = '\0';
		n = strtoll(text, NULL, 10);
	}
	n++;
	out = xasprintf("%lld\n", n);
	rewrite_fd(fd, path, out);
	close(fd);
	free(out);
	free(path);
	id[0] = 'L';
	for (i = 7; i >= 1; i--, n /= 62)
		id[i] = digits[n % 62];
	id[8] = '\0';
	return xstrdup(id);
}

/* The task in a locked busy file, if it is still running: its id in task. */
static int
busy_running(int fd, char *task, size_t size)
{
	char text[128], id[80];
	long long start, dur;
	ssize_t r = pread(fd, text, sizeof(text) - 1, 0);

	if (r <= 0)
		return 0;
	text[r] = '\0';
	/* now - start cannot overflow as start + dur could. */
	if (sscanf(text, "%79s %lld %lld", id, &start, &dur) != 3 ||
	    now_ms() - start >= dur)
		return 0;
	snprintf(task, size, "%s", id);
	return 1;
}

/* The record of a live task: STATE/live/task-TASK. */
static int
live_read_task(const char *task, long long *start, long long *dur,
    char **cluster, char **scenario)
{
	char *dir = state_path();
	char *path = xasprintf("%s/live/task-%s", dir, task), *line[4];
	struct buf f = { 0 };
	int i;

	free(dir);
	if (read_file(path, &f) < 0) {
		free(path);
		return 0;
	}
	/* Three lines: the times, the cluster, the scenario. */
	line[0] = f.p;
	for (i = 1; i < 4; i++) {
		if ((line[i] = strchr(line[i - 1], '\n')) == NULL)
			die("%s: not a live task record", path);
		*line[i]++ = '\0';
	}
	if (sscanf(line[0], "%lld %lld", start, dur) != 2)
		die("%s: not a live task record", path);
	*cluster = xstrdup(line[1]);
	*scenario = xstrdup(line[2]);
	buf_free(&f);
	free(path);
	return 1;
}

/* The task's final answer was given: its cluster is free (unless a newer task runs). */
static void
live_clear(const char *cluster, const char *task)
{
	char *dir = state_path(), *s = safe_name(cluster);
	char *path = xasprintf("%s/live/busy-%s", dir, s), text[128], id[80];
	ssize_t r;
	int fd = lock_file(path);

	if ((r = pread(fd, text, sizeof(text) - 1, 0)) > 0) {
		text[r] = '\0';
		if (sscanf(text, "%79s", id) == 1 && strcmp(id, task) == 0)
			rewrite_fd(fd, path, "");
	}
	close(fd);
	free(path);
	free(s);
	free(dir);
}

/* The last answer of a sequence: the highest KEY.N in dir, else KEY. */
static char *
final_in_dir(const char *dir, const char *key)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t kl = strlen(key);
	long best = 0;
	int plain = 0;

	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		const char *s = e->d_name;
		char *end;
		long m;

		if (strncmp(s, key, kl) != 0)
			continue;
		if (s[kl] == '\0')
			plain = 1;
		else if (s[kl] == '.' && s[kl + 1] >= '0' && s[kl + 1] <= '9') {
			m = strtol(s + kl + 1, &end, 10);
			if (*end == '\0' && m > best)
				best = m;
		}
	}
	closedir(d);
	if (best > 0)
		return xasprintf("%s/%s.%ld", dir, key, best);
	return plain ? xasprintf("%s/%s", dir, key) : NULL;
}

static char *
final_fixture(const struct call *c, const char *key)
{
	char *def = xasprintf("%s/scenarios/default", fixtures_root);
	char *path = final_in_dir(c->scen_dir, key);

	if (path == NULL && strcmp(c->scen_dir, def) != 0)
		path = final_in_dir(def, key);
	if (path == NULL)
		die("no fixture '%s' in scenario '%s' nor in default", key, c->scenario);
	free(def);
	return path;
}

/*
 * get-diagnosis-result: chooses the scenario, and for a live task returns
 * the fixture to answer with, uncounted: result-running while the task
 * runs, then the scenario's final result.  NULL: answer as usual.
 */
static char *
live_result(struct call *c)
{
	const char *env = getenv("FAKE_ALIYUN_SCENARIO");
	char *cluster = NULL, *scen = NULL, *path;
	long long start, dur, ms;

	if (strcmp(c->key, "result") != 0 || !is_live_id(c->task_id) ||
	    !live_read_task(c->task_id, &start, &dur, &cluster, &scen)) {
		choose_scenario(c);
		return NULL;
	}
	/* As choose_scenario does, with the live record for the task map. */
	if (env != NULL && *env != '\0') {
		c->scenario = xstrdup(env);
		free(scen);
	} else
		c->scenario = scen;
	free(c->cluster_id);
	c->cluster_id = cluster;
	resolve_scenario(c);
	if (!live_mode(c, &ms)) {
		free(c->scenario);
		free(c->scen_dir);
		free(c->cluster_id);
		c->scenario = c->scen_dir = c->cluster_id = NULL;
		choose_scenario(c);
		return NULL;
	}
	if (now_ms() - start < dur)
		return final_fixture(c, "result-running");
	path = final_fixture(c, "result");
	live_clear(c->cluster_id, c->task_id);
	return path;
}

/* Would this answer give out a task?  As apply_state judges it. */
static int
gives_task(const struct answer *a)
{
	struct jv *j;
	int yes;

	if (!succeeded(a) || a->close_stdout || a->flood >= 0)
		return 0;
	j = gj_decode(a->body.p, a->body.n, NULL);
	yes = gj_getstr(gj_get(j, "data"), "task_id") != NULL;
	gj_free(j);
	return yes;
}

/*
 * invoke-diagnosis, once its fixture is loaded: the request reaches SysOM
 * after the answer's delay, so that is slept first, outside the lock.  A
 * cluster whose task still runs gets invoke-busy instead (with {{task_id}}
 * the running task).  Otherwise an answer that gives out a task gets a new
 * id, and the cluster stays locked until apply_state records the task.
 */
static void
live_invoke(struct call *c, struct answer *a, char **path)
{
	const char *env;
	char *dir, *s, *busy, running[80];
	long long ms;
	int fd;

	if (strcmp(c->key, "invoke") != 0 || c->cluster_id == NULL ||
	    strchr(c->cluster_id, '\n') != NULL || !live_mode(c, &ms))
		return;
	if ((env = getenv("FAKE_ALIYUN_DELAY_MS")) != NULL)
		a->delay_ms += strtol(env, NULL, 10);
	c->delay_done = 1;
	sleep_ms(a->delay_ms);
	a->delay_ms = 0;

	dir = live_dir();
	s = safe_name(c->cluster_id);
	busy = xasprintf("%s/busy-%s", dir, s);
	fd = lock_file(busy);
	if (busy_running(fd, running, sizeof(running))) {
		close(fd);
		answer_free(a);
		free(*path);
		c->key = "invoke-busy";
		free(c->task_id);
		c->task_id = xstrdup(running);
		if ((*path = find_fixture(c)) == NULL)
			die("no fixture '%s' in scenario '%s' nor in default",
			    c->key, c->scenario);
		parse_fixture(*path, a);
	} else if (gives_task(a)) {
		c->live_fd = fd;
		c->live_ms = live_duration(c->cluster_id, ms);
		c->live_id = live_new_id(dir);
		free(c->task_id);
		c->task_id = xstrdup(c->live_id);
	} else
		close(fd);
	free(busy);
	free(s);
	free(dir);
}

/* Records the task the invoke answer gave out, and marks its cluster busy. */
static void
live_commit(struct call *c, const char *task)
{
	char *dir, *s, *path, *tmp, *text;
	long long now = now_ms();
	int fd;

	if (!is_live_id(task)) {
		close(c->live_fd);
		c->live_fd = -1;
		return;
	}
	dir = live_dir();
	path = xasprintf("%s/task-%s", dir, task);
	tmp = xasprintf("%s.%ld.tmp", path, (long)getpid());
	text = xasprintf("%lld %lld\n%s\n%s\n", now, c->live_ms, c->cluster_id,
	    c->scenario);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		die("open %s: %s", tmp, strerror(errno));
	write_all(fd, text, strlen(text));
	if (close(fd) < 0 || rename(tmp, path) < 0)
		die("write %s: %s", path, strerror(errno));
	free(text);
	free(tmp);
	free(path);

	s = safe_name(c->cluster_id);
	path = xasprintf("%s/busy-%s", dir, s);
	text = xasprintf("%s %lld %lld\n", task, now, c->live_ms);
	rewrite_fd(c->live_fd, path, text);
	close(c->live_fd);	/* and so unlock */
	c->live_fd = -1;
	free(text);
	free(path);
	free(s);
	free(dir);
}

/* What a successful answer changes: the task map, ai-mode.json, the plugin setting. */
static void
apply_state(struct call *c, const struct answer *a)
{
	if (strcmp(c->key, "invoke") == 0) {
		struct jv *j = gj_decode(a->body.p, a->body.n, NULL);
		const char *task = gj_getstr(gj_get(j, "data"), "task_id");

		if (c->live_fd >= 0)
			live_commit(c, task);
		if (task != NULL)
			record_task(task, c->scenario, c->cluster_id);
		gj_free(j);
	} else if (c->aimode_sub != NULL)
		aimode_apply(c);
	else if (strcmp(c->key, "configure-set") == 0 &&
	    c->auto_plugin_install != NULL) {
		char *dir = state_dir(), *f = xasprintf("%s/auto_plugin_install", dir);
		struct buf line = { 0 };

		config_rewrite(c);

		buf_adds(&line, c->auto_plugin_install);
		buf_addc(&line, '\n');
		unlink(f);
		append_line(f, &line);
		buf_free(&line);
		free(f);
		free(dir);
	}
}

/*
 * FAKE_ALIYUN_CONFIG_WRITE_MS: `configure set` rewrites config.json as the real
 * CLI's SaveConfiguration does (os.WriteFile: truncate, then write), the same
 * bytes, sleeping this long in between: a test kills the caller in that window.
 */
static void
config_rewrite(const struct call *c)
{
	const char *env = getenv("FAKE_ALIYUN_CONFIG_WRITE_MS");
	struct buf f = { 0 };
	struct aimode m;
	char *file;
	int fd;

	if (env == NULL || *env == '\0')
		return;
	aimode_load(c, &m);
	file = xasprintf("%s/config.json", m.dir);
	if (read_file(file, &f) >= 0 && (fd = open(file, O_WRONLY | O_TRUNC | O_CLOEXEC)) >= 0) {
		sleep_ms(strtol(env, NULL, 10));
		write_all(fd, f.p, f.n);
		close(fd);
	}
	buf_free(&f);
	free(file);
	aimode_free(&m);
}

int
main(int argc, char **argv)
{
	struct call c;
	struct answer a;
	struct buf out = { 0 }, err = { 0 };
	const char *env, *nc = getenv("NO_COLOR");
	char *path = NULL;
	int code;

	memset(&c, 0, sizeof(c));
	c.live_fd = -1;
	native_init(&c);
	progname = basename_of(argc > 0 ? argv[0] : "aliyun");
	nocolor = nc != NULL && (strcmp(nc, "1") == 0 || strcmp(nc, "true") == 0);
	env = getenv("FAKE_ALIYUN_PERSONALITY");
	v35 = env != NULL && strncmp(env, "3.5", 3) == 0;
	log_call(argc, argv);
	if ((env = getenv("FAKE_ALIYUN_REAL")) != NULL && *env != '\0' &&
	    strcmp(progname, "aliyun") == 0)
		passthrough(env, argc, argv);
	env = getenv("FAKE_ALIYUN_FIXTURES");
	fixtures_root = xstrdup(env != NULL && *env != '\0' ? env : FIXTURES_DIR);

	if (has_prefix(progname, "python"))
		python_call(&c, argc, argv);
	else
		aliyun_call(&c, argc, argv);

	if (c.key != NULL) {
		/* This chooses the scenario, and answers a live task's result. */
		if ((path = live_result(&c)) != NULL ||
		    (path = find_fixture(&c)) != NULL)
			parse_fixture(path, &a);
		else if (c.aimode_sub != NULL) {
			/* No fault injected: ai-mode is simulated, not canned. */
			aimode_native(&c);
			a = c.native;
		} else
			die("no fixture '%s' in scenario '%s' nor in default",
			    c.key, c.scenario);
	} else
		a = c.native;
	if (c.key != NULL)
		live_invoke(&c, &a, &path);
	if (v35 && c.key != NULL && strcmp(c.key, "version") == 0 && a.kind == K_RAW &&
	    strcmp(buf_str(&a.body), CLI_VERSION "\n") == 0) {
		a.body.n = 0;
		buf_adds(&a.body, CLI_VERSION_35 "\n");
	}
	if (a.kind == K_SIGNAL && (a.signo <= 0 || a.signo >= NSIG))
		die("%s: kind signal needs a signal number", path);

	substitute(&c, &a.body);
	substitute_str(&c, &a.err_text);
	substitute_str(&c, &a.error);
	substitute_str(&c, &a.tip);
	/* A fixture file's final newline is not part of an HTTP body. */
	if ((a.kind == K_BUILTIN || a.kind == K_PLUGIN) && a.body.n > 0 &&
	    a.body.p[a.body.n - 1] == '\n')
		a.body.p[--a.body.n] = '\0';

	if (!c.delay_done && (env = getenv("FAKE_ALIYUN_DELAY_MS")) != NULL)
		a.delay_ms += strtol(env, NULL, 10);
	sleep_ms(a.delay_ms);

	if (a.close_stdout) {
		close(STDOUT_FILENO);
		sleep_ms(1000);
		code = 0;
		goto out;
	}
	if (a.flood >= 0) {
		flood(a.flood);
		code = 0;
		goto out;
	}
	if (a.kind == K_HANG)
		for (;;)
			pause();

	code = render(&c, &a, &out, &err);
	/* State changes land before the output: a caller that reacts at once sees them. */
	if (c.key != NULL && succeeded(&a))
		apply_state(&c, &a);
	write_all(STDOUT_FILENO, out.p, out.n);
	write_all(STDERR_FILENO, err.p, err.n);
	if (a.kind == K_SIGNAL) {
		die_by_signal(a.signo);
		code = 128 + a.signo;
	}
out:
	if (c.live_fd >= 0)
		close(c.live_fd);
	buf_free(&out);
	buf_free(&err);
	answer_free(&a);
	free(path);
	free(c.key_buf);
	free(c.cluster_id);
	free(c.task_id);
	free(c.region);
	free(c.scenario);
	free(c.scen_dir);
	free(c.live_id);
	free(fixtures_root);
	return code;
}
