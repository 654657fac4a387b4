/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state store: opening, schema migrations, device rows, operations and their journal. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "store.h"
#include "util/strutil.h"

#define DEFAULT_STATE_DIR "/var/lib/hostdev"
#define STORE_FILE "hostdev.db"
#define LOCK_FILE "lock"
#define BUSY_TIMEOUT_MS 10000
#define LOCK_TIMEOUT_MS 60000


/*
 * Migrations, in order: entry N brings the schema from version N to N+1.
 * Never edit a released entry; append a new one.
 */
static const char *const migrations[] = {
        "CREATE TABLE devices ("
        "  id INTEGER PRIMARY KEY,"
        "  kind TEXT NOT NULL CHECK (kind IN ('pci','usb','scsi','mdev','net_vf')),"
        "  key TEXT NOT NULL,"
        "  owner_driver TEXT, owner_domain TEXT, owner_uuid TEXT,"
        "  managed INTEGER NOT NULL DEFAULT 0,"
        "  orig_driver TEXT, stub_driver TEXT,"
        "  unbind_from_stub INTEGER NOT NULL DEFAULT 0,"
        "  remove_slot INTEGER NOT NULL DEFAULT 0,"
        "  reprobe INTEGER NOT NULL DEFAULT 0,"
        "  vf_mac TEXT, vf_vlan TEXT,"
        "  state TEXT NOT NULL CHECK (state IN ('busy','detached','held')),"
        "  op_id INTEGER,"
        "  holder TEXT,"
        "  created INTEGER NOT NULL, updated INTEGER NOT NULL,"
        "  UNIQUE (kind, key));"
        "CREATE TABLE ops ("
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  op TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,"
        "  data TEXT,"
        "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','undone','failed')),"
        "  pid INTEGER, holder TEXT,"
        "  started INTEGER NOT NULL, finished INTEGER);"
        "CREATE INDEX ops_open ON ops (status) WHERE status = 'open';"
        "CREATE TABLE journal ("
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  op_id INTEGER NOT NULL REFERENCES ops (id) ON DELETE CASCADE,"
        "  op TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,"
        "  step INTEGER NOT NULL,"
        "  action TEXT NOT NULL, undo TEXT NOT NULL,"
        "  status TEXT NOT NULL CHECK (status IN ('pending','done','failed')),"
        "  created INTEGER NOT NULL, updated INTEGER NOT NULL,"
        "  UNIQUE (op_id, step));",
        /* 2: what prepare and release keep per device, and the owners of shared SCSI LUNs. */
        "ALTER TABLE devices ADD COLUMN prev_state TEXT CHECK (prev_state IN ('detached'));"
        "ALTER TABLE devices ADD COLUMN orig_override TEXT;"
        "ALTER TABLE devices ADD COLUMN node TEXT;"
        "ALTER TABLE devices ADD COLUMN shareable INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE devices ADD COLUMN readonly INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE devices ADD COLUMN sgio TEXT;"
        "ALTER TABLE devices ADD COLUMN mdev_started INTEGER NOT NULL DEFAULT 0;"
        "CREATE INDEX devices_owner ON devices (owner_driver, owner_domain);"
        "CREATE TABLE sharers ("
        "  id INTEGER PRIMARY KEY,"
        "  kind TEXT NOT NULL, key TEXT NOT NULL,"
        "  owner_driver TEXT NOT NULL, owner_domain TEXT NOT NULL, owner_uuid TEXT,"
        "  readonly INTEGER NOT NULL DEFAULT 0,"
        "  op_id INTEGER,"
        "  created INTEGER NOT NULL,"
        "  UNIQUE (kind, key, owner_driver, owner_domain),"
        "  FOREIGN KEY (kind, key) REFERENCES devices (kind, key) ON DELETE CASCADE);",
};

int store_schema_version(void) {
        return (int)ELEMENTSOF(migrations);
}

