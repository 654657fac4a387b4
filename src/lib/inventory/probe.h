/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What each subsystem module gives the inventory, and what the inventory gives it. */
#pragma once

#include "context-internal.h"
#include "hostdev/device.h"
#include "util/strutil.h"

/*
 * Key=value pairs of a device's `uevent` file (DEVTYPE, DRIVER, DEVNAME,
 * MAJOR, MINOR, INTERFACE, PRODUCT ...) and, when udev keeps a database
 * entry for it (/run/udev/data), the udev properties (E: lines: ID_BUS,
 * ID_SERIAL ...) and device links (S: lines). Everything absent is NULL.
 */
struct hd_uevent {
        char **env;   /* "KEY=value" from uevent */
        char **props; /* "KEY=value" from the udev database */
        char **links; /* "/dev/disk/by-id/..." from the udev database */
};
const char *uevent_get(const struct hd_uevent *ue, const char *key);
const char *udev_prop_get(const struct hd_uevent *ue, const char *key);

/*
 * One subsystem module per kind of device (pci.c, usb.c, net.c ...).
 * A device is given to the module whose `subsystem` equals the name of the
 * device's `subsystem` link.
 */
struct hd_subsystem {
        const char *subsystem;
        /* Folders a scan lists to find this subsystem's devices (NULL-terminated). */
        const char *const *scan_dirs;
        /*
         * Fill D's name, devnodes and capabilities. The common fields
         * (sysfs_path, sysname, subsystem, devtype, driver, the /dev/DEVNAME
         * devnode and udev's links) are set before. DIRFD is the device's
         * folder. Return 0; -ENODEV for a device libvirt does not list (a
         * partition, a USB interface's endpoint ...); -ENOENT when it
         * vanished; another negative errno on failure.
         */
        int (*probe)(struct hd_context *ctx, int dirfd, const struct hd_uevent *ue,
                     struct hd_device *d);
        /*
         * Map SPEC (a libvirt name or another form this subsystem owns, such
         * as a PCI address or an interface name) to the device's sysfs path,
         * touching only what that one device needs. Return 0 with *ret_path
         * set; -ENODEV if SPEC is not of this subsystem's forms; -ENOENT if
         * it is but no such device exists. SPEC never reaches a path unchecked:
         * use filename_is_safe() on every part taken from it.
         */
        int (*lookup)(struct hd_context *ctx, const char *spec, char **ret_path);
};

/* All modules, in the order lookups try them. NULL-terminated. */
extern const struct hd_subsystem *const hd_subsystems[];

extern const struct hd_subsystem hd_subsystem_pci, hd_subsystem_usb, hd_subsystem_net,
        hd_subsystem_scsi, hd_subsystem_block, hd_subsystem_scsi_generic, hd_subsystem_drm,
        hd_subsystem_mdev, hd_subsystem_vdpa, hd_subsystem_ccw, hd_subsystem_css,
        hd_subsystem_ap;

/* Add a capability of TYPE (zeroed) to D, after the ones it has. NULL on ENOMEM. */
struct hd_cap *hd_device_add_cap(struct hd_device *d, enum hd_cap_type type);
/* Add a devnode. */
int hd_device_add_devnode(struct hd_device *d, enum hd_devnode_type type, const char *path);
/* Replace every character libvirt does not keep in a name ([^A-Za-z0-9_]) by '_'. */
void hd_name_mangle(char *name);

/*
 * Build a device from its canonical sysfs path: common fields, then the
 * module. -ENODEV when no module takes it, -ENOENT when it is gone.
 */
int hd_probe_device(struct hd_context *ctx, const char *sysfs_path, struct hd_device **ret);
/*
 * The same for a device found in one of module S's scan folders: its
 * subsystem is known (a bus's devices/ or a class folder lists only its
 * own), so the `subsystem` link is not read, one system call per device.
 */
int hd_probe_device_in(struct hd_context *ctx, const char *sysfs_path, const struct hd_subsystem *s,
                       bool class_device, struct hd_device **ret);

/* The system capability of "computer" (system.c). */
int hd_probe_computer(struct hd_context *ctx, struct hd_device **ret);

/* The parent's libvirt name for a device at SYSFS_PATH, found by walking up (for lookups). */
int hd_probe_parent_name(struct hd_context *ctx, const char *sysfs_path, char **ret);

/* Free a capability's owned fields (caps.c). */
void hd_cap_free(struct hd_cap *c);
