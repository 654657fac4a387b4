/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor's socket: libudev's netlink monitor, a large receive buffer, and recovery when the kernel drops events. */
#include <libudev.h>
#include <string.h>

#include "inventory/probe.h"
#include "monitor-internal.h"
#include "sysfs/sysfs.h"

/*
 * Big enough for a burst of tens of thousands of events (a `uevent`
 * re-trigger of every device of a large host, VFs made by the hundred)
 * while the monitor re-reads devices one by one. The kernel may grant less
 * to a process without CAP_NET_ADMIN; the overflow path then catches up.
 */
#define RECEIVE_BUFFER (128 * 1024 * 1024)

/* Errors from one message that leave the socket usable: skip it. This many in a row, the socket is broken. */
#define MAX_SKIPPED 64

static struct hd_monitor *monitor_alloc(struct hd_context *ctx) {
        struct hd_monitor *m = calloc(1, sizeof(*m));
        if (m)
                m->ctx = ctx;
        return m;
}

int monitor_new_offline(struct hd_context *ctx, struct hd_monitor **ret) {
        struct hd_monitor *m = monitor_alloc(ctx);
        int r;

        if (!m)
                return -ENOMEM;
        r = monitor_load(m);
        if (r < 0) {
                hd_monitor_free(m);
                return r;
        }
        *ret = m;
        return 0;
}

static int open_socket(struct hd_monitor *m, enum hd_monitor_source source) {
        struct hd_context *ctx = m->ctx;
        const char *group = source == HD_MONITOR_UDEV ? "udev" : "kernel";
        int r;

        /* libudev quietly listens to nothing when udevd is absent: say so instead. */
        if (source == HD_MONITOR_UDEV && !sysfs_exists(ctx, "run/udev/control"))
                return hd_error(ctx, -ENOENT, "udevd is not running (no /run/udev/control); "
                                              "use the kernel's events (--source kernel)");
        m->udev = udev_new();
        if (!m->udev)
                return -ENOMEM;
        errno = 0;
        m->mon = udev_monitor_new_from_netlink(m->udev, group);
        if (!m->mon) {
                r = errno ? -errno : -ENOMEM;
                return r == -ENOMEM ? r
                                    : hd_error(ctx, r, "cannot listen to device events (%s): %s; run as root",
                                               group, strerror(-r));
        }
        /* Only the subsystems hostdev lists; the rest is dropped before any work. */
        for (size_t i = 0; hd_subsystems[i]; i++) {
                r = udev_monitor_filter_add_match_subsystem_devtype(m->mon, hd_subsystems[i]->subsystem, NULL);
                if (r < 0)
                        return r == -ENOMEM ? r : hd_error(ctx, r, "device event filter: %s", strerror(-r));
        }
        /* Not fatal: the default buffer works, it only overflows sooner. */
        (void)udev_monitor_set_receive_buffer_size(m->mon, RECEIVE_BUFFER);
        r = udev_monitor_enable_receiving(m->mon);
        if (r < 0)
                return hd_error(ctx, r, "cannot listen to device events (%s): %s; run as root", group,
                                strerror(-r));
        return 0;
}

int hd_monitor_new(struct hd_context *ctx, enum hd_monitor_source source, struct hd_monitor **ret_monitor) {
        struct hd_monitor *m;
        int r;

        if (source != HD_MONITOR_KERNEL && source != HD_MONITOR_UDEV)
                return hd_error(ctx, -EINVAL, "unknown event source %d", (int)source);
        m = monitor_alloc(ctx);
        if (!m)
                return -ENOMEM;
        /* Listen first, read the host second: nothing that happens in between is missed. */
        r = open_socket(m, source);
        if (r >= 0)
                r = monitor_load(m);
        if (r < 0) {
                hd_monitor_free(m);
                return r;
        }
        *ret_monitor = m;
        return 0;
}

struct hd_monitor *hd_monitor_free(struct hd_monitor *m) {
        if (!m)
                return NULL;
        monitor_state_free(m);
        udev_monitor_unref(m->mon);
        udev_unref(m->udev);
        free(m);
        return NULL;
}

int hd_monitor_get_fd(const struct hd_monitor *m) {
        return m->mon ? udev_monitor_get_fd(m->mon) : -EBADF;
}

static int feed_device(struct hd_monitor *m, struct udev_device *dev) {
        /* Properties only: the udev_device_get_*() that fall back to reading /sys ignore the root prefix. */
        return monitor_feed(m, udev_device_get_action(dev), udev_device_get_devpath(dev),
                            udev_device_get_property_value(dev, "DEVPATH_OLD"),
                            udev_device_get_property_value(dev, "SUBSYSTEM"),
                            udev_device_get_property_value(dev, "DRIVER"), udev_device_get_seqnum(dev));
}

int hd_monitor_next_event(struct hd_monitor *m, const struct hd_event **ret_event) {
        unsigned skipped = 0;
        int r;

        for (;;) {
                struct udev_device *dev;

                r = monitor_pop(m, ret_event);
                if (r != 0 || !m->mon)
                        return r;
                errno = 0;
                dev = udev_monitor_receive_device(m->mon);
                if (dev) {
                        skipped = 0;
                        r = feed_device(m, dev);
                        udev_device_unref(dev);
                        if (r < 0)
                                return r;
                        continue;
                }
                switch (errno) {
                case 0:
                case EAGAIN:
                        return 0; /* nothing waits */
                case EINTR:
                        continue;
                case ENOMEM:
                        return -ENOMEM;
                case ENOBUFS:
                        /* The kernel dropped events: what the monitor knows is stale. */
                        r = monitor_resync(m);
                        if (r < 0)
                                return r == -ENOMEM ? r
                                                    : hd_error(m->ctx, r, "re-reading the host after lost events: %s",
                                                               strerror(-r));
                        continue;
                default:
                        /* A message libudev refused (malformed, from an untrusted sender): skip it. */
                        if (++skipped < MAX_SKIPPED)
                                continue;
                        return hd_error(m->ctx, -errno, "receiving device events: %s", strerror(errno));
                }
        }
}
