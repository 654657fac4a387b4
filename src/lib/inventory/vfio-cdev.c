/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The VFIO character device of a device a vfio driver holds, and whether the host offers iommufd. */
#include <string.h>

#include "inventory/vfio-cdev.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

/* vfio_device_add() names the one class device "vfioN", N the device's index. */
static int first_vfio(const char *name, unsigned char type, void *userdata) {
        char **ret = userdata;
        const char *n = startswith(name, "vfio");
        (void)type;
        if (*ret || !n || !*n || n[strspn(n, "0123456789")])
                return 0;
        *ret = strdup(name);
        return *ret ? 0 : -ENOMEM;
}

int vfio_cdev_at(int dirfd, char **ret_node) {
        _cleanup_free_ char *name = NULL, *dev = NULL;
        int r;

        *ret_node = NULL;
        r = sysfs_list_at(dirfd, "vfio-dev", first_vfio, &name);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || !name)
                return -ENOENT;
        /* The dev file exists only when the cdev was added (drivers/vfio/device_cdev.c). */
        dev = strdupf("vfio-dev/%s/dev", name);
        if (!dev)
                return -ENOMEM;
        if (!sysfs_exists_at(dirfd, dev))
                return 0;
        /* vfio_device_devnode(): the node is vfio/devices/NAME below /dev. */
        *ret_node = strdupf("/dev/vfio/devices/%s", name);
        return *ret_node ? 1 : -ENOMEM;
}

int vfio_cdev_of(struct hd_context *ctx, const char *path, char **ret_node) {
        _cleanup_close_ int fd = -1;
        int r = sysfs_open_dir(ctx, path, &fd);

        *ret_node = NULL;
        if (r < 0)
                return r == -ENOMEM ? r : -ENOENT;
        return vfio_cdev_at(fd, ret_node);
}

bool iommufd_present(struct hd_context *ctx) {
        return sysfs_exists(ctx, "/dev/iommu");
}
