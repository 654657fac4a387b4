/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Prepare and release a domain with every kind of device on the emulated VM host: round trips, refusals, races. */
#include <sys/stat.h>
#include <sys/wait.h>

#include "prepare-test.h"
#include "sysfs/sysfs.h"

static const struct hd_owner vm2 = { "qemu", "vm2", NULL };

/* Prepare XML for OWNER: 0 or the error, the model freed. */
static int prep(struct vm *v, const struct hd_owner *o, const char *xml, char ***skipped) {
        struct hd_domain_def *def = vm_parse(v->ctx, xml);
        int r = hd_manager_prepare(v->ctx, o, def, 0, skipped);
        hd_domain_def_free(def);
        return r;
}

static int prep_devices(struct vm *v, const struct hd_owner *o, const char *devices) {
        _cleanup_free_ char *x = vm_domain(o->domain, devices);
        return prep(v, o, x, NULL);
}

static void must_prep(struct vm *v, const struct hd_owner *o, const char *devices) {
        if (prep_devices(v, o, devices) < 0)
                fail_msg("prepare for %s: %s", o->domain, hd_context_last_error(v->ctx));
}

/* Nothing recorded, nothing open, the host as it was. */
static void assert_untouched(struct vm *v, const char *when) {
        vm_assert_pristine(v, when);
        if (vm_records(v->ctx) != 0)
                fail_msg("%s: %zu records left", when, vm_records(v->ctx));
        if (vm_open_ops(v->ctx) > 0)
                fail_msg("%s: operations left open", when);
}

static void test_round_trip(void **state) {
        struct vm *v = *state;
        struct hd_domain_def *def = vm_parse(v->ctx, vm_domain_xml);
        struct hd_active *a = NULL;
        char **skipped = NULL, **args = NULL;

        vm_assert_pristine(v, "before");
        if (hd_manager_prepare(v->ctx, &vm_owner, def, 0, &skipped) < 0)
                fail_msg("prepare: %s", hd_context_last_error(v->ctx));
        assert_null(skipped);
        vm_assert_prepared(v, v->ctx, "prepared");

        /* What the records say: drivers to give back, the VF's settings, the nodes. */
        assert_int_equal(hd_active_get(v->ctx, "pci", NIC, &a), 0);
        assert_string_equal(a->orig_driver, "e1000e");
        assert_string_equal(a->stub_driver, "vfio-pci");
        assert_string_equal(a->owner_domain, "vm1");
        assert_string_equal(a->owner_uuid, "11111111-2222-3333-4444-555555555555");
        assert_string_equal(a->node, "/dev/vfio/2");
        assert_true(a->unbind_from_stub && a->managed);
        assert_null(a->prev_state);
        hd_active_free(a);
        assert_int_equal(hd_active_get(v->ctx, "net_vf", VF0, &a), 0);
        assert_string_equal(a->vf_mac, "02:00:00:00:03:00");
        assert_string_equal(a->vf_vlan, "0");
        hd_active_free(a);
        assert_int_equal(hd_active_get(v->ctx, "mdev", MDEV_DEF, &a), 0);
        assert_true(a->mdev_started);
        hd_active_free(a);
        assert_int_equal(hd_active_get(v->ctx, "mdev", MDEV_ON, &a), 0);
        assert_false(a->mdev_started);
        hd_active_free(a);
        assert_int_equal(hd_active_get(v->ctx, "scsi", "2:0:0:0", &a), 0);
        assert_string_equal(a->node, "/dev/sg1");
        assert_true(a->readonly);
        hd_active_free(a);
        assert_true(emu_exists(v->e, "dev/vfio/2"));

        /*
         * The QEMU options as libvirt gives them: the controllers it adds for a
         * q35 guest (qemu-xhci, lsilogic), then the interface's VF and the
         * <hostdev>s, ids numbered interfaces first.
         */
        assert_int_equal(hd_manager_qemu_args(v->ctx, &vm_owner, def, 0, &args), 0);
        {
                static const char *const want[] = {
                        "-device", "qemu-xhci,id=usb",
                        "-device", "lsi,id=scsi0",
                        "-device", "vfio-pci,host=0000:03:02.0,id=hostdev0",
                        "-device", "vfio-pci,host=0000:01:00.0,id=hostdev1,bootindex=1",
                        "-device", "usb-host,hostbus=1,hostaddr=2,id=hostdev2",
                        "-drive", "file=/dev/sg1,if=none,format=raw,id=drive-hostdev3,readonly=on",
                        "-device", "scsi-generic,drive=drive-hostdev3,bus=scsi0.0,scsi-id=0,id=hostdev3",
                        "-device", "vfio-pci,sysfsdev=/sys/bus/mdev/devices/" MDEV_ON ",id=hostdev4",
                        "-device", "vfio-pci,sysfsdev=/sys/bus/mdev/devices/" MDEV_DEF ",id=hostdev5",
                };
                assert_int_equal(strv_length(args), sizeof(want) / sizeof(want[0]));
                for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
                        assert_string_equal(args[i], want[i]);
        }
        hd_strv_free(args);
        /* Someone else's view: not theirs. */
        assert_int_equal(hd_manager_qemu_args(v->ctx, &vm2, def, 0, &args), -ENOENT);
        assert_error_has(v->ctx, "is not prepared for qemu:vm2");

        if (hd_manager_release(v->ctx, &vm_owner, def, 0) < 0)
                fail_msg("release: %s", hd_context_last_error(v->ctx));
        assert_untouched(v, "released");
        assert_false(emu_exists(v->e, "dev/vfio/2"));
        assert_int_equal(hd_manager_qemu_args(v->ctx, NULL, def, 0, &args), -ENOENT);
        assert_error_has(v->ctx, "0000:03:02.0 is not prepared"); /* the interface first, as libvirt */
        /* Released twice: nothing held, nothing done. */
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, def, 0), 0);
        hd_domain_def_free(def);
}

