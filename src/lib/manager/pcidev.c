/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the manager reads of one PCI device: class, driver, driver_override, IOMMU group. */
#include <string.h>

#include "hostdev/device.h"
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

bool pci_class_is_bridge(uint32_t class_code) {
        uint32_t sub = class_code >> 8;
        return sub == 0x0604 || sub == 0x0607;
}

static bool endswith(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && streq(s + n - m, suffix);
}

bool pci_driver_is_stub(const char *driver) {
        if (!driver)
                return false;
        return streq(driver, "vfio-pci") || streq(driver, "pci-stub") || endswith(driver, "_vfio_pci") ||
               endswith(driver, "-vfio-pci");
}

bool pci_driver_exists(struct hd_context *ctx, const char *driver) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *p = strdupf("/sys/bus/pci/drivers/%s", driver);
        return p && filename_is_safe(driver) && sysfs_open_dir(ctx, p, &fd) >= 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int pci_group_members(struct hd_context *ctx, int group, char ***ret_addrs) {
        _cleanup_free_ char *p = strdupf("/sys/kernel/iommu_groups/%d/devices", group);
        _cleanup_close_ int fd = -1;
        _cleanup_closedir_ DIR *dir = NULL;
        _cleanup_strv_free_ char **v = NULL;
        struct dirent *de;
        int r;

        if (!p)
                return -ENOMEM;
        r = sysfs_open_dir(ctx, p, &fd);
        if (r < 0)
                return r;
        r = sysfs_opendir_at(fd, ".", &dir);
        if (r < 0)
                return r;
        while ((de = readdir(dir))) {
                struct hd_pci_addr a;
                if (de->d_name[0] == '.' || hd_pci_addr_parse(de->d_name, &a) < 0)
                        continue;
                r = strv_extend(&v, de->d_name);
                if (r < 0)
                        return r;
        }
        if (v)
                qsort(v, strv_length(v), sizeof(char *), cmp_str);
        else if (!(v = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret_addrs = TAKE_PTR(v);
        return 0;
}

static char *first_entry(struct hd_context *ctx, const char *path) {
        _cleanup_close_ int fd = -1;
        _cleanup_closedir_ DIR *dir = NULL;
        struct dirent *de;

        if (sysfs_open_dir(ctx, path, &fd) < 0 || sysfs_opendir_at(fd, ".", &dir) < 0)
                return NULL;
        while ((de = readdir(dir)))
                if (de->d_name[0] != '.')
                        return strdup(de->d_name);
        return NULL;
}

bool pci_iommu_enabled(struct hd_context *ctx, char **ret_name) {
        /* Documentation/ABI/testing/sysfs-class-iommu: one entry per IOMMU unit (dmar0, ivhd0 ...). */
        char *name = first_entry(ctx, "/sys/class/iommu");
        if (!name)
                name = first_entry(ctx, "/sys/kernel/iommu_groups");
        if (ret_name)
                *ret_name = name;
        else
                free(name);
        return name != NULL;
}

int pci_stub_name(struct hd_context *ctx, const char *driver, const char **ret) {
        if (isempty(driver))
                driver = "vfio-pci";
        if (!filename_is_safe(driver) || strlen(driver) > 64)
                return hd_error(ctx, -EINVAL, "'%s' cannot be a driver name; use vfio-pci or pci-stub", driver);
        *ret = driver;
        return 0;
}
