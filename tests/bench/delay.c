/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/bench/delay.c: an injected delay loop for tests/bench-check-test.sh only.
 * Linked into a copy of ackprof with -Wl,--wrap=posix_spawnp, it burns DELAY_ITERS
 * loop turns before each aliyun call's spawn (one hot path of every diagnose), so
 * that a diagnose costs about 10 % more instructions.  Never in the real build.
 */
#include <spawn.h>

#ifndef DELAY_ITERS
#error "build with -DDELAY_ITERS=N"
#endif

int __real_posix_spawnp(pid_t *, const char *, const posix_spawn_file_actions_t *,
			const posix_spawnattr_t *, char *const[], char *const[]);
int __wrap_posix_spawnp(pid_t *, const char *, const posix_spawn_file_actions_t *,
			const posix_spawnattr_t *, char *const[], char *const[]);

int
__wrap_posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
		    const posix_spawnattr_t *at, char *const argv[], char *const envp[])
{
	volatile unsigned long sink = 0;

	for (unsigned long i = 0; i < DELAY_ITERS; i++)
		sink += i;
	return __real_posix_spawnp(pid, file, fa, at, argv, envp);
}
