/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state store's operations and their journal: claiming a device for one, each step before it is taken, the end. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

char *store_holder_self(void) {
        return strdupf("pid %d (%s)", (int)getpid(), program_invocation_short_name);
}

int store_op_begin(struct hd_store *s, const char *op, const char *kind, const char *key,
                   const char *data, int64_t *ret_op_id) {
        _cleanup_free_ char *holder = store_holder_self();
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        if (!holder)
                return -ENOMEM;
        r = store_stmt(s,
                       "INSERT INTO ops (op, kind, key, data, pid, holder, started) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                       &st);
        if (r < 0)
                return r;
        store_bind_text(st, 1, op);
        store_bind_text(st, 2, kind);
        store_bind_text(st, 3, key);
        store_bind_text(st, 4, data);
        sqlite3_bind_int(st, 5, (int)getpid());
        store_bind_text(st, 6, holder);
        sqlite3_bind_int64(st, 7, (int64_t)time(NULL));
        r = store_stmt_run(s, st, "starting an operation");
        if (r < 0)
                return r;
        *ret_op_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

/* The end of a claim or a take: commit, or roll back and hand the device's row (ROW) out to name its holder. */
static int claim_end(struct hd_store *s, int r, int64_t op_id, int64_t *ret_op_id, struct hd_active *row,
                     struct hd_active **ret_existing) {
        if (r >= 0)
                r = store_commit(s);
        if (r >= 0) {
                hd_active_free(row);
                *ret_op_id = op_id;
                return 0;
        }
        store_rollback(s);
        if (ret_existing)
                *ret_existing = row;
        else
                hd_active_free(row);
        return r;
}

int store_claim(struct hd_store *s, const struct hd_active *rec, const char *op, const char *data,
                int64_t *ret_op_id, struct hd_active **ret_existing) {
        struct hd_active *existing = NULL;
        int64_t op_id = 0;
        int r = store_begin(s);

        if (r < 0)
                return r;
        r = store_device_get(s, store_record_kind(rec), rec->key, &existing, NULL);
        if (r >= 0)
                r = -EBUSY;
        else if (r == -ENOENT)
                r = store_op_begin(s, op, rec->kind, rec->key, data, &op_id);
        /* UNIQUE (kind, key) is what keeps a device from two owners; the read above only names the holder. */
        if (r >= 0)
                r = store_device_add(s, rec, op_id);
        if (r == -EEXIST)
                r = -EBUSY;
        return claim_end(s, r, op_id, ret_op_id, existing, ret_existing);
}

int store_take(struct hd_store *s, enum store_kind kind, const char *key, enum store_state want_state,
               const char *op, const char *data, int64_t *ret_op_id, struct hd_active **ret_existing) {
        struct hd_active *rec = NULL;
        char *old_state;
        int64_t op_id = 0;
        int r = store_begin(s);

        if (r < 0)
                return r;
        r = store_device_get(s, kind, key, &rec, NULL);
        if (r >= 0 && store_record_state(rec) != want_state)
                r = -EBUSY;
        if (r >= 0)
                r = store_op_begin(s, op, rec->kind, key, data, &op_id);
        if (r >= 0) {
                old_state = rec->state;
                rec->state = (char *)store_state_to_string(STORE_BUSY);
                r = store_device_update(s, rec, op_id);
                rec->state = old_state;
        }
        return claim_end(s, r, op_id, ret_op_id, rec, ret_existing);
}

int store_op_finish(struct hd_store *s, int64_t op_id, enum store_op_status status) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_stmt(s, "UPDATE ops SET status = ?2, finished = ?3 WHERE id = ?1", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, op_id);
        store_bind_text(st, 2, store_op_status_to_string(status));
        sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
        return store_stmt_run(s, st, "ending an operation");
}

void store_ops_free(struct store_op *ops, size_t n) {
        for (size_t i = 0; ops && i < n; i++) {
                free(ops[i].op);
                free(ops[i].kind);
                free(ops[i].key);
                free(ops[i].data);
                free(ops[i].holder);
        }
        free(ops);
}

int store_ops_open(struct hd_store *s, struct store_op **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct store_op *v = NULL;
        size_t n = 0;
        int r, rc;

        r = store_stmt(s, "SELECT id, op, kind, key, data, holder, started FROM ops WHERE status = 'open' ORDER BY id",
                       &st);
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                struct store_op *nv = realloc(v, (n + 1) * sizeof(*v));
                if (!nv) {
                        store_ops_free(v, n);
                        return -ENOMEM;
                }
                v = nv;
                v[n] = (struct store_op){
                        .id = sqlite3_column_int64(st, 0),
                        .op = store_col_text(st, 1),
                        .kind = store_col_text(st, 2),
                        .key = store_col_text(st, 3),
                        .data = store_col_text(st, 4),
                        .holder = store_col_text(st, 5),
                        .started = sqlite3_column_int64(st, 6),
                };
                if (!v[n++].op) {
                        store_ops_free(v, n);
                        return -ENOMEM;
                }
        }
        if (rc != SQLITE_DONE) {
                store_ops_free(v, n);
                return store_sql_error(s, rc, "listing open operations");
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int store_step_begin(struct hd_store *s, int64_t op_id, const char *action, const char *undo,
                     int64_t *ret_step_id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int64_t now = (int64_t)time(NULL);
        /* The step number and the device come from the operation, in the same statement. */
        int r = store_stmt(s,
                           "INSERT INTO journal (op_id, op, kind, key, step, action, undo, status, created, updated) "
                           "SELECT id, op, kind, key, "
                           "  (SELECT COALESCE(MAX(step), 0) + 1 FROM journal WHERE op_id = ?1), "
                           "  ?2, ?3, 'pending', ?4, ?4 FROM ops WHERE id = ?1",
                           &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, op_id);
        store_bind_text(st, 2, action);
        store_bind_text(st, 3, undo ? undo : "nothing to undo");
        sqlite3_bind_int64(st, 4, now);
        r = store_stmt_run(s, st, "journaling a step");
        if (r < 0)
                return r;
        if (sqlite3_changes(s->db) != 1)
                return hd_error(s->ctx, -EIO, "state store %s: operation %lld is gone", s->path,
                                (long long)op_id);
        *ret_step_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_step_end(struct hd_store *s, int64_t step_id, bool ok) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_stmt(s, "UPDATE journal SET status = ?2, updated = ?3 WHERE id = ?1", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, step_id);
        store_bind_text(st, 2, store_step_status_to_string(ok ? STORE_STEP_DONE : STORE_STEP_FAILED));
        sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
        return store_stmt_run(s, st, "ending a step");
}

int store_step_next(struct hd_store *s, int64_t op_id, int64_t prev, bool prev_ok, const struct hd_active *update,
                    const char *action, const char *undo, int64_t *ret_step_id) {
        int r = store_begin(s);
        if (r < 0)
                return r;
        if (prev)
                r = store_step_end(s, prev, prev_ok);
        if (r >= 0 && update)
                r = store_device_update(s, update, op_id);
        if (r >= 0)
                r = store_step_begin(s, op_id, action, undo, ret_step_id);
        if (r >= 0)
                r = store_commit(s);
        if (r < 0)
                store_rollback(s);
        return r;
}

void store_prune(struct hd_store *s) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_stmt(s, "DELETE FROM ops WHERE status != 'open' AND finished < ?1", &st) < 0)
                return;
        sqlite3_bind_int64(st, 1, (int64_t)time(NULL) - 30 * 24 * 3600);
        (void)sqlite3_step(st);
        store_reclaims_prune(s);
}

int data_get(const char *data, const char *k, char **ret) {
        size_t kl = strlen(k);
        *ret = NULL;
        for (const char *p = data; p && *p;) {
                const char *e = strchrnul(p, '\n');
                if ((size_t)(e - p) > kl && strneq(p, k, kl) && p[kl] == '=') {
                        if (e - p == (ptrdiff_t)kl + 1)
                                return 0;
                        *ret = strndup(p + kl + 1, (size_t)(e - p) - kl - 1);
                        return *ret ? 0 : -ENOMEM;
                }
                p = *e ? e + 1 : e;
        }
        return 0;
}
