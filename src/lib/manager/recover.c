/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hd_recover: finish or undo what a crashed process left open, so devices and records agree. */
#include <string.h>

#include "doctor.h"
#include "manager-internal.h"
#include "prepare.h"
#include "reclaim.h"
#include "util/strutil.h"

/* The device row (if it is still this operation's) to DEV_STATE, or dropped (_STORE_STATE_INVALID); the op closed. */
static int close_op(struct hd_store *s, const struct store_op *op, enum store_op_status op_status,
                    enum store_state dev_state) {
        enum store_kind kind = store_kind_from_string(op->kind);
        struct hd_active *rec = NULL;
        int64_t owner_op = 0;
        int r = store_begin(s);

        if (r < 0)
                return r;
        r = kind < 0 ? -ENOENT : store_device_get(s, kind, op->key, &rec, &owner_op);
        if (r >= 0 && owner_op == op->id) {
                if (dev_state >= 0) {
                        r = store_record_set_state(rec, dev_state);
                        if (r >= 0)
                                r = store_device_update(s, rec, 0);
                } else
                        r = store_device_delete(s, kind, op->key);
        } else if (r == -ENOENT)
                r = 0;
        hd_active_free(rec);
        if (r >= 0)
                r = store_op_finish(s, op->id, op_status);
        if (r >= 0)
                r = store_commit(s);
        if (r < 0)
                store_rollback(s);
        return r;
}

/*
 * A detach that did not end is undone (its caller never heard it worked); a
 * reattach is finished (its caller asked for the device back). When the
 * device will not go back to its driver, it goes to the stub and stays
 * recorded as detached: whole either way.
 */
static int recover_pci(struct hd_context *ctx, struct hd_store *s, const struct store_op *op,
                       struct hd_report *rep) {
        _cleanup_pci_dev_ struct pci_dev *d = NULL;
        _cleanup_free_ char *stub = NULL, *orig = NULL, *override = NULL;
        struct mop m = { .ctx = ctx, .s = s, .op_id = op->id, .recovering = true };
        bool detach = streq(op->op, "pci-detach");
        int r;

        if (data_get(op->data, "stub", &stub) < 0 || data_get(op->data, "orig", &orig) < 0 ||
            data_get(op->data, "override", &override) < 0)
                return -ENOMEM;
        r = pci_dev_open(ctx, op->key, &d);
        if (r == -ENODEV || r == -EINVAL) {
                hd_error_clear(ctx);
                r = close_op(s, op, STORE_OP_FAILED, _STORE_STATE_INVALID);
                if (r < 0)
                        return r;
                return report_add(rep, HD_REPORT_WARN, "recover", NULL,
                                  "%s: the %s left by %s found the device gone; its record is dropped", op->key,
                                  op->op, op->holder ? op->holder : "a process");
        }
        if (r < 0)
                return r;
        /* An undone detach restores the override it found; a finished reattach clears it. */
        r = pci_give_back(&m, d, stub, orig, detach ? override : NULL, detach ? orig != NULL : true);
        if (r >= 0) {
                r = close_op(s, op, detach ? STORE_OP_UNDONE : STORE_OP_DONE, _STORE_STATE_INVALID);
                if (r < 0)
                        return r;
                return report_add(rep, HD_REPORT_OK, "recover", NULL, "%s: the %s left by %s is %s; it is on %s",
                                  d->addr, op->op, op->holder ? op->holder : "a process",
                                  detach ? "undone" : "finished", d->driver ? d->driver : "no driver");
        }
        if (r == -ENOMEM)
                return r;
        {
                _cleanup_free_ char *why = strdup_or_null(hd_context_last_error(ctx));
                if (stub && pci_to_stub(&m, d, stub) >= 0) {
                        r = close_op(s, op, STORE_OP_FAILED, STORE_DETACHED);
                        if (r < 0)
                                return r;
                        return report_add(rep, HD_REPORT_WARN, "recover", "hostdev reattach (after checking dmesg)",
                                          "%s: the %s left by %s could not give it back (%s); it is on %s, "
                                          "recorded as detached",
                                          d->addr, op->op, op->holder ? op->holder : "a process",
                                          why ? why : "?", stub);
                }
                /* Left open: the next operation tries again. */
                return report_add(rep, HD_REPORT_FAIL, "recover", "see 'dmesg', then run 'hostdev recover' again",
                                  "%s: the %s left by %s could not be finished nor undone: %s", d->addr, op->op,
                                  op->holder ? op->holder : "a process",
                                  hd_context_last_error(ctx) ? hd_context_last_error(ctx) : why ? why : "?");
        }
}

