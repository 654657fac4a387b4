/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The passthrough manager: detach, reset and check PCI devices, prepare and release a VM's devices, recover after a crash. */
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
 * left half done (hd_recover). So the store is trusted only when its
 * directory and files (hostdev.db, its -wal and -shm, the lock) belong to
 * the caller's effective uid (or root) and no one else can write them; any
 * other store is refused with -EPERM and a message naming the file. They return 0 or a negative errno, with a
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
/*
 * The same, by METHOD for this one reset ("flr", "pm", "bus", "acpi",
 * "af_flr", "device_specific", "cxl_bus"; NULL: as hd_pci_reset): METHOD is
 * written to `reset_method`, the device reset, and `reset_method` written
 * back as it was, each a journaled step, so a process killed in between is
 * put right by hd_recover. A bus reset's neighbours are checked as above.
 * -EINVAL (with a message naming what the device offers) when the kernel
 * refuses METHOD; -EOPNOTSUPP on a kernel without `reset_method` (< 5.15).
 */
int hd_pci_reset_method(struct hd_context *ctx, const char *addr, const struct hd_owner *owner,
                        const char *method, unsigned flags);

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
        /*
         * What was looked at: "device", "bridge", "iommu", "irq-remap", "vfio",
         * "cmdline", "group", "member", "acs", "display", "driver", "reset",
         * "holder", "process", "host", "recover".
         */
        char *topic;
        char *text;   /* what is, for a person: the fact read */
        char *remedy; /* what to do, or NULL */
        char *source; /* where the fact was read ("/proc/iomem", ".../reset_method"), or NULL */
        bool hostdev_fixes; /* a FAIL that a hostdev command clears without a person (the remedy says which) */
};

/* What a check means for the device, worst item decides; the values are `hostdev check`'s exit status. */
enum hd_report_verdict {
        HD_REPORT_NOW = 0,     /* nothing stands in the way */
        HD_REPORT_HOSTDEV = 1, /* only what hostdev clears itself (hostdev detach --group) */
        HD_REPORT_PERSON = 2,  /* something needs a person (a reboot, another slot, another program stopped) */
};
const char *hd_report_verdict_to_string(enum hd_report_verdict v); /* "now", "hostdev", "person" */

struct hd_report {
        char *subject;  /* the device ("0000:01:00.0") or NULL */
        bool ok;        /* no item failed */
        struct hd_report_item *items;
        size_t n_items;
        enum hd_report_verdict verdict; /* from the FAIL items: none NOW, all hostdev_fixes HOSTDEV, else PERSON */
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
        char *vf_flags;         /* its saved spoof checking, trust, link state: "trust=off"; NULL when none set */
        char *holder;           /* the process that recorded it: "pid 1234 (hostdev)" */
        int64_t created, updated; /* seconds since the epoch; a held device's 'updated' is when its guest got it */
        /* What hd_manager_prepare adds: */
        char *prev_state;    /* "detached": the state it goes back to at release; NULL: the record goes */
        char *orig_override; /* pci: the driver_override it had, put back with its driver */
        char *node;          /* what the guest uses: "/dev/vfio/5", "/dev/bus/usb/001/004", "/dev/sg2",
                                "/sys/bus/mdev/devices/UUID"; NULL when none */
        bool shareable, readonly; /* scsi: <shareable/>, <readonly/> */
        char *sgio;               /* scsi: "filtered", "unfiltered", or NULL (not given) */
        bool mdev_started;        /* mdev: hostdev started it from its definition and stops it at release */
        char **sharers;           /* scsi shared by several owners: "DRIVER:DOMAIN" each, NULL-terminated; NULL when not shared */
        /*
         * A hold tied to a process (hd_manager_prepare_pid, hd_manager_hold_pid):
         * its pid and start time (field 22 of /proc/PID/stat, clock ticks since
         * boot); 0 when the hold is tied to none. For a shared LUN, the first owner's.
         */
        int64_t holder_pid, holder_start;
        /*
         * Claimed (hd_manager_claim): its launcher (libvirt) prepared it itself; hostdev only records who has
         * it, and its release writes nothing to sysfs.
         */
        bool claimed;
};

/*
 * Every record, sorted by kind and key. A missing state store is an empty
 * list; one that cannot be read (corrupt, on a read-only filesystem, not
 * yours) is an error with a message saying why, never an empty list.
 */
