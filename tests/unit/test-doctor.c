/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostdev check's findings on the doctor tree: each with the fact it read and its remedy, worst first, and the verdict. */
#include "doctor-test.h"

/* The boot GPU: efifb in its BAR needs a person; its audio function is what --group takes. */
static void test_gpu(void **state) {
        struct emu_test *t = *state;
        struct hd_report *r = check(t, GPU);
        const struct hd_report_item *it;

        assert_int_equal(r->verdict, HD_REPORT_PERSON);
        assert_false(r->ok);
        it = item(r, "display", "the firmware framebuffer efifb (e0000000-e02fffff in /proc/iomem)", HD_REPORT_FAIL);
        assert_non_null(strstr(it->text, "BAR 0"));
        assert_string_equal(it->source, "/proc/iomem");
        assert_non_null(strstr(it->remedy, "echo efi-framebuffer.0 > /sys/bus/platform/drivers/efi-framebuffer/unbind"));
        assert_non_null(strstr(it->remedy, "video=efifb:off"));
        assert_false(it->hostdev_fixes);
        item(r, "display", "is the boot display (boot_vga 1)", HD_REPORT_WARN);
        it = item(r, "group", "IOMMU group 2 of " GPU " is not viable: " AUDIO " (on snd_hda_intel, a host driver)",
                  HD_REPORT_FAIL);
        assert_true(it->hostdev_fixes);
        assert_string_equal(it->remedy, "hostdev detach " GPU " --group (it takes " AUDIO " too)");
        item(r, "member", AUDIO " class 0x040300 on snd_hda_intel: its audio function", HD_REPORT_INFO);
        item(r, "acs", "the functions of " GPU "'s slot share IOMMU group 2", HD_REPORT_WARN);
        item(r, "acs", "0000:00:01.0 (root port): ACSCtl SrcValid+ TransBlk- ReqRedir+ CmpltRedir+ UpstreamFwd+",
             HD_REPORT_INFO);
        item(r, "reset", "would also reset " AUDIO " (on snd_hda_intel, a host driver)", HD_REPORT_WARN);
        it = item(r, "reset", "an AMD Polaris 10 GPU (1002:67df)", HD_REPORT_WARN);
        assert_string_equal(it->source, "vendor-reset's device table");
        item(r, "process", "pid 1000 (Xorg) has /dev/dri/card0 open, a node of its host driver amdgpu", HD_REPORT_WARN);
        /* Worst first: what needs a person, then what hostdev clears, then warnings, then the rest. */
        assert_string_equal(r->items[0].topic, "display");
        assert_string_equal(r->items[1].topic, "group");
        assert_int_equal(r->items[2].status, HD_REPORT_WARN);
        for (size_t i = 1; i < r->n_items; i++)
                if (r->items[i - 1].status < HD_REPORT_WARN && r->items[i].status >= HD_REPORT_WARN)
                        fail_msg("%s (%s) after an item of less weight", r->items[i].text,
                                 hd_report_status_to_string(r->items[i].status));
        hd_report_free(r);
}

