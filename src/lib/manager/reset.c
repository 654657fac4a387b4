/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hd_pci_reset: the kernel's reset of one function, refused when a bus reset would hit others. */
#include <string.h>

#include "hostuse.h"
#include "manager-internal.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

static bool owner_is(const struct hd_active *r, const struct hd_owner *o) {
        if (!o || !r->owner_driver || !r->owner_domain || !o->driver || !o->domain)
                return false;
        if (r->owner_uuid && o->uuid)
                return streq(r->owner_uuid, o->uuid) && streq(r->owner_driver, o->driver);
        return streq(r->owner_driver, o->driver) && streq(r->owner_domain, o->domain);
}

/*
 * Why resetting ADDR (found below BELOW) would hurt someone, appended to
 * *WHY: held by another owner, on a host driver, or needed by the host.
 */
static int bystander(struct hd_context *ctx, struct hd_store *s, const char *addr,
                     const struct hd_owner *owner, const struct host_uses *uses, struct strbuf *why) {
        _cleanup_pci_dev_ struct pci_dev *b = NULL;
        struct hd_active *rec = NULL;
        const char *use;
        int r;

        r = pci_dev_open(ctx, addr, &b);
        if (r < 0)
                return r == -ENOMEM ? r : 0; /* gone meanwhile: it cannot be hurt */
        if (store_device_get(s, STORE_PCI, b->addr, &rec, NULL) >= 0) {
                if (store_record_state(rec) != STORE_DETACHED && !owner_is(rec, owner)) {
                        _cleanup_free_ char *who = record_describe(rec);
                        strbuf_appendf(why, "%s%s (%s)", why->len ? ", " : "", b->addr, who ? who : "held");
                }
                hd_active_free(rec);
                return 0;
        }
        if ((use = host_uses_find(uses, b->path))) {
                strbuf_appendf(why, "%s%s (the host needs it: %s)", why->len ? ", " : "", b->addr, use);
                return 0;
        }
        /* A bridge on pcieport is the path to the bus, not a user of it. */
        if (b->driver && !pci_driver_is_stub(b->driver) && b->bridge == HD_PCI_NOT_BRIDGE)
                strbuf_appendf(why, "%s%s (bound to %s, a host driver)", why->len ? ", " : "", b->addr, b->driver);
        return 0;
}

/* The other PCI devices a secondary bus reset of D's bus reaches: all below D's parent. */
static int bus_bystanders(struct hd_context *ctx, struct hd_store *s, const struct pci_dev *d,
                          const struct hd_owner *owner, const struct host_uses *uses, struct strbuf *why) {
        _cleanup_free_ char *parent = path_dirname(d->path);
        _cleanup_close_ int fd = -1;
        _cleanup_closedir_ DIR *dir = NULL;
        struct dirent *de;
        size_t pl;
        int r;

        if (!parent)
                return -ENOMEM;
        pl = strlen(parent);
        r = sysfs_open_dir(ctx, "/sys/bus/pci/devices", &fd);
        if (r >= 0)
                r = sysfs_opendir_at(fd, ".", &dir);
        if (r < 0)
                return hd_error(ctx, r, "cannot list /sys/bus/pci/devices: %s", strerror(-r));
        while ((de = readdir(dir))) {
                _cleanup_free_ char *p = NULL;
                if (de->d_name[0] == '.' || streq(de->d_name, d->addr))
                        continue;
                if (sysfs_resolve_link(ctx, "/sys/bus/pci/devices", de->d_name, &p) < 0)
                        continue;
                if (!strneq(p, parent, pl) || p[pl] != '/')
                        continue;
                r = bystander(ctx, s, de->d_name, owner, uses, why);
                if (r < 0)
                        return r;
        }
        return 0;
}

