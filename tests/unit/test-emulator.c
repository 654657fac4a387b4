/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel emulator does what the kernel does for driver_override, bind, unbind, probe, ids, reset, remove. */
#include <sys/wait.h>
#include <unistd.h>

#include "emu-test.h"
#include "sysfs/sysfs.h"

#define NIC "0000:01:00.0"
#define NIC_PATH "/sys/bus/pci/devices/" NIC

static void test_unbind_probe(void **state) {
        struct emu *e = emu_fixture();
        struct hd_context *ctx = emu_context(e);

        assert_driver(e, NIC, "e1000e");
        assert_true(emu_exists(e, "sys/bus/pci/drivers/e1000e/" NIC));
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers/igb/unbind", NIC), -ENODEV);
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers/e1000e/unbind", NIC), 0);
        assert_driver(e, NIC, NULL);
        assert_false(emu_exists(e, "sys/bus/pci/drivers/e1000e/" NIC));
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers/e1000e/unbind", NIC), -ENODEV);
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers_probe", NIC), 0);
        assert_driver(e, NIC, "e1000e");
        /* The library reads what the emulator wrote. */
        {
                _cleanup_free_ char *drv = NULL;
                _cleanup_close_ int fd = -1;
                assert_int_equal(sysfs_open_dir(ctx, NIC_PATH, &fd), 0);
                assert_int_equal(sysfs_link_name_at(fd, "driver", &drv), 0);
                assert_string_equal(drv, "e1000e");
        }
        assert_int_equal(emu_writes(e), 4);
        hd_context_free(ctx);
        emu_free(e);
}

static void test_override_vfio(void **state) {
        struct emu *e = emu_fixture();
        struct hd_context *ctx = emu_context(e);
        _cleanup_free_ char *ov = NULL;

        assert_int_equal(sysfs_write(ctx, NIC_PATH "/driver_override", "vfio-pci"), 0);
        ov = emu_override(e, NIC);
        assert_string_equal(ov, "vfio-pci");
        /* Bound devices stay bound; a bind by name now fails: only the override matches. */
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers/e1000e/bind", NIC), -ENODEV);
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers/e1000e/unbind", NIC), 0);
        assert_false(emu_exists(e, "dev/vfio/2"));
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers_probe", NIC), 0);
        assert_driver(e, NIC, "vfio-pci");
        assert_true(emu_exists(e, "dev/vfio/2"));
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers/vfio-pci/bind", NIC), -EBUSY);
        /* Cleared with a lone newline, as the kernel does. */
        assert_int_equal(sysfs_write(ctx, NIC_PATH "/driver_override", "\n"), 0);
        assert_null(emu_override(e, NIC));
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers/vfio-pci/unbind", NIC), 0);
        assert_false(emu_exists(e, "dev/vfio/2"));
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers/e1000e/bind", NIC), 0);
        assert_driver(e, NIC, "e1000e");
        hd_context_free(ctx);
        emu_free(e);
}

static void test_probe_nothing(void **state) {
        struct emu *e = emu_fixture();
        struct hd_context *ctx = emu_context(e);
        char link[128];

        /* An override naming a driver that is not there: success, nothing bound. */
        assert_int_equal(sysfs_write(ctx, NIC_PATH "/driver_override", "nosuch"), 0);
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers/e1000e/unbind", NIC), 0);
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers_probe", NIC), 0);
        assert_driver(e, NIC, NULL);
        /* A probe that fails: the same. */
        assert_int_equal(sysfs_write(ctx, NIC_PATH "/driver_override", "vfio-pci"), 0);
        emu_probe_fails(e, "vfio-pci");
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers_probe", NIC), 0);
        assert_driver(e, NIC, NULL);
        emu_clear_faults(e);
        /* vfio-pci refuses a device outside any IOMMU group. */
        snprintf(link, sizeof(link), "%s/sys/devices/pci0000:00/0000:00:01.0/%s/iommu_group", emu_root(e), NIC);
        assert_int_equal(unlink(link), 0);
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers_probe", NIC), 0);
        assert_driver(e, NIC, NULL);
        hd_context_free(ctx);
        emu_free(e);
}

