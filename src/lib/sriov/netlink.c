/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A VF's admin settings over rtnetlink: the messages (include/uapi/linux/if_link.h) and the real transport, libnl-route-3. */
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <string.h>
#include <sys/socket.h>

#include "sriov-internal.h"

static int put_ifinfo(struct nl_msg *msg, const char *ifname) {
        /* ifi_index 0 with IFLA_IFNAME: the kernel finds the link by name. */
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };

        if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 || nla_put_string(msg, IFLA_IFNAME, ifname) < 0)
                return -ENOMEM;
        return 0;
}

static const uint32_t link_to_kernel[] = {
        [HD_VF_LINK_AUTO] = IFLA_VF_LINK_STATE_AUTO,
        [HD_VF_LINK_ENABLE] = IFLA_VF_LINK_STATE_ENABLE,
        [HD_VF_LINK_DISABLE] = IFLA_VF_LINK_STATE_DISABLE,
};

/* The attributes of FIELDS, in the order the kernel's do_setvfinfo() applies them. */
static int put_fields(struct nl_msg *msg, unsigned vf, const struct hd_vf_net *net, unsigned fields) {
        struct ifla_vf_mac mac = { .vf = vf };
        struct ifla_vf_vlan vlan = { .vf = vf, .vlan = net->vlan, .qos = net->qos };
        struct ifla_vf_spoofchk spoofchk = { .vf = vf, .setting = net->spoofchk == HD_VF_ON };
        struct ifla_vf_link_state link = { .vf = vf };
        struct ifla_vf_trust trust = { .vf = vf, .setting = net->trust == HD_VF_ON };

        memcpy(mac.mac, net->mac, sizeof(net->mac));
        if (((fields & HD_VF_NET_LINK) && ((unsigned)net->link >= ELEMENTSOF(link_to_kernel) || !net->link)) ||
            ((fields & HD_VF_NET_SPOOFCHK) && !net->spoofchk) || ((fields & HD_VF_NET_TRUST) && !net->trust))
                return -EINVAL;
        if (fields & HD_VF_NET_LINK)
                link.link_state = link_to_kernel[net->link];
        if (((fields & HD_VF_NET_MAC) && nla_put(msg, IFLA_VF_MAC, sizeof(mac), &mac) < 0) ||
            ((fields & HD_VF_NET_VLAN) && nla_put(msg, IFLA_VF_VLAN, sizeof(vlan), &vlan) < 0) ||
            ((fields & HD_VF_NET_SPOOFCHK) && nla_put(msg, IFLA_VF_SPOOFCHK, sizeof(spoofchk), &spoofchk) < 0) ||
            ((fields & HD_VF_NET_LINK) && nla_put(msg, IFLA_VF_LINK_STATE, sizeof(link), &link) < 0) ||
            ((fields & HD_VF_NET_TRUST) && nla_put(msg, IFLA_VF_TRUST, sizeof(trust), &trust) < 0))
                return -ENOMEM;
        return 0;
}

int vf_nl_build_set(const char *ifname, unsigned vf, const struct hd_vf_net *net, unsigned fields,
                    struct nl_msg **ret) {
        struct nl_msg *msg = nlmsg_alloc_simple(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK);
        struct nlattr *list, *info;
        int r;

        if (!msg)
                return -ENOMEM;
        if (put_ifinfo(msg, ifname) < 0 || !(list = nla_nest_start(msg, IFLA_VFINFO_LIST)) ||
            !(info = nla_nest_start(msg, IFLA_VF_INFO)))
                r = -ENOMEM;
        else
                r = put_fields(msg, vf, net, fields);
        if (r < 0) {
                nlmsg_free(msg);
                return r;
        }
        nla_nest_end(msg, info);
        nla_nest_end(msg, list);
        *ret = msg;
        return 0;
}

int vf_nl_build_get(const char *ifname, struct nl_msg **ret) {
        struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_REQUEST);

        if (!msg)
                return -ENOMEM;
        if (put_ifinfo(msg, ifname) < 0 || nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_VF) < 0) {
                nlmsg_free(msg);
                return -ENOMEM;
        }
        *ret = msg;
        return 0;
}

