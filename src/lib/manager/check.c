/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hd_pci_check: whether a PCI device can go to a guest now: the doctor's modules in turn, worst finding first. */
#include <stdio.h>
#include <string.h>

#include "check-record.h"
#include "doctor.h"
#include "inventory/iommu-internal.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

static int check_bridge(struct doctor *dc) {
        _cleanup_free_ char *text = NULL;
        if (dc->d->bridge == HD_PCI_NOT_BRIDGE)
                return report_add(dc->rep, HD_REPORT_OK, "bridge", NULL, "not a bridge");
        text = words_bridge(dc->d);
        return text ? report_add(dc->rep, HD_REPORT_FAIL, "bridge", REMEDY_BRIDGE, "%s", text) : -ENOMEM;
}

/* Who holds it in hostdev's records; an unreadable store leaves it unknown, which is never "free". */
static int check_record(struct doctor *dc, int store_r, const char *store_msg) {
        struct hd_active *rec = NULL;
        _cleanup_free_ char *who = NULL;
        int r = store_r;

        if (r == -ENOENT)
                return report_add(dc->rep, HD_REPORT_OK, "holder", NULL, "nobody holds it (no state store yet)");
        if (r >= 0)
                r = store_device_get(dc->store, STORE_PCI, dc->d->addr, &rec, NULL);
        if (r == -ENOENT)
                return report_add(dc->rep, HD_REPORT_OK, "holder", NULL, "nobody holds it");
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                _cleanup_free_ char *dir = store_dir(dc->ctx);
                const char *remedy = r == -EACCES ? "run it as root, who can read the store"
                                                  : "fix the state store, or give the right --state-dir";
                const char *msg = store_msg ? store_msg : hd_context_last_error(dc->ctx);
                int e = msg ? report_add(dc->rep, HD_REPORT_FAIL, "holder", remedy, "unknown: %s", msg)
                            : report_add(dc->rep, HD_REPORT_FAIL, "holder", remedy,
                                         "unknown: cannot read the state store in %s: %s", dir ? dir : "?",
                                         strerror(-r));
                hd_error_clear(dc->ctx);
                return e;
        }
        who = record_describe(rec);
        if (!who) {
                hd_active_free(rec);
                return -ENOMEM;
        }
        if (store_record_state(rec) == STORE_HELD) {
                _cleanup_free_ char *remedy = strdupf("hostdev release --owner %s:%s",
                                                      rec->owner_driver ? rec->owner_driver : "?",
                                                      rec->owner_domain ? rec->owner_domain : "?");
                r = report_add(dc->rep, HD_REPORT_FAIL, "holder", remedy, "%s", who);
        } else if (store_record_state(rec) == STORE_BUSY)
                r = report_add(dc->rep, HD_REPORT_FAIL, "holder", "hostdev recover", "%s", who);
        else
                r = report_add(dc->rep, HD_REPORT_OK, "holder", NULL, "free for a guest: %s", who);
        hd_active_free(rec);
        return r;
}

static int check_host_use(struct doctor *dc, int uses_r) {
        const char *why;
        if (uses_r < 0)
                return report_add(dc->rep, HD_REPORT_WARN, "host", NULL, "cannot tell whether the host needs it: %s",
                                  strerror(-uses_r));
        why = host_uses_find(dc->uses, dc->d->path);
        if (why) {
                _cleanup_free_ char *text = words_host_use(dc->d->addr, why);
                return text ? report_add(dc->rep, HD_REPORT_FAIL, "host",
                                         "keep it on the host; --force takes it anyway, cutting the host off from it",
                                         "%s", text)
                            : -ENOMEM;
        }
        return report_add(dc->rep, HD_REPORT_OK, "host", NULL,
                          "the host does not need it (no mounted filesystem, swap or default route behind it)");
}

/*
 * Persistent setup (whether the device is kept on its stub at boot) joins
 * here once the host's registry of boot-time bindings exists (issue 13):
 * a doctor_persist(dc) beside the others, reading /etc/hostdev.
 */

