/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hd_manager_release: what an owner holds back to the host, in the reverse of the order it was taken. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "prepare.h"
#include "util/strutil.h"

static bool kind_wanted(enum store_kind kind, unsigned flags) {
        const struct kind_ops *ops = kind_ops_find(kind);
        unsigned only = flags & (HD_MANAGER_ONLY_PCI | HD_MANAGER_ONLY_USB | HD_MANAGER_ONLY_SCSI | HD_MANAGER_ONLY_MDEV |
                                 HD_MANAGER_ONLY_NET_VF);
        return ops && (!only || (only & ops->only_flag));
}

/* OWNER's records to give back, in order: DEF's elements last to first (each interface's network side first). */
static int select_rows(struct hd_active *rows, size_t n, const struct hd_domain_def *def, unsigned flags,
                       struct hd_active ***ret, size_t *ret_n) {
        struct hd_active **v = calloc(n + 1, sizeof(*v));
        size_t k = 0;

        if (!v)
                return -ENOMEM;
        if (!def) {
                for (size_t i = 0; i < n; i++) {
                        /* A VF's PCI record goes with its network settings, as the interface it came from. */
                        bool vf = false;
                        for (size_t j = 0; j < n; j++)
                                vf |= store_record_kind(&rows[i]) == STORE_PCI &&
                                      store_record_kind(&rows[j]) == STORE_NET_VF &&
                                      streq(rows[j].key, rows[i].key);
                        if (kind_wanted(vf ? STORE_NET_VF : store_record_kind(&rows[i]), flags))
                                v[k++] = &rows[i];
                }
        } else
                for (size_t e = def->n_hostdevs; e-- > 0;) {
                        const struct hd_hostdev_def *h = &def->hostdevs[e];
                        const struct kind_ops *kinds[2];
                        size_t nk = 0;

                        if (h->kind == HD_HOSTDEV_NET_VF) {
                                /* An interface's VF is released with it, whichever ONLY flag names it. */
                                if (!kind_wanted(STORE_NET_VF, flags))
                                        continue;
                                kinds[nk++] = &kind_net_vf;
                                kinds[nk++] = &kind_pci;
                        } else {
                                const struct kind_ops *o = h->kind == HD_HOSTDEV_PCI    ? &kind_pci
                                                           : h->kind == HD_HOSTDEV_USB  ? &kind_usb
                                                           : h->kind == HD_HOSTDEV_SCSI ? &kind_scsi
                                                           : h->kind == HD_HOSTDEV_MDEV ? &kind_mdev
                                                                                        : NULL;
                                if (!o || !kind_wanted(o->kind, flags))
                                        continue;
                                kinds[nk++] = o;
                        }
                        for (size_t t = 0; t < nk; t++)
                                for (size_t i = 0; i < n; i++) {
                                        bool taken = false;
                                        for (size_t j = 0; j < k; j++)
                                                taken |= v[j] == &rows[i];
                                        if (!taken && record_matches(&rows[i], h, kinds[t])) {
                                                v[k++] = &rows[i];
                                                break;
                                        }
                                }
                }
        *ret = v;
        *ret_n = k;
        return 0;
}

/* A shared LUN others still hold: only this owner's name goes. */
static bool leaves_others(const struct hd_active *rec) {
        return rec->shareable && strv_length(rec->sharers) > 1;
}

static int mark(struct hd_store *s, const struct hd_owner *owner, struct hd_active *const *v, size_t n, int64_t *op_id) {
        _cleanup_free_ char *who = owner_string(owner), *data = plan_op_data(owner);
        int r;

        if (!who || !data)
                return -ENOMEM;
        r = store_begin(s);
        if (r < 0)
                return r;
        r = store_op_begin(s, "release", "domain", who, data, op_id);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                if (leaves_others(v[i])) {
                        r = store_sharer_mark(s, v[i]->kind, v[i]->key, owner, *op_id);
                        continue;
                }
                r = store_record_set_state(v[i], STORE_BUSY);
                if (r >= 0)
                        r = store_device_update(s, v[i], *op_id);
        }
        if (r >= 0)
                r = store_commit(s);
        if (r < 0)
                store_rollback(s);
        return r;
}

