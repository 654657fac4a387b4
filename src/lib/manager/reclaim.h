/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Giving back the devices of holds whose process died (struct hd_reclaim, hd_manager_hold_pid). */
#pragma once

#include "manager-internal.h"

/*
 * For every hold tied to a process that is gone (or whose pid another
 * process has now): release the owner's devices as hd_manager_release does
 * and record them in the reclaims table, unless a process still has one of
 * their vfio nodes open. Each is said as an item of REP, or with REP NULL
 * as a notice on the context. SKIP (may be NULL) is left alone: the caller
 * acts on that owner's hold itself (its own release is no reclaim). The
 * caller holds store_lock. 0 or -ENOMEM (or the store's error); a release
 * that fails is said, not returned.
 */
int reclaim_locked(struct hd_context *ctx, struct hd_store *s, struct hd_report *rep, const struct hd_owner *skip);
