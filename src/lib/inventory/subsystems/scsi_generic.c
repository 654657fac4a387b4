/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SCSI generic nodes: the scsi_generic capability, named scsi_generic_sg0. */
#include <string.h>

#include "common.h"

#define SG_CLASS "/sys/class/scsi_generic"

static int probe(struct hd_context *ctx, int dirfd, const struct hd_uevent *ue, struct hd_device *d) {
        const char *devname = uevent_get(ue, "DEVNAME");
        struct hd_cap *c;

        /* libvirt lists an sg device by its node; one without a node is not listed. */
        if (!devname)
                return -ENODEV;
        c = hd_device_add_cap(d, HD_CAP_SCSI_GENERIC);
        if (!c)
                return -ENOMEM;
        c->sg.path = strdupf("/dev/%s", devname);
        if (!c->sg.path)
                return -ENOMEM;
        return device_set_name(d, NULL);
}

static int lookup(struct hd_context *ctx, const char *spec, char **ret_path) {
        const char *sg = startswith(spec, "scsi_generic_");

        if (!sg)
                return -ENODEV;
        /* sg names ("sg0") survive mangling, so the entry is named directly. */
        return lookup_entry(ctx, SG_CLASS, sg, ret_path);
}

static const char *const scan_dirs[] = { SG_CLASS, NULL };

const struct hd_subsystem hd_subsystem_scsi_generic = {
        .subsystem = "scsi_generic",
        .scan_dirs = scan_dirs,
        .probe = probe,
        .lookup = lookup,
};
