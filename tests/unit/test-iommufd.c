/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The VFIO cdev and iommufd on the emulated VM host: where the kernel gives
 * a vfio-pci device vfio-dev/vfioN/dev the inventory and the records name
 * /dev/vfio/devices/vfioN, and qemu-args gives QEMU the iommufd form; where
 * it has the folder without dev (Debian's 6.12) or no /dev/iommu, nothing
 * false is said and iommufd is refused naming the device and the remedy.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "prepare-test.h"

#define VM "<domain type='kvm'><name>vm1</name><devices>"
#define END "</devices></domain>"
#define PCI(driver, bus, slot, fn)                                                                                  \
        "<hostdev mode='subsystem' type='pci' managed='yes'>" driver "<source><address domain='0x0000' bus='" bus \
        "' slot='" slot "' function='" fn "'/></source></hostdev>"
#define NIC_XML(driver) PCI(driver, "0x01", "0x00", "0x0")
#define VF1_XML(driver) PCI(driver, "0x03", "0x02", "0x1")

/* A file below the tree's root (the emulator makes sysfs; /dev/iommu is the host's to have or not). */
static void tree_touch(struct vm *v, const char *rel) {
        _cleanup_free_ char *p = strdupf("%s/%s", emu_root(v->e), rel);
        int fd;
        assert_non_null(p);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        assert_true(fd >= 0);
        close(fd);
}

static void with_iommufd(struct vm *v) {
        _cleanup_free_ char *dev = strdupf("%s/dev", emu_root(v->e));
        (void)mkdir(dev, 0755);
        tree_touch(v, "dev/iommu");
}

static char *cdev_of(struct vm *v, const char *addr) {
        struct hd_device *d = NULL;
        char *c;
        if (hd_device_lookup(v->ctx, addr, &d) < 0)
                fail_msg("lookup %s: %s", addr, hd_context_last_error(v->ctx));
        c = d->vfio_cdev ? strdup(d->vfio_cdev) : NULL;
        hd_device_free(d);
        return c;
}

static void assert_cdev(struct vm *v, const char *addr, const char *want) {
        _cleanup_free_ char *c = cdev_of(v, addr);
        if (want ? !c || !streq(c, want) : c != NULL)
                fail_msg("%s: cdev %s, expected %s", addr, c ? c : "none", want ? want : "none");
}

/* OPTIONS for XML (prepared), exactly WANT, then released. */
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
                        fail_msg("argument %zu: got '%s', expected '%s'", i, i < n ? args[i] : "(none)",
                                 i < n_want ? want[i] : "(none)");
        hd_strv_free(args);
        assert_true(hd_manager_release(v->ctx, &vm_owner, def, 0) >= 0);
        hd_domain_def_free(def);
}
#define EXPECT(v, xml, flags, ...)                                                                                 \
        do {                                                                                                        \
                static const char *const want_[] = { __VA_ARGS__ };                                                 \
                expect_args(v, xml, flags, want_, ELEMENTSOF(want_));                                               \
        } while (0)

/* Prepared fine; qemu-args with FLAGS refuses with -EOPNOTSUPP and a message holding each of WHAT. */
static void expect_refused(struct vm *v, const char *xml, unsigned flags, const char *what1, const char *what2) {
        struct hd_domain_def *def = vm_parse(v->ctx, xml);
        char **args = NULL;

        if (hd_manager_prepare(v->ctx, &vm_owner, def, 0, NULL) < 0)
                fail_msg("prepare: %s", hd_context_last_error(v->ctx));
        assert_int_equal(hd_manager_qemu_args(v->ctx, &vm_owner, def, flags, &args), -EOPNOTSUPP);
        assert_null(args);
        assert_error_has(v->ctx, what1);
        assert_error_has(v->ctx, what2);
        assert_true(hd_manager_release(v->ctx, &vm_owner, def, 0) >= 0);
        hd_domain_def_free(def);
}

