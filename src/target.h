/* SPDX-License-Identifier: Apache-2.0 */
/* target.h: what may be diagnosed: ids and Kubernetes names checked, descriptions sanitized. */
#ifndef ACKPROF_TARGET_H
#define ACKPROF_TARGET_H

#include <stddef.h>

int	 valid_cluster_id(const char *);
int	 valid_namespace(const char *);
/* The rules valid_namespace and valid_pod hold, as every usage error states them. */
extern const char target_ns_rule[], target_pod_rule[];
int	 valid_pod(const char *);
int	 valid_task_id(const char *);
int	 valid_region(const char *);
int	 valid_profile_name(const char *);
/* True when s matches ^[a-zA-Z0-9_-]*$, the rule for the description field. */
int	 valid_description(const char *);
/* Newly allocated sanitized description: EN/ZH symptom words mapped, the rest dropped. */
char	*sanitize_description(const char *);
/* Free the compiled patterns (for leak checkers). */
void	 target_free_patterns(void);

/* Shared PCRE2 helper: does the whole of s match pattern (compiled once per slot)? */
int	 re_match(int slot, const char *pattern, const char *s, size_t len);
void	 re_free_all(void);

#endif