static int recover_reset(struct hd_context *ctx, struct hd_store *s, const struct store_op *op,
                         struct hd_report *rep) {
        _cleanup_free_ char *restore = NULL, *old = NULL;
        int r;

        /* A reset has nothing to undo and cannot be finished safely; a `reset --method` gets its list back. */
        if (data_get(op->data, "restore", &restore) < 0 || data_get(op->data, "old_methods", &old) < 0)
                return -ENOMEM;
        if (restore) {
                _cleanup_pci_dev_ struct pci_dev *d = NULL;
                struct mop m = { .ctx = ctx, .s = s, .op_id = op->id, .recovering = true };
                r = pci_dev_open(ctx, op->key, &d);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        hd_error_clear(ctx); /* gone: nothing to put back */
                else if ((r = pci_reset_method_restore(&m, d, old)) < 0)
                        return r == -ENOMEM ? r
                                            : report_add(rep, HD_REPORT_FAIL, "recover",
                                                         "see 'dmesg', then run 'hostdev recover' again",
                                                         "%s: the reset left by %s set reset_method, which cannot be "
                                                         "put back to '%s': %s",
                                                         op->key, op->holder ? op->holder : "a process",
                                                         old ? old : "default", strerror(-r));
        }
        r = close_op(s, op, STORE_OP_FAILED, _STORE_STATE_INVALID);
        if (r < 0)
                return r;
        if (restore)
                return report_add(rep, HD_REPORT_OK, "recover", NULL,
                                  "%s: the reset left by %s is closed; reset_method is back to '%s'", op->key,
                                  op->holder ? op->holder : "a process", old ? old : "default");
        return report_add(rep, HD_REPORT_OK, "recover", NULL, "%s: the reset left by %s is closed", op->key,
                          op->holder ? op->holder : "a process");
}

/* Each kind of operation and how to put it right; a new operation adds its row. */
static const struct {
        const char *op;
        int (*recover)(struct hd_context *ctx, struct hd_store *s, const struct store_op *op,
                       struct hd_report *rep);
} recoverers[] = {
        { "pci-detach", recover_pci },
        { "pci-reattach", recover_pci },
        { "pci-reset", recover_reset },
        { "prepare", recover_domain_op }, /* undone: every device back as it was */
        { "release", recover_domain_op }, /* finished: every device given back */
};

int recover_locked(struct hd_context *ctx, struct hd_store *s, struct hd_report *rep) {
        struct store_op *ops = NULL;
        size_t n = 0;
        int r, failed = 0, count = 0;
        /* Failures are counted from the report's items, so there always is one. */
        _cleanup_(hd_report_freep) struct hd_report *own = NULL;

        if (!rep && !(rep = own = report_new(NULL)))
                return -ENOMEM;
        r = store_ops_open(s, &ops, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                const struct store_op *op = &ops[i];
                size_t before = rep->n_items;
                bool known = false;

                for (size_t k = 0; k < ELEMENTSOF(recoverers); k++)
                        if (streq(recoverers[k].op, op->op)) {
                                known = true;
                                r = recoverers[k].recover(ctx, s, op, rep);
                                break;
                        }
                if (!known)
                        r = report_add(rep, HD_REPORT_FAIL, "recover", "use a newer hostdev",
                                       "%s %s: an open '%s' this hostdev does not know", op->kind, op->key,
                                       op->op);
                if (r < 0) {
                        store_ops_free(ops, n);
                        return r;
                }
                count++;
                if (rep->n_items > before && rep->items[rep->n_items - 1].status == HD_REPORT_FAIL)
                        failed++;
        }
        store_ops_free(ops, n);
        if (failed)
                return hd_error(ctx, -EIO, "%d interrupted operation%s could not be put right; see 'hostdev recover'",
                                failed, failed > 1 ? "s" : "");
        return count;
}

int hd_recover(struct hd_context *ctx, struct hd_report **ret_report) {
        _cleanup_close_ int lock = -1;
        _cleanup_store_ struct hd_store *s = NULL;
        struct hd_report *rep = NULL;
        int r;

        hd_error_clear(ctx);
        r = store_lock(ctx, &lock);
        if (r < 0)
                return r;
        r = store_open(ctx, 0, &s);
        if (r < 0)
                return r;
        rep = report_new(NULL);
        if (!rep)
                return -ENOMEM;
        r = recover_locked(ctx, s, rep);
        if (r != -ENOMEM) {
                /* Holds whose process died: after the open operations, so every record that can be is whole. */
                int k = reclaim_locked(ctx, s, rep, NULL);
                if (k < 0)
                        r = k;
        }
        if (r >= 0)
                store_prune(s);
        if (ret_report)
                *ret_report = rep;
        else
                hd_report_free(rep);
        return r;
}