int vf_nl_parse_link(struct nlmsghdr *h, unsigned vf, struct hd_vf_net *ret) {
        struct nlattr *tb[IFLA_MAX + 1], *info;
        int rem;

        if (h->nlmsg_type != RTM_NEWLINK || nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0)
                return -EBADMSG;
        if (!tb[IFLA_VFINFO_LIST])
                return -ENOENT;
        nla_for_each_nested(info, tb[IFLA_VFINFO_LIST], rem) {
                struct nlattr *vt[IFLA_VF_MAX + 1];
                const struct ifla_vf_mac *mac;
                struct hd_vf_net net = { 0 };

                if (nla_type(info) != IFLA_VF_INFO || nla_parse_nested(vt, IFLA_VF_MAX, info, NULL) < 0)
                        continue;
                if (!vt[IFLA_VF_MAC] || nla_len(vt[IFLA_VF_MAC]) < (int)sizeof(*mac))
                        continue;
                mac = nla_data(vt[IFLA_VF_MAC]);
                if (mac->vf != vf)
                        continue;
                memcpy(net.mac, mac->mac, sizeof(net.mac));
                if (vt[IFLA_VF_VLAN] && nla_len(vt[IFLA_VF_VLAN]) >= (int)sizeof(struct ifla_vf_vlan)) {
                        const struct ifla_vf_vlan *v = nla_data(vt[IFLA_VF_VLAN]);
                        net.vlan = v->vlan;
                        net.qos = v->qos;
                }
                /* The kernel reports (u32)-1 for a setting the driver does not tell (rtnl_fill_vfinfo). */
                if (vt[IFLA_VF_SPOOFCHK] && nla_len(vt[IFLA_VF_SPOOFCHK]) >= (int)sizeof(struct ifla_vf_spoofchk)) {
                        uint32_t v = ((const struct ifla_vf_spoofchk *)nla_data(vt[IFLA_VF_SPOOFCHK]))->setting;
                        net.spoofchk = v == 1 ? HD_VF_ON : v == 0 ? HD_VF_OFF : HD_VF_UNSET;
                }
                if (vt[IFLA_VF_TRUST] && nla_len(vt[IFLA_VF_TRUST]) >= (int)sizeof(struct ifla_vf_trust)) {
                        uint32_t v = ((const struct ifla_vf_trust *)nla_data(vt[IFLA_VF_TRUST]))->setting;
                        net.trust = v == 1 ? HD_VF_ON : v == 0 ? HD_VF_OFF : HD_VF_UNSET;
                }
                if (vt[IFLA_VF_LINK_STATE] && nla_len(vt[IFLA_VF_LINK_STATE]) >= (int)sizeof(struct ifla_vf_link_state))
                        for (size_t i = HD_VF_LINK_AUTO; i < ELEMENTSOF(link_to_kernel); i++)
                                if (link_to_kernel[i] ==
                                    ((const struct ifla_vf_link_state *)nla_data(vt[IFLA_VF_LINK_STATE]))->link_state)
                                        net.link = (enum hd_vf_link)i;
                *ret = net;
                return 0;
        }
        return -ENOENT;
}

/* Send MSG (taken) and read the answers: an error's errno, or what HANDLE makes of an RTM_NEWLINK. */
static int transact(struct nl_msg *msg, unsigned vf, struct hd_vf_net *ret) {
        struct nl_sock *sk = nl_socket_alloc();
        unsigned char *buf = NULL;
        struct sockaddr_nl peer;
        int r, n;

        if (!sk) {
                nlmsg_free(msg);
                return -ENOMEM;
        }
        r = nl_connect(sk, NETLINK_ROUTE);
        if (r < 0) {
                r = -EAFNOSUPPORT;
                goto out;
        }
        nl_socket_enable_msg_peek(sk);
        if (nl_send_auto(sk, msg) < 0) {
                r = -EIO;
                goto out;
        }
        r = -EBADMSG;
        while ((n = nl_recv(sk, &peer, &buf, NULL)) > 0) {
                struct nlmsghdr *h = (struct nlmsghdr *)buf;
                bool done = false;
                for (; nlmsg_ok(h, n); h = nlmsg_next(h, &n)) {
                        if (h->nlmsg_type == NLMSG_ERROR) {
                                struct nlmsgerr *e = nlmsg_data(h);
                                r = e->error; /* 0: the ACK of a SETLINK */
                                done = true;
                                break;
                        }
                        if (h->nlmsg_type == RTM_NEWLINK && ret) {
                                r = vf_nl_parse_link(h, vf, ret);
                                done = true;
                                break;
                        }
                }
                free(buf);
                buf = NULL;
                if (done)
                        break;
        }
out:
        nlmsg_free(msg);
        nl_socket_free(sk);
        return r;
}

static int real_get(void *userdata, const char *pf_ifname, unsigned vf, struct hd_vf_net *ret) {
        struct nl_msg *msg = NULL;
        int r = vf_nl_build_get(pf_ifname, &msg);
        return r < 0 ? r : transact(msg, vf, ret);
}

static int real_set(void *userdata, const char *pf_ifname, unsigned vf, const struct hd_vf_net *net, unsigned fields) {
        struct nl_msg *msg = NULL;
        int r = vf_nl_build_set(pf_ifname, vf, net, fields, &msg);
        return r < 0 ? r : transact(msg, vf, NULL);
}

static const struct hd_vf_netlink_ops real_ops = { .get = real_get, .set = real_set };

const struct hd_vf_netlink_ops *hd_vf_netlink_real(void) {
        return &real_ops;
}
