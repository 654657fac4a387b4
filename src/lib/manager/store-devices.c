/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state store's device rows: their columns described once, read, written, and the public record API. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "store.h"

STRING_TABLE(store_kind, enum store_kind, STORE_KINDS, _STORE_KIND_MAX)
STRING_TABLE(store_state, enum store_state, STORE_STATES, _STORE_STATE_MAX)
STRING_TABLE(store_op_status, enum store_op_status, STORE_OP_STATUSES, _STORE_OP_STATUS_MAX)
STRING_TABLE(store_step_status, enum store_step_status, STORE_STEP_STATUSES, _STORE_STEP_STATUS_MAX)

enum column_type {
        COL_TEXT,  /* char * */
        COL_BOOL,  /* bool */
        COL_TIME,  /* int64_t seconds; written as now */
        COL_OP_ID, /* the operation working on the row: not in the record, a parameter */
        COL_HOLDER, /* char *: the process that inserted the row, a parameter */
        COL_INT,    /* int64_t, NULL read as 0 and 0 written as NULL */
};

enum column_flags {
        COL_KEY = 1 << 0,    /* names the row: UPDATE's WHERE, never changed */
        COL_CREATE = 1 << 1, /* written by INSERT only */
};

/*
 * The devices table, once: SELECT, INSERT, UPDATE, reading a row and freeing
 * a record all follow this list. Migration 1 made the columns up to op_id,
 * migration 2 those up to mdev_started, migration 3 vf_flags, migration 4
 * holder_pid and holder_start, migration 5 claimed; the order here
 * is only the order of the SQL.
 */
static const struct column {
        const char *name;
        enum column_type type;
        size_t offset; /* in struct hd_active */
        unsigned flags;
} columns[] = {
#define C(name, type, flags) { #name, type, offsetof(struct hd_active, name), flags }
        C(kind, COL_TEXT, COL_KEY),
        C(key, COL_TEXT, COL_KEY),
        C(state, COL_TEXT, 0),
        C(owner_driver, COL_TEXT, 0),
        C(owner_domain, COL_TEXT, 0),
        C(owner_uuid, COL_TEXT, 0),
        C(managed, COL_BOOL, 0),
        C(orig_driver, COL_TEXT, 0),
        C(stub_driver, COL_TEXT, 0),
        C(unbind_from_stub, COL_BOOL, 0),
        C(remove_slot, COL_BOOL, 0),
        C(reprobe, COL_BOOL, 0),
        C(vf_mac, COL_TEXT, 0),
        C(vf_vlan, COL_TEXT, 0),
        C(holder, COL_HOLDER, COL_CREATE),
        C(created, COL_TIME, COL_CREATE),
        C(updated, COL_TIME, 0),
        { "op_id", COL_OP_ID, 0, 0 },
        C(prev_state, COL_TEXT, 0),
        C(orig_override, COL_TEXT, 0),
        C(node, COL_TEXT, 0),
        C(shareable, COL_BOOL, 0),
        C(readonly, COL_BOOL, 0),
        C(sgio, COL_TEXT, 0),
        C(mdev_started, COL_BOOL, 0),
        C(vf_flags, COL_TEXT, 0),
        C(holder_pid, COL_INT, 0),
        C(holder_start, COL_INT, 0),
        C(claimed, COL_BOOL, 0),
#undef C
};

#define FIELD(r, c, type) ((type *)((char *)(r) + (c)->offset))
#define CFIELD(r, c, type) ((const type *)((const char *)(r) + (c)->offset))

enum statement { SQL_SELECT, SQL_INSERT, SQL_UPDATE };

/*
 * The statement's text. Parameter ?N is column N-1 of the table above, so
 * one binder serves INSERT and UPDATE.
 */
static char *device_sql(enum statement which, const char *rest) {
        struct strbuf b = {};
        bool first = true;

        strbuf_append(&b, which == SQL_SELECT   ? "SELECT "
                          : which == SQL_INSERT ? "INSERT INTO devices ("
                                                : "UPDATE devices SET ");
        for (size_t i = 0; i < ELEMENTSOF(columns); i++) {
                if (which == SQL_UPDATE && (columns[i].flags & (COL_KEY | COL_CREATE)))
                        continue;
                if (which == SQL_UPDATE)
                        strbuf_appendf(&b, "%s%s = ?%zu", first ? "" : ", ", columns[i].name, i + 1);
                else
                        strbuf_appendf(&b, "%s%s", first ? "" : ", ", columns[i].name);
                first = false;
        }
        if (which == SQL_SELECT)
                strbuf_appendf(&b, " FROM devices d %s", rest ? rest : "");
        else if (which == SQL_INSERT) {
                strbuf_append(&b, ") VALUES (");
                for (size_t i = 0; i < ELEMENTSOF(columns); i++)
                        strbuf_appendf(&b, "%s?%zu", i ? ", " : "", i + 1);
                strbuf_append(&b, ")");
        } else {
                strbuf_append(&b, " WHERE ");
                first = true;
                for (size_t i = 0; i < ELEMENTSOF(columns); i++)
                        if (columns[i].flags & COL_KEY) {
                                strbuf_appendf(&b, "%s%s = ?%zu", first ? "" : " AND ", columns[i].name, i + 1);
                                first = false;
                        }
        }
        return strbuf_steal(&b);
}

