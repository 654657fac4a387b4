/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IOMMU groups from /sys/kernel/iommu_groups, and whether each can be given to VFIO as it is. */
#include <stdio.h>
#include <string.h>

#include "hostdev/iommu.h"
#include "iommu-internal.h"
#include "pci-rules.h"
#include "probe.h"
#include "sysfs/sysfs.h"

/* Documentation/ABI/testing/sysfs-kernel-iommu_groups */
#define GROUPS_DIR "/sys/kernel/iommu_groups"

int pci_addr_compare(const void *a, const void *b) {
        const struct hd_pci_addr *x = a, *y = b;
        if (x->domain != y->domain)
                return x->domain < y->domain ? -1 : 1;
        if (x->bus != y->bus)
                return x->bus < y->bus ? -1 : 1;
        if (x->slot != y->slot)
                return x->slot < y->slot ? -1 : 1;
        return (int)x->function - (int)y->function;
}

/* The first name in a folder, NULL when it is empty or missing (or on ENOMEM). */
static char *first_entry(struct hd_context *ctx, const char *path) {
        _cleanup_closedir_ DIR *dir = NULL;
        _cleanup_close_ int fd = -1;
        struct dirent *de;

        if (sysfs_open_dir(ctx, path, &fd) < 0 || sysfs_opendir_at(fd, ".", &dir) < 0)
                return NULL;
        while ((de = readdir(dir)))
                if (de->d_name[0] != '.')
                        return strdup(de->d_name);
        return NULL;
}

bool iommu_enabled(struct hd_context *ctx, char **ret_unit) {
        /* Documentation/ABI/testing/sysfs-class-iommu: one entry per IOMMU unit (dmar0, ivhd0 ...). */
        char *name = first_entry(ctx, "/sys/class/iommu");
        if (!name)
                name = first_entry(ctx, GROUPS_DIR);
        if (ret_unit)
                *ret_unit = name;
        else
                free(name);
        return name != NULL;
}

bool hd_iommu_enabled(struct hd_context *ctx) {
        return iommu_enabled(ctx, NULL);
}

