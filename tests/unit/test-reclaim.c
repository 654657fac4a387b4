/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Holds tied to a process on the emulated VM host: a dead holder, a reused pid, a zombie, a vfio group still open. */
#include <fcntl.h>

#include "prepare-test.h"

static const struct hd_owner vm1 = { "qemu", "vm1", NULL };
static const struct hd_owner vm2 = { "qemu", "vm2", NULL };
#define NIC_XML PCI_XML("0x01", "0x00", "0x0", "yes")

/* ROOT/REL with CONTENT, its folders made. */
static void put(struct vm *v, const char *rel, const char *content) {
        _cleanup_free_ char *p = strdupf("%s/%s", emu_root(v->e), rel), *cmd = NULL;
        int fd;
        cmd = strdupf("mkdir -p \"$(dirname '%s')\"", p);
        assert_int_equal(system(cmd), 0);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
        close(fd);
}

static void rm(struct vm *v, const char *rel) {
        _cleanup_free_ char *cmd = strdupf("rm -rf '%s/%s'", emu_root(v->e), rel);
        assert_int_equal(system(cmd), 0);
}

/* Process PID as /proc shows it: in STATE, started at tick START; its command has a ") " to be read past. */
static void process(struct vm *v, int pid, char state, long long start) {
        _cleanup_free_ char *rel = strdupf("proc/%d/stat", pid), *comm = strdupf("proc/%d/comm", pid),
                            *stat = strdupf("%d (qemu) x) %c 1 %d %d 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 4 0 %lld "
                                            "1000000 300 18446744073709551615\n",
                                            pid, state, pid, pid, start);
        put(v, rel, stat);
        put(v, comm, "qemu) x\n");
}

/* Process PID has /dev/vfio/2 (the NIC's group) open. */
static void opens_group(struct vm *v, int pid) {
        _cleanup_free_ char *p = strdupf("%s/proc/%d/fd/17", emu_root(v->e), pid),
                            *cmd = strdupf("mkdir -p '%s/proc/%d/fd'", emu_root(v->e), pid),
                            *comm = strdupf("proc/%d/comm", pid);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(symlink("/dev/vfio/2", p), 0);
        put(v, comm, "qemu-system-x86\n");
}

static void prep_pid(struct vm *v, const struct hd_owner *o, int pid) {
        _cleanup_free_ char *x = vm_domain(o->domain, NIC_XML);
        struct hd_domain_def *def = vm_parse(v->ctx, x);
        if (hd_manager_prepare_pid(v->ctx, o, def, 0, pid, NULL) < 0)
                fail_msg("prepare --pid %d: %s", pid, hd_context_last_error(v->ctx));
        hd_domain_def_free(def);
}

/* hd_recover's report: the "holder" item, which must be there, with its status. */
static char *recover_holder_item(struct vm *v, enum hd_report_status *ret_status) {
        struct hd_report *rep = NULL;
        char *text = NULL;
        assert_true(hd_recover(v->ctx, &rep) >= 0);
        for (size_t i = 0; i < rep->n_items; i++)
                if (streq(rep->items[i].topic, "holder")) {
                        text = strdup(rep->items[i].text);
                        *ret_status = rep->items[i].status;
                }
        hd_report_free(rep);
        if (!text)
                fail_msg("recover said nothing of a holder");
        return text;
}

static size_t reclaims(struct vm *v, char **ret_why) {
        struct hd_reclaim *rv = NULL;
        size_t n = 0;
        assert_int_equal(hd_reclaim_list(v->ctx, &rv, &n), 0);
        if (ret_why)
                *ret_why = n ? strdup(rv[n - 1].why) : NULL;
        hd_reclaim_list_free(rv, n);
        return n;
}

/* The hold keeps pid and start; while the holder lives, recover leaves it. */
static void test_tied_alive(void **state) {
        struct vm *v = *state;
        struct hd_active *a = NULL;
        struct hd_report *rep = NULL;

        process(v, 777, 'S', 5000);
        prep_pid(v, &vm1, 777);
        assert_int_equal(hd_active_get(v->ctx, "pci", NIC, &a), 0);
        assert_int_equal(a->holder_pid, 777);
        assert_int_equal(a->holder_start, 5000);
        hd_active_free(a);
        assert_int_equal(hd_recover(v->ctx, &rep), 0);
        assert_int_equal(rep->n_items, 0);
        hd_report_free(rep);
        assert_state(v->ctx, "pci", NIC, "held");
        assert_driver(v->e, NIC, "vfio-pci");
        assert_int_equal(reclaims(v, NULL), 0);
}

