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

/* The -o values command C takes. */
static const char *
outputs(const struct cmd *c, int i)
{
	return i == O_OUTPUT && c->outputs ? c->outputs : opts[i].words;
}

/* The options that take a value, as a shell's case pattern (sep between them). */
static void
valued_pattern(const char *sep)
{
	int i, n = 0;

	for (i = 0; i < O_COUNT; i++) {
		if (!opts[i].arg)
			continue;
		if (opts[i].short_name)
			printf("%s-%c", n++ ? sep : "", opts[i].short_name);
		printf("%s--%s", n++ ? sep : "", opts[i].name);
	}
}

static void
bash_script(void)
{
	const struct cmd *c;
	int i, n;

	/* The command is the first word that is neither an option nor an option's value,
	 * so that global options may come first (ackprof --lang zh diagnose). */
	printf("# bash completion for ackprof (ackprof completion bash)\n"
	    "_ackprof() {\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} opts cmd= i\n"
	    "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n\t\tcase ${COMP_WORDS[i]} in\n\t\t");
	valued_pattern("|");
	printf(") ((i++)) ;;\n\t\t-*) ;;\n\t\t*) cmd=${COMP_WORDS[i]}; break ;;\n\t\tesac\n\tdone\n"
	    "\tcase $prev in\n");
	/* The options whose value we can complete, then one arm for all the others. */
	for (i = 0; i < O_COUNT; i++) {
		if (!opts[i].arg || opts[i].compl == C_NONE)
			continue;
		printf("\t");
		if (opts[i].short_name)
			printf("-%c|", opts[i].short_name);
		printf("--%s) ", opts[i].name);
		if (i == O_OUTPUT) {
			printf("case $cmd in\n");
			for (c = commands; c->name; c++)
				if (c->outputs && strcmp(c->outputs, opts[i].words) != 0)
					printf("\t\t%s) COMPREPLY=($(compgen -W '%s' -- \"$cur\")) ;;\n", c->name,
					    c->outputs);
			printf("\t\t*) ");
			put_action(bash_act, opts[i].compl, opts[i].words);
			printf(" ;;\n\t\tesac; return ;;\n");
			continue;
		}
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
	printf(") COMPREPLY=(); return ;;\n\tesac\n");
	printf("\tif [ -z \"$cmd\" ]; then\n\t\tCOMPREPLY=($(compgen -W '");
	for (c = commands; c->name; c++)
		printf("%s ", c->name);
	printf("--help --version --lang' -- \"$cur\"))\n\t\treturn\n\tfi\n");
	printf("\tcase $cmd in\n");
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
	/* The command: the first word neither an option nor an option's value. */
	printf("\t)\n\tlocal i=2\n\twhile (( i < CURRENT )); do\n\t\tcase $words[i] in\n\t\t(");
	valued_pattern("|");
	printf(") (( i += 2 )) ;;\n\t\t(-*) (( i++ )) ;;\n\t\t(*) break ;;\n\t\tesac\n\tdone\n"
	    "\tif (( i >= CURRENT )); then\n\t\t_describe command cmds\n\t\treturn\n\tfi\n"
	    "\tlocal cmd=$words[i]\n\tshift $(( i - 1 )) words\n\t(( CURRENT -= i - 1 ))\n"
	    "\tcase $cmd in\n");
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
					put_action(zsh_act, op->compl, outputs(c, i));
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

	/* __ackprof_cmd: the command, the first word neither an option nor an option's value. */
	printf("# fish completion for ackprof (ackprof completion fish)\ncomplete -c ackprof -f\n"
	    "function __ackprof_cmd\n\tset -l skip 0\n\tfor w in (commandline -opc)[2..-1]\n"
	    "\t\tif test $skip = 1\n\t\t\tset skip 0\n\t\t\tcontinue\n\t\tend\n"
	    "\t\tswitch $w\n\t\t\tcase ");
	valued_pattern(" ");
	printf("\n\t\t\t\tset skip 1\n\t\t\tcase '-*'\n\t\t\tcase '*'\n\t\t\t\techo $w\n"
	    "\t\t\t\treturn 0\n\t\tend\n\tend\n\treturn 1\nend\n");
	for (c = commands; c->name; c++) {
		printf("complete -c ackprof -n 'not __ackprof_cmd' -a %s -d '", c->name);
		put_desc(c->help, "'\\", "'/");
		printf("'\n");
	}
	for (c = commands; c->name; c++) {
		if (c->max_args && c->args_compl == C_FILE)
			printf("complete -c ackprof -n 'test \"$(__ackprof_cmd)\" = %s' -F\n", c->name);
		if (c->max_args && c->args_compl == C_WORDS)
			printf("complete -c ackprof -n 'test \"$(__ackprof_cmd)\" = %s' -a '%s'\n",
			    c->name, c->args_words);
		for (i = 0; i < O_COUNT; i++) {
			const struct cmd_opt *op = &opts[i];

			if (!TAKES(c, i))
				continue;
			printf("complete -c ackprof -n 'test \"$(__ackprof_cmd)\" = %s'", c->name);
			if (op->short_name)
				printf(" -s %c", op->short_name);
			printf(" -l %s", op->name);
			if (op->compl == C_FILE)
				printf(" -r -F");
			else if (op->compl == C_DIR)
				printf(" -x -a '(__fish_complete_directories)'");
			else if (op->compl == C_WORDS)
				printf(" -x -a '%s'", outputs(c, i));
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
