/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Enumerate the host in one pass and arrange the devices as libvirt's tree. */
#include <string.h>

#include "hostdev/inventory.h"
#include "mdev/mdev-inventory.h"
#include "probe.h"
#include "sysfs/sysfs.h"
#include "util/hashmap.h"

struct hd_inventory {
        struct hd_device **devs; /* tree order once built; devs[0] is "computer" */
        size_t n, cap;
        struct hashmap *by_name, *by_path;
};

static int inv_append(struct hd_inventory *inv, struct hd_device *d) {
        if (inv->n == inv->cap) {
                size_t ncap = inv->cap ? inv->cap * 2 : 256;
                struct hd_device **nd = realloc(inv->devs, ncap * sizeof(*nd));
                if (!nd)
                        return -ENOMEM;
                inv->devs = nd;
                inv->cap = ncap;
        }
        inv->devs[inv->n++] = d;
        return 0;
}

/* A device made elsewhere (a defined, inactive mdev) joins the scan; it is taken even on failure. */
static int add_device(void *userdata, struct hd_device *d) {
        int r = inv_append(userdata, d);
        if (r < 0)
                hd_device_free(d);
        return r;
}

/*
 * Probe one entry of a bus or class folder (DIRFD, listed); a device seen
 * through another folder already is skipped.
 */
static int scan_entry(struct hd_context *ctx, struct hd_inventory *inv, const struct hd_subsystem *s,
                      int dirfd, const char *dir, const char *name) {
        _cleanup_free_ char *path = NULL;
        struct hd_device *d = NULL;
        int r;

        r = sysfs_resolve_link_at(dirfd, dir, name, &path);
        if (r == -EINVAL) /* a folder, not a link */
                path = strdupf("%s/%s", dir, name);
        else if (r == -ENOENT || r == -EXDEV)
                return 0; /* gone since the listing, or a link out of the root: never followed */
        else if (r < 0)
                return r;
        if (!path)
                return -ENOMEM;
        if (hashmap_get(inv->by_path, path))
                return 0;
        r = hd_probe_device_in(ctx, path, s, startswith(dir, "/sys/class/") != NULL, &d);
        if (r == -ENODEV || r == -ENOENT)
                return 0; /* not a device libvirt lists, or it vanished mid-scan */
        if (r < 0)
                return r;
        r = inv_append(inv, d);
        if (r < 0) {
                hd_device_free(d);
                return r;
        }
        r = hashmap_put(inv->by_path, d->sysfs_path, d);
        return r == -EEXIST ? 0 : r;
}