static void test_release_everything(void **state) {
        struct vm *v = *state;
        assert_int_equal(prep(v, &vm_owner, vm_domain_xml, NULL), 0);
        /* Without a domain: all the owner holds, newest first. */
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 7);
        assert_untouched(v, "released without XML");
}

static void test_per_kind(void **state) {
        struct vm *v = *state;
        struct hd_domain_def *def = vm_parse(v->ctx, vm_domain_xml);

        assert_int_equal(hd_manager_prepare(v->ctx, &vm_owner, def, HD_MANAGER_ONLY_USB | HD_MANAGER_ONLY_SCSI, NULL), 0);
        assert_int_equal(vm_records(v->ctx), 2);
        assert_driver(v->e, NIC, "e1000e");
        assert_int_equal(hd_manager_prepare(v->ctx, &vm_owner, def, HD_MANAGER_ONLY_NET_VF, NULL), 0);
        assert_int_equal(vm_records(v->ctx), 4);
        assert_driver(v->e, VF0, "vfio-pci");
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, def, HD_MANAGER_ONLY_SCSI), 1);
        assert_int_equal(vm_records(v->ctx), 3);
        /* Without the XML, the interface's VF goes whole with HD_MANAGER_ONLY_NET_VF, and not with ONLY_PCI. */
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, HD_MANAGER_ONLY_PCI), 0);
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, HD_MANAGER_ONLY_NET_VF), 2);
        assert_driver(v->e, VF0, "iavf");
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 1);
        assert_untouched(v, "per kind");
        hd_domain_def_free(def);
}

/* A failure at every write of the prepare (EIO, then EBUSY): each time every earlier step is undone. */
static void test_fail_every_write(void **state) {
        struct vm *v = *state;
        unsigned total;
        int errs[] = { EIO, EBUSY };

        v->writes = 0;
        assert_int_equal(prep(v, &vm_owner, vm_domain_xml, NULL), 0);
        total = v->writes;
        assert_true(total >= 8);
        assert_true(hd_manager_release(v->ctx, &vm_owner, NULL, 0) > 0);
        for (size_t e = 0; e < 2; e++)
                for (unsigned n = 1; n <= total; n++) {
                        char when[64];
                        snprintf(when, sizeof(when), "write %u of %u failing with %s", n, total, strerror(errs[e]));
                        v->writes = 0;
                        v->fail_at = n;
                        v->fail_err = errs[e];
                        if (prep(v, &vm_owner, vm_domain_xml, NULL) == 0)
                                fail_msg("%s: prepare succeeded", when);
                        v->fail_at = 0;
                        if (!strstr(hd_context_last_error(v->ctx), strerror(errs[e])) &&
                            !strstr(hd_context_last_error(v->ctx), "did not bind"))
                                fail_msg("%s: message '%s' does not say why", when, hd_context_last_error(v->ctx));
                        assert_untouched(v, when);
                }
        /* And then it works. */
        assert_int_equal(prep(v, &vm_owner, vm_domain_xml, NULL), 0);
        vm_assert_prepared(v, v->ctx, "after the failures");
}

