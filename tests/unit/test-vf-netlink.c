/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A VF's admin settings: the netlink messages byte by byte against if_link.h, the settings logic through a fake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "hostdev/hostdev.h"
#include "sriov/sriov-internal.h"

/* Little-endian u32 at P (the hosts we build for; netlink uses host order). */
static uint32_t u32_at(const uint8_t *p) {
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
}

/* An attribute at P: its length (header included) and type, as struct nlattr lays them. */
static const uint8_t *attr_at(const uint8_t *p, uint16_t *len, uint16_t *type) {
        memcpy(len, p, 2);
        memcpy(type, p + 2, 2);
        return p + 4;
}

static void test_set_message(void **state) {
        struct hd_vf_net net = { .mac = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc }, .vlan = 42, .qos = 3 };
        struct nl_msg *msg = NULL;
        struct nlmsghdr *h;
        const uint8_t *p, *end;
        uint16_t len, type, l2, t2, l3, t3;

        assert_int_equal(vf_nl_build_set("enp1s0f0", 7, &net, HD_VF_NET_MAC | HD_VF_NET_VLAN, &msg), 0);
        h = nlmsg_hdr(msg);
        assert_int_equal(h->nlmsg_type, RTM_SETLINK);
        assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
        /* struct ifinfomsg: family AF_UNSPEC, index 0 (the link is named by IFLA_IFNAME). */
        p = nlmsg_data(h);
        assert_int_equal(p[0], AF_UNSPEC);
        assert_int_equal(u32_at(p + offsetof(struct ifinfomsg, ifi_index)), 0);
        p += NLMSG_ALIGN(sizeof(struct ifinfomsg));
        end = (const uint8_t *)h + h->nlmsg_len;

        /* IFLA_IFNAME "enp1s0f0\0" */
        p = attr_at(p, &len, &type);
        assert_int_equal(type, IFLA_IFNAME);
        assert_int_equal(len, 4 + 9);
        assert_string_equal((const char *)p, "enp1s0f0");
        p += NLA_ALIGN(len) - 4;

        /* IFLA_VFINFO_LIST (nested, 22) > IFLA_VF_INFO (1) > IFLA_VF_MAC (1), IFLA_VF_VLAN (2) */
        p = attr_at(p, &len, &type);
        assert_int_equal(type & NLA_TYPE_MASK, IFLA_VFINFO_LIST);
        assert_int_equal(IFLA_VFINFO_LIST, 22);
        assert_ptr_equal(p - 4 + len, end);
        p = attr_at(p, &l2, &t2);
        assert_int_equal(t2 & NLA_TYPE_MASK, IFLA_VF_INFO);
        assert_int_equal(l2, len - 4);

        p = attr_at(p, &l3, &t3);
        assert_int_equal(t3, IFLA_VF_MAC);
        assert_int_equal(l3, 4 + 36); /* struct ifla_vf_mac { __u32 vf; __u8 mac[32]; } */
        assert_int_equal(sizeof(struct ifla_vf_mac), 36);
        assert_int_equal(u32_at(p), 7);
        assert_memory_equal(p + 4, net.mac, 6);
        for (int i = 10; i < 36; i++)
                assert_int_equal(p[i], 0);
        p += NLA_ALIGN(l3) - 4;

        p = attr_at(p, &l3, &t3);
        assert_int_equal(t3, IFLA_VF_VLAN);
        assert_int_equal(l3, 4 + 12); /* struct ifla_vf_vlan { __u32 vf, vlan, qos; } */
        assert_int_equal(u32_at(p), 7);
        assert_int_equal(u32_at(p + 4), 42);
        assert_int_equal(u32_at(p + 8), 3);
        p += NLA_ALIGN(l3) - 4;
        assert_ptr_equal(p, end);
        nlmsg_free(msg);
}