static int scan_dir(struct hd_context *ctx, struct hd_inventory *inv, const struct hd_subsystem *s,
                    const char *dir) {
        _cleanup_closedir_ DIR *dh = NULL;
        struct dirent *de;
        int r;

        r = sysfs_opendir(ctx, dir, &dh);
        if (r == -ENOENT || r == -ENOTDIR)
                return 0; /* this kernel has no such bus or class */
        if (r < 0)
                return r;
        while ((de = readdir(dh))) {
                if (de->d_name[0] == '.')
                        continue;
                r = scan_entry(ctx, inv, s, dirfd(dh), dir, de->d_name);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int cmp_dev_name(const void *a, const void *b) {
        return strcmp((*(struct hd_device *const *)a)->name, (*(struct hd_device *const *)b)->name);
}

/* The nearest ancestor folder that is a device we list; "computer" when none. */
static struct hd_device *find_parent(struct hd_inventory *inv, const struct hd_device *d) {
        _cleanup_free_ char *p = NULL;
        char *slash;

        if (!d->sysfs_path) {
                /* A device with no folder (a defined, inactive mdev) names its parent itself. */
                struct hd_device *pd = d->parent_name ? hashmap_get(inv->by_name, d->parent_name) : NULL;
                return pd ? pd : inv->devs[0];
        }
        p = strdup(d->sysfs_path);
        if (!p)
                return inv->devs[0];
        while ((slash = strrchr(p, '/')) && slash != p) {
                struct hd_device *a;
                *slash = 0;
                if ((a = hashmap_get(inv->by_path, p)))
                        return a;
        }
        return inv->devs[0];
}

static int build_tree(struct hd_inventory *inv) {
        struct hd_device **order, **stack;
        size_t n = 0, sp = 0;

        /* Children are linked in name order because devices are visited in name order. */
        qsort(inv->devs + 1, inv->n - 1, sizeof(*inv->devs), cmp_dev_name);
        for (size_t i = 0; i < inv->n; i++)
                /* A second device with a name already taken keeps its place in the tree only. */
                if (hashmap_put(inv->by_name, inv->devs[i]->name, inv->devs[i]) == -ENOMEM)
                        return -ENOMEM;
        for (size_t i = inv->n; i-- > 1;) {
                /* Walk backwards and push to the front: children end up in name order. */
                struct hd_device *d = inv->devs[i], *p = find_parent(inv, d);
                d->parent = p;
                d->next_sibling = p->first_child;
                p->first_child = d;
                free(d->parent_name);
                d->parent_name = strdup(p->name);
                if (!d->parent_name)
                        return -ENOMEM;
        }
        order = malloc(inv->n * sizeof(*order));
        stack = malloc(inv->n * sizeof(*stack));
        if (!order || !stack) {
                free(order);
                free(stack);
                return -ENOMEM;
        }
        /* Pre-order walk without recursion: push siblings reversed so the first pops first. */
        stack[sp++] = inv->devs[0];
        while (sp > 0) {
                struct hd_device *d = stack[--sp], *c;
                size_t base = sp;
                order[n++] = d;
                for (c = d->first_child; c; c = c->next_sibling)
                        stack[sp++] = c;
                for (size_t a = base, b = sp; b > a + 1; a++, b--) {
                        struct hd_device *t = stack[a];
                        stack[a] = stack[b - 1];
                        stack[b - 1] = t;
                }
        }
        free(stack);
        free(inv->devs);
        inv->devs = order;
        inv->cap = inv->n;
        return 0;
}

static bool dir_has_entries(struct hd_context *ctx, const char *dir) {
        _cleanup_closedir_ DIR *dh = NULL;
        struct dirent *de;

        if (sysfs_opendir(ctx, dir, &dh) < 0)
                return false;
        while ((de = readdir(dh)))
                if (de->d_name[0] != '.')
                        return true;
        return false;
}

/*
 * A tree the kernel made has devices, each with its `subsystem` link
 * (drivers/base/core.c, device_add_class_symlinks()). A copy without them
 * (/sys/devices alone, links lost on the way) lists nothing but
 * "computer", or devices no lookup finds: say so, rather than describe a
 * host with no devices. The live sysfs is the kernel's own and is taken as
 * it is; a PCI-only scan may rightly find nothing (an s390 host).
 */
static int check_complete(struct hd_context *ctx, const struct hd_inventory *inv, unsigned flags) {
        const char *root = hd_context_get_sysroot(ctx);
        _cleanup_free_ char *link = NULL;
        _cleanup_close_ int fd = -1;
        const struct hd_device *d;

        if (streq(root, "/"))
                return 0;
        if (inv->n < 2) {
                /* Without PCI functions, a tree still has its class folders (net/lo at least). */
                if ((flags & HD_SCAN_PCI_ONLY) && dir_has_entries(ctx, "/sys/class"))
                        return 0;
                return hd_error(ctx, -ENODATA,
                                "%s/sys lists no device in its bus/ and class/ folders: the tree looks "
                                "incomplete; record one with 'hostdev record'",
                                root);
        }
        /* Devices found in a subsystem's folder were probed without it (probe.h): look at one. */
        d = inv->devs[1];
        if (!d->sysfs_path || sysfs_open_dir(ctx, d->sysfs_path, &fd) < 0 ||
            sysfs_readlink_at(fd, "subsystem", &link) != -ENOENT)
                return 0;
        return hd_error(ctx, -ENODATA,
                        "%s%s has no subsystem link, which the kernel gives every device: the tree looks "
                        "incomplete (copied without its links?); record one with 'hostdev record'",
                        root, d->sysfs_path);
}

int hd_inventory_scan(struct hd_context *ctx, unsigned flags, struct hd_inventory **ret_inv) {
        struct hd_inventory *inv = calloc(1, sizeof(*inv));
        struct hd_device *computer = NULL;
        int r;

        if (!inv)
                return -ENOMEM;
        inv->by_name = hashmap_new(1024);
        inv->by_path = hashmap_new(1024);
        if (!inv->by_name || !inv->by_path) {
                r = -ENOMEM;
                goto fail;
        }
        r = hd_probe_computer(ctx, &computer);
        if (r < 0)
                goto fail;
        r = inv_append(inv, computer);
        if (r < 0) {
                hd_device_free(computer);
                goto fail;
        }
        sysfs_keep_folders(ctx, true); /* for this walk over a tree that does not change meanwhile */
        for (size_t i = 0; hd_subsystems[i]; i++) {
                if ((flags & HD_SCAN_PCI_ONLY) && hd_subsystems[i] != &hd_subsystem_pci)
                        continue;
                for (const char *const *dir = hd_subsystems[i]->scan_dirs; dir && *dir; dir++) {
                        r = scan_dir(ctx, inv, hd_subsystems[i], *dir);
                        if (r < 0) {
                                hd_error(ctx, r, "reading %s: %s", *dir, strerror(-r));
                                goto fail;
                        }
                }
        }
        sysfs_keep_folders(ctx, false);
        r = check_complete(ctx, inv, flags);
        if (r < 0)
                goto fail;
        if (flags & HD_SCAN_INACTIVE) {
                r = mdev_add_inactive(ctx, add_device, inv);
                if (r < 0)
                        goto fail;
        }
        r = build_tree(inv);
        if (r < 0)
                goto fail;
        *ret_inv = inv;
        return 0;
fail:
        sysfs_keep_folders(ctx, false);
        hd_inventory_free(inv);
        return r;
}

struct hd_inventory *hd_inventory_free(struct hd_inventory *inv) {
        if (!inv)
                return NULL;
        for (size_t i = 0; i < inv->n; i++)
                hd_device_free(inv->devs[i]);
        free(inv->devs);
        hashmap_free(inv->by_name);
        hashmap_free(inv->by_path);
        free(inv);
        return NULL;
}

struct hd_device *hd_inventory_root(const struct hd_inventory *inv) {
        return inv->devs[0];
}

size_t hd_inventory_size(const struct hd_inventory *inv) {
        return inv->n;
}

struct hd_device *hd_inventory_at(const struct hd_inventory *inv, size_t i) {
        return i < inv->n ? inv->devs[i] : NULL;
}

struct hd_device *hd_inventory_find(const struct hd_inventory *inv, const char *name) {
        return hashmap_get(inv->by_name, name);
}

struct hd_device *hd_inventory_find_path(const struct hd_inventory *inv, const char *sysfs_path) {
        return hashmap_get(inv->by_path, sysfs_path);
}
