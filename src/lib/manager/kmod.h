/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Making sure a stub driver (vfio-pci, pci-stub) is there before a device is given to it. */
#pragma once

#include "context-internal.h"

/*
 * 0 when /sys/bus/pci/drivers/DRIVER exists, loading its module through
 * libkmod first if needed. Under a root prefix other than "/" nothing is
 * loaded: the driver must be in the tree.
 */
int manager_load_driver(struct hd_context *ctx, const char *driver);
