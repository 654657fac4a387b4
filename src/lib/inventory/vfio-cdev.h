/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The VFIO character device of a device a vfio driver holds, and whether the host offers iommufd. */
#pragma once

#include <stdbool.h>

#include "context-internal.h"

/*
 * The cdev of the device whose sysfs folder is DIRFD
 * (Documentation/driver-api/vfio.rst, "VFIO device cdev"): 1 and
 * "/dev/vfio/devices/vfioN" in *RET_NODE when vfio-dev/vfioN/dev is
 * there; 0 and NULL when the kernel made vfio-dev/vfioN without a dev file
 * (built without CONFIG_VFIO_DEVICE_CDEV, as Debian's 6.12); -ENOENT when
 * no vfio driver holds the device; -ENOMEM.
 */
int vfio_cdev_at(int dirfd, char **ret_node);
/* The same for the device at sysfs PATH (below the context's root). */
int vfio_cdev_of(struct hd_context *ctx, const char *path, char **ret_node);
/* Whether /dev/iommu, iommufd's node (drivers/iommu/iommufd/main.c, misc minor 260), is there. */
bool iommufd_present(struct hd_context *ctx);
