/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening a path so that it never leads out of a folder, whatever links it meets on the way. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "confine.h"
#include "util/strutil.h"

/* As the kernel's path walk (MAXSYMLINKS). */
#define MAX_LINKS 40
/* openat2() fails with EAGAIN when a rename or mount raced with a ".."; the kernel asks to try again. */
#define MAX_AGAIN 16

/*
 * The kernel has no openat2(): a fact about the process's kernel, kept so
 * that each open after the first does not ask again. It only ever chooses
 * between two ways to the same result.
 */
static atomic_bool no_openat2;

int confine_open(int dirfd, const char *path, int flags, mode_t mode, enum confine_mode how) {
        uint64_t resolve = RESOLVE_NO_MAGICLINKS | (how == CONFINE_IN_ROOT ? RESOLVE_IN_ROOT : RESOLVE_BENEATH);
        int fd = -EAGAIN;

        if (how == CONFINE_NONE) {
                fd = openat(dirfd, path, flags | O_CLOEXEC, mode);
                return fd < 0 ? -errno : fd;
        }
        if (atomic_load_explicit(&no_openat2, memory_order_relaxed))
                return confine_walk(dirfd, path, flags, mode, how);
        for (unsigned i = 0; i < MAX_AGAIN && fd == -EAGAIN; i++)
                fd = confine_openat2(dirfd, path, flags | O_CLOEXEC, mode, resolve);
        /*
         * ENOSYS: a kernel before 5.6. EPERM: some container runtimes'
         * seccomp filters answer so for system calls they do not know; a
         * real EPERM comes back from the walk too.
         */
        if (fd == -ENOSYS)
                atomic_store_explicit(&no_openat2, true, memory_order_relaxed);
        if (fd != -ENOSYS && fd != -EPERM && fd != -EAGAIN)
                return fd;
        return confine_walk(dirfd, path, flags, mode, how);
}

