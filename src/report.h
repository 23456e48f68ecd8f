/* SPDX-License-Identifier: Apache-2.0 */
/* report.h: reading get-diagnosis-result bodies and rendering the Step 9 report. */
#ifndef ACKPROF_REPORT_H
#define ACKPROF_REPORT_H

#include <stdio.h>
#include <time.h>

#include <cjson/cJSON.h>

enum task_state { TASK_PENDING, TASK_SUCCESS, TASK_FAIL, TASK_UNKNOWN };
enum overall { OVERALL_INFO, OVERALL_WARN, OVERALL_CRITICAL, OVERALL_OTHER, OVERALL_NONE };

struct diag {
	enum task_state	 state;
	char		*status;	/* data.status as sent */
	char		*err_msg;	/* data.err_msg */
	char		*url;		/* data.url */
	enum overall	 overall;
	char		*overall_raw;	/* summary.overall_status as sent */
	char		*root_cause;
	char		*mode_raw;	/* result.diagnose_mode */
	cJSON		*suggestions;	/* array of strings (owned) */
	cJSON		*issues;	/* array of objects (owned) */
	cJSON		*result;	/* the parsed data.result (owned), or NULL */
};

/*
 * Parse a get-diagnosis-result stdout.  Returns 0, or -1 with a reason in err
 * (not JSON, no data, code not Success: then err holds "CODE: message").
 */
int	diag_parse(const char *text, size_t len, struct diag *, char *err, size_t errlen);
void	diag_free(struct diag *);
const char *overall_name(enum overall);	/* the code: Info, Warn, Critical, Unknown, None */
const char *overall_label(enum overall);	/* the same for people, translated */
/* The exit code of a finished diagnosis: 0 Info, 1 Warn, 2 Critical (unknown: 1). */
int	diag_exit_code(const struct diag *);

struct report {
	const char	*cluster_id;
	const char	*cluster_name;
	const char	*region;
	const char	*namespace;
	const char	*pod;
	const char	*description;
	int		 historical;
	int		 mode_unknown;	/* result: no poll said real-time or historical */
	time_t		 start_time, end_time;
	const char	*task_id;
	int		 polls;
	time_t		 ran_at;	/* when this run wrote the report (0: not shown) */
	const struct diag *diag;
	cJSON		*calls;	/* borrowed */
};

void	report_text(FILE *, const struct report *);
void	report_markdown(FILE *, const struct report *);
/* "realtime", "historical", or NULL when unknown. */
const char *report_mode(const struct report *);
/* Add k as the string v, or as null when v is NULL. */
void	json_add_str(cJSON *, const char *k, const char *v);
/* The -o json document (caller deletes). */
cJSON	*report_json(const struct report *, int exit_code);

/* Issue item accessors tolerant of the unknown key names (severity|level|status, ...). */
const char *issue_field(const cJSON *, const char *const *names);
extern const char *const issue_severity_keys[];
extern const char *const issue_title_keys[];
extern const char *const issue_detail_keys[];
extern const char *const issue_area_keys[];

#endif