static void test_ebusy_names_the_kernel(void **state) {
        struct vm *v = *state;
        /* The VF's unbind fails: the NIC, the mdev started before it go back. */
        emu_fail_path(v->e, "/sys/bus/pci/drivers/iavf/unbind", EBUSY, 1);
        assert_int_equal(prep(v, &vm_owner, vm_domain_xml, NULL), -EBUSY);
        assert_error_has(v->ctx, "0000:03:02.0: cannot unbind it from iavf: the kernel said: Device or resource busy");
        assert_error_has(v->ctx, "the devices taken before it are back as they were");
        assert_untouched(v, "after EBUSY");
}

static void test_second_owner(void **state) {
        struct vm *v = *state;
        must_prep(v, &vm_owner, PCI_XML("0x01", "0x00", "0x0", "yes"));
        /* vm2 wants the gadget (free) and the NIC (vm1's): nothing, and vm1 named. */
        assert_int_equal(prep_devices(v, &vm2,
                                      "<hostdev mode='subsystem' type='usb'><source><vendor id='0x0204'/>"
                                      "<product id='0x6025'/></source></hostdev>" PCI_XML("0x01", "0x00", "0x0", "yes")),
                         -EBUSY);
        assert_error_has(v->ctx, "0000:01:00.0 is held by qemu:vm1 (11111111-2222-3333-4444-555555555555) since");
        assert_int_equal(vm_records(v->ctx), 1);
        /* vm1 again: its own. */
        assert_int_equal(prep_devices(v, &vm_owner, PCI_XML("0x01", "0x00", "0x0", "yes")), -EBUSY);
        assert_error_has(v->ctx, "this owner has it already");
        /* vm2 cannot release what vm1 holds. */
        assert_int_equal(hd_manager_release(v->ctx, &vm2, NULL, 0), 0);
        assert_driver(v->e, NIC, "vfio-pci");
        assert_true(hd_manager_release(v->ctx, &vm_owner, NULL, 0) == 1);
        assert_untouched(v, "second owner");
}

static void test_usb(void **state) {
        struct vm *v = *state;
        char **skipped = NULL;
        _cleanup_free_ char *opt = vm_domain("vm1", "<hostdev mode='subsystem' type='usb'><source startupPolicy='optional'>"
                                                     "<vendor id='0x1234'/><product id='0x5678'/></source></hostdev>"
                                                     PCI_XML("0x01", "0x00", "0x0", "yes"));
        struct hd_domain_def *def;
        char **args = NULL;

        /* Two alike: an error that lists both. */
        assert_int_equal(prep_devices(v, &vm_owner, "<hostdev mode='subsystem' type='usb'><source><vendor id='0x046d'/>"
                                                    "<product id='0xc52b'/></source></hostdev>"),
                         -ENOTUNIQ);
        assert_error_has(v->ctx, "2 USB devices are 046d:c52b: bus 1 device 3 (1-2), bus 1 device 4 (1-3); add <address");
        /* Picked by address. */
        must_prep(v, &vm_owner, "<hostdev mode='subsystem' type='usb'><source><vendor id='0x046d'/><product id='0xc52b'/>"
                                "<address bus='1' device='4'/></source></hostdev>");
        assert_state(v->ctx, "usb", "001:004 046d:c52b", "held");
        /* By bus/device alone. */
        must_prep(v, &vm2, "<hostdev mode='subsystem' type='usb'><source><address bus='1' device='3'/></source></hostdev>");
        assert_state(v->ctx, "usb", "001:003 046d:c52b", "held");
        /* Missing and mandatory. */
        assert_int_equal(prep_devices(v, &vm_owner, "<hostdev mode='subsystem' type='usb'><source><vendor id='0x1234'/>"
                                                    "<product id='0x5678'/></source></hostdev>"),
                         -ENODEV);
        assert_error_has(v->ctx, "no USB device 1234:5678 on this host");
        assert_true(hd_manager_release(v->ctx, &vm_owner, NULL, 0) == 1);
        assert_true(hd_manager_release(v->ctx, &vm2, NULL, 0) == 1);

        /* Missing and optional: left out, said, and the rest prepared. */
        assert_int_equal(prep(v, &vm_owner, opt, &skipped), 0);
        assert_non_null(skipped);
        assert_string_equal(skipped[0], "USB device 1234:5678 is not plugged in; left out (startupPolicy='optional')");
        assert_null(skipped[1]);
        hd_strv_free(skipped);
        assert_int_equal(vm_records(v->ctx), 1);
        def = vm_parse(v->ctx, opt);
        assert_int_equal(hd_manager_qemu_args(v->ctx, &vm_owner, def, HD_QEMU_ARGS_NO_CONTROLLERS, &args), 0);
        assert_int_equal(strv_length(args), 2); /* the NIC alone */
        hd_strv_free(args);
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, def, 0), 1);
        hd_domain_def_free(def);
        assert_untouched(v, "usb");
}