/* Three endpoints behind root ports without ACS: every blocker named, the bridge named as the cause. */
static void test_group_without_acs(void **state) {
        struct emu_test *t = *state;
        struct hd_report *r = check(t, IGB0);
        const struct hd_report_item *it;

        assert_int_equal(r->verdict, HD_REPORT_HOSTDEV);
        it = item(r, "group",
                  "IOMMU group 5 of " IGB0 " is not viable: " IGB1 " (on igb, a host driver), " XHCI
                  " (on xhci_hcd, a host driver)",
                  HD_REPORT_FAIL);
        assert_true(it->hostdev_fixes);
        assert_string_equal(it->remedy, "hostdev detach " IGB0 " --group (it takes " IGB1 ", " XHCI " too)");
        assert_string_equal(it->source, "/sys/kernel/iommu_groups/5/devices");
        item(r, "member", PCH_RP " class 0x060400 on pcieport: a bridge", HD_REPORT_INFO);
        item(r, "member", XHCI " class 0x0c0330 on xhci_hcd: another endpoint of the group", HD_REPORT_INFO);
        it = item(r, "acs", "IOMMU group 5 is shared because bridge " PCH_RP " has no ACS isolation", HD_REPORT_WARN);
        assert_non_null(strstr(it->source, IGB0 "/config"));
        item(r, "acs", PCH_RP " (root port, multi-function): no ACS capability", HD_REPORT_INFO);
        item(r, "reset", "reset_method flr bus: the kernel tries flr first", HD_REPORT_OK);
        hd_report_free(r);

        /* Once the other two are on vfio-pci, nothing stands in the way. */
        assert_int_equal(hd_pci_detach(t->ctx, IGB0, NULL, HD_PCI_GROUP), 0);
        assert_driver(t->e, XHCI, "vfio-pci");
        r = check(t, IGB0);
        assert_int_equal(r->verdict, HD_REPORT_NOW);
        item(r, "group", "group 5 is viable", HD_REPORT_OK);
        hd_report_free(r);
}

/* The kernel isolates a device below a bridge whose config space has no ACS: a quirk, said as such. */
static void test_acs_quirk(void **state) {
        struct emu_test *t = *state;
        struct hd_report *r;

        /* XHCI in a group of its own, as an ACS quirk for 00:1c.4 would have the kernel make it. */
        tree_sh(t, "mkdir -p sys/kernel/iommu_groups/9/devices && rm sys/kernel/iommu_groups/5/devices/" XHCI
                   " && ln -s ../../../../devices/pci0000:00/0000:00:1c.4/" XHCI " sys/kernel/iommu_groups/9/devices/"
                   " && ln -sfn ../../../../kernel/iommu_groups/9 sys/devices/pci0000:00/0000:00:1c.4/" XHCI
                   "/iommu_group");
        r = check(t, XHCI);
        item(r, "acs", "bridge 0000:00:1c.4 has no ACS isolation in its config space, yet the kernel isolates " XHCI,
             HD_REPORT_INFO);
        item(r, "group", "group 9 is viable once " XHCI " itself is detached", HD_REPORT_OK);
        hd_report_free(r);
}

/* A non-root reader sees 64 bytes of config: ACS is unknown, and check says why. */
static void test_acs_needs_root(void **state) {
        struct emu_test *t = *state;
        struct hd_report *r;

        tree_sh(t, "truncate -s 64 sys/devices/pci0000:00/" PCH_RP "/config");
        r = check(t, IGB0);
        item(r, "acs", PCH_RP ": ACS unknown: only root may read past the first 64 bytes", HD_REPORT_INFO);
        item(r, "acs", "whether ACS isolates " IGB0 " is unknown: only root may read", HD_REPORT_INFO);
        assert_false(has_item(r, "acs", "is shared because"));
        hd_report_free(r);
}

/* The vfio driver: the variant whose alias is the most specific, and why; vfio-pci when none matches. */
static void test_driver(void **state) {
        struct emu_test *t = *state;
        struct hd_report *r = check(t, MLX_VF);
        const struct hd_report_item *it;

        assert_int_equal(r->verdict, HD_REPORT_NOW);
        assert_true(r->ok);
        it = item(r, "driver", "on no driver: detach and prepare bind it to mlx5_vfio_pci", HD_REPORT_INFO);
        assert_non_null(strstr(it->text, "vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_vfio_pci is the most "
                                         "specific vfio_pci alias matching its modalias (5 wildcards)"));
        item(r, "acs", "every bridge on the path to the root port isolates it", HD_REPORT_OK);
        item(r, "reset", "reset_method flr pm", HD_REPORT_OK);
        hd_report_free(r);
        r = check(t, IGB1);
        item(r, "driver", "move it to vfio-pci: no vfio_pci alias in /lib/modules/6.1.0-doctor-amd64/modules.alias "
                          "matches its modalias pci:v00008086d000010C9",
             HD_REPORT_INFO);
        hd_report_free(r);
        /* An index that links out of the tree is not read by libkmod either (the host's would answer). */
        tree_sh(t, "cd lib/modules/6.1.0-doctor-amd64 && mv modules.alias.bin elsewhere.bin && "
                   "ln -s /nonexistent/../lib/modules/6.1.0-doctor-amd64/elsewhere.bin modules.alias.bin");
        r = check(t, MLX_VF);
        item(r, "driver", "bind it to vfio-pci: the module index in /lib/modules/6.1.0-doctor-amd64 leads out of the "
                          "root",
             HD_REPORT_INFO);
        hd_report_free(r);
}

