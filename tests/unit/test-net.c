/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The net module on tests/data/trees/net: which interfaces libvirt lists, their names, link facts and lookups. */
#include "tree-test.h"

static int setup(void **state) {
        *state = tree_open("net");
        return 0;
}

static int teardown(void **state) {
        tree_close(*state);
        return 0;
}

static void test_names_and_parents(void **state) {
        struct tree *t = *state;

        assert_parent(t, "net_eth0_00_1b_21_aa_bb_cc", "pci_0000_00_19_0");
        assert_parent(t, "net_wlan0_9c_b6_d0_11_22_33", "pci_0000_00_14_3");
        /* virtio2 in between is no node device: the PCI function is the parent. */
        assert_parent(t, "net_eth2_52_54_00_12_34_56", "pci_0000_00_03_0");
        assert_parent(t, "net_lo_00_00_00_00_00_00", "computer");
        /* '-' and '.' become '_' in names. */
        assert_parent(t, "net_veth_a_1_5a_11_22_33_44_55", "computer");
        /* An address that cannot be read: the name has no MAC part. */
        assert_parent(t, "net_eth1", "pci_0000_00_03_0");
        /* Bridges and VLANs carry a DEVTYPE and are not node devices; gone0 is a link to nothing. */
        assert_absent(t, "net_br0_5a_00_00_00_00_08");
        assert_absent(t, "net_eth0_100_00_1b_21_aa_bb_cc");
        assert_absent(t, "net_gone0");
        assert_all_lookups(t);
}

static void test_link(void **state) {
        struct tree *t = *state;
        struct hd_cap *c = tree_cap(t, "net_eth0_00_1b_21_aa_bb_cc", HD_CAP_NET);

        assert_string_equal(c->net.ifname, "eth0");
        assert_string_equal(c->net.address, "00:1b:21:aa:bb:cc");
        assert_int_equal(c->net.ifindex, 2);
        assert_int_equal(c->net.speed, 1000);
        assert_string_equal(c->net.link_state, "up");
        assert_int_equal(c->net.subcap, HD_NET_80203);

        c = tree_cap(t, "net_wlan0_9c_b6_d0_11_22_33", HD_CAP_NET);
        assert_int_equal(c->net.subcap, HD_NET_80211);
        assert_string_equal(c->net.link_state, "down");
        assert_int_equal(c->net.speed, 0);

        /* Up with speed -1 (unknown): left out, where libvirt prints 4294967295. */
        c = tree_cap(t, "net_eth2_52_54_00_12_34_56", HD_CAP_NET);
        assert_string_equal(c->net.link_state, "up");
        assert_int_equal(c->net.speed, 0);
        /* Down: drivers report nonsense (65535) there; no speed, as in libvirt. */
        c = tree_cap(t, "net_eth3_52_54_00_ab_cd_ef", HD_CAP_NET);
        assert_string_equal(c->net.link_state, "down");
        assert_int_equal(c->net.speed, 0);

        c = tree_cap(t, "net_lo_00_00_00_00_00_00", HD_CAP_NET);
        assert_string_equal(c->net.link_state, "unknown");
        assert_int_equal(c->net.ifindex, 1);
        c = tree_cap(t, "net_veth_a_1_5a_11_22_33_44_55", HD_CAP_NET);
        assert_string_equal(c->net.ifname, "veth-a.1");
        assert_string_equal(c->net.link_state, "lowerlayerdown");
        c = tree_cap(t, "net_eth1", HD_CAP_NET);
        assert_null(c->net.address);
}

static void test_lookup_forms(void **state) {
        struct tree *t = *state;

        assert_parent_spec(t, "net_eth0_00_1b_21_aa_bb_cc", "pci_0000_00_19_0", "eth0");
        assert_parent_spec(t, "net_veth_a_1_5a_11_22_33_44_55", "computer", "veth-a.1");
        assert_parent_spec(t, "net_eth1", "pci_0000_00_03_0", "eth1");
        assert_parent_spec(t, "net_eth0_00_1b_21_aa_bb_cc", "pci_0000_00_19_0",
                           "/sys/class/net/eth0");
        /* A name with the wrong MAC, a bridge, a vanished interface, paths out of the tree. */
        assert_no_lookup(t, "net_eth0_00_1b_21_aa_bb_cd");
        assert_no_lookup(t, "net_eth0");
        assert_no_lookup(t, "br0");
        assert_no_lookup(t, "gone0");
        assert_no_lookup(t, "../../etc");
        assert_no_lookup(t, "eth0/../../..");
        assert_no_lookup(t, "..");
        assert_no_lookup(t, "net_..");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names_and_parents),
                cmocka_unit_test(test_link),
                cmocka_unit_test(test_lookup_forms),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
