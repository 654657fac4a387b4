/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Prepare and release 64 VFs for one guest: the writes grow linearly, the store does one transaction per step. */
#include <stdio.h>
#include <time.h>

#include "manager/prepare.h"
#include "prepare-test.h"

#define N_VF 64
/* Per VF: driver_override, unbind, drivers_probe, and the netlink message that sets its MAC and VLAN. */
#define K_WRITES 4

static int on_commit(void *userdata) {
        (*(unsigned *)userdata)++;
        return 0;
}

static double now(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int steps_of_last_op(struct hd_store *s) {
        sqlite3_stmt *st = NULL;
        int n = -1;
        if (sqlite3_prepare_v2(s->db, "SELECT COUNT(*) FROM journal WHERE op_id = (SELECT MAX(id) FROM ops)", -1, &st,
                               NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
                n = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        return n;
}

static char *domain_of_vfs(void) {
        struct strbuf b = {};
        strbuf_append(&b, "<domain type='kvm'><name>big</name><devices>");
        for (unsigned i = 0; i < N_VF; i++) {
                /* sriov_offset 16, stride 1: VF i is devfn 16 + i on bus 3. */
                unsigned devfn = 16 + i;
                strbuf_appendf(&b,
                               "<interface type='hostdev' managed='yes'><mac address='52:54:00:aa:00:%02x'/>"
                               "<source><address type='pci' domain='0x0000' bus='0x03' slot='0x%02x' function='0x%x'/>"
                               "</source><vlan><tag id='%u'/></vlan></interface>",
                               i, devfn >> 3, devfn & 7, 100 + i);
        }
        strbuf_append(&b, "</devices></domain>");
        return strbuf_steal(&b);
}

struct measure {
        unsigned writes, commits;
        int steps;
        double seconds;
};

static void print_measure(const char *what, const struct measure *m) {
        printf("# %s of %d VFs for one owner: %u writes (%.2f per VF), %d journal steps, %u store transactions "
               "(%.2f per step), %.3f s\n",
               what, N_VF, m->writes, (double)m->writes / N_VF, m->steps, m->commits,
               m->steps > 0 ? (double)m->commits / m->steps : 0, m->seconds);
}

static void test_64_vfs(void **state) {
        struct vm *v = vm_new();
        const struct hd_owner owner = { "qemu", "big", NULL };
        _cleanup_free_ char *xml = domain_of_vfs();
        struct hd_domain_def *def;
        struct hd_store *s = NULL;
        struct measure prep = {}, rel = {};
        int lock = -1, r;
        double t;

        assert_non_null(xml);
        if (hd_sriov_set_numvfs(v->ctx, PF, N_VF, 0, 5000, NULL, NULL) < 0)
                fail_msg("enabling %d VFs: %s", N_VF, hd_context_last_error(v->ctx));
        def = vm_parse(v->ctx, xml);
        assert_int_equal(def->n_hostdevs, N_VF);

        /* The locked part, on a store whose commits we count. */
        assert_int_equal(store_lock(v->ctx, &lock), 0);
        assert_int_equal(store_open(v->ctx, 0, &s), 0);
        sqlite3_commit_hook(s->db, on_commit, &prep.commits);
        v->writes = 0;
        t = now();
        r = manager_prepare_locked(v->ctx, s, &owner, def, 0, NULL);
        prep.seconds = now() - t;
        if (r < 0)
                fail_msg("prepare: %s", hd_context_last_error(v->ctx));
        prep.writes = v->writes;
        prep.steps = steps_of_last_op(s);
        print_measure("prepare", &prep);

        sqlite3_commit_hook(s->db, on_commit, &rel.commits);
        v->writes = 0;
        t = now();
        r = manager_release_locked(v->ctx, s, &owner, def, 0);
        rel.seconds = now() - t;
        if (r < 0)
                fail_msg("release: %s", hd_context_last_error(v->ctx));
        rel.writes = v->writes;
        rel.steps = steps_of_last_op(s);
        print_measure("release", &rel);
        store_close(s);
        close(lock);

        /* Linear: at most K writes per VF, each one a journal step. */
        assert_true(prep.writes <= K_WRITES * N_VF);
        assert_true(rel.writes <= K_WRITES * N_VF);
        assert_int_equal(prep.steps, (int)prep.writes);
        assert_int_equal(rel.steps, (int)rel.writes);
        /* One transaction per step, plus the claim and the end: not one per device per step. */
        assert_true(prep.commits <= prep.writes + 2);
        assert_true(rel.commits <= rel.writes + 2);

        /* And it did what it says. */
        {
                struct hd_vf_net n;
                assert_int_equal(emu_vfnet_read(v->e, "enp3s0f0", 63, &n), 0);
                assert_int_equal(n.vlan, 0);
                assert_int_equal(vm_records(v->ctx), 0);
                assert_driver(v->e, "0000:03:09.7", "iavf");
        }
        hd_domain_def_free(def);
        vm_free(v);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_64_vfs),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
