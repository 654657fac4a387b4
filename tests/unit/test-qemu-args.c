/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu-args against libvirt's own expectations: hand-made domains shaped
 * like libvirt 9's qemuxml2argv test domains, prepared on the emulated VM
 * host, and the options libvirt gives QEMU for them.
 */
#include "prepare-test.h"

#define VM "<domain type='kvm'><name>vm1</name>"
#define OS(machine) "<os><type arch='x86_64' machine='" machine "'>hvm</type></os>"
#define LUN(unit, address)                                                                                        \
        "<hostdev mode='subsystem' type='scsi' managed='yes'><source><adapter name='scsi_host2'/><address bus='0' " \
        "target='0' unit='" unit "'/></source>" address "</hostdev>"
#define GADGET(source_attrs, address)                                                                              \
        "<hostdev mode='subsystem' type='usb'><source" source_attrs "><vendor id='0x0204'/><product id='0x6025'/>"   \
        "</source>" address "</hostdev>"

/* Prepare XML for vm1, then its options (FLAGS) must be WANT exactly ("-device", "...", ...). */
static void expect_args(struct vm *v, const char *xml, unsigned flags, const char *const *want, size_t n_want) {
        struct hd_domain_def *def = vm_parse(v->ctx, xml);
        char **args = NULL;
        size_t n;

        if (hd_manager_prepare(v->ctx, &vm_owner, def, 0, NULL) < 0)
                fail_msg("prepare: %s", hd_context_last_error(v->ctx));
        if (hd_manager_qemu_args(v->ctx, &vm_owner, def, flags, &args) < 0)
                fail_msg("qemu-args: %s", hd_context_last_error(v->ctx));
        n = strv_length(args);
        for (size_t i = 0; i < n || i < n_want; i++)
                if (i >= n || i >= n_want || !streq(args[i], want[i]))
                        fail_msg("argument %zu: got '%s', libvirt gives '%s'", i, i < n ? args[i] : "(none)",
                                 i < n_want ? want[i] : "(none)");
        hd_strv_free(args);
        if (hd_manager_release(v->ctx, &vm_owner, def, 0) < 0)
                fail_msg("release: %s", hd_context_last_error(v->ctx));
        hd_domain_def_free(def);
}
#define EXPECT(v, xml, flags, ...)                                                                                 \
        do {                                                                                                        \
                static const char *const want_[] = { __VA_ARGS__ };                                                 \
                expect_args(v, xml, flags, want_, ELEMENTSOF(want_));                                               \
        } while (0)

/* Prepared fine, but qemu-args refuses with -ERR and a message that has WHAT. */
static void expect_refused(struct vm *v, const char *xml, int err, const char *what) {
        struct hd_domain_def *def = vm_parse(v->ctx, xml);
        char **args = NULL;

        if (hd_manager_prepare(v->ctx, &vm_owner, def, 0, NULL) < 0)
                fail_msg("prepare: %s", hd_context_last_error(v->ctx));
        assert_int_equal(hd_manager_qemu_args(v->ctx, &vm_owner, def, 0, &args), err);
        assert_null(args);
        assert_error_has(v->ctx, what);
        assert_true(hd_manager_release(v->ctx, &vm_owner, def, 0) >= 0);
        hd_domain_def_free(def);
}

/* hostdev-pci-address-unassigned: prepared (detached, held), numbered, but not given to QEMU. */
static void test_unassigned(void **state) {
        struct vm *v = *state;
        const char *xml = VM "<devices>"
                             "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' "
                             "bus='0x01' slot='0x00' function='0x0'/></source><address type='unassigned'/></hostdev>"
                             "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' "
                             "bus='0x03' slot='0x02' function='0x1'/></source></hostdev>"
                             "</devices></domain>";
        struct hd_domain_def *def = vm_parse(v->ctx, xml);

        assert_int_equal(hd_manager_prepare(v->ctx, &vm_owner, def, 0, NULL), 0);
        assert_state(v->ctx, "pci", NIC, "held");
        assert_driver(v->e, NIC, "vfio-pci");
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, def, 0), 2);
        hd_domain_def_free(def);
        EXPECT(v, xml, 0, "-device", "vfio-pci,host=0000:03:02.1,id=hostdev1");
}

