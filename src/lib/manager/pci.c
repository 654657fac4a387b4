/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hd_pci_detach and hd_pci_reattach: a PCI device to a stub driver and back, journaled and recorded. */
#include <string.h>

#include "doctor.h"
#include "kmod.h"
#include "util/strutil.h"

static bool streq_ptr(const char *a, const char *b) {
        return a && b ? streq(a, b) : a == b;
}

/* Keep a message across the calls that undo a failure (they set their own). */
struct saved_error {
        char *msg;
};
static void saved_error_done(struct saved_error *e) {
        free(e->msg);
}
static struct saved_error save_error(struct hd_context *ctx) {
        return (struct saved_error){ .msg = strdup_or_null(hd_context_last_error(ctx)) };
}
static int restore_error(struct hd_context *ctx, struct saved_error *e, int r, const char *extra) {
        if (!e->msg)
                return r;
        if (extra)
                return hd_error(ctx, r, "%s; %s", e->msg, extra);
        return hd_error(ctx, r, "%s", e->msg);
}

static int busy_error(struct hd_context *ctx, const char *addr, const struct hd_active *rec, bool already,
                      const char *hint) {
        _cleanup_free_ char *who = record_describe(rec);
        if (!who)
                return -ENOMEM;
        return hd_error(ctx, -EBUSY, "%s is %s%s%s%s", addr,
                        already && store_record_state(rec) != STORE_BUSY ? "already " : "", who, hint ? "; " : "",
                        hint ? hint : "");
}

/* End an operation: drop or update the PCI device's row and close the op, in one transaction. */
static int finish(struct hd_store *s, int64_t op_id, enum store_op_status op_status, const struct hd_active *keep,
                  const char *key) {
        int r = store_begin(s);
        if (r < 0)
                return r;
        r = keep ? store_device_update(s, keep, 0) : store_device_delete(s, STORE_PCI, key);
        if (r >= 0)
                r = store_op_finish(s, op_id, op_status);
        if (r >= 0)
                r = store_commit(s);
        if (r < 0)
                store_rollback(s);
        return r;
}

static int refuse_host_use(struct hd_context *ctx, const struct pci_dev *d, const struct host_uses *uses,
                           unsigned flags) {
        _cleanup_free_ char *text = NULL;
        const char *why;
        if (flags & HD_PCI_FORCE)
                return 0;
        why = host_uses_find(uses, d->path);
        if (!why)
                return 0;
        text = words_host_use(d->addr, why);
        if (!text)
                return -ENOMEM;
        return hd_error(ctx, -EBUSY,
                        "%s; taking it away would cut the host off from it. Use --force (HD_PCI_FORCE) only if you "
                        "know it is safe",
                        text);
}

static int refuse_bridge(struct hd_context *ctx, const struct pci_dev *d) {
        _cleanup_free_ char *text = NULL;
        if (d->bridge == HD_PCI_NOT_BRIDGE)
                return 0;
        text = words_bridge(d);
        return text ? hd_error(ctx, -EINVAL, "%s; %s", text, REMEDY_BRIDGE) : -ENOMEM;
}

