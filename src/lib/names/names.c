/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Vendor and product names from the database libvirt would use: pci.ids for PCI, hwdb for USB. */
#include <stdio.h>
#include <string.h>
#include <systemd/sd-hwdb.h>

#include "ids.h"
#include "names.h"
#include "util/strutil.h"

/*
 * Which database a name comes from decides whether it agrees with
 * `virsh nodedev-dumpxml`: libvirt names PCI devices through libpciaccess,
 * which reads hwdata's pci.ids, and USB devices from udev's
 * ID_VENDOR_FROM_DATABASE / ID_MODEL_FROM_DATABASE, which come from the
 * hwdb. The two drift apart (the hwdb is compiled from a pci.ids snapshot
 * of systemd's release), so each bus asks its own database first and the
 * other only when the first is not installed. A name that one database
 * lacks is left out rather than taken from the other, as libvirt does.
 *
 * hd_context_set_ids_dir() takes the ids files only from its folder and
 * leaves the system's hwdb out, so tests do not depend on the host's
 * databases. names_set_hwdb() opens that hwdb.bin instead of the system's,
 * even with an ids folder (tests of the hwdb path).
 */

struct hd_names {
        bool hwdb_tried;
        sd_hwdb *hwdb;
        struct ids_db pci, usb;
};

struct hd_names *hd_names_free(struct hd_names *n) {
        if (!n)
                return NULL;
        sd_hwdb_unref(n->hwdb);
        ids_close(&n->pci);
        ids_close(&n->usb);
        free(n);
        return NULL;
}

int names_set_hwdb(struct hd_context *ctx, const char *path) {
        char *copy = path ? strdup(path) : NULL;
        if (path && !copy)
                return -ENOMEM;
        free(ctx->hwdb_path);
        ctx->hwdb_path = copy;
        ctx->names = hd_names_free(ctx->names);
        return 0;
}

static struct hd_names *names_get(struct hd_context *ctx) {
        if (!ctx->names)
                ctx->names = calloc(1, sizeof(struct hd_names));
        return ctx->names;
}

static bool hwdb_available(const struct hd_context *ctx, struct hd_names *n) {
        if (n->hwdb_tried)
                return n->hwdb != NULL;
        n->hwdb_tried = true;
        if (ctx->hwdb_path) {
                if (sd_hwdb_new_from_path(ctx->hwdb_path, &n->hwdb) < 0)
                        n->hwdb = NULL;
        } else if (!ctx->ids_dir && sd_hwdb_new(&n->hwdb) < 0)
                n->hwdb = NULL;
        return n->hwdb != NULL;
}

static char *hwdb_get(struct hd_names *n, const char *modalias, const char *key) {
        const char *v = NULL;
        if (sd_hwdb_get(n->hwdb, modalias, key, &v) < 0 || isempty(v))
                return NULL;
        return strdup(v);
}

/*
 * The hwdb keys are modalias patterns ("pci:v00008086*",
 * "pci:v00008086d000010D3*"): a prefix of a device's modalias matches the
 * vendor's and the model's entries but not the subsystems'.
 */
static char *pci_name(struct hd_context *ctx, unsigned vendor, int device) {
        struct hd_names *n = names_get(ctx);
        char modalias[32];

        if (!n)
                return NULL;
        if (ids_open(&n->pci, ctx->ids_dir, "pci.ids"))
                return ids_lookup(&n->pci, vendor, device);
        if (!hwdb_available(ctx, n))
                return NULL;
        if (device < 0) {
                snprintf(modalias, sizeof(modalias), "pci:v%08X", vendor);
                return hwdb_get(n, modalias, "ID_VENDOR_FROM_DATABASE");
        }
        snprintf(modalias, sizeof(modalias), "pci:v%08Xd%08X", vendor, (unsigned)device);
        return hwdb_get(n, modalias, "ID_MODEL_FROM_DATABASE");
}

static char *usb_name(struct hd_context *ctx, unsigned vendor, int product) {
        struct hd_names *n = names_get(ctx);
        char modalias[32];

        if (!n)
                return NULL;
        if (hwdb_available(ctx, n)) {
                if (product < 0) {
                        snprintf(modalias, sizeof(modalias), "usb:v%04X", vendor & 0xffff);
                        return hwdb_get(n, modalias, "ID_VENDOR_FROM_DATABASE");
                }
                snprintf(modalias, sizeof(modalias), "usb:v%04Xp%04X", vendor & 0xffff,
                         (unsigned)product & 0xffff);
                return hwdb_get(n, modalias, "ID_MODEL_FROM_DATABASE");
        }
        if (ids_open(&n->usb, ctx->ids_dir, "usb.ids"))
                return ids_lookup(&n->usb, vendor, product);
        return NULL;
}

char *hd_names_pci_vendor(struct hd_context *ctx, unsigned vendor) {
        return pci_name(ctx, vendor, -1);
}

char *hd_names_pci_product(struct hd_context *ctx, unsigned vendor, unsigned device) {
        return pci_name(ctx, vendor, (int)(device & 0xffff));
}

char *hd_names_usb_vendor(struct hd_context *ctx, unsigned vendor) {
        return usb_name(ctx, vendor, -1);
}

char *hd_names_usb_product(struct hd_context *ctx, unsigned vendor, unsigned product) {
        return usb_name(ctx, vendor, (int)(product & 0xffff));
}
