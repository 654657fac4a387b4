/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IOMMU groups on the hand-made tree tests/data/trees/pci: members, order, viability, reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hostdev/iommu.h"
#include "util/macro.h"

static int setup(void **state) {
        struct hd_context *ctx;
        const char *data = getenv("HOSTDEV_TEST_DATA");
        char root[512];

        assert_non_null(data);
        snprintf(root, sizeof(root), "%s/trees/pci", data);
        assert_int_equal(hd_context_new(&ctx), 0);
        assert_int_equal(hd_context_set_sysroot(ctx, root), 0);
        *state = ctx;
        return 0;
}

static int teardown(void **state) {
        hd_context_free(*state);
        return 0;
}

static void assert_addr(const struct hd_pci_addr *a, const char *want) {
        char buf[20];
        assert_string_equal(hd_pci_addr_format(a, buf), want);
}

static void test_enabled(void **state) {
        struct hd_context *bare;
        char dir[] = "/tmp/hostdev-test-iommu-XXXXXX", sys[64];

        assert_true(hd_iommu_enabled(*state));
        /* A host without groups and without IOMMU units. */
        assert_non_null(mkdtemp(dir));
        snprintf(sys, sizeof(sys), "%s/sys", dir);
        assert_int_equal(mkdir(sys, 0755), 0);
        assert_int_equal(hd_context_new(&bare), 0);
        assert_int_equal(hd_context_set_sysroot(bare, dir), 0);
        assert_false(hd_iommu_enabled(bare));
        {
                struct hd_iommu_group *g = (void *)1;
                size_t n = 99;
                assert_int_equal(hd_iommu_groups(bare, &g, &n), 0);
                assert_null(g);
                assert_int_equal(n, 0);
        }
        hd_context_free(bare);
        assert_int_equal(rmdir(sys), 0);
        assert_int_equal(rmdir(dir), 0);
}

static const struct hd_iommu_group *find(const struct hd_iommu_group *g, size_t n, int number) {
        for (size_t i = 0; i < n; i++)
                if (g[i].number == number)
                        return &g[i];
        fail_msg("no group %d", number);
        return NULL;
}

static void test_groups(void **state) {
        static const int numbers[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 16 };
        struct hd_iommu_group *groups = NULL;
        const struct hd_iommu_group *g;
        size_t n = 0;

        assert_int_equal(hd_iommu_groups(*state, &groups, &n), 0);
        assert_int_equal(n, ELEMENTSOF(numbers));
        for (size_t i = 0; i < n; i++) /* numeric order: 16 after 9 */
                assert_int_equal(groups[i].number, numbers[i]);

        /* ICH9: no driver, vfio-pci, i801_smbus; the last one is in the way. */
        g = find(groups, n, 16);
        assert_int_equal(g->n_members, 3);
        assert_addr(&g->members[0].addr, "0000:00:1f.0");
        assert_int_equal(g->members[0].class_code, 0x060100);
        assert_null(g->members[0].driver);
        assert_false(g->members[0].is_bridge); /* an ISA bridge is an endpoint to VFIO */
        assert_addr(&g->members[1].addr, "0000:00:1f.2");
        assert_string_equal(g->members[1].driver, "vfio-pci");
        assert_addr(&g->members[2].addr, "0000:00:1f.3");
        assert_int_equal(g->members[2].class_code, 0x0c0500);
        assert_string_equal(g->members[2].driver, "i801_smbus");
        assert_false(g->viable);
        assert_string_equal(g->reason,
                            "0000:00:1f.3 is bound to i801_smbus; detach it too (hostdev detach --group) or unbind it");

        /* A root port bound to pcieport does not count. */
        g = find(groups, n, 1);
        assert_int_equal(g->n_members, 1);
        assert_true(g->members[0].is_bridge);
        assert_string_equal(g->members[0].driver, "pcieport");
        assert_true(g->viable);
        assert_null(g->reason);

        assert_false(find(groups, n, 2)->viable); /* igb */
        assert_string_equal(find(groups, n, 2)->reason,
                            "0000:01:00.0 is bound to igb; detach it (hostdev detach 0000:01:00.0) or unbind it");
        assert_true(find(groups, n, 4)->viable);  /* vfio-pci */
        assert_true(find(groups, n, 8)->viable);  /* no driver */
        assert_true(find(groups, n, 0)->viable);  /* host bridge without a driver */
        hd_iommu_groups_free(groups, n);
}

static void test_group_get(void **state) {
        struct hd_iommu_group *g = NULL;

        assert_int_equal(hd_iommu_group_get(*state, 3, &g), 0);
        assert_int_equal(g->number, 3);
        assert_int_equal(g->n_members, 1);
        assert_addr(&g->members[0].addr, "0000:01:10.0");
        assert_string_equal(g->members[0].driver, "igbvf");
        assert_false(g->viable);
        hd_iommu_group_free(g);

        assert_int_equal(hd_iommu_group_get(*state, 42, &g), -ENOENT);
        assert_non_null(strstr(hd_context_last_error(*state), "42"));
        hd_iommu_group_free(NULL);
}

static void test_group_of(void **state) {
        struct hd_pci_addr a;
        int group = -1;

        assert_int_equal(hd_pci_addr_parse("0000:01:00.0", &a), 0);
        assert_int_equal(hd_iommu_group_of(*state, &a, &group), 0);
        assert_int_equal(group, 2);
        assert_int_equal(hd_pci_addr_parse("00:1f.3", &a), 0);
        assert_int_equal(hd_iommu_group_of(*state, &a, &group), 0);
        assert_int_equal(group, 16);

        assert_int_equal(hd_pci_addr_parse("10000:e1:00.0", &a), 0);
        assert_int_equal(hd_iommu_group_of(*state, &a, &group), -ENOENT);
        assert_non_null(strstr(hd_context_last_error(*state), "10000:e1:00.0 is in no IOMMU group"));

        assert_int_equal(hd_pci_addr_parse("0000:09:00.0", &a), 0);
        assert_int_equal(hd_iommu_group_of(*state, &a, &group), -ENODEV);
        assert_non_null(strstr(hd_context_last_error(*state), "no PCI device 0000:09:00.0"));
        assert_int_equal(hd_pci_addr_parse("0000:00:05.0", &a), 0); /* the link points nowhere */
        assert_int_equal(hd_iommu_group_of(*state, &a, &group), -ENODEV);
        assert_int_equal(group, 16);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_enabled),
                cmocka_unit_test(test_groups),
                cmocka_unit_test(test_group_get),
                cmocka_unit_test(test_group_of),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
