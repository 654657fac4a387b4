/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One VF for its network settings: which PF and number it is, reading and setting its MAC and VLAN. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "sriov-internal.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

void hd_vf_free(struct hd_vf *vf) {
        if (!vf)
                return;
        free(vf->pf_ifname);
        free(vf->ifname);
        free(vf);
}

/* A network interface name: its device's PCI path. */
static int path_of_ifname(struct hd_context *ctx, const char *ifname, char **ret) {
        _cleanup_free_ char *dir = NULL;
        if (!filename_is_safe(ifname))
                return -ENOENT;
        dir = strdupf("/sys/class/net/%s", ifname);
        if (!dir)
                return -ENOMEM;
        return sysfs_resolve_link(ctx, dir, "device", ret);
}

int hd_vf_lookup(struct hd_context *ctx, const char *spec, struct hd_vf **ret) {
        _cleanup_free_ char *vfpath = NULL, *pfpath = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        struct hd_vf *vf;
        struct dirent *de;
        char a[20];
        int r;

        hd_error_clear(ctx);
        vf = calloc(1, sizeof(*vf));
        if (!vf)
                return -ENOMEM;
        r = path_of_ifname(ctx, spec, &vfpath);
        if (r >= 0 && hd_pci_addr_parse(path_basename(vfpath), &vf->addr) >= 0) {
                /* the interface's own PCI function */
        } else {
                free(vfpath);
                vfpath = NULL;
                r = sriov_pci_path(ctx, spec, &vfpath, &vf->addr);
                if (r < 0)
                        goto fail;
        }
        hd_pci_addr_format(&vf->addr, a);
        /* Documentation/ABI/testing/sysfs-bus-pci: a VF's physfn links to its PF, the PF's virtfnN to it. */
        r = sysfs_resolve_link(ctx, vfpath, "physfn", &pfpath);
        if (r < 0) {
                r = r == -ENOMEM ? r : hd_error(ctx, -ENODEV, "%s is not an SR-IOV virtual function (it has no physfn)", a);
                goto fail;
        }
        if (hd_pci_addr_parse(path_basename(pfpath), &vf->pf) < 0 || sysfs_opendir(ctx, pfpath, &d) < 0) {
                r = hd_error(ctx, -ENODEV, "the physical function of %s is gone", a);
                goto fail;
        }
        r = -ENOENT;
        while ((de = readdir(d))) {
                _cleanup_free_ char *t = NULL;
                unsigned idx;
                int n = 0;
                if (sscanf(de->d_name, "virtfn%u%n", &idx, &n) != 1 || de->d_name[n])
                        continue;
                if (sysfs_resolve_link(ctx, pfpath, de->d_name, &t) >= 0 && streq(t, vfpath)) {
                        vf->index = idx;
                        r = 0;
                        break;
                }
        }
        if (r < 0) {
                r = hd_error(ctx, -ENODEV, "no virtfn link of %s leads to %s", path_basename(pfpath), a);
                goto fail;
        }
        vf->pf_ifname = sriov_ifname(ctx, pfpath);
        vf->ifname = sriov_ifname(ctx, vfpath);
        *ret = vf;
        return 0;
fail:
        hd_vf_free(vf);
        return r;
}

static const struct hd_vf_netlink_ops *ops_or_real(const struct hd_vf_netlink_ops *ops) {
        return ops ? ops : hd_vf_netlink_real();
}

static int need_pf_ifname(struct hd_context *ctx, const struct hd_vf *vf) {
        char a[20];
        if (vf->pf_ifname)
                return 0;
        return hd_error(ctx, -ENODEV,
                        "the physical function %s of this VF has no network interface; its MAC and VLAN are set through one (is the PF's network driver bound?)",
                        hd_pci_addr_format(&vf->pf, a));
}

