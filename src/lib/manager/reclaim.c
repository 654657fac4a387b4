/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Holds whose process died: their devices back to the host as release gives them, unless a process still uses one. */
#include <inttypes.h>
#include <string.h>

#include "doctor.h"
#include "prepare.h"
#include "proc-start.h"
#include "reclaim.h"
#include "util/strutil.h"

/*
 * The processes that have the vfio group or cdev of one of ROWS' PCI devices
 * open, for a person ("0000:01:00.0: pid 4242 (qemu) has /dev/vfio/2 open");
 * *ret NULL when none has. A device such a process uses is still in use,
 * whoever recorded the hold: giving it back would pull it from under a guest.
 */
static int devices_in_use(struct hd_context *ctx, const struct hd_active *rows, size_t n, char **ret) {
        struct strbuf b = {};

        for (size_t i = 0; i < n; i++) {
                _cleanup_pci_dev_ struct pci_dev *d = NULL;
                _cleanup_strv_free_ char **nodes = NULL;
                _cleanup_free_ struct holder *hs = NULL;
                size_t nh = 0;
                int r;

                if (store_record_kind(&rows[i]) != STORE_PCI)
                        continue;
                r = pci_dev_open(ctx, rows[i].key, &d);
                if (r == -ENOMEM)
                        goto fail;
                if (r < 0) {
                        hd_error_clear(ctx); /* gone from the host: nothing has it open */
                        continue;
                }
                r = holders_vfio_nodes(ctx, d, &nodes);
                if (r < 0)
                        goto fail;
                if (!nodes[0])
                        continue;
                r = holders_find(ctx, nodes, &hs, &nh, NULL);
                if (r == -ENOMEM)
                        goto fail;
                for (size_t k = 0; r >= 0 && k < nh; k++) {
                        _cleanup_free_ char *w = words_holder(d->addr, &hs[k]);
                        if (!w) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        strbuf_appendf(&b, "%s%s", b.len ? "; " : "", w);
                }
        }
        if (b.oom)
                goto fail; /* never "no one uses it" for want of memory */
        *ret = b.len ? strbuf_steal(&b) : NULL;
        strbuf_done(&b);
        return 0;
fail:
        strbuf_done(&b);
        return -ENOMEM;
}

/* "pci 0000:01:00.0, mdev 7c8d...": the devices ROWS name. */
static char *devices_words(const struct hd_active *rows, size_t n) {
        struct strbuf b = {};
        for (size_t i = 0; i < n; i++)
                strbuf_appendf(&b, "%s%s %s", i ? ", " : "", rows[i].kind, rows[i].key);
        return strbuf_steal(&b);
}

/* Say it: as an item of REP when there is one (hostdev recover), else as a notice on the context. */
static int say(struct hd_context *ctx, struct hd_report *rep, enum hd_report_status st, const char *remedy,
               const char *text) {
        if (rep)
                return report_add(rep, st, "holder", remedy, "%s", text);
        hd_notice(ctx, "%s%s%s", text, remedy ? "; " : "", remedy ? remedy : "");
        return 0;
}

/* Record what went back, one row per device, in one transaction. */
static int record(struct hd_store *s, const struct hd_owner *o, const struct hd_active *rows, size_t n, int64_t pid,
                  const char *why) {
        int r = store_begin(s);
        if (r < 0)
                return r;
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = store_reclaim_add(s, o, rows[i].kind, rows[i].key, pid, why);
        if (r >= 0)
                r = store_commit(s);
        if (r < 0)
                store_rollback(s);
        return r;
}

static int reclaim_one(struct hd_context *ctx, struct hd_store *s, const struct store_hold *h, struct hd_report *rep) {
        const struct hd_owner o = { h->driver, h->domain, h->uuid };
        _cleanup_free_ char *why = NULL, *users = NULL, *list = NULL, *text = NULL;
        struct hd_active *rows = NULL;
        size_t n = 0;
        int64_t start = 0;
        int r;

        r = proc_start_time(ctx, h->pid, &start);
        if (r >= 0 && start == h->start)
                return 0; /* alive: its hold stands */
        if (r < 0 && r != -ESRCH)
                return r == -ENOMEM ? r : 0; /* cannot tell (not ours to read): a hold is never given back on a guess */
        why = r == -ESRCH ? strdupf("pid %" PRId64 " is gone", h->pid)
                          : strdupf("pid %" PRId64 " is another process now (started at tick %" PRId64
                                    ", the holder at %" PRId64 ")",
                                    h->pid, start, h->start);
        if (!why)
                return -ENOMEM;
        r = store_owner_devices(s, &o, &rows, &n);
        if (r < 0)
                return r;
        if (n == 0)
                goto out;
        list = devices_words(rows, n);
        r = list ? devices_in_use(ctx, rows, n, &users) : -ENOMEM;
        if (r < 0)
                goto out;
        if (users) {
                text = strdupf("%s:%s's holder %s, but %s: its devices (%s) stay held", h->driver, h->domain, why,
                               users, list);
                r = text ? say(ctx, rep, HD_REPORT_WARN, "stop that process, then run 'hostdev recover'", text)
                         : -ENOMEM;
                goto out;
        }
        r = manager_release_locked(ctx, s, &o, NULL, 0);
        if (r == -ENOMEM)
                goto out;
        if (r < 0) {
                text = strdupf("%s:%s's holder %s; giving its devices back failed: %s", h->driver, h->domain, why,
                               hd_context_last_error(ctx) ? hd_context_last_error(ctx) : strerror(-r));
                hd_error_clear(ctx);
                r = text ? say(ctx, rep, HD_REPORT_FAIL, "once that is fixed, run 'hostdev recover'", text) : -ENOMEM;
                goto out;
        }
        r = record(s, &o, rows, n, h->pid, why);
        if (r < 0)
                goto out;
        text = strdupf("%s:%s's holder %s: its devices (%s) are given back", h->driver, h->domain, why, list);
        r = text ? say(ctx, rep, HD_REPORT_OK, NULL, text) : -ENOMEM;
out:
        hd_active_list_free(rows, n);
        return r;
}

int reclaim_locked(struct hd_context *ctx, struct hd_store *s, struct hd_report *rep, const struct hd_owner *skip) {
        struct store_hold *v = NULL;
        size_t n = 0;
        int r = store_holds_list(s, &v, &n);

        if (r < 0)
                return r;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                if (skip && streq(v[i].driver, skip->driver) && streq(v[i].domain, skip->domain))
                        continue;
                r = reclaim_one(ctx, s, &v[i], rep);
        }
        store_holds_free(v, n);
        return r;
}