/* A process with the group open: named by pid and command, from /proc/PID/fd; and the vfio cdev said. */
static void test_process_holder(void **state) {
        struct emu_test *t = *state;
        struct hd_report *r = check(t, HELD);
        const struct hd_report_item *it;

        assert_int_equal(r->verdict, HD_REPORT_PERSON);
        it = item(r, "process", HELD ": pid 4242 (qemu-system-x86) has /dev/vfio/12 open", HD_REPORT_FAIL);
        assert_false(it->hostdev_fixes);
        assert_string_equal(r->items[0].topic, "process");
        item(r, "vfio", "vfio cdev /dev/vfio/devices/vfio0; iommufd /dev/iommu is there", HD_REPORT_INFO);
        item(r, "driver", "on vfio-pci (/dev/vfio/12)", HD_REPORT_OK);
        item(r, "holder", "nobody holds it", HD_REPORT_OK);
        hd_report_free(r);
        /* The process is gone: free. */
        tree_rm(t, "proc/4242/fd/18");
        r = check(t, HELD);
        assert_int_equal(r->verdict, HD_REPORT_NOW);
        item(r, "process", "no process has /dev/vfio/12 or its other nodes open", HD_REPORT_OK);
        hd_report_free(r);
}

/* The host's setup: IOMMU kind, interrupt remapping, vfio, the command line, as the tree has them. */
static void test_host_setup(void **state) {
        struct emu_test *t = *state;
        struct hd_report *r = check(t, AHCI);

        item(r, "iommu", "IOMMU on: Intel VT-d (dmar0); " AHCI " is in group 13", HD_REPORT_OK);
        item(r, "irq-remap", "interrupt remapping is on (/proc/interrupts lists IR- interrupts)", HD_REPORT_OK);
        item(r, "vfio", "vfio, vfio_pci and vfio_iommu_type1 are loaded; /dev/vfio/vfio is there", HD_REPORT_OK);
        item(r, "cmdline", "kernel command line: intel_iommu=on iommu=pt (iommu=pt:", HD_REPORT_INFO);
        item(r, "reset", "no reset method", HD_REPORT_WARN);
        assert_int_equal(r->verdict, HD_REPORT_NOW);
        hd_report_free(r);
}

