/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Notes every path the sysfs layer touches, so `hostdev record` copies exactly those. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "confine.h"
#include "recorder.h"
#include "sysfs.h"
#include "util/hashmap.h"
#include "util/strutil.h"

/*
 * What a recording may contain: the kernel's trees hostdev reads, udev's
 * device database, the device nodes check looks for (as empty files), the
 * module index check's libkmod lookup reads, and of /proc what check reads:
 * never a process's environment, memory or mounts.
 */
static const char *const allowed_prefixes[] = { "/sys/", "/run/udev/data/", "/dev/vfio/", "/lib/modules/", NULL };
static const char *const allowed_files[] = { "/proc/iomem", "/proc/cmdline", "/proc/interrupts",
                                             "/proc/sys/kernel/osrelease", "/dev/iommu", NULL };
/* The targets of the /proc/PID/fd links a recording keeps: the nodes check names holders of. */
static const char *const kept_fd_targets[] = { "/dev/vfio/", "/dev/dri/", NULL };

struct recorder {
        struct hashmap *seen; /* "K/path" -> non-NULL, to note each path once */
        char **notes;         /* "K/path", K the recorder_kind as a digit */
        size_t n, cap;
        char *root_path;      /* the root prefix as the kernel names it, "" for "/" */
};

static __thread struct recorder *active;

int recorder_new(struct recorder **ret) {
        struct recorder *r = calloc(1, sizeof(*r));
        if (!r || !(r->seen = hashmap_new(4096))) {
                free(r);
                return -ENOMEM;
        }
        *ret = r;
        return 0;
}

void recorder_free(struct recorder *r) {
        if (!r)
                return;
        for (size_t i = 0; i < r->n; i++)
                free(r->notes[i]);
        free(r->notes);
        hashmap_free(r->seen);
        free(r->root_path);
        free(r);
}

static char *fd_path(int fd) {
        char link[64], buf[PATH_MAX];
        ssize_t n;
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        n = readlink(link, buf, sizeof(buf) - 1);
        if (n < 0)
                return NULL;
        buf[n] = 0;
        return strdup(buf);
}

void recorder_activate(struct recorder *r, int root_fd) {
        char *p = fd_path(root_fd);
        free(r->root_path);
        r->root_path = p && streq(p, "/") ? strdup("") : p;
        if (p && streq(p, "/"))
                free(p);
        active = r;
}

void recorder_deactivate(void) {
        active = NULL;
}

void recorder_note(int dirfd, const char *name, enum recorder_kind kind) {
        struct recorder *r = active;
        _cleanup_free_ char *dir = NULL, *full = NULL, *norm = NULL;
        const char *rel;
        char *note;

        if (!r || !r->root_path)
                return;
        dir = fd_path(dirfd);
        if (!dir)
                return;
        rel = startswith(dir, r->root_path);
        if (!rel)
                return;
        full = strdupf("%s/%s", *rel ? rel : "", name);
        if (!full || path_normalize(full, &norm) < 0)
                return;
        note = strdupf("%d%s", (int)kind, norm);
        if (!note)
                return;
        if (hashmap_get(r->seen, note)) {
                free(note);
                return;
        }
        if (r->n == r->cap) {
                size_t ncap = r->cap ? r->cap * 2 : 1024;
                char **nn = realloc(r->notes, ncap * sizeof(char *));
                if (!nn) {
                        free(note);
                        return;
                }
                r->notes = nn;
                r->cap = ncap;
        }
        r->notes[r->n++] = note;
        (void)hashmap_put(r->seen, note, note);
}

/* "/proc/PID/NAME..." with PID all digits: the rest after "/proc/PID/", else NULL. */
static const char *proc_pid_rest(const char *p) {
        const char *r = startswith(p, "/proc/");
        size_t n = r ? strspn(r, "0123456789") : 0;
        return n && r[n] == '/' ? r + n + 1 : NULL;
}

static bool path_allowed(const char *p) {
        const char *rest = proc_pid_rest(p);
        for (size_t i = 0; allowed_prefixes[i]; i++)
                if (startswith(p, allowed_prefixes[i]) || streq(p, "/sys"))
                        return true;
        for (size_t i = 0; allowed_files[i]; i++)
                if (streq(p, allowed_files[i]))
                        return true;
        /* A process's name and its fd links (judged by target, below), never a listing of its fds. */
        return rest && (streq(rest, "comm") || startswith(rest, "fd/"));
}

static int src_readlink(int root_fd, const char *rel, char **ret);

/* A /proc/PID/fd/N link is kept only when it names a node check looks for; any other link is kept. */
static bool link_kept(int root_fd, const char *path) {
        _cleanup_free_ char *target = NULL;
        const char *rest = proc_pid_rest(path);
        if (!rest || !startswith(rest, "fd/"))
                return true;
        if (src_readlink(root_fd, path + 1, &target) < 0)
                return false;
        for (size_t i = 0; kept_fd_targets[i]; i++)
                if (startswith(target, kept_fd_targets[i]))
                        return true;
        return false;
}

