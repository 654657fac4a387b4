/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening the state store: its directory and files, trusted only when no one else can write them, and its lock. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "store.h"
#include "sysfs/confine.h"

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

/*
 * What the store says is done again, as the caller, by the next changing
 * operation (recovery finishes or undoes an open operation): a store another
 * user can write would let them plant an operation for root to carry out.
 * So every part of it, the directory, the database, its -wal and -shm and
 * the lock, must be the caller's (or root's, who can rewrite anything
 * anyway) and writable by no one else. FD is the part as opened, so what is
 * checked is what is used.
 */
static int not_regular(struct hd_context *ctx, const char *path) {
        return hd_error(ctx, -EPERM,
                        "%s is not a regular file (a symbolic link?); hostdev follows nothing in its state "
                        "directory: remove it, or give another --state-dir",
                        path);
}

static int check_trusted(struct hd_context *ctx, int fd, const char *path, bool dir) {
        struct stat st;
        uid_t me = geteuid();

        if (fstat(fd, &st) < 0)
                return hd_error(ctx, -errno, "cannot look at %s: %s", path, strerror(errno));
        if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
                return not_regular(ctx, path);
        if ((st.st_uid == me || st.st_uid == 0) && !(st.st_mode & (S_IWGRP | S_IWOTH)))
                return 0;
        return hd_error(ctx, -EPERM,
                        "state store %s is owned by uid %u with mode %04o; hostdev does what its state store says, "
                        "so it trusts one only when it is yours (uid %u) or root's and no one else can write it: "
                        "'chown %u %s' and 'chmod go-w %s', or give another --state-dir",
                        path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), (unsigned)me, (unsigned)me, path,
                        path);
}

/* VERB: "open" for a writer, "read" for a reader (STORE_NO_CREATE). */
static int open_error(struct hd_context *ctx, const char *verb, const char *what, const char *path, int err) {
        if (err == EROFS)
                return hd_error(ctx, -err, "cannot %s %s %s: %s; remount it read-write, or give another --state-dir",
                                verb, what, path, strerror(err));
        if (err == EACCES || err == EPERM)
                return hd_error(ctx, -err,
                                "cannot %s %s %s: %s; run as root, or give a state directory you can write with "
                                "--state-dir",
                                verb, what, path, strerror(err));
        return hd_error(ctx, -err, "cannot %s %s %s: %s", verb, what, path, strerror(err));
}

/*
 * A tree's own state directory (ROOT/var/lib/hostdev): entered one folder at
 * a time below the root's handle, each made when missing and opened with
 * O_NOFOLLOW, so a link in the tree (TREE/var -> /var) cannot move the store
 * and its lock out of it.
 */
static int tree_dir_open(struct hd_context *ctx, const char *dir, bool create) {
        int fd = confine_mkdirs(ctx->root_fd, DEFAULT_STATE_DIR + 1, create ? 0700 : 0);
        if (fd == -ENOTDIR)
                return hd_error(ctx, fd,
                                "state directory %s: a folder on the way in the tree is a link or not a folder; a "
                                "tree's state stays in the tree: remove the link, or give --state-dir",
                                dir);
        if (fd < 0 && (fd != -ENOENT || create))
                return open_error(ctx, create ? "open" : "read", "the state directory", dir, -fd);
        return fd;
}

/* The state directory, made first when CREATE, as an fd, trusted; -ENOENT when missing and not CREATE. */
static int dir_open(struct hd_context *ctx, const char *dir, bool create, int *ret_fd) {
        _cleanup_close_ int fd = -1;
        int r;

        if (!streq(dir, hd_context_get_state_dir(ctx))) {
                fd = tree_dir_open(ctx, dir, create);
                if (fd < 0)
                        return fd;
        } else {
                if (create && (r = mkdir_state(ctx, dir)) < 0)
                        return r;
                fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        }
        if (fd < 0) {
                if (errno == ENOENT && !create)
                        return -ENOENT;
                return open_error(ctx, create ? "open" : "read", "the state directory", dir, errno);
        }
        r = check_trusted(ctx, fd, dir, true);
        if (r < 0)
                return r;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/*
 * NAME in the state directory DIRFD (DIR for messages), not followed if a
 * link, trusted. Made 0600 when missing and CREATE (whatever the umask;
 * SQLite gives -wal and -shm the mode of the database); -ENOENT when missing
 * and not CREATE. Looked at through O_PATH: closing a real descriptor would
 * drop the POSIX locks SQLite holds on the file for another connection of
 * this process.
 */
static int file_check(struct hd_context *ctx, int dirfd, const char *dir, const char *name, bool create) {
        _cleanup_free_ char *path = strdupf("%s/%s", dir, name);
        _cleanup_close_ int fd = -1;

        if (!path)
                return -ENOMEM;
        fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && create) {
                /* New, so no connection of this process has locks on it to lose. */
                fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0 && errno == EEXIST)
                        fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0)
                return errno == ENOENT ? -ENOENT
                                       : open_error(ctx, create ? "open" : "read", "the state store", path, errno);
        return check_trusted(ctx, fd, path, false);
}

