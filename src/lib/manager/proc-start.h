/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* When a process started, to tell it from a later one given the same pid. */
#pragma once

#include <stdint.h>

#include "context-internal.h"

/*
 * Field 22 of ROOT/proc/PID/stat (starttime, clock ticks after boot).
 * -ESRCH when there is no such process or it has exited (a zombie);
 * -EBADMSG when the file is not what proc_pid_stat(5) says.
 */
int proc_start_time(struct hd_context *ctx, int64_t pid, int64_t *ret);
