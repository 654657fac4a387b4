/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One rule for bridges and VFIO drivers (pci-rules.h), and every verb following it on tests/data/trees/bridges. */
#include <unistd.h>

#include "emu-test.h"
#include "hostdev/domain.h"
#include "hostdev/iommu.h"
#include "inventory/pci-rules.h"

#define BRIDGE0609 "0000:00:1e.0" /* semi-transparent PCI-to-PCI, header type 1, group 1 */
#define E1000 "0000:05:00.0"      /* behind it, group 1, on e1000 */
#define CARDBUS "0000:06:00.0"    /* class 0x060700, no config, on yenta_cardbus, group 3 */
#define FIREWIRE "0000:06:00.1"   /* firewire_ohci, group 3 */
#define MLX_VFIO "0000:07:00.0"   /* on mlx5_vfio_pci, group 4 */
#define MLX_FREE "0000:07:00.1"   /* on no driver, group 4 */

static int setup(void **state) {
        return emu_test_setup(state, "bridges");
}

static void test_bridge_rule(void **state) {
        (void)state;
        /* Without the header type, the class: PCI-to-PCI, semi-transparent, CardBus. */
        assert_int_equal(pci_bridge_type(-1, 0x060400), HD_PCI_BRIDGE);
        assert_int_equal(pci_bridge_type(-1, 0x060401), HD_PCI_BRIDGE);
        assert_int_equal(pci_bridge_type(-1, 0x060940), HD_PCI_BRIDGE);
        assert_int_equal(pci_bridge_type(-1, 0x060980), HD_PCI_BRIDGE);
        assert_int_equal(pci_bridge_type(-1, 0x060700), HD_PCI_CARDBUS_BRIDGE);
        /* Host, ISA, "other" bridges and endpoints are no bridges a guest is kept from. */
        assert_int_equal(pci_bridge_type(-1, 0x060000), HD_PCI_NOT_BRIDGE);
        assert_int_equal(pci_bridge_type(-1, 0x060100), HD_PCI_NOT_BRIDGE);
        assert_int_equal(pci_bridge_type(-1, 0x068000), HD_PCI_NOT_BRIDGE);
        assert_int_equal(pci_bridge_type(-1, 0x020000), HD_PCI_NOT_BRIDGE);
        assert_int_equal(pci_bridge_type(-1, 0xffffffff), HD_PCI_NOT_BRIDGE);
        /* The header type, when read, is the kernel's test and wins over the class. */
        assert_int_equal(pci_bridge_type(0, 0x060400), HD_PCI_NOT_BRIDGE);
        assert_int_equal(pci_bridge_type(1, 0x020000), HD_PCI_BRIDGE);
        assert_int_equal(pci_bridge_type(0x81, 0x060400), HD_PCI_BRIDGE);
        assert_int_equal(pci_bridge_type(2, 0x060700), HD_PCI_CARDBUS_BRIDGE);
        assert_int_equal(pci_bridge_type(0x80, 0x060100), HD_PCI_NOT_BRIDGE);
}

