/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state store: who holds which device, and the journal of sysfs writes, in SQLite. */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "context-internal.h"
#include "hostdev/manager.h"
#include "util/strutil.h"

/*
 * One SQLite database, STATE_DIR/hostdev.db, shared by every process on the
 * host (WAL, 10 s busy timeout, schema version in PRAGMA user_version).
 *
 *   devices  one row per device some operation took: UNIQUE(kind, key), so
 *            two owners can never hold one device; state 'busy' while an
 *            operation works on it (ops.id in op_id), then 'detached' or
 *            'held'.
 *   ops      one row per operation (detach, reattach, reset ...) with the
 *            data its recovery needs ("k=v" lines) and its status: 'open'
 *            until it ends 'done', 'undone' or 'failed'.
 *   journal  the steps of an operation, each written 'pending' (what is
 *            about to be done, how to undo it) before its sysfs write and
 *            'done' or 'failed' after.
 *
 * Keys: pci "0000:01:00.0"; usb "BBB:DDD VVVV:PPPP" (bus, device, vendor,
 * product, hex ids lower case); scsi "H:B:T:U"; mdev the UUID; net_vf the
 * VF's PCI address.
 */

/* The words the store keeps, each list once: the enums and their string tables come from it. */
#define STORE_KINDS(X)                                                                             \
        X(STORE_PCI, "pci")                                                                        \
        X(STORE_USB, "usb")                                                                        \
        X(STORE_SCSI, "scsi")                                                                      \
        X(STORE_MDEV, "mdev")                                                                      \
        X(STORE_NET_VF, "net_vf") /* a VF's MAC and VLAN; its PCI function has a row of its own */
enum store_kind { STORE_KINDS(ENUM_ENTRY) _STORE_KIND_MAX, _STORE_KIND_INVALID = -1 };

#define STORE_STATES(X)                                                                            \
        X(STORE_BUSY, "busy")         /* an operation works on it (devices.op_id) */               \
        X(STORE_DETACHED, "detached") /* on its stub, no guest */                                  \
        X(STORE_HELD, "held")         /* a guest's */
enum store_state { STORE_STATES(ENUM_ENTRY) _STORE_STATE_MAX, _STORE_STATE_INVALID = -1 };

#define STORE_OP_STATUSES(X)                                                                       \
        X(STORE_OP_OPEN, "open")                                                                   \
        X(STORE_OP_DONE, "done")                                                                   \
        X(STORE_OP_UNDONE, "undone")                                                               \
        X(STORE_OP_FAILED, "failed")
enum store_op_status { STORE_OP_STATUSES(ENUM_ENTRY) _STORE_OP_STATUS_MAX, _STORE_OP_STATUS_INVALID = -1 };

#define STORE_STEP_STATUSES(X)                                                                     \
        X(STORE_STEP_PENDING, "pending")                                                           \
        X(STORE_STEP_DONE, "done")                                                                 \
        X(STORE_STEP_FAILED, "failed")
enum store_step_status { STORE_STEP_STATUSES(ENUM_ENTRY) _STORE_STEP_STATUS_MAX, _STORE_STEP_STATUS_INVALID = -1 };

const char *store_kind_to_string(enum store_kind v);
enum store_kind store_kind_from_string(const char *s);
const char *store_state_to_string(enum store_state v);
enum store_state store_state_from_string(const char *s);
const char *store_op_status_to_string(enum store_op_status v);
enum store_op_status store_op_status_from_string(const char *s);
const char *store_step_status_to_string(enum store_step_status v);
enum store_step_status store_step_status_from_string(const char *s);

/* How long a statement waits for another process's transaction. */
#define STORE_BUSY_TIMEOUT_MS 10000

struct hd_store {
        struct hd_context *ctx;
        sqlite3 *db;
        char *path;  /* for messages: STATE_DIR/hostdev.db */
        int dir_fd;  /* the state directory as opened and checked; SQLite opens its files beneath it */
};

/* store-open.c: the connection. */

enum store_open_flags {
        STORE_NO_CREATE = 1 << 0, /* -ENOENT when there is no store yet (for readers) */
};

int store_open(struct hd_context *ctx, unsigned flags, struct hd_store **ret);
/*
 * The state directory in use: the context's, except that the default
 * (/var/lib/hostdev) under a root prefix other than "/" is ROOT/var/lib/hostdev.
 */
