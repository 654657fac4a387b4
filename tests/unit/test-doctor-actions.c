/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the doctor changes in detach, prepare, reattach, reset and record: the same words, the variant driver, reset --method. */
#include <sys/stat.h>
#include <sys/wait.h>

#include "doctor-test.h"
#include "util/rmrf.h"

/* Prepare a domain with the PCI function ADDR (managed) for qemu:vm1. */
static int prepare_one(struct emu_test *t, const char *addr) {
        struct hd_owner vm1 = { "qemu", "vm1", NULL };
        struct hd_domain_def *def = NULL;
        struct hd_pci_addr a;
        _cleanup_free_ char *xml = NULL;
        int r;

        assert_int_equal(hd_pci_addr_parse(addr, &a), 0);
        xml = strdupf("<domain type='kvm'><name>vm1</name><devices><hostdev mode='subsystem' type='pci' "
                      "managed='yes'><source><address domain='0x%04x' bus='0x%02x' slot='0x%02x' "
                      "function='0x%x'/></source></hostdev></devices></domain>",
                      a.domain, a.bus, a.slot, a.function);
        assert_non_null(xml);
        assert_int_equal(hd_domain_parse(t->ctx, xml, strlen(xml), "vm1.xml", &def), 0);
        r = hd_manager_prepare(t->ctx, &vm1, def, 0, NULL);
        hd_domain_def_free(def);
        return r;
}

/* The text of check's first item of TOPIC on ADDR (a new string). */
static char *finding(struct emu_test *t, const char *addr, const char *topic, enum hd_report_status st) {
        struct hd_report *r = check(t, addr);
        char *s = NULL;
        for (size_t i = 0; i < r->n_items && !s; i++)
                if (streq(r->items[i].topic, topic) && r->items[i].status == st)
                        s = strdup(r->items[i].text);
        hd_report_free(r);
        if (!s)
                fail_msg("check %s has no %s item", addr, topic);
        return s;
}

/* efifb in the GPU's BAR: detach and prepare refuse in check's words; --force takes it. */
static void test_framebuffer_refused(void **state) {
        struct emu_test *t = *state;
        _cleanup_free_ char *said = finding(t, GPU, "display", HD_REPORT_FAIL);

        assert_int_equal(hd_pci_detach(t->ctx, GPU, NULL, HD_PCI_GROUP), -EBUSY);
        assert_error_has(t->ctx, said);
        assert_error_has(t->ctx, "echo efi-framebuffer.0 > /sys/bus/platform/drivers/efi-framebuffer/unbind");
        assert_int_equal(prepare_one(t, GPU), -EBUSY);
        assert_error_has(t->ctx, said);
        assert_int_equal(emu_writes(t->e), 0);
        assert_driver(t->e, GPU, "amdgpu");
        assert_int_equal(hd_pci_detach(t->ctx, GPU, NULL, HD_PCI_GROUP | HD_PCI_FORCE), 0);
        assert_driver(t->e, GPU, "vfio-pci");
        assert_driver(t->e, AUDIO, "vfio-pci");
}

/* Without efifb, the group: prepare refuses in check's words, naming the audio function. */
static void test_group_refused(void **state) {
        struct emu_test *t = *state;
        _cleanup_free_ char *said = NULL;

        tree_put(t, "proc/iomem", "e0000000-efffffff : 0000:01:00.0\n");
        said = finding(t, GPU, "group", HD_REPORT_FAIL);
        assert_int_equal(prepare_one(t, GPU), -EBUSY);
        assert_error_has(t->ctx, said);
        assert_int_equal(emu_writes(t->e), 0);
}