/* Replugged, the gadget has a new address: found there, and released by vendor/product. */
static void test_usb_moved(void **state) {
        struct vm *v = *state;
        _cleanup_free_ char *p = strdupf("%s/sys/bus/usb/devices/1-1/devnum", emu_root(v->e));
        FILE *f = fopen(p, "we");
        assert_non_null(f);
        fputs("9\n", f);
        fclose(f);
        must_prep(v, &vm_owner, "<hostdev mode='subsystem' type='usb'><source><vendor id='0x0204'/><product id='0x6025'/>"
                                "</source></hostdev>");
        assert_state(v->ctx, "usb", "001:009 0204:6025", "held");
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 1);
}

static void test_scsi(void **state) {
        struct vm *v = *state;
        const char *shared = "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host2'/>"
                             "<address bus='0' target='0' unit='1'/></source><shareable/></hostdev>";
        const char *plain = "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host2'/>"
                            "<address bus='0' target='0' unit='1'/></source></hostdev>";
        const struct hd_owner vm3 = { "qemu", "vm3", NULL };
        struct hd_active *a = NULL;

        /* Shared by two owners who both say so. */
        must_prep(v, &vm_owner, shared);
        must_prep(v, &vm2, shared);
        assert_int_equal(hd_active_get(v->ctx, "scsi", "2:0:0:1", &a), 0);
        assert_true(a->shareable);
        assert_non_null(a->sharers);
        assert_string_equal(a->sharers[0], "qemu:vm1");
        assert_string_equal(a->sharers[1], "qemu:vm2");
        assert_null(a->sharers[2]);
        assert_string_equal(a->node, "/dev/sg2");
        hd_active_free(a);
        /* A third that does not say <shareable/> is refused. */
        assert_int_equal(prep_devices(v, &vm3, plain), -EBUSY);
        assert_error_has(v->ctx, "SCSI LUN 2:0:0:1 (/dev/sg2) is held by qemu:vm1");
        assert_error_has(v->ctx, "shared (<shareable/>) with 2 owners; another guest may only have it with <shareable/> too");
        /* The first owner leaves: the second holds it alone. */
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 1);
        assert_int_equal(hd_active_get(v->ctx, "scsi", "2:0:0:1", &a), 0);
        assert_string_equal(a->owner_domain, "vm2");
        assert_string_equal(a->sharers[0], "qemu:vm2");
        assert_null(a->sharers[1]);
        hd_active_free(a);
        assert_int_equal(hd_manager_release(v->ctx, &vm2, NULL, 0), 1);
        assert_int_equal(vm_records(v->ctx), 0);

        /* Not shareable: one owner only, whatever the second says. */
        must_prep(v, &vm_owner, plain);
        assert_int_equal(prep_devices(v, &vm2, shared), -EBUSY);
        assert_error_has(v->ctx, "not shareable; it can be shared only when every guest says <shareable/>");
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 1);

        /* The root disk's LUN, an unknown LUN, iSCSI. */
        assert_int_equal(prep_devices(v, &vm_owner, "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host0'/>"
                                                    "<address bus='0' target='0' unit='0'/></source></hostdev>"),
                         -EBUSY);
        assert_error_has(v->ctx, "SCSI LUN 0:0:0:0 is needed by the host: it backs the filesystem mounted on /");
        assert_int_equal(prep_devices(v, &vm_owner, "<hostdev mode='subsystem' type='scsi'><source><adapter name='scsi_host2'/>"
                                                    "<address bus='0' target='0' unit='7'/></source></hostdev>"),
                         -ENODEV);
        assert_error_has(v->ctx, "no SCSI LUN 2:0:0:7 (adapter scsi_host2, bus 0, target 0, unit 7)");
        assert_int_equal(prep_devices(v, &vm_owner, "<hostdev mode='subsystem' type='scsi'><source protocol='iscsi' "
                                                    "name='iqn.2014-08.com.example:t/1'><host name='example.com'/></source>"
                                                    "</hostdev>"),
                         -EOPNOTSUPP);
        assert_error_has(v->ctx, "iSCSI LUN iqn.2014-08.com.example:t/1: QEMU opens iSCSI targets itself");
        assert_untouched(v, "scsi");
        /* managed='yes' (libvirt's own test domains have it): libvirt ignores it for SCSI, and so does hostdev. */
        must_prep(v, &vm_owner, "<hostdev mode='subsystem' type='scsi' managed='yes'><source>"
                                "<adapter name='scsi_host2'/><address bus='0' target='0' unit='0'/></source></hostdev>");
        assert_state(v->ctx, "scsi", "2:0:0:0", "held");
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 1);
        assert_untouched(v, "scsi managed");
}

