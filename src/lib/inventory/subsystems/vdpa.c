/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vDPA devices: the vdpa capability with its vhost-vdpa character device, named vdpa_vdpa0. */
#include <string.h>

#include "common.h"
#include "sysfs/sysfs.h"

#define VDPA_DEVICES "/sys/bus/vdpa/devices"

/*
 * Documentation/ABI/testing/sysfs-bus-vdpa covers the bus; drivers/vhost/vdpa.c
 * makes the child. Bound to vhost_vdpa, the device has a child vhost-vdpa-N, whose node is
 * /dev/vhost-vdpa-N. libvirt also checks that the node exists and drops
 * the device when not; a recorded tree has no /dev, so the folder is
 * taken as the proof.
 */
static int find_chardev(int dirfd, char **ret) {
        _cleanup_closedir_ DIR *dh = NULL;
        struct dirent *de;
        int r = sysfs_opendir_at(dirfd, ".", &dh);

        if (r < 0)
                return r == -ENOMEM ? r : 0;
        while ((de = readdir(dh)))
                if (startswith(de->d_name, "vhost-vdpa")) {
                        *ret = strdupf("/dev/%s", de->d_name);
                        return *ret ? 0 : -ENOMEM;
                }
        return 0;
}

static int probe(struct hd_context *ctx, int dirfd, const struct hd_uevent *ue, struct hd_device *d) {
        struct hd_cap *c = hd_device_add_cap(d, HD_CAP_VDPA);
        int r;

        if (!c)
                return -ENOMEM;
        r = find_chardev(dirfd, &c->vdpa.chardev);
        if (r < 0)
                return r;
        return device_set_name(d, NULL);
}

static int lookup(struct hd_context *ctx, const char *spec, char **ret_path) {
        /* vDPA names are chosen by whoever made the device ("vdpa-net.0"): match them mangled. */
        return lookup_by_name(ctx, spec, "vdpa_", VDPA_DEVICES, ret_path);
}

static const char *const scan_dirs[] = { VDPA_DEVICES, NULL };

const struct hd_subsystem hd_subsystem_vdpa = {
        .subsystem = "vdpa",
        .scan_dirs = scan_dirs,
        .probe = probe,
        .lookup = lookup,
};