static void test_driver_rule(void **state) {
        static const char *const vfio[] = { "vfio-pci", "mlx5_vfio_pci", "hisi_acc_vfio_pci", "pds_vfio_pci",
                                            "virtio_vfio_pci", "nvgrace_gpu_vfio_pci", "qat_vfio_pci" };
        static const char *const host[] = { "e1000e", "pciback", "vfio_ccw", "vfio_ap", "vfio_pci_core",
                                            "vfio", "mlx5_core", "vfio-pci-foo" };
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(vfio); i++) {
                if (!pci_driver_is_vfio(vfio[i]) || !pci_driver_is_stub(vfio[i]))
                        fail_msg("%s is a VFIO driver", vfio[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(host); i++) {
                if (pci_driver_is_vfio(host[i]) || pci_driver_is_stub(host[i]))
                        fail_msg("%s is no VFIO PCI driver", host[i]);
        }
        /* pci-stub leaves the group to VFIO, but QEMU cannot open a device on it. */
        assert_true(pci_driver_is_stub("pci-stub"));
        assert_false(pci_driver_is_vfio("pci-stub"));
        assert_false(pci_driver_is_vfio(NULL));
        assert_false(pci_driver_is_stub(NULL));
}

/* Check ADDR: its TOPIC item has status WANT (and says TEXT, unless NULL). Returns the verdict. */
static bool check_item(struct emu_test *t, const char *addr, const char *topic, enum hd_report_status want,
                       const char *text) {
        struct hd_report *r = NULL;
        const struct hd_report_item *it;
        bool ok;

        if (hd_pci_check(t->ctx, addr, 0, &r) < 0)
                fail_msg("check %s: %s", addr, hd_context_last_error(t->ctx));
        it = report_item(r, topic);
        if (it->status != want || (text && !strstr(it->text, text)))
                fail_msg("%s: %s is '%s' (%s), expected %s%s%s", addr, topic, hd_report_status_to_string(it->status),
                         it->text, hd_report_status_to_string(want), text ? " saying " : "", text ? text : "");
        ok = r->ok;
        hd_report_free(r);
        return ok;
}

/* A semi-transparent bridge (header type 1) and a CardBus bridge known by its class only stay with the host. */
static void test_bridges_refused(void **state) {
        struct emu_test *t = *state;

        assert_false(check_item(t, BRIDGE0609, "bridge", HD_REPORT_FAIL, "is a PCI bridge"));
        assert_false(check_item(t, CARDBUS, "bridge", HD_REPORT_FAIL, NULL));

        assert_int_equal(hd_pci_detach(t->ctx, BRIDGE0609, NULL, HD_PCI_FORCE), -EINVAL);
        assert_non_null(strstr(hd_context_last_error(t->ctx), "is a PCI bridge"));
        assert_int_equal(hd_pci_detach(t->ctx, CARDBUS, NULL, HD_PCI_FORCE), -EINVAL);
        assert_int_equal(emu_writes(t->e), 0);
        assert_driver(t->e, CARDBUS, "yenta_cardbus");
}

/* A bridge in a group is the path to it, not a user of it, whichever driver it is on. */
static void test_bridges_in_groups(void **state) {
        struct emu_test *t = *state;
        struct hd_iommu_group *g = NULL;

        check_item(t, FIREWIRE, "bridge", HD_REPORT_OK, NULL);
        check_item(t, FIREWIRE, "group", HD_REPORT_OK, "viable once 0000:06:00.1 itself is detached");
        assert_int_equal(hd_iommu_group_get(t->ctx, 3, &g), 0);
        assert_true(g->members[0].is_bridge);
        assert_false(g->members[1].is_bridge);
        assert_non_null(strstr(g->reason, "detach it (hostdev detach 0000:06:00.1)"));
        hd_iommu_group_free(g);

        assert_int_equal(hd_iommu_group_get(t->ctx, 1, &g), 0);
        assert_true(g->members[0].is_bridge);
        hd_iommu_group_free(g);
        check_item(t, E1000, "group", HD_REPORT_OK, NULL);

        /* The whole group of the FireWire controller goes to vfio-pci; the CardBus bridge stays. */
        assert_int_equal(hd_pci_detach(t->ctx, FIREWIRE, NULL, HD_PCI_GROUP), 0);
        assert_driver(t->e, FIREWIRE, "vfio-pci");
        assert_driver(t->e, CARDBUS, "yenta_cardbus");
        assert_int_equal(hd_pci_reattach(t->ctx, FIREWIRE, 0), 0);
        assert_driver(t->e, FIREWIRE, "firewire_ohci");
}

static struct hd_domain_def *domain(struct emu_test *t, const char *addr, bool managed) {
        struct hd_domain_def *def = NULL;
        unsigned bus, slot, fn;
        _cleanup_free_ char *xml = NULL;

        assert_int_equal(sscanf(addr, "0000:%x:%x.%x", &bus, &slot, &fn), 3);
        xml = strdupf("<domain><name>vm1</name><devices><hostdev mode='subsystem' type='pci' managed='%s'>"
                      "<source><address domain='0' bus='%u' slot='%u' function='%u'/></source></hostdev>"
                      "</devices></domain>",
                      managed ? "yes" : "no", bus, slot, fn);
        if (hd_domain_parse(t->ctx, xml, strlen(xml), NULL, &def) < 0)
                fail_msg("%s", hd_context_last_error(t->ctx));
        return def;
}

/* ADDR for vm1 (MANAGED): on DURING while it holds it, on AFTER once released. */
static void prepare_and_release(struct emu_test *t, const char *addr, bool managed, const char *during,
                                const char *after) {
        static const struct hd_owner vm1 = { .driver = "qemu", .domain = "vm1" };
        struct hd_domain_def *def = domain(t, addr, managed);

        if (hd_manager_prepare(t->ctx, &vm1, def, 0, NULL) < 0)
                fail_msg("prepare %s: %s", addr, hd_context_last_error(t->ctx));
        assert_driver(t->e, addr, during);
        assert_int_equal(hd_manager_release(t->ctx, &vm1, NULL, 0), 1);
        assert_driver(t->e, addr, after);
        hd_domain_def_free(def);
}

/* A vendor's VFIO driver (mlx5_vfio_pci) leaves its group to VFIO and QEMU opens a device on it. */
static void test_vendor_vfio_driver(void **state) {
        struct emu_test *t = *state;
        struct hd_iommu_group *g = NULL;

        assert_int_equal(hd_iommu_group_get(t->ctx, 4, &g), 0);
        assert_true(g->viable);
        hd_iommu_group_free(g);

        assert_true(check_item(t, MLX_FREE, "group", HD_REPORT_OK, NULL));
        check_item(t, MLX_VFIO, "driver", HD_REPORT_OK, "on mlx5_vfio_pci (/dev/vfio/4)");

        /* Taken as it is (managed='no'), left on its driver at release. */
        prepare_and_release(t, MLX_VFIO, false, "mlx5_vfio_pci", "mlx5_vfio_pci");
        /* Its group mate goes to vfio-pci: the group is viable with the variant driver in it. */
        prepare_and_release(t, MLX_FREE, true, "vfio-pci", NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bridge_rule),
                cmocka_unit_test(test_driver_rule),
                cmocka_unit_test_setup_teardown(test_bridges_refused, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_bridges_in_groups, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_vendor_vfio_driver, setup, emu_test_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
