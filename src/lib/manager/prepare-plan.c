/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plan of a domain's devices: its items, the owner, the store's say on each, and unwinding an operation. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hostdev/mdev.h"
#include "prepare.h"
#include "util/strutil.h"

const struct kind_ops *kind_ops_find(enum store_kind kind) {
        static const struct kind_ops *const all[] = { &kind_pci, &kind_usb, &kind_scsi, &kind_mdev, &kind_net_vf };
        for (size_t i = 0; i < ELEMENTSOF(all); i++)
                if (all[i]->kind == kind)
                        return all[i];
        return NULL;
}

void plan_done(struct plan *p) {
        for (size_t i = 0; i < p->n; i++) {
                hd_active_free(p->items[i].rec);
                pci_dev_free(p->items[i].pci);
        }
        free(p->items);
        p->items = NULL;
        p->n = 0;
        strv_free(p->skipped);
        p->skipped = NULL;
        host_uses_free(p->uses);
        p->uses = NULL;
}

struct plan_item *plan_add(struct plan *p, const struct kind_ops *ops, const struct hd_hostdev_def *def) {
        struct plan_item *v = realloc(p->items, (p->n + 1) * sizeof(*v));
        if (!v)
                return NULL;
        p->items = v;
        v[p->n] = (struct plan_item){ .ops = ops, .def = def };
        return &v[p->n++];
}

int plan_record(struct plan *p, struct plan_item *it, const char *key) {
        struct hd_active *r = store_record_new(it->ops->kind, key, STORE_BUSY);
        if (!r)
                return -ENOMEM;
        r->owner_driver = strdup(p->owner->driver);
        r->owner_domain = strdup(p->owner->domain);
        r->owner_uuid = strdup_or_null(p->owner->uuid);
        if (!r->owner_driver || !r->owner_domain || (p->owner->uuid && !r->owner_uuid)) {
                hd_active_free(r);
                return -ENOMEM;
        }
        hd_active_free(it->rec);
        it->rec = r;
        return 0;
}

int plan_host_uses(struct plan *p, const struct host_uses **ret) {
        if (!p->uses) {
                int r = host_uses_load(p->ctx, &p->uses);
                if (r < 0)
                        return hd_error(p->ctx, r, "cannot tell which devices the host runs on: %s", strerror(-r));
        }
        *ret = p->uses;
        return 0;
}

int plan_skip(struct plan *p, struct plan_item *it, const char *fmt, ...) {
        va_list ap;
        char *s;

        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        if (!s || strv_push(&p->skipped, s) < 0)
                return -ENOMEM;
        it->skip = true;
        return 0;
}

char *record_name(const struct hd_active *r) {
        switch (store_record_kind(r)) {
        case STORE_USB: {
                unsigned bus = 0, dev = 0;
                char ids[16] = "";
                (void)sscanf(r->key, "%u:%u %15s", &bus, &dev, ids);
                return strdupf("USB device %03u:%03u (%s)", bus, dev, ids);
        }
        case STORE_SCSI:
                return strdupf("SCSI LUN %s%s%s%s", r->key, r->node ? " (" : "", r->node ? r->node : "",
                               r->node ? ")" : "");
        case STORE_MDEV:
                return strdupf("mediated device %s", r->key);
        case STORE_NET_VF:
                return strdupf("the network settings of VF %s", r->key);
        default:
                return strdup(r->key);
        }
}

static bool usb_matches(const char *key, const struct hd_hostdev_usb *u) {
        unsigned bus, dev, v, p;
        if (sscanf(key, "%u:%u %x:%x", &bus, &dev, &v, &p) != 4)
                return false;
        if (u->has_product && (v != u->vendor || p != u->product))
                return false;
        return !u->has_address || (bus == u->bus && dev == u->device);
}