/* Spoof checking, link state and trust: each its IFLA_VF_* struct {vf, value}, in do_setvfinfo()'s order. */
static void test_set_flags_message(void **state) {
        struct hd_vf_net net = { .spoofchk = HD_VF_OFF, .trust = HD_VF_ON, .link = HD_VF_LINK_DISABLE };
        struct nlattr *tb[IFLA_MAX + 1], *info, *a;
        struct nl_msg *msg = NULL;
        uint16_t want[] = { IFLA_VF_SPOOFCHK, IFLA_VF_LINK_STATE, IFLA_VF_TRUST };
        uint32_t value[] = { 0, IFLA_VF_LINK_STATE_DISABLE, 1 };
        int rem, i = 0;

        assert_int_equal(vf_nl_build_set("eth1", 3, &net, HD_VF_NET_SPOOFCHK | HD_VF_NET_TRUST | HD_VF_NET_LINK, &msg),
                         0);
        assert_int_equal(nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
        info = nla_data(tb[IFLA_VFINFO_LIST]);
        assert_int_equal(nla_type(info), IFLA_VF_INFO);
        nla_for_each_nested(a, info, rem) {
                assert_true(i < 3);
                assert_int_equal(nla_type(a), want[i]);
                assert_int_equal(nla_len(a), 8); /* struct ifla_vf_spoofchk/_link_state/_trust: { __u32 vf, x; } */
                assert_int_equal(u32_at(nla_data(a)), 3);
                assert_int_equal(u32_at((const uint8_t *)nla_data(a) + 4), value[i]);
                i++;
        }
        assert_int_equal(i, 3);
        nlmsg_free(msg);

        /* one field, one attribute; a field to set that is UNSET is refused */
        assert_int_equal(vf_nl_build_set("eth1", 3, &net, HD_VF_NET_TRUST, &msg), 0);
        assert_int_equal(nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
        info = nla_data(tb[IFLA_VFINFO_LIST]);
        assert_int_equal(nla_len(info), 12);
        nlmsg_free(msg);
        net.trust = HD_VF_UNSET;
        assert_int_equal(vf_nl_build_set("eth1", 3, &net, HD_VF_NET_TRUST, &msg), -EINVAL);
}

static void test_get_message(void **state) {
        struct nl_msg *msg = NULL;
        struct nlmsghdr *h;
        struct nlattr *tb[IFLA_MAX + 1];

        assert_int_equal(vf_nl_build_get("eth9", &msg), 0);
        h = nlmsg_hdr(msg);
        assert_int_equal(h->nlmsg_type, RTM_GETLINK);
        assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST);
        assert_int_equal(nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
        assert_string_equal(nla_get_string(tb[IFLA_IFNAME]), "eth9");
        assert_int_equal(nla_len(tb[IFLA_EXT_MASK]), 4);
        assert_int_equal(nla_get_u32(tb[IFLA_EXT_MASK]), RTEXT_FILTER_VF);
        nlmsg_free(msg);
}

/* What the kernel answers: RTM_NEWLINK with one IFLA_VF_INFO per VF (rtnl_fill_vfinfo()). */
static struct nl_msg *fake_newlink(unsigned n_vfs) {
        struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 4 };
        struct nlattr *list;

        assert_non_null(msg);
        assert_int_equal(nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO), 0);
        assert_int_equal(nla_put_string(msg, IFLA_IFNAME, "enp1s0f0"), 0);
        assert_int_equal(nla_put_u32(msg, IFLA_NUM_VF, n_vfs), 0);
        list = nla_nest_start(msg, IFLA_VFINFO_LIST);
        for (unsigned i = 0; i < n_vfs; i++) {
                struct nlattr *info = nla_nest_start(msg, IFLA_VF_INFO);
                struct ifla_vf_mac mac = { .vf = i, .mac = { 0x02, 0, 0, 0, 0, (uint8_t)(0x10 + i) } };
                struct ifla_vf_vlan vlan = { .vf = i, .vlan = 100 + i, .qos = 0 };
                struct ifla_vf_spoofchk spoof = { .vf = i, .setting = 1 };
                /* a driver that does not tell its VFs' trust: the kernel sends (u32)-1 */
                struct ifla_vf_trust trust = { .vf = i, .setting = i == 2 ? 1 : (uint32_t)-1 };
                struct ifla_vf_link_state link = { .vf = i, .link_state = i == 1 ? IFLA_VF_LINK_STATE_DISABLE
                                                                                  : IFLA_VF_LINK_STATE_AUTO };
                assert_int_equal(nla_put(msg, IFLA_VF_MAC, sizeof(mac), &mac), 0);
                assert_int_equal(nla_put(msg, IFLA_VF_VLAN, sizeof(vlan), &vlan), 0);
                assert_int_equal(nla_put(msg, IFLA_VF_SPOOFCHK, sizeof(spoof), &spoof), 0);
                assert_int_equal(nla_put(msg, IFLA_VF_LINK_STATE, sizeof(link), &link), 0);
                assert_int_equal(nla_put(msg, IFLA_VF_TRUST, sizeof(trust), &trust), 0);
                nla_nest_end(msg, info);
        }
        nla_nest_end(msg, list);
        return msg;
}

