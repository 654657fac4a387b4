/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Journaled sysfs writes, and moving a PCI device to a stub driver and back. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hostuse.h"
#include "manager-internal.h"
#include "reclaim.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

static bool streq_ptr(const char *a, const char *b) {
        return a && b ? streq(a, b) : a == b;
}

/* The value as a person reads it in the journal: "\n" shows as \n. */
static char *printable(const char *v) {
        struct strbuf b = {};
        for (const char *p = v; *p; p++)
                if (*p == '\n')
                        strbuf_append(&b, "\\n");
                else
                        strbuf_appendf(&b, "%c", *p);
        if (!b.s)
                strbuf_append(&b, "");
        return strbuf_steal(&b);
}

int mop_step_begin(struct mop *m, const char *action, const char *undo, const struct hd_active *update) {
        int64_t step;
        int r;

        m->store_failed = false;
        if (m->batch)
                r = store_step_next(m->s, m->op_id, m->pending_step, m->pending_ok, update, action, undo, &step);
        else {
                r = update ? store_device_update(m->s, update, m->op_id) : 0;
                if (r >= 0)
                        r = store_step_begin(m->s, m->op_id, action, undo, &step);
        }
        if (r < 0) {
                m->store_failed = true;
                return r;
        }
        m->pending_step = step;
        m->pending_ok = false;
        return 0;
}

int mop_step_end(struct mop *m, bool ok) {
        int r;
        if (m->batch) {
                m->pending_ok = ok;
                return 0;
        }
        r = store_step_end(m->s, m->pending_step, ok);
        m->pending_step = 0;
        m->store_failed = r < 0;
        return r;
}

int mop_end_pending(struct mop *m) {
        int r;
        if (!m->pending_step)
                return 0;
        r = store_step_end(m->s, m->pending_step, m->pending_ok);
        if (r >= 0)
                m->pending_step = 0;
        return r;
}

int mop_write(struct mop *m, const char *path, const char *value, const char *undo) {
        _cleanup_free_ char *pv = printable(value), *action = NULL;
        int r, r2;

        if (!pv)
                return -ENOMEM;
        action = strdupf("write '%s' to %s", pv, path);
        if (!action)
                return -ENOMEM;
        r = mop_step_begin(m, action, undo, NULL);
        if (r < 0)
                return r;
        r = sysfs_write(m->ctx, path, value);
        r2 = mop_step_end(m, r >= 0);
        if (r < 0)
                return r;
        return r2;
}

/* A failed write's message: whose write, what the kernel said, and what it means for root. */
static int write_error(struct mop *m, const struct pci_dev *d, int r, const char *what) {
        if (r == -ENOMEM || m->store_failed || sysfs_write_refused(m->ctx))
                return r; /* the store's, or the refusal's, own message says it better */
        if (r == -EACCES || r == -EPERM)
                return hd_error(m->ctx, r, "%s: cannot %s: %s; changing drivers needs root", d->addr, what,
                                strerror(-r));
        return hd_error(m->ctx, r, "%s: cannot %s: the kernel said: %s", d->addr, what, strerror(-r));
}

/* Why D may not go to STUB when the operation that asks for it came from the store (see struct mop), or 0. */
static int recheck_stub(struct mop *m, const struct pci_dev *d, const char *stub) {
        _cleanup_host_uses_ struct host_uses *uses = NULL;
        _cleanup_free_ char *why = NULL;
        const char *use;
        int r;

        /* On it already, the host has lost nothing more. */
        if (!m->recovering || streq_ptr(d->driver, stub))
                return 0;
        if (!pci_driver_is_stub(stub))
                why = strdupf("%s is not a stub driver", stub);
        else if (d->bridge != HD_PCI_NOT_BRIDGE)
                why = strdupf("it is a PCI bridge (class 0x%06x), which stays with the host", d->class_code);
        else if (streq(stub, "vfio-pci") && d->iommu_group < 0)
                why = strdup("it is in no IOMMU group, so vfio-pci cannot take it");
        else {
                r = host_uses_load(m->ctx, &uses);
                if (r < 0)
                        return hd_error(m->ctx, r, "cannot tell which devices the host runs on: %s", strerror(-r));
                use = host_uses_find(uses, d->path);
                if (!use)
                        return 0;
                why = strdupf("it is needed by the host: %s", use);
        }
        if (!why)
                return -ENOMEM;
        return hd_error(m->ctx, -EPERM,
                        "%s: the state store asks to put it on %s, which the operation it records would have refused: "
                        "%s. Left as it is; if no hostdev of yours left that operation, the store was written by "
                        "someone else",
                        d->addr, stub, why);
}