/* A process has the group open: reattach (whose unbind would wait for it) and prepare name it as check does. */
static void test_holder_refused(void **state) {
        struct emu_test *t = *state;
        _cleanup_free_ char *said = finding(t, HELD, "process", HD_REPORT_FAIL);

        assert_string_equal(said, HELD ": pid 4242 (qemu-system-x86) has /dev/vfio/12 open");
        assert_int_equal(hd_pci_reattach(t->ctx, HELD, 0), -EBUSY);
        assert_error_has(t->ctx, said);
        assert_int_equal(prepare_one(t, HELD), -EBUSY);
        assert_error_has(t->ctx, said);
        assert_int_equal(emu_writes(t->e), 0);
        assert_driver(t->e, HELD, "vfio-pci");
        tree_rm(t, "proc/4242/fd/18");
        assert_int_equal(hd_pci_reattach(t->ctx, HELD, 0), 0);
        assert_driver(t->e, HELD, "e1000e");
}

/* Detached by hand, then opened by a process (a QEMU started by hand): prepare, which takes a detached device as it
 * is, refuses in check's words too, and the record stays as it was; once the process is gone it takes it. */
static void test_holder_of_detached_refused(void **state) {
        struct emu_test *t = *state;
        struct hd_owner vm1 = { "qemu", "vm1", NULL };
        struct hd_active *a = NULL;
        _cleanup_free_ char *said = NULL;
        unsigned writes;

        assert_int_equal(hd_pci_detach(t->ctx, MLX_VF, NULL, 0), 0);
        tree_sh(t, "ln -s /dev/vfio/7 proc/4242/fd/24");
        said = finding(t, MLX_VF, "process", HD_REPORT_FAIL);
        assert_string_equal(said, MLX_VF ": pid 4242 (qemu-system-x86) has /dev/vfio/7 open");
        writes = emu_writes(t->e);
        assert_int_equal(prepare_one(t, MLX_VF), -EBUSY);
        assert_error_has(t->ctx, said);
        assert_int_equal(emu_writes(t->e), writes);
        assert_int_equal(hd_active_get(t->ctx, "pci", MLX_VF, &a), 0);
        assert_string_equal(a->state, "detached");
        assert_null(a->owner_domain);
        hd_active_free(a);
        tree_rm(t, "proc/4242/fd/24");
        assert_int_equal(prepare_one(t, MLX_VF), 0);
        assert_int_equal(hd_manager_release(t->ctx, &vm1, NULL, 0), 1);
        assert_driver(t->e, MLX_VF, "mlx5_vfio_pci"); /* detached by hand: it stays detached after its guest */
}

/* Detach and prepare give the VF mlx5_vfio_pci, the most specific match; --driver chooses another. */
static void test_variant_driver(void **state) {
        struct emu_test *t = *state;
        struct hd_active *a = NULL;
        struct hd_owner vm1 = { "qemu", "vm1", NULL };

        assert_int_equal(hd_pci_detach(t->ctx, MLX_VF, NULL, 0), 0);
        assert_driver(t->e, MLX_VF, "mlx5_vfio_pci");
        assert_true(emu_exists(t->e, "dev/vfio/7"));
        assert_int_equal(hd_active_get(t->ctx, "pci", MLX_VF, &a), 0);
        assert_string_equal(a->stub_driver, "mlx5_vfio_pci");
        hd_active_free(a);
        assert_int_equal(hd_pci_reattach(t->ctx, MLX_VF, 0), 0);
        assert_driver(t->e, MLX_VF, "mlx5_core");

        assert_int_equal(hd_pci_detach(t->ctx, MLX_VF, "vfio-pci", 0), 0);
        assert_driver(t->e, MLX_VF, "vfio-pci");
        assert_int_equal(hd_pci_reattach(t->ctx, MLX_VF, 0), 0);

        assert_int_equal(prepare_one(t, MLX_VF), 0);
        assert_driver(t->e, MLX_VF, "mlx5_vfio_pci");
        assert_int_equal(hd_manager_release(t->ctx, &vm1, NULL, 0), 1);
        assert_driver(t->e, MLX_VF, "mlx5_core");
}

/* A device vm1 holds whose group its QEMU has open: a second owner is told who holds it in hostdev's records
 * (the owner the user must talk to), not only which process has the group open. */
