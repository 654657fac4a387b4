/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A mediated device for a guest: running, or defined and started here (and stopped at release); its API fits the model. */
#include <string.h>

#include "hostdev/mdev.h"
#include "mdev/mdev-internal.h"
#include "prepare.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

/* Which guest addresses each device API can sit at (libvirt's qemuValidateDomainMdevDef*). */
static bool address_fits(enum hd_mdev_model model, enum hd_guest_address_type t) {
        switch (model) {
        case HD_MDEV_MODEL_VFIO_PCI:
                return t == HD_GUEST_ADDRESS_NONE || t == HD_GUEST_ADDRESS_PCI;
        case HD_MDEV_MODEL_VFIO_CCW:
                /* libvirt gives a ccw address to one without. */
                return t == HD_GUEST_ADDRESS_NONE || t == HD_GUEST_ADDRESS_CCW;
        case HD_MDEV_MODEL_VFIO_AP:
                return t == HD_GUEST_ADDRESS_NONE;
        default:
                return false;
        }
}

static int device_api(struct plan *p, const struct hd_mdev *m, char **ret) {
        _cleanup_free_ char *path = NULL;
        /* Documentation/ABI/testing/sysfs-bus-vfio-mdev: each type's device_api, seen from an instance's mdev_type too. */
        if (m->active)
                path = strdupf("/sys/bus/mdev/devices/%s/mdev_type/device_api", m->uuid);
        else
                path = strdupf("/sys/class/mdev_bus/%s/mdev_supported_types/%s/device_api", m->parent, m->type);
        if (!path)
                return -ENOMEM;
        return sysfs_read(p->ctx, path, ret);
}

static int mdev_resolve(struct plan *p, struct plan_item *it) {
        const struct hd_hostdev_mdev *md = &it->def->mdev;
        const char *model = hd_mdev_model_to_string(md->model);
        enum hd_guest_address_type at = it->def->info.address.type;
        _cleanup_free_ char *api = NULL;
        struct hd_mdev *m = NULL;
        int r;

        r = hd_mdev_get(p->ctx, md->uuid, NULL, &m);
        if (r == -ENOENT)
                return hd_error(p->ctx, -ENODEV,
                                "no mediated device %s: it is neither running nor defined; see 'hostdev mdev list "
                                "--all'",
                                md->uuid);
        if (r < 0)
                return r;
        r = device_api(p, m, &api);
        if (r == -ENOENT && !m->active)
                r = hd_error(p->ctx, -ENODEV,
                             "mediated device %s is defined on %s, which has no type %s now (is the parent's driver "
                             "loaded?); see 'hostdev mdev types'",
                             m->uuid, m->parent, m->type ? m->type : "?");
        else if (r < 0)
                r = hd_error(p->ctx, r, "mediated device %s: cannot read its device API: %s", m->uuid, strerror(-r));
        else if (!streq(api, model))
                r = hd_error(p->ctx, -EINVAL,
                             "mediated device %s offers the device API '%s', but the domain says model='%s'; set "
                             "model='%s'",
                             m->uuid, api, model, api);
        else if (!address_fits(md->model, at))
                r = hd_error(p->ctx, -EINVAL,
                             "mediated device %s (model='%s') cannot sit at a guest address of type '%s'; %s",
                             m->uuid, model, hd_guest_address_type_to_string(at),
                             md->model == HD_MDEV_MODEL_VFIO_PCI   ? "give a pci address or none"
                             : md->model == HD_MDEV_MODEL_VFIO_CCW ? "give a ccw address or none"
                                                                   : "vfio-ap takes no <address>");
        if (r >= 0)
                r = plan_record(p, it, m->uuid);
        if (r >= 0) {
                it->rec->mdev_started = !m->active;
                if (!(it->rec->node = strdupf("/sys/bus/mdev/devices/%s", m->uuid)))
                        r = -ENOMEM;
        }
        hd_mdev_free(m);
        if (r < 0)
                return r;
        return plan_check_store(p, it, false);
}

static int mdev_take(struct plan *p, struct plan_item *it) {
        _cleanup_free_ char *action = NULL, *undo = NULL;
        bool started = false;
        int r;

        if (!it->rec->mdev_started)
                return 0;
        action = strdupf("start mediated device %s from its definition (write its UUID to its type's create)",
                         it->rec->key);
        undo = strdupf("write 1 to /sys/bus/mdev/devices/%s/remove", it->rec->key);
        if (!action || !undo)
                return -ENOMEM;
        r = mop_step_begin(&p->m, action, undo, NULL);
        if (r < 0)
                return r;
        r = mdev_ensure_running_locked(p->ctx, it->rec->key, &started);
        (void)mop_step_end(&p->m, r >= 0);
        if (r < 0)
                return r;
        /* Started by someone else meanwhile: theirs to stop, not ours. */
        if (!started)
                it->rec->mdev_started = false;
        return 0;
}

static int mdev_give_back(struct mop *m, const struct hd_active *rec) {
        _cleanup_free_ char *path = strdupf("/sys/bus/mdev/devices/%s", rec->key), *action = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        if (!path)
                return -ENOMEM;
        if (!rec->mdev_started || sysfs_open_dir(m->ctx, path, &fd) < 0)
                return 0; /* not ours to stop, or not running */
        action = strdupf("stop mediated device %s (write 1 to %s/remove); its definition stays", rec->key, path);
        if (!action)
                return -ENOMEM;
        r = mop_step_begin(m, action, "start it again from its definition", NULL);
        if (r < 0)
                return r;
        r = mdev_stop_locked(m->ctx, rec->key);
        if (r == -EALREADY) {
                hd_error_clear(m->ctx);
                r = 0;
        }
        (void)mop_step_end(m, r >= 0);
        return r;
}

const struct kind_ops kind_mdev = {
        .kind = STORE_MDEV,
        .only_flag = HD_MANAGER_ONLY_MDEV,
        .resolve = mdev_resolve,
        .take = mdev_take,
        .give_back = mdev_give_back,
};
