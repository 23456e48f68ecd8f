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
#include "i18n.h"

int
filelock_take(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);

	if (fd == -1) {
		if (errno == ELOOP)
			i18n_snprintf(err, errlen, "%s is a symbolic link (not followed; name the file itself)", path);
		else
			i18n_snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		i18n_snprintf(err, errlen, "%s is not a regular file (choose a regular file)", path);
		close(fd);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		int busy = errno == EWOULDBLOCK;

		if (busy)
			i18n_snprintf(err, errlen, "another ackprof batch is using %s", path);
		else
			i18n_snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return busy ? FILELOCK_BUSY : -1;
	}
	return fd;
}
