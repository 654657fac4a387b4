/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The usb module on tests/data/trees/usb: devices and interfaces, names, parents, lookups by BUS:DEVICE. */
#include "tree-test.h"

static int setup(void **state) {
        *state = tree_open("usb");
        return 0;
}

static int teardown(void **state) {
        tree_close(*state);
        return 0;
}

static void test_names_and_parents(void **state) {
        struct tree *t = *state;

        assert_parent(t, "usb_usb3", "pci_0000_00_04_0");
        assert_parent(t, "usb_usb4", "pci_0000_00_04_0");
        assert_parent(t, "usb_3_0_1_0", "usb_usb3");
        assert_parent(t, "usb_3_1", "usb_usb3");
        assert_parent(t, "usb_3_1_1_0", "usb_3_1");
        assert_parent(t, "usb_3_1_1_1", "usb_3_1");
        assert_parent(t, "usb_3_3", "usb_usb3");
        /* Endpoints, ports and the tty below an interface are not node devices. */
        assert_absent(t, "usb_ep_00");
        assert_absent(t, "usb_usb3_port1");
        assert_absent(t, "tty_ttyACM0");
        /* 3-2's bus link points to nothing: it is gone, not an error. */
        assert_absent(t, "usb_3_2");
        assert_int_equal(hd_inventory_size(t->inv), 1 + 1 + 9);
        assert_all_lookups(t);
}

static void test_device(void **state) {
        struct tree *t = *state;
        struct hd_cap *c = tree_cap(t, "usb_3_1", HD_CAP_USB_DEVICE);
        struct hd_device *d = tree_get(t, "usb_3_1");

        assert_int_equal(c->usb_dev.bus, 3);
        assert_int_equal(c->usb_dev.device, 2);
        assert_int_equal(c->usb_dev.vendor.id, 0x0204);
        assert_int_equal(c->usb_dev.product.id, 0x6025);
        /* udev's database names win over the device's own strings, as in libvirt. */
        assert_string_equal(c->usb_dev.vendor.name, "Chipsbank Microelectronics Co., Ltd");
        assert_string_equal(c->usb_dev.product.name, "CBM2080 / CBM2090 Flash drive controller");
        assert_string_equal(d->driver, "usb");
        assert_string_equal(d->devtype, "usb_device");
        assert_int_equal(d->n_devnodes, 1);
        assert_string_equal(d->devnodes[0].path, "/dev/bus/usb/003/002");

        /* A root hub has no udev entry here: names come from usb.ids. */
        c = tree_cap(t, "usb_usb3", HD_CAP_USB_DEVICE);
        assert_int_equal(c->usb_dev.bus, 3);
        assert_int_equal(c->usb_dev.device, 1);
        assert_int_equal(c->usb_dev.vendor.id, 0x1d6b);
        assert_int_equal(c->usb_dev.product.id, 0x0002);
        assert_string_equal(c->usb_dev.vendor.name, "Linux Foundation");
        assert_string_equal(c->usb_dev.product.name, "2.0 root hub");

        /* Unknown ids: the device's product string; its unreadable manufacturer is left out. */
        c = tree_cap(t, "usb_3_3", HD_CAP_USB_DEVICE);
        assert_int_equal(c->usb_dev.vendor.id, 0xf1e0);
        assert_null(c->usb_dev.vendor.name);
        assert_string_equal(c->usb_dev.product.name, "Bench Meter  (rev B)");
}

static void test_interface(void **state) {
        struct tree *t = *state;
        struct hd_cap *c = tree_cap(t, "usb_3_1_1_0", HD_CAP_USB_INTERFACE);

        assert_int_equal(c->usb_if.number, 0);
        assert_int_equal(c->usb_if.klass, 0x02);
        assert_int_equal(c->usb_if.subclass, 0x02);
        assert_int_equal(c->usb_if.protocol, 0x01);
        assert_string_equal(tree_get(t, "usb_3_1_1_0")->driver, "cdc_acm");
        c = tree_cap(t, "usb_3_1_1_1", HD_CAP_USB_INTERFACE);
        assert_int_equal(c->usb_if.number, 1);
        assert_int_equal(c->usb_if.klass, 0x0a);
        assert_int_equal(c->usb_if.protocol, 0); /* no bInterfaceProtocol file */
        /* An interface with no driver bound. */
        assert_null(tree_get(t, "usb_3_3_1_0")->driver);
}

static void test_lookup_forms(void **state) {
        struct tree *t = *state;

        /* BUS:DEVICE as lsusb prints it, zero-padded or not. */
        assert_parent_spec(t, "usb_3_1", "usb_usb3", "3:2");
        assert_parent_spec(t, "usb_3_1", "usb_usb3", "003:002");
        assert_parent_spec(t, "usb_usb4", "pci_0000_00_04_0", "4:1");
        assert_parent_spec(t, "usb_3_1", "usb_usb3", tree_get(t, "usb_3_1")->sysfs_path);
        assert_no_lookup(t, "3:9");
        assert_no_lookup(t, "usb_3_2");
        assert_no_lookup(t, "usb_3_1_1");
        assert_no_lookup(t, "usb_../..");
        assert_no_lookup(t, "usb_");
        assert_no_lookup(t, "3:-2");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names_and_parents),
                cmocka_unit_test(test_device),
                cmocka_unit_test(test_interface),
                cmocka_unit_test(test_lookup_forms),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
