/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <interface type='hostdev'> on the emulated host: trust and link state, a MAC unique on its PF, a refused old MAC. */
#include "prepare-test.h"

#define MAC_A "52:54:00:aa:00:01"
#define MAC_B "52:54:00:bb:00:02"

/* An <interface type='hostdev'> on VF n of enp3s0f0 (03:02.n), with MAC (or none) and EXTRA elements. */
static char *iface(unsigned n, const char *attrs, const char *mac, const char *extra) {
        char *x = strdupf("<interface type='hostdev' managed='yes'%s>%s%s%s<source><address type='pci' domain='0x0000' "
                          "bus='0x03' slot='0x02' function='0x%u'/></source>%s</interface>",
                          attrs, mac ? "<mac address='" : "", mac ? mac : "", mac ? "'/>" : "", n, extra);
        assert_non_null(x);
        return x;
}

static int prep(struct vm *v, const struct hd_owner *o, const char *devices) {
        _cleanup_free_ char *x = vm_domain(o->domain, devices);
        struct hd_domain_def *def = vm_parse(v->ctx, x);
        int r = hd_manager_prepare(v->ctx, o, def, 0, NULL);
        hd_domain_def_free(def);
        return r;
}

/* VF n's settings in the emulator as "MAC VLAN[:QOS] flags". */
static char *vf_now(struct vm *v, unsigned n) {
        struct hd_vf_net net;
        char mac[18], vlan[24], flags[48];
        assert_int_equal(emu_vfnet_read(v->e, "enp3s0f0", n, &net), 0);
        hd_vf_net_to_strings(&net, mac, vlan);
        hd_vf_net_flags_to_string(&net, flags);
        return strdupf("%s %s %s", mac, vlan, flags);
}

static void assert_vf(struct vm *v, unsigned n, const char *want) {
        _cleanup_free_ char *got = vf_now(v, n);
        if (!got || !streq(got, want))
                fail_msg("VF %u is '%s', expected '%s'", n, got ? got : "?", want);
}

/* Settings as the kernel would have them after `ip link set enp3s0f0 vf N ...`. */
static void vf_preset(struct vm *v, unsigned n, const char *line) {
        _cleanup_free_ char *p = strdupf("%s/.emulator/vfnet/enp3s0f0/%u", emu_root(v->e), n);
        FILE *f = p ? fopen(p, "we") : NULL;
        assert_non_null(f);
        fprintf(f, "%s\n", line);
        fclose(f);
}

static const struct hd_owner vma = { "qemu", "vma", "aaaaaaaa-0000-4000-8000-000000000001" };
static const struct hd_owner vmb = { "qemu", "vmb", "bbbbbbbb-0000-4000-8000-000000000002" };

/* trustGuestRxFilters='yes' and <link state='down'/>: set with MAC and VLAN, recorded, put back; qos too. */
static void test_trust_link_round_trip(void **state) {
        struct vm *v = *state;
        _cleanup_free_ char *x = iface(1, " trustGuestRxFilters='yes'", MAC_A, "<vlan><tag id='43'/></vlan><link state='down'/>");
        struct hd_active *a = NULL;

        vf_preset(v, 1, "00:00:00:00:00:00 7 3 spoofchk=on trust=off link=auto");
        if (prep(v, &vma, x) < 0)
                fail_msg("prepare: %s", hd_context_last_error(v->ctx));
        assert_vf(v, 1, MAC_A " 43 spoofchk=on trust=on link=disable");
        assert_driver(v->e, VF1, "vfio-pci");
        assert_int_equal(hd_active_get(v->ctx, "net_vf", VF1, &a), 0);
        assert_string_equal(a->vf_mac, "00:00:00:00:00:00");
        assert_string_equal(a->vf_vlan, "7:3");
        /* only what the interface changes is kept: spoof checking was not asked for */
        assert_string_equal(a->vf_flags, "trust=off link=auto");
        hd_active_free(a);
        assert_int_equal(hd_manager_release(v->ctx, &vma, NULL, 0), 2);
        assert_vf(v, 1, "00:00:00:00:00:00 7:3 spoofchk=on trust=off link=auto");
        assert_driver(v->e, VF1, "iavf");
        assert_int_equal(vm_records(v->ctx), 0);
}

/* A setting the PF driver lacks (igb has no ndo_set_vf_link_state): refused by name, nothing left behind. */
static void test_missing_setting(void **state) {
        struct vm *v = *state;
        _cleanup_free_ char *x = iface(1, "", MAC_A, "<link state='down'/>");

        v->vfnet.missing = HD_VF_NET_LINK;
        assert_int_equal(prep(v, &vma, x), -EOPNOTSUPP);
        assert_error_has(v->ctx, "cannot set the link state of its VF 1");
        assert_error_has(v->ctx, "remove that setting");
        assert_vf(v, 1, "00:00:00:00:00:00 0 spoofchk=on trust=off link=auto");
        assert_driver(v->e, VF1, "iavf");
        assert_int_equal(vm_records(v->ctx), 0);
        assert_int_equal(vm_open_ops(v->ctx), 0);
}

