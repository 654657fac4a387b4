/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The emulator's extension hook: writes of devices a host makes are handled here, the rest by emulator.c. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu-ext-internal.h"
#include "sysfs/confine.h"
#include "util/strutil.h"

struct fault {
        char *glob, *value;
        int err, times;
};
static struct fault *faults;
static size_t n_faults;
bool ext_sriov_is_lazy, ext_vport_is_lazy;

static const struct {
        const char *glob; /* fnmatch without FNM_PATHNAME: '*' spans folders */
        int (*fn)(struct ext *x, const char *kpath, const char *val);
} handlers[] = {
        { "/sys/*/sriov_numvfs", ext_sriov_numvfs },
        { "/sys/*/mdev_supported_types/*/create", ext_mdev_create },
        { "/sys/*/remove", ext_mdev_remove }, /* passes on what is not an mdev */
        { "/sys/*/vport_create", ext_vport_create },
        { "/sys/*/vport_delete", ext_vport_delete },
};

int emu_ext_write_hook(void *userdata, int root_fd, const char *path, const char *value, size_t len) {
        struct ext x = { .e = userdata, .rfd = -1, .root = emu_root(userdata) };
        _cleanup_free_ char *val = strndup(value, len);
        int r = EXT_PASS;

        if (!val)
                return -ENOMEM;
        if (len > 0 && val[len - 1] == '\n')
                val[len - 1] = 0;
        for (size_t i = 0; i < ELEMENTSOF(handlers) && r == EXT_PASS; i++) {
                if (fnmatch(handlers[i].glob, path, 0) != 0)
                        continue;
                for (size_t f = 0; f < n_faults; f++)
                        if (faults[f].times != 0 && fnmatch(faults[f].glob, path, 0) == 0 &&
                            (!faults[f].value || streq(faults[f].value, val))) {
                                if (faults[f].times > 0)
                                        faults[f].times--;
                                return -faults[f].err;
                        }
                if (x.rfd < 0 && (x.rfd = open(x.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                        return -errno;
                r = handlers[i].fn(&x, path, val);
        }
        if (x.rfd >= 0)
                close(x.rfd);
        return r == EXT_PASS ? emu_write_hook(userdata, root_fd, path, value, len) : r;
}

int emu_ext_attach(struct emu *e, struct hd_context *ctx) {
        int r = emu_attach(e, ctx);
        if (r < 0)
                return r;
        hd_context_set_write_hook(ctx, emu_ext_write_hook, e);
        return 0;
}

void emu_ext_fail_path(const char *glob, const char *value, int err, int times) {
        struct fault *nf = realloc(faults, (n_faults + 1) * sizeof(*nf));
        if (!nf)
                abort();
        faults = nf;
        faults[n_faults++] = (struct fault){ .glob = strdup(glob), .value = value ? strdup(value) : NULL, .err = err,
                                             .times = times };
}

void emu_ext_sriov_lazy(bool lazy) {
        ext_sriov_is_lazy = lazy;
}

void emu_ext_vport_lazy(bool lazy) {
        ext_vport_is_lazy = lazy;
}

void emu_ext_clear(void) {
        for (size_t i = 0; i < n_faults; i++) {
                free(faults[i].glob);
                free(faults[i].value);
        }
        free(faults);
        faults = NULL;
        n_faults = 0;
        ext_sriov_is_lazy = ext_vport_is_lazy = false;
}

/* Helpers. */

char *ext_read(struct ext *x, const char *rel) {
        char buf[4096];
        int fd = confine_open(x->rfd, rel, O_RDONLY, 0, CONFINE_IN_ROOT);
        ssize_t n;
        if (fd < 0)
                return NULL;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n < 0)
                return NULL;
        buf[n] = 0;
        return strdup(strstrip_right(buf));
}

int ext_write(struct ext *x, const char *rel, const char *content) {
        int fd = confine_open(x->rfd, rel, O_WRONLY | O_TRUNC | O_CREAT, 0644, CONFINE_IN_ROOT);
        size_t len = strlen(content);
        ssize_t n;
        if (fd < 0)
                return fd;
        n = write(fd, content, len);
        close(fd);
        return n == (ssize_t)len ? 0 : -EIO;
}

int ext_link(struct ext *x, const char *target_rel, const char *link_rel) {
        struct strbuf b = {};
        const char *t = target_rel, *l = link_rel;
        int r;

        for (;;) {
                const char *te = strchrnul(t, '/'), *le = strchr(l, '/');
                if (!le || te - t != le - l || !strneq(t, l, (size_t)(te - t)) || !*te)
                        break;
                t = te + 1;
                l = le + 1;
        }
        for (const char *p = l; (p = strchr(p, '/')); p++)
                strbuf_append(&b, "../");
        strbuf_append(&b, t);
        if (b.oom)
                return -ENOMEM;
        (void)unlinkat(x->rfd, link_rel, 0);
        r = symlinkat(b.s, x->rfd, link_rel) < 0 ? -errno : 0;
        strbuf_done(&b);
        return r;
}

char *ext_link_name(struct ext *x, const char *rel) {
        char buf[PATH_MAX];
        ssize_t n = readlinkat(x->rfd, rel, buf, sizeof(buf) - 1);
        const char *s;
        if (n < 0)
                return NULL;
        buf[n] = 0;
        s = strrchr(buf, '/');
        return strdup(s ? s + 1 : buf);
}

char *ext_canon(struct ext *x, const char *kpath) {
        _cleanup_free_ char *abs = strdupf("%s%s", x->root, kpath);
        char buf[PATH_MAX];
        size_t n = strlen(x->root);
        if (!abs || !realpath(abs, buf) || !strneq(buf, x->root, n) || buf[n] != '/')
                return NULL;
        return strdup(buf + n + 1);
}

int ext_mkdirs(struct ext *x, const char *rel) {
        _cleanup_free_ char *p = strdup(rel);
        if (!p)
                return -ENOMEM;
        for (char *s = p; (s = strchr(s + 1, '/'));) {
                *s = 0;
                if (mkdirat(x->rfd, p, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        return mkdirat(x->rfd, p, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

bool ext_exists(struct ext *x, const char *rel) {
        return faccessat(x->rfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int ext_rmrf(struct ext *x, const char *rel) {
        struct stat st;
        int fd;
        DIR *d;
        struct dirent *de;

        if (fstatat(x->rfd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return unlinkat(x->rfd, rel, 0) < 0 ? -errno : 0;
        fd = openat(x->rfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 || !(d = fdopendir(fd))) {
                if (fd >= 0)
                        close(fd);
                return -errno;
        }
        while ((de = readdir(d))) {
                _cleanup_free_ char *sub = NULL;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                sub = strdupf("%s/%s", rel, de->d_name);
                if (sub)
                        (void)ext_rmrf(x, sub);
        }
        closedir(d);
        return unlinkat(x->rfd, rel, AT_REMOVEDIR) < 0 ? -errno : 0;
}

char *ext_dirname(const char *rel) {
        const char *s = strrchr(rel, '/');
        return s ? strndup(rel, (size_t)(s - rel)) : strdup(".");
}

int ext_group_new(struct ext *x, const char *devrel, const char *name) {
        _cleanup_free_ char *g = NULL, *gl = NULL, *dl = NULL, *ty = NULL;
        int n;

        (void)ext_mkdirs(x, "sys/kernel/iommu_groups");
        for (n = 0;; n++) {
                free(g);
                g = strdupf("sys/kernel/iommu_groups/%d", n);
                if (!g)
                        return -ENOMEM;
                if (!ext_exists(x, g))
                        break;
        }
        gl = strdupf("%s/devices", g);
        dl = strdupf("%s/devices/%s", g, name);
        ty = strdupf("%s/type", g);
        if (!gl || !dl || !ty || ext_mkdirs(x, gl) < 0 || ext_write(x, ty, "DMA\n") < 0 || ext_link(x, devrel, dl) < 0)
                return -EIO;
        free(dl);
        dl = strdupf("%s/iommu_group", devrel);
        if (!dl || ext_link(x, g, dl) < 0)
                return -EIO;
        return n;
}

void ext_group_drop(struct ext *x, const char *devrel, const char *name) {
        _cleanup_free_ char *l = strdupf("%s/iommu_group", devrel), *g = l ? ext_link_name(x, l) : NULL,
                            *gd = g ? strdupf("sys/kernel/iommu_groups/%s", g) : NULL, *m = NULL;
        int fd;
        DIR *d;
        struct dirent *de;
        bool empty = true;

        if (!gd)
                return;
        m = strdupf("%s/devices/%s", gd, name);
        if (m)
                (void)unlinkat(x->rfd, m, 0);
        free(m);
        m = strdupf("%s/devices", gd);
        if (!m || (fd = openat(x->rfd, m, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                return;
        if (!(d = fdopendir(fd))) {
                close(fd);
                return;
        }
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        empty = false;
        closedir(d);
        if (empty)
                (void)ext_rmrf(x, gd);
}