/* A kernel with the cdev: named while vfio-pci holds the device, gone with it; numbered as the kernel does. */
static void test_cdev_reported(void **state) {
        struct vm *v = *state;
        struct hd_domain_def *def = vm_parse(v->ctx, VM NIC_XML("") VF1_XML("") END);
        struct hd_active *recs = NULL;
        struct hd_device *d = NULL;
        _cleanup_free_ char *json = NULL;
        size_t n = 0, seen = 0;

        assert_int_equal(emu_vfio_cdev(v->e, true), 0);
        assert_cdev(v, NIC, NULL);
        assert_int_equal(hd_manager_prepare(v->ctx, &vm_owner, def, 0, NULL), 0);
        assert_cdev(v, NIC, "/dev/vfio/devices/vfio0");
        assert_cdev(v, VF1, "/dev/vfio/devices/vfio1");
        assert_true(emu_exists(v->e, "dev/vfio/devices/vfio0"));

        assert_int_equal(hd_device_lookup(v->ctx, NIC, &d), 0);
        assert_int_equal(hd_device_to_json(v->ctx, d, &json), 0);
        hd_device_free(d);
        if (!strstr(json, "\"vfio_cdev\": \"/dev/vfio/devices/vfio0\""))
                fail_msg("no vfio_cdev in the JSON: %s", json);

        assert_int_equal(hd_active_list(v->ctx, &recs, &n), 0);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *c = NULL;
                assert_int_equal(hd_active_vfio_cdev(v->ctx, &recs[i], &c), 0);
                if (streq(recs[i].kind, "pci") && streq(recs[i].key, NIC)) {
                        assert_string_equal(c, "/dev/vfio/devices/vfio0");
                        seen++;
                }
        }
        hd_active_list_free(recs, n);
        assert_int_equal(seen, 1);

        assert_true(hd_manager_release(v->ctx, &vm_owner, def, 0) >= 0);
        assert_cdev(v, NIC, NULL);
        assert_false(emu_exists(v->e, "dev/vfio/devices/vfio0"));
        hd_domain_def_free(def);
}

/* Debian's 6.12: vfio-dev/vfioN without dev. No cdev is claimed, in the inventory or the records. */
static void test_folder_without_dev(void **state) {
        struct vm *v = *state;
        struct hd_domain_def *def = vm_parse(v->ctx, VM NIC_XML("") END);

        assert_int_equal(emu_vfio_cdev(v->e, false), 0);
        assert_int_equal(hd_manager_prepare(v->ctx, &vm_owner, def, 0, NULL), 0);
        {
                struct hd_device *d = NULL;
                _cleanup_free_ char *folder = NULL;
                assert_int_equal(hd_device_lookup(v->ctx, NIC, &d), 0);
                folder = strdupf("%s/vfio-dev/vfio0", d->sysfs_path + 1);
                hd_device_free(d);
                assert_true(emu_exists(v->e, folder));
        }
        assert_cdev(v, NIC, NULL);
        assert_false(emu_exists(v->e, "dev/vfio/devices/vfio0"));
        assert_true(hd_manager_release(v->ctx, &vm_owner, def, 0) >= 0);
        hd_domain_def_free(def);
}

/* --iommufd: one object before the devices, iommufd= on each; the group form stays the default. */
static void test_args(void **state) {
        struct vm *v = *state;

        assert_int_equal(emu_vfio_cdev(v->e, true), 0);
        with_iommufd(v);
        EXPECT(v, VM NIC_XML("") END, 0, "-device", "vfio-pci,host=0000:01:00.0,id=hostdev0");
        EXPECT(v, VM NIC_XML("") VF1_XML("") END, HD_QEMU_ARGS_IOMMUFD, "-object", "iommufd,id=iommufd0", "-device",
               "vfio-pci,host=0000:01:00.0,iommufd=iommufd0,id=hostdev0", "-device",
               "vfio-pci,host=0000:03:02.1,iommufd=iommufd0,id=hostdev1");
        /* libvirt's per-device switch: yes without the option, and no winning over it. */
        EXPECT(v, VM NIC_XML("<driver iommufd='yes'/>") VF1_XML("") END, 0, "-object", "iommufd,id=iommufd0",
               "-device", "vfio-pci,host=0000:01:00.0,iommufd=iommufd0,id=hostdev0", "-device",
               "vfio-pci,host=0000:03:02.1,id=hostdev1");
        EXPECT(v, VM NIC_XML("<driver name='vfio' iommufd='no'/>") VF1_XML("") END, HD_QEMU_ARGS_IOMMUFD, "-object",
               "iommufd,id=iommufd0", "-device", "vfio-pci,host=0000:01:00.0,id=hostdev0", "-device",
               "vfio-pci,host=0000:03:02.1,iommufd=iommufd0,id=hostdev1");
        /* Nobody uses it: no object. */
        EXPECT(v, VM NIC_XML("<driver iommufd='no'/>") END, HD_QEMU_ARGS_IOMMUFD, "-device",
               "vfio-pci,host=0000:01:00.0,id=hostdev0");
}

