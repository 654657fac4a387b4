/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PLACEHOLDER */
#include "context-internal.h"
#include "hostdev/format.h"
int hd_device_to_json(struct hd_context *ctx, const struct hd_device *d, char **ret_json) { return -ENOSYS; }