static int sql_error(struct hd_store *s, int rc, const char *what) {
        int err;

        switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return hd_error(s->ctx, -EBUSY,
                                "state store %s: %s; another process has held it for over %d s, try again",
                                s->path, what, BUSY_TIMEOUT_MS / 1000);
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
                err = s->db && sqlite3_system_errno(s->db) ? -sqlite3_system_errno(s->db) : -EIO;
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

static int exec(struct hd_store *s, const char *sql, const char *what) {
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        return rc == SQLITE_OK ? 0 : sql_error(s, rc, what);
}

static int prepare(struct hd_store *s, const char *sql, sqlite3_stmt **ret) {
        int rc = sqlite3_prepare_v2(s->db, sql, -1, ret, NULL);
        return rc == SQLITE_OK ? 0 : sql_error(s, rc, "preparing a query");
}

/* Bind text or NULL. */
static int bind_text(sqlite3_stmt *st, int i, const char *v) {
        return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

static int step_done(struct hd_store *s, sqlite3_stmt *st, const char *what) {
        int rc = sqlite3_step(st);
        return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sql_error(s, rc, what);
}

static char *col_text(sqlite3_stmt *st, int i) {
        const unsigned char *t = sqlite3_column_text(st, i);
        return t ? strdup((const char *)t) : NULL;
}

/* For the store's other files. */
int store_stmt(struct hd_store *s, const char *sql, sqlite3_stmt **ret) {
        return prepare(s, sql, ret);
}
int store_stmt_run(struct hd_store *s, sqlite3_stmt *st, const char *what) {
        return step_done(s, st, what);
}
int store_sql_error(struct hd_store *s, int rc, const char *what) {
        return sql_error(s, rc, what);
}
int store_bind_text(sqlite3_stmt *st, int i, const char *v) {
        return bind_text(st, i, v);
}
char *store_col_text(sqlite3_stmt *st, int i) {
        return col_text(st, i);
}

/* Create the state directory 0700 (parents 0755) when missing. */
static int mkdir_state(struct hd_context *ctx, const char *dir) {
        _cleanup_free_ char *p = strdup(dir);
        if (!p)
                return -ENOMEM;
        for (char *c = p + 1; *c; c++) {
                if (*c != '/')
                        continue;
                *c = 0;
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        goto fail;
                *c = '/';
        }
        if (mkdir(p, 0700) < 0 && errno != EEXIST)
                goto fail;
        return 0;
fail:
        if (errno == EACCES || errno == EPERM || errno == EROFS)
                return hd_error(ctx, -errno,
                                "cannot create the state directory %s: %s; run as root, or give one "
                                "you can write with --state-dir or HOSTDEV_STATE_DIR",
                                dir, strerror(errno));
        return hd_error(ctx, -errno, "cannot create the state directory %s: %s", dir, strerror(errno));
}

char *store_dir(struct hd_context *ctx) {
        const char *dir = hd_context_get_state_dir(ctx), *root = hd_context_get_sysroot(ctx);
        /* A recorded tree's state stays with the tree, never in the real host's store. */
        if (streq(dir, DEFAULT_STATE_DIR) && root && !streq(root, "/"))
                return strdupf("%s%s", root, DEFAULT_STATE_DIR);
        return strdup(dir);
}

static int user_version(struct hd_store *s, int *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "PRAGMA user_version", &st), rc;
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return sql_error(s, rc, "reading the schema version");
        *ret = sqlite3_column_int(st, 0);
        return 0;
}

static int migrate(struct hd_store *s) {
        int version = 0, r;

        /* The common case, a store at this version, takes no write lock. */
        r = user_version(s, &version);
        if (r < 0)
                return r;
        if (version == store_schema_version())
                return 0;
        /* Read it again under the write lock: two processes may start at once. */
        r = store_begin(s);
        if (r < 0)
                return r;
        r = user_version(s, &version);
        if (r < 0)
                goto fail;
        if (version > store_schema_version()) {
                r = hd_error(s->ctx, -EPROTO,
                             "state store %s has schema %d, this hostdev knows up to %d; use a newer hostdev",
                             s->path, version, store_schema_version());
                goto fail;
        }
        for (; version < store_schema_version(); version++) {
                char sql[64];
                r = exec(s, migrations[version], "migrating the schema");
                if (r < 0)
                        goto fail;
                snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
                r = exec(s, sql, "migrating the schema");
                if (r < 0)
                        goto fail;
        }
        return store_commit(s);
fail:
        store_rollback(s);
        return r;
}

int store_open(struct hd_context *ctx, unsigned flags, struct hd_store **ret) {
        _cleanup_store_ struct hd_store *s = calloc(1, sizeof(*s));
        _cleanup_free_ char *dir = store_dir(ctx);
        int rc, r;

        if (!s || !dir)
                return -ENOMEM;
        s->ctx = ctx;
        s->path = strdupf("%s/%s", dir, STORE_FILE);
        if (!s->path)
                return -ENOMEM;
        if (flags & STORE_NO_CREATE) {
                if (access(s->path, F_OK) < 0)
                        return -errno;
        } else {
                _cleanup_close_ int fd = -1;
                r = mkdir_state(ctx, dir);
                if (r < 0)
                        return r;
                /* Create it ourselves so it is 0600 whatever the umask; SQLite gives -wal and -shm the same mode. */
                fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd < 0) {
                        if (errno == EACCES || errno == EPERM || errno == EROFS)
                                return hd_error(ctx, -errno,
                                                "cannot open the state store %s: %s; run as root, or give "
                                                "a state directory you can write with --state-dir",
                                                s->path, strerror(errno));
                        return hd_error(ctx, -errno, "cannot open the state store %s: %s", s->path,
                                        strerror(errno));
                }
        }
        rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
        if (rc != SQLITE_OK)
                return sql_error(s, rc, "opening");
        sqlite3_extended_result_codes(s->db, 1);
        sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
        /* WAL: readers never wait for the writer. FULL: a committed step survives a power cut. */
        r = exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                 "setting it up");
        if (r < 0)
                return r;
        r = migrate(s);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