static void test_parse_answer(void **state) {
        struct nl_msg *msg = fake_newlink(3);
        struct hd_vf_net net;
        const uint8_t mac1[6] = { 0x02, 0, 0, 0, 0, 0x11 };

        assert_int_equal(vf_nl_parse_link(nlmsg_hdr(msg), 1, &net), 0);
        assert_memory_equal(net.mac, mac1, 6);
        assert_int_equal(net.vlan, 101);
        assert_int_equal(net.spoofchk, HD_VF_ON);
        assert_int_equal(net.trust, HD_VF_UNSET);
        assert_int_equal(net.link, HD_VF_LINK_DISABLE);
        assert_int_equal(vf_nl_parse_link(nlmsg_hdr(msg), 2, &net), 0);
        assert_int_equal(net.vlan, 102);
        assert_int_equal(net.trust, HD_VF_ON);
        assert_int_equal(net.link, HD_VF_LINK_AUTO);
        assert_int_equal(vf_nl_parse_link(nlmsg_hdr(msg), 3, &net), -ENOENT);
        nlmsg_free(msg);
        msg = fake_newlink(0);
        assert_int_equal(vf_nl_parse_link(nlmsg_hdr(msg), 0, &net), -ENOENT);
        nlmsg_free(msg);
}

/* A PF's VF table in memory, behind the ops the manager uses. */
struct fake {
        struct hd_vf_net vfs[4];
        unsigned sets, fields[8];
        int fail;
        unsigned missing; /* fields the "driver" has no ndo for */
};

static int fake_get(void *userdata, const char *pf_ifname, unsigned vf, struct hd_vf_net *ret) {
        struct fake *f = userdata;
        if (!streq(pf_ifname, "enp1s0f0") || vf >= 4)
                return -ENOENT;
        *ret = f->vfs[vf];
        return 0;
}

static int fake_set(void *userdata, const char *pf_ifname, unsigned vf, const struct hd_vf_net *net, unsigned fields) {
        struct fake *f = userdata;
        struct hd_vf_net *v;
        if (f->fail)
                return f->fail;
        if (!streq(pf_ifname, "enp1s0f0") || vf >= 4)
                return -ENOENT;
        if (fields & f->missing)
                return -EOPNOTSUPP;
        v = &f->vfs[vf];
        if (fields & HD_VF_NET_MAC)
                memcpy(v->mac, net->mac, 6);
        if (fields & HD_VF_NET_VLAN) {
                v->vlan = net->vlan;
                v->qos = net->qos;
        }
        if (fields & HD_VF_NET_SPOOFCHK)
                v->spoofchk = net->spoofchk;
        if (fields & HD_VF_NET_TRUST)
                v->trust = net->trust;
        if (fields & HD_VF_NET_LINK)
                v->link = net->link;
        f->fields[f->sets++ % 8] = fields;
        return 0;
}

