/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PLACEHOLDER until its module is written: takes no device. */
#include "inventory/probe.h"

static int probe(struct hd_context *ctx, int dirfd, const struct hd_uevent *ue, struct hd_device *d) {
        return -ENODEV;
}

const struct hd_subsystem hd_subsystem_scsi_generic = {
        .subsystem = "scsi_generic",
        .probe = probe,
};
