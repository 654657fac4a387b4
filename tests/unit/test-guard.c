/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verbs beside the manager (sriov, mdev) against its records: a store they cannot read, a held device, a race. */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "hostdev/mdev.h"
#include "hostdev/sriov.h"
#include "prepare-test.h"

#define VF0_XML PCI_XML("0x03", "0x02", "0x0", "yes")
#define VF0_PATH "sys/bus/pci/devices/" VF0
#define MDEV_XML(uuid) "<hostdev mode='subsystem' type='mdev' model='vfio-pci'><source><address uuid='" uuid "'/></source></hostdev>"

static int prep(struct vm *v, struct hd_context *ctx, const char *devices) {
        _cleanup_free_ char *x = vm_domain(vm_owner.domain, devices);
        struct hd_domain_def *def = vm_parse(ctx, x);
        int r = hd_manager_prepare(ctx, &vm_owner, def, 0, NULL);
        hd_domain_def_free(def);
        return r;
}

static void must_prep(struct vm *v, const char *devices) {
        if (prep(v, v->ctx, devices) < 0)
                fail_msg("prepare: %s", hd_context_last_error(v->ctx));
}

static char *db_path(struct vm *v) {
        return strdupf("%s/hostdev.db", hd_context_get_state_dir(v->ctx));
}

/* Overwrite the database's header (keeping a copy in SAVED), or put the copy back. */
static void db_corrupt(struct vm *v, const char *saved) {
        _cleanup_free_ char *db = db_path(v), *cmd = strdupf("cp -p '%s' '%s'", db, saved);
        FILE *f;
        assert_int_equal(system(cmd), 0);
        assert_non_null(f = fopen(db, "r+"));
        assert_int_equal(fwrite("this is no SQLite database, not anymore", 1, 39, f), 39);
        assert_int_equal(fclose(f), 0);
}

static void db_restore(struct vm *v, const char *saved) {
        _cleanup_free_ char *db = db_path(v);
        assert_int_equal(rename(saved, db), 0);
}

/* A VF count is never changed over a store that cannot be read, --force or not: a guest may hold a VF. */
static void test_sriov_unreadable(void **state) {
        struct vm *v = *state;
        _cleanup_free_ char *saved = strdupf("%s/saved.db", emu_root(v->e));

        must_prep(v, VF0_XML);
        db_corrupt(v, saved);
        assert_true(hd_sriov_set_numvfs(v->ctx, PF, 0, HD_SRIOV_FORCE, 2000, NULL, NULL) < 0);
        assert_error_has(v->ctx, "state store");
        assert_error_has(v->ctx, "even with --force");
        assert_true(emu_exists(v->e, VF0_PATH));
        /* Nor is what the store says read as "nothing is held". */
        {
                struct hd_active *list = NULL;
                size_t n = 0;
                assert_true(hd_active_list(v->ctx, &list, &n) < 0);
                assert_error_has(v->ctx, "hostdev.db");
        }
        db_restore(v, saved);
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 1);
        /* Held, then given back: the held one is refused as before, then it goes. */
        must_prep(v, VF0_XML);
        assert_int_equal(hd_sriov_set_numvfs(v->ctx, PF, 0, HD_SRIOV_FORCE, 2000, NULL, NULL), -EBUSY);
        assert_error_has(v->ctx, "VF " VF0 " of " PF " is held in hostdev's records for vm1; release it first");
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 1);
        assert_int_equal(hd_sriov_set_numvfs(v->ctx, PF, 0, HD_SRIOV_FORCE, 2000, NULL, NULL), 0);
        assert_false(emu_exists(v->e, VF0_PATH));
}

/* The kernel takes its time over sriov_numvfs: the window between looking at the records and the write is wide. */
static int slow_numvfs(void *userdata, int root_fd, const char *path, const char *value, size_t len) {
        size_t n = strlen(path);
        if (n >= 12 && streq(path + n - 12, "sriov_numvfs"))
                usleep(4000);
        return count_hook(userdata, root_fd, path, value, len);
}

/*
 * sriov set --force against prepare, in two processes, many rounds: a VF
 * that prepare gave to the guest is never destroyed under it. Without the
 * store's lock, sriov could read "nothing held" just before prepare took the
 * VF and then write 0 to sriov_numvfs (11 of 12 runs caught it so).
 */
static void test_sriov_race(void **state) {
        struct vm *v = *state;
        enum { ROUNDS = 150 };
        pid_t pids[2];
        int st;

        for (int k = 0; k < 2; k++) {
                pids[k] = fork();
                assert_true(pids[k] >= 0);
                if (pids[k] > 0)
                        continue;
                struct hd_context *ctx = vm_context(v);
                if (k == 1)
                        hd_context_set_write_hook(ctx, slow_numvfs, v);
                srand((unsigned)getpid());
                for (int i = 0; i < ROUNDS; i++) {
                        if (k == 0) {
                                int r = prep(v, ctx, VF0_XML);
                                if (r == -ENODEV || r == -EINVAL || r == -ENOENT)
                                        continue; /* the VFs were off: nothing to give */
                                if (r < 0) {
                                        fprintf(stderr, "prepare: %s\n", hd_context_last_error(ctx));
                                        _exit(10);
                                }
                                /* The guest runs a while, and its VF is there all along. */
                                for (int t = 0; t < 5; t++) {
                                        usleep((unsigned)(rand() % 2000));
                                        if (!emu_exists(v->e, VF0_PATH))
                                                _exit(11);
                                }
                                if (hd_manager_release(ctx, &vm_owner, NULL, 0) < 0)
                                        _exit(12);
                                usleep((unsigned)(rand() % 4000)); /* and is started again a moment later */
                        } else {
                                int r = hd_sriov_set_numvfs(ctx, PF, 0, HD_SRIOV_FORCE, 2000, NULL, NULL);
                                if (r < 0 && r != -EBUSY)
                                        _exit(20);
                                usleep((unsigned)(rand() % 3000));
                                if (hd_sriov_set_numvfs(ctx, PF, 2, HD_SRIOV_FORCE, 2000, NULL, NULL) < 0)
                                        _exit(21);
                                usleep((unsigned)(rand() % 6000));
                        }
                }
                hd_context_free(ctx);
                _exit(0);
        }
        for (int k = 0; k < 2; k++) {
                assert_int_equal(waitpid(pids[k], &st, 0), pids[k]);
                assert_true(WIFEXITED(st));
                if (WEXITSTATUS(st) != 0)
                        fail_msg("%s ended %d (11: a held VF was destroyed)", k ? "sriov" : "prepare", WEXITSTATUS(st));
        }
}

