/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SR-IOV through the kernel emulator: sriov_numvfs through 0, bounded waiting, limits, VF lookup for netlink. */
#include "created-test.h"
#include "hostdev/sriov.h"

#define PF "sys/devices/pci0000:00/0000:00:03.0"

static void test_show(void **state) {
        struct created *c = created_open();
        struct hd_sriov_pf *pf = NULL;

        assert_ok(c, hd_sriov_get(c->ctx, "0000:00:03.0", &pf));
        assert_int_equal(pf->total_vfs, 4);
        assert_int_equal(pf->num_vfs, 0);
        assert_int_equal(pf->autoprobe, 1);
        assert_string_equal(pf->driver, "igb");
        assert_string_equal(pf->ifname, "enp0s3");
        assert_int_equal(pf->n_vfs, 0);
        hd_sriov_pf_free(pf);
        /* By libvirt's name too, and by its network interface; a function without SR-IOV is told so. */
        assert_ok(c, hd_sriov_get(c->ctx, "pci_0000_00_03_0", &pf));
        hd_sriov_pf_free(pf);
        assert_ok(c, hd_sriov_get(c->ctx, "enp0s3", &pf));
        assert_int_equal(pf->addr.slot, 3);
        hd_sriov_pf_free(pf);
        assert_fails(c, hd_sriov_get(c->ctx, "0000:00:05.0", &pf), -EOPNOTSUPP);
        assert_fails(c, hd_sriov_get(c->ctx, "0000:00:1f.0", &pf), -ENODEV);
        created_close(c);
}

struct progress {
        unsigned calls, last_have, last_want;
};

static void on_progress(void *userdata, unsigned have, unsigned want, unsigned elapsed_ms) {
        struct progress *p = userdata;
        p->calls++;
        p->last_have = have;
        p->last_want = want;
}

static void test_set(void **state) {
        struct created *c = created_open();
        struct hd_sriov_pf *pf = NULL;

        assert_ok(c, hd_sriov_set_numvfs(c->ctx, "0000:00:03.0", 2, 0, 2000, NULL, NULL));
        assert_file(c, PF "/sriov_numvfs", "2");
        assert_true(emu_exists(c->e, PF "/virtfn0"));
        assert_true(emu_exists(c->e, PF "/virtfn1"));
        assert_true(emu_exists(c->e, "sys/bus/pci/devices/0000:00:13.0"));
        assert_true(emu_exists(c->e, "sys/bus/pci/devices/0000:00:13.2"));
        assert_true(emu_exists(c->e, "sys/devices/pci0000:00/0000:00:13.2/physfn"));
        assert_ok(c, hd_sriov_get(c->ctx, "0000:00:03.0", &pf));
        assert_int_equal(pf->n_vfs, 2);
        assert_int_equal(pf->vfs[1].index, 1);
        assert_int_equal(pf->vfs[1].addr.slot, 0x13);
        assert_int_equal(pf->vfs[1].addr.function, 2);
        assert_string_equal(pf->vfs[0].driver, "igbvf"); /* autoprobe on */
        hd_sriov_pf_free(pf);
        /* The inventory sees them as VFs of the PF. */
        {
                struct hd_device *d = NULL;
                assert_ok(c, hd_device_lookup(c->ctx, "0000:00:13.0", &d));
                assert_true(hd_device_get_cap(d, HD_CAP_PCI)->pci.has_phys_function);
                hd_device_free(d);
        }

        /* 2 -> 3 goes through 0. */
        assert_ok(c, hd_sriov_set_numvfs(c->ctx, "0000:00:03.0", 3, 0, 2000, NULL, NULL));
        assert_file(c, PF "/sriov_numvfs", "3");
        assert_true(emu_exists(c->e, PF "/virtfn2"));

        /* The same count again writes nothing. */
        assert_ok(c, hd_sriov_set_numvfs(c->ctx, "0000:00:03.0", 3, 0, 2000, NULL, NULL));

        /* Without autoprobe the new VFs stay unbound, and the PF keeps the setting. */
        assert_ok(c, hd_sriov_set_numvfs(c->ctx, "0000:00:03.0", 1, HD_SRIOV_NO_AUTOPROBE, 2000, NULL, NULL));
        assert_file(c, PF "/sriov_drivers_autoprobe", "0");
        assert_false(emu_exists(c->e, "sys/devices/pci0000:00/0000:00:13.0/driver"));
        assert_false(emu_exists(c->e, PF "/virtfn1"));
        assert_false(emu_exists(c->e, "sys/bus/pci/devices/0000:00:13.2"));

        /* Back to 0: every VF, link and group gone. */
        assert_ok(c, hd_sriov_set_numvfs(c->ctx, "0000:00:03.0", 0, 0, 2000, NULL, NULL));
        assert_file(c, PF "/sriov_numvfs", "0");
        assert_false(emu_exists(c->e, PF "/virtfn0"));
        assert_false(emu_exists(c->e, "sys/devices/pci0000:00/0000:00:13.0"));
        created_close(c);
}