bool record_matches(const struct hd_active *rec, const struct hd_hostdev_def *h, const struct kind_ops *ops) {
        char a[20], key[96];
        unsigned host;
        int n = 0;

        if (store_record_kind(rec) != ops->kind)
                return false;
        switch (h->kind) {
        case HD_HOSTDEV_PCI:
                return streq(rec->key, hd_pci_addr_format(&h->pci.addr, a));
        case HD_HOSTDEV_NET_VF:
                return streq(rec->key, hd_pci_addr_format(&h->net_vf.pci.addr, a));
        case HD_HOSTDEV_USB:
                return usb_matches(rec->key, &h->usb);
        case HD_HOSTDEV_SCSI:
                if (!h->scsi.adapter || sscanf(h->scsi.adapter, "scsi_host%u%n", &host, &n) != 1 || h->scsi.adapter[n])
                        return false;
                snprintf(key, sizeof(key), "%u:%u:%u:%llu", host, h->scsi.bus, h->scsi.target, h->scsi.unit);
                return streq(rec->key, key);
        case HD_HOSTDEV_MDEV:
                return strcasecmp(rec->key, h->mdev.uuid) == 0;
        default:
                return false;
        }
}

char *owner_string(const struct hd_owner *o) {
        return strdupf("%s:%s", o->driver ? o->driver : "?", o->domain ? o->domain : "?");
}

static bool printable(const char *s) {
        for (; *s; s++)
                if (iscntrl((unsigned char)*s))
                        return false;
        return true;
}

int owner_check(struct hd_context *ctx, const struct hd_owner *o) {
        if (!o || isempty(o->driver) || isempty(o->domain))
                return hd_error(ctx, -EINVAL,
                                "an owner needs a driver and a domain name (DRIVER:DOMAIN, such as qemu:vm1)");
        for (const char *c = o->driver; *c; c++)
                if (!isalnum((unsigned char)*c) && !strchr("-_.", *c))
                        return hd_error(ctx, -EINVAL,
                                        "'%s' cannot name an owner's driver: use letters, digits, '-', '_' and '.'",
                                        o->driver);
        if (!printable(o->domain) || strlen(o->domain) > 255 || strlen(o->driver) > 64)
                return hd_error(ctx, -EINVAL, "'%s' cannot name a domain: no control characters, at most 255 bytes",
                                o->domain);
        if (o->uuid && !hd_uuid_is_valid(o->uuid))
                return hd_error(ctx, -EINVAL, "'%s' is not a UUID", o->uuid);
        return 0;
}

char *plan_op_data(const struct hd_owner *o) {
        return strdupf("owner_driver=%s\nowner_domain=%s\nowner_uuid=%s\n", o->driver, o->domain,
                       o->uuid ? o->uuid : "");
}

int plan_check_store(struct plan *p, struct plan_item *it, bool detached_ok) {
        struct hd_active *cur = NULL;
        _cleanup_free_ char *who = NULL, *name = NULL, *me = NULL;
        const char *hint;
        int r = store_device_get(p->s, store_record_kind(it->rec), it->rec->key, &cur, NULL);

        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (detached_ok && store_record_state(cur) == STORE_DETACHED) {
                /* Detached by hand ('hostdev detach'): the guest takes it as it is, and it stays detached after. */
                free(cur->prev_state);
                free(cur->owner_driver);
                free(cur->owner_domain);
                free(cur->owner_uuid);
                cur->prev_state = TAKE_PTR(cur->state);
                cur->state = strdup_or_null(store_state_to_string(STORE_BUSY));
                cur->owner_driver = TAKE_PTR(it->rec->owner_driver);
                cur->owner_domain = TAKE_PTR(it->rec->owner_domain);
                cur->owner_uuid = TAKE_PTR(it->rec->owner_uuid);
                free(cur->node);
                cur->node = TAKE_PTR(it->rec->node);
                hd_active_free(it->rec);
                it->rec = cur;
                it->existed = true;
                return cur->state && cur->prev_state ? 0 : -ENOMEM;
        }
        who = record_describe(cur);
        name = record_name(cur);
        me = owner_string(p->owner);
        if (!who || !name || !me) {
                hd_active_free(cur);
                return -ENOMEM;
        }
        if (store_record_state(cur) == STORE_HELD && store_owner_is(cur, p->owner))
                hint = "this owner has it already; release it first (hostdev release)";
        else if (store_record_state(cur) == STORE_BUSY)
                hint = "if that process is gone, run 'hostdev recover'";
        else if (store_record_state(cur) == STORE_DETACHED)
                hint = "it was detached by hand; give it back with 'hostdev reattach' first";
        else
                hint = NULL;
        r = hd_error(p->ctx, -EBUSY, "%s is %s%s%s", name, who, hint ? "; " : "", hint ? hint : "");
        hd_active_free(cur);
        return r;
}

