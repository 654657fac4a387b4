/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* check: the IOMMU group whole, every member with its class and driver, what blocks it, what --group takes. */
#include <string.h>

#include "doctor.h"
#include "util/strutil.h"

static bool same_slot(const struct hd_pci_addr *a, const struct hd_pci_addr *b) {
        return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot;
}

/* What a member is to the device: the words after its driver. */
static const char *role(const struct pci_dev *d, const struct hd_pci_addr *da, const struct hd_iommu_member *m) {
        if (m->is_bridge)
                return "a bridge: it stays with the host, as vfio wants";
        if (same_slot(da, &m->addr)) {
                /* A GPU's HDMI/DP audio (class 0x0403) is its companion: a guest wants both. */
                if (d->class_code >> 16 == 0x03 && m->class_code >> 8 == 0x0403)
                        return "its audio function: --group takes it too";
                return "another function of its slot: --group takes it too";
        }
        return "another endpoint of the group: --group takes it too";
}

int doctor_group(struct doctor *dc) {
        const struct pci_dev *d = dc->d;
        const struct hd_iommu_group *g = dc->group;
        struct strbuf why = {}, takes = {};
        _cleanup_free_ char *src = NULL;
        struct report_meta meta = {};
        struct hd_pci_addr da;
        bool person = false;
        int r = 0;

        if (d->iommu_group < 0)
                return 0; /* the iommu item says why */
        src = strdupf("/sys/kernel/iommu_groups/%d/devices", d->iommu_group);
        if (!src || hd_pci_addr_parse(d->addr, &da) < 0)
                return -ENOMEM;
        meta.source = src;
        if (!g)
                return report_addm(dc->rep, &meta, HD_REPORT_FAIL, "group", "see 'hostdev iommu'",
                                   "cannot read IOMMU group %d", d->iommu_group);
        for (size_t i = 0; i < g->n_members && r >= 0; i++) {
                const struct hd_iommu_member *m = &g->members[i];
                _cleanup_pci_dev_ struct pci_dev *md = NULL;

                if (!m->is_pci) {
                        r = report_addm(dc->rep, &meta, HD_REPORT_INFO, "member", NULL,
                                        "group %d: %s, not a PCI function, on %s", g->number, m->name,
                                        m->driver ? m->driver : "no driver");
                        continue;
                }
                if (streq(m->name, d->addr)) {
                        r = report_addm(dc->rep, &meta, HD_REPORT_INFO, "member", NULL,
                                        "group %d: %s class 0x%06x on %s: this device", g->number, m->name,
                                        m->class_code, m->driver ? m->driver : "no driver");
                        continue;
                }
                r = report_addm(dc->rep, &meta, HD_REPORT_INFO, "member", NULL, "group %d: %s class 0x%06x on %s: %s",
                                g->number, m->name, m->class_code, m->driver ? m->driver : "no driver",
                                role(d, &da, m));
                if (r < 0 || m->is_bridge)
                        continue;
                strbuf_appendf(&takes, "%s%s", takes.len ? ", " : "", m->name);
                if (pci_dev_open(dc->ctx, m->name, &md) < 0) {
                        hd_error_clear(dc->ctx); /* gone since the listing: it blocks nothing */
                        continue;
                }
                r = group_member_blocks(dc->ctx, dc->store, NULL, dc->uses, md, &why, &person);
        }
        if (r >= 0 && (why.oom || takes.oom))
                r = -ENOMEM;
        if (r >= 0 && !why.len) {
                if (d->driver && !pci_driver_is_stub(d->driver))
                        r = report_addm(dc->rep, &meta, HD_REPORT_OK, "group", NULL,
                                        "group %d is viable once %s itself is detached%s", g->number, d->addr,
                                        takes.len ? ": every other endpoint is on a vfio driver, pci-stub or none"
                                                  : "");
                else
                        r = report_addm(dc->rep, &meta, HD_REPORT_OK, "group", NULL,
                                        "group %d is viable: %s", g->number,
                                        takes.len ? "every other endpoint is on a vfio driver, pci-stub or none"
                                                  : "the device is its only endpoint");
        } else if (r >= 0) {
                _cleanup_free_ char *text = words_group_not_viable(g->number, d->addr, why.s);
                _cleanup_free_ char *remedy =
                        person ? strdupf("a guest gets the whole group or nothing: free the members named "
                                         "first, or pass a device of another group")
                               : strdupf("hostdev detach %s --group (it takes %s too)", d->addr, takes.s);
                meta.hostdev_fixes = !person;
                r = text && remedy ? report_addm(dc->rep, &meta, HD_REPORT_FAIL, "group", remedy, "%s", text)
                                   : -ENOMEM;
        }
        strbuf_done(&why);
        strbuf_done(&takes);
        return r;
}