static void test_save_set_restore(void **state) {
        struct fake f = { .vfs[2] = { .mac = { 0x02, 0, 0, 0, 0, 0x22 }, .vlan = 0 } };
        struct hd_vf_netlink_ops ops = { .get = fake_get, .set = fake_set, .userdata = &f };
        struct hd_vf vf = { .index = 2, .pf_ifname = (char *)"enp1s0f0" };
        struct hd_vlan_tag tag = { .id = 42 };
        struct hd_hostdev_net_vf iface = { .has_mac = true, .mac = { 0x52, 0x54, 0, 1, 2, 3 },
                                           .vlan = { .tags = &tag, .n_tags = 1 } };
        struct hd_vf_net saved, want, back;
        struct hd_context *ctx = NULL;
        char mac[18], vlan[24];

        assert_int_equal(hd_context_new(&ctx), 0);
        /* prepare: save what the PF reports, then set what the XML asks */
        assert_int_equal(hd_vf_net_get(ctx, &ops, &vf, &saved), 0);
        assert_int_equal(hd_vf_net_to_strings(&saved, mac, vlan), 0);
        assert_string_equal(mac, "02:00:00:00:00:22");
        assert_string_equal(vlan, "0");
        assert_int_equal(hd_vf_net_from_interface(ctx, &iface, &saved, &want), 0);
        assert_int_equal(hd_vf_net_set(ctx, &ops, &vf, &want, 0), 0);
        assert_memory_equal(f.vfs[2].mac, iface.mac, 6);
        assert_int_equal(f.vfs[2].vlan, 42);
        /* MAC and VLAN in one message, as libvirt sends them */
        assert_int_equal(f.sets, 1);
        assert_int_equal(f.fields[0], HD_VF_NET_MAC | HD_VF_NET_VLAN);
        /* release (or recovery, from the stored strings): restore */
        assert_int_equal(hd_vf_net_from_strings(mac, vlan, &back), 0);
        assert_int_equal(hd_vf_net_set(ctx, &ops, &vf, &back, 0), 0);
        assert_memory_equal(f.vfs[2].mac, saved.mac, 6);
        assert_int_equal(f.vfs[2].vlan, 0);

        /* No MAC in the XML keeps the current one; no <vlan> clears it. */
        iface.has_mac = false;
        iface.vlan.n_tags = 0;
        assert_int_equal(hd_vf_net_from_interface(ctx, &iface, &saved, &want), 0);
        assert_memory_equal(want.mac, saved.mac, 6);
        assert_int_equal(want.vlan, 0);

        /* A PF refusal names the PF, VF and values. */
        f.fail = -EINVAL;
        assert_int_equal(hd_vf_net_set(ctx, &ops, &vf, &want, 0), -EINVAL);
        assert_non_null(strstr(hd_context_last_error(ctx), "enp1s0f0"));
        /* A PF without a netdev. */
        vf.pf_ifname = NULL;
        assert_int_equal(hd_vf_net_get(ctx, &ops, &vf, &saved), -ENODEV);
        vf.pf_ifname = (char *)"enp1s0f0";
        vf.index = 9;
        assert_int_equal(hd_vf_net_get(ctx, &ops, &vf, &saved), -ENOENT);
        hd_context_free(ctx);
}

