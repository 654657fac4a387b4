/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Defined mediated devices that are not running, as devices of the inventory (HD_SCAN_INACTIVE). */
#include <string.h>

#include "inventory/subsystems/common.h"
#include "mdev-internal.h"
#include "mdev-inventory.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

/* The parent's libvirt name, as libvirt finds it by address: "computer" when it is not there. */
static char *parent_device_name(struct hd_context *ctx, const char *parent) {
        _cleanup_free_ char *canon = NULL;
        struct hd_device *d = NULL;
        char *name = NULL;

        if (mdev_parent_present(ctx, parent) && sysfs_resolve_link(ctx, MDEV_BUS_CLASS, parent, &canon) >= 0 &&
            hd_probe_device(ctx, canon, &d) >= 0)
                name = strdup(d->name);
        hd_device_free(d);
        return name ? name : strdup("computer");
}

static int make_device(struct hd_context *ctx, struct hd_mdev *m, struct hd_device **ret) {
        struct hd_device *d = calloc(1, sizeof(*d));
        struct hd_cap *c;

        if (!d)
                return -ENOMEM;
        d->name = device_name_for("mdev", m->uuid, m->parent);
        d->subsystem = strdup("mdev");
        d->parent_name = parent_device_name(ctx, m->parent);
        c = hd_device_add_cap(d, HD_CAP_MDEV);
        if (!d->name || !d->subsystem || !d->parent_name || !c) {
                hd_device_free(d);
                return -ENOMEM;
        }
        c->mdev.uuid = strdup(m->uuid);
        c->mdev.parent_addr = TAKE_PTR(m->parent);
        c->mdev.type = TAKE_PTR(m->type);
        c->mdev.attrs = TAKE_PTR(m->attrs);
        c->mdev.n_attrs = m->n_attrs;
        m->n_attrs = 0;
        c->mdev.iommu_group = -1;
        c->mdev.active = false;
        c->mdev.autostart = m->autostart;
        if (!c->mdev.uuid) {
                hd_device_free(d);
                return -ENOMEM;
        }
        *ret = d;
        return 0;
}

int mdev_add_inactive(struct hd_context *ctx, int (*add)(void *userdata, struct hd_device *d), void *userdata) {
        struct hd_mdev *list = NULL;
        size_t n = 0;
        int r;

        r = hd_mdev_list(ctx, HD_MDEV_LIST_DEFINED, &list, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++) {
                struct hd_device *d = NULL;
                /* A running one is in the scan already, under the same name. */
                if (list[i].active)
                        continue;
                r = make_device(ctx, &list[i], &d);
                if (r >= 0)
                        r = add(userdata, d);
        }
        hd_mdev_list_free(list, n);
        return r < 0 ? r : 0;
}
