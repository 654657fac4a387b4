/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The scsi and scsi_generic modules on tests/data/trees/scsi (scsi_debug) and trees/fc (an FC HBA with NPIV). */
#include "tree-test.h"

static void test_scsi_debug(void **state) {
        struct tree *t = tree_open("scsi");
        struct hd_cap *c;

        /* scsi_debug's host sits under pseudo_0/adapter0, neither of which is a node device. */
        assert_parent(t, "scsi_host0", "computer");
        assert_parent(t, "scsi_target0_0_0", "scsi_host0");
        assert_parent(t, "scsi_target0_0_1", "scsi_host0");
        assert_parent(t, "scsi_0_0_0_0", "scsi_target0_0_0");
        assert_parent(t, "scsi_0_0_0_1", "scsi_target0_0_0");
        assert_parent(t, "scsi_0_0_1_0", "scsi_target0_0_1");
        assert_parent(t, "scsi_0_0_1_1", "scsi_target0_0_1");
        assert_parent(t, "scsi_0_0_2_0", "scsi_target0_0_2");
        for (int i = 0; i < 4; i++) {
                char sg[32], lun[32];
                snprintf(sg, sizeof(sg), "scsi_generic_sg%d", i);
                snprintf(lun, sizeof(lun), "scsi_0_0_%d_%d", i / 2, i % 2);
                assert_parent(t, sg, lun);
                c = tree_cap(t, sg, HD_CAP_SCSI_GENERIC);
                snprintf(sg, sizeof(sg), "/dev/sg%d", i);
                assert_string_equal(c->sg.path, sg);
        }
        assert_all_lookups(t);

        c = tree_cap(t, "scsi_host0", HD_CAP_SCSI_HOST);
        assert_int_equal(c->scsi_host.host, 0);
        assert_int_equal(c->scsi_host.unique_id, 1);
        assert_false(c->scsi_host.is_fc_host);
        assert_false(c->scsi_host.has_vport_ops);
        c = tree_cap(t, "scsi_target0_0_1", HD_CAP_SCSI_TARGET);
        assert_string_equal(c->scsi_target.name, "target0:0:1");
        assert_false(c->scsi_target.has_fc_remote_port);
        c = tree_cap(t, "scsi_0_0_1_1", HD_CAP_SCSI);
        assert_int_equal(c->scsi.host, 0);
        assert_int_equal(c->scsi.bus, 0);
        assert_int_equal(c->scsi.target, 1);
        assert_int_equal(c->scsi.lun, 1);
        assert_string_equal(c->scsi.type, "cdrom");
        assert_string_equal(tree_cap(t, "scsi_0_0_0_0", HD_CAP_SCSI)->scsi.type, "disk");
        assert_string_equal(tree_cap(t, "scsi_0_0_2_0", HD_CAP_SCSI)->scsi.type, "enclosure");
        assert_string_equal(tree_get(t, "scsi_0_0_1_1")->driver, "sr");

        assert_parent_spec(t, "scsi_host0", "computer", "scsi_host0");
        assert_no_lookup(t, "scsi_host9");
        assert_no_lookup(t, "scsi_hostx");
        assert_no_lookup(t, "scsi_host0_");
        assert_no_lookup(t, "scsi_target0_0");
        assert_no_lookup(t, "scsi_0_0_0_9");
        assert_no_lookup(t, "scsi_generic_sg9");
        assert_no_lookup(t, "scsi_generic_..");
        assert_no_lookup(t, "scsi_generic_sg0/..");
        tree_close(t);
}

static void test_fc(void **state) {
        struct tree *t = tree_open("fc");
        struct hd_cap *c;

        assert_parent(t, "scsi_host5", "pci_0000_04_00_0");
        /* The vport's host sits in vport-5:0-0 below host5; the rport is no device either. */
        assert_parent(t, "scsi_host6", "scsi_host5");
        assert_parent(t, "scsi_target5_0_0", "scsi_host5");
        assert_parent(t, "scsi_5_0_0_0", "scsi_target5_0_0");
        assert_parent(t, "scsi_host7", "pci_0000_04_00_1");
        assert_all_lookups(t);

        c = tree_cap(t, "scsi_host5", HD_CAP_SCSI_HOST);
        assert_int_equal(c->scsi_host.host, 5);
        assert_int_equal(c->scsi_host.unique_id, 5);
        assert_true(c->scsi_host.is_fc_host);
        assert_string_equal(c->scsi_host.wwnn, "20000000c9831b4b");
        assert_string_equal(c->scsi_host.wwpn, "10000000c9831b4b");
        assert_string_equal(c->scsi_host.fabric_wwn, "2002000573de9a81");
        assert_true(c->scsi_host.has_vport_ops);
        assert_int_equal(c->scsi_host.max_vports, 255);
        assert_int_equal(c->scsi_host.vports, 1);
        assert_true(hd_device_has_cap(tree_get(t, "scsi_host5"), HD_CAP_FC_HOST));
        assert_true(hd_device_has_cap(tree_get(t, "scsi_host5"), HD_CAP_VPORTS));

        c = tree_cap(t, "scsi_host6", HD_CAP_SCSI_HOST);
        assert_true(c->scsi_host.is_fc_host);
        assert_string_equal(c->scsi_host.wwpn, "10000000c9831b4c");
        assert_false(c->scsi_host.has_vport_ops);

        /* An HBA whose port name cannot be read is shown as a plain SCSI host, as libvirt does. */
        c = tree_cap(t, "scsi_host7", HD_CAP_SCSI_HOST);
        assert_false(c->scsi_host.is_fc_host);
        assert_null(c->scsi_host.wwnn);
        assert_null(c->scsi_host.wwpn);
        assert_false(hd_device_has_cap(tree_get(t, "scsi_host7"), HD_CAP_FC_HOST));

        c = tree_cap(t, "scsi_target5_0_0", HD_CAP_SCSI_TARGET);
        assert_true(c->scsi_target.has_fc_remote_port);
        assert_string_equal(c->scsi_target.rport, "rport-5:0-0");
        assert_string_equal(c->scsi_target.wwpn, "0x50060b0000b0a7d0"); /* as the kernel writes it */

        /* "WWNN,WWPN", with or without 0x, in either case. */
        assert_parent_spec(t, "scsi_host5", "pci_0000_04_00_0", "20000000c9831b4b,10000000c9831b4b");
        assert_parent_spec(t, "scsi_host6", "scsi_host5", "0x20000000C9831B4C,0x10000000c9831b4c");
        assert_no_lookup(t, "20000000c9831b4b,10000000c9831b4c");
        assert_no_lookup(t, "20000000c9831b4b,");
        assert_no_lookup(t, ",10000000c9831b4b");
        assert_no_lookup(t, "../fc_host,10000000c9831b4b");
        tree_close(t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_scsi_debug),
                cmocka_unit_test(test_fc),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
