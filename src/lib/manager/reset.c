/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hd_pci_reset: the kernel's reset of one function, refused when a bus reset would hit others. */
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

static int list_names(const char *name, unsigned char type, void *userdata) {
        (void)type;
        return strv_extend(userdata, name);
}

/*
 * The other PCI devices a secondary bus reset of D's bus reaches: every
 * function below D's parent bridge. ALL (may be NULL) gets each address,
 * WHY those it would hurt, in group_member_blocks()'s words.
 */
int pci_bus_reset_reach(struct hd_context *ctx, struct hd_store *s, const struct pci_dev *d,
                        const struct hd_owner *owner, const struct host_uses *uses, struct strbuf *all,
                        struct strbuf *why) {
        _cleanup_free_ char *parent = path_dirname(d->path);
        _cleanup_strv_free_ char **names = NULL;
        size_t pl;
        int r;

        if (!parent)
                return -ENOMEM;
        pl = strlen(parent);
        r = sysfs_list(ctx, "/sys/bus/pci/devices", list_names, &names);
        if (r < 0)
                return r == -ENOMEM ? r : hd_error(ctx, r, "cannot list /sys/bus/pci/devices: %s", strerror(-r));
        strv_sort(names); /* by address, whatever order the folder lists them in */
        for (char **n = names; n && *n; n++) {
                _cleanup_free_ char *p = NULL;
                _cleanup_pci_dev_ struct pci_dev *b = NULL;
                if (streq(*n, d->addr))
                        continue;
                if (sysfs_resolve_link(ctx, "/sys/bus/pci/devices", *n, &p) < 0)
                        continue;
                if (!strneq(p, parent, pl) || p[pl] != '/')
                        continue;
                r = pci_dev_open(ctx, *n, &b);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        hd_error_clear(ctx); /* gone meanwhile: it cannot be hurt */
                        continue;
                }
                if (all)
                        strbuf_appendf(all, "%s%s", all->len ? ", " : "", b->addr);
                r = group_member_blocks(ctx, s, owner, uses, b, why, NULL);
                if (r < 0)
                        return r;
        }
        return all && all->oom ? -ENOMEM : 0;
}

/* The reset methods the kernel knows (drivers/pci/pci.c: pci_reset_fn_methods[]). */
static const char *const known_methods[] = { "device_specific", "acpi", "flr", "af_flr", "pm", "bus", "cxl_bus", NULL };

static int check_method(struct hd_context *ctx, const struct pci_dev *d, const char *method, const char *methods) {
        if (!strv_contains((char **)known_methods, method))
                return hd_error(ctx, -EINVAL,
                                "'%s' is not a reset method the kernel knows: device_specific, acpi, flr, af_flr, "
                                "pm, bus, cxl_bus (%s offers: %s)",
                                method, d->addr, methods && *methods ? methods : "none");
        if (!methods)
                return hd_error(ctx, -EOPNOTSUPP,
                                "%s has no reset_method attribute: choosing the method needs Linux 5.15 or later",
                                d->addr);
        return 0;
}

/* reset_method back to OLD (the list it had; "" when every method was off): one journaled write. */
int pci_reset_method_restore(struct mop *m, const struct pci_dev *d, const char *old) {
        _cleanup_free_ char *path = strdupf("%s/reset_method", d->bus_path);
        /* The kernel takes a list as it prints one; "default" restores its own order when OLD is lost. */
        return path ? mop_write(m, path, old && *old ? old : "default", "nothing: it is the list it had") : -ENOMEM;
}

int hd_pci_reset(struct hd_context *ctx, const char *addr, const struct hd_owner *owner, unsigned flags) {
        return hd_pci_reset_method(ctx, addr, owner, NULL, flags);
}

int hd_pci_reset_method(struct hd_context *ctx, const char *addr, const struct hd_owner *owner, const char *method,
                        unsigned flags) {

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
        if (method) {
                r = check_method(ctx, d, method, methods);
                if (r < 0)
                        return r;
                snprintf(first, sizeof(first), "%s", method);
        }
        if (store_device_get(s, STORE_PCI, d->addr, &rec, NULL) >= 0) {
                if (store_record_state(rec) == STORE_HELD && !store_owner_is(rec, owner)) {
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
                r = pci_bus_reset_reach(ctx, s, d, owner, uses, NULL, &why);
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
        data = method ? strdupf("method=%s\nrestore=1\nold_methods=%s\n", first, methods) : strdupf("method=%s\n", first);
        path = strdupf("%s/reset", d->bus_path);
        if (!data || !path)
                return -ENOMEM;
        r = store_op_begin(s, "pci-reset", "pci", d->addr, data, &m.op_id);
        if (r < 0)
                return r;
        if (method) {
                /* For this reset only: the list goes back after it, or recovery puts it back. */
                _cleanup_free_ char *mpath = strdupf("%s/reset_method", d->bus_path),
                                    *undo = strdupf("write '%s' to %s/reset_method", methods, d->bus_path);
                if (!mpath || !undo)
                        return -ENOMEM;
                r = mop_write(&m, mpath, method, undo);
                if (r < 0) {
                        (void)store_op_finish(s, m.op_id, STORE_OP_FAILED);
                        if (r == -EINVAL && !m.store_failed)
                                return hd_error(ctx, r,
                                                "the kernel refused reset method '%s' for %s: the device cannot do "
                                                "it (it offers: %s)",
                                                method, d->addr, *methods ? methods : "none");
                        if ((r == -EACCES || r == -EPERM) && !m.store_failed)
                                return hd_error(ctx, r, "%s: cannot set its reset method: %s; resetting needs root",
                                                d->addr, strerror(-r));
                        return m.store_failed ? r : hd_error(ctx, r, "%s: cannot set reset_method to %s: %s",
                                                             d->addr, method, strerror(-r));
                }
        }
        r = mop_write(&m, path, "1", "nothing: a reset cannot be undone");
        if (method) {
                int r2 = pci_reset_method_restore(&m, d, methods);
                if (r2 < 0) {
                        /* Left open: the next operation (or hostdev recover) writes the list back. */
                        return hd_error(ctx, r2,
                                        "%s: reset_method stays '%s' (%s); write '%s' to %s/reset_method, or run "
                                        "'hostdev recover'",
                                        d->addr, method, strerror(-r2), methods, d->bus_path);
                }
        }
        (void)store_op_finish(s, m.op_id, r >= 0 ? STORE_OP_DONE : STORE_OP_FAILED);
        if ((r == -EACCES || r == -EPERM) && !sysfs_write_refused(ctx))
                return hd_error(ctx, r, "%s: cannot reset it: %s; resetting needs root", d->addr, strerror(-r));
        if (r < 0 && !m.store_failed && !sysfs_write_refused(ctx))
                return hd_error(ctx, r, "%s: the kernel could not reset it (%s): %s%s", d->addr,
                                first[0] ? first : "reset", strerror(-r),
                                r == -EBUSY || r == -ENOTTY ? "; another function on its bus may be in use" : "");
        return r;
}