/* The state store's rows of an operation back to where they were, in one transaction with KEEP's updates. */
static int unwind_rows(struct hd_store *s, int64_t op_id) {
        struct hd_active *v = NULL;
        size_t n = 0;
        int r = store_op_devices(s, op_id, &v, &n);

        for (size_t i = 0; r >= 0 && i < n; i++) {
                struct hd_active *rec = &v[i];
                if (!rec->prev_state) {
                        r = store_device_delete(s, store_record_kind(rec), rec->key);
                        continue;
                }
                free(rec->state);
                rec->state = TAKE_PTR(rec->prev_state);
                free(rec->owner_driver);
                free(rec->owner_domain);
                free(rec->owner_uuid);
                rec->owner_driver = rec->owner_domain = rec->owner_uuid = NULL;
                rec->holder_pid = rec->holder_start = 0; /* a hold ends with its owner */
                rec->claimed = false;
                r = store_device_update(s, rec, 0);
        }
        hd_active_list_free(v, n);
        return r;
}

int plan_unwind(struct hd_store *s, struct mop *m, int64_t op_id, enum store_op_status status) {
        return plan_unwind_keep(s, m, op_id, status, NULL, 0);
}

int plan_unwind_keep(struct hd_store *s, struct mop *m, int64_t op_id, enum store_op_status status,
                     struct hd_active *const *keep, size_t n_keep) {
        int r = store_begin(s);
        if (r < 0)
                return r;
        if (m)
                r = mop_end_pending(m);
        for (size_t i = 0; r >= 0 && i < n_keep; i++)
                r = store_device_update(s, keep[i], 0);
        if (r >= 0)
                r = unwind_rows(s, op_id);
        if (r >= 0)
                r = store_sharers_drop_op(s, op_id);
        if (r >= 0)
                r = store_op_finish(s, op_id, status);
        if (r >= 0)
                r = store_commit(s);
        if (r < 0)
                store_rollback(s);
        return r;
}

/* A PCI device that will not go back to its driver goes to its stub, recorded detached: whole either way. */
static int park_on_stub(struct hd_context *ctx, struct hd_store *s, struct mop *m, struct hd_active *rec) {
        _cleanup_pci_dev_ struct pci_dev *d = NULL;
        int r;

        if (store_record_kind(rec) != STORE_PCI || !rec->stub_driver)
                return -EIO;
        r = pci_dev_open(ctx, rec->key, &d);
        if (r >= 0)
                r = pci_to_stub(m, d, rec->stub_driver);
        if (r < 0)
                return r;
        r = store_begin(s);
        if (r < 0)
                return r;
        free(rec->owner_driver);
        free(rec->owner_domain);
        free(rec->owner_uuid);
        rec->owner_driver = rec->owner_domain = rec->owner_uuid = NULL;
        rec->holder_pid = rec->holder_start = 0;
        r = store_record_set_state(rec, STORE_DETACHED);
        if (r >= 0)
                r = mop_end_pending(m);
        if (r >= 0)
                r = store_device_update(s, rec, 0);
        if (r >= 0)
                r = store_commit(s);
        if (r < 0)
                store_rollback(s);
        return r;
}

