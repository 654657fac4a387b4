/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Trees recorded by `hostdev record` from the lab's real kernel (tests/lab): what the kernel
 * showed in each state, as LAB.md describes it, read back through the whole inventory.
 */
#include "tree-test.h"
#include "hostdev/iommu.h"

static struct tree *lab(const char *state) {
        char name[64];
        snprintf(name, sizeof(name), "../recorded/lab-%s", state);
        return tree_open(name);
}

static const struct hd_cap_pci *pci(struct tree *t, const char *name) {
        return &tree_cap(t, name, HD_CAP_PCI)->pci;
}

static void test_base(void **state) {
        struct tree *t = lab("base");
        const struct hd_cap_pci *e1000e = pci(t, "pci_0000_00_02_0"), *nvme = pci(t, "pci_0000_01_00_0");
        struct hd_iommu_group *groups = NULL;
        size_t n = 0, ich9 = 0;

        /* e1000e (8086:10d3) bound to e1000e, alone in its group. */
        assert_int_equal(e1000e->vendor.id, 0x8086);
        assert_int_equal(e1000e->product.id, 0x10d3);
        assert_string_equal(tree_get(t, "pci_0000_00_02_0")->driver, "e1000e");
        assert_int_equal(e1000e->n_iommu_members, 1);
        /* The nvme PF can have 4 VFs and has none yet; it sits behind the root port. */
        assert_true(nvme->is_sriov_pf);
        assert_int_equal(nvme->max_vfs, 4);
        assert_int_equal(nvme->n_virt_functions, 0);
        assert_string_equal(tree_get(t, "pci_0000_01_00_0")->parent_name, "pci_0000_00_04_0");
        /* ICH9's 1f.0, 1f.2 and 1f.3 share one group, which is not viable while 1f.3 has a host driver. */
        assert_int_equal(hd_iommu_groups(t->ctx, &groups, &n), 0);
        assert_int_equal(n, 7); /* LAB.md: "7 IOMMU groups" */
        for (size_t i = 0; i < n; i++)
                if (groups[i].number == pci(t, "pci_0000_00_1f_0")->iommu_group) {
                        ich9 = groups[i].n_members;
                        assert_false(groups[i].viable && tree_get(t, "pci_0000_00_1f_3")->driver);
                }
        assert_int_equal(ich9, 3);
        hd_iommu_groups_free(groups, n);
        /* The gadget before its replug: bus 3, device 2. */
        assert_int_equal(tree_cap(t, "usb_3_1", HD_CAP_USB_DEVICE)->usb_dev.device, 2);
        tree_close(t);
}

static void test_sriov(void **state) {
        struct tree *t = lab("sriov");
        const struct hd_cap_pci *pf = pci(t, "pci_0000_01_00_0"), *vf = pci(t, "pci_0000_01_00_2");
        char a[20];

        assert_int_equal(pf->n_virt_functions, 2);
        assert_string_equal(hd_pci_addr_format(&pf->virt_functions[0], a), "0000:01:00.1");
        assert_string_equal(hd_pci_addr_format(&pf->virt_functions[1], a), "0000:01:00.2");
        assert_true(vf->has_phys_function);
        assert_string_equal(hd_pci_addr_format(&vf->phys_function, a), "0000:01:00.0");
        /* sriov_drivers_autoprobe was 0: the VFs are on no driver. */
        assert_null(tree_get(t, "pci_0000_01_00_1")->driver);
        tree_close(t);
}

static void test_usb_after_replug(void **state) {
        struct tree *t = lab("usb");
        const struct hd_cap_usb_device *u = &tree_cap(t, "usb_3_1", HD_CAP_USB_DEVICE)->usb_dev;
        struct hd_device *d = NULL;

        assert_int_equal(u->vendor.id, 0x0204);
        assert_int_equal(u->product.id, 0x6025);
        assert_int_equal(u->bus, 3);
        assert_int_equal(u->device, 3); /* a new device number after the replug */
        assert_int_equal(hd_device_lookup(t->ctx, "3:3", &d), 0);
        assert_string_equal(d->name, "usb_3_1");
        hd_device_free(d);
        assert_true(hd_device_lookup(t->ctx, "3:2", &d) < 0); /* the old address is gone */
        tree_close(t);
}

static void test_scsi_debug(void **state) {
        struct tree *t = lab("base");
        const char *luns[] = { "scsi_0_0_0_0", "scsi_0_0_0_1", "scsi_0_0_1_0", "scsi_0_0_1_1" };

        assert_int_equal(tree_cap(t, "scsi_host0", HD_CAP_SCSI_HOST)->scsi_host.host, 0);
        assert_string_equal(tree_get(t, "scsi_target0_0_1")->parent_name, "scsi_host0");
        for (size_t i = 0; i < 4; i++) {
                const struct hd_cap_scsi *s = &tree_cap(t, luns[i], HD_CAP_SCSI)->scsi;
                char sg[32];
                assert_int_equal(s->target, i / 2);
                assert_int_equal(s->lun, i % 2);
                assert_string_equal(s->type, "disk");
                snprintf(sg, sizeof(sg), "scsi_generic_sg%zu", i);
                assert_string_equal(tree_get(t, sg)->parent_name, luns[i]);
        }
        tree_close(t);
}

static void test_mdev(void **state) {
        struct tree *t = lab("mdev");
        struct hd_device *m = NULL;

        for (size_t i = 0; i < hd_inventory_size(t->inv); i++)
                if (hd_device_main_cap(hd_inventory_at(t->inv, i)) == HD_CAP_MDEV)
                        m = hd_inventory_at(t->inv, i);
        assert_non_null(m);
        assert_string_equal(m->caps->mdev.type, "mtty-2");
        assert_string_equal(m->caps->mdev.parent_addr, "mtty");
        assert_true(m->caps->mdev.iommu_group >= 0);
        assert_string_equal(m->parent_name, "computer"); /* mtty is no node device, as in libvirt */
        tree_close(t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_base),
                cmocka_unit_test(test_sriov),
                cmocka_unit_test(test_usb_after_replug),
                cmocka_unit_test(test_scsi_debug),
                cmocka_unit_test(test_mdev),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