/* Detach one device; the caller holds the lock and checked bridges and host use. */
static int detach_one(struct hd_context *ctx, struct hd_store *s, struct pci_dev *d, const char *stub) {
        _cleanup_free_ char *data = NULL;
        struct hd_active *rec = NULL, *existing = NULL;
        struct mop m = { .ctx = ctx, .s = s };
        /*
         * A device found on the stub already is adopted: the record has no
         * driver to give it back to, but undoing this detach leaves it on the
         * stub, as it was (HAD, which the journal keeps for recovery).
         */
        const char *orig = d->driver && !streq(d->driver, stub) ? d->driver : NULL;
        _cleanup_free_ char *had = strdup_or_null(d->driver), *ov = strdup_or_null(d->override);
        int r;

        if ((d->driver && !had) || (d->override && !ov))
                return -ENOMEM;
        rec = store_record_new(STORE_PCI, d->addr, STORE_BUSY);
        data = pci_op_data(stub, had, d->override);
        if (!rec || !data || !(rec->stub_driver = strdup(stub)) || (orig && !(rec->orig_driver = strdup(orig)))) {
                hd_active_free(rec);
                return -ENOMEM;
        }
        rec->unbind_from_stub = true;
        rec->reprobe = orig != NULL;
        r = store_claim(s, rec, "pci-detach", data, &m.op_id, &existing);
        if (r == -EBUSY) {
                enum store_state st = store_record_state(existing);
                r = busy_error(ctx, d->addr, existing, true,
                               st == STORE_DETACHED ? "'hostdev reattach' gives it back"
                               : st == STORE_BUSY   ? "if that process is gone, run 'hostdev recover'"
                                                    : NULL);
                hd_active_free(existing);
                hd_active_free(rec);
                return r;
        }
        if (r < 0) {
                hd_active_free(rec);
                return r;
        }
        r = pci_to_stub(&m, d, stub);
        if (r < 0) {
                _cleanup_(saved_error_done) struct saved_error e = save_error(ctx);
                int r2 = pci_give_back(&m, d, stub, had, ov, had != NULL);
                if (r2 >= 0)
                        r2 = finish(s, m.op_id, STORE_OP_UNDONE, NULL, d->addr);
                hd_active_free(rec);
                if (r2 == -ENOMEM)
                        return r2;
                if (r2 < 0) {
                        /* Left open on purpose: the next operation (or hostdev recover) tries again. */
                        _cleanup_free_ char *more = strdupf("undoing it failed too (%s); run 'hostdev recover'",
                                                            hd_context_last_error(ctx));
                        return restore_error(ctx, &e, r, more);
                }
                return restore_error(ctx, &e, r, had ? "it is back on its driver" : NULL);
        }
        r = store_record_set_state(rec, STORE_DETACHED);
        if (r >= 0)
                r = finish(s, m.op_id, STORE_OP_DONE, rec, d->addr);
        hd_active_free(rec);
        /* The device is on the stub; only the record failed. Recovery will give it back. */
        return r;
}

/* Give one device back; the caller holds the lock. */
static int reattach_one(struct hd_context *ctx, struct hd_store *s, struct pci_dev *d) {
        struct hd_active *rec = NULL, *existing = NULL;
        struct mop m = { .ctx = ctx, .s = s };
        _cleanup_free_ char *data = NULL, *stub = NULL, *orig = NULL;
        int r;

        /* Unbinding vfio-pci waits until every process has closed the device: name them instead of hanging. */
        if (pci_driver_is_vfio(d->driver)) {
                r = refuse_vfio_holders(ctx, d);
                if (r < 0)
                        return r;
        }
        r = store_device_get(s, STORE_PCI, d->addr, &rec, NULL);
        if (r < 0 && r != -ENOENT)
                return r;
        if (r >= 0) {
                if (store_record_state(rec) != STORE_DETACHED) {
                        r = busy_error(ctx, d->addr, rec, false,
                                       store_record_state(rec) == STORE_HELD ? "release it from its guest first"
                                                                             : "run 'hostdev recover'");
                        hd_active_free(rec);
                        return r;
                }
                stub = strdup_or_null(rec->stub_driver ? rec->stub_driver : d->driver);
                orig = strdup_or_null(rec->orig_driver);
                hd_active_free(rec);
                rec = NULL;
                data = pci_op_data(stub, orig, NULL);
                if (!data)
                        return -ENOMEM;
                r = store_take(s, STORE_PCI, d->addr, STORE_DETACHED, "pci-reattach", data, &m.op_id, &existing);
        } else {
                /* Never recorded: give it back only from a stub, to whichever driver the kernel picks. */
                if (d->driver && !pci_driver_is_stub(d->driver))
                        return hd_error(ctx, -EALREADY, "%s is not detached: it is on %s, the host's driver",
                                        d->addr, d->driver);
                stub = strdup_or_null(d->driver ? d->driver : d->override);
                data = pci_op_data(stub, NULL, NULL);
                rec = store_record_new(STORE_PCI, d->addr, STORE_BUSY);
                if (!data || !rec || (stub && !(rec->stub_driver = strdup(stub)))) {
                        hd_active_free(rec);
                        return -ENOMEM;
                }
                r = store_claim(s, rec, "pci-reattach", data, &m.op_id, &existing);
                hd_active_free(rec);
                rec = NULL;
        }
        if (r == -EBUSY && existing) {
                r = busy_error(ctx, d->addr, existing, false, NULL);
                hd_active_free(existing);
                return r;
        }
        hd_active_free(existing);
        if (r < 0)
                return r;

        r = pci_give_back(&m, d, stub, orig, NULL, true);
        if (r >= 0)
                return finish(s, m.op_id, STORE_OP_DONE, NULL, d->addr);

        /* Its driver would not take it: back to the stub, so it is whole and recorded. */
        {
                _cleanup_(saved_error_done) struct saved_error e = save_error(ctx);
                struct hd_active *keep = NULL;
                int r2 = stub ? pci_to_stub(&m, d, stub) : -ENOENT;
                if (r2 >= 0) {
                        r2 = store_device_get(s, STORE_PCI, d->addr, &keep, NULL);
                        if (r2 >= 0) {
                                r2 = store_record_set_state(keep, STORE_DETACHED);
                                if (r2 >= 0)
                                        r2 = finish(s, m.op_id, STORE_OP_FAILED, keep, d->addr);
                        }
                        hd_active_free(keep);
                }
                if (r2 == -ENOMEM)
                        return r2;
                if (r2 < 0)
                        return restore_error(ctx, &e, r, "it could not be put back on its stub either; run "
                                                         "'hostdev recover'");
                return restore_error(ctx, &e, r, "it stays detached, on its stub");
        }
}

