/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hd_manager_prepare: every device of a domain to its guest, or none, each step recorded before it is taken. */
#include <string.h>

#include "prepare.h"
#include "util/strutil.h"

#define ONLY_ANY (HD_MANAGER_ONLY_PCI | HD_MANAGER_ONLY_USB | HD_MANAGER_ONLY_SCSI | HD_MANAGER_ONLY_MDEV | \
                  HD_MANAGER_ONLY_NET_VF)

/* The kinds one element becomes: an interface is its VF as a PCI device, then the VF's network settings. */
static size_t element_kinds(const struct hd_hostdev_def *h, const struct kind_ops *ret[static 2]) {
        switch (h->kind) {
        case HD_HOSTDEV_PCI:
                ret[0] = &kind_pci;
                return 1;
        case HD_HOSTDEV_USB:
                ret[0] = &kind_usb;
                return 1;
        case HD_HOSTDEV_SCSI:
                ret[0] = &kind_scsi;
                return 1;
        case HD_HOSTDEV_MDEV:
                ret[0] = &kind_mdev;
                return 1;
        case HD_HOSTDEV_NET_VF:
                ret[0] = &kind_pci;
                ret[1] = &kind_net_vf;
                return 2;
        default:
                return 0;
        }
}

static bool element_wanted(const struct hd_hostdev_def *h, unsigned flags) {
        const struct kind_ops *k[2];
        if (!(flags & ONLY_ANY))
                return true;
        if (h->kind == HD_HOSTDEV_NET_VF)
                return flags & HD_MANAGER_ONLY_NET_VF;
        return element_kinds(h, k) == 1 && (flags & k[0]->only_flag);
}

static int refuse_caps(struct hd_context *ctx, const struct hd_hostdev_def *h) {
        char line[32] = "";
        if (h->line)
                snprintf(line, sizeof(line), "line %u: ", h->line);
        return hd_error(ctx, -EOPNOTSUPP,
                        "%s<hostdev mode='capabilities' type='%s'> is not for virtual machines: it hands a host "
                        "%s to a container; a guest takes devices with mode='subsystem'",
                        line, hd_hostdev_caps_type_to_string(h->caps.type),
                        h->caps.type == HD_HOSTDEV_CAPS_NET ? "network interface" : "device node");
}

static int plan_build(struct plan *p, const struct hd_domain_def *def) {
        for (size_t i = 0; i < def->n_hostdevs; i++) {
                const struct hd_hostdev_def *h = &def->hostdevs[i];
                const struct kind_ops *kinds[2];
                size_t nk;

                if (h->kind == HD_HOSTDEV_CAPS)
                        return refuse_caps(p->ctx, h);
                if (!element_wanted(h, p->flags))
                        continue;
                nk = element_kinds(h, kinds);
                for (size_t k = 0; k < nk; k++) {
                        struct plan_item *it = plan_add(p, kinds[k], h);
                        int r;
                        if (!it)
                                return -ENOMEM;
                        r = it->ops->resolve(p, it);
                        if (r < 0)
                                return r;
                        if (it->skip)
                                break; /* the element is left out whole */
                }
        }
        /* One device twice would be held twice, and given back twice. */
        for (size_t i = 0; i < p->n; i++)
                for (size_t j = i + 1; j < p->n; j++) {
                        const struct plan_item *a = &p->items[i], *b = &p->items[j];
                        if (a->skip || b->skip || a->ops != b->ops || !streq(a->rec->key, b->rec->key))
                                continue;
                        _cleanup_free_ char *name = record_name(a->rec);
                        return hd_error(p->ctx, -EINVAL, "%s is in the domain twice%s; a device goes to a guest once",
                                        name ? name : a->rec->key,
                                        a->def->kind != b->def->kind ? " (as a <hostdev> and as an <interface>)" : "");
                }
        return 0;
}

/* One transaction: the operation and every device's record, so no other process can take one meanwhile. */
static int claim(struct plan *p) {
        _cleanup_free_ char *who = owner_string(p->owner), *data = plan_op_data(p->owner);
        int r;

        if (!who || !data)
                return -ENOMEM;
        r = store_begin(p->s);
        if (r < 0)
                return r;
        r = store_op_begin(p->s, "prepare", "domain", who, data, &p->m.op_id);
        for (size_t i = 0; r >= 0 && i < p->n; i++) {
                struct plan_item *it = &p->items[i];
                if (it->skip)
                        continue;
                if (it->join)
                        r = store_sharer_add(p->s, it->rec->kind, it->rec->key, p->owner, it->rec->readonly, p->m.op_id);
                else if (it->existed)
                        r = store_device_update(p->s, it->rec, p->m.op_id);
                else {
                        r = store_device_add(p->s, it->rec, p->m.op_id);
                        if (r == -EEXIST) {
                                _cleanup_free_ char *name = record_name(it->rec);
                                r = hd_error(p->ctx, -EBUSY, "%s was taken by another process meanwhile; try again",
                                             name ? name : it->rec->key);
                        }
                        if (r >= 0 && it->rec->shareable)
                                r = store_sharer_add(p->s, it->rec->kind, it->rec->key, p->owner, it->rec->readonly,
                                                     p->m.op_id);
                }
        }
        if (r >= 0)
                r = store_commit(p->s);
        if (r < 0)
                store_rollback(p->s);
        return r;
}