/* The holder is gone: recover gives the device back to e1000e, says so, and records it. */
static void test_dead_pid(void **state) {
        struct vm *v = *state;
        enum hd_report_status st;
        _cleanup_free_ char *text = NULL, *why = NULL;

        process(v, 777, 'S', 5000);
        prep_pid(v, &vm1, 777);
        rm(v, "proc/777");
        text = recover_holder_item(v, &st);
        assert_int_equal(st, HD_REPORT_OK);
        assert_string_equal(text, "qemu:vm1's holder pid 777 is gone: its devices (pci 0000:01:00.0) are given back");
        assert_driver(v->e, NIC, "e1000e");
        assert_int_equal(vm_records(v->ctx), 0);
        assert_int_equal(reclaims(v, &why), 1);
        assert_string_equal(why, "pid 777 is gone");
}

/* The pid is another process's now (another start time): not the holder. A zombie has exited too. */
static void test_reused_pid_and_zombie(void **state) {
        struct vm *v = *state;
        enum hd_report_status st;
        _cleanup_free_ char *text = NULL, *text2 = NULL, *why = NULL;

        process(v, 777, 'S', 5000);
        prep_pid(v, &vm1, 777);
        process(v, 777, 'S', 9100);
        text = recover_holder_item(v, &st);
        assert_int_equal(st, HD_REPORT_OK);
        assert_non_null(strstr(text, "pid 777 is another process now (started at tick 9100, the holder at 5000)"));
        assert_driver(v->e, NIC, "e1000e");
        assert_int_equal(reclaims(v, NULL), 1);

        process(v, 778, 'S', 6000);
        prep_pid(v, &vm2, 778);
        process(v, 778, 'Z', 6000);
        text2 = recover_holder_item(v, &st);
        assert_non_null(strstr(text2, "qemu:vm2's holder pid 778 is gone"));
        assert_driver(v->e, NIC, "e1000e");
        assert_int_equal(reclaims(v, &why), 2);
        assert_string_equal(why, "pid 778 is gone");
}

/* A process has the group open: the device is never given back; the process is named, the record kept. */
static void test_group_still_open(void **state) {
        struct vm *v = *state;
        enum hd_report_status st;
        _cleanup_free_ char *text = NULL, *again = NULL;

        process(v, 777, 'S', 5000);
        prep_pid(v, &vm1, 777);
        rm(v, "proc/777");
        opens_group(v, 900);
        text = recover_holder_item(v, &st);
        assert_int_equal(st, HD_REPORT_WARN);
        assert_non_null(strstr(text, "qemu:vm1's holder pid 777 is gone, but 0000:01:00.0: pid 900 (qemu-system-x86) "
                                     "has /dev/vfio/2 open: its devices (pci 0000:01:00.0) stay held"));
        assert_state(v->ctx, "pci", NIC, "held");
        assert_driver(v->e, NIC, "vfio-pci");
        assert_int_equal(reclaims(v, NULL), 0);
        /* A changing verb says it as a notice, and goes on. */
        {
                _cleanup_free_ char *x = vm_domain("vm2", PCI_XML("0x02", "0x00", "0x0", "yes") PCI_XML("0x02", "0x00", "0x1", "yes"));
                struct hd_domain_def *def = vm_parse(v->ctx, x);
                char **notes;
                assert_int_equal(hd_manager_prepare(v->ctx, &vm2, def, 0, NULL), 0);
                hd_domain_def_free(def);
                notes = hd_context_take_notices(v->ctx);
                assert_non_null(notes);
                assert_non_null(strstr(notes[0], "pid 900 (qemu-system-x86) has /dev/vfio/2 open"));
                assert_non_null(strstr(notes[0], "stop that process"));
                hd_strv_free(notes);
                assert_int_equal(hd_manager_release(v->ctx, &vm2, NULL, 0), 2);
        }
        assert_state(v->ctx, "pci", NIC, "held");
        /* Closed: given back. */
        rm(v, "proc/900");
        again = recover_holder_item(v, &st);
        assert_int_equal(st, HD_REPORT_OK);
        assert_driver(v->e, NIC, "e1000e");
        assert_int_equal(reclaims(v, NULL), 1);
}

