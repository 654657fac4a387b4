/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The emulator's kernel behaviours for devices a host makes: SR-IOV VFs, mdev instances, FC vports. */
#pragma once

#include <stdbool.h>

#include "emulator.h"

/*
 * emu-sriov.c  .../sriov_numvfs        enable N VFs (folders beside the PF at offset + i*stride, physfn and
 *                                       virtfnN links, one new IOMMU group each, drivers_probe when
 *                                       sriov_drivers_autoprobe is 1) or disable them all; -ERANGE above
 *                                       sriov_totalvfs, -ENOENT without a PF driver, -EBUSY from N to M != 0
 * emu-mdev.c   .../mdev_supported_types/T/create   a new instance (mdev_type, subsystem, IOMMU group,
 *                                       remove, and the attribute files emulator-mdev-attrs names for T);
 *                                       -EINVAL bad UUID, -EEXIST taken, -EUSERS none available
 *              mdev .../UUID/remove     take it away again, available_instances back up
 * emu-vport.c  .../fc_host/hostN/vport_create, vport_delete  "WWPN:WWNN" as
 *                                       Documentation/scsi/scsi_fc_transport.rst: a vport-N:0-M folder with
 *                                       a new scsi_host; -EINVAL format, -ENOSPC all vports in use, -EEXIST
 *                                       WWPN taken, -ENODEV no such vport to delete
 * Every other write goes on to emu_write_hook. These writes are not counted or logged by emulator.c, and
 * its faults do not apply to them; emu_ext_fail_path() does.
 */

/* emu_attach(), then route the context's writes through the behaviours above first. */
int emu_ext_attach(struct emu *e, struct hd_context *ctx);
int emu_ext_write_hook(void *userdata, int root_fd, const char *path, const char *value, size_t len);

/* The next TIMES writes (< 0: all) handled here whose path matches GLOB (and whose value is VALUE, when not
 * NULL) fail with -ERR and change nothing. */
void emu_ext_fail_path(const char *glob, const char *value, int err, int times);
/* Lazy SR-IOV: sriov_numvfs takes the number but no VF appears (a kernel still creating them). */
void emu_ext_sriov_lazy(bool lazy);
/* Lazy NPIV: vport_create makes the vport but its SCSI host never comes (a fabric login that hangs). */
void emu_ext_vport_lazy(bool lazy);
void emu_ext_clear(void);