/* trustGuestRxFilters and <link state=/>: set one message each, a driver without them named, put back. */
static void test_trust_and_link(void **state) {
        struct fake f = { .vfs[1] = { .spoofchk = HD_VF_ON, .trust = HD_VF_OFF, .link = HD_VF_LINK_AUTO } };
        struct hd_vf_netlink_ops ops = { .get = fake_get, .set = fake_set, .userdata = &f };
        struct hd_vf vf = { .index = 1, .pf_ifname = (char *)"enp1s0f0" };
        struct hd_hostdev_net_vf iface = { .trust_guest_rx_filters = HD_TRISTATE_YES, .link = HD_LINK_DOWN };
        struct hd_vf_net cur, want, back = {};
        struct hd_context *ctx = NULL;
        char flags[48];

        assert_int_equal(hd_context_new(&ctx), 0);
        assert_int_equal(hd_vf_net_get(ctx, &ops, &vf, &cur), 0);
        assert_int_equal(hd_vf_net_from_interface(ctx, &iface, &cur, &want), 0);
        assert_int_equal(want.trust, HD_VF_ON);
        assert_int_equal(want.link, HD_VF_LINK_DISABLE);
        assert_int_equal(want.spoofchk, HD_VF_UNSET); /* libvirt's XML has none: left alone */
        assert_int_equal(hd_vf_net_set(ctx, &ops, &vf, &want, 0), 0);
        assert_int_equal(f.sets, 3);
        assert_int_equal(f.fields[0], HD_VF_NET_MAC | HD_VF_NET_VLAN);
        assert_int_equal(f.fields[1], HD_VF_NET_TRUST);
        assert_int_equal(f.fields[2], HD_VF_NET_LINK);
        assert_int_equal(f.vfs[1].trust, HD_VF_ON);
        assert_int_equal(f.vfs[1].link, HD_VF_LINK_DISABLE);
        assert_int_equal(f.vfs[1].spoofchk, HD_VF_ON);
        /* <link state='up'/> follows the PF; trustGuestRxFilters='no' turns trust off */
        iface = (struct hd_hostdev_net_vf){ .trust_guest_rx_filters = HD_TRISTATE_NO, .link = HD_LINK_UP };
        assert_int_equal(hd_vf_net_from_interface(ctx, &iface, &cur, &want), 0);
        assert_int_equal(want.trust, HD_VF_OFF);
        assert_int_equal(want.link, HD_VF_LINK_AUTO);

        /* the saved flags as the store keeps them, and back */
        back = (struct hd_vf_net){ .trust = cur.trust, .link = cur.link };
        assert_int_equal(hd_vf_net_flags_to_string(&back, flags), 0);
        assert_string_equal(flags, "trust=off link=auto");
        back = (struct hd_vf_net){};
        assert_int_equal(hd_vf_net_flags_from_string(flags, &back), 0);
        assert_int_equal(back.trust, HD_VF_OFF);
        assert_int_equal(back.link, HD_VF_LINK_AUTO);
        assert_int_equal(back.spoofchk, HD_VF_UNSET);
        assert_int_equal(hd_vf_net_flags_from_string("trust=maybe", &back), -EINVAL);
        assert_int_equal(hd_vf_net_flags_from_string("colour=blue", &back), -EINVAL);
        assert_int_equal(hd_vf_net_flags_from_string("", &back), 0);
        assert_int_equal(hd_vf_net_flags_from_string(NULL, &back), 0);
        /* only what differs goes back, and what was not saved is not compared */
        back = (struct hd_vf_net){ .trust = HD_VF_OFF, .link = HD_VF_LINK_AUTO };
        assert_int_equal(hd_vf_net_diff(&back, &f.vfs[1]), HD_VF_NET_TRUST | HD_VF_NET_LINK);
        assert_int_equal(hd_vf_net_set(ctx, &ops, &vf, &back, HD_VF_NET_TRUST | HD_VF_NET_LINK), 0);
        assert_int_equal(hd_vf_net_diff(&back, &f.vfs[1]), 0);

        /* a driver without link state (igb has no ndo_set_vf_link_state) is named, with the remedy */
        f.missing = HD_VF_NET_LINK;
        assert_int_equal(hd_vf_net_set(ctx, &ops, &vf, &want, HD_VF_NET_LINK), -EOPNOTSUPP);
        assert_non_null(strstr(hd_context_last_error(ctx), "cannot set the link state of its VF 1"));
        assert_non_null(strstr(hd_context_last_error(ctx), "remove that setting"));
        hd_context_free(ctx);
}

