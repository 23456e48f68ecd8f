/* SPDX-License-Identifier: Apache-2.0 */
/* complete.h: shell completion scripts written from the command table. */
#ifndef ACKPROF_COMPLETE_H
#define ACKPROF_COMPLETE_H

#include "cmd.h"

/* Write the completion script of SHELL (bash, zsh, fish) for the commands and options of
 * the tables given (cmds and cmd_opts: passed down, so that complete.c is below cmd.c);
 * 1 for an unknown shell. */
int	complete_print(const char *shell, const struct cmd *, const struct cmd_opt *);

#endif
