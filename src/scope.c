/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scope.c: the skill's out-of-scope pods (Windows containers, ECI and virtual-node
 * pods, Pending pods).  DescribeClusterDetail describes the cluster, not the pod's
 * node: it shows only a Serverless or ACS cluster, whose pods are all ECI or
 * virtual-node pods (Step 5's profile gate names that, src/workflow.c).  For one pod,
 * SysOM's own words are what tells them: a failed task's err_msg, or the message of a
 * refused invoke.  A match stops with 65.
 */
#include <string.h>

#include "msg.h"
#include "scope.h"
#include "target.h"

/* re_match slots 27-29 belong to this file. */
static const struct {
	int		 slot;
	const char	*re;
	enum scope	 what;
} classes[] = {
	{ 27, "(?i)\\bwindows\\b", SCOPE_WINDOWS },
	{ 28, "(?i)\\beci\\b|elastic\\s+container\\s+instance|virtual[\\s_-]*(?:node|kubelet)",
	    SCOPE_VIRTUAL },
	{ 29, "(?i)\\bpending\\b|\\bnot\\s+(?:yet\\s+)?scheduled\\b|\\bunschedul", SCOPE_PENDING },
};

enum scope
scope_of(const char *text)
{
	size_t i;

	if (text == NULL || *text == '\0')
		return SCOPE_IN;
	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (re_match(classes[i].slot, classes[i].re, text, strlen(text)))
			return classes[i].what;
	return SCOPE_IN;
}

int
scope_stop(const char *ns, const char *pod, const char *text)
{
	const char *n = ns ? ns : "?", *p = pod ? pod : "?";

	switch (scope_of(text)) {
	case SCOPE_WINDOWS:
		errorf("pod %s/%s is out of scope: SysOM says \"%s\", so it runs in a Windows container (SysOM diagnoses Linux pods on regular ECS-backed ACK nodes only)",
		    n, p, text);
		return 65;
	case SCOPE_VIRTUAL:
		errorf("pod %s/%s is out of scope: SysOM says \"%s\", so it is an ECI or virtual-node pod (SysOM diagnoses pods on regular ECS-backed ACK nodes only)",
		    n, p, text);
		return 65;
	case SCOPE_PENDING:
		errorf("pod %s/%s is out of scope: SysOM says \"%s\", so it is Pending, not scheduled to a node (run again once the pod is scheduled and running)",
		    n, p, text);
		return 65;
	case SCOPE_IN:
		break;
	}
	return 0;
}
