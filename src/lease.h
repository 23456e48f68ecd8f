/*
 * lease.h: ai-mode is one switch per CLI config directory; concurrent runs share it
 * through a lease (a flock'd lock file and a holders file).  The lease alone turns
 * ai-mode on (steps 1-2) and off (step 12, when the last holder leaves).
 */
#ifndef ACKPROF_LEASE_H
#define ACKPROF_LEASE_H

struct cli;

struct lease {
	char	*lockpath;
	char	*holderspath;
	int	 held;		/* we are in the holders file */
	int	 began;		/* step 1 was started: cleanup is owed */
	int	 enabled;	/* step 1 succeeded */
	int	 others;	/* holders left when we released */
};

/*
 * Take the lease and run steps 1-2 under the lock.  Returns 0, or the exit code
 * of the failure (the message already printed).  lease->began tells whether
 * cleanup is owed, even on failure.
 */
int	lease_acquire(struct lease *, struct cli *);
/* Leave; the last holder runs `ai-mode disable`.  Safe to call twice. */
void	lease_release(struct lease *, struct cli *);
void	lease_free(struct lease *);

#endif
