/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A process killed at every write of a prepare, of a release and of their recovery: hd_recover makes each device whole. */
#include <sys/wait.h>

#include "prepare-test.h"

typedef int (*op_fn)(struct hd_context *ctx, const struct hd_domain_def *def);

static int op_prepare(struct hd_context *ctx, const struct hd_domain_def *def) {
        return hd_manager_prepare(ctx, &vm_owner, def, 0, NULL);
}
static int op_release(struct hd_context *ctx, const struct hd_domain_def *def) {
        return hd_manager_release(ctx, &vm_owner, def, 0) >= 0 ? 0 : -EIO;
}
static int op_recover(struct hd_context *ctx, const struct hd_domain_def *def) {
        return hd_recover(ctx, NULL) >= 0 ? 0 : -EIO;
}

/* OP in a child that dies at its Nth write, before or after applying it; its exit code. */
static int run_crashing(struct vm *v, op_fn op, const struct hd_domain_def *def, unsigned n, bool after) {
        pid_t pid = fork();
        int st;
        assert_true(pid >= 0);
        if (pid == 0) {
                struct hd_context *ctx;
                v->writes = 0;
                v->crash_at = n;
                v->crash_after = after;
                ctx = vm_context(v);
                _exit(op(ctx, def) == 0 ? 0 : 1);
        }
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        return WEXITSTATUS(st);
}

/*
 * Each device of the domain, the store and the tree agreeing: held by
 * vm1 and given to it, or unrecorded and back as the host had it. Returns
 * how many are held.
 */
static int assert_whole(struct vm *v, const char *when) {
        struct hd_context *ctx = v->ctx;
        _cleanup_free_ char *nic = vm_state(ctx, "pci", NIC), *vf = vm_state(ctx, "pci", VF0),
                            *net = vm_state(ctx, "net_vf", VF0), *usb = vm_state(ctx, "usb", "001:002 0204:6025"),
                            *scsi = vm_state(ctx, "scsi", "2:0:0:0"), *m1 = vm_state(ctx, "mdev", MDEV_ON),
                            *m2 = vm_state(ctx, "mdev", MDEV_DEF);
        _cleanup_free_ char *nicdrv = emu_driver(v->e, NIC), *nicov = emu_override(v->e, NIC),
                            *vfdrv = emu_driver(v->e, VF0), *vfov = emu_override(v->e, VF0);
        const char *const states[] = { nic, vf, net, usb, scsi, m1, m2 };
        struct hd_vf_net n;
        char mac[18], vlan[24];
        int held = 0;

        for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
                if (states[i] && !streq(states[i], "held"))
                        fail_msg("%s: device %zu is recorded %s", when, i, states[i]);
                held += states[i] != NULL;
        }
        if (nic ? !nicdrv || !streq(nicdrv, "vfio-pci") : !nicdrv || !streq(nicdrv, "e1000e") || nicov)
                fail_msg("%s: NIC %s but on %s (override %s)", when, nic ? "held" : "not recorded",
                         nicdrv ? nicdrv : "no driver", nicov ? nicov : "none");
        if (vf ? !vfdrv || !streq(vfdrv, "vfio-pci") : !vfdrv || !streq(vfdrv, "iavf") || vfov)
                fail_msg("%s: VF %s but on %s (override %s)", when, vf ? "held" : "not recorded", vfdrv ? vfdrv : "no driver",
                         vfov ? vfov : "none");
        assert_int_equal(emu_vfnet_read(v->e, "enp3s0f0", 0, &n), 0);
        hd_vf_net_to_strings(&n, mac, vlan);
        if (net ? !streq(mac, "52:54:00:6d:90:02") || n.vlan != 42 : !streq(mac, "02:00:00:00:03:00") || n.vlan != 0)
                fail_msg("%s: VF settings %s but MAC %s VLAN %u", when, net ? "held" : "not recorded", mac, n.vlan);
        if (!vm_mdev_running(v, MDEV_ON) || vm_mdev_running(v, MDEV_DEF) != (m2 != NULL))
                fail_msg("%s: mdev %s %s but %s", when, MDEV_DEF, m2 ? "held" : "not recorded",
                         vm_mdev_running(v, MDEV_DEF) ? "running" : "stopped");
        if (vm_open_ops(ctx) != 0)
                fail_msg("%s: %d operations still open", when, vm_open_ops(ctx));
        return held;
}