int hd_active_list(struct hd_context *ctx, struct hd_active **ret_records, size_t *ret_n);
/*
 * The VFIO cdev of record A's device (a "pci" or "mdev" record), read from
 * sysfs now: "/dev/vfio/devices/vfioN" in *RET_NODE, or NULL when the kernel
 * gave it none (no CONFIG_VFIO_DEVICE_CDEV, not on a vfio driver, gone).
 */
int hd_active_vfio_cdev(struct hd_context *ctx, const struct hd_active *a, char **ret_node);
/* One device's record; -ENOENT when it has none. */
int hd_active_get(struct hd_context *ctx, const char *kind, const char *key,
                  struct hd_active **ret_record);
void hd_active_free(struct hd_active *r);
void hd_active_list_free(struct hd_active *records, size_t n);

/*
 * Preparing and releasing all devices of a virtual machine.
 *
 * There is one manager per host, and it is the state store: every process
 * that calls these functions with the same state directory (the default,
 * /var/lib/hostdev, or HOSTDEV_STATE_DIR) shares it, so two launchers (two
 * libvirt daemons, a script running QEMU by hand, ...) never give one device
 * to two guests. Every launcher on a host must therefore use the same state
 * directory; nothing else needs to be set up or kept running.
 */
struct hd_domain_def;
struct hd_vf_netlink_ops;

enum hd_manager_flags {
        /* Take a device the host runs on (a mounted filesystem, swap, the default route behind it). */
        HD_MANAGER_FORCE = HD_PCI_FORCE,
        /*
         * The guest resumes (restore, incoming migration) rather than boots: a
         * USB device with startupPolicy='requisite' may then be missing, as in libvirt.
         */
        HD_MANAGER_RESUME = 1 << 2,
        /* hd_manager_claim: what OWNER holds already is no refusal (libvirt reconnecting to a running guest). */
        HD_MANAGER_AGAIN = 1 << 3,
        /* Per kind: act only on these (none of them set: on every kind). An interface's VF is HD_MANAGER_ONLY_NET_VF. */
        HD_MANAGER_ONLY_PCI = 1 << 8,
        HD_MANAGER_ONLY_USB = 1 << 9,
        HD_MANAGER_ONLY_SCSI = 1 << 10,
        HD_MANAGER_ONLY_MDEV = 1 << 11,
        HD_MANAGER_ONLY_NET_VF = 1 << 12,
};

/*
 * Give every device of DEF (its <hostdev mode='subsystem'> and
 * <interface type='hostdev'> elements) to OWNER, or none of them: on any
 * failure every step already taken is undone, in reverse, and the error
 * names the device. The semantics are libvirt's (virhostdev.c):
 *
 *   pci      managed='yes': detached to vfio-pci (the driver it had is
 *            recorded and given back at release); managed='no': must be on
 *            vfio-pci already ('hostdev detach'). Bridges are refused, and so
 *            is a device whose IOMMU group is not viable: every other
 *            endpoint of the group must be in DEF, on vfio-pci/pci-stub or on
 *            no driver, and held by no other owner. A device found on vfio-pci
 *            without a record stays there at release.
 *   usb      by vendor/product (found wherever it is now; several matches are
 *            an error listing them), by bus/device, or both. Missing and
 *            startupPolicy='optional' (or 'requisite' with HD_MANAGER_RESUME):
 *            left out, and said in *RET_SKIPPED.
 *   scsi     adapter scsi_hostN + bus/target/unit, resolved to its /dev/sgN.
 *            A LUN another owner holds is refused unless both say
 *            <shareable/>. iSCSI is refused; managed= is ignored, as libvirt does.
 *   mdev     must be running, or defined and not running: it is started, and
 *            stopped again at release. Its device API must be the model's,
 *            and the guest address fit it (vfio-pci: pci or none; vfio-ccw:
 *            ccw or none; vfio-ap: none).
 *   net_vf   <interface type='hostdev'>: the VF is taken as a PCI device
 *            (managed as the interface says), its admin MAC and VLAN are read
 *            from its PF, kept in the state store, and set as the XML asks;
 *            release puts them back. 802.1Qbg/802.1Qbh virtual ports are refused.
 *   <hostdev mode='capabilities'> is refused: it is for containers.
 *
 * A device another owner holds is refused (-EBUSY) with that owner's name;
 * so is one OWNER holds already. Every step is recorded in the state store
 * before it is taken; a process killed half-way is undone by hd_recover (or
 * by the next operation). FLAGS: enum hd_manager_flags. RET_SKIPPED (may be
 * NULL) gets a NULL-terminated list of sentences about devices left out
 * (NULL when none); free with hd_strv_free().
 */