int hd_pci_reset(struct hd_context *ctx, const char *addr, const struct hd_owner *owner, unsigned flags) {
        _cleanup_close_ int lock = -1;
        _cleanup_store_ struct hd_store *s = NULL;
        _cleanup_pci_dev_ struct pci_dev *d = NULL;
        _cleanup_host_uses_ struct host_uses *uses = NULL;
        _cleanup_free_ char *methods = NULL, *path = NULL, *data = NULL;
        struct hd_active *rec = NULL;
        struct mop m = { .ctx = ctx };
        const char *use;
        char first[32] = "";
        int r;

        hd_error_clear(ctx);
        r = manager_begin(ctx, &lock, &s);
        if (r < 0)
                return r;
        m.s = s;
        r = pci_dev_open(ctx, addr, &d);
        if (r < 0)
                return r;
        /* Documentation/ABI/testing/sysfs-bus-pci: reset exists only when the device has a reset method. */
        if (!sysfs_exists_at(d->dirfd, "reset"))
                return hd_error(ctx, -EOPNOTSUPP,
                                "%s has no reset method the kernel can use; a guest gets it as the last user "
                                "left it",
                                d->addr);
        /* sysfs-bus-pci reset_method: the methods in the order the kernel tries them (absent before 5.15). */
        if (sysfs_read_at(d->dirfd, "reset_method", &methods) >= 0)
                sscanf(methods, "%31s", first);
        if (store_device_get(s, STORE_PCI, d->addr, &rec, NULL) >= 0) {
                if (store_record_state(rec) == STORE_HELD && !owner_is(rec, owner)) {
                        _cleanup_free_ char *who = record_describe(rec);
                        hd_active_free(rec);
                        return hd_error(ctx, -EBUSY, "%s is %s; only its owner may reset it", d->addr,
                                        who ? who : "held");
                }
                hd_active_free(rec);
        }
        r = host_uses_load(ctx, &uses);
        if (r < 0)
                return hd_error(ctx, r, "cannot tell which devices the host runs on: %s", strerror(-r));
        if (!(flags & HD_PCI_FORCE) && (use = host_uses_find(uses, d->path)))
                return hd_error(ctx, -EBUSY, "%s is needed by the host: %s; resetting it would disturb the host. "
                                "Use --force only if you know it is safe",
                                d->addr, use);
        if (streq(first, "bus") || streq(first, "cxl_bus")) {
                struct strbuf why = {};
                r = bus_bystanders(ctx, s, d, owner, uses, &why);
                if (r < 0) {
                        strbuf_done(&why);
                        return r;
                }
                if (why.oom) {
                        strbuf_done(&why);
                        return -ENOMEM;
                }
                if (why.len > 0) {
                        r = hd_error(ctx, -EBUSY,
                                     "%s can only be reset by resetting its whole bus, which would also reset "
                                     "%s; detach those first (hostdev detach %s --group, or each of them)",
                                     d->addr, why.s, d->addr);
                        strbuf_done(&why);
                        return r;
                }
                strbuf_done(&why);
        }
        data = strdupf("method=%s\n", first);
        path = strdupf("%s/reset", d->bus_path);
        if (!data || !path)
                return -ENOMEM;
        r = store_op_begin(s, "pci-reset", "pci", d->addr, data, &m.op_id);
        if (r < 0)
                return r;
        r = mop_write(&m, path, "1", "nothing: a reset cannot be undone");
        (void)store_op_finish(s, m.op_id, r >= 0 ? STORE_OP_DONE : STORE_OP_FAILED);
        if ((r == -EACCES || r == -EPERM) && !sysfs_write_refused(ctx))
                return hd_error(ctx, r, "%s: cannot reset it: %s; resetting needs root", d->addr, strerror(-r));
        if (r < 0 && !m.store_failed && !sysfs_write_refused(ctx))
                return hd_error(ctx, r, "%s: the kernel could not reset it (%s): %s%s", d->addr,
                                first[0] ? first : "reset", strerror(-r),
                                r == -EBUSY || r == -ENOTTY ? "; another function on its bus may be in use" : "");
        return r;
}
