/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Claims (libvirt's hook): a domain's devices recorded for their owner with no write to sysfs, refused all or none. */
#include "prepare-test.h"
#include "sysfs/sysfs.h"

static const struct hd_owner lv1 = { "libvirt", "vm1", "11111111-2222-3333-4444-555555555555" };
static const struct hd_owner lv2 = { "libvirt", "vm2", NULL };
static const struct hd_owner other = { "qemu", "other", NULL };

/* What libvirt does to a managed device after its hook claimed it: vfio-pci by driver_override (not counted). */
static void libvirt_binds_vfio(struct vm *v, const char *addr, const char *driver) {
        _cleanup_free_ char *ov = strdupf("/sys/bus/pci/devices/%s/driver_override", addr),
                            *unbind = strdupf("/sys/bus/pci/drivers/%s/unbind", driver);
        unsigned writes = v->writes;

        assert_int_equal(sysfs_write(v->ctx, ov, "vfio-pci"), 0);
        assert_int_equal(sysfs_write(v->ctx, unbind, addr), 0);
        assert_int_equal(sysfs_write(v->ctx, "/sys/bus/pci/drivers_probe", addr), 0);
        assert_driver(v->e, addr, "vfio-pci");
        v->writes = writes;
}

static int claim_xml(struct vm *v, const struct hd_owner *o, const char *xml, unsigned flags) {
        struct hd_domain_def *def = vm_parse(v->ctx, xml);
        int r = hd_manager_claim(v->ctx, o, def, flags);
        hd_domain_def_free(def);
        return r;
}

static int claim_devices(struct vm *v, const struct hd_owner *o, const char *devices, unsigned flags) {
        _cleanup_free_ char *x = vm_domain(o->domain, devices);
        return claim_xml(v, o, x, flags);
}

/* Every device of every kind recorded as libvirt's, claimed, and the host not written at all; unclaim drops them. */
static void test_claim_every_kind(void **state) {
        struct vm *v = *state;
        struct hd_active *a = NULL;
        int r;

        r = claim_xml(v, &lv1, vm_domain_xml, 0);
        if (r < 0)
                fail_msg("claim: %s", hd_context_last_error(v->ctx));
        assert_int_equal(v->writes, 0);
        vm_assert_pristine(v, "claimed");
        /* pci, usb, scsi, two mdevs, and the interface's VF as its PCI function: libvirt sets its MAC itself. */
        assert_int_equal(vm_records(v->ctx), 6);
        assert_int_equal(hd_active_get(v->ctx, "net_vf", VF0, &a), -ENOENT);
        assert_int_equal(hd_active_get(v->ctx, "pci", VF0, &a), 0);
        assert_true(a->claimed);
        assert_string_equal(a->state, "held");
        assert_string_equal(a->owner_driver, "libvirt");
        assert_string_equal(a->owner_domain, "vm1");
        assert_string_equal(a->owner_uuid, lv1.uuid);
        hd_active_free(a);
        assert_int_equal(hd_active_get(v->ctx, "usb", "001:002 0204:6025", &a), 0);
        assert_true(a->claimed);
        hd_active_free(a);
        assert_int_equal(vm_open_ops(v->ctx), 0);

        /* release as well as unclaim writes nothing: libvirt gives the devices back itself, after its hook. */
        libvirt_binds_vfio(v, NIC, "e1000e");
        assert_int_equal(hd_manager_release(v->ctx, &lv1, NULL, HD_MANAGER_ONLY_SCSI), 1);
        assert_int_equal(hd_manager_unclaim(v->ctx, &lv1), 5);
        assert_int_equal(v->writes, 0);
        assert_int_equal(vm_records(v->ctx), 0);
        assert_int_equal(vm_open_ops(v->ctx), 0);
        assert_driver(v->e, NIC, "vfio-pci");
        assert_int_equal(hd_manager_unclaim(v->ctx, &lv1), 0);
}

/* A device that is not on this host is libvirt's to report: the claim records its address all the same. */
static void test_claim_missing_device(void **state) {
        struct vm *v = *state;
        _cleanup_free_ char *st = NULL;

        assert_int_equal(claim_devices(v, &lv1, PCI_XML("0x42", "0x00", "0x0", "yes"), 0), 1);
        st = vm_state(v->ctx, "pci", "0000:42:00.0");
        assert_string_equal(st, "held");
        assert_int_equal(hd_manager_unclaim(v->ctx, &lv1), 1);
        assert_int_equal(vm_records(v->ctx), 0);
}

/* A device another owner holds: refused naming it, and nothing of the domain recorded (all or none). */
static void test_refused_all_or_none(void **state) {
        struct vm *v = *state;
        _cleanup_free_ char *st = NULL, *x = vm_domain("other", PCI_XML("0x01", "0x00", "0x0", "yes"));
        struct hd_domain_def *def = vm_parse(v->ctx, x);

        /* qemu:other prepared it (hostdev run): on vfio-pci, held. */
        assert_int_equal(hd_manager_prepare(v->ctx, &other, def, 0, NULL), 0);
        hd_domain_def_free(def);
        v->writes = 0;
        assert_int_equal(claim_devices(v, &lv1, PCI_XML("0x42", "0x00", "0x0", "yes") PCI_XML("0x01", "0x00", "0x0", "yes"),
                                       0),
                         -EBUSY);
        assert_error_has(v->ctx, "0000:01:00.0 is held by qemu:other");
        assert_error_has(v->ctx, "libvirt:vm1 cannot have it");
        assert_null(vm_state(v->ctx, "pci", "0000:42:00.0"));
        assert_int_equal(vm_records(v->ctx), 1);
        /* --again does not take another owner's device either. */
        assert_int_equal(claim_devices(v, &lv1, PCI_XML("0x01", "0x00", "0x0", "yes"), HD_MANAGER_AGAIN), -EBUSY);
        /* Unclaiming vm1 leaves qemu:other's record alone. */
        assert_int_equal(hd_manager_unclaim(v->ctx, &lv1), 0);
        st = vm_state(v->ctx, "pci", NIC);
        assert_string_equal(st, "held");
        assert_int_equal(v->writes, 0);
        assert_driver(v->e, NIC, "vfio-pci");
}

/* A prepare by another owner refuses what a libvirt VM claimed, naming libvirt:NAME, before it writes. */
static void test_prepare_refuses_claimed(void **state) {
        struct vm *v = *state;
        _cleanup_free_ char *x = vm_domain("vm2", PCI_XML("0x01", "0x00", "0x0", "yes"));
        struct hd_domain_def *def = vm_parse(v->ctx, x);

        assert_int_equal(claim_devices(v, &lv1, PCI_XML("0x01", "0x00", "0x0", "yes"), 0), 1);
        assert_int_equal(hd_manager_prepare(v->ctx, &other, def, 0, NULL), -EBUSY);
        assert_error_has(v->ctx, "libvirt:vm1");
        hd_domain_def_free(def);
        assert_int_equal(v->writes, 0);
        vm_assert_pristine(v, "refused");
}

/* Claiming twice is refused unless --again (a reconnect), which keeps the records as they are. */
static void test_again(void **state) {
        struct vm *v = *state;
        struct hd_active *a = NULL;
        int64_t since;

        assert_int_equal(claim_devices(v, &lv1, PCI_XML("0x01", "0x00", "0x0", "yes"), 0), 1);
        assert_int_equal(hd_active_get(v->ctx, "pci", NIC, &a), 0);
        since = a->updated;
        hd_active_free(a);
        assert_int_equal(claim_devices(v, &lv1, PCI_XML("0x01", "0x00", "0x0", "yes"), 0), -EBUSY);
        assert_error_has(v->ctx, "this owner has it already");
        /* A device the reconnected VM holds and a new one: the new one is recorded, the held one kept. */
        assert_int_equal(claim_devices(v, &lv1, PCI_XML("0x01", "0x00", "0x0", "yes") PCI_XML("0x42", "0x00", "0x0", "no"),
                                       HD_MANAGER_AGAIN),
                         1);
        assert_int_equal(hd_active_get(v->ctx, "pci", NIC, &a), 0);
        assert_int_equal(a->updated, since);
        assert_true(a->claimed);
        hd_active_free(a);
        /* Another libvirt VM is still refused. */
        assert_int_equal(claim_devices(v, &lv2, PCI_XML("0x01", "0x00", "0x0", "yes"), HD_MANAGER_AGAIN), -EBUSY);
        assert_error_has(v->ctx, "held by libvirt:vm1");
        assert_int_equal(hd_manager_unclaim(v->ctx, &lv1), 2);
        assert_int_equal(v->writes, 0);
}

/* A device detached by hand goes to the VM as it is and back to detached after; nothing is written. */
static void test_detached_by_hand(void **state) {
        struct vm *v = *state;
        struct hd_active *a = NULL;
        unsigned before;

        assert_int_equal(hd_pci_detach(v->ctx, NIC, NULL, 0), 0);
        before = v->writes;
        assert_int_equal(claim_devices(v, &lv1, PCI_XML("0x01", "0x00", "0x0", "no"), 0), 1);
        assert_int_equal(hd_active_get(v->ctx, "pci", NIC, &a), 0);
        assert_string_equal(a->state, "held");
        assert_string_equal(a->prev_state, "detached");
        assert_true(a->claimed);
        hd_active_free(a);
        assert_int_equal(hd_manager_unclaim(v->ctx, &lv1), 1);
        assert_int_equal(v->writes, before);
        assert_int_equal(hd_active_get(v->ctx, "pci", NIC, &a), 0);
        assert_string_equal(a->state, "detached");
        assert_null(a->owner_driver);
        assert_false(a->claimed);
        hd_active_free(a);
        assert_driver(v->e, NIC, "vfio-pci");
        assert_int_equal(hd_pci_reattach(v->ctx, NIC, 0), 0);
}

/* A VM without host devices opens no store (none is created); bad input is refused with a reason. */
static void test_no_devices_and_refusals(void **state) {
        struct vm *v = *state;
        _cleanup_free_ char *db = strdupf("%s/hostdev.db", hd_context_get_state_dir(v->ctx));

        assert_int_equal(claim_devices(v, &lv1, "", 0), 0);
        assert_int_equal(access(db, F_OK), -1);
        assert_int_equal(claim_devices(v, &lv1, PCI_XML("0x01", "0x00", "0x0", "yes") PCI_XML("0x01", "0x00", "0x0", "no"),
                                       0),
                         -EINVAL);
        assert_error_has(v->ctx, "in the domain twice");
        assert_int_equal(hd_manager_claim(v->ctx, &lv1, NULL, 0), -EINVAL);
        assert_int_equal(vm_records(v->ctx), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_claim_every_kind, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_claim_missing_device, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_refused_all_or_none, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_prepare_refuses_claimed, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_again, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_detached_by_hand, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_no_devices_and_refusals, vm_setup, vm_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