/* hostdev-scsi-lsi: no model on a PC is lsilogic, where the unit is the SCSI id and there is no lun=; managed='yes' is ignored. */
static void test_scsi_lsilogic(void **state) {
        EXPECT(*state,
               VM OS("pc") "<devices><controller type='scsi' index='0'/>" LUN("0", "<address type='drive' "
                                                                                  "controller='0' bus='0' target='0' unit='7'/>")
                           "</devices></domain>",
               0, "-device", "lsi,id=scsi0", "-drive", "file=/dev/sg1,if=none,format=raw,id=drive-hostdev0", "-device",
               "scsi-generic,drive=drive-hostdev0,bus=scsi0.0,scsi-id=7,id=hostdev0");
        /* No controller, no machine: libvirt adds lsilogic for a PC too. */
        EXPECT(*state, VM "<devices>" LUN("0", "") "</devices></domain>", 0, "-device", "lsi,id=scsi0", "-drive",
               "file=/dev/sg1,if=none,format=raw,id=drive-hostdev0", "-device",
               "scsi-generic,drive=drive-hostdev0,bus=scsi0.0,scsi-id=0,id=hostdev0");
}

/*
 * hostdev-scsi-autogen-address: on virtio-scsi, channel/scsi-id/lun; a LUN
 * without address takes the first free unit; a controller libvirt adds
 * takes the model of the XML's.
 */
static void test_scsi_virtio(void **state) {
        EXPECT(*state,
               VM OS("q35") "<devices><controller type='scsi' index='0' model='virtio-scsi'/>"
                            LUN("0", "<address type='drive' controller='0' bus='0' target='0' unit='0'/>")
                            LUN("1", "<address type='drive' controller='1' bus='0' target='0' unit='5'/>")
                            "</devices></domain>",
               0, "-device", "virtio-scsi-pci,id=scsi0", "-device", "virtio-scsi-pci,id=scsi1", "-drive",
               "file=/dev/sg1,if=none,format=raw,id=drive-hostdev0", "-device",
               "scsi-generic,drive=drive-hostdev0,bus=scsi0.0,channel=0,scsi-id=0,lun=0,id=hostdev0", "-drive",
               "file=/dev/sg2,if=none,format=raw,id=drive-hostdev1", "-device",
               "scsi-generic,drive=drive-hostdev1,bus=scsi1.0,channel=0,scsi-id=0,lun=5,id=hostdev1");
        /* The second LUN, without address, skips the unit the first one names. */
        EXPECT(*state,
               VM "<devices><controller type='scsi' model='virtio-scsi'><alias name='ua-vscsi'/></controller>"
                  LUN("0", "<address type='drive' controller='0' bus='0' target='0' unit='0'/>") LUN("1", "")
                  "</devices></domain>",
               0, "-device", "virtio-scsi-pci,id=ua-vscsi", "-drive", "file=/dev/sg1,if=none,format=raw,id=drive-hostdev0",
               "-device", "scsi-generic,drive=drive-hostdev0,bus=ua-vscsi.0,channel=0,scsi-id=0,lun=0,id=hostdev0",
               "-drive", "file=/dev/sg2,if=none,format=raw,id=drive-hostdev1", "-device",
               "scsi-generic,drive=drive-hostdev1,bus=ua-vscsi.0,channel=0,scsi-id=0,lun=1,id=hostdev1");
        /* An ARM or RISC-V "virt" board's default is virtio-scsi. */
        EXPECT(*state,
               VM "<os><type arch='aarch64' machine='virt'>hvm</type></os><devices>" LUN("0", "") "</devices></domain>",
               0, "-device", "virtio-scsi-pci,id=scsi0", "-drive", "file=/dev/sg1,if=none,format=raw,id=drive-hostdev0",
               "-device", "scsi-generic,drive=drive-hostdev0,bus=scsi0.0,channel=0,scsi-id=0,lun=0,id=hostdev0");
}

/* net-virtio-teaming-hostdev: the VF names its virtio partner; ids count interfaces first. */
static void test_teaming_and_ids(void **state) {
        EXPECT(*state,
               VM "<devices>"
                  "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x01' "
                  "slot='0x00' function='0x0'/></source><teaming type='transient' persistent='ua-backup0'/>"
                  "<address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/></hostdev>"
                  "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x03' "
                  "slot='0x02' function='0x1'/></source><alias name='ua-vf1'/></hostdev>"
                  "<interface type='hostdev' managed='yes'><source><address type='pci' domain='0x0000' bus='0x03' "
                  "slot='0x02' function='0x0'/></source><teaming type='transient' persistent='ua-backup1'/>"
                  "</interface>"
                  "</devices></domain>",
               0, "-device", "vfio-pci,host=0000:03:02.0,id=hostdev0,failover_pair_id=ua-backup1", "-device",
               "vfio-pci,host=0000:01:00.0,id=hostdev1,failover_pair_id=ua-backup0,addr=0x5", "-device",
               "vfio-pci,host=0000:03:02.1,id=ua-vf1");
}

