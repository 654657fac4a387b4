/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Settings that survive a reboot: plain files in /etc/hostdev (below the context's root), applied by `hostdev apply`. */
#pragma once

#include "hostdev/context.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What a person set with --persistent, one file per PCI function:
 * /etc/hostdev/pci/ADDRESS ("driver=vfio-pci": kept on that stub) and
 * /etc/hostdev/sriov/ADDRESS ("numvfs=4": the PF's VF count; "autoprobe=0",
optional: the VFs are made with no driver probing them). Lines are
 * KEY=VALUE; blank lines and lines starting with '#' are ignored.
 */
enum hd_persist_kind {
        HD_PERSIST_PCI,
        HD_PERSIST_SRIOV,
};

struct hd_persist {
        char addr[20];   /* the file's name, a canonical PCI address */
        char *driver;    /* HD_PERSIST_PCI: the stub driver */
        unsigned numvfs; /* HD_PERSIST_SRIOV: the VF count */
        int autoprobe;   /* HD_PERSIST_SRIOV: sriov_drivers_autoprobe written before the VFs are made, 0 or 1;
                            -1: left as the PF has it */
};
void hd_persist_done(struct hd_persist *p);

/* Write ADDR's setting of KIND (atomically: a reader sees the old file or the new one). */
int hd_persist_set_driver(struct hd_context *ctx, const char *addr, const char *driver);
int hd_persist_set_numvfs(struct hd_context *ctx, const char *addr, unsigned numvfs, int autoprobe);
/* Remove it; -ENOENT when there was none. */
int hd_persist_remove(struct hd_context *ctx, enum hd_persist_kind kind, const char *addr);
/*
 * Read ADDR's setting of KIND into *RET (hd_persist_done() after): -ENOENT
 * when there is none; -EINVAL with a message naming the file and the line
 * when it is malformed, or when ADDR names no PCI function.
 */
int hd_persist_get(struct hd_context *ctx, enum hd_persist_kind kind, const char *addr, struct hd_persist *ret);
/*
 * The names of the files of KIND, sorted (NULL-terminated, hd_strv_free()):
 * every file but hidden ones (a writer's temporary files), so a file
 * misnamed by hand is reported by hd_persist_get() instead of ignored.
 */
int hd_persist_list(struct hd_context *ctx, enum hd_persist_kind kind, char ***ret_names);
/*
 * Drop ADDR's record when a reboot made it stale: it says "detached" (no
 * guest), yet the device is on no stub driver (the new boot gave it its host
 * driver, or none yet). Nothing in sysfs changes. -ENOENT when there is no
 * record; -EBUSY (said) when the record is to be kept: a guest holds the
 * device, an operation runs, or the device is on a stub.
 */
int hd_pci_forget_stale(struct hd_context *ctx, const char *addr);

/* The folder of KIND's files, for messages ("/etc/hostdev/pci", or below the sysroot). */
char *hd_persist_dir(struct hd_context *ctx, enum hd_persist_kind kind);

#ifdef __cplusplus
}
#endif
