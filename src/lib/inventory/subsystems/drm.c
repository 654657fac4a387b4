/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DRM minors: the drm capability of card, control and render nodes, named drm_card0. */
#include <string.h>

#include "common.h"

#define DRM_CLASS "/sys/class/drm"

static int probe(struct hd_context *ctx, int dirfd, const struct hd_uevent *ue, struct hd_device *d) {
        struct hd_cap *c;
        unsigned minor;

        /* Connectors (card0-DP-1) and the class's "version" file are not minors. */
        if (!d->devtype || !streq(d->devtype, "drm_minor"))
                return -ENODEV;
        if (uevent_uint(ue, "MINOR", 10, &minor) < 0)
                return -ENODEV;
        c = hd_device_add_cap(d, HD_CAP_DRM);
        if (!c)
                return -ENOMEM;
        /* drivers/gpu/drm/drm_drv.c: minors come in blocks of 64, primary, control, render. */
        switch (minor >> 6) {
        case 0: c->drm.type = HD_DRM_PRIMARY; break;
        case 1: c->drm.type = HD_DRM_CONTROL; break;
        case 2: c->drm.type = HD_DRM_RENDER; break;
        default: return -ENODEV; /* libvirt knows no other kind */
        }
        return device_set_name(d, NULL);
}

static int lookup(struct hd_context *ctx, const char *spec, char **ret_path) {
        const char *minor = startswith(spec, "drm_");

        if (!minor)
                return -ENODEV;
        /* "card0", "renderD128": minor names survive mangling. */
        return lookup_entry(ctx, DRM_CLASS, minor, ret_path);
}

static const char *const scan_dirs[] = { DRM_CLASS, NULL };

const struct hd_subsystem hd_subsystem_drm = {
        .subsystem = "drm",
        .scan_dirs = scan_dirs,
        .probe = probe,
        .lookup = lookup,
};
