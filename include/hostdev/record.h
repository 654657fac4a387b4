/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Record the sysfs files hostdev reads, so `--sysroot` replays the host exactly. */
#pragma once

#include "hostdev/context.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Read the host as `list`, `show` of every device and `iommu` would, and
 * copy exactly the files, folders and links that were read into DEST: a
 * folder that does not exist yet (or is empty), or, when DEST ends in
 * ".tar", a tar archive. Only sysfs and udev's device database are copied;
 * a link that leads out of them is kept as a link and not followed.
 * Nothing of the host is written. On failure, a partly written DEST is removed.
 */
int hd_record(struct hd_context *ctx, const char *dest);

#ifdef __cplusplus
}
#endif
