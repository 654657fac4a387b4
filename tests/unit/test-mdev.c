/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mdev module on tests/data/trees/mdev: names with the parent, type, IOMMU group, lookups by UUID. */
#include "hostdev/mdev.h"
#include "tree-test.h"

#define MTTY_UUID "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"
#define MTTY_NAME "mdev_83b8f4f2_509f_382f_3c1e_e6bfe0fa1001_mtty"
#define GVT_NAME "mdev_4b20d080_1b54_4048_85b3_a6a62d165c01_0000_00_02_0"

static int setup(void **state) {
        *state = tree_open("mdev");
        return 0;
}

static int teardown(void **state) {
        tree_close(*state);
        return 0;
}

static void test_names_and_parents(void **state) {
        struct tree *t = *state;

        /* libvirt 9.0 lists no mtty parent device: the instance hangs off "computer". */
        assert_parent(t, MTTY_NAME, "computer");
        assert_parent(t, GVT_NAME, "pci_0000_00_02_0");
        /* d069d019-... has a bus link and no folder. */
        assert_absent(t, "mdev_d069d019_36ea_4111_8f0a_8c9a70e21366_mtty");
        assert_int_equal(hd_inventory_size(t->inv), 4);
        assert_all_lookups(t);
}

static void test_caps(void **state) {
        struct tree *t = *state;
        struct hd_cap *c = tree_cap(t, MTTY_NAME, HD_CAP_MDEV);

        assert_string_equal(c->mdev.type, "mtty-2");
        assert_string_equal(c->mdev.uuid, MTTY_UUID);
        assert_string_equal(c->mdev.parent_addr, "mtty");
        assert_int_equal(c->mdev.iommu_group, 5);
        assert_true(c->mdev.active);
        assert_int_equal(c->mdev.n_attrs, 0);
        assert_string_equal(tree_get(t, MTTY_NAME)->driver, "mtty");

        c = tree_cap(t, GVT_NAME, HD_CAP_MDEV);
        assert_string_equal(c->mdev.type, "i915-GVTg_V5_4");
        assert_string_equal(c->mdev.parent_addr, "0000:00:02.0");
        assert_int_equal(c->mdev.iommu_group, -1); /* no iommu_group link */
}

static void test_lookup_forms(void **state) {
        struct tree *t = *state;

        assert_parent_spec(t, MTTY_NAME, "computer", MTTY_UUID);
        assert_parent_spec(t, MTTY_NAME, "computer", "83B8F4F2-509F-382F-3C1E-E6BFE0FA1001");
        /* The name libvirt used before 7.7, without the parent. */
        assert_parent_spec(t, MTTY_NAME, "computer", "mdev_83b8f4f2_509f_382f_3c1e_e6bfe0fa1001");
        assert_no_lookup(t, "mdev_83b8f4f2_509f_382f_3c1e_e6bfe0fa1001_0000_00_02_0");
        assert_no_lookup(t, "mdev_83b8f4f2_509f_382f_3c1e_e6bfe0fa1001_");
        assert_no_lookup(t, "d069d019-36ea-4111-8f0a-8c9a70e21366");
        assert_no_lookup(t, "mdev_d069d019_36ea_4111_8f0a_8c9a70e21366");
        assert_no_lookup(t, "83b8f4f2-509f-382f-3c1e-e6bfe0fa100");
        assert_no_lookup(t, "mdev_../../../../../etc/passwd_x");
        assert_no_lookup(t, "83b8f4f2/509f-382f-3c1e-e6bfe0fa1001");
}

/* `hostdev mdev types` on a host with no parent: an empty list (once a NULL vector went to qsort, UBSan's catch). */
static void test_types_without_parents(void **state) {
        struct tree *t = tree_open("bridges");
        struct hd_mdev_parent *list = (void *)1;
        size_t n = 99;

        (void)state;
        assert_int_equal(hd_mdev_parents(t->ctx, NULL, &list, &n), 0);
        assert_int_equal(n, 0);
        hd_mdev_parent_list_free(list, n);
        tree_close(t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names_and_parents),
                cmocka_unit_test(test_caps),
                cmocka_unit_test(test_lookup_forms),
                cmocka_unit_test(test_types_without_parents),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
