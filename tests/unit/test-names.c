/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Vendor and product names from the small id files in tests/data/ids (HOSTDEV_IDS_DIR). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names/names.h"

static char ids[512];

static int setup(void **state) {
        struct hd_context *ctx;
        const char *data = getenv("HOSTDEV_TEST_DATA");

        assert_non_null(data);
        snprintf(ids, sizeof(ids), "%s/ids", data);
        setenv("HOSTDEV_IDS_DIR", ids, 1);
        assert_int_equal(hd_context_new(&ctx), 0);
        *state = ctx;
        return 0;
}

static int teardown(void **state) {
        hd_context_free(*state);
        return 0;
}

static void assert_name(char *got, const char *want) {
        if (want)
                assert_string_equal(got, want);
        else
                assert_null(got);
        free(got);
}

static void test_pci(void **state) {
        struct hd_context *ctx = *state;

        assert_name(hd_names_pci_vendor(ctx, 0x8086), "Intel Corporation");
        assert_name(hd_names_pci_vendor(ctx, 0x1af4), "Red Hat, Inc.");
        assert_name(hd_names_pci_product(ctx, 0x8086, 0x10d3), "82574L Gigabit Network Connection");
        assert_name(hd_names_pci_product(ctx, 0x1af4, 0x1041), "Virtio 1.0 network device");
        assert_name(hd_names_pci_product(ctx, 0x144d, 0xa808), "NVMe SSD Controller SM981/PM981/PM983");
        /* Unknown: no name rather than a wrong one. */
        assert_name(hd_names_pci_product(ctx, 0x8086, 0x29c1), NULL);
        assert_name(hd_names_pci_vendor(ctx, 0xabcd), NULL);
        assert_name(hd_names_pci_product(ctx, 0xabcd, 0x10d3), NULL);
        /* 144d:a801 is only a subsystem (two tabs) of a808: not a device. */
        assert_name(hd_names_pci_product(ctx, 0x144d, 0xa801), NULL);
        /* "C 02  Network controller" is a class, not vendor 0x0c02 or 0x0002. */
        assert_name(hd_names_pci_vendor(ctx, 0x0002), NULL);
        assert_name(hd_names_pci_product(ctx, 0x0002, 0x0000), NULL);
}

static void test_usb(void **state) {
        struct hd_context *ctx = *state;

        assert_name(hd_names_usb_vendor(ctx, 0x1d6b), "Linux Foundation");
        assert_name(hd_names_usb_product(ctx, 0x1d6b, 0x0003), "3.0 root hub");
        assert_name(hd_names_usb_product(ctx, 0x0204, 0x6025), "CBM2080 / CBM2090 Flash drive controller");
        /* The USB database names Intel differently from the PCI one. */
        assert_name(hd_names_usb_vendor(ctx, 0x8086), "Intel Corp.");
        assert_name(hd_names_usb_product(ctx, 0x8086, 0x0001), NULL);
        assert_name(hd_names_usb_vendor(ctx, 0x0100), NULL); /* "AT 0100" is another section */
}

static void test_reload(void **state) {
        struct hd_context *ctx = *state;

        /* A new root drops the loaded databases; they load again on the next use. */
        assert_int_equal(hd_context_set_sysroot(ctx, "/"), 0);
        assert_name(hd_names_pci_vendor(ctx, 0x8086), "Intel Corporation");
}

static void test_no_files(void **state) {
        struct hd_context *ctx;

        /* HOSTDEV_IDS_DIR without the files: no names at all, not the host's. */
        setenv("HOSTDEV_IDS_DIR", "/nonexistent-hostdev-ids", 1);
        assert_int_equal(hd_context_new(&ctx), 0);
        assert_name(hd_names_pci_vendor(ctx, 0x8086), NULL);
        assert_name(hd_names_usb_vendor(ctx, 0x1d6b), NULL);
        hd_context_free(ctx);
        setenv("HOSTDEV_IDS_DIR", ids, 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pci),
                cmocka_unit_test(test_usb),
                cmocka_unit_test(test_reload),
                cmocka_unit_test(test_no_files),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