/* The names in GROUP's devices/ folder, as an open listing. */
static int open_group_devices(struct hd_context *ctx, int group, int *ret_fd, DIR **ret_dir) {
        char path[64];
        _cleanup_close_ int fd = -1;
        int r;

        snprintf(path, sizeof(path), GROUPS_DIR "/%d/devices", group);
        r = sysfs_open_dir(ctx, path, &fd);
        if (r < 0)
                return r == -ENOTDIR ? -ENOENT : r;
        r = sysfs_opendir_at(fd, ".", ret_dir);
        if (r < 0)
                return r;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int open_group_member(struct hd_context *ctx, int group, const char *name, int *ret_fd) {
        _cleanup_free_ char *path = strdupf(GROUPS_DIR "/%d/devices/%s", group, name);
        return path ? sysfs_open_dir(ctx, path, ret_fd) : -ENOMEM;
}

struct addr_list {
        struct hd_pci_addr *v;
        size_t n;
};

static int add_address(const char *name, unsigned char type, void *userdata) {
        struct addr_list *l = userdata;
        struct hd_pci_addr a, *nv;
        /* Non-PCI members (an mdev, platform devices behind an SMMU) are not addresses. */
        if (hd_pci_addr_parse(name, &a) < 0)
                return 0;
        nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
        if (!nv)
                return -ENOMEM;
        l->v = nv;
        l->v[l->n++] = a;
        return 0;
}

/* Called for every PCI function of a scan: one listing, no handles kept (sysfs_list_at). */
int iommu_group_addresses(struct hd_context *ctx, int group, struct hd_pci_addr **ret,
                          size_t *ret_n) {
        struct addr_list l = { 0 };
        char path[64];
        int r;

        snprintf(path, sizeof(path), GROUPS_DIR "/%d/devices", group);
        r = sysfs_list(ctx, path, add_address, &l);
        if (r < 0) {
                free(l.v);
                return r == -ENOTDIR ? -ENOENT : r;
        }
        if (l.n > 0)
                qsort(l.v, l.n, sizeof(*l.v), pci_addr_compare);
        *ret = l.v;
        *ret_n = l.n;
        return 0;
}

/*
 * A member's class from its uevent (one read), its driver from the link,
 * whether it is a bridge by the one rule (pci-rules.h).
 * Documentation/ABI/testing/sysfs-bus-pci: class; the driver link is the
 * driver core's.
 */
static int read_member(int fd, struct hd_iommu_member *m) {
        _cleanup_free_ char *uevent = NULL;
        const char *v;
        uint64_t u;
        int r;

        if (sysfs_read_at(fd, "uevent", &uevent) >= 0 && (v = strstr(uevent, "PCI_CLASS=")) &&
            (v == uevent || v[-1] == '\n'))
                m->class_code = (uint32_t)strtoul(v + strlen("PCI_CLASS="), NULL, 16);
        else if (sysfs_read_u64_at(fd, "class", 0, &u) >= 0)
                m->class_code = (uint32_t)u;
        r = sysfs_link_name_at(fd, "driver", &m->driver);
        if (r == -ENOMEM)
                return r;
        m->is_bridge = pci_bridge_type(pci_header_type_at(fd), m->class_code) != HD_PCI_NOT_BRIDGE;
        return 0;
}

/* A member that is not a PCI function (an mdev, a platform device behind an SMMU): its driver only. */
static int read_other_member(int fd, struct hd_iommu_member *m) {
        int r = sysfs_link_name_at(fd, "driver", &m->driver);
        return r == -ENOMEM ? r : 0;
}

static int judge(struct hd_iommu_group *g) {
        size_t endpoints = 0;

        for (size_t i = 0; i < g->n_members; i++)
                endpoints += g->members[i].is_pci && !g->members[i].is_bridge;
        for (size_t i = 0; i < g->n_members; i++) {
                const struct hd_iommu_member *m = &g->members[i];
                char buf[20];
                /* Bridges (root ports among them) stay with pcieport; VFIO does not need them. */
                /* An mdev's group is VFIO's own; only PCI functions can be in the way. */
                if (!m->is_pci || m->is_bridge || !m->driver || pci_driver_is_stub(m->driver))
                        continue;
                g->viable = false;
                hd_pci_addr_format(&m->addr, buf);
                /* Alone in its group, the member in the way is the device itself: no "too". */
                if (endpoints == 1)
                        g->reason = strdupf("%s is bound to %s; detach it (hostdev detach %s) or unbind it",
                                            buf, m->driver, buf);
                else
                        g->reason = strdupf("%s is bound to %s; detach it too (hostdev detach --group) or unbind it",
                                            buf, m->driver);
                return g->reason ? 0 : -ENOMEM;
        }
        g->viable = true;
        return 0;
}

static void group_done(struct hd_iommu_group *g) {
        for (size_t i = 0; i < g->n_members; i++) {
                free(g->members[i].name);
                free(g->members[i].driver);
        }
        free(g->members);
        free(g->reason);
}

static int cmp_member(const void *a, const void *b) {
        const struct hd_iommu_member *x = a, *y = b;
        if (x->is_pci != y->is_pci)
                return x->is_pci ? -1 : 1;
        return x->is_pci ? pci_addr_compare(&x->addr, &y->addr) : strcmp(x->name, y->name);
}

static int group_load(struct hd_context *ctx, int number, struct hd_iommu_group *g) {
        _cleanup_closedir_ DIR *dir = NULL;
        _cleanup_close_ int fd = -1;
        struct dirent *de;
        int r;

        *g = (struct hd_iommu_group){ .number = number };
        r = open_group_devices(ctx, number, &fd, &dir);
        if (r < 0)
                return r;
        while ((de = readdir(dir))) {
                struct hd_iommu_member m = { 0 }, *nm;
                _cleanup_close_ int mfd = -1;
                if (de->d_name[0] == '.')
                        continue;
                m.is_pci = hd_pci_addr_parse(de->d_name, &m.addr) >= 0;
                /* A member is a link to its device's folder, which the group's path leads to. */
                r = open_group_member(ctx, number, de->d_name, &mfd);
                if (r >= 0)
                        r = m.is_pci ? read_member(mfd, &m) : read_other_member(mfd, &m);
                if (r == -ENOMEM)
                        goto fail;
                if (r < 0)
                        continue; /* gone since the listing */
                m.name = strdup(de->d_name);
                nm = m.name ? realloc(g->members, (g->n_members + 1) * sizeof(*nm)) : NULL;
                if (!nm) {
                        free(m.name);
                        free(m.driver);
                        r = -ENOMEM;
                        goto fail;
                }
                g->members = nm;
                g->members[g->n_members++] = m;
        }
        if (g->n_members > 1) /* qsort(NULL, 0, ...) is undefined: a group whose members all went */
                qsort(g->members, g->n_members, sizeof(*g->members), cmp_member);
        r = judge(g);
        if (r >= 0)
                return 0;
fail:
        group_done(g);
        return r;
}

static int cmp_group(const void *a, const void *b) {
        int x = ((const struct hd_iommu_group *)a)->number, y = ((const struct hd_iommu_group *)b)->number;
        return x < y ? -1 : x > y;
}

int hd_iommu_groups(struct hd_context *ctx, struct hd_iommu_group **ret_groups, size_t *ret_n) {
        _cleanup_closedir_ DIR *dir = NULL;
        _cleanup_close_ int fd = -1;
        struct hd_iommu_group *v = NULL;
        struct dirent *de;
        size_t n = 0;
        int r;

        r = sysfs_open_dir(ctx, GROUPS_DIR, &fd);
        if (r == -ENOENT || r == -ENOTDIR) {
                *ret_groups = NULL;
                *ret_n = 0;
                return 0;
        }
        if (r >= 0)
                r = sysfs_opendir_at(fd, ".", &dir);
        if (r < 0)
                return hd_error(ctx, r, "reading %s: %s", GROUPS_DIR, strerror(-r));
        while ((de = readdir(dir))) {
                struct hd_iommu_group *nv;
                char *end;
                long num = strtol(de->d_name, &end, 10);

                if (de->d_name[0] == '.' || *end || end == de->d_name || num < 0 || num > INT32_MAX)
                        continue;
                nv = realloc(v, (n + 1) * sizeof(*nv));
                if (!nv) {
                        r = -ENOMEM;
                        goto fail;
                }
                v = nv;
                r = group_load(ctx, (int)num, &v[n]);
                if (r == -ENOMEM)
                        goto fail;
                if (r >= 0)
                        n++;
        }
        qsort(v, n, sizeof(*v), cmp_group);
        *ret_groups = v;
        *ret_n = n;
        return 0;
fail:
        hd_iommu_groups_free(v, n);
        return r;
}

void hd_iommu_groups_free(struct hd_iommu_group *groups, size_t n) {
        for (size_t i = 0; groups && i < n; i++)
                group_done(&groups[i]);
        free(groups);
}

int hd_iommu_group_get(struct hd_context *ctx, int number, struct hd_iommu_group **ret_group) {
        struct hd_iommu_group *g = malloc(sizeof(*g));
        int r;

        if (!g)
                return -ENOMEM;
        r = number < 0 ? -ENOENT : group_load(ctx, number, g);
        if (r < 0) {
                free(g);
                if (r == -ENOENT)
                        return hd_error(ctx, r, "no IOMMU group %d; see 'hostdev iommu'", number);
                return r;
        }
        *ret_group = g;
        return 0;
}

void hd_iommu_group_free(struct hd_iommu_group *group) {
        if (!group)
                return;
        group_done(group);
        free(group);
}

int hd_iommu_group_of(struct hd_context *ctx, const struct hd_pci_addr *addr, int *ret_group) {
        _cleanup_free_ char *path = NULL, *group = NULL;
        _cleanup_close_ int fd = -1;
        char buf[20], *end;
        long n;
        int r;

        hd_pci_addr_format(addr, buf);
        path = strdupf("/sys/bus/pci/devices/%s", buf);
        if (!path)
                return -ENOMEM;
        r = sysfs_open_dir(ctx, path, &fd);
        if (r == -ENOENT || r == -ENOTDIR)
                return hd_error(ctx, -ENODEV, "no PCI device %s; see 'hostdev list --cap pci'", buf);
        if (r < 0)
                return hd_error(ctx, r, "%s: %s", path, strerror(-r));
        r = sysfs_link_name_at(fd, "iommu_group", &group);
        if (r == -ENOENT)
                return hd_error(ctx, -ENOENT,
                                "%s is in no IOMMU group: the IOMMU is off; turn on VT-d or AMD-Vi in the "
                                "firmware settings and, on Intel, add intel_iommu=on to the kernel command line",
                                buf);
        if (r < 0)
                return r == -ENOMEM ? r : hd_error(ctx, r, "%s/iommu_group: %s", path, strerror(-r));
        n = strtol(group, &end, 10);
        if (*end || end == group || n < 0 || n > INT32_MAX)
                return hd_error(ctx, -EINVAL, "%s/iommu_group points to '%s', not a group number", path, group);
        *ret_group = (int)n;
        return 0;
}
