/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What mediated devices and parents there are: running instances and definitions merged, types per parent. */
#include <dirent.h>
#include <string.h>

#include "hostdev/inventory.h"
#include "inventory/probe.h"
#include "mdev-internal.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

static int cmp_mdev(const void *a, const void *b) {
        const struct hd_mdev *x = a, *y = b;
        int c = strcmp(x->parent, y->parent);
        return c ? c : strcmp(x->uuid, y->uuid);
}

static int append(struct hd_mdev **list, size_t *n, struct hd_mdev *m) {
        struct hd_mdev *nl = realloc(*list, (*n + 1) * sizeof(**list));
        if (!nl)
                return -ENOMEM;
        *list = nl;
        (*list)[(*n)++] = *m;
        *m = (struct hd_mdev){ 0 };
        return 0;
}

static struct hd_mdev *find(struct hd_mdev *list, size_t n, const char *parent, const char *uuid) {
        for (size_t i = 0; i < n; i++)
                if (streq(list[i].uuid, uuid) && streq(list[i].parent, parent))
                        return &list[i];
        return NULL;
}

/* Running instances (only UUID when not NULL), merged into LIST by (parent, UUID). */
static int add_active(struct hd_context *ctx, const char *uuid, struct hd_mdev **list, size_t *n) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int r;

        r = sysfs_opendir(ctx, MDEV_DEVICES, &d);
        if (r < 0)
                return r == -ENOMEM ? r : 0; /* no mdev core loaded: nothing runs */
        while ((de = readdir(d))) {
                struct hd_mdev m = { 0 }, *have;
                char lower[37];

                if (!hd_uuid_is_valid(de->d_name) || mdev_uuid_normalize(NULL, de->d_name, lower) < 0)
                        continue;
                if (uuid && !streq(lower, uuid))
                        continue;
                r = mdev_active_read(ctx, de->d_name, &m.parent, &m.type);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        continue; /* gone meanwhile */
                have = find(*list, *n, m.parent, lower);
                if (have) {
                        have->active = true;
                        free(m.parent);
                        free(m.type);
                        continue;
                }
                memcpy(m.uuid, lower, 37);
                m.active = true;
                r = append(list, n, &m);
                if (r < 0) {
                        free(m.parent);
                        free(m.type);
                        return r;
                }
        }
        return 0;
}

static int collect(struct hd_context *ctx, unsigned flags, const char *uuid, struct hd_mdev **ret_list,
                   size_t *ret_n) {
        struct hd_mdev *list = NULL;
        size_t n = 0;
        int r = 0;

        if (flags & HD_MDEV_LIST_DEFINED)
                r = mdev_def_list(ctx, uuid, &list, &n);
        if (r >= 0 && (flags & HD_MDEV_LIST_ACTIVE))
                r = add_active(ctx, uuid, &list, &n);
        /* A definition's running twin is known only when active ones were looked at. */
        if (r >= 0 && !(flags & HD_MDEV_LIST_ACTIVE))
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *p = NULL;
                        if (mdev_active_read(ctx, list[i].uuid, &p, NULL) == 0 && streq(p, list[i].parent))
                                list[i].active = true;
                }
        if (r < 0) {
                hd_mdev_list_free(list, n);
                return r;
        }
        if (n > 1)
                qsort(list, n, sizeof(*list), cmp_mdev);
        *ret_list = list;
        *ret_n = n;
        return 0;
}

int hd_mdev_list(struct hd_context *ctx, unsigned flags, struct hd_mdev **ret_list, size_t *ret_n) {
        if (!(flags & (HD_MDEV_LIST_ACTIVE | HD_MDEV_LIST_DEFINED)))
                flags |= HD_MDEV_LIST_ACTIVE;
        return collect(ctx, flags, NULL, ret_list, ret_n);
}

