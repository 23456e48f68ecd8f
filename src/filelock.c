/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filelock.c: an advisory lock on a file, so that two batch runs never work from the
 * same state file at once (each would invoke what the other is polling).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "filelock.h"

int
filelock_take(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);

	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, errno == ELOOP ?
		    "a symbolic link (not followed; name the file itself)" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		int busy = errno == EWOULDBLOCK;

		snprintf(err, errlen, "%s: %s", path, busy ? "another ackprof batch is using it" :
		    strerror(errno));
		close(fd);
		return busy ? FILELOCK_BUSY : -1;
	}
	return fd;
}