static void test_interface_refusals(void **state) {
        struct hd_context *ctx = NULL;
        struct hd_vlan_tag tags[2] = { { .id = 1 }, { .id = 2 } };
        struct hd_hostdev_net_vf iface = { 0 };
        struct hd_vf_net out;

        assert_int_equal(hd_context_new(&ctx), 0);
        iface.virtualport.type = HD_VIRTUALPORT_8021QBH;
        assert_int_equal(hd_vf_net_from_interface(ctx, &iface, NULL, &out), -EOPNOTSUPP);
        assert_non_null(strstr(hd_context_last_error(ctx), "802.1Qbh"));
        assert_non_null(strstr(hd_context_last_error(ctx), "not supported"));
        iface.virtualport.type = HD_VIRTUALPORT_8021QBG;
        assert_int_equal(hd_vf_net_from_interface(ctx, &iface, NULL, &out), -EOPNOTSUPP);
        assert_non_null(strstr(hd_context_last_error(ctx), "802.1Qbg"));
        iface.virtualport.type = HD_VIRTUALPORT_NONE;
        iface.vlan = (struct hd_vlan){ .trunk = true, .tags = tags, .n_tags = 2 };
        assert_int_equal(hd_vf_net_from_interface(ctx, &iface, NULL, &out), -EOPNOTSUPP);
        iface.vlan = (struct hd_vlan){ .tags = tags, .n_tags = 1 };
        tags[0].native_mode = HD_VLAN_NATIVE_UNTAGGED;
        assert_int_equal(hd_vf_net_from_interface(ctx, &iface, NULL, &out), -EOPNOTSUPP);
        tags[0] = (struct hd_vlan_tag){ .id = 5000 };
        assert_int_equal(hd_vf_net_from_interface(ctx, &iface, NULL, &out), -EINVAL);
        hd_context_free(ctx);
}

static void test_strings(void **state) {
        struct hd_vf_net n;
        char mac[18], vlan[24];

        assert_int_equal(hd_vf_net_from_strings("52:54:00:AA:bb:0c", "100:5", &n), 0);
        assert_int_equal(n.vlan, 100);
        assert_int_equal(n.qos, 5);
        assert_int_equal(hd_vf_net_to_strings(&n, mac, vlan), 0);
        assert_string_equal(mac, "52:54:00:aa:bb:0c");
        assert_string_equal(vlan, "100:5");
        assert_int_equal(hd_vf_net_from_strings("52:54:00:aa:bb", "0", &n), -EINVAL);
        assert_int_equal(hd_vf_net_from_strings("52:54:00:aa:bb:cc", "4096", &n), -EINVAL);
        assert_int_equal(hd_vf_net_from_strings("52:54:00:aa:bb:cc", "x", &n), -EINVAL);
        assert_int_equal(hd_vf_net_from_strings("52:54:00:aa:bb:cc", NULL, &n), 0);
        assert_int_equal(n.vlan, 0);
}

/* The real transport on the loopback: it answers, and lists no VF. Skipped where netlink is closed. */
static void test_real_loopback(void **state) {
        const struct hd_vf_netlink_ops *ops = hd_vf_netlink_real();
        struct hd_vf_net n;
        int r = ops->get(ops->userdata, "lo", 0, &n);

        if (r == -EAFNOSUPPORT || r == -EPERM || r == -EACCES)
                skip();
        assert_int_equal(r, -ENOENT);
        r = ops->get(ops->userdata, "no-such-if0", 0, &n);
        assert_int_equal(r, -ENODEV);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_set_message),       cmocka_unit_test(test_set_flags_message),
                cmocka_unit_test(test_get_message),       cmocka_unit_test(test_parse_answer),
                cmocka_unit_test(test_save_set_restore),  cmocka_unit_test(test_trust_and_link),
                cmocka_unit_test(test_interface_refusals), cmocka_unit_test(test_strings),
                cmocka_unit_test(test_real_loopback),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