int hd_mdev_get(struct hd_context *ctx, const char *uuid, const char *parent, struct hd_mdev **ret) {
        _cleanup_free_ char *pname = NULL;
        struct hd_mdev *list = NULL, *m = NULL;
        size_t n = 0, hits = 0, at = 0;
        char u[37];
        int r;

        hd_error_clear(ctx);
        r = mdev_uuid_normalize(ctx, uuid, u);
        if (r < 0)
                return r;
        if (parent) {
                r = mdev_parent_resolve(ctx, parent, false, &pname);
                if (r < 0)
                        return r;
        }
        r = collect(ctx, HD_MDEV_LIST_ACTIVE | HD_MDEV_LIST_DEFINED, u, &list, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (!pname || streq(list[i].parent, pname)) {
                        hits++;
                        at = i;
                }
        if (hits == 0) {
                hd_mdev_list_free(list, n);
                /* A definition that exists but cannot be read says so rather than "not found". */
                if (pname && mdev_def_read(ctx, pname, u, &m) == -EINVAL)
                        return -EINVAL;
                return hd_error(ctx, -ENOENT, "no mediated device %s%s%s is running or defined; see 'hostdev mdev list --defined'",
                                u, pname ? " on " : "", pname ? pname : "");
        }
        if (hits > 1) {
                hd_mdev_list_free(list, n);
                return hd_error(ctx, -ENOTUNIQ, "%s is defined on several parents; name one with --parent", u);
        }
        m = malloc(sizeof(*m));
        if (!m) {
                hd_mdev_list_free(list, n);
                return -ENOMEM;
        }
        *m = list[at];
        list[at] = (struct hd_mdev){ .parent = NULL }; /* taken: the rest is freed */
        hd_mdev_list_free(list, n);
        *ret = m;
        return 0;
}

/* One type folder, as the inventory reads it (Documentation/ABI/testing/sysfs-bus-vfio-mdev). */
static int read_type(int typesfd, const char *id, struct hd_mdev_type *t) {
        _cleanup_close_ int fd = -1;
        uint64_t avail;
        int r;

        r = sysfs_open_dir_at(typesfd, id, &fd);
        if (r < 0)
                return r;
        r = sysfs_read_at(fd, "device_api", &t->device_api);
        if (r < 0)
                return r;
        r = sysfs_read_u64_at(fd, "available_instances", 10, &avail);
        if (r < 0)
                return r;
        t->available_instances = avail > UINT32_MAX ? UINT32_MAX : (unsigned)avail;
        if ((r = sysfs_read_at(fd, "name", &t->name)) == -ENOMEM ||
            (r = sysfs_read_at(fd, "description", &t->description)) == -ENOMEM)
                return r;
        t->id = strdup(id);
        return t->id ? 0 : -ENOMEM;
}

static int cmp_type(const void *a, const void *b) {
        return strcmp(((const struct hd_mdev_type *)a)->id, ((const struct hd_mdev_type *)b)->id);
}

static int read_parent(struct hd_context *ctx, const char *name, struct hd_mdev_parent *p) {
        _cleanup_free_ char *dir = strdupf(MDEV_BUS_CLASS "/%s", name), *canon = NULL;
        _cleanup_close_ int fd = -1;
        _cleanup_closedir_ DIR *d = NULL;
        struct hd_device *dev = NULL;
        struct dirent *de;
        int r;

        if (!dir)
                return -ENOMEM;
        p->name = strdup(name);
        if (!p->name)
                return -ENOMEM;
        /* libvirt's name of the parent, when the inventory lists that device. */
        if (sysfs_resolve_link(ctx, MDEV_BUS_CLASS, name, &canon) >= 0 && hd_probe_device(ctx, canon, &dev) >= 0) {
                p->device = strdup(dev->name);
                hd_device_free(dev);
        }
        r = sysfs_open_dir(ctx, dir, &fd);
        if (r >= 0)
                r = sysfs_opendir_at(fd, "mdev_supported_types", &d);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        while ((de = readdir(d))) {
                struct hd_mdev_type t = { 0 }, *nt;
                _cleanup_close_ int tfd = -1;
                if (de->d_name[0] == '.')
                        continue;
                r = sysfs_open_dir_at(fd, "mdev_supported_types", &tfd);
                if (r >= 0)
                        r = read_type(tfd, de->d_name, &t);
                if (r < 0) {
                        free(t.id);
                        free(t.name);
                        free(t.description);
                        free(t.device_api);
                        if (r == -ENOMEM)
                                return r;
                        continue;
                }
                nt = realloc(p->types, (p->n_types + 1) * sizeof(*nt));
                if (!nt)
                        return -ENOMEM;
                p->types = nt;
                p->types[p->n_types++] = t;
        }
        if (p->n_types > 1)
                qsort(p->types, p->n_types, sizeof(*p->types), cmp_type);
        return 0;
}

int hd_mdev_parents(struct hd_context *ctx, const char *parent, struct hd_mdev_parent **ret_list, size_t *ret_n) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ char *pname = NULL;
        struct hd_mdev_parent *list = NULL;
        size_t n = 0;
        int r;

        hd_error_clear(ctx);
        if (parent) {
                r = mdev_parent_resolve(ctx, parent, true, &pname);
                if (r < 0)
                        return r;
                r = strv_extend(&names, pname);
                if (r < 0)
                        return r;
        } else {
                _cleanup_closedir_ DIR *d = NULL;
                struct dirent *de;
                if (sysfs_opendir(ctx, MDEV_BUS_CLASS, &d) >= 0)
                        while ((de = readdir(d)))
                                if (de->d_name[0] != '.' && strv_extend(&names, de->d_name) < 0)
                                        return -ENOMEM;
                strv_sort(names);
        }
        for (size_t i = 0; names && names[i]; i++) {
                struct hd_mdev_parent *nl = realloc(list, (n + 1) * sizeof(*list));
                if (!nl) {
                        hd_mdev_parent_list_free(list, n);
                        return -ENOMEM;
                }
                list = nl;
                list[n++] = (struct hd_mdev_parent){ 0 };
                r = read_parent(ctx, names[i], &list[n - 1]);
                if (r < 0) {
                        hd_mdev_parent_list_free(list, n);
                        return r;
                }
        }
        *ret_list = list;
        *ret_n = n;
        return 0;
}