/* hostdev-usb-address: the guest port and guestReset reach usb-host; the controller is the XML's or the machine's. */
static void test_usb(void **state) {
        EXPECT(*state,
               VM OS("q35") "<devices><controller type='usb' index='0' model='nec-xhci'/>"
                            GADGET(" guestReset='off'", "<address type='usb' bus='0' port='2'/>") "</devices></domain>",
               0, "-device", "nec-usb-xhci,id=usb", "-device",
               "usb-host,hostbus=1,hostaddr=2,id=hostdev0,guest-reset=off,bus=usb.0,port=2");
        EXPECT(*state, VM OS("pc") "<devices>" GADGET(" guestReset='uninitialized'", "") "</devices></domain>", 0,
               "-device", "piix3-usb-uhci,id=usb", "-device",
               "usb-host,hostbus=1,hostaddr=2,id=hostdev0,guest-reset=on,guest-resets-all=off");
        EXPECT(*state,
               VM "<devices><controller type='usb' index='1' model='qemu-xhci'/>"
                  GADGET(" guestReset='on'", "<address type='usb' bus='1' port='1.2'/><boot order='2'/>")
                  "</devices></domain>",
               0, "-device", "qemu-xhci,id=usb1", "-device",
               "usb-host,hostbus=1,hostaddr=2,id=hostdev0,bootindex=2,guest-reset=on,guest-resets-all=on,bus=usb1.0,"
               "port=1.2");
        /* EHCI with its UHCI companion: the companion joins the master's bus. */
        EXPECT(*state,
               VM "<devices><controller type='usb' index='0' model='ich9-ehci1'><address type='pci' domain='0x0000' "
                  "bus='0x00' slot='0x1d' function='0x7'/></controller><controller type='usb' index='0' "
                  "model='ich9-uhci1'><master startport='0'/></controller>" GADGET("", "") "</devices></domain>",
               0, "-device", "ich9-usb-ehci1,id=usb,addr=0x1d.0x7", "-device", "ich9-usb-uhci1,masterbus=usb.0,firstport=0",
               "-device", "usb-host,hostbus=1,hostaddr=2,id=hostdev0");
        /* A command line with its own controllers. */
        EXPECT(*state, VM "<devices>" GADGET("", "<address type='usb' bus='0' port='3'/>") "</devices></domain>",
               HD_QEMU_ARGS_NO_CONTROLLERS, "-device", "usb-host,hostbus=1,hostaddr=2,id=hostdev0,bus=usb.0,port=3");
}

/* What QEMU could not be given is said before it is started. */
static void test_refusals(void **state) {
        struct vm *v = *state;
        expect_refused(v, VM "<devices><controller type='scsi' model='buslogic'/>" LUN("0", "") "</devices></domain>",
                       -EOPNOTSUPP, "<controller type='scsi' model='buslogic'>: QEMU has no such controller");
        expect_refused(v,
                       VM "<devices><controller type='scsi' model='lsilogic'/>"
                          LUN("0", "<address type='drive' controller='0' bus='0' target='1' unit='0'/>") "</devices></domain>",
                       -EINVAL, "a lsilogic controller has one target, its SCSI id is the unit");
        expect_refused(v, VM "<devices><controller type='usb' model='none'/>" GADGET("", "") "</devices></domain>", -EINVAL,
                       "the guest has no USB controller (model='none')");
        expect_refused(v, VM "<os><type arch='s390x' machine='s390-ccw-virtio'>hvm</type></os><devices>" GADGET("", "")
                             "</devices></domain>",
                       -EINVAL, "model='none', the machine's default");
        /* Every controller up to the highest goes on the command line: a sane number of them. */
        expect_refused(v, VM "<devices>" LUN("0", "<address type='drive' controller='64' bus='0' target='0' unit='0'/>")
                             "</devices></domain>",
                       -EINVAL, "controller='64'>: hostdev puts SCSI LUNs on controllers 0 to 63");
        expect_refused(v, VM "<devices>" GADGET("", "<address type='usb' bus='64' port='1'/>") "</devices></domain>",
                       -EINVAL, "bus='64'>: hostdev puts USB devices on buses 0 to 63");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_unassigned, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_scsi_lsilogic, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_scsi_virtio, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_teaming_and_ids, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_usb, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_refusals, vm_setup, vm_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
