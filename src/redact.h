/* SPDX-License-Identifier: Apache-2.0 */
/* redact.h: masks AccessKey ids, secrets and STS tokens in any text before it leaves us. */
#ifndef ACKPROF_REDACT_H
#define ACKPROF_REDACT_H

#include <stddef.h>

/* Returns a newly allocated, NUL-terminated copy of s[0..len) with credentials masked. */
char	*redact(const char *, size_t);
/* Same, for a NUL-terminated string. */
char	*redacts(const char *);
/* Nonzero when the text holds something that redact() would mask. */
int	 redact_needed(const char *, size_t);
/* Nonzero when a field of this name holds a credential (password, AccessKeySecret, ...). */
int	 redact_secret_name(const char *);
/*
 * Learn the credentials in our own environment (ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET,
 * ALIBABA_CLOUD_SECURITY_TOKEN, their ALIBABACLOUD_* and ALICLOUD_* forms) so that
 * redact() masks them by value in any form; makes the process non-dumpable when any is set.
 */
void	 redact_learn_env(void);
/* Frees the patterns and zeroes the learnt values (explicit_bzero). */
void	 redact_free_patterns(void);

#endif
