/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Functions made from a PCI function: SR-IOV's physical and virtual functions, mdev types. */
#include <stdio.h>
#include <string.h>

#include "pci.h"
#include "sysfs/sysfs.h"

/*
 * Documentation/ABI/testing/sysfs-bus-pci: sriov_totalvfs, and the
 * physfn / virtfnN links the SR-IOV core makes (drivers/pci/iov.c).
 */
int pci_fill_sriov(int dirfd, const struct pci_listing *ls, struct hd_cap_pci *p) {
        int r;

        /* A VF whose PF is being removed keeps a link to nowhere; libvirt then names no PF. */
        if (ls->physfn) {
                struct stat st; /* the link leads somewhere: stat, cheaper than an open and a close */
                if (pci_link_addr(dirfd, "physfn", &p->phys_function) >= 0 &&
                    sysfs_stat_at(dirfd, "physfn", &st) >= 0)
                        p->has_phys_function = true;
        }
        if (ls->sriov_totalvfs) {
                uint64_t total;
                r = sysfs_read_u64_at(dirfd, "sriov_totalvfs", 10, &total);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0) {
                        p->is_sriov_pf = true;
                        p->max_vfs = total > UINT32_MAX ? UINT32_MAX : (unsigned)total;
                }
        }
        if (ls->n_virtfn == 0)
                return 0;
        p->virt_functions = calloc(ls->n_virtfn, sizeof(*p->virt_functions));
        if (!p->virt_functions)
                return -ENOMEM;
        /* In index order: virtfn10 after virtfn9, which is what the VF numbers mean. */
        for (size_t i = 0; i < ls->n_virtfn; i++) {
                char link[32];
                snprintf(link, sizeof(link), "virtfn%u", ls->virtfn[i]);
                if (pci_link_addr(dirfd, link, &p->virt_functions[p->n_virt_functions]) >= 0)
                        p->n_virt_functions++;
        }
        /* A PF the kernel did not tell us the total of still has its VFs. */
        if (p->n_virt_functions > 0)
                p->is_sriov_pf = true;
        return 0;
}

static int cmp_mdev_type(const void *a, const void *b) {
        return strcmp(((const struct hd_mdev_type *)a)->id, ((const struct hd_mdev_type *)b)->id);
}

/*
 * One type folder: device_api and available_instances are required, as
 * libvirt requires them; name and description are optional.
 * Documentation/ABI/testing/sysfs-bus-vfio-mdev.
 */
static int read_mdev_type(int typesfd, const char *id, struct hd_mdev_type *t) {
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
        r = sysfs_read_at(fd, "name", &t->name);
        if (r == -ENOMEM)
                return r;
        r = sysfs_read_at(fd, "description", &t->description);
        if (r == -ENOMEM)
                return r;
        t->id = strdup(id);
        return t->id ? 0 : -ENOMEM;
}

static void mdev_type_done(struct hd_mdev_type *t) {
        free(t->id);
        free(t->name);
        free(t->description);
        free(t->device_api);
        *t = (struct hd_mdev_type){ 0 };
}

int pci_fill_mdev_types(int dirfd, struct hd_cap_pci *p) {
        _cleanup_closedir_ DIR *dir = NULL;
        _cleanup_close_ int typesfd = -1;
        struct dirent *de;
        int r;

        r = sysfs_open_dir_at(dirfd, "mdev_supported_types", &typesfd);
        if (r >= 0)
                r = sysfs_opendir_at(typesfd, ".", &dir);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        while ((de = readdir(dir))) {
                struct hd_mdev_type t = { 0 }, *nt;

                if (de->d_name[0] == '.')
                        continue;
                r = read_mdev_type(typesfd, de->d_name, &t);
                if (r < 0) {
                        mdev_type_done(&t);
                        if (r == -ENOMEM)
                                return r;
                        continue; /* a type we cannot read is left out, not the device */
                }
                nt = realloc(p->mdev_types, (p->n_mdev_types + 1) * sizeof(*nt));
                if (!nt) {
                        mdev_type_done(&t);
                        return -ENOMEM;
                }
                p->mdev_types = nt;
                p->mdev_types[p->n_mdev_types++] = t;
        }
        /* Directory order is the driver's registration order; a stable order reads better. */
        qsort(p->mdev_types, p->n_mdev_types, sizeof(*p->mdev_types), cmp_mdev_type);
        return 0;
}