/* A dead holder's device goes back before another owner's prepare checks it: the prepare takes it. */
static void test_prepare_reclaims_first(void **state) {
        struct vm *v = *state;
        char **notes;
        struct hd_active *a = NULL;

        process(v, 777, 'S', 5000);
        prep_pid(v, &vm1, 777);
        rm(v, "proc/777");
        process(v, 779, 'S', 7000);
        prep_pid(v, &vm2, 779);
        notes = hd_context_take_notices(v->ctx);
        assert_non_null(notes);
        assert_string_equal(notes[0], "qemu:vm1's holder pid 777 is gone: its devices (pci 0000:01:00.0) are given back");
        hd_strv_free(notes);
        assert_int_equal(hd_active_get(v->ctx, "pci", NIC, &a), 0);
        assert_string_equal(a->owner_domain, "vm2");
        assert_int_equal(a->holder_pid, 779);
        hd_active_free(a);
        assert_driver(v->e, NIC, "vfio-pci");
}

/* A hold tied anew (hostdev run: to its launcher); untied; the owner's own release is no reclaim. */
static void test_tie_anew_and_own_release(void **state) {
        struct vm *v = *state;
        struct hd_active *a = NULL;

        process(v, 777, 'S', 5000);
        process(v, 780, 'S', 8000);
        prep_pid(v, &vm1, 777);
        assert_int_equal(hd_manager_hold_pid(v->ctx, &vm1, 780), 0);
        assert_int_equal(hd_active_get(v->ctx, "pci", NIC, &a), 0);
        assert_int_equal(a->holder_pid, 780);
        assert_int_equal(a->holder_start, 8000);
        hd_active_free(a);
        rm(v, "proc/777"); /* the first holder is nothing now */
        rm(v, "proc/780");
        assert_int_equal(hd_manager_release(v->ctx, &vm1, NULL, 0), 1);
        assert_null(hd_context_take_notices(v->ctx));
        assert_int_equal(reclaims(v, NULL), 0);
        assert_driver(v->e, NIC, "e1000e");
        /* Tying what nobody holds, or to no process. */
        assert_int_equal(hd_manager_hold_pid(v->ctx, &vm1, 0), -ENOENT);
        assert_error_has(v->ctx, "qemu:vm1 holds nothing to tie to a process");
        process(v, 781, 'S', 8100);
        prep_pid(v, &vm1, 781);
        assert_int_equal(hd_manager_hold_pid(v->ctx, &vm1, 0), 0);
        assert_int_equal(hd_active_get(v->ctx, "pci", NIC, &a), 0);
        assert_int_equal(a->holder_pid, 0);
        hd_active_free(a);
        rm(v, "proc/781");
        assert_int_equal(hd_recover(v->ctx, NULL), 0);
        assert_state(v->ctx, "pci", NIC, "held"); /* untied: held until released */
}

/* A pid with no process: refused before anything is taken. */
static void test_no_such_process(void **state) {
        struct vm *v = *state;
        _cleanup_free_ char *x = vm_domain("vm1", NIC_XML);
        struct hd_domain_def *def = vm_parse(v->ctx, x);

        assert_int_equal(hd_manager_prepare_pid(v->ctx, &vm1, def, 0, 4321, NULL), -ESRCH);
        assert_error_has(v->ctx, "there is no process 4321");
        assert_int_equal(hd_manager_prepare_pid(v->ctx, &vm1, def, 0, -3, NULL), -EINVAL);
        hd_domain_def_free(def);
        assert_int_equal(vm_records(v->ctx), 0);
        assert_driver(v->e, NIC, "e1000e");
        /* A stat that is not proc_pid_stat(5)'s: never a guess. */
        put(v, "proc/4321/stat", "4321 no parentheses\n");
        def = vm_parse(v->ctx, x);
        assert_int_equal(hd_manager_prepare_pid(v->ctx, &vm1, def, 0, 4321, NULL), -EBADMSG);
        assert_error_has(v->ctx, "/proc/4321/stat cannot be read");
        hd_domain_def_free(def);
        assert_int_equal(vm_records(v->ctx), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_tied_alive, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_dead_pid, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_reused_pid_and_zombie, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_group_still_open, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_prepare_reclaims_first, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_tie_anew_and_own_release, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_no_such_process, vm_setup, vm_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
