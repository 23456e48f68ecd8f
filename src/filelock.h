/* SPDX-License-Identifier: Apache-2.0 */
/* filelock.h: one process at a time on a file (batch --state). */
#ifndef ACKPROF_FILELOCK_H
#define ACKPROF_FILELOCK_H

#include <stddef.h>

#define FILELOCK_BUSY	(-2)

/*
 * Open path (created 0600 if missing; a symbolic link is not followed, and only a
 * regular file is accepted) and take an exclusive lock on it without waiting.
 * Returns the descriptor that holds the lock until it is closed, FILELOCK_BUSY when
 * another process holds it, or -1; both with a reason in err.
 */
int	filelock_take(const char *path, char *err, size_t errlen);

#endif