/*
 * The destination: a folder the caller made and opened. Every folder in it
 * is made here (mkdirat) and entered with O_NOFOLLOW, every file is new
 * (O_CREAT | O_EXCL | O_NOFOLLOW): a link someone else puts in the
 * destination while we copy can make the copy fail, never write elsewhere.
 * The folder used last is kept open: files come folder by folder.
 */
struct dest {
        int fd;
        char *last;  /* relative path of last_fd, "" for the top */
        int last_fd;
};

static void dest_done(struct dest *d) {
        if (d->last_fd >= 0)
                close(d->last_fd);
        free(d->last);
}

/* The folder REL below the destination (made when missing): a handle owned by D, not to be closed. */
static int dest_dir(struct dest *d, const char *rel, int *ret_fd) {
        _cleanup_free_ char *copy = NULL;
        int fd;

        if (d->last && streq(d->last, rel)) {
                *ret_fd = d->last_fd;
                return 0;
        }
        copy = strdup(rel);
        if (!copy)
                return -ENOMEM;
        fd = confine_mkdirs(d->fd, rel, 0755);
        if (fd < 0)
                return fd;
        if (d->last_fd >= 0)
                close(d->last_fd);
        free(d->last);
        d->last = TAKE_PTR(copy);
        d->last_fd = fd;
        *ret_fd = fd;
        return 0;
}

/* The folder of REL in the destination, and REL's last component. */
static int dest_parent(struct dest *d, const char *rel, int *ret_fd, const char **ret_base) {
        _cleanup_free_ char *dir = NULL;
        const char *base = path_basename(rel);

        dir = base == rel ? strdup("") : strndup(rel, (size_t)(base - 1 - rel));
        if (!dir)
                return -ENOMEM;
        *ret_base = base;
        return dest_dir(d, dir, ret_fd);
}

/*
 * The source: REL below ROOT_FD, the root of what hostdev read (the host,
 * or a --sysroot tree), resolved as the sysfs layer does, never out of it.
 */
static int src_parent(int root_fd, const char *rel, const char **ret_base) {
        _cleanup_free_ char *dir = NULL;
        const char *base = path_basename(rel);

        dir = base == rel ? strdup(".") : strndup(rel, (size_t)(base - 1 - rel));
        if (!dir)
                return -ENOMEM;
        *ret_base = base;
        return confine_open(root_fd, dir, O_PATH | O_DIRECTORY, 0, CONFINE_IN_ROOT);
}

