/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hd_manager_claim and hd_manager_unclaim: a launcher that prepares its devices itself (libvirt) recorded in the store. */
#include <stdio.h>
#include <string.h>

#include "prepare.h"
#include "util/strutil.h"

/* One device of the domain: its record key, and what the store says of it. */
struct claim_item {
        enum store_kind kind;
        char *key;
        const struct hd_hostdev_def *def;
        struct hd_active *cur; /* its row now, or NULL */
};

struct claim {
        struct hd_context *ctx;
        const struct hd_owner *owner;
        unsigned flags;
        struct claim_item *items;
        size_t n;
};

static void claim_done(struct claim *c) {
        for (size_t i = 0; i < c->n; i++) {
                free(c->items[i].key);
                hd_active_free(c->items[i].cur);
        }
        free(c->items);
}

static int claim_add(struct claim *c, enum store_kind kind, char *key, const struct hd_hostdev_def *def) {
        struct claim_item *v;

        if (!key)
                return -ENOMEM;
        /* One device twice would be recorded once and dropped once: say it, as prepare does. */
        for (size_t i = 0; i < c->n; i++)
                if (c->items[i].kind == kind && streq(c->items[i].key, key)) {
                        int r = hd_error(c->ctx, -EINVAL, "%s is in the domain twice; a device goes to a guest once",
                                         key);
                        free(key);
                        return r;
                }
        v = realloc(c->items, (c->n + 1) * sizeof(*v));
        if (!v) {
                free(key);
                return -ENOMEM;
        }
        c->items = v;
        c->items[c->n++] = (struct claim_item){ .kind = kind, .key = key, .def = def };
        return 0;
}

/*
 * The record key of H, from the XML alone where it says enough: libvirt binds
 * the drivers itself, and a device that is not there is libvirt's to report.
 * Only a USB device named by vendor/product or by address alone is looked up.
 */
static int claim_element(struct claim *c, const struct hd_hostdev_def *h) {
        char a[20];
        unsigned host;
        int n = 0, r;

        switch (h->kind) {
        case HD_HOSTDEV_PCI:
                return claim_add(c, STORE_PCI, strdup(hd_pci_addr_format(&h->pci.addr, a)), h);
        case HD_HOSTDEV_NET_VF:
                /* libvirt sets the VF's MAC and VLAN itself: only the function is recorded. */
                return claim_add(c, STORE_PCI, strdup(hd_pci_addr_format(&h->net_vf.pci.addr, a)), h);
        case HD_HOSTDEV_SCSI:
                if (h->scsi.protocol == HD_SCSI_PROTOCOL_ISCSI)
                        return 0; /* QEMU opens the target itself: nothing of the host's to hold */
                if (!h->scsi.adapter || sscanf(h->scsi.adapter, "scsi_host%u%n", &host, &n) != 1 || h->scsi.adapter[n])
                        return hd_error(c->ctx, -EINVAL, "SCSI adapter '%s' is not a host adapter name such as scsi_host0",
                                        h->scsi.adapter ? h->scsi.adapter : "");
                return claim_add(c, STORE_SCSI, strdupf("%u:%u:%u:%llu", host, h->scsi.bus, h->scsi.target, h->scsi.unit),
                                 h);
        case HD_HOSTDEV_MDEV:
                return claim_add(c, STORE_MDEV, strdup(h->mdev.uuid), h);
        case HD_HOSTDEV_USB: {
                char *key = NULL;
                r = usb_find_key(c->ctx, &h->usb, &key);
                if (r == -ENODEV && h->usb.startup_policy != HD_STARTUP_POLICY_DEFAULT &&
                    h->usb.startup_policy != HD_STARTUP_POLICY_MANDATORY)
                        return 0; /* libvirt leaves it out too */
                if (r == -ENODEV && h->usb.has_product)
                        return hd_error(c->ctx, r, "no USB device %04x:%04x on this host; plug it in, or say "
                                        "startupPolicy='optional'",
                                        h->usb.vendor, h->usb.product);
                if (r == -ENODEV)
                        return hd_error(c->ctx, r, "no USB device at bus %u device %u on this host; plug it in, or "
                                        "say startupPolicy='optional'",
                                        h->usb.bus, h->usb.device);
                if (r == -ENOTUNIQ)
                        return hd_error(c->ctx, r, "several USB devices are %04x:%04x; add <address bus= device=/> "
                                        "to pick one",
                                        h->usb.vendor, h->usb.product);
                if (r < 0)
                        return r;
                return claim_add(c, STORE_USB, key, h);
        }
        default:
                return 0; /* <hostdev mode='capabilities'> is for containers: nothing to record */
        }
}

/* Whether OWNER may have the device as its row says now: nobody's, detached by hand, or (again) its own. */
static int claim_check(struct claim *c, struct hd_store *s, struct claim_item *it) {
        _cleanup_free_ char *who = NULL, *me = NULL;
        const char *hint = NULL;
        int r = store_device_get(s, it->kind, it->key, &it->cur, NULL);

        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (store_record_state(it->cur) == STORE_DETACHED)
                return 0;
        if (store_record_state(it->cur) == STORE_HELD && store_owner_is(it->cur, c->owner)) {
                if (c->flags & HD_MANAGER_AGAIN)
                        return 0;
                hint = "this owner has it already; unclaim it first, or claim --again after a reconnect";
        } else if (store_record_state(it->cur) == STORE_BUSY)
                hint = "if that process is gone, run 'hostdev recover'";
        who = record_describe(it->cur);
        me = owner_string(c->owner);
        if (!who || !me)
                return -ENOMEM;
        return hd_error(c->ctx, -EBUSY, "%s is %s; %s cannot have it%s%s", it->key, who, me, hint ? "; " : "",
                        hint ? hint : "");
}

