/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The drm module on tests/data/trees/drm: card, control and render minors; connectors are left out. */
#include "tree-test.h"

static void test_drm(void **state) {
        struct tree *t = tree_open("drm");

        assert_parent(t, "drm_card0", "pci_0000_00_02_0");
        assert_parent(t, "drm_controlD64", "pci_0000_00_02_0");
        assert_parent(t, "drm_renderD128", "pci_0000_00_02_0");
        assert_int_equal(tree_cap(t, "drm_card0", HD_CAP_DRM)->drm.type, HD_DRM_PRIMARY);
        assert_int_equal(tree_cap(t, "drm_controlD64", HD_CAP_DRM)->drm.type, HD_DRM_CONTROL);
        assert_int_equal(tree_cap(t, "drm_renderD128", HD_CAP_DRM)->drm.type, HD_DRM_RENDER);
        assert_string_equal(tree_get(t, "drm_renderD128")->devnodes[0].path, "/dev/dri/renderD128");
        /* A connector, the class's version file and a vanished minor are no devices. */
        assert_absent(t, "drm_card0_Virtual_1");
        assert_absent(t, "drm_version");
        assert_absent(t, "drm_card9");
        assert_int_equal(hd_inventory_size(t->inv), 5);
        assert_all_lookups(t);
        assert_no_lookup(t, "drm_card0_Virtual_1");
        assert_no_lookup(t, "drm_card0-Virtual-1");
        assert_no_lookup(t, "drm_version");
        assert_no_lookup(t, "drm_card9");
        assert_no_lookup(t, "drm_..");
        assert_no_lookup(t, "drm_../../../etc");
        tree_close(t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_drm),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