int hd_manager_prepare(struct hd_context *ctx, const struct hd_owner *owner, const struct hd_domain_def *def,
                       unsigned flags, char ***ret_skipped);

/*
 * Holds tied to a process. A hold is the devices one owner holds; tied to
 * process PID, it lasts as long as that process: the record keeps PID and
 * its start time (field 22 of /proc/PID/stat, read below the root prefix),
 * so a pid the kernel gave to another process since is not the holder.
 * When a later changing operation (every one runs hd_recover's work first)
 * or hd_recover finds the holder gone, the owner's devices are given back as
 * hd_manager_release gives them back, said as a notice on the context
 * (hd_context_take_notices) or an item of hd_recover's report, and listed
 * by hd_reclaim_list. A PCI device whose /dev/vfio/N or vfio cdev some
 * process still has open is never given back: the owner's hold stays, and
 * the notice names that process.
 */

/* hd_manager_prepare, the hold tied to PID; -ESRCH (said) when there is no process PID. */
int hd_manager_prepare_pid(struct hd_context *ctx, const struct hd_owner *owner, const struct hd_domain_def *def,
                           unsigned flags, int pid, char ***ret_skipped);
/*
 * Tie what OWNER holds to process PID (another one than before: `hostdev
 * run` ties its own hold to its launcher once it is started); PID 0 unties
 * it. -ESRCH when there is no process PID, -ENOENT when OWNER holds nothing.
 */
int hd_manager_hold_pid(struct hd_context *ctx, const struct hd_owner *owner, int pid);

/* One device given back because the process its hold was tied to died. */
struct hd_reclaim {
        char *owner_driver, *owner_domain, *owner_uuid; /* who held it; the UUID may be NULL */
        char *kind, *key;                               /* as in struct hd_active */
        int64_t holder_pid;                             /* the process that was gone */
        int64_t reclaimed;                              /* when, seconds since the epoch */
        char *why; /* "pid 1234 is gone", "pid 1234 is another process now" */
};
/* What was given back from holders that died in the last 30 days, oldest first; no store is an empty list. */
int hd_reclaim_list(struct hd_context *ctx, struct hd_reclaim **ret, size_t *ret_n);
void hd_reclaim_list_free(struct hd_reclaim *v, size_t n);

/*
 * Give back what OWNER holds: the devices of DEF that OWNER holds, or with DEF
 * NULL every device it holds, in the reverse of the order they were taken.
 * Managed PCI devices go back to the drivers they had (and driver_override
 * as it was), a VF's MAC and VLAN are put back, mediated devices hostdev
 * started are stopped, a shared SCSI LUN stays with its other owners.
 * Devices of DEF that OWNER does not hold are left alone. A device that
 * cannot be given back is kept (still held, or detached on its stub) and
 * the error names it; the others are given back. A device that is gone
 * from the host loses its record. FLAGS: the HD_MANAGER_ONLY_* kinds.
 * Returns the number of records given back (an interface's VF has two: its
 * PCI function and its network settings; 0 when OWNER holds none of them).
 */
int hd_manager_release(struct hd_context *ctx, const struct hd_owner *owner, const struct hd_domain_def *def,
                       unsigned flags);

/*
 * Record every device of DEF (its <hostdev> and <interface type='hostdev'>
 * elements) as held by OWNER without touching sysfs: for a launcher that
 * binds the drivers itself (libvirt, through its hook). All or none: a
 * device another owner holds, or an operation has busy, is refused
 * (-EBUSY, naming that owner) before anything is written; one OWNER holds
 * already too, unless HD_MANAGER_AGAIN. A device detached by hand
 * ('hostdev detach') is taken and goes back to detached when unclaimed.
 * Keys come from the XML alone (a PCI device that is not there is the
 * launcher's to report), except a USB device named by vendor/product or by
 * address only, which is looked up. The records are "claimed": release
 * and recovery drop them without writing to sysfs. A domain without host
 * devices opens no store. Returns the number of records written.
 */
