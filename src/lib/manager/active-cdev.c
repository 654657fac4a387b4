/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The VFIO cdev of a recorded device as the kernel shows it now, for active and prepare's report. */
#include <string.h>

#include "hostdev/manager.h"
#include "inventory/vfio-cdev.h"
#include "util/strutil.h"

int hd_active_vfio_cdev(struct hd_context *ctx, const struct hd_active *a, char **ret_node) {
        _cleanup_free_ char *path = NULL;
        int r;

        *ret_node = NULL;
        if (!a || !a->kind || !a->key)
                return -EINVAL;
        /* The store keeps no cdev: the kernel numbers them as devices bind, so it is read each time. */
        if (streq(a->kind, "pci"))
                path = strdupf("/sys/bus/pci/devices/%s", a->key);
        else if (streq(a->kind, "mdev"))
                path = strdupf("/sys/bus/mdev/devices/%s", a->key);
        else
                return 0;
        if (!path)
                return -ENOMEM;
        r = vfio_cdev_of(ctx, path, ret_node);
        return r == -ENOMEM ? r : 0;
}