static void test_mdev(void **state) {
        struct vm *v = *state;
        /* The device API must be the model's, the address fit the API. */
        assert_int_equal(prep_devices(v, &vm_owner, "<hostdev mode='subsystem' type='mdev' model='vfio-ccw'><source>"
                                                    "<address uuid='" MDEV_ON "'/></source></hostdev>"),
                         -EINVAL);
        assert_error_has(v->ctx, "offers the device API 'vfio-pci', but the domain says model='vfio-ccw'");
        assert_int_equal(prep_devices(v, &vm_owner, "<hostdev mode='subsystem' type='mdev' model='vfio-pci'><source>"
                                                    "<address uuid='00000000-1111-2222-3333-444444444444'/></source></hostdev>"),
                         -ENODEV);
        assert_error_has(v->ctx, "no mediated device 00000000-1111-2222-3333-444444444444: it is neither running nor defined");
        assert_false(vm_mdev_running(v, MDEV_DEF));
        /* A defined one is started, and stopped at release; a running one keeps running. */
        must_prep(v, &vm_owner, "<hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='" MDEV_DEF
                                "'/></source><address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>"
                                "</hostdev><hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='"
                                MDEV_ON "'/></source></hostdev>");
        assert_true(vm_mdev_running(v, MDEV_DEF));
        assert_int_equal(prep_devices(v, &vm2, "<hostdev mode='subsystem' type='mdev' model='vfio-pci'><source>"
                                               "<address uuid='" MDEV_ON "'/></source></hostdev>"),
                         -EBUSY);
        assert_error_has(v->ctx, "mediated device " MDEV_ON " is held by qemu:vm1");
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 2);
        assert_false(vm_mdev_running(v, MDEV_DEF));
        assert_true(vm_mdev_running(v, MDEV_ON));
        assert_untouched(v, "mdev");
}

