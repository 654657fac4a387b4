/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Vendor and product names, from the database libvirt uses for each bus, so
 * names agree with virsh: hwdata's pci.ids for PCI (libvirt asks
 * libpciaccess), sd-hwdb for USB (libvirt asks udev); the other database
 * when that one is not installed; else no name.
 */
#pragma once

#include "context-internal.h"

struct hd_names;

struct hd_names *hd_names_free(struct hd_names *n);
/* Open the hwdb.bin at PATH instead of the system's, even with an ids folder set (tests of the hwdb path). */
int names_set_hwdb(struct hd_context *ctx, const char *path);

/*
 * Each returns a new string, or NULL when no database knows the id (or on
 * ENOMEM): no name rather than a wrong one. The databases are opened on
 * first use and kept on the context.
 */
char *hd_names_pci_vendor(struct hd_context *ctx, unsigned vendor);
char *hd_names_pci_product(struct hd_context *ctx, unsigned vendor, unsigned device);
char *hd_names_usb_vendor(struct hd_context *ctx, unsigned vendor);
char *hd_names_usb_product(struct hd_context *ctx, unsigned vendor, unsigned product);
