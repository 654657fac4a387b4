/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pci module on the hand-made tree tests/data/trees/pci (see its make.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostdev/inventory.h"
#include "inventory/probe.h"

struct fixture {
        struct hd_context *ctx;
        struct hd_inventory *inv;
};

static int setup(void **state) {
        static struct fixture f;
        const char *data = getenv("HOSTDEV_TEST_DATA");
        char root[512], ids[512];

        assert_non_null(data);
        snprintf(root, sizeof(root), "%s/trees/pci", data);
        snprintf(ids, sizeof(ids), "%s/ids", data);
        assert_int_equal(hd_context_new(&f.ctx), 0);
        assert_int_equal(hd_context_set_ids_dir(f.ctx, ids), 0);
        assert_int_equal(hd_context_set_sysroot(f.ctx, root), 0);
        assert_int_equal(hd_inventory_scan(f.ctx, 0, &f.inv), 0);
        *state = &f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        hd_inventory_free(f->inv);
        hd_context_free(f->ctx);
        return 0;
}

static const struct hd_cap_pci *pci(void **state, const char *name) {
        struct fixture *f = *state;
        struct hd_device *d = hd_inventory_find(f->inv, name);
        if (!d)
                fail_msg("no device %s", name);
        assert_int_equal(hd_device_main_cap(d), HD_CAP_PCI);
        return &d->caps->pci;
}

static const struct hd_device *dev(void **state, const char *name) {
        struct fixture *f = *state;
        struct hd_device *d = hd_inventory_find(f->inv, name);
        if (!d)
                fail_msg("no device %s", name);
        return d;
}

static void assert_addr(const struct hd_pci_addr *a, const char *want) {
        char buf[20];
        assert_string_equal(hd_pci_addr_format(a, buf), want);
}

static void assert_link(const struct hd_pcie_link *l, int port, double speed, unsigned width) {
        assert_true(l->present);
        assert_int_equal(l->port, port);
        assert_true(l->speed == speed);
        assert_int_equal(l->width, width);
}

static void test_all_found(void **state) {
        struct fixture *f = *state;
        size_t n = 0;
        for (size_t i = 0; i < hd_inventory_size(f->inv); i++)
                n += hd_device_main_cap(hd_inventory_at(f->inv, i)) == HD_CAP_PCI;
        /* 15 links in bus/pci/devices; 0000:00:05.0 points to no folder. */
        assert_int_equal(n, 14);
        assert_null(hd_inventory_find(f->inv, "pci_0000_00_05_0"));
}

static void test_host_bridge(void **state) {
        const struct hd_device *d = dev(state, "pci_0000_00_00_0");
        const struct hd_cap_pci *p = pci(state, "pci_0000_00_00_0");

        assert_string_equal(d->sysfs_path, "/sys/devices/pci0000:00/0000:00:00.0");
        assert_string_equal(d->parent_name, "computer");
        assert_null(d->driver);
        assert_addr(&p->addr, "0000:00:00.0");
        assert_int_equal(p->class_code, 0x060000);
        assert_int_equal(p->vendor.id, 0x8086);
        assert_string_equal(p->vendor.name, "Intel Corporation");
        assert_int_equal(p->product.id, 0x29c0);
        assert_string_equal(p->product.name, "82G33/G31/P35/P31 Express DRAM Controller");
        assert_int_equal(p->numa_node, -1);
        assert_int_equal(p->bridge, HD_PCI_NOT_BRIDGE);
        /* libvirt: a 4096-byte config space without the Express capability is "<pci-express/>". */
        assert_true(p->is_express);
        assert_false(p->link_cap.present);
        assert_false(p->link_sta.present);
        assert_int_equal(p->iommu_group, 0);
        assert_int_equal(p->n_iommu_members, 1);
        assert_addr(&p->iommu_members[0], "0000:00:00.0");
        assert_false(p->is_sriov_pf);
        assert_false(p->has_phys_function);
}

static void test_root_port(void **state) {
        const struct hd_device *d = dev(state, "pci_0000_00_01_0");
        const struct hd_cap_pci *p = pci(state, "pci_0000_00_01_0");

        assert_string_equal(d->driver, "pcieport");
        assert_int_equal(p->bridge, HD_PCI_BRIDGE);
        assert_int_equal(p->product.id, 0x29c1);
        assert_null(p->product.name); /* not in tests/data/ids/pci.ids */
        assert_string_equal(p->vendor.name, "Intel Corporation");
        assert_int_equal(p->numa_node, 0);
        assert_true(p->is_express);
        assert_link(&p->link_cap, 1, 8, 16);
        assert_link(&p->link_sta, -1, 8, 8);
}

static void test_sriov_pf(void **state) {
        const struct hd_device *d = dev(state, "pci_0000_01_00_0");
        const struct hd_cap_pci *p = pci(state, "pci_0000_01_00_0");

        assert_string_equal(d->parent_name, "pci_0000_00_01_0");
        assert_string_equal(d->driver, "igb");
        assert_string_equal(p->product.name, "I350 Gigabit Network Connection");
        assert_int_equal(p->class_code, 0x020000);
        assert_int_equal(p->numa_node, 1);
        assert_true(p->is_sriov_pf);
        assert_int_equal(p->max_vfs, 4);
        assert_int_equal(p->n_virt_functions, 2);
        assert_addr(&p->virt_functions[0], "0000:01:10.0");
        assert_addr(&p->virt_functions[1], "0000:01:10.4");
        assert_false(p->has_phys_function);
        assert_int_equal(p->bridge, HD_PCI_NOT_BRIDGE); /* header type 0x80: multi-function endpoint */
        assert_link(&p->link_cap, 0, 5, 4);
        assert_link(&p->link_sta, -1, 5, 4);
        assert_int_equal(p->iommu_group, 2);
        assert_int_equal(p->n_iommu_members, 1);
}

static void test_vfs(void **state) {
        const struct hd_cap_pci *vf0 = pci(state, "pci_0000_01_10_0");
        const struct hd_cap_pci *vf1 = pci(state, "pci_0000_01_10_4");

        assert_string_equal(dev(state, "pci_0000_01_10_0")->driver, "igbvf");
        assert_string_equal(dev(state, "pci_0000_01_10_4")->driver, "vfio-pci");
        assert_string_equal(dev(state, "pci_0000_01_10_4")->parent_name, "pci_0000_00_01_0");
        assert_true(vf0->has_phys_function);
        assert_addr(&vf0->phys_function, "0000:01:00.0");
        assert_true(vf1->has_phys_function);
        assert_addr(&vf1->phys_function, "0000:01:00.0");
        assert_false(vf0->is_sriov_pf);
        assert_string_equal(vf0->product.name, "I350 Ethernet Controller Virtual Function");
        /* A VF's link registers are reserved (zero): libvirt prints port 0, width 0. */
        assert_true(vf0->is_express);
        assert_link(&vf0->link_cap, 0, 0, 0);
        assert_int_equal(vf0->iommu_group, 3);
        assert_int_equal(vf1->iommu_group, 4);
}

static void test_integrated_endpoint(void **state) {
        const struct hd_cap_pci *p = pci(state, "pci_0000_00_02_0");

        assert_string_equal(dev(state, "pci_0000_00_02_0")->driver, "e1000e");
        assert_string_equal(p->product.name, "82574L Gigabit Network Connection");
        assert_int_equal(p->numa_node, -1); /* no numa_node file */
        assert_true(p->is_express);
        assert_false(p->link_cap.present); /* root complex integrated endpoint */
        assert_false(p->link_sta.present);
        assert_int_equal(p->iommu_group, 5);
        assert_int_equal(p->n_iommu_members, 1);
        assert_addr(&p->iommu_members[0], "0000:00:02.0");
}

static void test_mdev_parent(void **state) {
        const struct hd_device *d = dev(state, "pci_0000_00_03_0");
        const struct hd_cap_pci *p = pci(state, "pci_0000_00_03_0");

        assert_true(hd_device_has_cap(d, HD_CAP_MDEV_TYPES));
        assert_int_equal(p->n_mdev_types, 2);
        assert_string_equal(p->mdev_types[0].id, "mtty-1");
        assert_string_equal(p->mdev_types[0].name, "Single port serial");
        assert_string_equal(p->mdev_types[0].description, "Single port serial for tests");
        assert_string_equal(p->mdev_types[0].device_api, "vfio-pci");
        assert_int_equal(p->mdev_types[0].available_instances, 24);
        assert_string_equal(p->mdev_types[1].id, "mtty-2");
        assert_string_equal(p->mdev_types[1].name, "Dual port serial");
        assert_int_equal(p->mdev_types[1].available_instances, 12);
        assert_false(p->is_express); /* 256 bytes, no Express capability */
        assert_false(hd_device_has_cap(dev(state, "pci_0000_00_02_0"), HD_CAP_MDEV_TYPES));
}

static void test_orphan_vf(void **state) {
        const struct hd_device *d = dev(state, "pci_0000_00_04_0");
        const struct hd_cap_pci *p = pci(state, "pci_0000_00_04_0");

        assert_null(d->driver);
        assert_false(p->has_phys_function); /* physfn points nowhere */
        assert_false(p->is_express);         /* no config file, no link attributes */
        assert_int_equal(p->iommu_group, 8);
}

static void test_domain_10000(void **state) {
        const struct hd_device *rp = dev(state, "pci_10000_e0_06_0");
        const struct hd_device *nvme = dev(state, "pci_10000_e1_00_0");
        const struct hd_cap_pci *p = pci(state, "pci_10000_e0_06_0");
        const struct hd_cap_pci *n = pci(state, "pci_10000_e1_00_0");

        assert_string_equal(rp->parent_name, "pci_0000_00_0e_0");
        assert_string_equal(nvme->parent_name, "pci_10000_e0_06_0");
        assert_int_equal(p->addr.domain, 0x10000);
        assert_int_equal(p->addr.bus, 0xe0);
        assert_int_equal(p->addr.slot, 6);
        assert_addr(&n->addr, "10000:e1:00.0");
        assert_int_equal(p->bridge, HD_PCI_BRIDGE);
        assert_link(&p->link_cap, 6, 16, 4);
        /* Behind VMD: no IOMMU group of their own. */
        assert_int_equal(p->iommu_group, -1);
        assert_int_equal(n->n_iommu_members, 0);
        assert_string_equal(n->vendor.name, "Samsung Electronics Co Ltd");
        assert_string_equal(n->product.name, "NVMe SSD Controller SM981/PM981/PM983");
        /* 64 readable config bytes: the link comes from the attributes, without a port. */
        assert_true(n->is_express);
        assert_link(&n->link_cap, -1, 16, 4);
        assert_link(&n->link_sta, -1, 8, 4);
        /* SR-IOV capable with no VF enabled is still a PF. */
        assert_true(n->is_sriov_pf);
        assert_int_equal(n->max_vfs, 7);
        assert_int_equal(n->n_virt_functions, 0);
        assert_null(n->virt_functions);
}

static void test_multifunction_group(void **state) {
        const struct hd_cap_pci *p = pci(state, "pci_0000_00_1f_2");

        assert_int_equal(p->class_code, 0x010601);
        assert_int_equal(p->iommu_group, 16);
        assert_int_equal(p->n_iommu_members, 3);
        assert_addr(&p->iommu_members[0], "0000:00:1f.0");
        assert_addr(&p->iommu_members[1], "0000:00:1f.2");
        assert_addr(&p->iommu_members[2], "0000:00:1f.3");
        assert_int_equal(pci(state, "pci_0000_00_1f_0")->bridge, HD_PCI_NOT_BRIDGE); /* ISA bridge: header 0 */
}

static void lookup_one(void **state, const char *spec, const char *name, const char *path,
                       const char *parent) {
        struct fixture *f = *state;
        struct hd_device *d = NULL;

        assert_int_equal(hd_device_lookup(f->ctx, spec, &d), 0);
        assert_string_equal(d->name, name);
        assert_string_equal(d->sysfs_path, path);
        assert_string_equal(d->parent_name, parent);
        assert_null(d->parent);
        assert_int_equal(hd_device_main_cap(d), HD_CAP_PCI);
        hd_device_free(d);
}

static void test_lookup(void **state) {
        struct fixture *f = *state;
        struct hd_device *d = NULL;
        char *path = NULL;
        const char *pf = "/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0";
        const char *nvme = "/sys/devices/pci0000:00/0000:00:0e.0/pci10000:e0/10000:e0:06.0/10000:e1:00.0";

        lookup_one(state, "pci_0000_01_00_0", "pci_0000_01_00_0", pf, "pci_0000_00_01_0");
        lookup_one(state, "0000:01:00.0", "pci_0000_01_00_0", pf, "pci_0000_00_01_0");
        lookup_one(state, "01:00.0", "pci_0000_01_00_0", pf, "pci_0000_00_01_0");
        lookup_one(state, "pci_10000_e1_00_0", "pci_10000_e1_00_0", nvme, "pci_10000_e0_06_0");
        lookup_one(state, "10000:E1:00.0", "pci_10000_e1_00_0", nvme, "pci_10000_e0_06_0");
        lookup_one(state, "00:1f.3", "pci_0000_00_1f_3", "/sys/devices/pci0000:00/0000:00:1f.3", "computer");

        /* The module itself: its forms, and nothing else. */
        assert_int_equal(hd_subsystem_pci.lookup(f->ctx, "0000:00:05.0", &path), -ENOENT); /* dangling */
        assert_int_equal(hd_subsystem_pci.lookup(f->ctx, "0000:09:00.0", &path), -ENOENT);
        assert_int_equal(hd_subsystem_pci.lookup(f->ctx, "pci_0000_09_00_0", &path), -ENOENT);
        assert_int_equal(hd_subsystem_pci.lookup(f->ctx, "eth0", &path), -ENODEV);
        assert_int_equal(hd_subsystem_pci.lookup(f->ctx, "pci_0000_01_00", &path), -ENODEV);
        assert_int_equal(hd_subsystem_pci.lookup(f->ctx, "pci_../../etc", &path), -ENODEV);
        assert_int_equal(hd_subsystem_pci.lookup(f->ctx, "0000:01:20.0", &path), -ENODEV); /* slot > 31 */
        assert_null(path);

        assert_true(hd_device_lookup(f->ctx, "0000:00:05.0", &d) < 0);
        assert_non_null(strstr(hd_context_last_error(f->ctx), "0000:00:05.0"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_all_found),        cmocka_unit_test(test_host_bridge),
                cmocka_unit_test(test_root_port),        cmocka_unit_test(test_sriov_pf),
                cmocka_unit_test(test_vfs),              cmocka_unit_test(test_integrated_endpoint),
                cmocka_unit_test(test_mdev_parent),      cmocka_unit_test(test_orphan_vf),
                cmocka_unit_test(test_domain_10000),     cmocka_unit_test(test_multifunction_group),
                cmocka_unit_test(test_lookup),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