static void test_refusals(void **state) {
        struct vm *v = *state;
        static const struct {
                const char *devices, *message;
                int err;
        } cases[] = {
                { "<hostdev mode='capabilities' type='storage'><source><block>/dev/sdf1</block></source></hostdev>",
                  "line 1: <hostdev mode='capabilities' type='storage'> is not for virtual machines", -EOPNOTSUPP },
                { "<interface type='hostdev' managed='yes'><source><address type='pci' domain='0x0000' bus='0x03' "
                  "slot='0x02' function='0x1'/></source><virtualport type='802.1Qbh'><parameters profileid='x'/>"
                  "</virtualport></interface>",
                  "0000:03:02.1: <virtualport type='802.1Qbh'> is not supported", -EOPNOTSUPP },
                { "<interface type='hostdev' managed='yes'><source><address type='pci' domain='0x0000' bus='0x03' "
                  "slot='0x02' function='0x1'/></source><virtualport type='802.1Qbg'><parameters managerid='1' "
                  "typeid='2' typeidversion='3'/></virtualport></interface>",
                  "<virtualport type='802.1Qbg'> is not supported", -EOPNOTSUPP },
                { "<interface type='hostdev' managed='yes'><source><address type='pci' domain='0x0000' bus='0x01' "
                  "slot='0x00' function='0x0'/></source></interface>",
                  "0000:01:00.0 is not an SR-IOV virtual function", -ENODEV },
                { "<interface type='hostdev' managed='yes'><source><address type='pci' domain='0x0000' bus='0x03' "
                  "slot='0x02' function='0x1'/></source><vlan trunk='yes'><tag id='1'/><tag id='2'/></vlan></interface>",
                  "a VF takes one VLAN tag", -EOPNOTSUPP },
                { PCI_XML("0x09", "0x00", "0x0", "yes"), "no PCI device 0000:09:00.0 on this host", -ENODEV },
                { PCI_XML("0x00", "0x01", "0x0", "yes"), "0000:00:01.0 is a PCI bridge", -EINVAL },
                { PCI_XML("0x00", "0x1f", "0x2", "yes"), "0000:00:1f.2 is needed by the host: it backs the filesystem "
                                                         "mounted on /", -EBUSY },
                { PCI_XML("0x01", "0x00", "0x0", "no"), "0000:01:00.0 is not detached: it is on e1000e and managed='no'",
                  -EINVAL },
                { PCI_XML("0x01", "0x00", "0x0", "yes") "<interface type='hostdev' managed='yes'><source><address "
                  "type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source></interface>",
                  "0000:01:00.0 is not an SR-IOV virtual function", -ENODEV },
                { PCI_XML("0x01", "0x00", "0x0", "yes") PCI_XML("0x01", "0x00", "0x0", "yes"),
                  "0000:01:00.0 is in the domain twice", -EINVAL },
                { "<hostdev mode='subsystem' type='pci' managed='yes'><driver name='kvm'/><source><address "
                  "domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source></hostdev>",
                  "legacy KVM device assignment", -EOPNOTSUPP },
                /* The ICH9 group: its other endpoints are on host drivers. */
                { PCI_XML("0x00", "0x1f", "0x3", "yes"), "IOMMU group 7 of 0000:00:1f.3 is not viable: 0000:00:1f.0 "
                                                         "(on lpc_ich, a host driver), 0000:00:1f.2 (on ahci, and needed by the "
                                                         "host: it backs the filesystem mounted on / (/dev/sda1))",
                  -EBUSY },
                /* Half of the igb pair. */
                { PCI_XML("0x02", "0x00", "0x0", "yes"), "IOMMU group 5 of 0000:02:00.0 is not viable: 0000:02:00.1 (on "
                                                         "igb, a host driver)", -EBUSY },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                _cleanup_free_ char *x = vm_domain("vm1", cases[i].devices);
                int r = prep(v, &vm_owner, x, NULL);
                if (r != cases[i].err)
                        fail_msg("case %zu: %d (%s), expected %d", i, r, hd_context_last_error(v->ctx), cases[i].err);
                assert_error_has(v->ctx, cases[i].message);
                assert_untouched(v, cases[i].message);
        }
        /* Bad owners. */
        {
                const struct hd_owner bad[] = { { "", "vm1", NULL }, { "qemu", "", NULL }, { "qe mu", "vm1", NULL },
                                                { "qemu", "vm\n1", NULL }, { "qemu", "vm1", "not-a-uuid" } };
                for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                        assert_int_equal(prep(v, &bad[i], vm_domain_xml, NULL), -EINVAL);
                assert_int_equal(hd_manager_release(v->ctx, &bad[0], NULL, 0), -EINVAL);
        }
}

/* The whole igb group in one domain is viable; split between two guests it is not. */
static void test_group(void **state) {
        struct vm *v = *state;
        must_prep(v, &vm_owner, PCI_XML("0x02", "0x00", "0x0", "yes") PCI_XML("0x02", "0x00", "0x1", "yes"));
        assert_driver(v->e, IGB0, "vfio-pci");
        assert_driver(v->e, IGB1, "vfio-pci");
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 2);
        /* vm1 takes 02:00.1 (with 02:00.0 detached by hand): then vm2 cannot have 02:00.0. */
        assert_int_equal(hd_pci_detach(v->ctx, IGB0, NULL, 0), 0);
        must_prep(v, &vm_owner, PCI_XML("0x02", "0x00", "0x1", "yes"));
        assert_int_equal(prep_devices(v, &vm2, PCI_XML("0x02", "0x00", "0x0", "no")), -EBUSY);
        assert_error_has(v->ctx, "IOMMU group 5 of 0000:02:00.0 is not viable: 0000:02:00.1 (held by qemu:vm1");
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 1);
        assert_int_equal(hd_pci_reattach(v->ctx, IGB0, 0), 0);
        assert_untouched(v, "group");
}

