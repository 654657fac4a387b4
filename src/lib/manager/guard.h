/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the verbs beside the manager (mdev, sriov, vhba) hold while they change a device: the store's lock and records. */
#pragma once

#include "store.h"

/*
 * A VF count, an mdev or a vHBA changed outside prepare and release takes
 * the same lock they hold, so it never runs in the middle of one, and reads
 * the records under it: a device a guest holds is never taken from it.
 * A store that cannot be read is an error (its message says why), never
 * "nothing is held": force or not, nothing is changed then.
 */
struct store_guard {
        int lock_fd;
        struct hd_store *store; /* NULL: there is no store, so nothing is held */
};
#define STORE_GUARD_INIT { .lock_fd = -1 }

int store_guard_begin(struct hd_context *ctx, struct store_guard *g);
void store_guard_end(struct store_guard *g);
#define _cleanup_store_guard_ _cleanup_(store_guard_end)

/* The record of KIND KEY; -ENOENT when it has none. */
int store_guard_get(struct store_guard *g, enum store_kind kind, const char *key, struct hd_active **ret);
/* The first record of KIND whose key starts with PREFIX; -ENOENT when none. */
int store_guard_find_prefix(struct store_guard *g, enum store_kind kind, const char *prefix, struct hd_active **ret);
/*
 * -EBUSY when KIND KEY has a record, with a message naming NAME (the device
 * for a person), who has it, and how to get it back; 0 when it has none.
 */
int store_guard_refuse_held(struct hd_context *ctx, struct store_guard *g, enum store_kind kind, const char *key,
                            const char *name);
/* That message, for the record REC (freed). */
int store_guard_refuse(struct hd_context *ctx, struct hd_active *rec, const char *name);
