/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the manager's files share: journaled writes, PCI moves between drivers, reports. */
#pragma once

#include <stdarg.h>

#include "hostdev/manager.h"
#include "pcidev.h"
#include "store.h"

/* One running operation: every sysfs write it makes is a journal step of OP_ID. */
struct mop {
        struct hd_context *ctx;
        struct hd_store *s;
        int64_t op_id;
        bool store_failed; /* the last mop_write failed in the journal, not in sysfs */
        /*
         * Batch mode (prepare, release): a step is ended in the transaction
         * that records the next one, or in the operation's last one
         * (mop_end_pending), so each step costs one transaction. A step left
         * 'pending' by a crash may or may not have been taken; recovery looks
         * at the device, never at the step's status.
         */
        bool batch;
        int64_t pending_step;
        bool pending_ok;
        /*
         * Recovery: what it does comes from the store, not from checks this
         * process made, so a move to a stub (pci_to_stub, or a stub written to
         * driver_override) is refused where the operation it finishes would
         * have refused it: a device the host runs on, a bridge, a driver that
         * is no stub, vfio-pci for a device in no IOMMU group.
         */
        bool recovering;
};

/*
 * Journal "write VALUE to PATH" (with UNDO, for a person), write it, end the
 * step. A journal failure stops before the write: nothing is written that is
 * not journaled first.
 */
int mop_write(struct mop *m, const char *path, const char *value, const char *undo);
/*
 * The same for a step that is not one sysfs write (a netlink message, an
 * mdev started): record ACTION pending (and, in the same transaction,
 * UPDATE's device row, may be NULL), then the caller acts and ends it.
 */
int mop_step_begin(struct mop *m, const char *action, const char *undo, const struct hd_active *update);
int mop_step_end(struct mop *m, bool ok);
/* Inside the caller's transaction: end the step a batch left pending. */
int mop_end_pending(struct mop *m);

/*
 * Move D to STUB: driver_override, unbind from its driver, drivers_probe,
 * then check the driver link. Returns -EIO when the stub did not bind it.
 * Does not undo: the caller calls pci_give_back.
 */
int pci_to_stub(struct mop *m, struct pci_dev *d, const char *stub);
/*
 * Bring D back from STUB, whatever state it is in: driver_override to
 * OVERRIDE (NULL: cleared), unbind from a stub, drivers_probe when REPROBE,
 * bind ORIG by name if the probe bound nothing. Success means D is on ORIG
 * (or, with ORIG NULL, not on a stub). Idempotent: it looks before each write.
 */
int pci_give_back(struct mop *m, struct pci_dev *d, const char *stub, const char *orig,
                  const char *override, bool reprobe);

/* The "k=v" lines an operation keeps for its recovery. */
char *pci_op_data(const char *stub, const char *orig, const char *override);

/* Who has a record, for messages: "held by qemu:vm1 (UUID) since ...", "detached to vfio-pci by pid 4 (hostdev) since ...". */
char *record_describe(const struct hd_active *r);

/* Finish or undo open operations; the caller holds store_lock. */
int recover_locked(struct hd_context *ctx, struct hd_store *s, struct hd_report *report);

/* Start a changing operation: lock, open the store, recover, give back the devices of holders that died. */
int manager_begin(struct hd_context *ctx, int *ret_lock_fd, struct hd_store **ret_store);
/* The same for an operation on OWNER's own hold (release, tying it anew): that one is the caller's, not reclaimed. */
int manager_begin_owner(struct hd_context *ctx, const struct hd_owner *owner, int *ret_lock_fd,
                        struct hd_store **ret_store);

/* Reports. */
DEFINE_TRIVIAL_CLEANUP_FUNC(struct hd_report *, hd_report_free)
struct hd_report *report_new(const char *subject);
int report_add(struct hd_report *r, enum hd_report_status st, const char *topic, const char *remedy,
               const char *fmt, ...) _printf_(5, 6);
/* What an item may carry besides its words: where its fact was read, and whether hostdev's remedy clears it. */
struct report_meta {
        const char *source;
        bool hostdev_fixes;
};
int report_addm(struct hd_report *r, const struct report_meta *meta, enum hd_report_status st, const char *topic,
                const char *remedy, const char *fmt, ...) _printf_(6, 7);
int report_vadd(struct hd_report *r, const struct report_meta *meta, enum hd_report_status st, const char *topic,
                const char *remedy, const char *fmt, va_list ap) _printf_(6, 0);
/* Order the items worst first (stable): FAIL a person must clear, FAIL hostdev clears, WARN, the rest. */
void report_sort(struct hd_report *r);
