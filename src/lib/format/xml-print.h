/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pieces of the node device XML printer that live in more than one file. */
#pragma once

#include "hostdev/device.h"
#include "xml-writer.h"

/* The body of <capability type='pci'>. */
void xml_print_pci(struct xw *w, const struct hd_cap_pci *p);
/* <capability type='mdev_types'> (pci, css, ap_matrix); nothing when N is 0. */
void xml_print_mdev_types(struct xw *w, const struct hd_mdev_type *t, size_t n);
