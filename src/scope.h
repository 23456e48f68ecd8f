/* SPDX-License-Identifier: Apache-2.0 */
/* scope.h: the pods SysOM's pod diagnosis does not cover, as its answers name them. */
#ifndef ACKPROF_SCOPE_H
#define ACKPROF_SCOPE_H

enum scope { SCOPE_IN, SCOPE_WINDOWS, SCOPE_VIRTUAL, SCOPE_PENDING };

/* Which out-of-scope class SysOM's text (a task's err_msg, an error message) names. */
enum scope	scope_of(const char *text);

/*
 * When text names an out-of-scope pod: print the one line saying which and return 65;
 * else return 0 and print nothing.  ns and pod may be NULL (unknown).
 */
int	scope_stop(const char *ns, const char *pod, const char *text);

#endif
