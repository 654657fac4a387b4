/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* check: how the kernel resets the device, whom a bus reset reaches, and devices known not to reset. */
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

/*
 * AMD GPUs that do not come back from the resets the kernel has (FLR, bus,
 * PM): a second guest, or the host after a guest, finds them hung. The ids
 * are those of vendor-reset's device table (https://github.com/gnif/vendor-reset,
 * src/device-db.h), whose module gives them a device_specific reset.
 */
static const struct {
        const char *family;
        uint16_t ids[16];
} amd_reset_bug[] = {
        { "Polaris 10", { 0x67c0, 0x67c1, 0x67c2, 0x67c4, 0x67c7, 0x67d0, 0x67df, 0x67c8, 0x67c9, 0x67ca, 0x67cc,
                          0x67cf, 0x6fdf } },
        { "Polaris 11", { 0x67e0, 0x67e3, 0x67e8, 0x67eb, 0x67ef, 0x67ff, 0x67e1, 0x67e7, 0x67e9 } },
        { "Polaris 12", { 0x6980, 0x6981, 0x6985, 0x6986, 0x6987, 0x6995, 0x6997, 0x699f } },
        { "Vega 10", { 0x6860, 0x6861, 0x6862, 0x6863, 0x6864, 0x6867, 0x6868, 0x6869, 0x686a, 0x686b, 0x686c,
                       0x686d, 0x686e, 0x686f, 0x687f } },
        { "Vega 20", { 0x66a0, 0x66a1, 0x66a2, 0x66a3, 0x66a4, 0x66a7, 0x66af } },
        { "Navi 10", { 0x7310, 0x7312, 0x7318, 0x7319, 0x731a, 0x731b, 0x731e, 0x731f, 0x1681 } },
        { "Navi 14", { 0x7340, 0x7341, 0x7347, 0x734f } },
        { "Navi 12", { 0x7360, 0x7362 } },
        { "Arcturus (Instinct MI100)", { 0x738c } },
};
#define VENDOR_AMD_ATI 0x1002

static const char *reset_bug_family(unsigned vendor, unsigned device) {
        if (vendor != VENDOR_AMD_ATI)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(amd_reset_bug); i++)
                for (size_t j = 0; j < ELEMENTSOF(amd_reset_bug[i].ids) && amd_reset_bug[i].ids[j]; j++)
                        if (amd_reset_bug[i].ids[j] == device)
                                return amd_reset_bug[i].family;
        return NULL;
}

static int bus_reach(struct doctor *dc, const struct report_meta *meta, const char *first, const char *methods) {
        struct strbuf all = {}, why = {};
        int r = pci_bus_reset_reach(dc->ctx, dc->store, dc->d, NULL, dc->uses, &all, &why);

        if (r >= 0 && why.len)
                r = report_addm(dc->rep, meta, HD_REPORT_WARN, "reset",
                                "give them to the same guest, or detach them (hostdev detach --group, or each)",
                                "reset_method %s: its %s reset resets the whole bus below its bridge, which "
                                "would also reset %s",
                                methods, first, why.s);
        else if (r >= 0 && all.len)
                r = report_addm(dc->rep, meta, HD_REPORT_INFO, "reset", NULL,
                                "reset_method %s: its %s reset also resets %s, which nobody uses now", methods,
                                first, all.s);
        else if (r >= 0)
                r = report_addm(dc->rep, meta, HD_REPORT_OK, "reset", NULL,
                                "reset_method %s: its %s reset reaches no other device", methods, first);
        hd_error_clear(dc->ctx);
        strbuf_done(&all);
        strbuf_done(&why);
        return r;
}

int doctor_reset(struct doctor *dc) {
        const struct pci_dev *d = dc->d;
        _cleanup_free_ char *methods = NULL, *src = strdupf("%s/reset_method", d->bus_path);
        struct report_meta meta = { .source = src }, db = { .source = "vendor-reset's device table" };
        const char *family = reset_bug_family(d->vendor, d->device);
        char first[32] = "";
        int r;

        if (!src)
                return -ENOMEM;
        /* Documentation/ABI/testing/sysfs-bus-pci: reset exists only when the device has a reset method. */
        if (!sysfs_exists_at(d->dirfd, "reset"))
                r = report_addm(dc->rep, &meta, HD_REPORT_WARN, "reset",
                                "expect the guest to see it as the last user left it; some devices then need a "
                                "host reboot",
                                "no reset method: the kernel cannot reset %s between guests", d->addr);
        else if (sysfs_read_at(d->dirfd, "reset_method", &methods) < 0 || isempty(methods))
                r = report_addm(dc->rep, &meta, HD_REPORT_OK, "reset", NULL,
                                "resettable (the kernel does not say how: reset_method needs Linux 5.15)");
        else {
                sscanf(methods, "%31s", first);
                if (streq(first, "bus") || streq(first, "cxl_bus"))
                        r = bus_reach(dc, &meta, first, methods);
                else
                        r = report_addm(dc->rep, &meta, HD_REPORT_OK, "reset", NULL,
                                        "reset_method %s: the kernel tries %s first", methods, first);
        }
        if (r < 0 || !family)
                return r;
        if (streq(first, "device_specific"))
                return report_addm(dc->rep, &db, HD_REPORT_OK, "reset", NULL,
                                   "an AMD %s GPU (1002:%04x): its reset is device_specific, as vendor-reset "
                                   "gives it",
                                   family, d->device);
        return report_addm(dc->rep, &db, HD_REPORT_WARN, "reset",
                           "load vendor-reset (https://github.com/gnif/vendor-reset) and set its reset: hostdev "
                           "reset --method device_specific, or its udev rule for every boot",
                           "an AMD %s GPU (1002:%04x): the resets the kernel has leave it hung for the next guest "
                           "(the AMD reset bug); vendor-reset's device table lists it",
                           family, d->device);
}
