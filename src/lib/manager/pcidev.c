/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the manager reads of one PCI device: class, bridge or not, driver, driver_override, IOMMU group. */
#include <string.h>

#include "hostdev/device.h"
#include "inventory/iommu-internal.h"
#include "pcidev.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

void pci_dev_free(struct pci_dev *d) {
        if (!d)
                return;
        if (d->dirfd >= 0)
                close(d->dirfd);
        free(d->bus_path);
        free(d->path);
        free(d->driver);
        free(d->override);
        free(d);
}

int pci_dev_refresh(struct pci_dev *d) {
        _cleanup_free_ char *ov = NULL;
        int r;

        free(d->driver);
        free(d->override);
        d->driver = d->override = NULL;
        /* Documentation/ABI/testing/sysfs-bus-pci: driver is a link to the bound driver, absent when none. */
        r = sysfs_link_name_at(d->dirfd, "driver", &d->driver);
        if (r < 0 && r != -ENOENT)
                return r;
        /* sysfs-bus-pci driver_override: "(null)" when unset. */
        r = sysfs_read_at(d->dirfd, "driver_override", &ov);
        if (r < 0 && r != -ENOENT)
                return r;
        if (r >= 0 && !isempty(ov) && !streq(ov, "(null)"))
                d->override = TAKE_PTR(ov);
        return 0;
}

int pci_dev_open(struct hd_context *ctx, const char *spec, struct pci_dev **ret) {
        _cleanup_pci_dev_ struct pci_dev *d = calloc(1, sizeof(*d));
        struct hd_pci_addr a;
        uint64_t v;
        int r;

        if (!d)
                return -ENOMEM;
        d->dirfd = -1;
        d->iommu_group = -1;
        if (hd_pci_addr_parse(spec, &a) < 0)
                return hd_error(ctx, -EINVAL, "'%s' is not a PCI address (DDDD:BB:SS.F)", spec);
        hd_pci_addr_format(&a, d->addr);
        d->bus_path = strdupf("/sys/bus/pci/devices/%s", d->addr);
        if (!d->bus_path)
                return -ENOMEM;
        r = sysfs_open_dir(ctx, d->bus_path, &d->dirfd);
        if (r < 0)
                return hd_error(ctx, r == -ENOENT ? -ENODEV : r,
                                "no PCI device %s on this host; see 'hostdev list --cap pci'", d->addr);
        r = sysfs_resolve_link(ctx, "/sys/bus/pci/devices", d->addr, &d->path);
        if (r < 0)
                return hd_error(ctx, r, "%s: cannot resolve %s: %s", d->addr, d->bus_path, strerror(-r));
        /* Documentation/ABI/testing/sysfs-bus-pci: vendor, device, class are hex. */
        if (sysfs_read_u64_at(d->dirfd, "class", 16, &v) >= 0)
                d->class_code = (uint32_t)v;
        d->bridge = pci_bridge_type(pci_header_type_at(d->dirfd), d->class_code);
        if (sysfs_read_u64_at(d->dirfd, "vendor", 16, &v) >= 0)
                d->vendor = (unsigned)v;
        if (sysfs_read_u64_at(d->dirfd, "device", 16, &v) >= 0)
                d->device = (unsigned)v;
        {
                _cleanup_free_ char *g = NULL;
                /* Documentation/ABI/testing/sysfs-kernel-iommu_groups: iommu_group links to its group. */
                if (sysfs_link_name_at(d->dirfd, "iommu_group", &g) >= 0)
                        d->iommu_group = atoi(g);
        }
        r = pci_dev_refresh(d);
        if (r < 0)
                return hd_error(ctx, r, "%s: cannot read its driver: %s", d->addr, strerror(-r));
        *ret = TAKE_PTR(d);
        return 0;
}

bool pci_driver_exists(struct hd_context *ctx, const char *driver) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *p = strdupf("/sys/bus/pci/drivers/%s", driver);
        return p && filename_is_safe(driver) && sysfs_open_dir(ctx, p, &fd) >= 0;
}

int pci_group_members(struct hd_context *ctx, int group, char ***ret_addrs) {
        _cleanup_free_ struct hd_pci_addr *a = NULL;
        _cleanup_strv_free_ char **v = NULL;
        size_t n = 0;
        int r = iommu_group_addresses(ctx, group, &a, &n);

        if (r < 0)
                return r;
        v = calloc(n + 1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                char buf[20];
                if (!(v[i] = strdup(hd_pci_addr_format(&a[i], buf))))
                        return -ENOMEM;
        }
        *ret_addrs = TAKE_PTR(v);
        return 0;
}

int pci_stub_name(struct hd_context *ctx, const char *driver, const char **ret) {
        if (isempty(driver))
                driver = "vfio-pci";
        if (!filename_is_safe(driver) || strlen(driver) > 64)
                return hd_error(ctx, -EINVAL, "'%s' cannot be a driver name; use vfio-pci or pci-stub", driver);
        *ret = driver;
        return 0;
}