/* Every reader says it cannot read the store, and why; none says nothing is held. */
static void test_readers_unreadable(void **state) {
        struct vm *v = *state;
        _cleanup_free_ char *saved = strdupf("%s/saved.db", emu_root(v->e)), *x = vm_domain("vm1", VF0_XML);
        struct hd_domain_def *def = vm_parse(v->ctx, x);
        struct hd_report *rep = NULL;
        char **argv = NULL;
        bool failed = false;

        must_prep(v, VF0_XML);
        db_corrupt(v, saved);
        assert_true(hd_manager_qemu_args(v->ctx, &vm_owner, def, 0, &argv) < 0);
        assert_error_has(v->ctx, "hostdev.db");
        assert_int_equal(hd_pci_check(v->ctx, VF0, 0, &rep), 0);
        assert_false(rep->ok);
        for (size_t i = 0; i < rep->n_items; i++)
                if (streq(rep->items[i].topic, "holder") && rep->items[i].status == HD_REPORT_FAIL &&
                    strstr(rep->items[i].text, "hostdev.db"))
                        failed = true;
        assert_true(failed);
        hd_report_free(rep);
        assert_true(hd_manager_release(v->ctx, &vm_owner, def, 0) < 0);
        db_restore(v, saved);
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, def, 0), 1);
        hd_domain_def_free(def);
}

/*
 * A store on a read-only filesystem: SQLite cannot open its -shm, and that
 * was taken for "no store" (ENOENT). Needs a tmpfs mount (root).
 */
static void test_read_only(void **state) {
        struct vm *v = *state;
        _cleanup_free_ char *mnt = strdupf("%s/ro", emu_root(v->e)), *st = strdupf("%s/ro/state", emu_root(v->e));
        _cleanup_free_ char *cmd = NULL, *orig = strdup(hd_context_get_state_dir(v->ctx));
        struct hd_active *list = NULL;
        size_t n = 99;
        int r;

        must_prep(v, VF0_XML);
        assert_int_equal(mkdir(mnt, 0700), 0);
        if (mount("none", mnt, "tmpfs", 0, "mode=0700") < 0)
                skip(); /* not root, or no mounting here */
        cmd = strdupf("cp -a '%s' '%s'", hd_context_get_state_dir(v->ctx), st);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(mount("none", mnt, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
        assert_int_equal(hd_context_set_state_dir(v->ctx, st), 0);
        r = hd_active_list(v->ctx, &list, &n);
        assert_int_equal(hd_context_set_state_dir(v->ctx, orig), 0);
        assert_int_equal(umount(mnt), 0);
        if (r >= 0)
                fail_msg("a read-only store read as %zu records", n);
        assert_error_has(v->ctx, "read-only");
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 1);
}

/* The mdev verbs refuse a mediated device a guest holds, naming the guest. */
static void test_mdev_held(void **state) {
        struct vm *v = *state;

        must_prep(v, MDEV_XML(MDEV_ON) MDEV_XML(MDEV_DEF));
        assert_int_equal(hd_mdev_stop(v->ctx, MDEV_ON), -EBUSY);
        assert_error_has(v->ctx, "mediated device " MDEV_ON " is held by qemu:vm1");
        assert_error_has(v->ctx, "hostdev release --owner qemu:vm1");
        assert_int_equal(hd_mdev_remove(v->ctx, MDEV_ON), -EBUSY);
        assert_int_equal(hd_mdev_remove(v->ctx, MDEV_DEF), -EBUSY);
        assert_int_equal(hd_mdev_undefine(v->ctx, MDEV_DEF, NULL), -EBUSY);
        assert_error_has(v->ctx, "mediated device " MDEV_DEF " is held by qemu:vm1");
        assert_true(emu_exists(v->e, "etc/mdevctl.d/mtty/" MDEV_DEF));
        assert_true(vm_mdev_running(v, MDEV_ON));
        assert_true(vm_mdev_running(v, MDEV_DEF));
        /* Given back: MDEV_DEF, which prepare started, is stopped; the verbs work again. */
        assert_int_equal(hd_manager_release(v->ctx, &vm_owner, NULL, 0), 2);
        assert_false(vm_mdev_running(v, MDEV_DEF));
        assert_int_equal(hd_mdev_stop(v->ctx, MDEV_ON), 0);
        assert_false(vm_mdev_running(v, MDEV_ON));
        assert_int_equal(hd_mdev_undefine(v->ctx, MDEV_DEF, NULL), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_sriov_unreadable, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_sriov_race, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_readers_unreadable, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_read_only, vm_setup, vm_teardown),
                cmocka_unit_test_setup_teardown(test_mdev_held, vm_setup, vm_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