static void test_new_id(void **state) {
        struct emu *e = emu_fixture();
        struct hd_context *ctx = emu_context(e);

        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers/e1000e/unbind", NIC), 0);
        /* The dynamic id makes pci-stub match; new_id binds the unbound devices it matches. */
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers/pci-stub/new_id", "8086 10d3"), 0);
        assert_driver(e, NIC, "pci-stub");
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers/pci-stub/remove_id", "8086 10d3"), 0);
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers/pci-stub/remove_id", "8086 10d3"), -ENODEV);
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers/pci-stub/new_id", "zz"), -EINVAL);
        hd_context_free(ctx);
        emu_free(e);
}

static void test_reset_remove_rescan(void **state) {
        struct emu *e = emu_fixture();
        struct hd_context *ctx = emu_context(e);

        assert_int_equal(emu_resets(e, NIC), 0);
        assert_int_equal(sysfs_write(ctx, NIC_PATH "/reset", "1"), 0);
        assert_int_equal(sysfs_write(ctx, NIC_PATH "/reset", "1\n"), 0);
        assert_int_equal(sysfs_write(ctx, NIC_PATH "/reset", "0"), -EINVAL);
        assert_int_equal(emu_resets(e, NIC), 2);
        emu_fail_path(e, "*/" NIC "/reset", EBUSY, 1);
        assert_int_equal(sysfs_write(ctx, NIC_PATH "/reset", "1"), -EBUSY);
        assert_int_equal(sysfs_write(ctx, NIC_PATH "/reset", "1"), 0);
        assert_int_equal(emu_resets(e, NIC), 3);

        assert_int_equal(sysfs_write(ctx, NIC_PATH "/driver_override", "pci-stub"), 0);
        assert_int_equal(sysfs_write(ctx, NIC_PATH "/remove", "1"), 0);
        assert_false(emu_exists(e, "sys/bus/pci/devices/" NIC));
        assert_false(emu_exists(e, "sys/bus/pci/drivers/e1000e/" NIC));
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/rescan", "1"), 0);
        assert_true(emu_exists(e, "sys/bus/pci/devices/" NIC));
        assert_true(emu_exists(e, "sys/kernel/iommu_groups/2/devices/" NIC));
        assert_null(emu_override(e, NIC)); /* a new device has no override */
        assert_driver(e, NIC, "e1000e");
        hd_context_free(ctx);
        emu_free(e);
}

static void test_faults(void **state) {
        struct emu *e = emu_fixture();
        struct hd_context *ctx = emu_context(e);
        pid_t pid;
        int status;

        emu_fail_nth(e, 2, ENODEV);
        assert_int_equal(sysfs_write(ctx, NIC_PATH "/driver_override", "vfio-pci"), 0);
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers/e1000e/unbind", NIC), -ENODEV);
        assert_driver(e, NIC, "e1000e"); /* an injected failure has no effect */
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers/e1000e/unbind", NIC), 0);
        assert_int_equal(emu_writes(e), 3);
        assert_int_equal(sysfs_write(ctx, "/sys/nosuch", "1"), -ENOENT);

        /* A crash after the write: the child dies, its write is in the tree. */
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                emu_crash_nth(e, 1, true);
                sysfs_write(ctx, "/sys/bus/pci/drivers_probe", NIC);
                _exit(0);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), EMU_CRASH_EXIT);
        assert_driver(e, NIC, "vfio-pci");
        hd_context_free(ctx);
        emu_free(e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_unbind_probe),
                cmocka_unit_test(test_override_vfio),
                cmocka_unit_test(test_probe_nothing),
                cmocka_unit_test(test_new_id),
                cmocka_unit_test(test_reset_remove_rescan),
                cmocka_unit_test(test_faults),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
