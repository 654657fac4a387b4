/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PLACEHOLDER */
#include "context-internal.h"
#include "hostdev/format.h"
int hd_device_from_xml(struct hd_context *ctx, const char *xml, size_t len, struct hd_device **ret_dev) { return -ENOSYS; }