static void test_irq_remap_off(void **state) {
        struct emu_test *t = *state;
        struct hd_report *r;
        const struct hd_report_item *it;

        tree_put(t, "proc/interrupts", "           CPU0\n  0:  33  IO-APIC  2-edge  timer\n"
                                       " 24:   9  PCI-MSI-0000:01:00.0  0-edge  amdgpu\n");
        tree_put(t, "proc/cmdline", "root=/dev/sda1 intel_iommu=on intremap=off\n");
        r = check(t, MLX_VF);
        it = item(r, "irq-remap", "interrupt remapping is off: vfio refuses the group", HD_REPORT_FAIL);
        assert_non_null(strstr(it->remedy, "remove intremap=off / nointremap"));
        assert_int_equal(r->verdict, HD_REPORT_PERSON);
        hd_report_free(r);
        tree_put(t, "sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "Y\n");
        r = check(t, MLX_VF);
        item(r, "irq-remap", "allow_unsafe_interrupts=Y", HD_REPORT_WARN);
        assert_int_equal(r->verdict, HD_REPORT_NOW);
        hd_report_free(r);
}

static void test_iommu_off(void **state) {
        struct emu_test *t = *state;
        struct hd_report *r;
        const struct hd_report_item *it;

        tree_rm(t, "sys/class/iommu/dmar0");
        tree_sh(t, "rm -rf sys/kernel/iommu_groups/* sys/devices/pci0000:00/*/iommu_group "
                   "sys/devices/pci0000:00/*/*/iommu_group");
        tree_put(t, "proc/cmdline", "root=/dev/sda1 intel_iommu=off\n");
        r = check(t, MLX_VF);
        it = item(r, "iommu", "no IOMMU is on: the kernel was booted with intel_iommu=off", HD_REPORT_FAIL);
        assert_string_equal(it->remedy, "remove intel_iommu=off from the kernel command line");
        assert_string_equal(it->source, "/proc/cmdline");
        hd_report_free(r);
        tree_put(t, "proc/cmdline", "root=/dev/sda1\n");
        r = check(t, MLX_VF);
        it = item(r, "iommu", "no IOMMU is on", HD_REPORT_FAIL);
        assert_non_null(strstr(it->remedy, "intel_iommu=on"));
        item(r, "cmdline", "no IOMMU or vfio parameters on the kernel command line", HD_REPORT_INFO);
        hd_report_free(r);
}

static void test_vfio_not_loaded(void **state) {
        struct emu_test *t = *state;
        struct hd_report *r;

        tree_sh(t, "rm -rf sys/module/vfio* dev/vfio/vfio");
        r = check(t, MLX_VF);
        item(r, "vfio", "not loaded: vfio, vfio_iommu_type1; detach and prepare load them", HD_REPORT_INFO);
        hd_report_free(r);
        tree_sh(t, "mkdir sys/module/vfio");
        r = check(t, MLX_VF);
        item(r, "vfio", "vfio is loaded but /dev/vfio/vfio is missing", HD_REPORT_WARN);
        hd_report_free(r);
}

/* Whether the host offers iommufd is said beside vfio's modules: /dev/iommu there, or not. */
static void test_iommufd_fact(void **state) {
        struct emu_test *t = *state;
        struct hd_report *r = check(t, MLX_VF);

        item(r, "vfio", "/dev/vfio/vfio is there; iommufd's /dev/iommu is there", HD_REPORT_OK);
        hd_report_free(r);
        tree_sh(t, "rm dev/iommu");
        r = check(t, MLX_VF);
        item(r, "vfio", "/dev/vfio/vfio is there; no /dev/iommu (no iommufd: QEMU opens the group)", HD_REPORT_OK);
        hd_report_free(r);
}

/* Unprivileged, /proc/iomem shows every range as 0: whether a framebuffer is there is unknown, said so. */
static void test_iomem_hidden(void **state) {
        struct emu_test *t = *state;
        struct hd_report *r;

        tree_put(t, "proc/iomem", "00000000-00000000 : System RAM\n00000000-00000000 : PCI Bus 0000:01\n"
                                  "  00000000-00000000 : 0000:01:00.0\n    00000000-00000000 : BOOTFB\n");
        r = check(t, GPU);
        item(r, "display", "whether a firmware framebuffer sits in its BARs is unknown", HD_REPORT_INFO);
        assert_false(has_item(r, "display", "efifb"));
        hd_report_free(r);
        /* A BOOTFB that no driver holds is a warning: nothing reserves it yet. */
        tree_put(t, "proc/iomem", "e0000000-efffffff : 0000:01:00.0\n  e0000000-e02fffff : BOOTFB\n");
        r = check(t, GPU);
        item(r, "display", "the firmware framebuffer's placeholder BOOTFB", HD_REPORT_WARN);
        assert_non_null(strstr(item(r, "display", "BOOTFB", HD_REPORT_WARN)->remedy, "initcall_blacklist=sysfb_init"));
        hd_report_free(r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_gpu, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_group_without_acs, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_acs_quirk, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_acs_needs_root, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_driver, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_process_holder, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_host_setup, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_irq_remap_off, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_iommu_off, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_iommufd_fact, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_vfio_not_loaded, doctor_setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_iomem_hidden, doctor_setup, emu_test_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