static void test_owner_named_before_process(void **state) {
        struct emu_test *t = *state;
        struct hd_owner vm1 = { "qemu", "vm1", NULL };
        struct hd_owner vm2 = { "qemu", "vm2", NULL };
        struct hd_domain_def *def = NULL;
        _cleanup_free_ char *xml = strdupf("<domain type='kvm'><name>vm2</name><devices><hostdev mode='subsystem' "
                                           "type='pci' managed='yes'><source><address domain='0x0000' bus='0x07' "
                                           "slot='0x00' function='0x0'/></source></hostdev></devices></domain>");

        assert_int_equal(prepare_one(t, MLX_VF), 0);
        tree_sh(t, "ln -s /dev/vfio/7 proc/4242/fd/24");
        assert_non_null(xml);
        assert_int_equal(hd_domain_parse(t->ctx, xml, strlen(xml), "vm2.xml", &def), 0);
        assert_int_equal(hd_manager_prepare(t->ctx, &vm2, def, 0, NULL), -EBUSY);
        hd_domain_def_free(def);
        assert_error_has(t->ctx, MLX_VF " is held by qemu:vm1");
        assert_driver(t->e, MLX_VF, "mlx5_vfio_pci");
        tree_rm(t, "proc/4242/fd/24");
        assert_int_equal(hd_manager_release(t->ctx, &vm1, NULL, 0), 1);
}

/* reset --method: one reset by that method, reset_method as it was after; what the device lacks is refused. */
static void test_reset_method(void **state) {
        struct emu_test *t = *state;
        _cleanup_free_ char *by = NULL;
        const char *rm = "sys/devices/pci0000:00/0000:00:03.0/" MLX_VF "/reset_method";
        _cleanup_free_ char *path = strdupf("%s/%s", emu_root(t->e), rm);
        int fd;

        assert_int_equal(hd_pci_reset_method(t->ctx, MLX_VF, NULL, "pm", 0), 0);
        assert_int_equal(emu_resets(t->e, MLX_VF), 1);
        by = emu_reset_by(t->e, MLX_VF);
        assert_string_equal(by, "pm");
        fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        {
                char buf[64] = "";
                assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
                assert_string_equal(buf, "flr pm");
        }
        close(fd);
        assert_int_equal(hd_pci_reset(t->ctx, MLX_VF, NULL, 0), 0);
        free(by);
        by = emu_reset_by(t->e, MLX_VF);
        assert_string_equal(by, "pm\nflr");

        assert_int_equal(hd_pci_reset_method(t->ctx, MLX_VF, NULL, "bus", 0), -EINVAL);
        assert_error_has(t->ctx, "the kernel refused reset method 'bus' for " MLX_VF ": the device cannot do it "
                                 "(it offers: flr pm)");
        assert_int_equal(hd_pci_reset_method(t->ctx, MLX_VF, NULL, "warm", 0), -EINVAL);
        assert_error_has(t->ctx, "'warm' is not a reset method the kernel knows");
        assert_int_equal(emu_resets(t->e, MLX_VF), 2);
        /* A bus reset by request is judged as one: the other igb port is on a host driver. */
        assert_int_equal(hd_pci_reset_method(t->ctx, IGB0, NULL, "bus", 0), -EBUSY);
        assert_error_has(t->ctx, IGB1 " (on igb, a host driver)");
}