/* The iommufd form of an interface's VF and of a mediated device (sysfsdev=). */
static void test_args_vf_and_mdev(void **state) {
        struct vm *v = *state;
        _cleanup_free_ char *mdir = NULL, *real = NULL, *cdir = NULL;

        assert_int_equal(emu_vfio_cdev(v->e, true), 0);
        with_iommufd(v);
        EXPECT(v,
               VM "<interface type='hostdev' managed='yes'><driver iommufd='yes'/><source><address type='pci' "
                  "domain='0x0000' bus='0x03' slot='0x02' function='0x0'/></source></interface>" END,
               0, "-object", "iommufd,id=iommufd0", "-device",
               "vfio-pci,host=0000:03:02.0,iommufd=iommufd0,id=hostdev0");

        /* The emulator starts no vendor driver for an mdev: its cdev is made by hand, as mtty's in the lab. */
        mdir = strdupf("%s/sys/bus/mdev/devices/" MDEV_ON, emu_root(v->e));
        assert_non_null(mdir);
        real = realpath(mdir, NULL);
        assert_non_null(real);
        cdir = strdupf("%s/vfio-dev", real);
        assert_int_equal(mkdir(cdir, 0755), 0);
        free(cdir);
        cdir = strdupf("%s/vfio-dev/vfio7", real);
        assert_int_equal(mkdir(cdir, 0755), 0);
        free(cdir);
        cdir = strdupf("%s/vfio-dev/vfio7/dev", real + strlen(emu_root(v->e)) + 1);
        tree_touch(v, cdir);
        EXPECT(v,
               VM "<hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='" MDEV_ON
                  "'/></source></hostdev>" END,
               HD_QEMU_ARGS_IOMMUFD, "-object", "iommufd,id=iommufd0", "-device",
               "vfio-pci,sysfsdev=/sys/bus/mdev/devices/" MDEV_ON ",iommufd=iommufd0,id=hostdev0");
}

/* Refused, naming the device and the remedy: no /dev/iommu; a device without cdev. */
static void test_refusals(void **state) {
        struct vm *v = *state;
        struct hd_domain_def *def = NULL;

        assert_int_equal(emu_vfio_cdev(v->e, true), 0);
        expect_refused(v, VM NIC_XML("") END, HD_QEMU_ARGS_IOMMUFD, "0000:01:00.0: --iommufd asks for iommufd",
                       "no /dev/iommu");
        expect_refused(v, VM NIC_XML("<driver iommufd='yes'/>") END, 0, "line 1: <driver iommufd='yes'/>",
                       "'modprobe iommufd'");

        with_iommufd(v);
        assert_int_equal(emu_vfio_cdev(v->e, false), 0);
        expect_refused(v, VM NIC_XML("") END, HD_QEMU_ARGS_IOMMUFD, "0000:01:00.0 has no VFIO cdev",
                       "leave out --iommufd");
        /* The mdev has no vfio-dev at all (a kernel before 6.1, or no vendor driver). */
        expect_refused(v,
                       VM "<hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='" MDEV_ON
                          "'/></source></hostdev>" END,
                       HD_QEMU_ARGS_IOMMUFD, "mediated device " MDEV_ON " has no VFIO cdev",
                       "CONFIG_VFIO_DEVICE_CDEV");

        /* Only yes or no, as libvirt's schema. */
        assert_int_equal(hd_domain_parse(v->ctx, VM NIC_XML("<driver iommufd='on'/>") END,
                                         strlen(VM NIC_XML("<driver iommufd='on'/>") END), "t.xml", &def),
                         -EINVAL);
        assert_error_has(v->ctx, "iommufd");
}

/* The XML keeps what it said: printed back as libvirt writes it. */
static void test_format(void **state) {
        struct vm *v = *state;
        struct hd_domain_def *def = vm_parse(v->ctx, VM NIC_XML("<driver name='vfio' iommufd='yes'/>") END);
        _cleanup_free_ char *xml = NULL;

        assert_int_equal(hd_domain_format(v->ctx, def, 0, &xml), 0);
        if (!strstr(xml, "<driver name='vfio' iommufd='yes'/>"))
                fail_msg("iommufd lost: %s", xml);
        hd_domain_def_free(def);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_cdev_reported, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_folder_without_dev, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_args, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_args_vf_and_mdev, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_refusals, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_format, vm_setup, vm_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
