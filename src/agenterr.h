/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agenterr.h: the structured error of the aliyun CLI 3.5.x in AI mode ("Agent-mode
 * errors", docs/en/integrations.md): one compact JSON object on stderr with
 * message, did_you_mean, recovery{action,command,hint}, and for a server error
 * error_code, status_code, request_id (3.5.1 adds schemaVersion "v1").  Read into
 * the same struct cli_error as 3.4.11's text blocks, so one classification serves
 * both.  3.5 exits 2 with it; 3 still means a failure with the CLI's own tip.
 */
#ifndef ACKPROF_AGENTERR_H
#define ACKPROF_AGENTERR_H

#include <stddef.h>

struct cli_error;

/*
 * Look for the envelope in err (the first line that is a JSON object with a string
 * "message" and an object "recovery").  Fills code, message, request_id and
 * http_status (raw: the caller scrubs) and returns 1; returns 0 and leaves e alone
 * when there is none.
 */
int	agent_error_parse(const char *err, size_t len, struct cli_error *e);

#endif
