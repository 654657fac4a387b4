/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Vendor and product names from the small databases in tests/data/ids (hd_context_set_ids_dir, names_set_hwdb). */
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
        assert_int_equal(hd_context_new(&ctx), 0);
        assert_int_equal(hd_context_set_ids_dir(ctx, ids), 0);
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

        /* An ids folder without the files: no names at all, not the host's. */
        assert_int_equal(hd_context_new(&ctx), 0);
        assert_int_equal(hd_context_set_ids_dir(ctx, "/nonexistent-hostdev-ids"), 0);
        assert_name(hd_names_pci_vendor(ctx, 0x8086), NULL);
        assert_name(hd_names_usb_vendor(ctx, 0x1d6b), NULL);
        hd_context_free(ctx);
}

static void with_databases(const char *ids_dir, const char *hwdb, struct hd_context **ret) {
        char path[600];
        assert_int_equal(hd_context_new(ret), 0);
        snprintf(path, sizeof(path), "%s/%s", ids, ids_dir);
        assert_int_equal(hd_context_set_ids_dir(*ret, path), 0);
        snprintf(path, sizeof(path), "%s/%s", ids, hwdb);
        assert_int_equal(names_set_hwdb(*ret, path), 0);
}

static void test_hwdb_usb(void **state) {
        struct hd_context *ctx;

        /* Both databases: USB names come from the hwdb, as udev gives them to libvirt ... */
        with_databases(".", "hwdb/hwdb.bin", &ctx);
        assert_name(hd_names_usb_vendor(ctx, 0x1d6b), "Linux Foundation");
        assert_name(hd_names_usb_product(ctx, 0x1d6b, 0x0002), "2.0 root hub");
        assert_name(hd_names_usb_product(ctx, 0x0204, 0x6026), "CBM1180 Flash drive controller");
        /* ... and only from it: usb.ids knows 0204:6025, the hwdb does not. */
        assert_name(hd_names_usb_product(ctx, 0x0204, 0x6025), NULL);
        assert_name(hd_names_usb_vendor(ctx, 0x8086), NULL);
        /* PCI names still come from pci.ids, which lacks 8086:29c1 (libpciaccess would too). */
        assert_name(hd_names_pci_product(ctx, 0x8086, 0x29c1), NULL);
        assert_name(hd_names_pci_product(ctx, 0x8086, 0x10d3), "82574L Gigabit Network Connection");
        hd_context_free(ctx);
}

static void test_hwdb_pci(void **state) {
        struct hd_context *ctx;

        /* No pci.ids (hwdb/ has none): PCI names from the hwdb. */
        with_databases("hwdb", "hwdb/hwdb.bin", &ctx);
        assert_name(hd_names_pci_vendor(ctx, 0x8086), "Intel Corporation");
        assert_name(hd_names_pci_product(ctx, 0x8086, 0x29c1),
                    "82G33/G31/P35/P31 Express PCI Express Root Port");
        /* 8086:10d3 has only a subsystem entry there: no name for the device itself. */
        assert_name(hd_names_pci_product(ctx, 0x8086, 0x10d3), NULL);
        assert_name(hd_names_pci_vendor(ctx, 0x1af4), NULL);
        hd_context_free(ctx);

        /* An hwdb that cannot be opened: no names, no failure. */
        with_databases("hwdb", "hwdb/absent.bin", &ctx);
        assert_name(hd_names_pci_vendor(ctx, 0x8086), NULL);
        assert_name(hd_names_usb_vendor(ctx, 0x1d6b), NULL);
        hd_context_free(ctx);
}

/*
 * The binary search over hwdata's own pci.ids (sorted) finds every vendor in
 * it, with the name the file gives. Skipped where hwdata is not installed.
 */
static void test_system_pci_ids_every_vendor(void **state) {
        const char *path = "/usr/share/misc/pci.ids";
        struct hd_context *ctx = NULL;
        char line[512];
        size_t vendors = 0;
        FILE *f = fopen(path, "re");

        if (!f)
                skip();
        assert_int_equal(hd_context_new(&ctx), 0);
        while (fgets(line, sizeof(line), f)) {
                unsigned id;
                char *name, *got;
                if (sscanf(line, "%4x  ", &id) != 1 || line[4] != ' ' || line[0] == '\t' || line[0] == '#')
                        continue;
                if (line[0] == 'C' && line[1] == ' ')
                        break; /* the classes begin */
                name = line + 4;
                while (*name == ' ')
                        name++;
                name[strcspn(name, "\r\n")] = 0;
                got = hd_names_pci_vendor(ctx, id);
                if (!got || strcmp(got, name) != 0)
                        fail_msg("vendor %04x: '%s', the file says '%s'", id, got ? got : "(none)", name);
                free(got);
                vendors++;
        }
        fclose(f);
        assert_true(vendors > 1000);
        hd_context_free(ctx);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pci),
                cmocka_unit_test(test_usb),
                cmocka_unit_test(test_reload),
                cmocka_unit_test(test_no_files),
                cmocka_unit_test(test_hwdb_usb),
                cmocka_unit_test(test_hwdb_pci),
                cmocka_unit_test(test_system_pci_ids_every_vendor),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
