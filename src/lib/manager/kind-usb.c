/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A USB device for a guest: found by vendor/product wherever it is now, or by bus/device; nothing is written. */
#include <stdio.h>
#include <string.h>

#include "prepare.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

/* Documentation/ABI/stable/sysfs-bus-usb */
#define USB_BUS_DEVICES "/sys/bus/usb/devices"

struct usb_found {
        char name[64]; /* "1-2" */
        unsigned bus, dev, vendor, product;
};

struct usb_search {
        struct hd_context *ctx;
        const struct hd_hostdev_usb *want;
        struct usb_found *v;
        size_t n;
};

static int usb_read(struct hd_context *ctx, const char *name, struct usb_found *f) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *path = NULL;
        uint64_t v, p;
        int bus, dev;

        if (strlen(name) >= sizeof(f->name))
                return -ENOENT;
        /* The entry links to the device's folder: the path from the root follows it. */
        path = strdupf(USB_BUS_DEVICES "/%s", name);
        if (!path)
                return -ENOMEM;
        if (sysfs_open_dir(ctx, path, &fd) < 0)
                return -ENOENT;
        /* Documentation/ABI/stable/sysfs-bus-usb (busnum, devnum) and testing/sysfs-bus-usb (idVendor, idProduct). */
        if (sysfs_read_int_at(fd, "busnum", &bus) < 0 || sysfs_read_int_at(fd, "devnum", &dev) < 0 ||
            sysfs_read_u64_at(fd, "idVendor", 16, &v) < 0 || sysfs_read_u64_at(fd, "idProduct", 16, &p) < 0)
                return -ENOENT;
        *f = (struct usb_found){ .bus = (unsigned)bus, .dev = (unsigned)dev, .vendor = (unsigned)v, .product = (unsigned)p };
        strcpy(f->name, name);
        return 0;
}

static int usb_visit(const char *name, unsigned char type, void *userdata) {
        struct usb_search *s = userdata;
        struct usb_found f, *nv;

        /* "1-2:1.0" is an interface; devices and root hubs ("usb1") have no ':'. */
        if (strchr(name, ':') || usb_read(s->ctx, name, &f) < 0)
                return 0;
        if (s->want->has_product && (f.vendor != s->want->vendor || f.product != s->want->product))
                return 0;
        if (s->want->has_address && (f.bus != s->want->bus || f.dev != s->want->device))
                return 0;
        nv = realloc(s->v, (s->n + 1) * sizeof(*nv));
        if (!nv)
                return -ENOMEM;
        s->v = nv;
        s->v[s->n++] = f;
        return 0;
}

static int cmp_found(const void *a, const void *b) {
        const struct usb_found *x = a, *y = b;
        return x->bus != y->bus ? (x->bus > y->bus) - (x->bus < y->bus) : (x->dev > y->dev) - (x->dev < y->dev);
}

static char *want_string(const struct hd_hostdev_usb *u) {
        if (u->has_product && u->has_address)
                return strdupf("%04x:%04x at bus %u device %u", u->vendor, u->product, u->bus, u->device);
        if (u->has_product)
                return strdupf("%04x:%04x", u->vendor, u->product);
        return strdupf("at bus %u device %u", u->bus, u->device);
}

int usb_find_key(struct hd_context *ctx, const struct hd_hostdev_usb *u, char **ret_key) {
        _cleanup_close_ int dirfd = -1;
        struct usb_search s = { .ctx = ctx, .want = u };
        int r;

        /* Both given: the key is known without looking (the device may be gone; the record is what matters). */
        if (u->has_product && u->has_address) {
                *ret_key = strdupf("%03u:%03u %04x:%04x", u->bus, u->device, u->vendor, u->product);
                return *ret_key ? 0 : -ENOMEM;
        }
        if (!u->has_product && !u->has_address)
                return hd_error(ctx, -EINVAL, "a USB <hostdev> needs <vendor>/<product> or <address bus= device=/>");
        r = sysfs_open_dir(ctx, USB_BUS_DEVICES, &dirfd);
        if (r >= 0)
                r = sysfs_list_at(dirfd, ".", usb_visit, &s);
        else if (r == -ENOENT)
                r = 0;
        if (r >= 0)
                r = s.n == 0 ? -ENODEV : s.n > 1 ? -ENOTUNIQ : 0;
        if (r >= 0) {
                *ret_key = strdupf("%03u:%03u %04x:%04x", s.v[0].bus, s.v[0].dev, s.v[0].vendor, s.v[0].product);
                r = *ret_key ? 0 : -ENOMEM;
        }
        free(s.v);
        return r;
}

