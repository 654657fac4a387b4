/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state store by owner: the devices a guest holds, and the several owners of a shared SCSI LUN. */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "store.h"
#include "util/strutil.h"

bool store_owner_is(const struct hd_active *r, const struct hd_owner *o) {
        if (!o || !r->owner_driver || !r->owner_domain || !o->driver || !o->domain)
                return false;
        if (!streq(r->owner_driver, o->driver))
                return false;
        /* A domain renamed keeps its UUID; two domains of one name on two hosts' stores never meet. */
        if (r->owner_uuid && o->uuid)
                return strcasecmp(r->owner_uuid, o->uuid) == 0;
        return streq(r->owner_domain, o->domain);
}

bool store_owner_shares(const struct hd_active *r, const struct hd_owner *o) {
        size_t dl;
        if (!o || !o->driver || !o->domain)
                return false;
        dl = strlen(o->driver);
        for (char **p = r->sharers; p && *p; p++)
                if (strneq(*p, o->driver, dl) && (*p)[dl] == ':' && streq(*p + dl + 1, o->domain))
                        return true;
        return false;
}

int store_sharers_load(struct hd_store *s, struct hd_active *r) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_strv_free_ char **v = NULL;
        int e, rc;

        e = store_stmt(s, "SELECT owner_driver, owner_domain FROM sharers WHERE kind = ?1 AND key = ?2 ORDER BY id",
                       &st);
        if (e < 0)
                return e;
        store_bind_text(st, 1, r->kind);
        store_bind_text(st, 2, r->key);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                char *o = strdupf("%s:%s", (const char *)sqlite3_column_text(st, 0),
                                  (const char *)sqlite3_column_text(st, 1));
                if (!o || strv_push(&v, o) < 0)
                        return -ENOMEM;
        }
        if (rc != SQLITE_DONE)
                return store_sql_error(s, rc, "reading the owners of a shared device");
        strv_free(r->sharers);
        r->sharers = TAKE_PTR(v);
        return 0;
}

int store_sharer_add(struct hd_store *s, const char *kind, const char *key, const struct hd_owner *o, bool readonly,
                     int64_t op_id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int e = store_stmt(s,
                           "INSERT INTO sharers (kind, key, owner_driver, owner_domain, owner_uuid, readonly, op_id, "
                           "created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                           &st);
        if (e < 0)
                return e;
        store_bind_text(st, 1, kind);
        store_bind_text(st, 2, key);
        store_bind_text(st, 3, o->driver);
        store_bind_text(st, 4, o->domain);
        store_bind_text(st, 5, o->uuid);
        sqlite3_bind_int(st, 6, readonly);
        store_bind_id(st, 7, op_id);
        sqlite3_bind_int64(st, 8, (int64_t)time(NULL));
        return store_stmt_run(s, st, "recording an owner of a shared device");
}

int store_sharer_mark(struct hd_store *s, const char *kind, const char *key, const struct hd_owner *o,
                      int64_t op_id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int e = store_stmt(s,
                           "UPDATE sharers SET op_id = ?5 WHERE kind = ?1 AND key = ?2 AND owner_driver = ?3 "
                           "AND owner_domain = ?4",
                           &st);
        if (e < 0)
                return e;
        store_bind_text(st, 1, kind);
        store_bind_text(st, 2, key);
        store_bind_text(st, 3, o->driver);
        store_bind_text(st, 4, o->domain);
        store_bind_id(st, 5, op_id);
        e = store_stmt_run(s, st, "marking an owner of a shared device");
        if (e < 0)
                return e;
        return sqlite3_changes(sqlite3_db_handle(st)) > 0 ? 0 : -ENOENT;
}

static int exec_op(struct hd_store *s, const char *sql, int64_t op_id, const char *what) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int e = store_stmt(s, sql, &st);
        if (e < 0)
                return e;
        sqlite3_bind_int64(st, 1, op_id);
        return store_stmt_run(s, st, what);
}