char *store_dir(struct hd_context *ctx);
struct hd_store *store_close(struct hd_store *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct hd_store *, store_close)
#define _cleanup_store_ _cleanup_(store_closep)

/*
 * The lock every changing operation holds for its whole run (flock on
 * STATE_DIR/lock): while held, any open operation in the journal belongs to
 * a process that is gone. Waits up to a minute. Returns the fd to close.
 */
int store_lock(struct hd_context *ctx, int *ret_fd);

/* "pid 1234 (hostdev)": who this process is, for records and messages. */
char *store_holder_self(void);

/* store-schema.c: the schema version this library writes, and bringing a store up to it. */
int store_schema_version(void);
int store_migrate(struct hd_store *s);

/* store-sql.c: statements and transactions. */

/* BEGIN IMMEDIATE: the write lock now, so a check and the write after it cannot interleave. */
int store_begin(struct hd_store *s);
int store_commit(struct hd_store *s);
void store_rollback(struct hd_store *s);

DEFINE_TRIVIAL_CLEANUP_FUNC(sqlite3_stmt *, sqlite3_finalize)
#define _cleanup_stmt_ _cleanup_(sqlite3_finalizep)
int store_exec(struct hd_store *s, const char *sql, const char *what);
int store_stmt(struct hd_store *s, const char *sql, sqlite3_stmt **ret);
/* Step ST to its end; a failure is a message on the context naming WHAT. */
int store_stmt_run(struct hd_store *s, sqlite3_stmt *st, const char *what);
/* SQLite's RC as a negative errno with a message naming the store and WHAT (-EEXIST, unset, for a UNIQUE clash). */
int store_sql_error(struct hd_store *s, int rc, const char *what);
/* Bind text, or NULL; an id, or NULL for 0. */
int store_bind_text(sqlite3_stmt *st, int i, const char *v);
int store_bind_id(sqlite3_stmt *st, int i, int64_t id);
char *store_col_text(sqlite3_stmt *st, int i);

/* store-devices.c: device rows, one hd_active each. */

/* Allocate a record with kind, key and state set. */
struct hd_active *store_record_new(enum store_kind kind, const char *key, enum store_state state);
/* A record's kind and state (rows are checked when read, records made here are right by construction). */
enum store_kind store_record_kind(const struct hd_active *r);
enum store_state store_record_state(const struct hd_active *r);
int store_record_set_state(struct hd_active *r, enum store_state state);

int store_device_get(struct hd_store *s, enum store_kind kind, const char *key, struct hd_active **ret,
                     int64_t *ret_op_id);
int store_device_list(struct hd_store *s, struct hd_active **ret, size_t *ret_n);
/* Insert a row as this process's (in the caller's transaction); -EEXIST when the device has one. */
int store_device_add(struct hd_store *s, const struct hd_active *r, int64_t op_id);
/* Set state, owner, flags and drivers of an existing row; op_id 0 clears it. */
int store_device_update(struct hd_store *s, const struct hd_active *r, int64_t op_id);
int store_device_delete(struct hd_store *s, enum store_kind kind, const char *key);
/* Prepare "SELECT <every device column> FROM devices d REST". */
int store_device_query(struct hd_store *s, const char *rest, sqlite3_stmt **ret);
/* Every row ST (from store_device_query) yields, as records with their sharers; WHAT names the query in an error. */
int store_rows_read(struct hd_store *s, sqlite3_stmt *st, const char *what, struct hd_active **ret,
                    size_t *ret_n);

/* store-ops.c: operations and their journal. */

/*
 * Start operation OP on a device that has no row: in one transaction, insert
 * the device as 'busy' and the operation as 'open'. -EBUSY when a row exists;
 * *ret_existing (when not NULL) then gets it, to name the holder.
 */
int store_claim(struct hd_store *s, const struct hd_active *r, const char *op, const char *data,
                int64_t *ret_op_id, struct hd_active **ret_existing);
/*
 * Start operation OP on a device that has a row in state WANT_STATE: mark it
 * 'busy'. -EBUSY (with *ret_existing) when it is in another state.
 */
int store_take(struct hd_store *s, enum store_kind kind, const char *key, enum store_state want_state,
               const char *op, const char *data, int64_t *ret_op_id, struct hd_active **ret_existing);
/* Start an operation that changes no record (a reset). KIND is the device's, or "domain". */
int store_op_begin(struct hd_store *s, const char *op, const char *kind, const char *key,
                   const char *data, int64_t *ret_op_id);