/* Unmanaged: detached by hand first, held as it is, detached again after. */
static void test_unmanaged(void **state) {
        struct vm *v = *state;
        struct hd_active *a = NULL;

        assert_int_equal(hd_pci_detach(v->ctx, NIC, NULL, 0), 0);
        must_prep(v, &vm_owner, PCI_XML("0x01", "0x00", "0x0", "no"));
        assert_int_equal(hd_active_get(v->ctx, "pci", NIC, &a), 0);
        assert_string_equal(a->state, "held");
        assert_string_equal(a->prev_state, "detached");
        assert_string_equal(a->orig_driver, "e1000e");
        hd_active_free(a);
        /* A detached device a guest holds is not reattached. */
        assert_int_equal(hd_pci_reattach(v->ctx, NIC, 0), -EBUSY);
        assert_error_has(v->ctx, "held by qemu:vm1");
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 1);
        assert_int_equal(hd_active_get(v->ctx, "pci", NIC, &a), 0);
        assert_string_equal(a->state, "detached");
        assert_null(a->owner_driver);
        assert_null(a->prev_state);
        hd_active_free(a);
        assert_driver(v->e, NIC, "vfio-pci");
        /* managed='yes' on a device detached by hand: the same, it stays detached. */
        must_prep(v, &vm_owner, PCI_XML("0x01", "0x00", "0x0", "yes"));
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 1);
        assert_driver(v->e, NIC, "vfio-pci");
        assert_int_equal(hd_pci_reattach(v->ctx, NIC, 0), 0);
        /* Detached to pci-stub: QEMU could not open it. */
        assert_int_equal(hd_pci_detach(v->ctx, NIC, "pci-stub", 0), 0);
        assert_int_equal(prep_devices(v, &vm_owner, PCI_XML("0x01", "0x00", "0x0", "no")), -EINVAL);
        assert_error_has(v->ctx, "0000:01:00.0 is detached to pci-stub, which QEMU cannot open");
        assert_int_equal(hd_pci_reattach(v->ctx, NIC, 0), 0);
        assert_untouched(v, "unmanaged");
}

/* A device whose driver will not take it back stays held, on its stub; the rest are given back. */
static void test_release_fails(void **state) {
        struct vm *v = *state;
        assert_int_equal(prep(v, &vm_owner, vm_domain_xml, NULL), 0);
        emu_probe_fails(v->e, "e1000e");
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), -EIO);
        assert_error_has(v->ctx, "1 of 7 devices could not be given back and stay held by qemu:vm1: 0000:01:00.0: "
                                 "e1000e did not take it back (now on no driver); see 'dmesg'; once that is fixed");
        assert_state(v->ctx, "pci", NIC, "held");
        assert_driver(v->e, NIC, "vfio-pci");
        assert_int_equal(vm_records(v->ctx), 1);
        assert_driver(v->e, VF0, "iavf");
        assert_int_equal(vm_open_ops(v->ctx), 0);
        emu_clear_faults(v->e);
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 1);
        assert_untouched(v, "released at the second try");
}

/* A device gone from the host: refused when asked for, its record dropped at release. */
static void test_vanished(void **state) {
        struct vm *v = *state;
        must_prep(v, &vm_owner, PCI_XML("0x01", "0x00", "0x0", "yes") "<hostdev mode='subsystem' type='usb'><source>"
                                "<vendor id='0x0204'/><product id='0x6025'/></source></hostdev>");
        /* Hot-unplugged while the guest had it: through the emulator, the kernel takes the device away. */
        assert_int_equal(sysfs_write(v->ctx, "/sys/bus/pci/devices/0000:01:00.0/remove", "1"), 0);
        assert_false(emu_exists(v->e, "sys/bus/pci/devices/0000:01:00.0"));
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 2);
        assert_int_equal(vm_records(v->ctx), 0);
        assert_int_equal(prep_devices(v, &vm_owner, PCI_XML("0x01", "0x00", "0x0", "yes")), -ENODEV);
        assert_error_has(v->ctx, "no PCI device 0000:01:00.0 on this host");
}

/* Not root: the store cannot be written; nothing changes. */
static void test_not_root(void **state) {
        struct vm *v = *state;
        pid_t pid;
        int st;

        if (geteuid() != 0)
                skip();
        /* A store exists (root's, 0600 in a 0700 folder). */
        must_prep(v, &vm_owner, PCI_XML("0x02", "0x00", "0x0", "yes") PCI_XML("0x02", "0x00", "0x1", "yes"));
        assert_int_equal(chmod(emu_root(v->e), 0755), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct hd_context *ctx;
                if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
                        _exit(3);
                ctx = v->ctx = vm_context(v);
                if (prep(v, &vm2, vm_domain_xml, NULL) != -EACCES)
                        _exit(4);
                if (!strstr(hd_context_last_error(ctx), "root"))
                        _exit(5);
                if (hd_manager_release(ctx, &vm_owner, NULL, 0) != -EACCES)
                        _exit(6);
                hd_context_free(ctx);
                _exit(0);
        }
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
        assert_int_equal(vm_records(v->ctx), 2);
        assert_driver(v->e, IGB0, "vfio-pci");
        assert_driver(v->e, NIC, "e1000e");
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 2);
        assert_untouched(v, "not root");
}

