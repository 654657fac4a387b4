/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one place that reads and writes sysfs and /dev, below the context's root prefix. */
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "confine.h"
#include "recorder.h"
#include "sysfs.h"
#include "util/strutil.h"

/* sysfs attributes are at most a page; a few (uevent of big devices, config) are larger. */
#define READ_MAX (64 * 1024)

static const char *rel(const char *path) {
        while (*path == '/')
                path++;
        return *path ? path : ".";
}

/*
 * On the live root there is nothing outside to escape to: paths from it
 * are opened as they always were (CONFINE_NONE), and the calls that do not
 * open (lstat, readlink) skip the confined open of a parent.
 */
static bool live_root(const struct hd_context *ctx) {
        return streq(ctx->sysroot, "/");
}

static enum confine_mode root_mode(const struct hd_context *ctx) {
        return live_root(ctx) ? CONFINE_NONE : CONFINE_IN_ROOT;
}

/*
 * Every open goes through here: a path as the kernel names it from the
 * root (CONFINE_IN_ROOT, the root's links resolved as a chroot would), a
 * name below a folder's handle (CONFINE_BENEATH: a link that leads above
 * that folder fails with -EXDEV; follow links between devices with the
 * path functions, which know the root).
 */
static int open_in(int dirfd, const char *name, int flags, enum confine_mode how) {
        /* "." is the folder itself: nothing to resolve, the common case of a listing. */
        if (streq(name, ".")) {
                int fd = openat(dirfd, ".", flags | O_CLOEXEC);
                return fd < 0 ? -errno : fd;
        }
        return confine_open(dirfd, name, flags, 0, how);
}

static int open_dir(int dirfd, const char *name, enum confine_mode how, int *ret_fd) {
        int fd = open_in(dirfd, name, O_RDONLY | O_DIRECTORY, how);
        if (fd < 0)
                return fd;
        *ret_fd = fd;
        return 0;
}

int sysfs_open_dir(struct hd_context *ctx, const char *path, int *ret_fd) {
        recorder_note(ctx->root_fd, rel(path), REC_DIR);
        return open_dir(ctx->root_fd, rel(path), root_mode(ctx), ret_fd);
}

int sysfs_open_dir_at(int dirfd, const char *name, int *ret_fd) {
        recorder_note(dirfd, name, REC_DIR);
        return open_dir(dirfd, name, CONFINE_BENEATH, ret_fd);
}

int sysfs_open_file(struct hd_context *ctx, const char *path, int flags, int *ret_fd) {
        int fd;

        recorder_note(ctx->root_fd, rel(path), REC_FILE); /* a /proc file check reads: `hostdev record` keeps it */
        fd = open_in(ctx->root_fd, rel(path), flags, root_mode(ctx));
        if (fd < 0)
                return fd;
        *ret_fd = fd;
        return 0;
}

int sysfs_fopen(struct hd_context *ctx, const char *path, FILE **ret) {
        int fd, r = sysfs_open_file(ctx, path, O_RDONLY, &fd);
        FILE *f;

        if (r < 0)
                return r;
        f = fdopen(fd, "re");
        if (!f) {
                r = -errno;
                close(fd);
                return r;
        }
        *ret = f;
        return 0;
}

static int opendir_in(int dirfd, const char *name, enum confine_mode how, DIR **ret_dir) {
        int fd;
        DIR *d;

        recorder_note(dirfd, name, REC_LIST);
        fd = open_in(dirfd, name, O_RDONLY | O_DIRECTORY, how);
        if (fd < 0)
                return fd;
        d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                close(fd);
                return r;
        }
        *ret_dir = d;
        return 0;
}

int sysfs_opendir_at(int dirfd, const char *name, DIR **ret_dir) {
        return opendir_in(dirfd, name, CONFINE_BENEATH, ret_dir);
}