int hd_vf_net_get(struct hd_context *ctx, const struct hd_vf_netlink_ops *ops, const struct hd_vf *vf,
                  struct hd_vf_net *ret) {
        int r = need_pf_ifname(ctx, vf);
        if (r < 0)
                return r;
        ops = ops_or_real(ops);
        r = ops->get(ops->userdata, vf->pf_ifname, vf->index, ret);
        if (r == -ENOENT)
                return hd_error(ctx, -ENOENT, "%s reports no VF %u over netlink", vf->pf_ifname, vf->index);
        if (r < 0)
                return hd_error(ctx, r, "reading VF %u of %s over netlink: %s", vf->index, vf->pf_ifname, strerror(-r));
        return 0;
}

/* The PF's driver, for messages about what it refuses ("igb"); "its driver" when unknown. */
static char *pf_driver(struct hd_context *ctx, const struct hd_vf *vf) {
        char a[20], *drv = NULL;
        _cleanup_free_ char *dir = strdupf("/sys/bus/pci/devices/%s", hd_pci_addr_format(&vf->pf, a)), *t = NULL;

        if (dir && sysfs_resolve_link(ctx, dir, "driver", &t) >= 0)
                drv = strdup(path_basename(t));
        return drv ? drv : strdup("its driver");
}

static const char *toggle_str(enum hd_vf_toggle t) {
        return t == HD_VF_ON ? "on" : t == HD_VF_OFF ? "off" : "unset";
}

static const char *const link_names[] = {
        [HD_VF_LINK_UNSET] = "unset",
        [HD_VF_LINK_AUTO] = "auto",
        [HD_VF_LINK_ENABLE] = "enable",
        [HD_VF_LINK_DISABLE] = "disable",
};

void hd_vf_net_describe(const struct hd_vf_net *net, unsigned fields, char buf[static 64]) {
        char mac[18], vlan[24];
        int n = 0;

        (void)hd_vf_net_to_strings(net, mac, vlan);
        buf[0] = 0;
        if (fields & HD_VF_NET_MAC)
                n += snprintf(buf + n, 64 - (size_t)n, "MAC %s", mac);
        if (fields & HD_VF_NET_VLAN)
                n += snprintf(buf + n, 64 - (size_t)n, "%sVLAN %s", n ? ", " : "", vlan);
        if (fields & HD_VF_NET_SPOOFCHK)
                n += snprintf(buf + n, 64 - (size_t)n, "%sspoof checking %s", n ? ", " : "", toggle_str(net->spoofchk));
        if (fields & HD_VF_NET_TRUST)
                n += snprintf(buf + n, 64 - (size_t)n, "%strust %s", n ? ", " : "", toggle_str(net->trust));
        if ((fields & HD_VF_NET_LINK) && (unsigned)net->link < ELEMENTSOF(link_names))
                snprintf(buf + n, 64 - (size_t)n, "%slink state %s", n ? ", " : "", link_names[net->link]);
}