/* Recover, check, recover again (it changes nothing). Returns how many devices are held. */
static int recover_and_check(struct vm *v, const char *when) {
        struct hd_report *rep = NULL;
        unsigned before;
        int held;

        if (hd_recover(v->ctx, &rep) < 0)
                fail_msg("%s: recover failed: %s", when, hd_context_last_error(v->ctx));
        hd_report_free(rep);
        held = assert_whole(v, when);
        before = v->writes;
        assert_int_equal(hd_recover(v->ctx, NULL), 0);
        assert_int_equal(v->writes, before);
        return held;
}

static unsigned count_writes(struct vm *v, op_fn op, const struct hd_domain_def *def) {
        unsigned before = v->writes;
        assert_int_equal(op(v->ctx, def), 0);
        return v->writes - before;
}

typedef void (*check_fn)(struct vm *v, const char *when);

/* OP (WHAT, TOTAL writes) killed before, then after, each of its writes, PRE run first (NULL: none), CHECK after. */
static void kill_each_write(struct vm *v, const char *what, op_fn op, op_fn pre, const struct hd_domain_def *def,
                            unsigned total, check_fn check) {
        for (int after = 0; after < 2; after++)
                for (unsigned n = 1; n <= total; n++) {
                        char when[64];
                        snprintf(when, sizeof(when), "%s killed %s write %u of %u", what, after ? "after" : "before", n,
                                 total);
                        if (pre)
                                assert_int_equal(pre(v->ctx, def), 0);
                        assert_int_equal(run_crashing(v, op, def, n, after), EMU_CRASH_EXIT);
                        check(v, when);
                }
}

/* Whether the caller never heard a prepare worked, or asked a release for the devices: undone, whole. */
static void recovered_pristine(struct vm *v, const char *when) {
        assert_int_equal(recover_and_check(v, when), 0);
        vm_assert_pristine(v, when);
}

static void test_kill_prepare(void **state) {
        struct vm *v = *state;
        struct hd_domain_def *def = vm_parse(v->ctx, vm_domain_xml);
        unsigned total = count_writes(v, op_prepare, def);

        assert_int_equal(assert_whole(v, "prepared"), 7);
        assert_int_equal(count_writes(v, op_release, def), total);
        kill_each_write(v, "prepare", op_prepare, NULL, def, total, recovered_pristine);
        /* The host still works. */
        assert_int_equal(op_prepare(v->ctx, def), 0);
        vm_assert_prepared(v, v->ctx, "prepared after the crashes");
        hd_domain_def_free(def);
}

static void test_kill_release(void **state) {
        struct vm *v = *state;
        struct hd_domain_def *def = vm_parse(v->ctx, vm_domain_xml);
        unsigned total;

        assert_int_equal(op_prepare(v->ctx, def), 0);
        total = count_writes(v, op_release, def);
        kill_each_write(v, "release", op_release, op_prepare, def, total, recovered_pristine);
        hd_domain_def_free(def);
}