static int list_in(int dirfd, const char *name, enum confine_mode how, sysfs_list_cb cb, void *userdata) {
        _cleanup_close_ int fd = -1;
        /* getdents64() records, aligned as the kernel fills them. */
        union {
                struct dirent64 de;
                char buf[16384];
        } u;

        recorder_note(dirfd, name, REC_LIST);
        fd = open_in(dirfd, name, O_RDONLY | O_DIRECTORY, how);
        if (fd < 0)
                return fd;
        for (;;) {
                ssize_t n = getdents64(fd, u.buf, sizeof(u.buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return 0;
                for (ssize_t off = 0; off < n;) {
                        struct dirent64 *de = (struct dirent64 *)(u.buf + off);
                        const char *e = de->d_name;
                        off += de->d_reclen;
                        if (e[0] == '.' && (e[1] == 0 || (e[1] == '.' && e[2] == 0)))
                                continue;
                        int r = cb(e, de->d_type, userdata);
                        if (r < 0)
                                return r;
                }
        }
}

int sysfs_list_at(int dirfd, const char *name, sysfs_list_cb cb, void *userdata) {
        return list_in(dirfd, name, CONFINE_BENEATH, cb, userdata);
}

int sysfs_list(struct hd_context *ctx, const char *path, sysfs_list_cb cb, void *userdata) {
        return list_in(ctx->root_fd, rel(path), root_mode(ctx), cb, userdata);
}

int sysfs_opendir(struct hd_context *ctx, const char *path, DIR **ret_dir) {
        return opendir_in(ctx->root_fd, rel(path), root_mode(ctx), ret_dir);
}

/*
 * The folder NAME is in, opened as HOW says, and NAME's last component,
 * for the calls that must not follow that last one (readlink, lstat). A
 * NAME of one component is in DIRFD itself: no handle is opened.
 */
static int open_parent(int dirfd, const char *name, enum confine_mode how, int *ret_fd, const char **ret_base) {
        _cleanup_free_ char *dir = NULL;
        const char *base = path_basename(name);
        int fd;

        if (base == name && !streq(name, "..") && !streq(name, ".")) {
                *ret_fd = -1;
                *ret_base = name;
                return 0;
        }
        if (!*base || streq(base, ".") || streq(base, ".."))
                return -EINVAL; /* a folder, not an entry of one */
        dir = base == name + 1 ? strdup("/") : strndup(name, (size_t)(base - 1 - name));
        if (!dir)
                return -ENOMEM;
        fd = open_in(dirfd, *dir ? dir : "/", O_PATH | O_DIRECTORY, how);
        if (fd < 0)
                return fd;
        *ret_fd = fd;
        *ret_base = base;
        return 0;
}

static void forget_folder(struct hd_context *ctx) {
        if (ctx->parent_fd >= 0)
                close(ctx->parent_fd);
        ctx->parent_fd = -1;
        ctx->parent_path = mfree(ctx->parent_path);
}

void sysfs_keep_folders(struct hd_context *ctx, bool keep) {
        ctx->keep_parent = keep;
        if (!keep)
                forget_folder(ctx);
}

/*
 * The folder PATH (from the root) is in, and PATH's last component, for the
 * calls that must not follow that last one (readlink, lstat). On the live
 * root it is the root and the whole path. Under a tree the folder is
 * opened confined: a new handle in *RET_OWNED for the caller to close, or,
 * while a scan keeps folders, the one kept from the call before when it is
 * the same folder (a scan asks about the PFs of the VFs it lists, all in
 * /sys/bus/pci/devices: one open instead of thousands). The handle only
 * ever reads a link's text or lstats an entry; what those give is opened
 * confined again.
 */
static int root_parent(struct hd_context *ctx, const char *path, int *ret_fd, const char **ret_base, int *ret_owned) {
        _cleanup_free_ char *dir = NULL;
        const char *r = rel(path), *base = path_basename(r);
        int fd;

        *ret_owned = -1;
        if (live_root(ctx) || base == r) {
                *ret_fd = ctx->root_fd;
                *ret_base = r;
                return 0;
        }
        if (!*base || streq(base, ".") || streq(base, ".."))
                return -EINVAL; /* a folder, not an entry of one */
        *ret_base = base;
        dir = strndup(r, (size_t)(base - 1 - r));
        if (!dir)
                return -ENOMEM;
        if (ctx->parent_path && streq(ctx->parent_path, dir)) {
                *ret_fd = ctx->parent_fd;
                return 0;
        }
        fd = open_in(ctx->root_fd, dir, O_PATH | O_DIRECTORY, CONFINE_IN_ROOT);
        if (fd < 0)
                return fd;
        *ret_fd = fd;
        if (!ctx->keep_parent) {
                *ret_owned = fd;
                return 0;
        }
        forget_folder(ctx);
        ctx->parent_fd = fd;
        ctx->parent_path = TAKE_PTR(dir);
        return 0;
}

bool sysfs_exists_at(int dirfd, const char *name) {
        _cleanup_close_ int pfd = -1;
        const char *base;
        struct stat st;

        if (open_parent(dirfd, name, CONFINE_BENEATH, &pfd, &base) < 0 ||
            fstatat(pfd >= 0 ? pfd : dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return false;
        recorder_note(dirfd, name, S_ISLNK(st.st_mode) ? REC_LINK : REC_FILE);
        return true;
}

bool sysfs_exists(struct hd_context *ctx, const char *path) {
        _cleanup_close_ int owned = -1;
        const char *base;
        struct stat st;
        int pfd;

        if (root_parent(ctx, path, &pfd, &base, &owned) < 0 || fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return false;
        recorder_note(ctx->root_fd, rel(path), S_ISLNK(st.st_mode) ? REC_LINK : REC_FILE);
        return true;
}

/*
 * Reads until the end, into BUF (CAP bytes, on the caller's stack) and then
 * the heap. A read shorter than asked is the end: sysfs hands out a whole
 * attribute in its first read (fs/kernfs/file.c), and so do tmpfs and
 * ext4 for the recorded trees and /run/udev; asking again would only cost
 * a system call per attribute, thousands in a scan.
 */
static int read_all(int fd, char *buf, size_t cap, char **ret_heap, size_t *ret_len) {
        _cleanup_free_ char *heap = NULL;
        char *p = buf;
        size_t len = 0;

        for (;;) {
                ssize_t n = read(fd, p + len, cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                len += (size_t)n;
                if (len < cap)
                        break;
                if (cap >= READ_MAX)
                        break;
                /* Full: move to a bigger buffer on the heap and go on. */
                char *nb = realloc(heap, cap * 2);
                if (!nb)
                        return -ENOMEM;
                if (!heap)
                        memcpy(nb, buf, len);
                heap = p = nb;
                cap *= 2;
        }
        *ret_heap = TAKE_PTR(heap);
        *ret_len = len;
        return 0;
}

static int read_in(int dirfd, const char *name, enum confine_mode how, char **ret) {
        recorder_note(dirfd, name, REC_FILE);
        _cleanup_close_ int fd = open_in(dirfd, name, O_RDONLY | O_NOCTTY, how);
        _cleanup_free_ char *heap = NULL;
        char stack[4096], *s;
        size_t len = 0;
        int r;

        if (fd < 0)
                return fd;
        r = read_all(fd, stack, sizeof(stack), &heap, &len);
        if (r < 0)
                return r;
        /* An exact-size copy: callers keep attributes for the life of the tree. */
        s = strndup(heap ? heap : stack, len);
        if (!s)
                return -ENOMEM;
        strstrip_right(s);
        *ret = s;
        return 0;
}

int sysfs_read_bytes_at(int dirfd, const char *name, void *buf, size_t size, size_t *ret_len,
                        uint64_t *ret_file_size) {
        _cleanup_close_ int fd = -1;
        struct stat st;
        ssize_t n;

        recorder_note(dirfd, name, REC_FILE);
        fd = open_in(dirfd, name, O_RDONLY | O_NOCTTY, CONFINE_BENEATH);
        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return -errno;
        do
                n = pread(fd, buf, size, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        *ret_len = (size_t)n;
        if (ret_file_size)
                *ret_file_size = (uint64_t)st.st_size;
        return 0;
}

int sysfs_stat_at(int dirfd, const char *name, struct stat *ret) {
        _cleanup_close_ int fd = -1;

        recorder_note(dirfd, name, REC_FILE);
        /* One system call when NAME is no link, the usual case (`config`). */
        if (!strchr(name, '/') && !streq(name, "..") && fstatat(dirfd, name, ret, AT_SYMLINK_NOFOLLOW) >= 0 &&
            !S_ISLNK(ret->st_mode))
                return 0;
        fd = open_in(dirfd, name, O_PATH, CONFINE_BENEATH);
        if (fd < 0)
                return fd;
        return fstat(fd, ret) < 0 ? -errno : 0;
}

int sysfs_read_at(int dirfd, const char *name, char **ret) {
        return read_in(dirfd, name, CONFINE_BENEATH, ret);
}

int sysfs_read(struct hd_context *ctx, const char *path, char **ret) {
        return read_in(ctx->root_fd, rel(path), root_mode(ctx), ret);
}

int sysfs_read_u64_at(int dirfd, const char *name, int base, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        unsigned long long v;
        char *end;
        int r = sysfs_read_at(dirfd, name, &s);
        if (r < 0)
                return r;
        errno = 0;
        v = strtoull(s, &end, base);
        if (errno || end == s || *end)
                return -EINVAL;
        *ret = v;
        return 0;
}

int sysfs_read_int_at(int dirfd, const char *name, int *ret) {
        _cleanup_free_ char *s = NULL;
        long v;
        char *end;
        int r = sysfs_read_at(dirfd, name, &s);
        if (r < 0)
                return r;
        errno = 0;
        v = strtol(s, &end, 0);
        if (errno || end == s || *end || v < INT_MIN || v > INT_MAX)
                return -EINVAL;
        *ret = (int)v;
        return 0;
}

static int link_text(int dirfd, const char *name, char **ret) {
        char buf[PATH_MAX];
        ssize_t n = readlinkat(dirfd, name, buf, sizeof(buf) - 1);

        if (n < 0)
                return -errno;
        buf[n] = 0;
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

int sysfs_readlink_at(int dirfd, const char *name, char **ret) {
        _cleanup_close_ int pfd = -1;
        const char *base;
        int r;

        recorder_note(dirfd, name, REC_LINK);
        r = open_parent(dirfd, name, CONFINE_BENEATH, &pfd, &base);
        return r < 0 ? r : link_text(pfd >= 0 ? pfd : dirfd, base, ret);
}

int sysfs_link_name_at(int dirfd, const char *name, char **ret) {
        _cleanup_free_ char *t = NULL;
        int r = sysfs_readlink_at(dirfd, name, &t);
        if (r < 0)
                return r;
        *ret = strdup(path_basename(t));
        return *ret ? 0 : -ENOMEM;
}

const char *path_basename(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

char *path_dirname(const char *path) {
        const char *s = strrchr(path, '/');
        if (!s)
                return strdup(".");
        if (s == path)
                return strdup("/");
        return strndup(path, (size_t)(s - path));
}

int path_normalize(const char *path, char **ret) {
        size_t n = strlen(path);
        _cleanup_free_ char *out = malloc(n + 2);
        size_t len = 0;
        const char *p = path;

        if (!out)
                return -ENOMEM;
        if (*path != '/')
                return -EINVAL;
        while (*p) {
                const char *e;
                size_t cl;
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                e = strchrnul(p, '/');
                cl = (size_t)(e - p);
                if (cl == 1 && p[0] == '.') {
                        /* skip */
                } else if (cl == 2 && p[0] == '.' && p[1] == '.') {
                        if (len == 0)
                                return -EXDEV; /* would climb above the root */
                        while (len > 0 && out[len - 1] != '/')
                                len--;
                        if (len > 0)
                                len--; /* the '/' */
                } else {
                        out[len++] = '/';
                        memcpy(out + len, p, cl);
                        len += cl;
                }
                p = e;
        }
        if (len == 0)
                out[len++] = '/';
        out[len] = 0;
        *ret = TAKE_PTR(out);
        return 0;
}

/* TARGET, a link's text in folder DIR, as a canonical path from the root. */
static int link_join(const char *dir, const char *target, char **ret) {
        /* An absolute target (a tree recorded by something else) is taken as below the root. */
        _cleanup_free_ char *joined = target[0] == '/' ? strdup(target) : strdupf("%s/%s", dir, target);
        if (!joined)
                return -ENOMEM;
        return path_normalize(joined, ret);
}

int sysfs_resolve_link(struct hd_context *ctx, const char *dir, const char *name, char **ret) {
        _cleanup_free_ char *target = NULL, *lpath = NULL;
        _cleanup_close_ int owned = -1;
        const char *base;
        int pfd, r;

        lpath = strdupf("%s/%s", dir, name);
        if (!lpath)
                return -ENOMEM;
        recorder_note(ctx->root_fd, rel(lpath), REC_LINK);
        r = root_parent(ctx, lpath, &pfd, &base, &owned);
        if (r >= 0)
                r = link_text(pfd, base, &target);
        return r < 0 ? r : link_join(dir, target, ret);
}

int sysfs_resolve_link_at(int dirfd, const char *dir, const char *name, char **ret) {
        _cleanup_free_ char *target = NULL;
        int r = sysfs_readlink_at(dirfd, name, &target);
        return r < 0 ? r : link_join(dir, target, ret);
}

int sysfs_write_file(int root_fd, const char *path, const char *value, size_t len) {
        _cleanup_close_ int fd = open_in(root_fd, rel(path), O_WRONLY | O_NOCTTY, CONFINE_IN_ROOT);
        struct statfs sfs;
        ssize_t n;

        if (fd < 0)
                return fd;
        /*
         * Only the kernel's attributes: an ordinary file in their place is
         * never written (no O_TRUNC either, which sysfs ignores).
         */
        if (fstatfs(fd, &sfs) < 0)
                return -errno;
        if (sfs.f_type != SYSFS_MAGIC)
                return -EMEDIUMTYPE;
        n = write(fd, value, len);
        if (n < 0)
                return -errno;
        return (size_t)n == len ? 0 : -EIO;
}

bool sysfs_write_refused(const struct hd_context *ctx) {
        return !ctx->write_hook && !live_root(ctx);
}

int sysfs_write(struct hd_context *ctx, const char *path, const char *value) {
        size_t len = strlen(value);
        int r;

        if (ctx->write_hook)
                return ctx->write_hook(ctx->write_hook_data, ctx->root_fd, path, value, len);
        if (sysfs_write_refused(ctx))
                return hd_error(ctx, -EROFS,
                                "refusing to write %s under --sysroot %s: no kernel is behind a recorded tree; "
                                "use hostdev-emu for a tree with the emulator",
                                path, ctx->sysroot);
        r = sysfs_write_file(ctx->root_fd, path, value, len);
        if (r == -EMEDIUMTYPE)
                return hd_error(ctx, -EINVAL, "refusing to write %s: it is not a sysfs attribute", path);
        return r;
}
