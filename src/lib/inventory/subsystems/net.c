/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network interfaces: the net capability, named net_<ifname>_<mac>. */
#include <limits.h>
#include <string.h>

#include "common.h"
#include "sysfs/sysfs.h"

#define NET_CLASS "/sys/class/net"

/* Documentation/ABI/testing/sysfs-class-net: operstate is RFC 2863's, as libvirt's enum spells it. */
static const char *const oper_states[] = {
        "unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up",
};

static int read_link_state(int dirfd, struct hd_cap_net *n) {
        _cleanup_free_ char *state = NULL;
        unsigned speed;

        if (sysfs_read_at(dirfd, "operstate", &state) < 0)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(oper_states); i++)
                if (streq(state, oper_states[i])) {
                        n->link_state = strdup(oper_states[i]);
                        if (!n->link_state)
                                return -ENOMEM;
                }
        /*
         * Like libvirt, a link that is not up has no speed: drivers report
         * 65535 or 10 for it. Unlike libvirt, which prints the kernel's -1
         * ("unknown", SPEED_UNKNOWN) as 4294967295, an unknown speed is
         * left out; reading it fails with EINVAL where the driver has none.
         */
        if (!n->link_state || !streq(n->link_state, "up"))
                return 0;
        if (attr_uint(dirfd, "speed", 10, &speed) == 0 && speed != 0)
                n->speed = speed;
        return 0;
}

static int probe(struct hd_context *ctx, int dirfd, const struct hd_uevent *ue, struct hd_device *d) {
        const char *ifname = uevent_get(ue, "INTERFACE");
        struct hd_cap_net *n;
        struct hd_cap *c;
        unsigned ifindex;
        int r;

        /*
         * libvirt takes an interface with no DEVTYPE (wired, virtual) or
         * DEVTYPE=wlan. Bridges, VLANs, bonds, tunnels ... carry their own
         * DEVTYPE and are not node devices.
         */
        if (d->devtype && !streq(d->devtype, "wlan"))
                return -ENODEV;
        if (!d->devtype && !ifname)
                return -ENODEV;
        c = hd_device_add_cap(d, HD_CAP_NET);
        if (!c)
                return -ENOMEM;
        n = &c->net;
        n->subcap = d->devtype ? HD_NET_80211 : HD_NET_80203;
        n->ifname = strdup(ifname ? ifname : d->sysname);
        if (!n->ifname)
                return -ENOMEM;
        /* Documentation/ABI/testing/sysfs-class-net: address, ifindex, operstate, speed. */
        r = attr_string(dirfd, "address", &n->address);
        if (r < 0)
                return r;
        if (uevent_uint(ue, "IFINDEX", 10, &ifindex) == 0 && ifindex <= INT_MAX)
                n->ifindex = (int)ifindex;
        else if (sysfs_read_int_at(dirfd, "ifindex", &n->ifindex) < 0)
                n->ifindex = 0;
        r = read_link_state(dirfd, n);
        if (r < 0)
                return r;
        /* NIC offload <feature>s come from an ethtool ioctl in libvirt: not readable from sysfs. */
        return device_set_name(d, n->address);
}

static int lookup(struct hd_context *ctx, const char *spec, char **ret_path) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        int r = lookup_by_name(ctx, spec, "net_", NET_CLASS, ret_path);

        if (r != -ENODEV && r != -ENOENT)
                return r;
        /* An interface name ("eth0"). One that is not there may be another module's form. */
        if (lookup_entry(ctx, NET_CLASS, spec, &path) < 0 || sysfs_open_dir(ctx, path, &fd) < 0)
                return r;
        *ret_path = TAKE_PTR(path);
        return 0;
}

static const char *const scan_dirs[] = { NET_CLASS, NULL };

const struct hd_subsystem hd_subsystem_net = {
        .subsystem = "net",
        .scan_dirs = scan_dirs,
        .probe = probe,
        .lookup = lookup,
};
