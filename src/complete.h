/* SPDX-License-Identifier: Apache-2.0 */
/* complete.h: shell completion scripts written from the command table. */
#ifndef ACKPROF_COMPLETE_H
#define ACKPROF_COMPLETE_H

/* Write the completion script of SHELL (bash, zsh, fish); 1 for an unknown shell. */
int	complete_print(const char *shell);

#endif
