/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state store's statements and transactions, and SQLite's errors as errno with a message. */
#include <errno.h>
#include <string.h>
#include <sys/statvfs.h>

#include "store.h"

/* Whether the state directory's filesystem is mounted read-only: SQLite then cannot make the -shm a WAL reader needs. */
static bool read_only(const struct hd_store *s) {
        struct statvfs v;
        return s->dir_fd >= 0 && fstatvfs(s->dir_fd, &v) == 0 && (v.f_flag & ST_RDONLY);
}

int store_sql_error(struct hd_store *s, int rc, const char *what) {
        int err;

        switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return hd_error(s->ctx, -EBUSY,
                                "state store %s: %s; another process has held it for over %d s, try again",
                                s->path, what, STORE_BUSY_TIMEOUT_MS / 1000);
        case SQLITE_CONSTRAINT:
                if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
                        return -EEXIST; /* callers turn this into a message naming the holder */
                err = -EINVAL;
                break;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_AUTH:
                err = -EACCES;
                break;
        case SQLITE_CANTOPEN:
                /*
                 * Never -ENOENT, which callers read as "there is no store, nothing
                 * is held": the store is there (it was opened), a part of it is not.
                 */
                err = s->db && sqlite3_system_errno(s->db) ? -sqlite3_system_errno(s->db) : -EIO;
                if (err == -ENOENT)
                        err = -EIO;
                if (read_only(s))
                        return hd_error(s->ctx, -EROFS,
                                        "cannot read the state store %s (%s): its filesystem is mounted read-only, "
                                        "and SQLite cannot make the -shm file it needs beside it; remount it "
                                        "read-write, or give the right --state-dir",
                                        s->path, what);
                break;
        default:
                err = -EIO;
        }
        if (err == -EACCES || err == -EPERM)
                return hd_error(s->ctx, err,
                                "state store %s: %s: permission denied; run as root, or give a state "
                                "directory you can write with --state-dir",
                                s->path, what);
        return hd_error(s->ctx, err, "state store %s: %s: %s", s->path, what,
                        s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

int store_exec(struct hd_store *s, const char *sql, const char *what) {
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        return rc == SQLITE_OK ? 0 : store_sql_error(s, rc, what);
}

int store_stmt(struct hd_store *s, const char *sql, sqlite3_stmt **ret) {
        int rc = sqlite3_prepare_v2(s->db, sql, -1, ret, NULL);
        return rc == SQLITE_OK ? 0 : store_sql_error(s, rc, "preparing a query");
}

int store_stmt_run(struct hd_store *s, sqlite3_stmt *st, const char *what) {
        int rc = sqlite3_step(st);
        return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_sql_error(s, rc, what);
}

int store_bind_text(sqlite3_stmt *st, int i, const char *v) {
        return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

int store_bind_id(sqlite3_stmt *st, int i, int64_t id) {
        return id ? sqlite3_bind_int64(st, i, id) : sqlite3_bind_null(st, i);
}

char *store_col_text(sqlite3_stmt *st, int i) {
        const unsigned char *t = sqlite3_column_text(st, i);
        return t ? strdup((const char *)t) : NULL;
}

int store_begin(struct hd_store *s) {
        return store_exec(s, "BEGIN IMMEDIATE", "starting a transaction");
}

int store_commit(struct hd_store *s) {
        return store_exec(s, "COMMIT", "committing");
}

void store_rollback(struct hd_store *s) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}
