/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The passthrough manager: detach, reattach and reset PCI devices, check them, recover after a crash. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostdev/context.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Every operation below writes sysfs only after it has recorded in the
 * state store what it is about to do and how to undo it. The store is
 * hostdev.db (SQLite) in hd_context_get_state_dir(); with a root prefix
 * other than "/" and the default state directory, it is
 * ROOT/var/lib/hostdev, so a recorded tree never touches the host's records.
 *
 * Operations that change a device hold an exclusive lock on the state
 * directory for their whole run (waiting up to a minute for another
 * process's), and begin by finishing or undoing whatever an earlier process
 * left half done (hd_recover). They return 0 or a negative errno, with a
 * message for a person on the context (hd_context_last_error) naming the
 * device and the remedy. EACCES/EPERM mean "not root".
 *
 * Writes go through the context's write hook when one is set (the kernel
 * emulator in tests); the stub driver's module is only loaded with the root
 * prefix "/".
 */

enum hd_pci_flags {
        /* Act on every endpoint of the device's IOMMU group (bridges in it are left alone). */
        HD_PCI_GROUP = 1 << 0,
        /*
         * Take the device even if the host runs on it (it backs a mounted
         * filesystem or active swap, or carries the default route).
         */
        HD_PCI_FORCE = 1 << 1,
};

/* Who holds a device for a guest: "qemu", "vm1", the domain's UUID (may be NULL). */
struct hd_owner {
        const char *driver;
        const char *domain;
        const char *uuid;
};

/*
 * Give the PCI device ADDR ("0000:01:00.0" or "01:00.0") to DRIVER (NULL:
 * "vfio-pci") through driver_override, unbind and drivers_probe, loading the
 * driver's module with libkmod when it is not there (never under a sysroot
 * other than "/"). The device is recorded as detached, with no owner and the
 * driver it had, which hd_pci_reattach gives back. If the stub does not end
 * up bound (a probe can report success and bind nothing), every step is
 * undone and -EIO returned.
 *
 * Refused: bridges (-EINVAL); a device the host runs on, unless HD_PCI_FORCE
 * (-EBUSY, the message says which filesystem, swap or interface); a device
 * that is already recorded (-EBUSY, the message names who detached or holds
 * it and since when). A device found bound to DRIVER with no record is
 * adopted: recorded, with no driver to give back.
 *
 * With HD_PCI_GROUP, every endpoint of the IOMMU group is detached, or none:
 * a failure on one gives the others back. Members already recorded are
 * skipped.
 */
int hd_pci_detach(struct hd_context *ctx, const char *addr, const char *driver, unsigned flags);

/*
 * Give a detached device back to the host: clear driver_override, unbind
 * from the stub, let the kernel probe, and check that it got the driver it
 * had before (any driver when none was recorded); if the probe binds
 * nothing, bind the original driver by name. The record is dropped.
 *
 * Refused when a guest holds it (-EBUSY, naming the owner). A device on a
 * stub (vfio-pci, pci-stub, ...) that hostdev never recorded is given back
 * too; one on another driver is -EALREADY. With HD_PCI_GROUP, every
 * recorded member of the group is given back.
 */
int hd_pci_reattach(struct hd_context *ctx, const char *addr, unsigned flags);

/*
 * Reset the device through the kernel's `reset` attribute, which uses the
 * methods listed in `reset_method`, first that works first. When the first
 * method is a bus reset ("bus", "cxl_bus"), every device on the same bus and
 * below it is reset too: refused (-EBUSY, naming them) when one of them is
 * held by an owner other than OWNER (NULL: any owner), bound to a host
 * driver, or needed by the host. A device without any reset method is
 * -EOPNOTSUPP. The device itself must not be held by another owner, nor run
 * the host unless HD_PCI_FORCE.
 */
int hd_pci_reset(struct hd_context *ctx, const char *addr, const struct hd_owner *owner,
                 unsigned flags);

/* One line of a report: what was looked at, what was found, what to do about it. */
enum hd_report_status {
        HD_REPORT_OK,
        HD_REPORT_INFO, /* a fact, neither good nor bad */
        HD_REPORT_WARN, /* works, with a caveat */
        HD_REPORT_FAIL, /* stops the device from going to a guest now */
};
const char *hd_report_status_to_string(enum hd_report_status s); /* "ok", "info", "warn", "fail" */

struct hd_report_item {
        enum hd_report_status status;
        char *topic;  /* "iommu", "group", "member", "driver", "reset", "holder", "host", "bridge", "recover" */
        char *text;   /* what is, for a person */
        char *remedy; /* what to do, or NULL */
};

struct hd_report {
        char *subject;  /* the device ("0000:01:00.0") or NULL */
        bool ok;        /* no item failed */
        struct hd_report_item *items;
        size_t n_items;
};
struct hd_report *hd_report_free(struct hd_report *r);

/*
 * Whether ADDR can be passed through now, item by item: the device itself
 * and whether it is a bridge, the IOMMU, the group's members with their
 * drivers and the group's viability (every other endpoint bound to a vfio
 * driver, pci-stub or nothing), the driver it is on, its reset methods,
 * who holds it per the state store, and whether the host runs on it.
 * Reads only: never creates the state store. FLAGS: none yet (0).
 */
int hd_pci_check(struct hd_context *ctx, const char *addr, unsigned flags,
                 struct hd_report **ret_report);

/*
 * Finish or undo every operation a process left open (it crashed or was
 * killed): an interrupted detach is undone (the device goes back to its
 * driver, the record is dropped); an interrupted reattach is finished; an
 * interrupted reset is closed. Afterwards no device is half bound and no
 * record names an owner who never got the device. Running it again changes
 * nothing. Every manager operation calls it first.
 *
 * RET_REPORT (may be NULL) gets one item per operation looked at. Returns
 * the number of operations recovered, or a negative errno; an operation
 * that could not be brought to a consistent state is a FAIL item and the
 * return is -EIO.
 */
int hd_recover(struct hd_context *ctx, struct hd_report **ret_report);

/* What the state store says about one device a process took (`hostdev active`). */
struct hd_active {
        char *kind;  /* "pci", "usb", "scsi", "mdev", "net_vf" */
        char *key;   /* "0000:01:00.0"; usb "BUS:DEV VVVV:PPPP"; scsi "H:B:T:U"; mdev UUID */
        char *state; /* "detached" (on the stub, no guest), "held" (a guest's), "busy" (an operation runs) */
        char *owner_driver, *owner_domain, *owner_uuid; /* NULL when detached */
        bool managed;
        char *orig_driver; /* the driver to give it back to; NULL: let the kernel choose */
        char *stub_driver; /* "vfio-pci" */
        bool unbind_from_stub, remove_slot, reprobe;
        char *vf_mac, *vf_vlan; /* a VF's saved network settings, NULL when none */
        char *holder;           /* the process that recorded it: "pid 1234 (hostdev)" */
        int64_t created, updated; /* seconds since the epoch */
};

/* Every record, sorted by kind and key. A missing state store is an empty list. */
int hd_active_list(struct hd_context *ctx, struct hd_active **ret_records, size_t *ret_n);
/* One device's record; -ENOENT when it has none. */
int hd_active_get(struct hd_context *ctx, const char *kind, const char *key,
                  struct hd_active **ret_record);
void hd_active_free(struct hd_active *r);
void hd_active_list_free(struct hd_active *records, size_t n);

#ifdef __cplusplus
}
#endif
