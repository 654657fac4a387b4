/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PLACEHOLDER: no names yet. */
#include "names.h"

struct hd_names *hd_names_free(struct hd_names *n) { return NULL; }
char *hd_names_pci_vendor(struct hd_context *ctx, unsigned vendor) { return NULL; }
char *hd_names_pci_product(struct hd_context *ctx, unsigned vendor, unsigned device) { return NULL; }
char *hd_names_usb_vendor(struct hd_context *ctx, unsigned vendor) { return NULL; }
char *hd_names_usb_product(struct hd_context *ctx, unsigned vendor, unsigned product) { return NULL; }