/* Bind every column of R that WHICH writes; HOLDER is the inserting process, OP_ID the row's operation. */
static void device_bind(sqlite3_stmt *st, enum statement which, const struct hd_active *r, const char *holder,
                        int64_t op_id) {
        int64_t now = (int64_t)time(NULL);

        for (size_t i = 0; i < ELEMENTSOF(columns); i++) {
                const struct column *c = &columns[i];
                int p = (int)i + 1;

                if (which == SQL_UPDATE && (c->flags & COL_CREATE))
                        continue;
                switch (c->type) {
                case COL_TEXT:
                        store_bind_text(st, p, *CFIELD(r, c, char *));
                        break;
                case COL_HOLDER:
                        store_bind_text(st, p, holder);
                        break;
                case COL_BOOL:
                        sqlite3_bind_int(st, p, *CFIELD(r, c, bool));
                        break;
                case COL_TIME:
                        sqlite3_bind_int64(st, p, now);
                        break;
                case COL_OP_ID:
                        store_bind_id(st, p, op_id);
                        break;
                case COL_INT:
                        store_bind_id(st, p, *CFIELD(r, c, int64_t));
                        break;
                }
        }
}

static int device_write(struct hd_store *s, enum statement which, const struct hd_active *r, const char *holder,
                        int64_t op_id, const char *what) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *sql = device_sql(which, NULL);
        int e;

        if (!sql)
                return -ENOMEM;
        e = store_stmt(s, sql, &st);
        if (e < 0)
                return e;
        device_bind(st, which, r, holder, op_id);
        return store_stmt_run(s, st, what);
}

static void record_done(struct hd_active *r) {
        for (size_t i = 0; i < ELEMENTSOF(columns); i++)
                if (columns[i].type == COL_TEXT || columns[i].type == COL_HOLDER)
                        free(*FIELD(r, &columns[i], char *));
        strv_free(r->sharers);
}

/* A row of store_device_query into R (sharers not loaded). */
static int row_read(struct hd_store *s, sqlite3_stmt *st, struct hd_active *r, int64_t *ret_op_id) {
        *r = (struct hd_active){};
        for (size_t i = 0; i < ELEMENTSOF(columns); i++) {
                const struct column *c = &columns[i];
                int col = (int)i;

                switch (c->type) {
                case COL_TEXT:
                case COL_HOLDER:
                        *FIELD(r, c, char *) = store_col_text(st, col);
                        if (!*FIELD(r, c, char *) && sqlite3_column_type(st, col) != SQLITE_NULL)
                                return -ENOMEM;
                        break;
                case COL_BOOL:
                        *FIELD(r, c, bool) = sqlite3_column_int(st, col) != 0;
                        break;
                case COL_TIME:
                case COL_INT:
                        *FIELD(r, c, int64_t) = sqlite3_column_int64(st, col);
                        break;
                case COL_OP_ID:
                        if (ret_op_id)
                                *ret_op_id = sqlite3_column_int64(st, col);
                        break;
                }
        }
        /* The schema's CHECKs keep these to the lists; a row that is not is no row of ours. */
        if (!r->key || store_record_kind(r) < 0 || store_record_state(r) < 0 ||
            (r->prev_state && store_state_from_string(r->prev_state) < 0))
                return hd_error(s->ctx, -EBADMSG, "state store %s: a device row (%s %s, state %s) is not one this "
                                "hostdev wrote; remove the store if nothing is held",
                                s->path, r->kind ? r->kind : "?", r->key ? r->key : "?", r->state ? r->state : "?");
        return 0;
}

struct hd_active *store_record_new(enum store_kind kind, const char *key, enum store_state state) {
        struct hd_active *r = calloc(1, sizeof(*r));
        if (!r)
                return NULL;
        r->kind = strdup_or_null(store_kind_to_string(kind));
        r->key = strdup(key);
        r->state = strdup_or_null(store_state_to_string(state));
        if (!r->kind || !r->key || !r->state) {
                hd_active_free(r);
                return NULL;
        }
        return r;
}

enum store_kind store_record_kind(const struct hd_active *r) {
        return store_kind_from_string(r->kind);
}

