/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* USB devices and their interfaces: usb_device and usb capabilities, named usb_3_1 and usb_3_1_1_0. */
#include <string.h>

#include "common.h"
#include "names/names.h"
#include "sysfs/sysfs.h"

#define USB_DEVICES "/sys/bus/usb/devices"

/*
 * A string descriptor's name for the vendor or product: udev's hwdb entry
 * first, then ours (hwdb, usb.ids), then what the device says of itself,
 * the order libvirt follows (ID_*_FROM_DATABASE, then the sysfs string).
 */
static int usb_name(int dirfd, const struct hd_uevent *ue, const char *prop, char *db,
                    const char *attr, char **ret) {
        const char *v = udev_prop_get(ue, prop);

        if (v) {
                free(db);
                *ret = strdup(v);
                return *ret ? 0 : -ENOMEM;
        }
        if (db) {
                *ret = db;
                return 0;
        }
        return attr_string(dirfd, attr, ret);
}

/* Documentation/ABI/stable/sysfs-bus-usb (busnum, devnum) and testing/sysfs-bus-usb (idVendor, idProduct). */
static int probe_usb_device(struct hd_context *ctx, int dirfd, const struct hd_uevent *ue,
                            struct hd_device *d) {
        struct hd_cap *c = hd_device_add_cap(d, HD_CAP_USB_DEVICE);
        struct hd_cap_usb_device *u;
        int r;

        if (!c)
                return -ENOMEM;
        u = &c->usb_dev;
        /*
         * The attributes, which a BUS:DEVICE lookup reads too (so a recorded
         * tree keeps them); the uevent's "BUSNUM=003" says the same.
         */
        if (attr_uint(dirfd, "busnum", 10, &u->bus) < 0)
                (void)uevent_uint(ue, "BUSNUM", 10, &u->bus);
        if (attr_uint(dirfd, "devnum", 10, &u->device) < 0)
                (void)uevent_uint(ue, "DEVNUM", 10, &u->device);
        (void)attr_uint(dirfd, "idVendor", 16, &u->vendor.id);
        (void)attr_uint(dirfd, "idProduct", 16, &u->product.id);
        r = usb_name(dirfd, ue, "ID_VENDOR_FROM_DATABASE", hd_names_usb_vendor(ctx, u->vendor.id),
                     "manufacturer", &u->vendor.name);
        if (r < 0)
                return r;
        r = usb_name(dirfd, ue, "ID_MODEL_FROM_DATABASE",
                     hd_names_usb_product(ctx, u->vendor.id, u->product.id), "product",
                     &u->product.name);
        if (r < 0)
                return r;
        return device_set_name(d, NULL);
}

/* Documentation/ABI/testing/sysfs-bus-usb: bInterface* are two hex digits. */
static int probe_usb_interface(int dirfd, struct hd_device *d) {
        struct hd_cap *c = hd_device_add_cap(d, HD_CAP_USB_INTERFACE);

        if (!c)
                return -ENOMEM;
        (void)attr_uint(dirfd, "bInterfaceNumber", 16, &c->usb_if.number);
        (void)attr_uint(dirfd, "bInterfaceClass", 16, &c->usb_if.klass);
        (void)attr_uint(dirfd, "bInterfaceSubClass", 16, &c->usb_if.subclass);
        (void)attr_uint(dirfd, "bInterfaceProtocol", 16, &c->usb_if.protocol);
        return device_set_name(d, NULL);
}

static int probe(struct hd_context *ctx, int dirfd, const struct hd_uevent *ue, struct hd_device *d) {
        /* Only devices and interfaces: endpoints and ports are not node devices in libvirt. */
        if (d->devtype && streq(d->devtype, "usb_device"))
                return probe_usb_device(ctx, dirfd, ue, d);
        if (d->devtype && streq(d->devtype, "usb_interface"))
                return probe_usb_interface(dirfd, d);
        return -ENODEV;
}

/* "BUS:DEVICE" as lsusb prints it: both decimal. */
static bool parse_bus_dev(const char *spec, unsigned *bus, unsigned *dev) {
        const char *colon = strchr(spec, ':');
        _cleanup_free_ char *b = NULL;

        if (!colon || strchr(colon + 1, ':'))
                return false;
        b = strndup(spec, (size_t)(colon - spec));
        return b && parse_uint(b, 10, bus) == 0 && parse_uint(colon + 1, 10, dev) == 0;
}

/* The bus address changes on every replug; one listing of the bus finds today's device. */
static int lookup_bus_dev(struct hd_context *ctx, unsigned bus, unsigned dev, char **ret_path) {
        _cleanup_closedir_ DIR *dh = NULL;
        struct dirent *de;
        int r;

        r = sysfs_opendir(ctx, USB_DEVICES, &dh);
        if (r < 0)
                return r == -ENOMEM ? r : -ENOENT;
        while ((de = readdir(dh))) {
                _cleanup_close_ int dfd = -1;
                _cleanup_free_ char *path = NULL;
                unsigned b, n;

                /* Interfaces ("3-1:1.0") carry no address of their own. */
                if (de->d_name[0] == '.' || strchr(de->d_name, ':'))
                        continue;
                /* Each entry links to the device's folder: the path from the root follows it. */
                path = strdupf(USB_DEVICES "/%s", de->d_name);
                if (!path)
                        return -ENOMEM;
                if (sysfs_open_dir(ctx, path, &dfd) < 0)
                        continue;
                if (attr_uint(dfd, "busnum", 10, &b) < 0 || attr_uint(dfd, "devnum", 10, &n) < 0)
                        continue;
                if (b == bus && n == dev)
                        return lookup_entry(ctx, USB_DEVICES, de->d_name, ret_path);
        }
        return -ENOENT;
}

static int lookup(struct hd_context *ctx, const char *spec, char **ret_path) {
        unsigned bus, dev;

        if (parse_bus_dev(spec, &bus, &dev))
                return lookup_bus_dev(ctx, bus, dev, ret_path);
        return lookup_by_name(ctx, spec, "usb_", USB_DEVICES, ret_path);
}

static const char *const scan_dirs[] = { USB_DEVICES, NULL };

const struct hd_subsystem hd_subsystem_usb = {
        .subsystem = "usb",
        .scan_dirs = scan_dirs,
        .probe = probe,
        .lookup = lookup,
};