static int src_readlink(int root_fd, const char *rel, char **ret) {
        _cleanup_close_ int pfd = -1;
        const char *base;
        char buf[PATH_MAX];
        ssize_t n;

        pfd = src_parent(root_fd, rel, &base);
        if (pfd < 0)
                return pfd;
        n = readlinkat(pfd, base, buf, sizeof(buf) - 1);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

static int src_lstat(int root_fd, const char *rel, struct stat *ret) {
        _cleanup_close_ int pfd = -1;
        const char *base;

        pfd = src_parent(root_fd, rel, &base);
        if (pfd < 0)
                return pfd;
        return fstatat(pfd, base, ret, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int src_stat(int root_fd, const char *rel, struct stat *ret) {
        _cleanup_close_ int fd = confine_open(root_fd, rel, O_PATH, 0, CONFINE_IN_ROOT);
        if (fd < 0)
                return fd;
        return fstat(fd, ret) < 0 ? -errno : 0;
}

static int copy_link(int root_fd, struct dest *dest, const char *rel, char **ret_target) {
        _cleanup_free_ char *target = NULL;
        const char *base;
        int pfd, r = src_readlink(root_fd, rel, &target);

        if (r < 0)
                return r;
        r = dest_parent(dest, rel, &pfd, &base);
        if (r < 0)
                return r;
        if (symlinkat(target, pfd, base) < 0 && errno != EEXIST)
                return -errno;
        if (ret_target)
                *ret_target = TAKE_PTR(target);
        return 0;
}

/*
 * Walk PATH from the root: every link on the way is copied as a link (and
 * followed only while its target stays inside an allowed tree); returns the
 * path with links resolved, or NULL when it leaves the allowed trees.
 */
static char *copy_links_on_the_way(int root_fd, struct dest *dest, const char *path) {
        _cleanup_free_ char *cur = strdup(path);
        for (int hops = 0; cur && hops < 40; hops++) {
                bool changed = false;
                for (char *s = cur + 1;; s++) {
                        if (*s == '/' || *s == 0) {
                                char save = *s;
                                struct stat st;
                                *s = 0;
                                if (src_lstat(root_fd, cur + 1, &st) == 0 && S_ISLNK(st.st_mode)) {
                                        _cleanup_free_ char *target = NULL, *dir = NULL, *joined = NULL;
                                        char *norm = NULL;
                                        if (copy_link(root_fd, dest, cur + 1, &target) < 0)
                                                return NULL;
                                        dir = path_dirname(cur);
                                        *s = save;
                                        if (!dir)
                                                return NULL;
                                        /* S is at the '/' before the rest of the path, or at its end. */
                                        joined = target[0] == '/' ? strdupf("%s%s", target, s)
                                                                  : strdupf("%s/%s%s", dir, target, s);
                                        if (!joined || path_normalize(joined, &norm) < 0 || !path_allowed(norm)) {
                                                free(norm);
                                                return NULL; /* never follow a link out of sysfs */
                                        }
                                        free(cur);
                                        cur = norm;
                                        changed = true;
                                        break;
                                }
                                *s = save;
                                if (!save)
                                        break;
                        }
                }
                if (!changed)
                        return TAKE_PTR(cur);
        }
        return NULL;
}

/* Files past this are cut: a recording is for tests and bug reports (a modules.alias.bin is ~1 MB). */
#define COPY_MAX (16 << 20)

static int copy_file(int root_fd, struct dest *dest, const char *rel) {
        _cleanup_close_ int in = -1, out = -1, probe = -1;
        const char *base;
        char buf[65536];
        struct stat st;
        size_t total = 0;
        ssize_t n;
        int pfd, r;

        /* A device node is never opened (opening /dev/vfio/N would claim the group): an empty file says it is there. */
        probe = confine_open(root_fd, rel, O_PATH, 0, CONFINE_IN_ROOT);
        if (probe >= 0 && fstat(probe, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
                r = dest_parent(dest, rel, &pfd, &base);
                if (r < 0)
                        return r;
                out = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                return out < 0 && errno != EEXIST ? -errno : 0;
        }
        in = confine_open(root_fd, rel, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0, CONFINE_IN_ROOT);
        if (in < 0)
                return 0; /* unreadable or gone: the replay will find it absent, as hostdev did */
        if (fstat(in, &st) == 0 && S_ISDIR(st.st_mode))
                return dest_dir(dest, rel, &pfd); /* an existence check on a folder */
        n = read(in, buf, sizeof(buf));
        if (n < 0)
                return 0;
        r = dest_parent(dest, rel, &pfd, &base);
        if (r < 0)
                return r;
        out = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (out < 0)
                return errno == EEXIST ? 0 : -errno; /* the same file by another name: copied already */
        /* sysfs gives an attribute in one read; a regular file (an index, /proc/interrupts) takes more. */
        while (n > 0) {
                if (write(out, buf, (size_t)n) != n)
                        return -EIO;
                total += (size_t)n;
                if (total >= COPY_MAX || !S_ISREG(st.st_mode))
                        break;
                n = read(in, buf, sizeof(buf));
        }
        return 0;
}

static int copy_listing(int root_fd, struct dest *dest, const char *rel) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd = confine_open(root_fd, rel, O_RDONLY | O_DIRECTORY, 0, CONFINE_IN_ROOT), r;

        if (fd < 0)
                return 0;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return 0;
        }
        r = dest_dir(dest, rel, &fd);
        if (r < 0)
                return r;
        while ((de = readdir(d))) {
                _cleanup_free_ char *child = NULL;
                if (de->d_name[0] == '.')
                        continue;
                child = strdupf("%s/%s", rel, de->d_name);
                if (!child)
                        return -ENOMEM;
                if (de->d_type == DT_LNK)
                        r = copy_link(root_fd, dest, child, NULL);
                else if (de->d_type == DT_DIR)
                        r = dest_dir(dest, child, &fd);
                else
                        r = 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

int recorder_copy(struct recorder *r, int root_fd, int dest_fd) {
        _cleanup_(dest_done) struct dest dest = { .fd = dest_fd, .last_fd = -1 };

        for (size_t i = 0; i < r->n; i++) {
                enum recorder_kind kind = (enum recorder_kind)(r->notes[i][0] - '0');
                const char *path = r->notes[i] + 1;
                _cleanup_free_ char *real = NULL;
                int k = 0, fd;

                if (!path_allowed(path))
                        continue;
                if (kind == REC_LINK) {
                        /* The link itself, after the links on the way to its folder. */
                        _cleanup_free_ char *dir = path_dirname(path), *rdir = NULL, *lp = NULL;
                        rdir = dir ? copy_links_on_the_way(root_fd, &dest, dir) : NULL;
                        if (!rdir || !link_kept(root_fd, path))
                                continue;
                        lp = strdupf("%s/%s", rdir, path_basename(path));
                        if (lp)
                                (void)copy_link(root_fd, &dest, lp + 1, NULL);
                        continue;
                }
                real = copy_links_on_the_way(root_fd, &dest, path);
                if (!real || !path_allowed(real))
                        continue;
                switch (kind) {
                case REC_FILE:
                        k = copy_file(root_fd, &dest, real + 1);
                        break;
                case REC_DIR: {
                        /* A folder hostdev failed to open must stay absent in the replay. */
                        struct stat st;
                        if (src_stat(root_fd, real + 1, &st) == 0 && S_ISDIR(st.st_mode))
                                k = dest_dir(&dest, real + 1, &fd);
                        break;
                }
                case REC_LIST:
                        k = copy_listing(root_fd, &dest, real + 1);
                        break;
                default:
                        break;
                }
                if (k < 0)
                        return k;
        }
        return 0;
}
