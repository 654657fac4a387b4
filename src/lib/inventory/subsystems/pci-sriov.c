/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Functions made from a PCI function: SR-IOV's physical and virtual functions, mdev types. */
#include <stdio.h>
#include <string.h>

#include "mdev-types.h"
#include "pci.h"
#include "sysfs/sysfs.h"

/*
 * Documentation/ABI/testing/sysfs-bus-pci: sriov_totalvfs, and the
 * physfn / virtfnN links the SR-IOV core makes (drivers/pci/iov.c).
 */
int pci_fill_sriov(struct hd_context *ctx, int dirfd, const struct pci_listing *ls, struct hd_cap_pci *p) {
        int r;

        /* A VF whose PF is being removed keeps a link to nowhere; libvirt then names no PF. */
        if (ls->physfn) {
                /*
                 * The PF is still a PCI device: its entry in /sys/bus/pci/devices,
                 * one lstat whatever the root (below a tree, that folder's
                 * handle is kept from the VF before).
                 */
                char bus[64], a[20];
                if (pci_link_addr(dirfd, "physfn", &p->phys_function) >= 0) {
                        snprintf(bus, sizeof(bus), "/sys/bus/pci/devices/%s", hd_pci_addr_format(&p->phys_function, a));
                        p->has_phys_function = sysfs_exists(ctx, bus);
                }
        }
        if (ls->sriov_totalvfs) {
                uint64_t total;
                r = sysfs_read_u64_at(dirfd, "sriov_totalvfs", 10, &total);
                if (r == -ENOMEM)
                        return r;
                /* libvirt's udev backend: a function that can have no VF is no PF. */
                if (r >= 0 && total > 0) {
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

int pci_fill_mdev_types(int dirfd, struct hd_cap_pci *p) {
        return mdev_types_read(dirfd, &p->mdev_types, &p->n_mdev_types);
}
