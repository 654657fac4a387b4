/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store's lock and records for the verbs beside the manager: a VF count, an mdev, a vHBA. */
#include <string.h>

#include "guard.h"
#include "manager-internal.h"

int store_guard_begin(struct hd_context *ctx, struct store_guard *g) {
        int r;

        *g = (struct store_guard)STORE_GUARD_INIT;
        r = store_lock(ctx, &g->lock_fd);
        if (r < 0)
                return r;
        r = store_open(ctx, STORE_NO_CREATE, &g->store);
        if (r == -ENOENT) {
                g->store = NULL;
                return 0;
        }
        if (r < 0)
                store_guard_end(g);
        return r;
}

void store_guard_end(struct store_guard *g) {
        g->store = store_close(g->store);
        if (g->lock_fd >= 0)
                close(g->lock_fd);
        g->lock_fd = -1;
}

int store_guard_get(struct store_guard *g, enum store_kind kind, const char *key, struct hd_active **ret) {
        if (!g->store)
                return -ENOENT;
        return store_device_get(g->store, kind, key, ret, NULL);
}

int store_guard_find_prefix(struct store_guard *g, enum store_kind kind, const char *prefix, struct hd_active **ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct hd_active *v = NULL;
        size_t n = 0;
        int r;

        if (!g->store)
                return -ENOENT;
        /* substr, not LIKE: a key is matched as it is, '_' and '%' included. */
        r = store_device_query(g->store, "WHERE kind = ?1 AND substr(key, 1, length(?2)) = ?2 ORDER BY id LIMIT 1", &st);
        if (r < 0)
                return r;
        store_bind_text(st, 1, store_kind_to_string(kind));
        store_bind_text(st, 2, prefix);
        r = store_rows_read(g->store, st, "looking for a device", &v, &n);
        if (r < 0)
                return r;
        if (n == 0) {
                free(v);
                return -ENOENT;
        }
        *ret = v;
        return 0;
}

int store_guard_refuse_held(struct hd_context *ctx, struct store_guard *g, enum store_kind kind, const char *key,
                            const char *name) {
        struct hd_active *rec = NULL;
        int r = store_guard_get(g, kind, key, &rec);

        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        return store_guard_refuse(ctx, rec, name);
}

int store_guard_refuse(struct hd_context *ctx, struct hd_active *rec, const char *name) {
        _cleanup_free_ char *who = record_describe(rec), *hint = NULL;

        if (store_record_state(rec) == STORE_HELD)
                hint = strdupf("release it first ('hostdev release --owner %s:%s')",
                               rec->owner_driver ? rec->owner_driver : "?", rec->owner_domain ? rec->owner_domain : "?");
        else if (store_record_state(rec) == STORE_BUSY)
                hint = strdup("if that process is gone, run 'hostdev recover'");
        else
                hint = strdup("give it back first ('hostdev reattach')");
        hd_active_free(rec);
        if (!who || !hint)
                return -ENOMEM;
        return hd_error(ctx, -EBUSY, "%s is %s; %s", name, who, hint);
}