int confine_mkdirs(int dirfd, const char *path, mode_t mode) {
        _cleanup_free_ char *p = strdup(path);
        _cleanup_close_ int cur = -1;
        char *save = NULL, *c, *next;

        if (!p)
                return -ENOMEM;
        cur = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
        if (cur < 0)
                return -errno;
        for (c = strtok_r(p, "/", &save); c; c = next) {
                int fd;
                next = strtok_r(NULL, "/", &save);
                if (streq(c, ".") || streq(c, ".."))
                        return -EINVAL;
                if (mode && mkdirat(cur, c, next ? 0755 : mode) < 0 && errno != EEXIST)
                        return -errno;
                fd = openat(cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return errno == ELOOP ? -ENOTDIR : -errno;
                close(cur);
                cur = fd;
        }
        return TAKE_FD(cur);
}

/*
 * The folders entered below the start, each an O_PATH handle, so ".."
 * goes back to the handle it came from instead of asking the kernel for a
 * parent that a concurrent rename may have moved out of the tree.
 */
struct walk {
        int start;
        int *fds;
        size_t n, cap;
};

static int walk_cur(const struct walk *w) {
        return w->n ? w->fds[w->n - 1] : w->start;
}

static void walk_pop_all(struct walk *w) {
        while (w->n)
                close(w->fds[--w->n]);
}

static void walk_done(struct walk *w) {
        walk_pop_all(w);
        free(w->fds);
}

static int walk_push(struct walk *w, int fd) {
        if (w->n == w->cap) {
                size_t ncap = w->cap ? w->cap * 2 : 16;
                int *n = realloc(w->fds, ncap * sizeof(int));
                if (!n) {
                        close(fd);
                        return -ENOMEM;
                }
                w->fds = n;
                w->cap = ncap;
        }
        w->fds[w->n++] = fd;
        return 0;
}

/* The target of link NAME in DIRFD ("" for DIRFD itself, an O_PATH handle on the link). */
static int read_link(int dirfd, const char *name, char **ret) {
        char buf[PATH_MAX];
        ssize_t n = readlinkat(dirfd, name, buf, sizeof(buf));
        if (n < 0)
                return -errno;
        if ((size_t)n >= sizeof(buf))
                return -ENAMETOOLONG;
        if (n == 0)
                return -ENOENT; /* an empty link leads nowhere, as the kernel says */
        buf[n] = 0;
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

/* Go on with TARGET in place of the component just read, then REST. */
static int walk_follow(struct walk *w, enum confine_mode how, const char *target, const char *rest,
                       char **todo) {
        char *n;

        if (target[0] == '/') {
                if (how == CONFINE_BENEATH)
                        return -EXDEV;
                walk_pop_all(w);
        }
        n = strdupf("%s/%s", target, rest);
        if (!n)
                return -ENOMEM;
        free(*todo);
        *todo = n;
        return 0;
}

int confine_walk(int dirfd, const char *path, int flags, mode_t mode, enum confine_mode how) {
        _cleanup_(walk_done) struct walk w = { .start = dirfd };
        _cleanup_free_ char *todo = strdup(path);
        unsigned links = 0;
        char *p;

        if (!todo)
                return -ENOMEM;
        if (!*path)
                return -ENOENT;
        if (how == CONFINE_NONE) {
                int fd = openat(dirfd, path, flags | O_CLOEXEC, mode);
                return fd < 0 ? -errno : fd;
        }
        if (path[0] == '/' && how == CONFINE_BENEATH)
                return -EXDEV;
        p = todo;
        for (;;) {
                _cleanup_free_ char *target = NULL;
                char *comp, *end, *rest;
                bool last;
                int fd, r;

                while (*p == '/')
                        p++;
                if (!*p) {
                        /* Nothing after the last folder ("a/..", "."): open the one the walk is in. */
                        fd = openat(walk_cur(&w), ".", flags | O_CLOEXEC, mode);
                        return fd < 0 ? -errno : fd;
                }
                comp = p;
                end = strchrnul(p, '/');
                rest = *end ? end + 1 : end;
                *end = 0;
                for (last = true, p = rest; *p; p++)
                        if (*p != '/') {
                                last = false;
                                break;
                        }
                p = rest;
                if (streq(comp, "."))
                        continue;
                if (streq(comp, "..")) {
                        if (w.n > 0)
                                close(w.fds[--w.n]);
                        else if (how == CONFINE_BENEATH)
                                return -EXDEV;
                        continue;
                }
                if (last) {
                        int err;
                        fd = openat(walk_cur(&w), comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
                        if (fd >= 0) {
                                struct stat st;
                                /* O_PATH | O_NOFOLLOW opens a link itself: follow it unless asked not to. */
                                if (!(flags & O_PATH) || (flags & O_NOFOLLOW))
                                        return fd;
                                if (fstat(fd, &st) < 0) {
                                        err = -errno;
                                        close(fd);
                                        return err;
                                }
                                if (!S_ISLNK(st.st_mode))
                                        return fd;
                                close(fd);
                                err = -ELOOP;
                        } else
                                err = -errno;
                        /* A link says ELOOP under O_NOFOLLOW, or ENOTDIR with O_DIRECTORY. */
                        if ((err != -ELOOP && err != -ENOTDIR) || (flags & O_NOFOLLOW))
                                return err;
                        r = read_link(walk_cur(&w), comp, &target);
                        if (r < 0)
                                return r == -EINVAL ? err : r;
                } else {
                        /* A folder opens as one; a link (opened itself by O_PATH | O_NOFOLLOW) or a file does not. */
                        fd = openat(walk_cur(&w), comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (fd >= 0) {
                                r = walk_push(&w, fd);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        if (errno != ENOTDIR && errno != ELOOP)
                                return -errno;
                        r = read_link(walk_cur(&w), comp, &target);
                        if (r < 0)
                                return r == -EINVAL ? -ENOTDIR : r;
                }
                if (++links > MAX_LINKS)
                        return -ELOOP;
                r = walk_follow(&w, how, target, rest, &todo);
                if (r < 0)
                        return r;
                p = todo;
        }
}
