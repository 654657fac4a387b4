/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* HOSTDEV_TEST_KILL_AT_WRITE=N for the test builds of hostdev: SIGKILL at the Nth sysfs write, as a crash would. */
#pragma once

#include "hostdev/context.h"

/*
 * Put a hook on CTX that passes every write on to NEXT (NEXT_DATA its
 * userdata), except that the Nth write of the process, N from
 * HOSTDEV_TEST_KILL_AT_WRITE, kills it (SIGKILL) before it is passed on:
 * the step is journaled, not taken, and `hostdev recover` must put it
 * right. Unset, every write is passed on. The shipped library and
 * `hostdev` have no such variable: it lives in hostdev-emu and
 * hostdev-crashtest only.
 */
void kill_at_write_install(struct hd_context *ctx, hd_write_hook_t next, void *next_data);
