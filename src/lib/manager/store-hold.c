/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state store's holds tied to a process, and its record of what was given back from holders that died. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "store.h"

/* How long what was reclaimed stays listed (`hostdev active`): as long as ended operations. */
#define RECLAIMS_KEEP_SECONDS (30 * 24 * 3600)

int store_hold_tie(struct hd_store *s, const struct hd_owner *o, int64_t pid, int64_t start) {
        _cleanup_stmt_ sqlite3_stmt *dev = NULL, *sh = NULL;
        int r;

        /* The owner is matched as store_owner_devices matches it: by UUID when both have one. */
        r = store_stmt(s,
                       "UPDATE devices SET holder_pid = ?4, holder_start = ?5 WHERE state = 'held' AND "
                       "owner_driver = ?1 AND (CASE WHEN owner_uuid IS NOT NULL AND ?3 IS NOT NULL "
                       "  THEN lower(owner_uuid) = lower(?3) ELSE owner_domain = ?2 END)",
                       &dev);
        if (r < 0)
                return r;
        r = store_stmt(s, "UPDATE sharers SET holder_pid = ?4, holder_start = ?5 WHERE owner_driver = ?1 AND "
                          "owner_domain = ?2",
                       &sh);
        if (r < 0)
                return r;
        for (sqlite3_stmt **st = (sqlite3_stmt *[]){ dev, sh, NULL }; *st; st++) {
                store_bind_text(*st, 1, o->driver);
                store_bind_text(*st, 2, o->domain);
                store_bind_text(*st, 3, o->uuid);
                store_bind_id(*st, 4, pid);
                store_bind_id(*st, 5, pid ? start : 0);
                r = store_stmt_run(s, *st, "tying a hold to its process");
                if (r < 0)
                        return r;
        }
        return 0;
}

int store_holds_list(struct hd_store *s, struct store_hold **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct store_hold *v = NULL;
        size_t n = 0;
        int rc, r;

        r = store_stmt(s,
                       "SELECT owner_driver, owner_domain, owner_uuid, holder_pid, holder_start FROM devices "
                       "  WHERE holder_pid IS NOT NULL AND state = 'held' AND owner_driver IS NOT NULL "
                       "UNION SELECT owner_driver, owner_domain, owner_uuid, holder_pid, holder_start FROM sharers "
                       "  WHERE holder_pid IS NOT NULL "
                       "ORDER BY 1, 2",
                       &st);
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                struct store_hold *nv = realloc(v, (n + 1) * sizeof(*v)), *h;
                if (!nv) {
                        store_holds_free(v, n);
                        return -ENOMEM;
                }
                v = nv;
                h = &v[n++];
                *h = (struct store_hold){ .driver = store_col_text(st, 0), .domain = store_col_text(st, 1),
                                          .uuid = store_col_text(st, 2), .pid = sqlite3_column_int64(st, 3),
                                          .start = sqlite3_column_int64(st, 4) };
                if (!h->driver || !h->domain || (!h->uuid && sqlite3_column_type(st, 2) != SQLITE_NULL)) {
                        store_holds_free(v, n);
                        return -ENOMEM;
                }
        }
        if (rc != SQLITE_DONE) {
                store_holds_free(v, n);
                return store_sql_error(s, rc, "listing the holds tied to processes");
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

void store_holds_free(struct store_hold *v, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(v[i].driver);
                free(v[i].domain);
                free(v[i].uuid);
        }
        free(v);
}

int store_reclaim_add(struct hd_store *s, const struct hd_owner *o, const char *kind, const char *key, int64_t pid,
                      const char *why) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_stmt(s,
                           "INSERT INTO reclaims (owner_driver, owner_domain, owner_uuid, kind, key, holder_pid, "
                           "reclaimed, why) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                           &st);
        if (r < 0)
                return r;
        store_bind_text(st, 1, o->driver);
        store_bind_text(st, 2, o->domain);
        store_bind_text(st, 3, o->uuid);
        store_bind_text(st, 4, kind);
        store_bind_text(st, 5, key);
        sqlite3_bind_int64(st, 6, pid);
        sqlite3_bind_int64(st, 7, (int64_t)time(NULL));
        store_bind_text(st, 8, why);
        return store_stmt_run(s, st, "recording what was given back from a holder that died");
}

void store_reclaims_prune(struct hd_store *s) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (store_stmt(s, "DELETE FROM reclaims WHERE reclaimed < ?1", &st) < 0)
                return;
        sqlite3_bind_int64(st, 1, (int64_t)time(NULL) - RECLAIMS_KEEP_SECONDS);
        (void)sqlite3_step(st);
}

void hd_reclaim_list_free(struct hd_reclaim *v, size_t n) {
        for (size_t i = 0; v && i < n; i++) {
                free(v[i].owner_driver);
                free(v[i].owner_domain);
                free(v[i].owner_uuid);
                free(v[i].kind);
                free(v[i].key);
                free(v[i].why);
        }
        free(v);
}

static int reclaims_read(struct hd_store *s, struct hd_reclaim **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct hd_reclaim *v = NULL;
        size_t n = 0;
        int rc, r;

        r = store_stmt(s,
                       "SELECT owner_driver, owner_domain, owner_uuid, kind, key, holder_pid, reclaimed, why "
                       "FROM reclaims WHERE reclaimed >= ?1 ORDER BY reclaimed, id",
                       &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (int64_t)time(NULL) - RECLAIMS_KEEP_SECONDS);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                struct hd_reclaim *nv = realloc(v, (n + 1) * sizeof(*v)), *c;
                if (!nv) {
                        hd_reclaim_list_free(v, n);
                        return -ENOMEM;
                }
                v = nv;
                c = &v[n++];
                *c = (struct hd_reclaim){ .owner_driver = store_col_text(st, 0), .owner_domain = store_col_text(st, 1),
                                          .owner_uuid = store_col_text(st, 2), .kind = store_col_text(st, 3),
                                          .key = store_col_text(st, 4), .holder_pid = sqlite3_column_int64(st, 5),
                                          .reclaimed = sqlite3_column_int64(st, 6), .why = store_col_text(st, 7) };
                if (!c->owner_driver || !c->owner_domain || !c->kind || !c->key || !c->why ||
                    (!c->owner_uuid && sqlite3_column_type(st, 2) != SQLITE_NULL)) {
                        hd_reclaim_list_free(v, n);
                        return -ENOMEM;
                }
        }
        if (rc != SQLITE_DONE) {
                hd_reclaim_list_free(v, n);
                return store_sql_error(s, rc, "listing what was given back from holders that died");
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int hd_reclaim_list(struct hd_context *ctx, struct hd_reclaim **ret, size_t *ret_n) {
        _cleanup_store_ struct hd_store *s = NULL;
        int r;

        *ret = NULL;
        *ret_n = 0;
        r = store_open(ctx, STORE_NO_CREATE, &s);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        return reclaims_read(s, ret, ret_n);
}
