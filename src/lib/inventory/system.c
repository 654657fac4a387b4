/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "computer", the root of the tree, with the system capability from DMI. */
#include <string.h>

#include "probe.h"
#include "sysfs/sysfs.h"

/* Documentation/ABI/testing/sysfs-firmware-dmi-tables and the dmi-id class: one file per field. */
#define DMI_ID "/sys/devices/virtual/dmi/id"

/* A field that cannot be read (absent, or root-only on this host) is left out, not invented. */
static char *dmi_field(int dirfd, const char *name) {
        char *v = NULL;
        if (dirfd < 0 || sysfs_read_at(dirfd, name, &v) < 0)
                return NULL;
        if (isempty(v)) {
                free(v);
                return NULL;
        }
        return v;
}

int hd_probe_computer(struct hd_context *ctx, struct hd_device **ret) {
        _cleanup_close_ int fd = -1;
        struct hd_device *d = calloc(1, sizeof(*d));
        struct hd_cap_system *s;
        struct hd_cap *c;

        if (!d)
                return -ENOMEM;
        d->name = strdup("computer");
        c = hd_device_add_cap(d, HD_CAP_SYSTEM);
        if (!d->name || !c) {
                hd_device_free(d);
                return -ENOMEM;
        }
        (void)sysfs_open_dir(ctx, DMI_ID, &fd);
        s = &c->system;
        s->product_name = dmi_field(fd, "product_name");
        s->hw_vendor = dmi_field(fd, "sys_vendor");
        s->hw_version = dmi_field(fd, "product_version");
        s->hw_serial = dmi_field(fd, "product_serial");
        s->hw_uuid = dmi_field(fd, "product_uuid");
        s->fw_vendor = dmi_field(fd, "bios_vendor");
        s->fw_version = dmi_field(fd, "bios_version");
        s->fw_release_date = dmi_field(fd, "bios_date");
        *ret = d;
        return 0;
}
