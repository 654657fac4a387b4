/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A "detached" record that a reboot made stale: the store kept it, the new boot gave the device another driver. */
#include <errno.h>
#include <string.h>

#include "context-internal.h"
#include "hostdev/persist.h"
#include "inventory/pci-rules.h"
#include "manager/manager-internal.h"
#include "manager/pcidev.h"
#include "manager/store.h"

int hd_pci_forget_stale(struct hd_context *ctx, const char *addr) {
        _cleanup_close_ int lock = -1;
        _cleanup_store_ struct hd_store *s = NULL;
        _cleanup_pci_dev_ struct pci_dev *d = NULL;
        struct hd_active *rec = NULL;
        int r;

        hd_error_clear(ctx);
        r = manager_begin(ctx, &lock, &s);
        if (r < 0)
                return r;
        r = pci_dev_open(ctx, addr, &d);
        if (r < 0)
                return r;
        /* One transaction under the store's lock, no sysfs step: nothing for a journal to finish or undo. */
        r = store_begin(s);
        if (r < 0)
                return r;
        r = store_device_get(s, STORE_PCI, d->addr, &rec, NULL);
        if (r >= 0 && (store_record_state(rec) != STORE_DETACHED || pci_driver_is_stub(d->driver)))
                /* Held by a guest, busy, or on a stub as recorded: a record to keep. */
                r = hd_error(ctx, -EBUSY, "%s: its record is %s and it is on %s: not left over from a reboot", d->addr,
                             rec->state, d->driver ? d->driver : "no driver");
        if (r >= 0)
                r = store_device_delete(s, STORE_PCI, d->addr);
        if (r >= 0)
                r = store_commit(s);
        if (r < 0)
                store_rollback(s);
        hd_active_free(rec);
        return r;
}