int plan_give_back_op(struct hd_context *ctx, struct hd_store *s, int64_t op_id, enum store_op_status status,
                      struct hd_report *rep, const char *what, bool recovering) {
        struct mop m = { .ctx = ctx, .s = s, .op_id = op_id, .batch = true, .recovering = recovering };
        struct hd_active *v = NULL;
        size_t n = 0;
        int r, failed = 0;

        r = store_op_devices(s, op_id, &v, &n);
        if (r < 0)
                return r;
        /* Newest first: the reverse of the order they were taken in. */
        for (size_t i = n; i-- > 0;) {
                struct hd_active *rec = &v[i];
                const struct kind_ops *ops = kind_ops_find(store_record_kind(rec));
                _cleanup_free_ char *name = NULL, *why = NULL;

                if (rec->prev_state || rec->claimed || !ops || !ops->give_back)
                        continue;
                hd_error_clear(ctx);
                r = ops->give_back(&m, rec);
                if (r >= 0)
                        continue;
                if (r == -ENOMEM)
                        goto out;
                name = record_name(rec);
                why = strdup_or_null(hd_context_last_error(ctx));
                hd_error_clear(ctx);
                if (park_on_stub(ctx, s, &m, rec) >= 0) {
                        r = report_add(rep, HD_REPORT_WARN, "recover", "hostdev reattach (after checking dmesg)",
                                       "%s: %s could not give it back (%s); it is on %s, recorded as detached",
                                       name ? name : rec->key, what, why ? why : strerror(-r), rec->stub_driver);
                } else {
                        /* Why it is not on its stub either, when that was refused rather than failed. */
                        const char *park = hd_context_last_error(ctx);
                        failed++;
                        r = report_add(rep, HD_REPORT_FAIL, "recover", "see 'dmesg', then run 'hostdev recover' again",
                                       "%s: %s could not give it back: %s%s%s", name ? name : rec->key, what,
                                       why ? why : strerror(-r), park ? "; nor put it on its stub: " : "",
                                       park ? park : "");
                }
                if (r < 0)
                        goto out;
        }
        /* Left open on a failure: the next operation (or hostdev recover) tries again, idempotently. */
        r = failed ? -EIO : plan_unwind(s, &m, op_id, status);
out:
        hd_active_list_free(v, n);
        return r;
}

int recover_domain_op(struct hd_context *ctx, struct hd_store *s, const struct store_op *op, struct hd_report *rep) {
        _cleanup_free_ char *drv = NULL, *dom = NULL;
        bool prepare = streq(op->op, "prepare");
        _cleanup_free_ char *what = NULL;
        int r;

        if (data_get(op->data, "owner_driver", &drv) < 0 || data_get(op->data, "owner_domain", &dom) < 0)
                return -ENOMEM;
        what = strdupf("the %s for %s:%s left by %s", op->op, drv ? drv : "?", dom ? dom : "?",
                       op->holder ? op->holder : "a process");
        if (!what)
                return -ENOMEM;
        /* A prepare that did not end is undone (its caller never heard it worked); a release is finished. */
        r = plan_give_back_op(ctx, s, op->id, prepare ? STORE_OP_UNDONE : STORE_OP_DONE, rep, what, true);
        if (r == -ENOMEM)
                return r;
        if (r == -EIO && rep && rep->n_items && rep->items[rep->n_items - 1].status == HD_REPORT_FAIL)
                return 0; /* each device that failed has its item already */
        if (r < 0)
                return report_add(rep, HD_REPORT_FAIL, "recover", "see 'dmesg', then run 'hostdev recover' again",
                                  "%s could not be %s: %s", what, prepare ? "undone" : "finished",
                                  hd_context_last_error(ctx) ? hd_context_last_error(ctx) : strerror(-r));
        return report_add(rep, HD_REPORT_OK, "recover", NULL, "%s is %s", what, prepare ? "undone" : "finished");
}
