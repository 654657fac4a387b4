/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What `hostdev record` asks of the manager: read what check reads, so the recording holds it. */
#pragma once

#include "context-internal.h"

/*
 * Read, and forget, what `hostdev check` reads: the host's setup once
 * (/proc/cmdline, /proc/interrupts, /proc/iomem, the kernel release, the
 * IOMMU units, vfio), the processes with a /dev/vfio or /dev/dri node open
 * (/proc/PID/fd links and comm), and of every PCI function its group,
 * config space, BARs, reset methods and the modules.alias lookup of its
 * vfio driver. Errors are not reported: what could not be read is absent
 * from the recording, as from the host.
 */
void check_read_all(struct hd_context *ctx);
