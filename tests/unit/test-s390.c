/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vdpa and s390 (ccw, css, ap) modules on tests/data/trees/vdpa and trees/s390. */
#include "tree-test.h"

static void test_vdpa(void **state) {
        struct tree *t = tree_open("vdpa");
        struct hd_context *ctx;
        struct hd_device *d = NULL;
        char tmp[] = "/tmp/hostdev-test-vdpa-XXXXXX", cmd[1200];

        assert_parent(t, "vdpa_vdpa0", "pci_0000_00_07_0");
        assert_string_equal(tree_cap(t, "vdpa_vdpa0", HD_CAP_VDPA)->vdpa.chardev, "/dev/vhost-vdpa-0");
        /* The name's '-' and '.' are mangled; vdpasim's parent is no node device. */
        assert_parent(t, "vdpa_vdpa_net_1", "computer");
        assert_string_equal(tree_cap(t, "vdpa_vdpa_net_1", HD_CAP_VDPA)->vdpa.chardev, "/dev/vhost-vdpa-1");
        assert_all_lookups(t);
        assert_no_lookup(t, "vdpa_vdpa_net");
        assert_no_lookup(t, "vdpa_..");

        /* Bound to virtio_vdpa instead, the device has no vhost-vdpa node: still listed, no chardev. */
        assert_non_null(mkdtemp(tmp));
        snprintf(cmd, sizeof(cmd), "cp -a '%s/trees/vdpa/sys' '%s/' && rm -r '%s/sys/devices/vdpasim_net/vdpa-net.1/vhost-vdpa-1'",
                 getenv("HOSTDEV_TEST_DATA"), tmp, tmp);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(hd_context_new(&ctx), 0);
        assert_int_equal(hd_context_set_sysroot(ctx, tmp), 0);
        assert_int_equal(hd_device_lookup(ctx, "vdpa_vdpa_net_1", &d), 0);
        assert_null(hd_device_get_cap(d, HD_CAP_VDPA)->vdpa.chardev);
        hd_device_free(d);
        hd_context_free(ctx);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
        assert_int_equal(system(cmd), 0);
        tree_close(t);
}

static void test_s390(void **state) {
        struct tree *t = tree_open("s390");
        struct hd_cap *c;

        assert_parent(t, "css_0_0_0000", "computer");
        assert_parent(t, "ccw_0_0_0052", "css_0_0_0000");
        assert_parent(t, "css_0_0_0001", "computer");
        assert_parent(t, "mdev_96c03c6a_a109_44fe_816a_ba371542164b_0_0_0001", "css_0_0_0001");
        assert_parent(t, "css_0_0_0003", "computer");
        assert_parent(t, "ap_card0a", "computer");
        assert_parent(t, "ap_0a_0004", "ap_card0a");
        /* A CHSC subchannel and an offline device are left out, as libvirt leaves them out. */
        assert_absent(t, "css_0_0_0002");
        assert_absent(t, "ccw_0_0_0053");
        assert_all_lookups(t);

        c = tree_cap(t, "ccw_0_0_0052", HD_CAP_CCW);
        assert_int_equal(c->ccw.cssid, 0);
        assert_int_equal(c->ccw.ssid, 0);
        assert_int_equal(c->ccw.devno, 0x52);
        c = tree_cap(t, "css_0_0_0000", HD_CAP_CSS);
        assert_string_equal(c->ccw.channel_dev_addr, "0.0.0052");
        assert_int_equal(c->ccw.n_mdev_types, 0);
        c = tree_cap(t, "css_0_0_0001", HD_CAP_CSS);
        assert_int_equal(c->ccw.devno, 1);
        assert_string_equal(c->ccw.channel_dev_addr, "0.0.0815");
        assert_int_equal(c->ccw.n_mdev_types, 1);
        assert_string_equal(c->ccw.mdev_types[0].id, "vfio_ccw-io");
        assert_string_equal(c->ccw.mdev_types[0].name, "I/O subchannel (Non-QDIO)");
        assert_string_equal(c->ccw.mdev_types[0].device_api, "vfio-ccw");
        assert_int_equal(c->ccw.mdev_types[0].available_instances, 0);
        assert_true(hd_device_has_cap(tree_get(t, "css_0_0_0001"), HD_CAP_MDEV_TYPES));
        c = tree_cap(t, "mdev_96c03c6a_a109_44fe_816a_ba371542164b_0_0_0001", HD_CAP_MDEV);
        assert_string_equal(c->mdev.parent_addr, "0.0.0001");
        assert_string_equal(c->mdev.type, "vfio_ccw-io");
        assert_int_equal(c->mdev.iommu_group, 1);

        c = tree_cap(t, "ap_card0a", HD_CAP_AP_CARD);
        assert_int_equal(c->ap.adapter, 0x0a);
        c = tree_cap(t, "ap_0a_0004", HD_CAP_AP_QUEUE);
        assert_int_equal(c->ap.adapter, 0x0a);
        assert_int_equal(c->ap.domain, 4);

        assert_no_lookup(t, "ccw_0_0_0053");
        assert_no_lookup(t, "ccw_0_0_52");
        assert_no_lookup(t, "css_0_0_0002");
        assert_no_lookup(t, "css_0x0_0_0000");
        assert_no_lookup(t, "ap_card0A");
        assert_no_lookup(t, "ap_0a_4");
        assert_no_lookup(t, "ap_matrix");
        tree_close(t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_vdpa),
                cmocka_unit_test(test_s390),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
