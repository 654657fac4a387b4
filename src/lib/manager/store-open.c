/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening the state store: its directory, the database file, the lock every changing operation holds. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "store.h"

#define DEFAULT_STATE_DIR "/var/lib/hostdev"
#define STORE_FILE "hostdev.db"
#define LOCK_FILE "lock"
#define LOCK_TIMEOUT_MS 60000

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
                return store_sql_error(s, rc, "opening");
        sqlite3_extended_result_codes(s->db, 1);
        sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
        /* WAL: readers never wait for the writer. FULL: a committed step survives a power cut. */
        r = store_exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                 "setting it up");
        if (r < 0)
                return r;
        r = store_migrate(s);
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