static int set_override(struct mop *m, struct pci_dev *d, const char *value) {
        _cleanup_free_ char *path = strdupf("%s/driver_override", d->bus_path);
        _cleanup_free_ char *undo = strdupf("write '%s' to %s/driver_override",
                                            d->override ? d->override : "\\n", d->bus_path);
        int r;

        if (!path || !undo)
                return -ENOMEM;
        /* A stub in driver_override takes the device at its next probe: as good as a move there. */
        if (value && pci_driver_is_stub(value) && (r = recheck_stub(m, d, value)) < 0)
                return r;
        /* Documentation/ABI/testing/sysfs-bus-pci driver_override: a lone newline clears it. */
        r = mop_write(m, path, value ? value : "\n", undo);
        if (r < 0)
                return write_error(m, d, r, value ? "set driver_override" : "clear driver_override");
        return pci_dev_refresh(d);
}

static int unbind(struct mop *m, struct pci_dev *d, const char *undo) {
        _cleanup_free_ char *path = strdupf("/sys/bus/pci/drivers/%s/unbind", d->driver);
        _cleanup_free_ char *what = strdupf("unbind it from %s", d->driver);
        int r;

        if (!path || !what)
                return -ENOMEM;
        /* Documentation/ABI/testing/sysfs-bus-pci: drivers/.../unbind takes the device's address. */
        r = mop_write(m, path, d->addr, undo);
        if (r < 0)
                return write_error(m, d, r, what);
        return pci_dev_refresh(d);
}

static int probe(struct mop *m, struct pci_dev *d, const char *undo) {
        int r;
        /* Documentation/ABI/testing/sysfs-bus-pci: drivers_probe binds the driver that matches now. */
        r = mop_write(m, "/sys/bus/pci/drivers_probe", d->addr, undo);
        if (r < 0)
                return write_error(m, d, r, "probe a driver for it (drivers_probe)");
        return pci_dev_refresh(d);
}

static int bind(struct mop *m, struct pci_dev *d, const char *driver, const char *undo) {
        _cleanup_free_ char *path = strdupf("/sys/bus/pci/drivers/%s/bind", driver);
        _cleanup_free_ char *what = strdupf("bind it to %s", driver);
        int r;

        if (!path || !what)
                return -ENOMEM;
        /* Documentation/ABI/testing/sysfs-bus-pci: drivers/.../bind takes the device's address. */
        r = mop_write(m, path, d->addr, undo);
        if (r < 0)
                return write_error(m, d, r, what);
        return pci_dev_refresh(d);
}

int pci_to_stub(struct mop *m, struct pci_dev *d, const char *stub) {
        _cleanup_free_ char *undo = NULL;
        int r;

        r = pci_dev_refresh(d);
        if (r < 0)
                return r;
        r = recheck_stub(m, d, stub);
        if (r < 0)
                return r;
        if (!streq_ptr(d->override, stub)) {
                r = set_override(m, d, stub);
                if (r < 0)
                        return r;
        }
        if (d->driver && !streq(d->driver, stub)) {
                undo = strdupf("clear driver_override, then bind it to %s again", d->driver);
                if (!undo)
                        return -ENOMEM;
                r = unbind(m, d, undo);
                if (r < 0)
                        return r;
        }
        if (!d->driver) {
                free(undo);
                undo = strdupf("write '%s' to /sys/bus/pci/drivers/%s/unbind", d->addr, stub);
                if (!undo)
                        return -ENOMEM;
                r = probe(m, d, undo);
                if (r < 0)
                        return r;
        }
        /* The probe reports success even when no driver took the device (its probe() failed). */
        if (!streq_ptr(d->driver, stub))
                return hd_error(m->ctx, -EIO,
                                "%s: the kernel took the request but %s did not bind it (now on %s); see "
                                "'dmesg' for why %s refused it",
                                d->addr, stub, d->driver ? d->driver : "no driver", stub);
        return 0;
}