/*
 * SQLite opens the database by its name, and the -wal and -shm by that name
 * and a suffix. Named "/proc/self/fd/N/hostdev.db", N the state directory as
 * this process opened and checked it, each of them is opened in that very
 * directory whatever happens to its path meanwhile. SQLite's own VFS would
 * resolve the link back to a path; this copy of it keeps the name as given
 * (every other method is the default VFS's, with its data).
 */
#define DIRFD_VFS "hostdev-dirfd"
static sqlite3_vfs dirfd_vfs;
static pthread_once_t dirfd_vfs_once = PTHREAD_ONCE_INIT;

static int dirfd_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out) {
        size_t len = strlen(name);
        if (name[0] != '/' || len >= (size_t)n)
                return SQLITE_CANTOPEN;
        memcpy(out, name, len + 1);
        return SQLITE_OK;
}

static void dirfd_vfs_register(void) {
        sqlite3_vfs *base = sqlite3_vfs_find("unix");
        if (!base)
                return;
        dirfd_vfs = *base;
        dirfd_vfs.zName = DIRFD_VFS;
        dirfd_vfs.pNext = NULL;
        dirfd_vfs.xFullPathname = dirfd_full_pathname;
        if (sqlite3_vfs_register(&dirfd_vfs, 0) != SQLITE_OK)
                dirfd_vfs.zName = NULL;
}

/* SQLite keeps a pointer to the VFS: it must not outlive this library when a program unloads it. */
__attribute__((destructor)) static void dirfd_vfs_unregister(void) {
        if (dirfd_vfs.zName)
                sqlite3_vfs_unregister(&dirfd_vfs);
}

/* The name and VFS SQLite opens the database by: beneath DIRFD, or (no /proc) by path. */
static char *sqlite_name(int dirfd, const char *path, const char **ret_vfs) {
        char link[64];

        snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
        (void)pthread_once(&dirfd_vfs_once, dirfd_vfs_register);
        if (dirfd_vfs.zName && access(link, F_OK) == 0) {
                *ret_vfs = DIRFD_VFS;
                return strdupf("%s/%s", link, STORE_FILE);
        }
        *ret_vfs = NULL;
        return strdup(path);
}

/* Without /proc, SQLite opened by path: that path must still lead to the directory that was checked. */
static int check_same_dir(struct hd_store *s, const char *dir) {
        struct stat a, b;
        if (fstat(s->dir_fd, &a) < 0 || stat(dir, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino)
                return hd_error(s->ctx, -EPERM, "the state directory %s changed while it was opened; try again", dir);
        return 0;
}

int store_open(struct hd_context *ctx, unsigned flags, struct hd_store **ret) {
        _cleanup_store_ struct hd_store *s = calloc(1, sizeof(*s));
        _cleanup_free_ char *dir = store_dir(ctx), *name = NULL;
        bool create = !(flags & STORE_NO_CREATE);
        const char *vfs = NULL;
        int rc, r;

        if (!s || !dir)
                return -ENOMEM;
        s->ctx = ctx;
        s->dir_fd = -1;
        s->path = strdupf("%s/%s", dir, STORE_FILE);
        if (!s->path)
                return -ENOMEM;
        r = dir_open(ctx, dir, create, &s->dir_fd);
        if (r >= 0)
                r = file_check(ctx, s->dir_fd, dir, STORE_FILE, create);
        for (const char *const *sfx = (const char *const[]){ "-wal", "-shm", NULL }; r >= 0 && *sfx; sfx++) {
                _cleanup_free_ char *part = strdupf("%s%s", STORE_FILE, *sfx);
                r = part ? file_check(ctx, s->dir_fd, dir, part, false) : -ENOMEM;
                if (r == -ENOENT)
                        r = 0; /* SQLite makes it, in the directory checked above */
        }
        if (r < 0)
                return r;
        name = sqlite_name(s->dir_fd, s->path, &vfs);
        if (!name)
                return -ENOMEM;
        rc = sqlite3_open_v2(name, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, vfs);
        if (rc != SQLITE_OK)
                return store_sql_error(s, rc, "opening");
        if (!vfs && (r = check_same_dir(s, dir)) < 0)
                return r;
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
        if (s->dir_fd >= 0)
                close(s->dir_fd);
        free(s->path);
        free(s);
        return NULL;
}

int store_lock(struct hd_context *ctx, int *ret_fd) {
        _cleanup_free_ char *dir = store_dir(ctx), *path = dir ? strdupf("%s/%s", dir, LOCK_FILE) : NULL;
        _cleanup_close_ int dirfd = -1, fd = -1;
        struct timespec pause = { 0, 20 * 1000 * 1000 };
        int r;

        if (!path)
                return -ENOMEM;
        r = dir_open(ctx, dir, true, &dirfd);
        if (r < 0)
                return r;
        fd = openat(dirfd, LOCK_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
                if (errno == EROFS)
                        return open_error(ctx, "open", "the lock", path, errno);
                if (errno == EACCES || errno == EPERM)
                        return hd_error(ctx, -errno,
                                        "cannot open %s: %s; changing devices needs root (or --state-dir "
                                        "for a folder you can write)",
                                        path, strerror(errno));
                if (errno == ELOOP)
                        return not_regular(ctx, path);
                return hd_error(ctx, -errno, "cannot open %s: %s", path, strerror(errno));
        }
        r = check_trusted(ctx, fd, path, false);
        if (r < 0)
                return r;
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
