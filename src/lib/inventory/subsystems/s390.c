/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* s390 channel I/O and crypto: ccw devices, css subchannels (with vfio-ccw mdev types), AP cards and queues. */
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "mdev-types.h"
#include "sysfs/sysfs.h"

#define CCW_DEVICES "/sys/bus/ccw/devices"
#define CSS_DEVICES "/sys/bus/css/devices"
#define AP_DEVICES "/sys/bus/ap/devices"

/* A bus id "0.0.0815": channel subsystem, subchannel set, device number, all hex. */
static int parse_busid(const char *s, struct hd_cap_ccw *c) {
        unsigned cssid, ssid, devno;
        int n = 0;

        if (sscanf(s, "%x.%x.%x%n", &cssid, &ssid, &devno, &n) != 3 || s[n] || cssid > 0xfe ||
            ssid > 3 || devno > 0xffff)
                return -EINVAL;
        c->cssid = cssid;
        c->ssid = ssid;
        c->devno = devno;
        return 0;
}

/* Documentation/s390/driver-model.rst: a ccw device's "online" is 1 when it is set online. */
static int probe_ccw(struct hd_context *ctx, int dirfd, const struct hd_uevent *ue, struct hd_device *d) {
        struct hd_cap *c;
        unsigned online;

        /* libvirt lists online devices only, "to keep the list sane". */
        if (attr_uint(dirfd, "online", 10, &online) < 0 || online != 1)
                return -ENODEV;
        c = hd_device_add_cap(d, HD_CAP_CCW);
        if (!c)
                return -ENOMEM;
        if (parse_busid(d->sysname, &c->ccw) < 0)
                return -ENODEV;
        return device_set_name(d, NULL);
}

static int probe_css(struct hd_context *ctx, int dirfd, const struct hd_uevent *ue, struct hd_device *d) {
        _cleanup_free_ char *busid = NULL;
        struct hd_cap_ccw probe_addr;
        struct hd_cap *c;
        int r;

        /* I/O subchannels, and those given to vfio-ccw; not CHSC, EADM or message subchannels. */
        if (!d->driver || (!streq(d->driver, "io_subchannel") && !streq(d->driver, "vfio_ccw")))
                return -ENODEV;
        c = hd_device_add_cap(d, HD_CAP_CSS);
        if (!c)
                return -ENOMEM;
        if (parse_busid(d->sysname, &c->ccw) < 0)
                return -ENODEV;
        /* drivers/s390/cio/css.c: dev_busid names the device on the subchannel, or "none". */
        r = attr_string(dirfd, "dev_busid", &busid);
        if (r < 0)
                return r;
        if (busid && parse_busid(busid, &probe_addr) == 0)
                c->ccw.channel_dev_addr = TAKE_PTR(busid);
        r = mdev_types_read(dirfd, &c->ccw.mdev_types, &c->ccw.n_mdev_types);
        if (r < 0)
                return r;
        return device_set_name(d, NULL);
}

static int lookup_busid(struct hd_context *ctx, const char *spec, const char *prefix, const char *dir,
                        char **ret_path) {
        const char *rest = startswith(spec, prefix);
        unsigned v[3];
        char busid[32], again[40];

        if (!rest)
                return -ENODEV;
        /* "ccw_0_0_0052": the bus id is rebuilt from the numbers, and must spell the name back. */
        if (sscanf(rest, "%x_%x_%x", &v[0], &v[1], &v[2]) != 3 || v[0] > 0xfe || v[1] > 3 || v[2] > 0xffff)
                return -ENOENT;
        snprintf(again, sizeof(again), "%x_%x_%04x", v[0], v[1], v[2]);
        if (!streq(again, rest))
                return -ENOENT;
        snprintf(busid, sizeof(busid), "%x.%x.%04x", v[0], v[1], v[2]);
        return lookup_entry(ctx, dir, busid, ret_path);
}

static int lookup_ccw(struct hd_context *ctx, const char *spec, char **ret_path) {
        return lookup_busid(ctx, spec, "ccw_", CCW_DEVICES, ret_path);
}

static int lookup_css(struct hd_context *ctx, const char *spec, char **ret_path) {
        return lookup_busid(ctx, spec, "css_", CSS_DEVICES, ret_path);
}

/* drivers/s390/crypto/ap_bus.c: cards are "cardXX", queues "XX.YYYY", adapter and domain in hex. */
static int probe_ap(struct hd_context *ctx, int dirfd, const struct hd_uevent *ue, struct hd_device *d) {
        unsigned adapter, domain;
        struct hd_cap *c;
        int n = 0;

        if (!d->devtype)
                return -ENODEV;
        if (streq(d->devtype, "ap_card")) {
                if (sscanf(d->sysname, "card%x%n", &adapter, &n) != 1 || d->sysname[n] || adapter > 0xff)
                        return -ENODEV;
                c = hd_device_add_cap(d, HD_CAP_AP_CARD);
                if (!c)
                        return -ENOMEM;
                c->ap.adapter = (int)adapter;
                c->ap.domain = -1;
        } else if (streq(d->devtype, "ap_queue")) {
                if (sscanf(d->sysname, "%x.%x%n", &adapter, &domain, &n) != 2 || d->sysname[n] ||
                    adapter > 0xff || domain > 0xffff)
                        return -ENODEV;
                c = hd_device_add_cap(d, HD_CAP_AP_QUEUE);
                if (!c)
                        return -ENOMEM;
                c->ap.adapter = (int)adapter;
                c->ap.domain = (int)domain;
        } else
                return -ENODEV;
        return device_set_name(d, NULL);
}

static int lookup_ap(struct hd_context *ctx, const char *spec, char **ret_path) {
        const char *rest = startswith(spec, "ap_");
        char name[32], again[40];
        unsigned a, q;

        if (!rest || streq(rest, "matrix"))
                return -ENODEV;
        /* "ap_card0a" and "ap_0a_0004", rebuilt from the numbers and checked against the name. */
        if (sscanf(rest, "card%x", &a) == 1 && a <= 0xff) {
                snprintf(again, sizeof(again), "card%02x", a);
                snprintf(name, sizeof(name), "card%02x", a);
        } else if (sscanf(rest, "%x_%x", &a, &q) == 2 && a <= 0xff && q <= 0xffff) {
                snprintf(again, sizeof(again), "%02x_%04x", a, q);
                snprintf(name, sizeof(name), "%02x.%04x", a, q);
        } else
                return -ENOENT;
        if (!streq(again, rest))
                return -ENOENT;
        return lookup_entry(ctx, AP_DEVICES, name, ret_path);
}

static const char *const ccw_dirs[] = { CCW_DEVICES, NULL };
static const char *const css_dirs[] = { CSS_DEVICES, NULL };
static const char *const ap_dirs[] = { AP_DEVICES, NULL };

const struct hd_subsystem hd_subsystem_ccw = {
        .subsystem = "ccw",
        .scan_dirs = ccw_dirs,
        .probe = probe_ccw,
        .lookup = lookup_ccw,
};

const struct hd_subsystem hd_subsystem_css = {
        .subsystem = "css",
        .scan_dirs = css_dirs,
        .probe = probe_css,
        .lookup = lookup_css,
};

/*
 * The AP matrix device (vfio_ap's "matrix", whose subsystem is "matrix")
 * would need a module of its own in probe.c's list; it is not listed yet.
 */
const struct hd_subsystem hd_subsystem_ap = {
        .subsystem = "ap",
        .scan_dirs = ap_dirs,
        .probe = probe_ap,
        .lookup = lookup_ap,
};
