/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PCI functions: libvirt's pci_DDDD_BB_SS_F devices, their ids, names, IOMMU group and NUMA node. */
#include <stdio.h>
#include <string.h>

#include "inventory/iommu-internal.h"
#include "names/names.h"
#include "pci.h"
#include "sysfs/sysfs.h"

static int cmp_unsigned(const void *a, const void *b) {
        unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
        return x < y ? -1 : x > y;
}

static void listing_done(struct pci_listing *ls) {
        free(ls->virtfn);
}

static int listing_one(const char *n, unsigned char type, void *userdata) {
        struct pci_listing *ls = userdata;
        const char *idx;

        if (streq(n, "numa_node"))
                ls->numa_node = true;
        else if (streq(n, "iommu_group"))
                ls->iommu_group = true;
        else if (streq(n, "config"))
                ls->config = true;
        else if (streq(n, "max_link_speed") || streq(n, "current_link_speed"))
                ls->link_attrs = true;
        else if (streq(n, "sriov_totalvfs"))
                ls->sriov_totalvfs = true;
        else if (streq(n, "physfn"))
                ls->physfn = true;
        else if (streq(n, "mdev_supported_types"))
                ls->mdev_supported_types = true;
        else if ((idx = startswith(n, "virtfn")) && *idx) {
                char *end;
                unsigned long v = strtoul(idx, &end, 10);
                unsigned *nv;
                if (*end || v > 0xffff)
                        return 0;
                nv = realloc(ls->virtfn, (ls->n_virtfn + 1) * sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                ls->virtfn = nv;
                ls->virtfn[ls->n_virtfn++] = (unsigned)v;
        }
        return 0;
}

static int listing_read(int dirfd, struct pci_listing *ls) {
        int r = sysfs_list_at(dirfd, ".", listing_one, ls);
        if (r < 0)
                return r;
        if (ls->n_virtfn > 0) /* qsort(NULL, 0, ...) is undefined behaviour */
                qsort(ls->virtfn, ls->n_virtfn, sizeof(*ls->virtfn), cmp_unsigned);
        return 0;
}

int pci_link_addr(int dirfd, const char *link, struct hd_pci_addr *ret) {
        _cleanup_free_ char *name = NULL;
        int r = sysfs_link_name_at(dirfd, link, &name);
        if (r < 0)
                return r;
        return hd_pci_addr_parse(name, ret);
}

/*
 * Class and ids from the uevent the common code has read already
 * (PCI_CLASS=C0330, PCI_ID=8086:A36D); the separate attributes only for a
 * tree recorded without them.
 * Documentation/ABI/testing/sysfs-bus-pci: class, vendor, device.
 */
static int fill_ids(int dirfd, const struct hd_uevent *ue, struct hd_cap_pci *p) {
        const char *v;
        unsigned vendor, device;
        uint64_t u;
        int r;

        if ((v = uevent_get(ue, "PCI_CLASS")))
                p->class_code = (uint32_t)strtoul(v, NULL, 16) & 0xffffff;
        else if (sysfs_read_u64_at(dirfd, "class", 0, &u) >= 0)
                p->class_code = (uint32_t)u & 0xffffff;
        else
                p->class_code = HD_PCI_CLASS_NONE;
        if ((v = uevent_get(ue, "PCI_ID")) && sscanf(v, "%x:%x", &vendor, &device) == 2) {
                p->vendor.id = vendor;
                p->product.id = device;
                return 0;
        }
        /* Without ids there is no device to speak of: it is going away. */
        r = sysfs_read_u64_at(dirfd, "vendor", 0, &u);
        if (r < 0)
                return r == -ENOMEM ? r : -ENOENT;
        p->vendor.id = (unsigned)u;
        r = sysfs_read_u64_at(dirfd, "device", 0, &u);
        if (r < 0)
                return r == -ENOMEM ? r : -ENOENT;
        p->product.id = (unsigned)u;
        return 0;
}

/* Documentation/ABI/testing/sysfs-kernel-iommu_groups: the iommu_group link and its devices/. */
static int fill_iommu(struct hd_context *ctx, int dirfd, struct hd_cap_pci *p) {
        _cleanup_free_ char *group = NULL;
        char *end;
        long n;
        int r;

        /* An unreadable group leaves the field out; only running out of memory fails the scan. */
        r = sysfs_link_name_at(dirfd, "iommu_group", &group);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        n = strtol(group, &end, 10);
        if (*end || end == group || n < 0 || n > INT32_MAX)
                return 0;
        p->iommu_group = (int)n;
        r = iommu_group_addresses(ctx, (int)n, &p->iommu_members, &p->n_iommu_members);
        return r == -ENOMEM ? r : 0;
}

static int probe(struct hd_context *ctx, int dirfd, const struct hd_uevent *ue, struct hd_device *d) {
        _cleanup_(listing_done) struct pci_listing ls = { 0 };
        struct hd_cap_pci *p;
        struct hd_cap *c;
        struct hd_pci_addr addr;
        int r;

        /* The folder's name is the address, as libvirt parses it from the sysfs path. */
        if (hd_pci_addr_parse(d->sysname, &addr) < 0)
                return -ENODEV;
        d->name = strdupf("pci_%s", d->sysname);
        if (!d->name)
                return -ENOMEM;
        hd_name_mangle(d->name);
        c = hd_device_add_cap(d, HD_CAP_PCI);
        if (!c)
                return -ENOMEM;
        p = &c->pci;
        p->addr = addr;
        p->iommu_group = -1;
        p->numa_node = -1;
        p->link_cap.port = p->link_sta.port = -1;

        r = listing_read(dirfd, &ls);
        if (r < 0)
                return r;
        r = fill_ids(dirfd, ue, p);
        if (r < 0)
                return r;
        p->vendor.name = hd_names_pci_vendor(ctx, p->vendor.id);
        p->product.name = hd_names_pci_product(ctx, p->vendor.id, p->product.id);

        /* Documentation/ABI/testing/sysfs-bus-pci: numa_node, -1 when the platform does not say. */
        if (ls.numa_node && (sysfs_read_int_at(dirfd, "numa_node", &p->numa_node) < 0 || p->numa_node < 0))
                p->numa_node = -1;
        if (ls.iommu_group) {
                r = fill_iommu(ctx, dirfd, p);
                if (r < 0)
                        return r;
        }
        r = pci_fill_express(dirfd, &ls, p);
        if (r < 0)
                return r;
        r = pci_fill_sriov(ctx, dirfd, &ls, p);
        if (r < 0)
                return r;
        if (ls.mdev_supported_types) {
                r = pci_fill_mdev_types(dirfd, p);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* "pci_0000_01_00_0", "pci_10000_e1_00_0": libvirt's name back to an address. */
static int parse_name(const char *spec, struct hd_pci_addr *ret) {
        const char *s = startswith(spec, "pci_");
        char buf[32];

        if (!s || strlen(s) >= sizeof(buf))
                return -EINVAL;
        for (const char *q = s; *q; q++)
                if (*q != '_' && !((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') ||
                                   (*q >= 'A' && *q <= 'F')))
                        return -EINVAL;
        /* DOMAIN_BUS_SLOT_FN -> DOMAIN:BUS:SLOT.FN, then the one address parser. */
        strcpy(buf, s);
        for (int i = 0, seen = 0; buf[i]; i++)
                if (buf[i] == '_')
                        buf[i] = ++seen == 3 ? '.' : ':';
        return hd_pci_addr_parse(buf, ret);
}

static int lookup(struct hd_context *ctx, const char *spec, char **ret_path) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        struct hd_pci_addr a;
        char buf[20];
        int r;

        if (parse_name(spec, &a) < 0 && hd_pci_addr_parse(spec, &a) < 0)
                return -ENODEV;
        /* The kernel names the link exactly as we format it: "%04x:%02x:%02x.%d". */
        r = sysfs_resolve_link(ctx, "/sys/bus/pci/devices", hd_pci_addr_format(&a, buf), &path);
        if (r == -EINVAL)
                return -ENOENT; /* not a link: not a device the kernel made */
        if (r < 0)
                return r;
        /* A link left behind by a device being removed points nowhere. */
        r = sysfs_open_dir(ctx, path, &fd);
        if (r < 0)
                return r == -ENOTDIR ? -ENOENT : r;
        *ret_path = TAKE_PTR(path);
        return 0;
}

static const char *const scan_dirs[] = { "/sys/bus/pci/devices", NULL };

const struct hd_subsystem hd_subsystem_pci = {
        .subsystem = "pci",
        .scan_dirs = scan_dirs,
        .probe = probe,
        .lookup = lookup,
};