/* Two VMs asking for one MAC on VFs of one PF: the second is refused, naming the first; its VF untouched. */
static void test_duplicate_mac(void **state) {
        struct vm *v = *state;
        _cleanup_free_ char *a = iface(0, "", MAC_A, ""), *b = iface(1, "", MAC_A, ""), *b2 = iface(1, "", MAC_B, ""),
                            *both = strdupf("%s%s", a, b);

        if (prep(v, &vma, a) < 0)
                fail_msg("prepare vma: %s", hd_context_last_error(v->ctx));
        assert_int_equal(prep(v, &vmb, b), -EBUSY);
        assert_error_has(v->ctx, "MAC " MAC_A " is VF 0's (" VF0 ") of enp3s0f0 already, held by qemu:vma");
        assert_error_has(v->ctx, "give " VF1 " another <mac address>");
        assert_driver(v->e, VF1, "iavf");
        assert_vf(v, 1, "00:00:00:00:00:00 0 spoofchk=on trust=off link=auto");
        assert_null(vm_state(v->ctx, "net_vf", VF1));
        /* another MAC is fine */
        if (prep(v, &vmb, b2) < 0)
                fail_msg("prepare vmb: %s", hd_context_last_error(v->ctx));
        assert_int_equal(hd_manager_release(v->ctx, &vmb, NULL, 0), 2);
        assert_int_equal(hd_manager_release(v->ctx, &vma, NULL, 0), 2);

        /* the same MAC set by hand on another VF */
        vf_preset(v, 1, MAC_A " 0 0 spoofchk=on trust=off link=auto");
        assert_int_equal(prep(v, &vma, a), -EBUSY);
        assert_error_has(v->ctx, "set outside hostdev");
        assert_driver(v->e, VF0, "iavf");
        vf_preset(v, 1, "00:00:00:00:00:00 0 0");

        /* two interfaces of one domain */
        assert_int_equal(prep(v, &vma, both), -EINVAL);
        assert_error_has(v->ctx, "two interfaces ask for MAC " MAC_A " on VFs " VF0 " and " VF1 " of enp3s0f0");
        assert_int_equal(vm_records(v->ctx), 0);
        assert_driver(v->e, VF0, "iavf");
}

/*
 * A driver that refuses the all-zero MAC a new VF has: release says so and leaves a MAC made from the VF's
 * address that no other VF of the PF has (not the guest's, which would block it for another VF).
 */
static void test_old_mac_refused(void **state) {
        struct vm *v = *state;
        _cleanup_free_ char *x = iface(1, "", MAC_A, "<vlan><tag id='5'/></vlan>");
        char **notes;

        v->vfnet.refuse_zero_mac = true;
        /* the first candidate, 02:68:00:03:11:00, is VF 0's already */
        vf_preset(v, 0, "02:68:00:03:11:00 0 0");
        if (prep(v, &vma, x) < 0)
                fail_msg("prepare: %s", hd_context_last_error(v->ctx));
        assert_null(hd_context_take_notices(v->ctx));
        assert_int_equal(hd_manager_release(v->ctx, &vma, NULL, 0), 2);
        assert_vf(v, 1, "02:68:00:03:11:01 0 spoofchk=on trust=off link=auto");
        assert_driver(v->e, VF1, "iavf");
        assert_int_equal(vm_records(v->ctx), 0);
        notes = hd_context_take_notices(v->ctx);
        assert_non_null(notes);
        assert_null(notes[1]);
        if (!strstr(notes[0], "VF 1 (" VF1 ") of enp3s0f0: its old MAC 00:00:00:00:00:00 could not be put back") ||
            !strstr(notes[0], "it has 02:68:00:03:11:01 now, which no other VF of enp3s0f0 has"))
                fail_msg("notice: %s", notes[0]);
        hd_strv_free(notes);
        assert_null(hd_context_take_notices(v->ctx));
        /* released again: nothing held, nothing said */
        assert_int_equal(hd_manager_release(v->ctx, &vma, NULL, 0), 0);
        assert_null(hd_context_take_notices(v->ctx));
}

/* An interface that asks neither trust nor link state keeps no flags, and sends only MAC and VLAN. */
static void test_no_flags_asked(void **state) {
        struct vm *v = *state;
        _cleanup_free_ char *x = iface(0, "", MAC_A, "");
        struct hd_active *a = NULL;

        if (prep(v, &vma, x) < 0)
                fail_msg("prepare: %s", hd_context_last_error(v->ctx));
        assert_int_equal(hd_active_get(v->ctx, "net_vf", VF0, &a), 0);
        assert_null(a->vf_flags);
        hd_active_free(a);
        assert_int_equal(hd_manager_release(v->ctx, &vma, NULL, 0), 2);
        assert_vf(v, 0, "02:00:00:00:03:00 0 spoofchk=on trust=off link=auto");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_trust_link_round_trip, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_missing_setting, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_duplicate_mac, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_old_mac_refused, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_no_flags_asked, vm_setup, vm_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