int hd_vf_net_set(struct hd_context *ctx, const struct hd_vf_netlink_ops *ops, const struct hd_vf *vf,
                  const struct hd_vf_net *net, unsigned fields) {
        unsigned order[] = { HD_VF_NET_MAC | HD_VF_NET_VLAN, HD_VF_NET_SPOOFCHK, HD_VF_NET_TRUST, HD_VF_NET_LINK };
        int r = need_pf_ifname(ctx, vf);
        if (r < 0)
                return r;
        if (net->vlan > 4095)
                return hd_error(ctx, -EINVAL, "VLAN %u is out of range (0 to 4095)", net->vlan);
        if (fields == 0)
                fields = HD_VF_NET_MAC | HD_VF_NET_VLAN | (net->spoofchk ? HD_VF_NET_SPOOFCHK : 0) |
                         (net->trust ? HD_VF_NET_TRUST : 0) | (net->link ? HD_VF_NET_LINK : 0);
        if (((fields & HD_VF_NET_SPOOFCHK) && !net->spoofchk) || ((fields & HD_VF_NET_TRUST) && !net->trust) ||
            ((fields & HD_VF_NET_LINK) && !net->link))
                return hd_error(ctx, -EINVAL, "VF %u of %s: a setting to set is unset", vf->index, vf->pf_ifname);
        ops = ops_or_real(ops);
        /* MAC and VLAN in one message, as libvirt sends them; each other setting in its own: the kernel applies
         * a message's attributes in turn and stops at the first a driver refuses, saying only the errno. */
        for (size_t i = 0; i < ELEMENTSOF(order); i++) {
                _cleanup_free_ char *drv = NULL;
                char what[64];

                order[i] &= fields;
                if (!order[i])
                        continue;
                r = ops->set(ops->userdata, vf->pf_ifname, vf->index, net, order[i]);
                if (r >= 0)
                        continue;
                hd_vf_net_describe(net, order[i], what);
                drv = pf_driver(ctx, vf);
                if (r == -EOPNOTSUPP)
                        return hd_error(ctx, r,
                                        "%s (%s) cannot set the %s of its VF %u: the driver does not offer it; "
                                        "remove that setting from the interface",
                                        vf->pf_ifname, drv ? drv : "?",
                                        order[i] == HD_VF_NET_LINK       ? "link state"
                                        : order[i] == HD_VF_NET_TRUST    ? "trust"
                                        : order[i] == HD_VF_NET_SPOOFCHK ? "spoof checking"
                                                                         : "MAC or VLAN",
                                        vf->index);
                return hd_error(ctx, r, "%s (%s) refused %s for VF %u: %s", vf->pf_ifname, drv ? drv : "?", what,
                                vf->index, strerror(-r));
        }
        return 0;
}

int hd_vf_net_from_interface(struct hd_context *ctx, const struct hd_hostdev_net_vf *iface,
                             const struct hd_vf_net *current, struct hd_vf_net *ret) {
        struct hd_vf_net net = { 0 };

        if (iface->virtualport.type != HD_VIRTUALPORT_NONE)
                return hd_error(ctx, -EOPNOTSUPP,
                                "<virtualport type='%s'> is not supported on an <interface type='hostdev'>: hostdev sets a VF's MAC and VLAN only; remove the <virtualport>",
                                hd_virtualport_type_to_string(iface->virtualport.type));
        if (iface->vlan.n_tags > 1 || iface->vlan.trunk)
                return hd_error(ctx, -EOPNOTSUPP, "a VF takes one VLAN tag; a trunk (<vlan trunk='yes'> or several tags) cannot be set");
        if (iface->vlan.n_tags == 1 && iface->vlan.tags[0].native_mode != HD_VLAN_NATIVE_DEFAULT)
                return hd_error(ctx, -EOPNOTSUPP, "a VF's VLAN has no native mode; remove nativeMode from <tag>");
        if (iface->vlan.n_tags == 1 && iface->vlan.tags[0].id > 4095)
                return hd_error(ctx, -EINVAL, "VLAN %u is out of range (0 to 4095)", iface->vlan.tags[0].id);
        if (iface->has_mac)
                memcpy(net.mac, iface->mac, sizeof(net.mac));
        else if (current)
                memcpy(net.mac, current->mac, sizeof(net.mac));
        net.vlan = iface->vlan.n_tags ? iface->vlan.tags[0].id : 0;
        /* trustGuestRxFilters='yes': the guest may change its MAC and filters, which a VF can only with trust on */
        if (iface->trust_guest_rx_filters != HD_TRISTATE_ABSENT)
                net.trust = iface->trust_guest_rx_filters == HD_TRISTATE_YES ? HD_VF_ON : HD_VF_OFF;
        if (iface->link != HD_LINK_DEFAULT)
                net.link = iface->link == HD_LINK_DOWN ? HD_VF_LINK_DISABLE : HD_VF_LINK_AUTO;
        *ret = net;
        return 0;
}