/* A prepare killed half-way, then the recovery killed at each of its writes: the next recovery ends it. */
static void test_kill_recovery(void **state) {
        struct vm *v = *state;
        struct hd_domain_def *def = vm_parse(v->ctx, vm_domain_xml);
        unsigned total = count_writes(v, op_prepare, def), rtotal;

        assert_int_equal(count_writes(v, op_release, def), total);
        /* Killed after the last write: the most to undo. */
        assert_int_equal(run_crashing(v, op_prepare, def, total, true), EMU_CRASH_EXIT);
        rtotal = count_writes(v, op_recover, def);
        assert_true(rtotal >= total - 1);
        assert_int_equal(assert_whole(v, "recovered"), 0);
        for (unsigned m = 1; m <= rtotal; m++) {
                char when[64];
                snprintf(when, sizeof(when), "recovery killed at write %u of %u", m, rtotal);
                assert_int_equal(run_crashing(v, op_prepare, def, total, true), EMU_CRASH_EXIT);
                assert_int_equal(run_crashing(v, op_recover, def, m, m % 2), EMU_CRASH_EXIT);
                assert_int_equal(recover_and_check(v, when), 0);
                vm_assert_pristine(v, when);
        }
        /* The same for a release whose recovery is killed. */
        assert_int_equal(op_prepare(v->ctx, def), 0);
        assert_int_equal(run_crashing(v, op_release, def, 2, false), EMU_CRASH_EXIT);
        assert_int_equal(run_crashing(v, op_recover, def, 2, true), EMU_CRASH_EXIT);
        assert_int_equal(recover_and_check(v, "release, its recovery killed"), 0);
        /* The next operation recovers by itself before it starts. */
        assert_int_equal(run_crashing(v, op_prepare, def, 3, false), EMU_CRASH_EXIT);
        assert_int_equal(op_prepare(v->ctx, def), 0);
        assert_int_equal(assert_whole(v, "prepare after a killed one"), 7);
        hd_domain_def_free(def);
}

/* VF 1 with a VLAN priority no XML can ask, given trust and link state by an interface: the settings a kill leaves. */
static const char netvf_xml[] =
        "<domain type='kvm'><name>vm1</name><uuid>11111111-2222-3333-4444-555555555555</uuid><devices>"
        "<interface type='hostdev' managed='yes' trustGuestRxFilters='yes'><mac address='52:54:00:aa:00:01'/>"
        "<source><address type='pci' domain='0x0000' bus='0x03' slot='0x02' function='0x1'/></source>"
        "<vlan><tag id='43'/></vlan><link state='down'/></interface></devices></domain>";
#define VF1_BEFORE "00:00:00:00:00:00 7:3 spoofchk=on trust=off link=auto"
#define VF1_GUEST "52:54:00:aa:00:01 43 spoofchk=on trust=on link=disable"

static void assert_vf1(struct vm *v, const char *want, const char *when) {
        struct hd_vf_net n;
        char mac[18], vlan[24], flags[48];
        _cleanup_free_ char *got = NULL;

        assert_int_equal(emu_vfnet_read(v->e, "enp3s0f0", 1, &n), 0);
        hd_vf_net_to_strings(&n, mac, vlan);
        hd_vf_net_flags_to_string(&n, flags);
        got = strdupf("%s %s %s", mac, vlan, flags);
        if (!got || !streq(got, want))
                fail_msg("%s: VF 1 is '%s', expected '%s'", when, got ? got : "?", want);
}

/* After a kill: recovered, VF 1 as before on its driver, nothing recorded. */
static void recover_vf1(struct vm *v, const char *when) {
        if (hd_recover(v->ctx, NULL) < 0)
                fail_msg("%s: recover failed: %s", when, hd_context_last_error(v->ctx));
        assert_vf1(v, VF1_BEFORE, when);
        assert_driver(v->e, VF1, "iavf");
        assert_int_equal(vm_records(v->ctx), 0);
}

/* The interface's messages killed at each write (MAC and VLAN, trust, link state) of prepare and release. */
static void test_kill_netvf(void **state) {
        struct vm *v = *state;
        struct hd_domain_def *def = vm_parse(v->ctx, netvf_xml);
        _cleanup_free_ char *p = strdupf("%s/.emulator/vfnet/enp3s0f0/1", emu_root(v->e));
        FILE *f = p ? fopen(p, "we") : NULL;
        unsigned total;

        assert_non_null(f);
        fputs("00:00:00:00:00:00 7 3 spoofchk=on trust=off link=auto\n", f); /* "MAC VLAN QOS flags" */
        fclose(f);
        total = count_writes(v, op_prepare, def);
        assert_vf1(v, VF1_GUEST, "prepared");
        assert_int_equal(count_writes(v, op_release, def), total);
        assert_vf1(v, VF1_BEFORE, "released");
        kill_each_write(v, "prepare", op_prepare, NULL, def, total, recover_vf1);
        kill_each_write(v, "release", op_release, op_prepare, def, total, recover_vf1);
        hd_domain_def_free(def);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_kill_prepare, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_kill_release, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_kill_recovery, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_kill_netvf, vm_setup, vm_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
