/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor's state: what it remembers of each device, and the events waiting to be handed out. */
#pragma once

#include <stdint.h>

#include "context-internal.h"
#include "hostdev/monitor.h"

struct udev;
struct udev_monitor;

/* What the monitor keeps of a device, by sysfs path: enough to report its unbind and its removal. */
struct mon_record {
        char *path; /* "/sys/devices/...", the key */
        char *name;
        char *driver;
        enum hd_cap_type cap;
        uint32_t caps;       /* bit N: has capability N (hd_device_has_cap) */
        unsigned generation; /* of the last reading that saw it (resynchronisation) */
};

struct mon_event {
        struct hd_event ev; /* its strings point to the fields below */
        char *name, *old_name, *driver, *path;
        struct hd_device *dev;
        uint32_t caps;
};

struct hd_monitor {
        struct hd_context *ctx;
        struct udev *udev;
        struct udev_monitor *mon; /* NULL: events come only from monitor_feed() (tests) */
        void *records;            /* tsearch(3) tree of struct mon_record, by path */
        size_t n_records;
        unsigned generation;
        struct mon_event *queue; /* pending events: [head, n) */
        size_t head, n, cap;
        struct mon_event current; /* the one handed out last; freed on the next call */
};

/* A monitor without a socket, knowing the host from one scan: events come from monitor_feed(). */
int monitor_new_offline(struct hd_context *ctx, struct hd_monitor **ret);

/* Read the host once and remember every device (events.c). */
int monitor_load(struct hd_monitor *m);

/*
 * One kernel or udev event: ACTION ("add", "remove", "change", "move",
 * "bind", "unbind"; others are ignored), DEVPATH as the kernel gives it
 * ("/devices/pci0000:00/..."), DEVPATH_OLD for "move", SUBSYSTEM and
 * DRIVER (may be NULL). Re-reads that one device and queues what hostdev
 * reports of it, if anything. Only ENOMEM fails.
 */
int monitor_feed(struct hd_monitor *m, const char *action, const char *devpath, const char *devpath_old,
                 const char *subsystem, const char *driver, unsigned long long seqnum);

/* After the kernel dropped events: queue an overflow event, read the host again, queue the differences. */
int monitor_resync(struct hd_monitor *m);

/* Hand out the oldest queued event: 1 and *RET set, or 0 when none is queued. */
int monitor_pop(struct hd_monitor *m, const struct hd_event **ret);

/* Free the records, the queue and the current event. */
void monitor_state_free(struct hd_monitor *m);
