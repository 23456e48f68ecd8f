/* SPDX-License-Identifier: Apache-2.0 */
/*
 * complete.c: shell completion for bash, zsh and fish, written from the command table
 * (cmd.c), so that a completion offers exactly the commands and options ackprof takes.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "complete.h"

/* The command table, as complete_print was given it (complete.c uses nothing of cmd.c). */
static const struct cmd *commands;
static const struct cmd_opt *opts;

#define TAKES(c, i)	((c)->opts & (UINT64_C(1) << (i)))

/* The first line of a help text, with what a shell would read as syntax replaced. */
static void
put_desc(const char *help, const char *from, const char *to)
{
	const char *p, *q;

	for (p = help; *p && *p != '\n'; p++) {
		if ((q = strchr(from, *p)) != NULL)
			fputs(to[q - from] == '\'' ? "'\\''" : (char[]){ to[q - from], '\0' }, stdout);
		else
			putchar(*p);
	}
}

/* What completes a value or an argument of each kind (enum compl), per shell. */
static const char *const bash_act[] = { "COMPREPLY=()", "COMPREPLY=($(compgen -f -- \"$cur\"))",
	"COMPREPLY=($(compgen -d -- \"$cur\"))", "COMPREPLY=($(compgen -W '%s' -- \"$cur\"))" };
static const char *const zsh_act[] = { " ", "_files", "_files -/", "(%s)" };

static void
put_action(const char *const *act, enum compl k, const char *words)
{
	printf(act[k], words ? words : "");
}

static void
bash_script(void)
{
	const struct cmd *c;
	int i, n;

	printf("# bash completion for ackprof (ackprof completion bash)\n"
	    "_ackprof() {\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} opts\n"
	    "\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W '");
	for (c = commands; c->name; c++)
		printf("%s ", c->name);
	printf("--help --version' -- \"$cur\"))\n\t\treturn\n\tfi\n\tcase $prev in\n");
	/* The options whose value we can complete, then one arm for all the others. */
	for (i = 0; i < O_COUNT; i++) {
		if (!opts[i].arg || opts[i].compl == C_NONE)
			continue;
		printf("\t");
		if (opts[i].short_name)
			printf("-%c|", opts[i].short_name);
		printf("--%s) ", opts[i].name);
		put_action(bash_act, opts[i].compl, opts[i].words);
		printf("; return ;;\n");
	}
	printf("\t");
	for (i = 0, n = 0; i < O_COUNT; i++) {
		if (!opts[i].arg || opts[i].compl != C_NONE)
			continue;
		if (opts[i].short_name)
			printf("%s-%c", n++ ? "|" : "", opts[i].short_name);
		printf("%s--%s", n++ ? "|" : "", opts[i].name);
	}
	printf(") COMPREPLY=(); return ;;\n");
	printf("\tesac\n\tcase ${COMP_WORDS[1]} in\n");
	for (c = commands; c->name; c++) {
		printf("\t%s) opts='", c->name);
		for (i = 0, n = 0; i < O_COUNT; i++)
			if (TAKES(c, i))
				printf("%s--%s", n++ ? " " : "", opts[i].name);
		printf("'\n\t\tif [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
		    "\t\telse ");
		put_action(bash_act, c->max_args ? c->args_compl : C_NONE, c->args_words);
		printf("; fi ;;\n");
	}
	printf("\t*) COMPREPLY=() ;;\n\tesac\n}\ncomplete -F _ackprof ackprof\n");
}

static void
zsh_script(void)
{
	const struct cmd *c;
	int i;

	printf("#compdef ackprof\n# zsh completion for ackprof (ackprof completion zsh)\n"
	    "_ackprof() {\n\tlocal -a cmds\n\tcmds=(\n");
	for (c = commands; c->name; c++) {
		printf("\t\t'%s:", c->name);
		put_desc(c->help, "':", "' ");
		printf("'\n");
	}
	printf("\t)\n\tif (( CURRENT == 2 )); then\n\t\t_describe command cmds\n\t\treturn\n\tfi\n"
	    "\tlocal cmd=$words[2]\n\tshift words\n\t(( CURRENT-- ))\n\tcase $cmd in\n");
	for (c = commands; c->name; c++) {
		printf("\t%s)\n\t\t_arguments -s", c->name);
		for (i = 0; i < O_COUNT; i++) {
			const struct cmd_opt *op = &opts[i];
			int n;

			if (!TAKES(c, i))
				continue;
			for (n = 0; n < 2; n++) {
				if (n == 0 && !op->short_name)
					continue;
				if (n == 0)
					printf(" \\\n\t\t    '-%c%s[", op->short_name, op->arg ? "+" : "");
				else
					printf(" \\\n\t\t    '--%s%s[", op->name, op->arg ? "=" : "");
				put_desc(op->help, "'[]:", "'() ");
				printf("]");
				if (op->arg) {
					printf(":%s:", op->arg);
					put_action(zsh_act, op->compl, op->words);
				}
				printf("'");
			}
		}
		if (c->max_args) {
			printf(" \\\n\t\t    '%s:%s:", c->min_args ? "" : "::", c->args);
			put_action(zsh_act, c->args_compl, c->args_words);
			printf("'");
		}
		printf(" ;;\n");
	}
	printf("\tesac\n}\n_ackprof \"$@\"\n");
}

static void
fish_script(void)
{
	const struct cmd *c;
	int i;

	printf("# fish completion for ackprof (ackprof completion fish)\ncomplete -c ackprof -f\n");
	for (c = commands; c->name; c++) {
		printf("complete -c ackprof -n __fish_use_subcommand -a %s -d '", c->name);
		put_desc(c->help, "'\\", "'/");
		printf("'\n");
	}
	for (c = commands; c->name; c++) {
		if (c->max_args && c->args_compl == C_FILE)
			printf("complete -c ackprof -n '__fish_seen_subcommand_from %s' -F\n", c->name);
		if (c->max_args && c->args_compl == C_WORDS)
			printf("complete -c ackprof -n '__fish_seen_subcommand_from %s' -a '%s'\n",
			    c->name, c->args_words);
		for (i = 0; i < O_COUNT; i++) {
			const struct cmd_opt *op = &opts[i];

			if (!TAKES(c, i))
				continue;
			printf("complete -c ackprof -n '__fish_seen_subcommand_from %s'", c->name);
			if (op->short_name)
				printf(" -s %c", op->short_name);
			printf(" -l %s", op->name);
			if (op->compl == C_FILE)
				printf(" -r -F");
			else if (op->compl == C_DIR)
				printf(" -x -a '(__fish_complete_directories)'");
			else if (op->compl == C_WORDS)
				printf(" -x -a '%s'", op->words);
			else if (op->arg)
				printf(" -x");
			printf(" -d '");
			put_desc(op->help, "'\\", "'/");
			printf("'\n");
		}
	}
}

static const struct {
	const char	*name;
	void		(*write)(void);
} shells[] = {
	{ "bash", bash_script },
	{ "zsh", zsh_script },
	{ "fish", fish_script },
};

int
complete_print(const char *shell, const struct cmd *cmd_table, const struct cmd_opt *opt_table)
{
	size_t i;

	commands = cmd_table;
	opts = opt_table;

	for (i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
		if (strcmp(shells[i].name, shell) == 0) {
			shells[i].write();
			return fflush(stdout) == 0 ? 0 : -1;
		}
	return 1;
}
