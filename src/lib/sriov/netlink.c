/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A VF's MAC and VLAN over rtnetlink: the messages (include/uapi/linux/if_link.h) and the real transport, libnl-route-3. */
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

int vf_nl_build_set(const char *ifname, unsigned vf, const struct hd_vf_net *net, struct nl_msg **ret) {
        struct nl_msg *msg = nlmsg_alloc_simple(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK);
        struct ifla_vf_mac mac = { .vf = vf };
        struct ifla_vf_vlan vlan = { .vf = vf, .vlan = net->vlan, .qos = net->qos };
        struct nlattr *list, *info;

        if (!msg)
                return -ENOMEM;
        memcpy(mac.mac, net->mac, sizeof(net->mac));
        if (put_ifinfo(msg, ifname) < 0 || !(list = nla_nest_start(msg, IFLA_VFINFO_LIST)) ||
            !(info = nla_nest_start(msg, IFLA_VF_INFO)) || nla_put(msg, IFLA_VF_MAC, sizeof(mac), &mac) < 0 ||
            nla_put(msg, IFLA_VF_VLAN, sizeof(vlan), &vlan) < 0) {
                nlmsg_free(msg);
                return -ENOMEM;
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

static int real_set(void *userdata, const char *pf_ifname, unsigned vf, const struct hd_vf_net *net) {
        struct nl_msg *msg = NULL;
        int r = vf_nl_build_set(pf_ifname, vf, net, &msg);
        return r < 0 ? r : transact(msg, vf, NULL);
}

static const struct hd_vf_netlink_ops real_ops = { .get = real_get, .set = real_set };

const struct hd_vf_netlink_ops *hd_vf_netlink_real(void) {
        return &real_ops;
}
