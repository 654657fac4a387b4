/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A SCSI LUN for a guest: adapter + bus/target/unit resolved to its /dev/sgN, shared only among owners that all say so. */
#include <stdio.h>
#include <string.h>

#include "prepare.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

static int find_sg(const char *name, unsigned char type, void *userdata) {
        char **ret = userdata;
        unsigned n;
        int len = 0;
        if (*ret || sscanf(name, "sg%u%n", &n, &len) != 1 || name[len])
                return 0;
        *ret = strdupf("/dev/%s", name);
        return *ret ? 1 : -ENOMEM;
}

/* Held by others and shareable: whether this owner may join them, else the refusal. */
static int check_sharing(struct plan *p, struct plan_item *it, const char *name) {
        struct hd_active *cur = NULL;
        _cleanup_free_ char *who = NULL;
        int r = store_device_get(p->s, STORE_SCSI, it->rec->key, &cur, NULL);

        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (store_record_state(cur) != STORE_HELD || store_owner_is(cur, p->owner) ||
            store_owner_shares(cur, p->owner)) {
                hd_active_free(cur);
                return plan_check_store(p, it, false);
        }
        if (cur->shareable && it->def->shareable) {
                hd_active_free(cur);
                it->join = true;
                return 0;
        }
        who = record_describe(cur);
        if (cur->shareable)
                r = hd_error(p->ctx, -EBUSY,
                             "%s is %s, shared (<shareable/>) with %zu owner%s; another guest may only have it "
                             "with <shareable/> too",
                             name, who ? who : "held", strv_length(cur->sharers), strv_length(cur->sharers) > 1 ? "s" : "");
        else
                r = hd_error(p->ctx, -EBUSY, "%s is %s, not shareable; %s", name, who ? who : "held",
                             it->def->shareable ? "it can be shared only when every guest says <shareable/>"
                                                : "release it there first");
        hd_active_free(cur);
        return r;
}

static int scsi_resolve(struct plan *p, struct plan_item *it) {
        const struct hd_hostdev_scsi *sc = &it->def->scsi;
        _cleanup_free_ char *key = NULL, *dir = NULL, *node = NULL, *name = NULL;
        _cleanup_close_ int fd = -1, sgfd = -1;
        unsigned host;
        int len = 0, r;

        if (sc->protocol == HD_SCSI_PROTOCOL_ISCSI)
                return hd_error(p->ctx, -EOPNOTSUPP,
                                "iSCSI LUN %s: QEMU opens iSCSI targets itself, there is nothing on the host to "
                                "prepare; hostdev prepares LUNs of host adapters only",
                                sc->iscsi_name ? sc->iscsi_name : "?");
        /* managed= is about detaching from a host driver: libvirt ignores it for SCSI (no driver to detach from). */
        if (!sc->adapter || sscanf(sc->adapter, "scsi_host%u%n", &host, &len) != 1 || sc->adapter[len])
                return hd_error(p->ctx, -EINVAL, "SCSI adapter '%s' is not a host adapter name such as scsi_host0",
                                sc->adapter ? sc->adapter : "");
        key = strdupf("%u:%u:%u:%llu", host, sc->bus, sc->target, sc->unit);
        dir = key ? strdupf("/sys/bus/scsi/devices/%s", key) : NULL;
        if (!dir)
                return -ENOMEM;
        /* Documentation/ABI/testing/sysfs-bus-scsi: a LUN is H:B:T:L on the scsi bus. */
        r = sysfs_open_dir(p->ctx, dir, &fd);
        if (r == -ENOENT)
                return hd_error(p->ctx, -ENODEV,
                                "no SCSI LUN %s (adapter %s, bus %u, target %u, unit %llu) on this host; see "
                                "'hostdev list --cap scsi'",
                                key, sc->adapter, sc->bus, sc->target, sc->unit);
        if (r < 0)
                return hd_error(p->ctx, r, "cannot read %s: %s", dir, strerror(-r));
        /* The sg driver's class device below the LUN (Documentation/scsi/scsi-generic.rst). */
        if (sysfs_open_dir_at(fd, "scsi_generic", &sgfd) >= 0) {
                r = sysfs_list_at(sgfd, ".", find_sg, &node);
                if (r == -ENOMEM)
                        return r;
        }
        if (!node)
                return hd_error(p->ctx, -ENODEV,
                                "SCSI LUN %s has no SCSI generic device (/dev/sgN) for a guest to use; load the sg "
                                "module (modprobe sg)",
                                key);
        if (!(p->flags & HD_MANAGER_FORCE)) {
                _cleanup_free_ char *canon = NULL;
                const struct host_uses *uses;
                const char *why;
                r = sysfs_resolve_link(p->ctx, "/sys/bus/scsi/devices", key, &canon);
                if (r >= 0)
                        r = plan_host_uses(p, &uses);
                if (r < 0)
                        return r;
                if ((why = host_uses_find(uses, canon)))
                        return hd_error(p->ctx, -EBUSY,
                                        "SCSI LUN %s is needed by the host: %s; a guest with raw access to it could "
                                        "destroy it (--force gives it anyway)",
                                        key, why);
        }
        r = plan_record(p, it, key);
        if (r < 0)
                return r;
        it->rec->node = TAKE_PTR(node);
        it->rec->readonly = it->def->readonly;
        it->rec->shareable = it->def->shareable;
        if (sc->sgio != HD_SGIO_DEFAULT && !(it->rec->sgio = strdup(hd_sgio_to_string(sc->sgio))))
                return -ENOMEM;
        name = record_name(it->rec);
        if (!name)
                return -ENOMEM;
        return check_sharing(p, it, name);
}

const struct kind_ops kind_scsi = {
        .kind = STORE_SCSI,
        .only_flag = HD_MANAGER_ONLY_SCSI,
        .resolve = scsi_resolve,
};