int hd_manager_claim(struct hd_context *ctx, const struct hd_owner *owner, const struct hd_domain_def *def,
                     unsigned flags);
/* Drop every claimed record OWNER has, writing nothing to sysfs; returns how many (0: none). */
int hd_manager_unclaim(struct hd_context *ctx, const struct hd_owner *owner);

enum hd_qemu_args_flags {
        /* Leave out the controllers: the command line has its own (with libvirt's ids, "usb", "scsi0" ...). */
        HD_QEMU_ARGS_NO_CONTROLLERS = 1 << 0,
        /*
         * Every VFIO device (PCI, VF, mediated) through iommufd rather than its
         * group, as <driver iommufd='yes'/> asks for one PCI device; a device's
         * iommufd='no' still wins.
         */
        HD_QEMU_ARGS_IOMMUFD = 1 << 1,
};

/*
 * The QEMU command line options for DEF's devices as they are prepared now,
 * one argument per string ("-device", "vfio-pci,host=0000:01:00.0,id=hostdev0"),
 * NULL-terminated; free with hd_strv_free(). They are what libvirt 9 gives
 * QEMU for the same XML:
 *
 *   - ids: every <interface type='hostdev'>, then every <hostdev>, is
 *     "hostdevN", N one above the highest so far; <alias name='ua-...'/> is kept.
 *   - the controllers the devices are on come first (unless
 *     HD_QEMU_ARGS_NO_CONTROLLERS): the XML's <controller type='usb'|'scsi'>
 *     of each index a device uses, or the one libvirt adds for the machine
 *     of <os><type machine=>: USB qemu-xhci (q35, or no machine named),
 *     piix3-uhci (i440FX), pci-ohci (pSeries); SCSI lsilogic (PC), virtio-scsi
 *     ("virt" boards, s390), ibmvscsi (pSeries); a SCSI controller libvirt adds
 *     beyond the XML's takes the model of the highest-numbered one the XML names.
 *   - a SCSI LUN without <address> gets the first free unit 0-6 of
 *     controller 0, then 1 ...; it is written scsi-id=UNIT on an lsilogic
 *     (single-LUN) bus and channel=,scsi-id=,lun= on virtio-scsi and others.
 *   - <address type='unassigned'/>: prepared, but left off.
 *   - <teaming type='transient' persistent='ALIAS'/>: failover_pair_id=ALIAS.
 *   - iommufd (HD_QEMU_ARGS_IOMMUFD, <driver iommufd='yes'/>): one
 *     "-object iommufd,id=iommufd0" before the devices, and iommufd=iommufd0
 *     on each device that uses it; QEMU opens the device's VFIO cdev itself.
 *     -EOPNOTSUPP, naming the device and the remedy, when the host has no
 *     /dev/iommu or the device no cdev (vfio-dev/vfioN/dev).
 *   - a USB device's <address type='usb' bus= port=>: bus=ID.0,port=;
 *     <source guestReset=>: guest-reset= and guest-resets-all=.
 *
 * -ENOENT (naming the device) when one is not held by anyone (OWNER NULL)
 * or not by OWNER. A USB device left out by its startupPolicy is left out
 * here too. -EOPNOTSUPP for a controller model QEMU lacks (buslogic,
 * vmpvscsi, qusb1 ...). FLAGS: enum hd_qemu_args_flags.
 */
int hd_manager_qemu_args(struct hd_context *ctx, const struct hd_owner *owner, const struct hd_domain_def *def,
                         unsigned flags, char ***ret_argv);

/*
 * How this context reaches a VF's PF over rtnetlink to read and set its
 * MAC and VLAN (prepare, release, recovery). NULL: the real netlink on the
 * root prefix "/", and none under another root prefix (a recorded tree has
 * no network; an <interface type='hostdev'> is then refused). Tests pass
 * an emulation. OPS must outlive the context's use of it.
 */
void hd_manager_set_vf_netlink(struct hd_context *ctx, const struct hd_vf_netlink_ops *ops);

void hd_strv_free(char **v);

#ifdef __cplusplus
}
#endif
