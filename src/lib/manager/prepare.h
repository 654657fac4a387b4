/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What prepare, release and their recovery share: the plan of a domain's devices and each kind's steps. */
#pragma once

#include "hostdev/domain.h"
#include "hostdev/sriov.h"
#include "hostuse.h"
#include "manager-internal.h"

struct plan;
struct plan_item;

/*
 * One kind of device. A prepare resolves every device of the domain (no
 * write), claims them all in one transaction, then takes each in turn; a
 * failure gives back, in reverse, those it began to take. Release and
 * recovery give back from the records alone.
 */
struct kind_ops {
        enum store_kind kind;
        unsigned only_flag; /* HD_MANAGER_ONLY_* */
        /* Find DEF's device, check that it can go to OWNER's guest now, fill it->rec. Writes nothing. */
        int (*resolve)(struct plan *p, struct plan_item *it);
        /* The journaled steps that give it to the guest; NULL: none. */
        int (*take)(struct plan *p, struct plan_item *it);
        /*
         * Undo take from the record alone: idempotent, it looks before each
         * write, and a device gone from the host is nothing to give back.
         * Never called for a record with prev_state. NULL: nothing to undo.
         */
        int (*give_back)(struct mop *m, const struct hd_active *rec);
};

extern const struct kind_ops kind_pci, kind_usb, kind_scsi, kind_mdev, kind_net_vf;
const struct kind_ops *kind_ops_find(enum store_kind kind);

struct plan_item {
        const struct kind_ops *ops;
        const struct hd_hostdev_def *def; /* the element it comes from; NULL when from the store */
        struct hd_active *rec;            /* the record as the guest will hold it */
        bool existed;                     /* rec was in the store ('detached'): held without a write */
        bool join;                        /* a shareable SCSI LUN others hold: only an owner row is added */
        bool skip;                        /* left out (USB startupPolicy) */
        bool started;                     /* take began: undoing gives it back */
        struct pci_dev *pci;              /* pci: the device */
};

struct plan {
        struct hd_context *ctx;
        struct hd_store *s;
        const struct hd_owner *owner;
        unsigned flags;
        struct mop m;
        struct plan_item *items;
        size_t n;
        char **skipped;          /* sentences for the caller: devices left out */
        struct host_uses *uses;  /* plan_host_uses() */
};

void plan_done(struct plan *p);
struct plan_item *plan_add(struct plan *p, const struct kind_ops *ops, const struct hd_hostdev_def *def);
/* A new record for IT: kind, key, state 'busy', this owner. */
int plan_record(struct plan *p, struct plan_item *it, const char *key);
/* The host's own devices, read once per plan. */
int plan_host_uses(struct plan *p, const struct host_uses **ret);
/* A sentence for *ret_skipped. */
int plan_skip(struct plan *p, struct plan_item *it, const char *fmt, ...) _printf_(3, 4);

/*
 * What the store says of it->rec's device: nothing (0), or a record that
 * refuses the device (-EBUSY, naming its holder), or, when DETACHED_OK, a
 * 'detached' record the guest may take as it is (it->existed, 0).
 */
int plan_check_store(struct plan *p, struct plan_item *it, bool detached_ok);
/* A record's device for a person: "0000:01:00.0", "USB device 001:004 (0204:6025)", "SCSI LUN 2:0:0:0" ... */
char *record_name(const struct hd_active *r);
/* Whether the record REC (of OPS's kind) is the device element H names (a USB device by vendor/product wherever it is). */
bool record_matches(const struct hd_active *rec, const struct hd_hostdev_def *h, const struct kind_ops *ops);
/* "qemu:vm1" and friends for messages. */
char *owner_string(const struct hd_owner *o);
/* -EINVAL with a message unless OWNER has a driver and a domain name that can be recorded. */
int owner_check(struct hd_context *ctx, const struct hd_owner *o);

/* The operation's "k=v" data: who it is for. */
char *plan_op_data(const struct hd_owner *o);
/*
 * In one transaction, end the journal's pending step and: every device row
 * OP_ID marked goes back to its prev_state (owner cleared) or is dropped,
 * every sharers row it marked is dropped, and the operation ends STATUS.
 */
int plan_unwind(struct hd_store *s, struct mop *m, int64_t op_id, enum store_op_status status);
/* The same, first writing KEEP's records as they are (no longer the operation's). */
int plan_unwind_keep(struct hd_store *s, struct mop *m, int64_t op_id, enum store_op_status status,
                     struct hd_active *const *keep, size_t n_keep);
/*
 * Give back every row OP_ID marked, newest first, then unwind; REP (may be
 * NULL) hears of each failure. RECOVERING: the rows are another process's
 * (struct mop's recovering).
 */
int plan_give_back_op(struct hd_context *ctx, struct hd_store *s, int64_t op_id, enum store_op_status status,
                      struct hd_report *rep, const char *what, bool recovering);

/*
 * usb (kind-usb.c): the record key of the device U names, read only: from U alone when it gives vendor, product
 * and address, else by looking for it (-ENODEV: none plugged in, -ENOTUNIQ: several match; no message for either).
 */
int usb_find_key(struct hd_context *ctx, const struct hd_hostdev_usb *u, char **ret_key);

/* pci (kind-pci.c): every IOMMU group the plan touches is viable once the plan is taken. */
int pci_plan_check_groups(struct plan *p);

/* The netlink a VF's settings go through (vfnetlink.c): the context's, the real one on "/", or none (-EOPNOTSUPP). */
int manager_vf_netlink(struct hd_context *ctx, const struct hd_vf_netlink_ops **ret);

/* The locked part of hd_manager_prepare, for tests that watch the store (the caller holds store_lock). */
int manager_prepare_locked(struct hd_context *ctx, struct hd_store *s, const struct hd_owner *owner,
                           const struct hd_domain_def *def, unsigned flags, char ***ret_skipped);
int manager_release_locked(struct hd_context *ctx, struct hd_store *s, const struct hd_owner *owner,
                           const struct hd_domain_def *def, unsigned flags);
/* manager_release_locked's own flag, beside enum hd_manager_flags: only the claimed records (hd_manager_unclaim). */
#define MANAGER_RELEASE_CLAIMED_ONLY (1u << 30)
/* recover.c's rows for "prepare" and "release". */
int recover_domain_op(struct hd_context *ctx, struct hd_store *s, const struct store_op *op, struct hd_report *rep);
