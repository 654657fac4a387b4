/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Devices that come and go: kernel or udev events, told with hostdev's names, capabilities and drivers. */
#pragma once

#include <stdbool.h>

#include "hostdev/context.h"
#include "hostdev/device.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One list, expanded into the enum and its string table (see hd_event_action_to_string). */
#define HD_EVENT_ACTIONS(X)                                                                        \
        X(ADD, "add")                                                                              \
        X(REMOVE, "remove")                                                                        \
        X(CHANGE, "change")                                                                        \
        X(MOVE, "move")                                                                            \
        X(BIND, "bind")                                                                            \
        X(UNBIND, "unbind")                                                                        \
        /* the kernel dropped events; hostdev read the host again and reports the differences */   \
        X(OVERFLOW, "overflow")

enum hd_event_action {
#define X(id, str) HD_EVENT_##id,
        HD_EVENT_ACTIONS(X)
#undef X
                _HD_EVENT_MAX,
        _HD_EVENT_INVALID = -1,
};

const char *hd_event_action_to_string(enum hd_event_action a);
enum hd_event_action hd_event_action_from_string(const char *s);

/* Where events come from: the kernel's own (no udevd needed), or udevd's once it processed them. */
enum hd_monitor_source { HD_MONITOR_KERNEL, HD_MONITOR_UDEV };

struct hd_event {
        enum hd_event_action action;
        unsigned long long seqnum; /* the kernel's SEQNUM; 0 for events hostdev made itself */
        const char *name;          /* hostdev's (libvirt's) name; NULL for overflow */
        const char *old_name;      /* move: the name before (a renamed interface); NULL otherwise */
        enum hd_cap_type cap;      /* main capability; _HD_CAP_INVALID for overflow */
        /*
         * bind: the driver now bound; unbind: the driver that let go (the
         * kernel no longer says, the monitor remembers); otherwise the
         * driver bound now, or NULL.
         */
        const char *driver;
        const char *sysfs_path;    /* "/sys/devices/..." */
        /*
         * The device as read right after the event; NULL for remove, for
         * overflow, for the differences a resynchronisation reports, and
         * when the device was gone before the monitor read it (then the
         * event is told from what the monitor remembers).
         */
        const struct hd_device *device;
};

/* Whether the event's device has TYPE as a capability or sub-capability (remove events too). */
bool hd_event_has_cap(const struct hd_event *e, enum hd_cap_type type);

struct hd_monitor;

/*
 * Subscribe to device events, then read the host once to know every
 * device's name, capability and driver. Needs the right to open a
 * netlink socket for uevents (root, or CAP_NET_ADMIN for the large
 * receive buffer). HD_MONITOR_UDEV needs udevd running.
 */
int hd_monitor_new(struct hd_context *ctx, enum hd_monitor_source source,
                   struct hd_monitor **ret_monitor);
struct hd_monitor *hd_monitor_free(struct hd_monitor *m);

/* A file descriptor that polls readable when events wait. */
int hd_monitor_get_fd(const struct hd_monitor *m);

/*
 * The next event: 1 with *RET_EVENT set (valid until the next call or
 * hd_monitor_free), 0 when none waits (poll the fd), negative errno on
 * failure. Kernel events of devices hostdev does not list (partitions,
 * USB endpoints, class devices ...) are consumed silently. When the kernel
 * dropped events (its buffer overflowed), an overflow event comes first,
 * then what a new reading of the host found changed: add, remove, bind,
 * unbind.
 */
int hd_monitor_next_event(struct hd_monitor *m, const struct hd_event **ret_event);

#ifdef __cplusplus
}
#endif
