/* SPDX-License-Identifier: Apache-2.0 */
/* doctor.h: `ackprof doctor`, the checks of what a diagnosis needs. */
#ifndef ACKPROF_DOCTOR_H
#define ACKPROF_DOCTOR_H

#include "workflow.h"

int	wf_doctor(struct opts *);

#endif