/* The endpoints to act on: ADDR alone, or with HD_PCI_GROUP every non-bridge of its group. */
static int targets(struct hd_context *ctx, struct pci_dev *d, unsigned flags, struct pci_dev ***ret, size_t *ret_n) {
        _cleanup_strv_free_ char **addrs = NULL;
        struct pci_dev **v = NULL;
        size_t n = 0;
        int r;

        if ((flags & HD_PCI_GROUP) && d->iommu_group >= 0) {
                r = pci_group_members(ctx, d->iommu_group, &addrs);
                if (r < 0)
                        return hd_error(ctx, r, "%s: cannot list IOMMU group %d: %s", d->addr, d->iommu_group,
                                        strerror(-r));
        } else {
                r = strv_extend(&addrs, d->addr);
                if (r < 0)
                        return r;
        }
        v = calloc(strv_length(addrs) + 1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        for (char **a = addrs; *a; a++) {
                struct pci_dev *m;
                r = pci_dev_open(ctx, *a, &m);
                if (r < 0)
                        goto fail;
                if (!streq(m->addr, d->addr) && m->bridge != HD_PCI_NOT_BRIDGE) {
                        pci_dev_free(m); /* a bridge in the group stays with the host */
                        continue;
                }
                v[n++] = m;
        }
        *ret = v;
        *ret_n = n;
        return 0;
fail:
        for (size_t i = 0; i < n; i++)
                pci_dev_free(v[i]);
        free(v);
        return r;
}

static void targets_free(struct pci_dev **v, size_t n) {
        for (size_t i = 0; v && i < n; i++)
                pci_dev_free(v[i]);
        free(v);
}

static void strv_n_free(char **v, size_t n) {
        for (size_t i = 0; v && i < n; i++)
                free(v[i]);
        free(v);
}

/*
 * The stub each target gets: DRIVER when given; else the driver it is on
 * when that is a vfio driver (adopted as it is), else its best vfio driver
 * (a vendor's variant, or vfio-pci).
 */
static int choose_stubs(struct hd_context *ctx, const char *driver, struct pci_dev **v, size_t n, char ***ret) {
        char **stubs = calloc(n + 1, sizeof(char *));
        int r = 0;

        if (!stubs)
                return -ENOMEM;
        for (size_t i = 0; i < n && r >= 0; i++) {
                if (driver)
                        r = (stubs[i] = strdup(driver)) ? 0 : -ENOMEM;
                else if (pci_driver_is_vfio(v[i]->driver))
                        r = (stubs[i] = strdup(v[i]->driver)) ? 0 : -ENOMEM;
                else
                        r = pci_vfio_driver(ctx, v[i], &stubs[i], NULL);
        }
        if (r < 0) {
                strv_n_free(stubs, n);
                return r;
        }
        *ret = stubs;
        return 0;
}

int hd_pci_detach(struct hd_context *ctx, const char *addr, const char *driver, unsigned flags) {
        _cleanup_close_ int lock = -1;
        _cleanup_store_ struct hd_store *s = NULL;
        _cleanup_pci_dev_ struct pci_dev *d = NULL;
        _cleanup_host_uses_ struct host_uses *uses = NULL;
        struct pci_dev **v = NULL;
        char **stubs = NULL;
        bool *done = NULL;
        const char *given = NULL;
        size_t n = 0;
        int r;

        hd_error_clear(ctx);
        if (!isempty(driver)) {
                r = pci_stub_name(ctx, driver, &given);
                if (r < 0)
                        return r;
        }
        r = manager_begin(ctx, &lock, &s);
        if (r < 0)
                return r;
        r = pci_dev_open(ctx, addr, &d);
        if (r < 0)
                return r;
        r = refuse_bridge(ctx, d);
        if (r < 0)
                return r;
        r = host_uses_load(ctx, &uses);
        if (r < 0)
                return hd_error(ctx, r, "cannot tell which devices the host runs on: %s", strerror(-r));
        r = targets(ctx, d, flags, &v, &n);
        if (r < 0)
                return r;
        r = choose_stubs(ctx, given, v, n, &stubs);
        if (r < 0)
                goto out;
        /* Every refusal before any write: a group goes whole or not at all. */
        for (size_t i = 0; i < n; i++) {
                r = refuse_host_use(ctx, v[i], uses, flags);
                if (r < 0)
                        goto out;
                /* The host's console framebuffer is the host using it too: --force takes it anyway. */
                if (!(flags & HD_PCI_FORCE) && !streq_ptr(v[i]->driver, stubs[i])) {
                        r = refuse_framebuffer(ctx, v[i]);
                        if (r < 0)
                                goto out;
                }
                /* vfio-pci's probe refuses a device outside any IOMMU group; say why before it does. */
                if (pci_driver_is_vfio(stubs[i]) && v[i]->iommu_group < 0 && !streq_ptr(v[i]->driver, stubs[i])) {
                        _cleanup_free_ char *text = words_no_group(v[i]);
                        r = text ? hd_error(ctx, -EINVAL, "%s: %s", text, REMEDY_NO_GROUP) : -ENOMEM;
                        goto out;
                }
        }
        for (size_t i = 0; i < n; i++) {
                r = manager_load_driver(ctx, stubs[i]);
                if (r < 0)
                        goto out;
        }
        done = calloc(n + 1, sizeof(bool));
        if (!done) {
                r = -ENOMEM;
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                if (n > 1) {
                        struct hd_active *rec = NULL;
                        /* With --group, members detached already (or held) are fine as they are. */
                        if (store_device_get(s, STORE_PCI, v[i]->addr, &rec, NULL) >= 0) {
                                hd_active_free(rec);
                                continue;
                        }
                }
                r = detach_one(ctx, s, v[i], stubs[i]);
                if (r < 0) {
                        _cleanup_(saved_error_done) struct saved_error e = save_error(ctx);
                        for (size_t j = i; j-- > 0;)
                                if (done[j])
                                        (void)reattach_one(ctx, s, v[j]);
                        r = restore_error(ctx, &e, r, i > 0 ? "the other members of the group are back too" : NULL);
                        goto out;
                }
                done[i] = true;
        }
        r = 0;
out:
        free(done);
        strv_n_free(stubs, n);
        targets_free(v, n);
        return r;
}

int hd_pci_reattach(struct hd_context *ctx, const char *addr, unsigned flags) {
        _cleanup_close_ int lock = -1;
        _cleanup_store_ struct hd_store *s = NULL;
        _cleanup_pci_dev_ struct pci_dev *d = NULL;
        struct pci_dev **v = NULL;
        size_t n = 0;
        int r, first = 0;
        _cleanup_free_ char *first_msg = NULL;

        hd_error_clear(ctx);
        r = manager_begin(ctx, &lock, &s);
        if (r < 0)
                return r;
        r = pci_dev_open(ctx, addr, &d);
        if (r < 0)
                return r;
        if (!(flags & HD_PCI_GROUP))
                return reattach_one(ctx, s, d);
        r = targets(ctx, d, flags, &v, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                struct hd_active *rec = NULL;
                /* With --group, the members hostdev recorded (and ADDR itself). */
                if (!streq(v[i]->addr, d->addr) && store_device_get(s, STORE_PCI, v[i]->addr, &rec, NULL) < 0)
                        continue;
                hd_active_free(rec);
                r = reattach_one(ctx, s, v[i]);
                if (r < 0 && first == 0) {
                        first = r;
                        first_msg = strdup_or_null(hd_context_last_error(ctx));
                }
        }
        targets_free(v, n);
        if (first < 0 && first_msg)
                return hd_error(ctx, first, "%s", first_msg);
        return first;
}