/* The row OWNER's guest holds: a new one, or the detached one with the state it goes back to. */
static int claim_row(struct claim *c, struct claim_item *it, struct hd_active **ret, bool *ret_new) {
        struct hd_active *rec;

        if (it->cur && store_record_state(it->cur) == STORE_HELD) {
                *ret = NULL; /* the owner's own, claimed again: as it is */
                return 0;
        }
        if (it->cur) {
                rec = TAKE_PTR(it->cur);
                free(rec->prev_state);
                rec->prev_state = TAKE_PTR(rec->state);
                if (store_record_set_state(rec, STORE_HELD) < 0) {
                        hd_active_free(rec);
                        return -ENOMEM;
                }
                *ret_new = false;
        } else {
                rec = store_record_new(it->kind, it->key, STORE_HELD);
                if (!rec)
                        return -ENOMEM;
                rec->managed = it->def->managed;
                *ret_new = true;
        }
        free(rec->owner_driver);
        free(rec->owner_domain);
        free(rec->owner_uuid);
        rec->owner_driver = strdup(c->owner->driver);
        rec->owner_domain = strdup(c->owner->domain);
        rec->owner_uuid = strdup_or_null(c->owner->uuid);
        rec->claimed = true;
        if (!rec->owner_driver || !rec->owner_domain || (c->owner->uuid && !rec->owner_uuid)) {
                hd_active_free(rec);
                return -ENOMEM;
        }
        *ret = rec;
        return 0;
}

/* One transaction: the operation, done, and every row; nothing is written to sysfs, so nothing is left to recover. */
static int claim_write(struct claim *c, struct hd_store *s, int *ret_written) {
        _cleanup_free_ char *who = owner_string(c->owner), *data = plan_op_data(c->owner);
        int64_t op_id = 0;
        int r, written = 0;

        if (!who || !data)
                return -ENOMEM;
        r = store_begin(s);
        if (r < 0)
                return r;
        r = store_op_begin(s, "claim", "domain", who, data, &op_id);
        for (size_t i = 0; r >= 0 && i < c->n; i++) {
                struct hd_active *rec = NULL;
                bool fresh = false;
                r = claim_row(c, &c->items[i], &rec, &fresh);
                if (r < 0 || !rec)
                        continue;
                r = fresh ? store_device_add(s, rec, 0) : store_device_update(s, rec, 0);
                if (r == -EEXIST)
                        r = hd_error(c->ctx, -EBUSY, "%s was taken by another process meanwhile; try again", rec->key);
                hd_active_free(rec);
                written++;
        }
        if (r >= 0)
                r = store_op_finish(s, op_id, STORE_OP_DONE);
        if (r >= 0)
                r = store_commit(s);
        if (r < 0) {
                store_rollback(s);
                return r;
        }
        *ret_written = written;
        return 0;
}

int hd_manager_claim(struct hd_context *ctx, const struct hd_owner *owner, const struct hd_domain_def *def,
                     unsigned flags) {
        _cleanup_close_ int lock = -1;
        _cleanup_store_ struct hd_store *s = NULL;
        struct claim c = { .ctx = ctx, .owner = owner, .flags = flags };
        int r, written = 0;

        hd_error_clear(ctx);
        r = owner_check(ctx, owner);
        if (r < 0)
                return r;
        if (!def)
                return hd_error(ctx, -EINVAL, "no domain to claim");
        for (size_t i = 0; i < def->n_hostdevs; i++) {
                r = claim_element(&c, &def->hostdevs[i]);
                if (r < 0)
                        goto out;
        }
        /* A guest without host devices never opens (or creates) the store: libvirt's hook stays quick. */
        if (c.n == 0) {
                r = 0;
                goto out;
        }
        r = manager_begin(ctx, &lock, &s);
        if (r < 0)
                goto out;
        /* Every refusal before any write: all or nothing. */
        for (size_t i = 0; i < c.n; i++) {
                r = claim_check(&c, s, &c.items[i]);
                if (r < 0)
                        goto out;
        }
        r = claim_write(&c, s, &written);
        if (r >= 0)
                r = written;
out:
        claim_done(&c);
        return r;
}

int hd_manager_unclaim(struct hd_context *ctx, const struct hd_owner *owner) {
        _cleanup_close_ int lock = -1;
        _cleanup_store_ struct hd_store *s = NULL;
        int r;

        hd_error_clear(ctx);
        r = owner_check(ctx, owner);
        if (r < 0)
                return r;
        r = manager_begin(ctx, &lock, &s);
        if (r < 0)
                return r;
        return manager_release_locked(ctx, s, owner, NULL, MANAGER_RELEASE_CLAIMED_ONLY);
}