int pci_give_back(struct mop *m, struct pci_dev *d, const char *stub, const char *orig,
                  const char *override, bool reprobe) {
        int r;

        r = pci_dev_refresh(d);
        if (r < 0)
                return r;
        if (!streq_ptr(d->override, override)) {
                r = set_override(m, d, override);
                if (r < 0)
                        return r;
        }
        if (d->driver && !streq_ptr(d->driver, orig) &&
            ((stub && streq(d->driver, stub)) || pci_driver_is_stub(d->driver))) {
                _cleanup_free_ char *undo = strdupf("write '%s' to /sys/bus/pci/drivers_probe", d->addr);
                if (!undo)
                        return -ENOMEM;
                r = unbind(m, d, undo);
                if (r < 0)
                        return r;
        }
        if (!d->driver && reprobe) {
                _cleanup_free_ char *undo = strdupf("unbind it from whichever driver takes it");
                if (!undo)
                        return -ENOMEM;
                r = probe(m, d, undo);
                if (r < 0)
                        return r;
        }
        /* The driver may not match by id (a new_id'd or override-only one): ask it by name. */
        if (!d->driver && orig && pci_driver_exists(m->ctx, orig)) {
                _cleanup_free_ char *undo = strdupf("write '%s' to /sys/bus/pci/drivers/%s/unbind", d->addr, orig);
                if (!undo)
                        return -ENOMEM;
                r = bind(m, d, orig, undo);
                if (r < 0)
                        return r;
        }
        if (orig ? !streq_ptr(d->driver, orig) : pci_driver_is_stub(d->driver))
                return hd_error(m->ctx, -EIO, "%s: %s did not take it back (now on %s); see 'dmesg'", d->addr,
                                orig ? orig : "no host driver", d->driver ? d->driver : "no driver");
        return 0;
}

char *pci_op_data(const char *stub, const char *orig, const char *override) {
        return strdupf("stub=%s\norig=%s\noverride=%s\n", stub ? stub : "", orig ? orig : "",
                       override ? override : "");
}

static char *since(int64_t t) {
        char buf[64];
        time_t tt = (time_t)t;
        struct tm tm;
        if (!localtime_r(&tt, &tm) || strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm) == 0)
                return strdup("?");
        return strdup(buf);
}

char *record_describe(const struct hd_active *r) {
        _cleanup_free_ char *when = since(r->created);
        if (!when)
                return NULL;
        if (store_record_state(r) == STORE_HELD)
                return strdupf("held by %s:%s%s%s%s since %s", r->owner_driver ? r->owner_driver : "?",
                               r->owner_domain ? r->owner_domain : "?", r->owner_uuid ? " (" : "",
                               r->owner_uuid ? r->owner_uuid : "", r->owner_uuid ? ")" : "", when);
        if (store_record_state(r) == STORE_DETACHED)
                return strdupf("detached to %s by %s since %s", r->stub_driver ? r->stub_driver : "a stub",
                               r->holder ? r->holder : "another process", when);
        return strdupf("being changed by %s since %s", r->holder ? r->holder : "another process", when);
}

int manager_begin_owner(struct hd_context *ctx, const struct hd_owner *owner, int *ret_lock_fd,
                        struct hd_store **ret_store) {
        _cleanup_close_ int fd = -1;
        _cleanup_store_ struct hd_store *s = NULL;
        int r;

        r = store_lock(ctx, &fd);
        if (r < 0)
                return r;
        r = store_open(ctx, 0, &s);
        if (r < 0)
                return r;
        /*
         * What an earlier process left open is put right before anything new
         * starts. A device that cannot be put right stays 'busy' and refuses
         * the next operation on it; the others go on.
         */
        r = recover_locked(ctx, s, NULL);
        if (r == -ENOMEM)
                return r;
        /* Then holds whose process died give their devices back, before the new operation checks anything. */
        r = reclaim_locked(ctx, s, NULL, owner);
        if (r == -ENOMEM)
                return r;
        hd_error_clear(ctx);
        *ret_lock_fd = TAKE_FD(fd);
        *ret_store = TAKE_PTR(s);
        return 0;
}

int manager_begin(struct hd_context *ctx, int *ret_lock_fd, struct hd_store **ret_store) {
        return manager_begin_owner(ctx, NULL, ret_lock_fd, ret_store);
}
