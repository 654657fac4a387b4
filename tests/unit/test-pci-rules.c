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

struct t {
        struct emu *e;
        struct hd_context *ctx;
};

static int setup(void **state) {
        const char *data = getenv("HOSTDEV_TEST_DATA");
        _cleanup_free_ char *tree = strdupf("%s/trees/bridges", data ? data : "tests/data");
        struct t *t = calloc(1, sizeof(*t));

        assert_int_equal(emu_new(tree, &t->e), 0);
        t->ctx = emu_context(t->e);
        *state = t;
        return 0;
}

static int teardown(void **state) {
        struct t *t = *state;
        hd_context_free(t->ctx);
        emu_free(t->e);
        free(t);
        return 0;
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

static const struct hd_report_item *item(const struct hd_report *r, const char *topic) {
        for (size_t i = 0; i < r->n_items; i++)
                if (streq(r->items[i].topic, topic))
                        return &r->items[i];
        fail_msg("no '%s' item", topic);
        return NULL;
}

static struct hd_report *check(struct t *t, const char *addr) {
        struct hd_report *r = NULL;
        if (hd_pci_check(t->ctx, addr, 0, &r) < 0)
                fail_msg("check %s: %s", addr, hd_context_last_error(t->ctx));
        return r;
}

static void assert_item(const struct hd_report *r, const char *topic, enum hd_report_status want) {
        const struct hd_report_item *it = item(r, topic);
        if (it->status != want)
                fail_msg("%s: %s is '%s' (%s), expected %s", r->subject, topic,
                         hd_report_status_to_string(it->status), it->text, hd_report_status_to_string(want));
}

/* A semi-transparent bridge (header type 1) and a CardBus bridge known by its class only stay with the host. */
static void test_bridges_refused(void **state) {
        struct t *t = *state;
        struct hd_report *r;

        r = check(t, BRIDGE0609);
        assert_item(r, "bridge", HD_REPORT_FAIL);
        assert_false(r->ok);
        hd_report_free(r);
        r = check(t, CARDBUS);
        assert_item(r, "bridge", HD_REPORT_FAIL);
        hd_report_free(r);

        assert_int_equal(hd_pci_detach(t->ctx, BRIDGE0609, NULL, HD_PCI_FORCE), -EINVAL);
        assert_non_null(strstr(hd_context_last_error(t->ctx), "is a PCI bridge"));
        assert_int_equal(hd_pci_detach(t->ctx, CARDBUS, NULL, HD_PCI_FORCE), -EINVAL);
        assert_int_equal(emu_writes(t->e), 0);
        assert_driver(t->e, CARDBUS, "yenta_cardbus");
}

/* A bridge in a group is the path to it, not a user of it, whichever driver it is on. */
static void test_bridges_in_groups(void **state) {
        struct t *t = *state;
        struct hd_iommu_group *g = NULL;
        struct hd_report *r;

        r = check(t, FIREWIRE);
        assert_item(r, "bridge", HD_REPORT_OK);
        assert_item(r, "group", HD_REPORT_OK);
        hd_report_free(r);
        assert_int_equal(hd_iommu_group_get(t->ctx, 3, &g), 0);
        assert_true(g->members[0].is_bridge);
        assert_false(g->members[1].is_bridge);
        assert_non_null(strstr(g->reason, "detach it (hostdev detach 0000:06:00.1)"));
        hd_iommu_group_free(g);

        assert_int_equal(hd_iommu_group_get(t->ctx, 1, &g), 0);
        assert_true(g->members[0].is_bridge);
        hd_iommu_group_free(g);
        r = check(t, E1000);
        assert_item(r, "group", HD_REPORT_OK);
        hd_report_free(r);

        /* The whole group of the FireWire controller goes to vfio-pci; the CardBus bridge stays. */
        assert_int_equal(hd_pci_detach(t->ctx, FIREWIRE, NULL, HD_PCI_GROUP), 0);
        assert_driver(t->e, FIREWIRE, "vfio-pci");
        assert_driver(t->e, CARDBUS, "yenta_cardbus");
        assert_int_equal(hd_pci_reattach(t->ctx, FIREWIRE, 0), 0);
        assert_driver(t->e, FIREWIRE, "firewire_ohci");
}

static struct hd_domain_def *domain(struct t *t, const char *addr, bool managed) {
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

/* A vendor's VFIO driver (mlx5_vfio_pci) leaves its group to VFIO and QEMU opens a device on it. */
static void test_vendor_vfio_driver(void **state) {
        static const struct hd_owner vm1 = { .driver = "qemu", .domain = "vm1" };
        struct t *t = *state;
        struct hd_iommu_group *g = NULL;
        struct hd_domain_def *def;
        struct hd_report *r;

        assert_int_equal(hd_iommu_group_get(t->ctx, 4, &g), 0);
        assert_true(g->viable);
        hd_iommu_group_free(g);

        r = check(t, MLX_FREE);
        assert_item(r, "group", HD_REPORT_OK);
        assert_true(r->ok);
        hd_report_free(r);
        r = check(t, MLX_VFIO);
        assert_item(r, "driver", HD_REPORT_OK);
        assert_non_null(strstr(item(r, "driver")->text, "mlx5_vfio_pci (/dev/vfio/4)"));
        hd_report_free(r);

        /* Taken as it is (managed='no'), left on its driver at release. */
        def = domain(t, MLX_VFIO, false);
        if (hd_manager_prepare(t->ctx, &vm1, def, 0, NULL) < 0)
                fail_msg("prepare: %s", hd_context_last_error(t->ctx));
        assert_int_equal(hd_manager_release(t->ctx, &vm1, NULL, 0), 1);
        assert_driver(t->e, MLX_VFIO, "mlx5_vfio_pci");
        hd_domain_def_free(def);

        /* Its group mate goes to vfio-pci: the group is viable with the variant driver in it. */
        def = domain(t, MLX_FREE, true);
        if (hd_manager_prepare(t->ctx, &vm1, def, 0, NULL) < 0)
                fail_msg("prepare: %s", hd_context_last_error(t->ctx));
        assert_driver(t->e, MLX_FREE, "vfio-pci");
        assert_int_equal(hd_manager_release(t->ctx, &vm1, NULL, 0), 1);
        assert_driver(t->e, MLX_FREE, NULL);
        hd_domain_def_free(def);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bridge_rule),
                cmocka_unit_test(test_driver_rule),
                cmocka_unit_test_setup_teardown(test_bridges_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bridges_in_groups, setup, teardown),
                cmocka_unit_test_setup_teardown(test_vendor_vfio_driver, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