static void test_limits(void **state) {
        struct created *c = created_open();
        struct progress p = { 0 };

        assert_fails(c, hd_sriov_set_numvfs(c->ctx, "0000:00:03.0", 5, 0, 2000, NULL, NULL), -ERANGE);
        assert_non_null(strstr(hd_context_last_error(c->ctx), "at most 4"));
        assert_file(c, PF "/sriov_numvfs", "0");
        /* No PF driver: the kernel could not do it, and we say so before trying. */
        assert_fails(c, hd_sriov_set_numvfs(c->ctx, "0000:00:04.0", 1, 0, 2000, NULL, NULL), -ENOENT);
        assert_fails(c, hd_sriov_set_numvfs(c->ctx, "0000:00:05.0", 1, 0, 2000, NULL, NULL), -EOPNOTSUPP);

        /* A kernel that is slow to make them: bounded wait, with progress. */
        emu_ext_sriov_lazy(true);
        assert_fails(c, hd_sriov_set_numvfs(c->ctx, "0000:00:03.0", 2, 0, 300, on_progress, &p), -ETIMEDOUT);
        assert_true(p.calls >= 2);
        assert_int_equal(p.last_have, 0);
        assert_int_equal(p.last_want, 2);
        assert_non_null(strstr(hd_context_last_error(c->ctx), "0 of 2"));
        emu_ext_sriov_lazy(false);
        assert_ok(c, hd_sriov_set_numvfs(c->ctx, "0000:00:03.0", 0, 0, 2000, NULL, NULL));

        /* The kernel refuses the new count after the old VFs went: the old count comes back. */
        assert_ok(c, hd_sriov_set_numvfs(c->ctx, "0000:00:03.0", 2, 0, 2000, NULL, NULL));
        emu_ext_fail_path("*/sriov_numvfs", "4", ENOMEM, 1);
        assert_fails(c, hd_sriov_set_numvfs(c->ctx, "0000:00:03.0", 4, 0, 2000, NULL, NULL), -ENOMEM);
        assert_non_null(strstr(hd_context_last_error(c->ctx), "old count is back"));
        assert_file(c, PF "/sriov_numvfs", "2");
        assert_true(emu_exists(c->e, PF "/virtfn1"));
        created_close(c);
}

static void test_refuse_busy_vf(void **state) {
        struct created *c = created_open();

        assert_ok(c, hd_sriov_set_numvfs(c->ctx, "0000:00:03.0", 2, 0, 2000, NULL, NULL));
        /* A VF on vfio-pci may be in a guest: refused unless forced. */
        emu_write_hook(c->e, -1, "/sys/bus/pci/drivers/igbvf/unbind", "0000:00:13.2", 12);
        emu_write_hook(c->e, -1, "/sys/devices/pci0000:00/0000:00:13.2/driver_override", "vfio-pci", 8);
        emu_write_hook(c->e, -1, "/sys/bus/pci/drivers_probe", "0000:00:13.2", 12);
        assert_true(emu_exists(c->e, "sys/devices/pci0000:00/0000:00:13.2/driver"));
        assert_fails(c, hd_sriov_set_numvfs(c->ctx, "0000:00:03.0", 0, 0, 2000, NULL, NULL), -EBUSY);
        assert_non_null(strstr(hd_context_last_error(c->ctx), "0000:00:13.2"));
        assert_file(c, PF "/sriov_numvfs", "2");
        assert_ok(c, hd_sriov_set_numvfs(c->ctx, "0000:00:03.0", 0, HD_SRIOV_FORCE, 2000, NULL, NULL));
        assert_file(c, PF "/sriov_numvfs", "0");
        created_close(c);
}

static void test_refuse_recorded_vf(void **state) {
        struct created *c = created_open();

        assert_ok(c, hd_sriov_set_numvfs(c->ctx, "0000:00:03.0", 2, HD_SRIOV_NO_AUTOPROBE, 2000, NULL, NULL));
        /* hostdev detached it: its record would be orphaned, so not even --force removes it. */
        assert_ok(c, hd_pci_detach(c->ctx, "0000:00:13.0", NULL, 0));
        assert_fails(c, hd_sriov_set_numvfs(c->ctx, "0000:00:03.0", 0, HD_SRIOV_FORCE, 2000, NULL, NULL), -EBUSY);
        assert_non_null(strstr(hd_context_last_error(c->ctx), "reattach"));
        assert_file(c, PF "/sriov_numvfs", "2");
        assert_ok(c, hd_pci_reattach(c->ctx, "0000:00:13.0", 0));
        assert_ok(c, hd_sriov_set_numvfs(c->ctx, "0000:00:03.0", 0, 0, 2000, NULL, NULL));
        created_close(c);
}

static void test_vf_lookup(void **state) {
        struct created *c = created_open();
        struct hd_vf *vf = NULL;

        assert_ok(c, hd_sriov_set_numvfs(c->ctx, "0000:00:03.0", 3, 0, 2000, NULL, NULL));
        assert_ok(c, hd_vf_lookup(c->ctx, "0000:00:13.4", &vf));
        assert_int_equal(vf->index, 2);
        assert_int_equal(vf->pf.slot, 3);
        assert_string_equal(vf->pf_ifname, "enp0s3");
        assert_null(vf->ifname);
        hd_vf_free(vf);
        assert_ok(c, hd_vf_lookup(c->ctx, "pci_0000_00_13_2", &vf));
        assert_int_equal(vf->index, 1);
        hd_vf_free(vf);
        /* The PF itself and an interface that is not a VF. */
        assert_fails(c, hd_vf_lookup(c->ctx, "0000:00:03.0", &vf), -ENODEV);
        assert_fails(c, hd_vf_lookup(c->ctx, "enp0s3", &vf), -ENODEV);
        assert_fails(c, hd_vf_lookup(c->ctx, "nosuch0", &vf), -ENODEV);
        created_close(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_show),   cmocka_unit_test(test_set),        cmocka_unit_test(test_limits),
                cmocka_unit_test(test_refuse_busy_vf), cmocka_unit_test(test_refuse_recorded_vf),
                cmocka_unit_test(test_vf_lookup),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
