/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The definition store: one file per device in mdevctl's layout, DIR/<parent>/<uuid>. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "mdev-internal.h"
#include "sysfs/confine.h"
#include "util/strutil.h"

#define DEF_MAX (64 * 1024)

static int read_file_at(int dirfd, const char *name, char **ret) {
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        ssize_t n;

        if (fd < 0)
                return -errno;
        buf = malloc(DEF_MAX + 1);
        if (!buf)
                return -ENOMEM;
        while (len < DEF_MAX && (n = read(fd, buf + len, DEF_MAX - len)) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                len += (size_t)n;
        }
        buf[len] = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

static int mkdir_p(const char *path) {
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; (s = strchr(s, '/')); s++) {
                *s = 0;
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        return mkdir(p, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

/*
 * The definitions folder (mdev_config_dir()), open. A tree's own
 * (TREE/etc/mdevctl.d) is entered below its root one folder at a time,
 * never through a link, and so are the parents' folders in it
 * (*RET_NOFOLLOW): a tree's definitions stay in the tree (TREE/etc -> /etc
 * leads nowhere). A folder given with hd_context_set_mdev_config_dir(), or
 * /etc/mdevctl.d on the live root, is taken as it is named. -ENOENT when it
 * is missing and not CREATE.
 */
static int defs_open(struct hd_context *ctx, bool create, int *ret_fd, int *ret_nofollow) {
        _cleanup_free_ char *dir = NULL;
        int fd, r;

        if (!ctx->mdev_config_dir && !streq(hd_context_get_sysroot(ctx), "/")) {
                fd = confine_mkdirs(ctx->root_fd, MDEV_CONFIG_DIR + 1, create ? 0755 : 0);
                *ret_nofollow = O_NOFOLLOW;
        } else {
                dir = mdev_config_dir(ctx);
                if (!dir)
                        return -ENOMEM;
                /* mdevctl's package makes DIR; a relocated one may be new. */
                if (create && (r = mkdir_p(dir)) < 0)
                        return r;
                fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        fd = -errno;
                *ret_nofollow = 0;
        }
        if (fd < 0)
                return fd;
        *ret_fd = fd;
        return 0;
}

/* PARENT's folder in the definitions folder (made when CREATE). */
static int defs_parent_open(struct hd_context *ctx, const char *parent, bool create, int *ret_fd) {
        _cleanup_close_ int dfd = -1;
        int nofollow, fd, r;

        r = defs_open(ctx, create, &dfd, &nofollow);
        if (r < 0)
                return r;
        if (create && mkdirat(dfd, parent, 0755) < 0 && errno != EEXIST)
                return -errno;
        fd = openat(dfd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC | nofollow);
        if (fd < 0)
                return errno == ELOOP ? -ENOTDIR : -errno;
        *ret_fd = fd;
        return 0;
}

int mdev_def_read(struct hd_context *ctx, const char *parent, const char *uuid, struct hd_mdev **ret) {
        _cleanup_free_ char *dir = mdev_config_dir(ctx), *path = NULL, *text = NULL, *why = NULL;
        _cleanup_close_ int pfd = -1;
        struct hd_mdev *m;
        int r;

        if (!dir)
                return -ENOMEM;
        if (!filename_is_safe(parent) || !hd_uuid_is_valid(uuid))
                return -ENOENT;
        path = strdupf("%s/%s/%s", dir, parent, uuid);
        if (!path)
                return -ENOMEM;
        r = defs_parent_open(ctx, parent, false, &pfd);
        if (r >= 0)
                r = read_file_at(pfd, uuid, &text);
        if (r < 0)
                return r == -ENOMEM ? r : -ENOENT;
        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        r = mdev_json_parse(text, m, &why);
        if (r < 0) {
                hd_mdev_free(m);
                return r == -ENOMEM ? r : hd_error(ctx, r, "definition %s is not mdevctl's JSON: %s; fix or remove the file",
                                                  path, why ? why : "?");
        }
        /* mdevctl's JSON written by anyone: each attribute is written below the device when it starts. */
        for (size_t i = 0; i < m->n_attrs; i++)
                if (!mdev_attr_name_ok(m->attrs[i].name)) {
                        r = hd_error(ctx, -EINVAL,
                                     "definition %s has the attribute '%s', which is not one file of the device's "
                                     "folder (no '/', not '.', '..' nor 'remove'); fix or remove the file",
                                     path, m->attrs[i].name);
                        hd_mdev_free(m);
                        return r;
                }
        memcpy(m->uuid, uuid, 37);
        m->parent = strdup(parent);
        if (!m->parent) {
                hd_mdev_free(m);
                return -ENOMEM;
        }
        m->defined = true;
        *ret = m;
        return 0;
}

int mdev_def_write(struct hd_context *ctx, const struct hd_mdev *m, bool replace) {
        _cleanup_free_ char *dir = mdev_config_dir(ctx), *pdir = NULL, *tname = NULL, *tmp = NULL, *path = NULL,
                            *json = NULL;
        _cleanup_close_ int fd = -1, pfd = -1;
        size_t len, off = 0;
        int r;

        if (!dir)
                return -ENOMEM;
        if (!filename_is_safe(m->parent))
                return hd_error(ctx, -EINVAL, "'%s' cannot name a parent device", m->parent);
        pdir = strdupf("%s/%s", dir, m->parent);
        tname = strdupf(".%s.%d.tmp", m->uuid, (int)getpid());
        tmp = strdupf("%s/%s", pdir ? pdir : "", tname ? tname : "");
        path = strdupf("%s/%s", pdir ? pdir : "", m->uuid);
        if (!pdir || !tname || !tmp || !path)
                return -ENOMEM;
        r = mdev_json_format(m, &json);
        if (r < 0)
                return r;
        r = defs_parent_open(ctx, m->parent, true, &pfd);
        if (r < 0)
                return hd_error(ctx, r, "cannot make the definition folder %s: %s%s", pdir, strerror(-r),
                                r == -ENOTDIR ? " (a link or a file on the way, which a tree's definitions never follow)" : "");
        fd = openat(pfd, tname, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return hd_error(ctx, -errno, "cannot write %s: %m", tmp);
        len = strlen(json);
        while (off < len) {
                ssize_t n = write(fd, json + off, len - off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        unlinkat(pfd, tname, 0);
                        return hd_error(ctx, r, "cannot write %s: %s", tmp, strerror(-r));
                }
                off += (size_t)n;
        }
        /*
         * A reader sees the old definition or the new one, never half of one;
         * a new one is linked into place so two definers cannot both win.
         */
        if (fsync(fd) < 0 ||
            (replace ? renameat(pfd, tname, pfd, m->uuid) : linkat(pfd, tname, pfd, m->uuid, 0)) < 0) {
                r = -errno;
                unlinkat(pfd, tname, 0);
                if (r == -EEXIST)
                        return hd_error(ctx, r, "%s is defined on %s already; 'hostdev mdev modify' changes it", m->uuid,
                                        m->parent);
                return hd_error(ctx, r, "cannot write %s: %s", path, strerror(-r));
        }
        if (!replace)
                (void)unlinkat(pfd, tname, 0);
        return 0;
}

int mdev_def_delete(struct hd_context *ctx, const char *parent, const char *uuid) {
        _cleanup_free_ char *dir = mdev_config_dir(ctx), *path = NULL;
        _cleanup_close_ int dfd = -1, pfd = -1;
        int nofollow, r;

        if (!dir)
                return -ENOMEM;
        path = strdupf("%s/%s/%s", dir, parent, uuid);
        if (!path)
                return -ENOMEM;
        r = defs_open(ctx, false, &dfd, &nofollow);
        if (r >= 0) {
                pfd = openat(dfd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC | nofollow);
                r = pfd < 0 ? -errno : 0;
        }
        if (r >= 0 && unlinkat(pfd, uuid, 0) < 0)
                r = -errno;
        if (r < 0)
                return r == -ENOENT ? -ENOENT : hd_error(ctx, r, "cannot remove %s: %s", path, strerror(-r));
        /* An empty parent folder goes too, as nothing else keeps it; mdevctl does not mind either way. */
        (void)unlinkat(dfd, parent, AT_REMOVEDIR);
        return 0;
}

static int cmp_mdev(const void *a, const void *b) {
        const struct hd_mdev *x = a, *y = b;
        int c = strcmp(x->parent, y->parent);
        return c ? c : strcmp(x->uuid, y->uuid);
}

static int list_parent(struct hd_context *ctx, int dirfd, int nofollow, const char *parent, const char *uuid,
                       struct hd_mdev **list, size_t *n) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd = openat(dirfd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC | nofollow);

        if (fd < 0)
                return 0; /* not a folder: mdevctl skips it too */
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -ENOMEM;
        }
        while ((de = readdir(d))) {
                struct hd_mdev *m = NULL, *nl;
                char lower[37];
                int r;

                if (!hd_uuid_is_valid(de->d_name))
                        continue;
                for (int i = 0; i < 37; i++)
                        lower[i] = (char)(de->d_name[i] >= 'A' && de->d_name[i] <= 'F' ? de->d_name[i] + 32 : de->d_name[i]);
                if (uuid && !streq(lower, uuid))
                        continue;
                r = mdev_def_read(ctx, parent, de->d_name, &m);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        continue; /* unreadable: left out of listings, reported by a lookup of its UUID */
                memcpy(m->uuid, lower, 37);
                nl = realloc(*list, (*n + 1) * sizeof(**list));
                if (!nl) {
                        hd_mdev_free(m);
                        return -ENOMEM;
                }
                *list = nl;
                (*list)[(*n)++] = *m;
                free(m);
        }
        return 0;
}

int mdev_def_list(struct hd_context *ctx, const char *uuid, struct hd_mdev **ret_list, size_t *ret_n) {
        _cleanup_closedir_ DIR *d = NULL;
        struct hd_mdev *list = NULL;
        struct dirent *de;
        size_t n = 0;
        int r, fd = -1, nofollow = 0;

        r = defs_open(ctx, false, &fd, &nofollow);
        if (r == -ENOMEM)
                return r;
        if (r >= 0 && !(d = fdopendir(fd)))
                close(fd);
        if (d) {
                while ((de = readdir(d))) {
                        /* scripts.d holds mdevctl's callouts, not a parent. */
                        if (de->d_name[0] == '.' || streq(de->d_name, "scripts.d"))
                                continue;
                        r = list_parent(ctx, dirfd(d), nofollow, de->d_name, uuid, &list, &n);
                        if (r < 0) {
                                hd_mdev_list_free(list, n);
                                return r;
                        }
                }
        }
        hd_error_clear(ctx);
        if (n > 1)
                qsort(list, n, sizeof(*list), cmp_mdev);
        *ret_list = list;
        *ret_n = n;
        return 0;
}
