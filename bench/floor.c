/* SPDX-License-Identifier: Apache-2.0 */
/*
 * floor: the least any driver of the chain can cost.  Spawns, one after another,
 * the argv lines of a FAKE_ALIYUN_LOG (as the test double writes them, one call a
 * line, arguments escaped), each with posix_spawn, stdin /dev/null, stdout and
 * stderr into one pipe that is read to EOF and discarded, then waitpid.  No
 * parsing, no decisions, no other work.
 *
 *   floor LOGFILE ALIYUN PYTHON
 *
 * A line whose first word is "aliyun" runs ALIYUN, one whose first word is
 * "python" runs PYTHON (argv[0] is the path, as ackprof passes it).  The children
 * get NO_COLOR=1, as ackprof gives them.  Exit 0, or 1 when a child failed to
 * start or exited non-zero (the chain of the `default` scenario exits 0 throughout).
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

#define MAXARGS 64

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undo the log's escapes in place: \\ \s \t \n \xhh, and \e for an empty word. */
static void
unescape(char *s)
{
	char *w = s;

	if (strcmp(s, "\\e") == 0) {
		*s = '\0';
		return;
	}
	while (*s) {
		if (*s != '\\' || s[1] == '\0') {
			*w++ = *s++;
			continue;
		}
		switch (s[1]) {
		case 's': *w++ = ' '; s += 2; break;
		case 't': *w++ = '\t'; s += 2; break;
		case 'n': *w++ = '\n'; s += 2; break;
		case '\\': *w++ = '\\'; s += 2; break;
		case 'x':
			if (hexval(s[2]) >= 0 && hexval(s[3]) >= 0) {
				*w++ = (char)(hexval(s[2]) * 16 + hexval(s[3]));
				s += 4;
				break;
			}
			/* FALLTHROUGH */
		default:
			*w++ = *s++;
		}
	}
	*w = '\0';
}

int
main(int argc, char **argv)
{
	char *line = NULL, *args[MAXARGS + 1], *tok, *save, buf[65536];
	size_t cap = 0;
	ssize_t len;
	int bad = 0, n, p[2], st;
	pid_t pid;
	FILE *f;
	char **env;
	size_t ne = 0, i, k = 0;

	if (argc != 4) {
		fputs("usage: floor LOGFILE ALIYUN PYTHON\n", stderr);
		return 2;
	}
	if ((f = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return 2;
	}
	while (environ[ne])
		ne++;
	env = calloc(ne + 2, sizeof(*env));
	for (i = 0; i < ne; i++)
		if (strncmp(environ[i], "NO_COLOR=", 9) != 0)
			env[k++] = environ[i];
	env[k++] = "NO_COLOR=1";
	env[k] = NULL;

	while ((len = getline(&line, &cap, f)) > 0) {
		posix_spawn_file_actions_t fa;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		n = 0;
		for (tok = strtok_r(line, " ", &save); tok && n < MAXARGS; tok = strtok_r(NULL, " ", &save)) {
			unescape(tok);
			args[n++] = tok;
		}
		if (n == 0)
			continue;
		args[n] = NULL;
		if (strcmp(args[0], "aliyun") == 0)
			args[0] = argv[2];
		else if (strcmp(args[0], "python") == 0)
			args[0] = argv[3];
		if (pipe2(p, O_CLOEXEC) == -1) {
			perror("pipe");
			return 1;
		}
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_adddup2(&fa, p[1], 1);
		posix_spawn_file_actions_adddup2(&fa, p[1], 2);
		if (posix_spawn(&pid, args[0], &fa, NULL, args, env) != 0) {
			bad = 1;
			close(p[0]);
			close(p[1]);
			posix_spawn_file_actions_destroy(&fa);
			continue;
		}
		posix_spawn_file_actions_destroy(&fa);
		close(p[1]);
		for (;;) {
			ssize_t r = read(p[0], buf, sizeof(buf));

			if (r > 0 || (r == -1 && errno == EINTR))
				continue;
			break;
		}
		close(p[0]);
		while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad = 1;
	}
	free(line);
	free(env);
	fclose(f);
	return bad;
}