int manager_release_locked(struct hd_context *ctx, struct hd_store *s, const struct hd_owner *owner,
                           const struct hd_domain_def *def, unsigned flags) {
        struct mop m = { .ctx = ctx, .s = s, .batch = true };
        struct hd_active *rows = NULL, **v = NULL, **keep = NULL;
        struct strbuf why = {};
        size_t n = 0, nv = 0, nk = 0;
        int r;

        r = owner_check(ctx, owner);
        if (r < 0)
                return r;
        r = store_owner_devices(s, owner, &rows, &n);
        if (r >= 0)
                r = select_rows(rows, n, def, flags, &v, &nv);
        if (r >= 0 && (flags & MANAGER_RELEASE_CLAIMED_ONLY)) {
                size_t k = 0;
                for (size_t i = 0; i < nv; i++)
                        if (v[i]->claimed)
                                v[k++] = v[i];
                nv = k;
        }
        if (r < 0 || nv == 0)
                goto out;
        keep = calloc(nv, sizeof(*keep));
        if (!keep) {
                r = -ENOMEM;
                goto out;
        }
        r = mark(s, owner, v, nv, &m.op_id);
        if (r < 0)
                goto out;
        for (size_t i = 0; i < nv; i++) {
                struct hd_active *rec = v[i];
                const struct kind_ops *ops = kind_ops_find(store_record_kind(rec));
                _cleanup_free_ char *name = NULL;

                /* A claimed device's launcher gives it back itself: hostdev only drops the record. */
                if (leaves_others(rec) || rec->prev_state || rec->claimed || !ops || !ops->give_back)
                        continue;
                hd_error_clear(ctx);
                r = ops->give_back(&m, rec);
                if (r >= 0)
                        continue;
                if (r == -ENOMEM)
                        goto out;
                /* Kept whole and held, so a later release can try again: a PCI device goes to its stub. */
                name = record_name(rec);
                {
                        const char *msg = hd_context_last_error(ctx);
                        /* The kind's own message names the device already, mostly. */
                        if (msg && strneq(msg, rec->key, strlen(rec->key)))
                                strbuf_appendf(&why, "%s%s", why.len ? "; " : "", msg);
                        else
                                strbuf_appendf(&why, "%s%s: %s", why.len ? "; " : "", name ? name : rec->key,
                                               msg ? msg : strerror(-r));
                }
                if (store_record_kind(rec) == STORE_PCI && rec->stub_driver) {
                        _cleanup_pci_dev_ struct pci_dev *d = NULL;
                        if (pci_dev_open(ctx, rec->key, &d) >= 0)
                                (void)pci_to_stub(&m, d, rec->stub_driver);
                }
                r = store_record_set_state(rec, STORE_HELD);
                if (r < 0)
                        goto out;
                keep[nk++] = rec;
        }
        r = plan_unwind_keep(s, &m, m.op_id, nk ? STORE_OP_FAILED : STORE_OP_DONE, keep, nk);
        if (r >= 0 && nk)
                r = hd_error(ctx, -EIO, "%zu of %zu devices could not be given back and stay held by %s:%s: %s; "
                             "once that is fixed, run 'hostdev release' again",
                             nk, nv, owner->driver, owner->domain, why.s ? why.s : "?");
        else if (r >= 0)
                r = (int)nv;
out:
        strbuf_done(&why);
        free(keep);
        free(v);
        hd_active_list_free(rows, n);
        return r;
}

int hd_manager_release(struct hd_context *ctx, const struct hd_owner *owner, const struct hd_domain_def *def,
                       unsigned flags) {
        _cleanup_close_ int lock = -1;
        _cleanup_store_ struct hd_store *s = NULL;
        int r;

        hd_error_clear(ctx);
        r = owner_check(ctx, owner);
        if (r < 0)
                return r;
        r = manager_begin_owner(ctx, owner, &lock, &s);
        if (r < 0)
                return r;
        return manager_release_locked(ctx, s, owner, def, flags);
}