/* End it: done, undone or failed. */
int store_op_finish(struct hd_store *s, int64_t op_id, enum store_op_status status);

struct store_op {
        int64_t id;
        char *op, *kind, *key, *data, *holder;
        int64_t started;
};
/* Operations still open, oldest first. */
int store_ops_open(struct hd_store *s, struct store_op **ret, size_t *ret_n);
void store_ops_free(struct store_op *ops, size_t n);

/*
 * The journal: a step is recorded 'pending' before its sysfs write, then
 * ended 'done' or 'failed'. ACTION and UNDO are for people reading the
 * journal ("write 'vfio-pci' to /sys/bus/pci/devices/X/driver_override").
 */
int store_step_begin(struct hd_store *s, int64_t op_id, const char *action, const char *undo,
                     int64_t *ret_step_id);
int store_step_end(struct hd_store *s, int64_t step_id, bool ok);
/*
 * One journal step in one transaction: end the PREV step (0: none) as
 * PREV_OK, update the device row UPDATE (may be NULL; it keeps OP_ID), and
 * record the next step pending. What a batch of writes uses so that each of
 * its steps costs one transaction, not two.
 */
int store_step_next(struct hd_store *s, int64_t op_id, int64_t prev, bool prev_ok, const struct hd_active *update,
                    const char *action, const char *undo, int64_t *ret_step_id);

/* Forget operations that ended more than 30 days ago (their journal goes with them), and old reclaims. */
void store_prune(struct hd_store *s);

/* "k=v" lines: the value of K as a new string, NULL (and 0) when absent or empty. */
int data_get(const char *data, const char *k, char **ret);

/*
 * store-owner.c: owners. A shareable SCSI LUN has one sharers row per
 * owner, its device row names the first of them.
 */
/* R->sharers from the sharers table, "DRIVER:DOMAIN" in the order they came. */
int store_sharers_load(struct hd_store *s, struct hd_active *r);
/* Whether R names OWNER (by UUID when both have one, else by name), or OWNER is among its sharers. */
bool store_owner_is(const struct hd_active *r, const struct hd_owner *owner);
bool store_owner_shares(const struct hd_active *r, const struct hd_owner *owner);
int store_sharer_add(struct hd_store *s, const char *kind, const char *key, const struct hd_owner *owner,
                     bool readonly, int64_t op_id);
/* Mark OWNER's sharer row with OP_ID (0: clear the mark); -ENOENT when OWNER does not share it. */
int store_sharer_mark(struct hd_store *s, const char *kind, const char *key, const struct hd_owner *owner,
                      int64_t op_id);
/* Drop the sharer rows an operation marked (and the device's owner moves to the first sharer left). */
int store_sharers_drop_op(struct hd_store *s, int64_t op_id);
/* Clear an operation's marks (it ended and keeps them). */
int store_sharers_keep_op(struct hd_store *s, int64_t op_id);
/* Every device row OWNER holds or shares, newest first. */
int store_owner_devices(struct hd_store *s, const struct hd_owner *owner, struct hd_active **ret, size_t *ret_n);
/* The device rows an operation has marked busy (op_id), as they are. */
int store_op_devices(struct hd_store *s, int64_t op_id, struct hd_active **ret, size_t *ret_n);
/* The sharers rows an operation marked: "KIND\tKEY" each. */
int store_op_sharers(struct hd_store *s, int64_t op_id, char ***ret);

/* store-hold.c: holds tied to a process, and what was given back from holders that died. */

/* Tie every device OWNER holds (and its sharer rows) to process PID started at START; PID 0 unties. */
int store_hold_tie(struct hd_store *s, const struct hd_owner *owner, int64_t pid, int64_t start);
/* One owner's hold tied to a process. */
struct store_hold {
        char *driver, *domain, *uuid;
        int64_t pid, start;
};
/* Every owner whose hold is tied to a process, with that process. */
int store_holds_list(struct hd_store *s, struct store_hold **ret, size_t *ret_n);
void store_holds_free(struct store_hold *v, size_t n);
/* Record that KIND KEY went back from OWNER, whose process PID died (WHY, for a person). */
int store_reclaim_add(struct hd_store *s, const struct hd_owner *owner, const char *kind, const char *key,
                      int64_t pid, const char *why);
/* Forget what was reclaimed more than 30 days ago. */
void store_reclaims_prune(struct hd_store *s);