static int usb_resolve(struct plan *p, struct plan_item *it) {
        const struct hd_hostdev_usb *u = &it->def->usb;
        _cleanup_free_ char *want = want_string(u), *key = NULL, *path = NULL;
        _cleanup_close_ int dirfd = -1;
        struct usb_search s = { .ctx = p->ctx, .want = u };
        bool required = u->startup_policy != HD_STARTUP_POLICY_OPTIONAL &&
                        !(u->startup_policy == HD_STARTUP_POLICY_REQUISITE && (p->flags & HD_MANAGER_RESUME));
        const struct usb_found *f;
        int r;

        if (!want)
                return -ENOMEM;
        if (!u->has_product && !u->has_address)
                return hd_error(p->ctx, -EINVAL, "a USB <hostdev> needs <vendor>/<product> or <address bus= device=/>");
        r = sysfs_open_dir(p->ctx, USB_BUS_DEVICES, &dirfd);
        if (r >= 0) {
                r = sysfs_list_at(dirfd, ".", usb_visit, &s);
        } else if (r == -ENOENT)
                r = 0; /* no USB at all: nothing matches */
        if (r < 0) {
                free(s.v);
                return r == -ENOMEM ? r : hd_error(p->ctx, r, "cannot list /sys/bus/usb/devices: %s", strerror(-r));
        }
        if (s.n == 0) {
                if (!required)
                        return plan_skip(p, it, "USB device %s is not plugged in; left out (startupPolicy='%s')", want,
                                         hd_startup_policy_to_string(u->startup_policy));
                return hd_error(p->ctx, -ENODEV,
                                "no USB device %s on this host; plug it in, or say startupPolicy='optional' to start "
                                "without it (hostdev list --cap usb_device)",
                                want);
        }
        if (s.n > 1) {
                struct strbuf b = {};
                qsort(s.v, s.n, sizeof(*s.v), cmp_found);
                for (size_t i = 0; i < s.n; i++)
                        strbuf_appendf(&b, "%sbus %u device %u (%s)", i ? ", " : "", s.v[i].bus, s.v[i].dev, s.v[i].name);
                free(s.v);
                if (b.oom) {
                        strbuf_done(&b);
                        return -ENOMEM;
                }
                r = hd_error(p->ctx, -ENOTUNIQ, "%zu USB devices are %s: %s; add <address bus= device=/> to pick one",
                             s.n, want, b.s);
                strbuf_done(&b);
                return r;
        }
        f = &s.v[0];
        key = strdupf("%03u:%03u %04x:%04x", f->bus, f->dev, f->vendor, f->product);
        path = strdupf("/sys/bus/usb/devices/%s", f->name);
        r = key && path ? plan_record(p, it, key) : -ENOMEM;
        if (r >= 0 && !(it->rec->node = strdupf("/dev/bus/usb/%03u/%03u", f->bus, f->dev)))
                r = -ENOMEM;
        if (r >= 0 && !(p->flags & HD_MANAGER_FORCE)) {
                /* A USB disk the host has mounted stays with the host. */
                _cleanup_free_ char *canon = NULL;
                const struct host_uses *uses;
                const char *why;
                r = sysfs_resolve_link(p->ctx, "/sys/bus/usb/devices", f->name, &canon);
                if (r >= 0)
                        r = plan_host_uses(p, &uses);
                if (r >= 0 && (why = host_uses_find(uses, canon)))
                        r = hd_error(p->ctx, -EBUSY,
                                     "%s is needed by the host: %s; giving it to a guest would cut the host off from "
                                     "it (--force takes it anyway)",
                                     key, why);
        }
        free(s.v);
        if (r < 0)
                return r;
        return plan_check_store(p, it, false);
}

const struct kind_ops kind_usb = {
        .kind = STORE_USB,
        .only_flag = HD_MANAGER_ONLY_USB,
        .resolve = usb_resolve,
};
