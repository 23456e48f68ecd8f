/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reapshim.so: a diagnostic for bench/run part 1, never for real use.  Preloaded
 * into ackprof, it turns a waitpid(pid, ..., WNOHANG) that finds the child still
 * running into a blocking waitpid.  ackprof calls WNOHANG only after both of the
 * child's pipes have closed, that is while the child is exiting, so the block
 * lasts microseconds and replaces ackprof's >= 1 ms back-off sleep (src/run.c).
 * The difference in wall time between ackprof with and without the shim is what
 * that back-off costs.  The shim acts only in a process named ackprof: there it
 * removes LD_PRELOAD from the environment at load, so that ackprof's children (which
 * get a copy of ackprof's environment) run without it; in the launcher (bench/rusage)
 * it does nothing and lets LD_PRELOAD pass on to ackprof.
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <sys/wait.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static pid_t (*real_waitpid)(pid_t, int *, int);
static int active;

__attribute__((constructor)) static void
init(void)
{
	real_waitpid = (pid_t (*)(pid_t, int *, int))dlsym(RTLD_NEXT, "waitpid");
	if (strcmp(program_invocation_short_name, "ackprof") == 0) {
		active = 1;
		unsetenv("LD_PRELOAD");
	}
}

pid_t
waitpid(pid_t pid, int *wstatus, int options)
{
	pid_t r;

	if (real_waitpid == NULL)
		real_waitpid = (pid_t (*)(pid_t, int *, int))dlsym(RTLD_NEXT, "waitpid");
	r = real_waitpid(pid, wstatus, options);
	if (active && r == 0 && (options & WNOHANG) && pid > 0)
		r = real_waitpid(pid, wstatus, options & ~WNOHANG);
	return r;
}