int hd_vf_net_to_strings(const struct hd_vf_net *net, char mac[static 18], char vlan[static 24]) {
        snprintf(mac, 18, "%02x:%02x:%02x:%02x:%02x:%02x", net->mac[0], net->mac[1], net->mac[2], net->mac[3],
                 net->mac[4], net->mac[5]);
        if (net->qos)
                snprintf(vlan, 24, "%u:%u", net->vlan, net->qos);
        else
                snprintf(vlan, 24, "%u", net->vlan);
        return 0;
}

int hd_vf_net_from_strings(const char *mac, const char *vlan, struct hd_vf_net *ret) {
        struct hd_vf_net net = { 0 };
        unsigned m[6];
        int n = 0;

        if (!mac || sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%n", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &n) != 6 ||
            mac[n])
                return -EINVAL;
        for (int i = 0; i < 6; i++)
                net.mac[i] = (uint8_t)m[i];
        if (vlan) {
                n = 0;
                if (sscanf(vlan, "%u:%u%n", &net.vlan, &net.qos, &n) == 2 && !vlan[n])
                        ;
                else if (n = 0, net.qos = 0, sscanf(vlan, "%u%n", &net.vlan, &n) != 1 || vlan[n])
                        return -EINVAL;
        }
        if (net.vlan > 4095)
                return -EINVAL;
        *ret = net;
        return 0;
}

int hd_vf_net_flags_to_string(const struct hd_vf_net *net, char flags[static 48]) {
        int n = 0;

        flags[0] = 0;
        if (net->spoofchk)
                n += snprintf(flags + n, 48 - (size_t)n, "spoofchk=%s", toggle_str(net->spoofchk));
        if (net->trust)
                n += snprintf(flags + n, 48 - (size_t)n, "%strust=%s", n ? " " : "", toggle_str(net->trust));
        if (net->link && (unsigned)net->link < ELEMENTSOF(link_names))
                n += snprintf(flags + n, 48 - (size_t)n, "%slink=%s", n ? " " : "", link_names[net->link]);
        return 0;
}

static int toggle_parse(const char *v, enum hd_vf_toggle *ret) {
        if (streq(v, "on"))
                *ret = HD_VF_ON;
        else if (streq(v, "off"))
                *ret = HD_VF_OFF;
        else
                return -EINVAL;
        return 0;
}

int hd_vf_net_flags_from_string(const char *flags, struct hd_vf_net *net) {
        _cleanup_free_ char *copy = strdup(flags ? flags : "");
        struct hd_vf_net n = *net;
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                char *v = strchr(w, '=');
                int r = -EINVAL;

                if (!v)
                        return -EINVAL;
                *v++ = 0;
                if (streq(w, "spoofchk"))
                        r = toggle_parse(v, &n.spoofchk);
                else if (streq(w, "trust"))
                        r = toggle_parse(v, &n.trust);
                else if (streq(w, "link"))
                        for (size_t i = HD_VF_LINK_AUTO; i < ELEMENTSOF(link_names); i++)
                                if (streq(v, link_names[i])) {
                                        n.link = (enum hd_vf_link)i;
                                        r = 0;
                                }
                if (r < 0)
                        return r;
        }
        *net = n;
        return 0;
}

unsigned hd_vf_net_diff(const struct hd_vf_net *a, const struct hd_vf_net *b) {
        return (memcmp(a->mac, b->mac, sizeof(a->mac)) != 0 ? HD_VF_NET_MAC : 0) |
               (a->vlan != b->vlan || a->qos != b->qos ? HD_VF_NET_VLAN : 0) |
               (a->spoofchk && a->spoofchk != b->spoofchk ? HD_VF_NET_SPOOFCHK : 0) |
               (a->trust && a->trust != b->trust ? HD_VF_NET_TRUST : 0) |
               (a->link && a->link != b->link ? HD_VF_NET_LINK : 0);
}