/*
 * Two processes prepare overlapping domains over and over (the NIC and the
 * gadget in both; each has one device of its own). Never does one device
 * have two owners: each sees all its devices held by itself, or gets an
 * error naming the other.
 */
static void test_race(void **state) {
        struct vm *v = *state;
        static const char *const doms[2] = {
                PCI_XML("0x01", "0x00", "0x0", "yes") "<hostdev mode='subsystem' type='usb'><source><vendor id='0x0204'/>"
                "<product id='0x6025'/></source></hostdev>" PCI_XML("0x03", "0x02", "0x1", "yes"),
                "<hostdev mode='subsystem' type='usb'><source><vendor id='0x0204'/><product id='0x6025'/></source>"
                "</hostdev><hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='" MDEV_DEF
                "'/></source></hostdev>" PCI_XML("0x01", "0x00", "0x0", "yes"),
        };
        const struct hd_owner owners[2] = { { "qemu", "racer0", NULL }, { "qemu", "racer1", NULL } };
        const int rounds = 40;
        pid_t pids[2];
        int won[2] = {}, st;

        for (int k = 0; k < 2; k++) {
                pids[k] = fork();
                assert_true(pids[k] >= 0);
                if (pids[k] == 0) {
                        struct hd_context *ctx = vm_context(v);
                        _cleanup_free_ char *x = vm_domain(owners[k].domain, doms[k]);
                        struct hd_domain_def *def = NULL;
                        int wins = 0, losses = 0;
                        srand((unsigned)getpid());
                        if (hd_domain_parse(ctx, x, strlen(x), NULL, &def) < 0)
                                _exit(100);
                        for (int i = 0; i < rounds; i++) {
                                int r = hd_manager_prepare(ctx, &owners[k], def, 0, NULL);
                                if (r == 0) {
                                        struct hd_active *a = NULL;
                                        /* Everything it asked for is its own. */
                                        if (hd_active_get(ctx, "pci", NIC, &a) < 0 || !streq(a->owner_domain, owners[k].domain))
                                                _exit(101);
                                        hd_active_free(a);
                                        if (hd_active_get(ctx, "usb", "001:002 0204:6025", &a) < 0 ||
                                            !streq(a->owner_domain, owners[k].domain))
                                                _exit(102);
                                        hd_active_free(a);
                                        wins++;
                                        usleep((unsigned)(rand() % 3000)); /* the guest runs a while */
                                        if (hd_manager_release(ctx, &owners[k], def, 0) < 0)
                                                _exit(103);
                                        /* A launcher does not start the same guest again at once: let the other in. */
                                        usleep(1000 + (unsigned)(rand() % 20000));
                                } else if (r != -EBUSY || !strstr(hd_context_last_error(ctx), owners[1 - k].domain))
                                        _exit(104); /* the loser's error names the winner */
                                else
                                        losses++;
                        }
                        hd_domain_def_free(def);
                        hd_context_free(ctx);
                        _exit((wins > 0) | (losses > 0) << 1);
                }
        }
        for (int k = 0; k < 2; k++) {
                assert_int_equal(waitpid(pids[k], &st, 0), pids[k]);
                assert_true(WIFEXITED(st));
                won[k] = WEXITSTATUS(st);
                if (won[k] > 3)
                        fail_msg("racer %d ended %d", k, won[k]);
        }
        /* Someone got the devices, and someone was turned away at least once. */
        assert_true((won[0] | won[1]) & 1);
        assert_true((won[0] | won[1]) & 2);
        assert_untouched(v, "after the race");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_round_trip, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_release_everything, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_per_kind, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_fail_every_write, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_ebusy_names_the_kernel, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_second_owner, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_usb, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_usb_moved, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_scsi, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_mdev, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_refusals, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_group, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_unmanaged, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_release_fails, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_vanished, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_not_root, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_race, vm_setup, vm_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