/* One transaction: every device held, the last step ended, the operation done. */
static int commit(struct plan *p) {
        int r = store_begin(p->s);
        if (r < 0)
                return r;
        r = mop_end_pending(&p->m);
        for (size_t i = 0; r >= 0 && i < p->n; i++) {
                struct plan_item *it = &p->items[i];
                if (it->skip || it->join)
                        continue;
                r = store_record_set_state(it->rec, STORE_HELD);
                if (r >= 0)
                        r = store_device_update(p->s, it->rec, 0);
        }
        if (r >= 0)
                r = store_sharers_keep_op(p->s, p->m.op_id);
        if (r >= 0)
                r = store_op_finish(p->s, p->m.op_id, STORE_OP_DONE);
        if (r >= 0)
                r = store_commit(p->s);
        if (r < 0)
                store_rollback(p->s);
        return r;
}

/* Take back what this prepare took, keeping the message of what failed. */
static int undo(struct plan *p, int err, size_t failed_at) {
        _cleanup_free_ char *msg = strdup_or_null(hd_context_last_error(p->ctx)), *more = NULL;
        bool earlier = false;
        int r;

        for (size_t i = 0; i < failed_at; i++)
                if (p->items[i].started && !p->items[i].join)
                        earlier = true;
        r = plan_give_back_op(p->ctx, p->s, p->m.op_id, STORE_OP_UNDONE, NULL, "undoing the prepare", false);
        if (r == -ENOMEM || err == -ENOMEM)
                return -ENOMEM;
        if (r < 0)
                more = strdupf("undoing it failed too (%s); run 'hostdev recover'",
                               hd_context_last_error(p->ctx) ? hd_context_last_error(p->ctx) : strerror(-r));
        else if (earlier)
                more = strdup("the devices taken before it are back as they were");
        if (!msg)
                return hd_error(p->ctx, err, "preparing the domain failed: %s%s%s", strerror(-err), more ? "; " : "",
                                more ? more : "");
        return hd_error(p->ctx, err, "%s%s%s", msg, more ? "; " : "", more ? more : "");
}

int manager_prepare_locked(struct hd_context *ctx, struct hd_store *s, const struct hd_owner *owner,
                           const struct hd_domain_def *def, unsigned flags, char ***ret_skipped) {
        struct plan p = { .ctx = ctx, .s = s, .owner = owner, .flags = flags,
                          .m = { .ctx = ctx, .s = s, .batch = true } };
        size_t taken = 0;
        int r;

        r = owner_check(ctx, owner);
        if (r < 0)
                return r;
        r = plan_build(&p, def);
        if (r >= 0)
                r = pci_plan_check_groups(&p);
        if (r < 0)
                goto out;
        for (size_t i = 0; i < p.n; i++)
                if (!p.items[i].skip)
                        taken++;
        if (taken > 0) {
                r = claim(&p);
                if (r < 0)
                        goto out;
                for (size_t i = 0; i < p.n; i++) {
                        struct plan_item *it = &p.items[i];
                        if (it->skip || it->join)
                                continue;
                        it->started = true;
                        r = it->ops->take ? it->ops->take(&p, it) : 0;
                        if (r < 0) {
                                r = undo(&p, r, i);
                                goto out;
                        }
                }
                r = commit(&p);
                if (r < 0) {
                        r = undo(&p, r, p.n);
                        goto out;
                }
        }
        if (ret_skipped)
                *ret_skipped = TAKE_PTR(p.skipped);
        r = 0;
out:
        plan_done(&p);
        return r;
}

int hd_manager_prepare(struct hd_context *ctx, const struct hd_owner *owner, const struct hd_domain_def *def,
                       unsigned flags, char ***ret_skipped) {
        _cleanup_close_ int lock = -1;
        _cleanup_store_ struct hd_store *s = NULL;
        int r;

        hd_error_clear(ctx);
        if (ret_skipped)
                *ret_skipped = NULL;
        r = owner_check(ctx, owner);
        if (r < 0)
                return r;
        if (!def)
                return hd_error(ctx, -EINVAL, "no domain to prepare");
        r = manager_begin(ctx, &lock, &s);
        if (r < 0)
                return r;
        return manager_prepare_locked(ctx, s, owner, def, flags, ret_skipped);
}