int hd_pci_check(struct hd_context *ctx, const char *addr, unsigned flags, struct hd_report **ret_report) {
        _cleanup_pci_dev_ struct pci_dev *d = NULL;
        _cleanup_host_uses_ struct host_uses *uses = NULL;
        _cleanup_store_ struct hd_store *store = NULL;
        _cleanup_(hd_report_freep) struct hd_report *rep = NULL;
        _cleanup_free_ char *store_msg = NULL;
        struct doctor dc = { .ctx = ctx };
        int r, uses_r, store_r;

        (void)flags;
        hd_error_clear(ctx);
        r = pci_dev_open(ctx, addr, &d);
        if (r < 0)
                return r;
        rep = report_new(d->addr);
        if (!rep)
                return -ENOMEM;
        dc.rep = rep;
        dc.d = d;
        uses_r = host_uses_load(ctx, &uses);
        dc.uses = uses;
        store_r = store_open(ctx, STORE_NO_CREATE, &store);
        dc.store = store;
        if (store_r < 0 && store_r != -ENOENT && hd_context_last_error(ctx) &&
            !(store_msg = strdup(hd_context_last_error(ctx))))
                return -ENOMEM;
        hd_error_clear(ctx);
        if (d->iommu_group >= 0 && hd_iommu_group_get(ctx, d->iommu_group, &dc.group) < 0)
                hd_error_clear(ctx); /* doctor_group says it could not read it */

        r = report_add(rep, HD_REPORT_INFO, "device", NULL, "%s %04x:%04x class 0x%06x", d->addr, d->vendor, d->device,
                       d->class_code);
        if (r >= 0)
                r = check_bridge(&dc);
        if (r >= 0)
                r = doctor_host(&dc);
        if (r >= 0)
                r = doctor_group(&dc);
        if (r >= 0)
                r = doctor_acs(&dc);
        if (r >= 0)
                r = doctor_display(&dc);
        if (r >= 0)
                r = doctor_driver(&dc);
        if (r >= 0)
                r = doctor_reset(&dc);
        if (r >= 0)
                r = check_record(&dc, store_r, store_msg);
        if (r >= 0)
                r = doctor_holders(&dc);
        if (r >= 0)
                r = check_host_use(&dc, uses_r);
        hd_iommu_group_free(dc.group);
        if (r < 0)
                return r;
        report_sort(rep);
        *ret_report = TAKE_PTR(rep);
        return 0;
}

static int read_one(const char *name, unsigned char type, void *userdata) {
        struct doctor *dc = userdata;
        _cleanup_pci_dev_ struct pci_dev *d = NULL;
        _cleanup_strv_free_ char **nodes = NULL;
        (void)type;

        if (pci_dev_open(dc->ctx, name, &d) < 0)
                return 0;
        dc->d = d;
        if (d->iommu_group >= 0)
                (void)hd_iommu_group_get(dc->ctx, d->iommu_group, &dc->group);
        (void)doctor_vfio_cdev(dc);
        (void)holders_device_nodes(dc->ctx, d, &nodes);
        (void)doctor_group(dc);
        (void)doctor_acs(dc);
        (void)doctor_display(dc);
        (void)doctor_driver(dc);
        (void)doctor_reset(dc);
        hd_iommu_group_free(dc->group);
        dc->group = NULL;
        dc->d = NULL;
        hd_error_clear(dc->ctx);
        return 0;
}

void check_read_all(struct hd_context *ctx) {
        _cleanup_(hd_report_freep) struct hd_report *rep = report_new(NULL);
        _cleanup_free_ struct holder *hs = NULL;
        char *every[] = { (char *)"/dev/vfio/", (char *)"/dev/dri/", NULL };
        struct doctor dc = { .ctx = ctx, .rep = rep };
        size_t n = 0;

        if (!rep)
                return;
        /* The host's setup does not depend on the device: once, through the first one. */
        (void)sysfs_list(ctx, "/sys/bus/pci/devices", read_one, &dc);
        {
                struct pci_dev none = { .iommu_group = -1, .dirfd = -1, .addr = "" };
                dc.d = &none;
                (void)doctor_host(&dc);
                dc.d = NULL;
        }
        (void)holders_find(ctx, every, &hs, &n, NULL);
        hd_error_clear(ctx);
}