enum store_state store_record_state(const struct hd_active *r) {
        return store_state_from_string(r->state);
}

int store_record_set_state(struct hd_active *r, enum store_state state) {
        char *v = strdup_or_null(store_state_to_string(state));
        if (!v)
                return -ENOMEM;
        free(r->state);
        r->state = v;
        return 0;
}

int store_device_query(struct hd_store *s, const char *rest, sqlite3_stmt **ret) {
        _cleanup_free_ char *sql = device_sql(SQL_SELECT, rest);
        return sql ? store_stmt(s, sql, ret) : -ENOMEM;
}

int store_device_get(struct hd_store *s, enum store_kind kind, const char *key, struct hd_active **ret,
                     int64_t *ret_op_id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct hd_active *rec;
        int r, rc;

        r = store_device_query(s, "WHERE kind = ?1 AND key = ?2", &st);
        if (r < 0)
                return r;
        store_bind_text(st, 1, store_kind_to_string(kind));
        store_bind_text(st, 2, key);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return store_sql_error(s, rc, "reading a device");
        rec = calloc(1, sizeof(*rec));
        if (!rec)
                return -ENOMEM;
        r = row_read(s, st, rec, ret_op_id);
        if (r >= 0 && rec->shareable)
                r = store_sharers_load(s, rec);
        if (r < 0) {
                hd_active_free(rec);
                return r;
        }
        *ret = rec;
        return 0;
}

int store_rows_read(struct hd_store *s, sqlite3_stmt *st, const char *what, struct hd_active **ret,
                    size_t *ret_n) {
        struct hd_active *v = NULL;
        size_t n = 0;
        int r, rc;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                struct hd_active *nv = realloc(v, (n + 1) * sizeof(*v));
                if (!nv) {
                        hd_active_list_free(v, n);
                        return -ENOMEM;
                }
                v = nv;
                r = row_read(s, st, &v[n++], NULL);
                if (r < 0) {
                        hd_active_list_free(v, n);
                        return r;
                }
        }
        if (rc != SQLITE_DONE) {
                hd_active_list_free(v, n);
                return store_sql_error(s, rc, what);
        }
        for (size_t i = 0; i < n; i++)
                if (v[i].shareable && (r = store_sharers_load(s, &v[i])) < 0) {
                        hd_active_list_free(v, n);
                        return r;
                }
        *ret = v;
        *ret_n = n;
        return 0;
}

int store_device_list(struct hd_store *s, struct hd_active **ret, size_t *ret_n) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_device_query(s, "ORDER BY kind, key", &st);
        if (r < 0)
                return r;
        return store_rows_read(s, st, "listing devices", ret, ret_n);
}

int store_device_add(struct hd_store *s, const struct hd_active *r, int64_t op_id) {
        _cleanup_free_ char *holder = store_holder_self();
        return holder ? device_write(s, SQL_INSERT, r, holder, op_id, "recording a device") : -ENOMEM;
}

int store_device_update(struct hd_store *s, const struct hd_active *r, int64_t op_id) {
        int e = device_write(s, SQL_UPDATE, r, NULL, op_id, "updating a device");
        if (e < 0)
                return e;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

int store_device_delete(struct hd_store *s, enum store_kind kind, const char *key) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_stmt(s, "DELETE FROM devices WHERE kind = ?1 AND key = ?2", &st);
        if (r < 0)
                return r;
        store_bind_text(st, 1, store_kind_to_string(kind));
        store_bind_text(st, 2, key);
        return store_stmt_run(s, st, "dropping a device");
}

/* The public record API. */

void hd_active_free(struct hd_active *r) {
        if (!r)
                return;
        hd_active_list_free(r, 1);
}

void hd_active_list_free(struct hd_active *v, size_t n) {
        for (size_t i = 0; v && i < n; i++)
                record_done(&v[i]);
        free(v);
}

int hd_active_list(struct hd_context *ctx, struct hd_active **ret_records, size_t *ret_n) {
        _cleanup_store_ struct hd_store *s = NULL;
        int r = store_open(ctx, STORE_NO_CREATE, &s);
        if (r == -ENOENT) {
                *ret_records = NULL;
                *ret_n = 0;
                return 0;
        }
        if (r < 0)
                return r;
        return store_device_list(s, ret_records, ret_n);
}

int hd_active_get(struct hd_context *ctx, const char *kind, const char *key, struct hd_active **ret_record) {
        _cleanup_store_ struct hd_store *s = NULL;
        enum store_kind k = store_kind_from_string(kind);
        int r;

        if (k < 0)
                return -ENOENT; /* no row has a kind the store does not know */
        r = store_open(ctx, STORE_NO_CREATE, &s);
        if (r < 0)
                return r;
        return store_device_get(s, k, key, ret_record, NULL);
}