struct hd_store *store_close(struct hd_store *s) {
        if (!s)
                return NULL;
        sqlite3_close_v2(s->db);
        free(s->path);
        free(s);
        return NULL;
}

int store_begin(struct hd_store *s) {
        return exec(s, "BEGIN IMMEDIATE", "starting a transaction");
}

int store_commit(struct hd_store *s) {
        return exec(s, "COMMIT", "committing");
}

void store_rollback(struct hd_store *s) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_lock(struct hd_context *ctx, int *ret_fd) {
        _cleanup_free_ char *dir = store_dir(ctx), *path = dir ? strdupf("%s/%s", dir, LOCK_FILE) : NULL;
        _cleanup_close_ int fd = -1;
        struct timespec pause = { 0, 20 * 1000 * 1000 };
        int r;

        if (!path)
                return -ENOMEM;
        r = mkdir_state(ctx, dir);
        if (r < 0)
                return r;
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
                if (errno == EACCES || errno == EPERM || errno == EROFS)
                        return hd_error(ctx, -errno,
                                        "cannot open %s: %s; changing devices needs root (or --state-dir "
                                        "for a folder you can write)",
                                        path, strerror(errno));
                return hd_error(ctx, -errno, "cannot open %s: %s", path, strerror(errno));
        }
        for (int waited = 0;; waited += 20) {
                if (flock(fd, LOCK_EX | LOCK_NB) == 0)
                        break;
                if (errno != EWOULDBLOCK && errno != EINTR)
                        return hd_error(ctx, -errno, "cannot lock %s: %s", path, strerror(errno));
                if (waited >= LOCK_TIMEOUT_MS)
                        return hd_error(ctx, -EBUSY,
                                        "another hostdev operation has held %s for over %d s; "
                                        "wait for it to end and try again",
                                        path, LOCK_TIMEOUT_MS / 1000);
                nanosleep(&pause, NULL);
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

char *store_holder_self(void) {
        return strdupf("pid %d (%s)", (int)getpid(), program_invocation_short_name);
}

struct hd_active *store_record_new(const char *kind, const char *key, const char *state) {
        struct hd_active *r = calloc(1, sizeof(*r));
        if (!r)
                return NULL;
        r->kind = strdup(kind);
        r->key = strdup(key);
        r->state = strdup(state);
        if (!r->kind || !r->key || !r->state) {
                hd_active_free(r);
                return NULL;
        }
        return r;
}

#define DEVICE_COLUMNS STORE_DEVICE_COLUMNS

int store_row_read(sqlite3_stmt *st, struct hd_active *r, int64_t *ret_op_id) {
        *r = (struct hd_active){
                .kind = col_text(st, 0),
                .key = col_text(st, 1),
                .state = col_text(st, 2),
                .owner_driver = col_text(st, 3),
                .owner_domain = col_text(st, 4),
                .owner_uuid = col_text(st, 5),
                .managed = sqlite3_column_int(st, 6),
                .orig_driver = col_text(st, 7),
                .stub_driver = col_text(st, 8),
                .unbind_from_stub = sqlite3_column_int(st, 9),
                .remove_slot = sqlite3_column_int(st, 10),
                .reprobe = sqlite3_column_int(st, 11),
                .vf_mac = col_text(st, 12),
                .vf_vlan = col_text(st, 13),
                .holder = col_text(st, 14),
                .created = sqlite3_column_int64(st, 15),
                .updated = sqlite3_column_int64(st, 16),
                .prev_state = col_text(st, 18),
                .orig_override = col_text(st, 19),
                .node = col_text(st, 20),
                .shareable = sqlite3_column_int(st, 21),
                .readonly = sqlite3_column_int(st, 22),
                .sgio = col_text(st, 23),
                .mdev_started = sqlite3_column_int(st, 24),
        };
        if (ret_op_id)
                *ret_op_id = sqlite3_column_int64(st, 17);
        return r->kind && r->key && r->state ? 0 : -ENOMEM;
}

int store_device_get(struct hd_store *s, const char *kind, const char *key, struct hd_active **ret,
                     int64_t *ret_op_id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct hd_active *rec;
        int r, rc;

        r = prepare(s, "SELECT " DEVICE_COLUMNS " FROM devices WHERE kind = ?1 AND key = ?2", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return sql_error(s, rc, "reading a device");
        rec = calloc(1, sizeof(*rec));
        if (!rec)
                return -ENOMEM;
        r = store_row_read(st, rec, ret_op_id);
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
                r = store_row_read(st, &v[n++], NULL);
                if (r < 0) {
                        hd_active_list_free(v, n);
                        return r;
                }
        }
        if (rc != SQLITE_DONE) {
                hd_active_list_free(v, n);
                return sql_error(s, rc, what);
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
        int r = prepare(s, "SELECT " DEVICE_COLUMNS " FROM devices ORDER BY kind, key", &st);
        if (r < 0)
                return r;
        return store_rows_read(s, st, "listing devices", ret, ret_n);
}

/* The columns of migration 2, bound from FIRST on in DEVICE_COLUMNS order. */
static void bind_extra(sqlite3_stmt *st, int first, const struct hd_active *r) {
        bind_text(st, first, r->prev_state);
        bind_text(st, first + 1, r->orig_override);
        bind_text(st, first + 2, r->node);
        sqlite3_bind_int(st, first + 3, r->shareable);
        sqlite3_bind_int(st, first + 4, r->readonly);
        bind_text(st, first + 5, r->sgio);
        sqlite3_bind_int(st, first + 6, r->mdev_started);
}

static int device_insert(struct hd_store *s, const struct hd_active *r, int64_t op_id, const char *holder) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int64_t now = (int64_t)time(NULL);
        int e = prepare(s,
                        "INSERT INTO devices (" DEVICE_COLUMNS ") VALUES "
                        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16, ?17, "
                        "?18, ?19, ?20, ?21, ?22, ?23, ?24)",
                        &st);
        if (e < 0)
                return e;
        bind_text(st, 1, r->kind);
        bind_text(st, 2, r->key);
        bind_text(st, 3, r->state);
        bind_text(st, 4, r->owner_driver);
        bind_text(st, 5, r->owner_domain);
        bind_text(st, 6, r->owner_uuid);
        sqlite3_bind_int(st, 7, r->managed);
        bind_text(st, 8, r->orig_driver);
        bind_text(st, 9, r->stub_driver);
        sqlite3_bind_int(st, 10, r->unbind_from_stub);
        sqlite3_bind_int(st, 11, r->remove_slot);
        sqlite3_bind_int(st, 12, r->reprobe);
        bind_text(st, 13, r->vf_mac);
        bind_text(st, 14, r->vf_vlan);
        bind_text(st, 15, holder);
        sqlite3_bind_int64(st, 16, now);
        if (op_id)
                sqlite3_bind_int64(st, 17, op_id);
        else
                sqlite3_bind_null(st, 17);
        bind_extra(st, 18, r);
        return step_done(s, st, "recording a device");
}

int store_device_add(struct hd_store *s, const struct hd_active *r, int64_t op_id) {
        _cleanup_free_ char *holder = store_holder_self();
        return holder ? device_insert(s, r, op_id, holder) : -ENOMEM;
}

int store_device_update(struct hd_store *s, const struct hd_active *r, int64_t op_id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int e = prepare(s,
                        "UPDATE devices SET state = ?3, owner_driver = ?4, owner_domain = ?5, "
                        "owner_uuid = ?6, managed = ?7, orig_driver = ?8, stub_driver = ?9, "
                        "unbind_from_stub = ?10, remove_slot = ?11, reprobe = ?12, vf_mac = ?13, "
                        "vf_vlan = ?14, updated = ?15, op_id = ?16, prev_state = ?17, orig_override = ?18, "
                        "node = ?19, shareable = ?20, readonly = ?21, sgio = ?22, mdev_started = ?23 "
                        "WHERE kind = ?1 AND key = ?2",
                        &st);
        if (e < 0)
                return e;
        bind_text(st, 1, r->kind);
        bind_text(st, 2, r->key);
        bind_text(st, 3, r->state);
        bind_text(st, 4, r->owner_driver);
        bind_text(st, 5, r->owner_domain);
        bind_text(st, 6, r->owner_uuid);
        sqlite3_bind_int(st, 7, r->managed);
        bind_text(st, 8, r->orig_driver);
        bind_text(st, 9, r->stub_driver);
        sqlite3_bind_int(st, 10, r->unbind_from_stub);
        sqlite3_bind_int(st, 11, r->remove_slot);
        sqlite3_bind_int(st, 12, r->reprobe);
        bind_text(st, 13, r->vf_mac);
        bind_text(st, 14, r->vf_vlan);
        sqlite3_bind_int64(st, 15, (int64_t)time(NULL));
        if (op_id)
                sqlite3_bind_int64(st, 16, op_id);
        else
                sqlite3_bind_null(st, 16);
        bind_extra(st, 17, r);
        e = step_done(s, st, "updating a device");
        if (e < 0)
                return e;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

int store_device_delete(struct hd_store *s, const char *kind, const char *key) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "DELETE FROM devices WHERE kind = ?1 AND key = ?2", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
        return step_done(s, st, "dropping a device");
}

static int op_insert(struct hd_store *s, const char *op, const char *kind, const char *key,
                     const char *data, const char *holder, int64_t *ret_op_id) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s,
                        "INSERT INTO ops (op, kind, key, data, pid, holder, started) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        &st);
        if (r < 0)
                return r;
        bind_text(st, 1, op);
        bind_text(st, 2, kind);
        bind_text(st, 3, key);
        bind_text(st, 4, data);
        sqlite3_bind_int(st, 5, (int)getpid());
        bind_text(st, 6, holder);
        sqlite3_bind_int64(st, 7, (int64_t)time(NULL));
        r = step_done(s, st, "starting an operation");
        if (r < 0)
                return r;
        *ret_op_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

int store_op_begin(struct hd_store *s, const char *op, const char *kind, const char *key,
                   const char *data, int64_t *ret_op_id) {
        _cleanup_free_ char *holder = store_holder_self();
        if (!holder)
                return -ENOMEM;
        return op_insert(s, op, kind, key, data, holder, ret_op_id);
}

int store_claim(struct hd_store *s, const struct hd_active *rec, const char *op, const char *data,
                int64_t *ret_op_id, struct hd_active **ret_existing) {
        _cleanup_free_ char *holder = store_holder_self();
        struct hd_active *existing = NULL;
        int64_t op_id;
        int r;

        if (!holder)
                return -ENOMEM;
        r = store_begin(s);
        if (r < 0)
                return r;
        r = store_device_get(s, rec->kind, rec->key, &existing, NULL);
        if (r >= 0) {
                r = -EBUSY;
                goto fail;
        }
        if (r != -ENOENT)
                goto fail;
        r = op_insert(s, op, rec->kind, rec->key, data, holder, &op_id);
        if (r < 0)
                goto fail;
        /* UNIQUE (kind, key) is what keeps a device from two owners; the read above only names the holder. */
        r = device_insert(s, rec, op_id, holder);
        if (r == -EEXIST) {
                r = -EBUSY;
                goto fail;
        }
        if (r < 0)
                goto fail;
        r = store_commit(s);
        if (r < 0)
                goto fail;
        *ret_op_id = op_id;
        return 0;
fail:
        store_rollback(s);
        if (ret_existing)
                *ret_existing = existing;
        else
                hd_active_free(existing);
        return r;
}

int store_take(struct hd_store *s, const char *kind, const char *key, const char *want_state,
               const char *op, const char *data, int64_t *ret_op_id, struct hd_active **ret_existing) {
        _cleanup_free_ char *holder = store_holder_self();
        struct hd_active *rec = NULL;
        char *old_state;
        int64_t op_id;
        int r;

        if (!holder)
                return -ENOMEM;
        r = store_begin(s);
        if (r < 0)
                return r;
        r = store_device_get(s, kind, key, &rec, NULL);
        if (r < 0)
                goto fail;
        if (!streq(rec->state, want_state)) {
                r = -EBUSY;
                goto fail;
        }
        r = op_insert(s, op, kind, key, data, holder, &op_id);
        if (r < 0)
                goto fail;
        old_state = rec->state;
        rec->state = (char *)"busy";
        r = store_device_update(s, rec, op_id);
        rec->state = old_state;
        if (r < 0)
                goto fail;
        r = store_commit(s);
        if (r < 0)
                goto fail;
        hd_active_free(rec);
        *ret_op_id = op_id;
        return 0;
fail:
        store_rollback(s);
        if (ret_existing)
                *ret_existing = rec;
        else
                hd_active_free(rec);
        return r;
}

int store_op_finish(struct hd_store *s, int64_t op_id, const char *status) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = prepare(s, "UPDATE ops SET status = ?2, finished = ?3 WHERE id = ?1", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, op_id);
        sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
        return step_done(s, st, "ending an operation");
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

        r = prepare(s, "SELECT id, op, kind, key, data, holder, started FROM ops WHERE status = 'open' ORDER BY id",
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
                        .op = col_text(st, 1),
                        .kind = col_text(st, 2),
                        .key = col_text(st, 3),
                        .data = col_text(st, 4),
                        .holder = col_text(st, 5),
                        .started = sqlite3_column_int64(st, 6),
                };
                if (!v[n++].op) {
                        store_ops_free(v, n);
                        return -ENOMEM;
                }
        }
        if (rc != SQLITE_DONE) {
                store_ops_free(v, n);
                return sql_error(s, rc, "listing open operations");
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
        int r = prepare(s,
                        "INSERT INTO journal (op_id, op, kind, key, step, action, undo, status, created, updated) "
                        "SELECT id, op, kind, key, "
                        "  (SELECT COALESCE(MAX(step), 0) + 1 FROM journal WHERE op_id = ?1), "
                        "  ?2, ?3, 'pending', ?4, ?4 FROM ops WHERE id = ?1",
                        &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, op_id);
        bind_text(st, 2, action);
        bind_text(st, 3, undo ? undo : "nothing to undo");
        sqlite3_bind_int64(st, 4, now);
        r = step_done(s, st, "journaling a step");
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
        int r = prepare(s, "UPDATE journal SET status = ?2, updated = ?3 WHERE id = ?1", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, step_id);
        sqlite3_bind_text(st, 2, ok ? "done" : "failed", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
        return step_done(s, st, "ending a step");
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
        if (prepare(s, "DELETE FROM ops WHERE status != 'open' AND finished < ?1", &st) < 0)
                return;
        sqlite3_bind_int64(st, 1, (int64_t)time(NULL) - 30 * 24 * 3600);
        (void)sqlite3_step(st);
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

/* The public record API. */

void hd_active_free(struct hd_active *r) {
        if (!r)
                return;
        hd_active_list_free(r, 1);
}

void hd_active_list_free(struct hd_active *v, size_t n) {
        for (size_t i = 0; v && i < n; i++) {
                struct hd_active *r = &v[i];
                free(r->kind);
                free(r->key);
                free(r->state);
                free(r->owner_driver);
                free(r->owner_domain);
                free(r->owner_uuid);
                free(r->orig_driver);
                free(r->stub_driver);
                free(r->vf_mac);
                free(r->vf_vlan);
                free(r->holder);
                free(r->prev_state);
                free(r->orig_override);
                free(r->node);
                free(r->sgio);
                strv_free(r->sharers);
        }
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
        int r = store_open(ctx, STORE_NO_CREATE, &s);
        if (r < 0)
                return r;
        return store_device_get(s, kind, key, ret_record, NULL);
}
