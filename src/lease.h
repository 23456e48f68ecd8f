/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lease.h: ai-mode is one switch per CLI config directory; concurrent runs share it
 * through a lease (a flock'd lock file, a holders file and one flock'd lock file per
 * holder, in that config directory's ackprof/ subdirectory).  The lease alone turns ai-mode on (steps 1-2) and off
 * (step 12, when the last holder leaves).
 */
#ifndef ACKPROF_LEASE_H
#define ACKPROF_LEASE_H

struct cli;

#define LEASE_TOKEN_LEN 16	/* hex digits naming a holder's lock file */

struct lease {
	char	*dir;		/* CONFIG_DIR/ackprof, the config directory canonical */
	char	*lockpath;
	char	*holderspath;
	int	 held;		/* we are in the holders file */
	int	 began;		/* step 1 was started: cleanup is owed */
	int	 enabled;	/* step 1 succeeded */
	int	 others;	/* holders left when we released */
	char	 token[LEASE_TOKEN_LEN + 1];	/* our aimode.holder.TOKEN, "" when none */
	int	 holder_fd;	/* its flock'd descriptor, while token is set */
};

/*
 * Take the lease and run steps 1-2 under the lock.  Returns 0, or the exit code
 * of the failure (the message already printed).  lease->began tells whether
 * cleanup is owed, even on failure.
 */
int	lease_acquire(struct lease *, struct cli *);
/*
 * Leave; the last holder runs `ai-mode disable`.  Safe to call twice.  Returns 0,
 * or the exit code owed when ai-mode may be left on (disable failed, hung or
 * could not run: 69, or 78 when the CLI could not be started), the line printed.
 */
int	lease_release(struct lease *, struct cli *);
/*
 * The ackprof runs holding the lease now (live holders), read without creating or
 * locking anything: 0, a count, or -1 when the lease cannot be read.
 */
int	lease_holders(struct cli *);
/*
 * Cleanup for a holder that died without leaving (SIGKILL): under the lock, drop
 * the holder with lock file token `token`, or without one (NULL or ""), holder
 * `pid` (with start time `start`, any when 0); when it was listed and no live
 * holder is left, run `ai-mode disable`.  With pid 0 and no token, disable when no
 * live holder is left at all (doctor --fix).  A holder is live while it holds the
 * flock on its lock file, whatever PID namespace it runs in.  Returns -1 when nothing was run, else
 * the disable's code (0 when it succeeded).  The watchdog calls it through the
 * hook lease_acquire arms (run_on_orphan); the decision "last holder" lives here.
 */
int	lease_reap(struct cli *, long pid, unsigned long long start, const char *token);
/* The CLI's config directory, canonical (newly allocated), or NULL (errno set). */
char	*lease_config_dir(const char *config_path);
void	lease_free(struct lease *);

#endif