/* The write that puts reset_method back fails, or the process dies after the reset: recovery puts it back. */
static void test_reset_method_recovered(void **state) {
        struct emu_test *t = *state;
        struct hd_report *rep = NULL;
        pid_t pid;
        int status;

        emu_fail_nth(t->e, 3, EIO);
        assert_int_equal(hd_pci_reset_method(t->ctx, MLX_VF, NULL, "pm", 0), -EIO);
        assert_error_has(t->ctx, "reset_method stays 'pm'");
        tree_sh(t, "grep -qx pm sys/bus/pci/devices/" MLX_VF "/reset_method");
        assert_int_equal(hd_recover(t->ctx, &rep), 1);
        item(rep, "recover", "reset_method is back to 'flr pm'", HD_REPORT_OK);
        hd_report_free(rep);
        tree_sh(t, "grep -qx 'flr pm' sys/bus/pci/devices/" MLX_VF "/reset_method");

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                emu_crash_nth(t->e, 2, true); /* after the reset itself */
                (void)hd_pci_reset_method(t->ctx, MLX_VF, NULL, "pm", 0);
                _exit(0);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_int_equal(WEXITSTATUS(status), EMU_CRASH_EXIT);
        tree_sh(t, "grep -qx pm sys/bus/pci/devices/" MLX_VF "/reset_method");
        assert_int_equal(hd_recover(t->ctx, NULL), 1);
        tree_sh(t, "grep -qx 'flr pm' sys/bus/pci/devices/" MLX_VF "/reset_method");
}

/* hostdev record keeps what check read, and only that of /proc: a check of the recording says the same. */
static void test_record(void **state) {
        struct emu_test *t = *state;
        char dir[] = "/tmp/hostdev-test-doctor-XXXXXX";
        _cleanup_free_ char *rec = NULL;
        struct hd_context *rctx = NULL;
        const char *devs[] = { GPU, IGB0, MLX_VF, HELD, AHCI };
        struct stat st;

        assert_non_null(mkdtemp(dir));
        rec = strdupf("%s/r", dir);
        assert_int_equal(hd_record(t->ctx, rec), 0);
        {
                const char *kept[] = { "proc/iomem", "proc/cmdline", "proc/interrupts", "proc/sys/kernel/osrelease",
                                       "proc/4242/comm", "proc/1000/comm",
                                       "lib/modules/6.1.0-doctor-amd64/modules.alias.bin",
                                       "lib/modules/6.1.0-doctor-amd64/kernel/drivers/vfio/pci/mlx5/mlx5-vfio-pci.ko",
                                       "dev/vfio/12", "dev/vfio/vfio" };
                for (size_t i = 0; i < ELEMENTSOF(kept); i++) {
                        _cleanup_free_ char *p = strdupf("%s/%s", rec, kept[i]);
                        if (lstat(p, &st) < 0)
                                fail_msg("the recording has no %s", kept[i]);
                }
        }
        {
                _cleanup_free_ char *l = strdupf("%s/proc/4242/fd/18", rec), *img = strdupf("%s/proc/4242/fd/19", rec),
                                    *sysd = strdupf("%s/proc/1", rec);
                char buf[64] = "";
                assert_true(readlink(l, buf, sizeof(buf) - 1) > 0);
                assert_string_equal(buf, "/dev/vfio/12");
                assert_true(lstat(img, &st) < 0); /* a file the guest has open is not the recording's business */
                assert_true(lstat(sysd, &st) < 0);
        }
        assert_int_equal(hd_context_new(&rctx), 0);
        assert_int_equal(hd_context_set_sysroot(rctx, rec), 0);
        for (size_t i = 0; i < ELEMENTSOF(devs); i++) {
                struct hd_report *a = check(t, devs[i]), *b = NULL;
                if (hd_pci_check(rctx, devs[i], 0, &b) < 0)
                        fail_msg("check %s on the recording: %s", devs[i], hd_context_last_error(rctx));
                assert_int_equal(a->n_items, b->n_items);
                for (size_t j = 0; j < a->n_items; j++)
                        if (!streq(a->items[j].text, b->items[j].text))
                                fail_msg("%s: '%s' on the tree, '%s' on its recording", devs[i], a->items[j].text,
                                         b->items[j].text);
                assert_int_equal(a->verdict, b->verdict);
                hd_report_free(a);
                hd_report_free(b);
        }
        hd_context_free(rctx);
        rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_framebuffer_refused, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_group_refused, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_holder_refused, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_holder_of_detached_refused, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_variant_driver, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_owner_named_before_process, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_reset_method, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_reset_method_recovered, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_record, doctor_setup, emu_test_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
