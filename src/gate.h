/* SPDX-License-Identifier: Apache-2.0 */
/* gate.h: the Step 4 parameter gate of diagnose. */
#ifndef ACKPROF_GATE_H
#define ACKPROF_GATE_H

#include "cmd.h"

/* Resolve and check the target into *o, asking on a terminal; 0 or an exit code. */
int	gate(const struct args *, struct opts *);

#endif