int store_sharers_drop_op(struct hd_store *s, int64_t op_id) {
        int e = exec_op(s, "DELETE FROM sharers WHERE op_id = ?1", op_id, "dropping an owner of a shared device");
        if (e < 0)
                return e;
        /* A shared device is held in the name of its first owner left. */
        return exec_op(s,
                       "UPDATE devices SET "
                       "  owner_driver = (SELECT owner_driver FROM sharers x WHERE x.kind = devices.kind AND "
                       "                  x.key = devices.key ORDER BY id LIMIT 1),"
                       "  owner_domain = (SELECT owner_domain FROM sharers x WHERE x.kind = devices.kind AND "
                       "                  x.key = devices.key ORDER BY id LIMIT 1),"
                       "  owner_uuid = (SELECT owner_uuid FROM sharers x WHERE x.kind = devices.kind AND "
                       "                x.key = devices.key ORDER BY id LIMIT 1),"
                       "  holder_pid = (SELECT holder_pid FROM sharers x WHERE x.kind = devices.kind AND "
                       "                x.key = devices.key ORDER BY id LIMIT 1),"
                       "  holder_start = (SELECT holder_start FROM sharers x WHERE x.kind = devices.kind AND "
                       "                  x.key = devices.key ORDER BY id LIMIT 1) "
                       "WHERE shareable = 1 AND state = 'held' AND ?1 IS NOT NULL AND EXISTS "
                       "  (SELECT 1 FROM sharers x WHERE x.kind = devices.kind AND x.key = devices.key)",
                       op_id, "naming the owner of a shared device");
}

int store_sharers_keep_op(struct hd_store *s, int64_t op_id) {
        return exec_op(s, "UPDATE sharers SET op_id = NULL WHERE op_id = ?1", op_id,
                       "recording the owners of a shared device");
}

int store_owner_devices(struct hd_store *s, const struct hd_owner *o, struct hd_active **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int e = store_device_query(s,
                                   "WHERE (owner_driver = ?1 AND (CASE WHEN owner_uuid IS NOT NULL AND ?3 IS NOT NULL "
                                   "     THEN lower(owner_uuid) = lower(?3) ELSE owner_domain = ?2 END)) "
                                   "  OR (shareable = 1 AND EXISTS (SELECT 1 FROM sharers x WHERE x.kind = d.kind AND "
                                   "     x.key = d.key AND x.owner_driver = ?1 AND x.owner_domain = ?2)) "
                                   "ORDER BY id DESC",
                                   &st);
        if (e < 0)
                return e;
        store_bind_text(st, 1, o->driver);
        store_bind_text(st, 2, o->domain);
        store_bind_text(st, 3, o->uuid);
        return store_rows_read(s, st, "listing an owner's devices", ret, ret_n);
}

int store_op_devices(struct hd_store *s, int64_t op_id, struct hd_active **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int e = store_device_query(s, "WHERE op_id = ?1 ORDER BY id", &st);
        if (e < 0)
                return e;
        sqlite3_bind_int64(st, 1, op_id);
        return store_rows_read(s, st, "listing an operation's devices", ret, ret_n);
}

int store_op_sharers(struct hd_store *s, int64_t op_id, char ***ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_strv_free_ char **v = NULL;
        int e = store_stmt(s, "SELECT kind, key FROM sharers WHERE op_id = ?1 ORDER BY id", &st), rc;
        if (e < 0)
                return e;
        sqlite3_bind_int64(st, 1, op_id);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                char *k = strdupf("%s\t%s", (const char *)sqlite3_column_text(st, 0),
                                  (const char *)sqlite3_column_text(st, 1));
                if (!k || strv_push(&v, k) < 0)
                        return -ENOMEM;
        }
        if (rc != SQLITE_DONE)
                return store_sql_error(s, rc, "listing an operation's shared devices");
        *ret = TAKE_PTR(v);
        return 0;
}
