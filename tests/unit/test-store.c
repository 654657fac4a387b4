/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state store: created private, WAL, migrated once, one row per device whoever races for it. */
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu-test.h"
#include "manager/store.h"

static char dir[] = "/tmp/hostdev-test-store-XXXXXX";

static struct hd_context *new_ctx(const char *sub) {
        struct hd_context *ctx = NULL;
        _cleanup_free_ char *p = strdupf("%s/%s", dir, sub);
        assert_int_equal(hd_context_new(&ctx), 0);
        assert_int_equal(hd_context_set_state_dir(ctx, p), 0);
        return ctx;
}

static int setup(void **state) {
        assert_non_null(mkdtemp(dir));
        return 0;
}

static int rm_tree(const char *p) {
        char *argv[] = { (char *)"rm", (char *)"-rf", (char *)p, NULL };
        pid_t pid = fork();
        int st;
        if (pid == 0) {
                execvp("rm", argv);
                _exit(127);
        }
        return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int teardown(void **state) {
        return rm_tree(dir);
}

static void test_open_private(void **state) {
        struct hd_context *ctx = new_ctx("a/b/state");
        struct hd_store *s = NULL;
        _cleanup_free_ char *db = strdupf("%s/a/b/state/hostdev.db", dir);
        struct stat st;
        sqlite3_stmt *q;

        assert_int_equal(store_open(ctx, STORE_NO_CREATE, &s), -ENOENT);
        assert_int_equal(store_open(ctx, 0, &s), 0);
        assert_int_equal(stat(hd_context_get_state_dir(ctx), &st), 0);
        assert_int_equal(st.st_mode & 07777, 0700);
        assert_int_equal(stat(db, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
        sqlite3_finalize(q);
        assert_int_equal(sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(q, 0), store_schema_version());
        sqlite3_finalize(q);
        store_close(s);
        /* Opening again migrates nothing and keeps the rows. */
        assert_int_equal(store_open(ctx, STORE_NO_CREATE, &s), 0);
        store_close(s);
        hd_context_free(ctx);
}

static void test_newer_schema(void **state) {
        struct hd_context *ctx = new_ctx("newer");
        struct hd_store *s = NULL;

        assert_int_equal(store_open(ctx, 0, &s), 0);
        assert_int_equal(sqlite3_exec(s->db, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
        store_close(s);
        assert_int_equal(store_open(ctx, 0, &s), -EPROTO);
        assert_non_null(strstr(hd_context_last_error(ctx), "schema 999"));
        hd_context_free(ctx);
}

/* What migration 5 added (the claimed flag), taken away again: a store as hostdev of schema 4 left it. */
#define SCHEMA_4_FROM_5 "ALTER TABLE devices DROP COLUMN claimed; "
/* What migration 4 added, taken away again: a store as hostdev of schema 3 left it. */
#define SCHEMA_3_FROM_4                                                                                            \
        "DROP INDEX reclaims_when; DROP TABLE reclaims; "                                                       \
        "ALTER TABLE devices DROP COLUMN holder_pid; ALTER TABLE devices DROP COLUMN holder_start; "            \
        "ALTER TABLE sharers DROP COLUMN holder_pid; ALTER TABLE sharers DROP COLUMN holder_start; "

/* A store of schema 2 (before a VF's saved flags): opened, it gains vf_flags and its rows read as before. */
static void test_migrate_vf_flags(void **state) {
        struct hd_context *ctx = new_ctx("v2");
        struct hd_store *s = NULL;
        struct hd_active *a = NULL, *r = store_record_new(STORE_NET_VF, "0000:03:02.0", STORE_HELD);

        assert_non_null(r);
        r->vf_mac = strdup("02:00:00:00:03:00");
        r->vf_vlan = strdup("7:3");
        r->vf_flags = strdup("trust=off");
        assert_int_equal(store_open(ctx, 0, &s), 0);
        assert_int_equal(store_device_add(s, r, 0), 0);
        assert_int_equal(sqlite3_exec(s->db, SCHEMA_4_FROM_5 SCHEMA_3_FROM_4 "ALTER TABLE devices DROP COLUMN vf_flags; "
                                      "PRAGMA user_version = 2", NULL, NULL, NULL),
                         SQLITE_OK);
        store_close(s);
        assert_int_equal(store_open(ctx, 0, &s), 0);
        assert_int_equal(store_device_get(s, STORE_NET_VF, "0000:03:02.0", &a, NULL), 0);
        assert_string_equal(a->vf_mac, "02:00:00:00:03:00");
        assert_string_equal(a->vf_vlan, "7:3");
        assert_null(a->vf_flags);
        /* and the new column is written and read */
        free(a->vf_flags);
        a->vf_flags = strdup("trust=off link=auto");
        assert_int_equal(store_device_update(s, a, 0), 0);
        hd_active_free(a);
        assert_int_equal(store_device_get(s, STORE_NET_VF, "0000:03:02.0", &a, NULL), 0);
        assert_string_equal(a->vf_flags, "trust=off link=auto");
        hd_active_free(a);
        hd_active_free(r);
        store_close(s);
        hd_context_free(ctx);
}

/* A store of schema 4 (before claims): opened, it gains 'claimed', false on its rows, and the flag is written and read. */
static void test_migrate_claimed(void **state) {
        struct hd_context *ctx = new_ctx("v4");
        struct hd_store *s = NULL;
        struct hd_active *a = NULL, *r = store_record_new(STORE_PCI, "0000:01:00.0", STORE_HELD);

        assert_non_null(r);
        r->owner_driver = strdup("qemu");
        r->owner_domain = strdup("vm1");
        assert_int_equal(store_open(ctx, 0, &s), 0);
        assert_int_equal(store_device_add(s, r, 0), 0);
        assert_int_equal(sqlite3_exec(s->db, SCHEMA_4_FROM_5 "PRAGMA user_version = 4", NULL,
                                      NULL, NULL),
                         SQLITE_OK);
        store_close(s);
        assert_int_equal(store_open(ctx, 0, &s), 0);
        assert_int_equal(store_device_get(s, STORE_PCI, "0000:01:00.0", &a, NULL), 0);
        assert_string_equal(a->owner_domain, "vm1");
        assert_false(a->claimed);
        a->claimed = true;
        assert_int_equal(store_device_update(s, a, 0), 0);
        hd_active_free(a);
        assert_int_equal(store_device_get(s, STORE_PCI, "0000:01:00.0", &a, NULL), 0);
        assert_true(a->claimed);
        hd_active_free(a);
        hd_active_free(r);
        store_close(s);
        hd_context_free(ctx);
}

static void test_claim(void **state) {
        struct hd_context *ctx = new_ctx("claim");
        struct hd_store *s = NULL;
        struct hd_active *rec = store_record_new(STORE_PCI, "0000:01:00.0", STORE_BUSY), *got = NULL, *list = NULL;
        int64_t op = 0, op2 = 0, owner_op = 0, step = 0;
        struct store_op *ops = NULL;
        size_t n = 0;
        _cleanup_free_ char *me = store_holder_self(), *v = NULL;

        assert_int_equal(store_open(ctx, 0, &s), 0);
        rec->orig_driver = strdup("e1000e");
        assert_int_equal(store_claim(s, rec, "pci-detach", "stub=vfio-pci\norig=e1000e\noverride=\n", &op, NULL), 0);
        assert_true(op > 0);
        /* A second claim names the first. */
        assert_int_equal(store_claim(s, rec, "pci-detach", "", &op2, &got), -EBUSY);
        assert_non_null(got);
        assert_string_equal(got->holder, me);
        assert_string_equal(got->state, "busy");
        hd_active_free(got);
        got = NULL;

        assert_int_equal(store_ops_open(s, &ops, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(ops[0].id, op);
        assert_int_equal(data_get(ops[0].data, "orig", &v), 0);
        assert_string_equal(v, "e1000e");
        free(v);
        assert_int_equal(data_get(ops[0].data, "override", &v), 0);
        assert_null(v);
        assert_int_equal(data_get(ops[0].data, "nosuch", &v), 0);
        assert_null(v);
        store_ops_free(ops, n);

        assert_int_equal(store_step_begin(s, op, "write 'vfio-pci' to X", "write '\\n' to X", &step), 0);
        assert_int_equal(store_step_end(s, step, true), 0);
        assert_int_equal(store_step_begin(s, 12345, "x", "y", &step), -EIO);

        free(rec->state);
        rec->state = strdup("detached");
        assert_int_equal(store_device_update(s, rec, 0), 0);
        assert_int_equal(store_op_finish(s, op, STORE_OP_DONE), 0);
        assert_int_equal(store_ops_open(s, &ops, &n), 0);
        assert_int_equal(n, 0);
        store_ops_free(ops, n);
        assert_int_equal(store_device_get(s, STORE_PCI, "0000:01:00.0", &got, &owner_op), 0);
        assert_string_equal(got->state, "detached");
        assert_string_equal(got->orig_driver, "e1000e");
        assert_int_equal(owner_op, 0);
        hd_active_free(got);

        /* Take it for another operation, only from the state asked. */
        assert_int_equal(store_take(s, STORE_PCI, "0000:01:00.0", STORE_HELD, "pci-reattach", "", &op2, &got), -EBUSY);
        assert_string_equal(got->state, "detached");
        hd_active_free(got);
        assert_int_equal(store_take(s, STORE_PCI, "0000:01:00.0", STORE_DETACHED, "pci-reattach", "", &op2, NULL), 0);
        assert_int_equal(store_device_get(s, STORE_PCI, "0000:01:00.0", &got, &owner_op), 0);
        assert_string_equal(got->state, "busy");
        assert_int_equal(owner_op, op2);
        hd_active_free(got);
        store_close(s);

        /* The public listing. */
        assert_int_equal(hd_active_list(ctx, &list, &n), 0);
        assert_int_equal(n, 1);
        assert_string_equal(list[0].key, "0000:01:00.0");
        hd_active_list_free(list, n);
        assert_int_equal(hd_active_get(ctx, "pci", "0000:09:00.0", &got), -ENOENT);

        assert_int_equal(store_open(ctx, 0, &s), 0);
        assert_int_equal(store_device_delete(s, STORE_PCI, "0000:01:00.0"), 0);
        assert_int_equal(store_device_get(s, STORE_PCI, "0000:01:00.0", &got, NULL), -ENOENT);
        /* The schema refuses what is not a kind. */
        free(rec->kind);
        rec->kind = strdup("floppy");
        assert_int_equal(store_claim(s, rec, "x", "", &op, NULL), -EINVAL);
        hd_active_free(rec);
        store_close(s);
        hd_context_free(ctx);
}

/* Every field of a record comes back as written, and the words on disk are the schema's. */
static void test_round_trip(void **state) {
        struct hd_context *ctx = new_ctx("round");
        struct hd_store *s = NULL;
        _cleanup_free_ char *me = store_holder_self();
        sqlite3_stmt *q;

        assert_int_equal(store_open(ctx, 0, &s), 0);
        for (int k = 0; k < _STORE_KIND_MAX; k++) {
                _cleanup_free_ char *key = strdupf("key-%d", k);
                struct hd_active *r = store_record_new((enum store_kind)k, key, STORE_HELD), *got = NULL;
                int64_t op = 0;

                assert_string_equal(r->kind, store_kind_to_string((enum store_kind)k));
                assert_int_equal(store_kind_from_string(r->kind), k);
                r->owner_driver = strdup("qemu");
                r->owner_domain = strdup("vm1");
                r->owner_uuid = strdup("6f1c9d2e-4b7a-4e0f-9a51-2d8c3b1e7f40");
                r->orig_driver = strdup("e1000e");
                r->stub_driver = strdup("vfio-pci");
                r->vf_mac = strdup("02:00:00:00:03:00");
                r->vf_vlan = strdup("42");
                r->prev_state = strdup("detached");
                r->orig_override = strdup("pci-stub");
                r->node = strdup("/dev/vfio/2");
                r->sgio = strdup("unfiltered");
                r->holder = strdup("not written: the inserting process is");
                r->managed = r->remove_slot = r->shareable = r->mdev_started = r->claimed = true;
                r->unbind_from_stub = r->reprobe = r->readonly = false;
                assert_int_equal(store_device_add(s, r, 77), 0);
                assert_int_equal(store_device_get(s, (enum store_kind)k, key, &got, &op), 0);
                assert_int_equal(op, 77);
                assert_int_equal(store_record_kind(got), k);
                assert_int_equal(store_record_state(got), STORE_HELD);
                assert_string_equal(got->owner_driver, "qemu");
                assert_string_equal(got->owner_domain, "vm1");
                assert_string_equal(got->owner_uuid, r->owner_uuid);
                assert_string_equal(got->orig_driver, "e1000e");
                assert_string_equal(got->stub_driver, "vfio-pci");
                assert_string_equal(got->vf_mac, r->vf_mac);
                assert_string_equal(got->vf_vlan, "42");
                assert_string_equal(got->prev_state, "detached");
                assert_string_equal(got->orig_override, "pci-stub");
                assert_string_equal(got->node, "/dev/vfio/2");
                assert_string_equal(got->sgio, "unfiltered");
                assert_string_equal(got->holder, me);
                assert_true(got->managed && got->remove_slot && got->shareable && got->mdev_started && got->claimed);
                assert_false(got->unbind_from_stub || got->reprobe || got->readonly);
                assert_true(got->created > 0 && got->updated >= got->created);
                hd_active_free(got);

                /* An update changes what it is given and keeps who made the row and when. */
                assert_int_equal(store_record_set_state(r, STORE_BUSY), 0);
                free(r->node);
                r->node = NULL;
                r->managed = false;
                r->readonly = true;
                free(r->holder);
                r->holder = strdup("someone else");
                assert_int_equal(store_device_update(s, r, 0), 0);
                assert_int_equal(store_device_get(s, (enum store_kind)k, key, &got, &op), 0);
                assert_int_equal(op, 0);
                assert_int_equal(store_record_state(got), STORE_BUSY);
                assert_null(got->node);
                assert_false(got->managed);
                assert_true(got->readonly);
                assert_string_equal(got->holder, me);
                hd_active_free(got);
                hd_active_free(r);
        }
        /* The same words as the schema's CHECKs and every earlier hostdev: the store stays compatible. */
        assert_int_equal(sqlite3_prepare_v2(s->db, "SELECT group_concat(kind || '/' || state, ' ') FROM "
                                                   "(SELECT kind, state FROM devices ORDER BY id)",
                                            -1, &q, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(q, 0),
                            "pci/busy usb/busy scsi/busy mdev/busy net_vf/busy");
        sqlite3_finalize(q);
        assert_int_equal(store_state_from_string("gone"), _STORE_STATE_INVALID);
        assert_null(store_state_to_string(_STORE_STATE_MAX));
        assert_string_equal(store_op_status_to_string(STORE_OP_UNDONE), "undone");
        assert_string_equal(store_step_status_to_string(STORE_STEP_PENDING), "pending");
        store_close(s);
        hd_context_free(ctx);
}

/* The state directory and every file of the store as P (below dir) names them. */
static char *in_dir(const char *sub, const char *name) {
        return name ? strdupf("%s/%s/%s", dir, sub, name) : strdupf("%s/%s", dir, sub);
}

/* Opening the store, and taking its lock, are refused with a message naming WHAT. */
static void assert_refused(struct hd_context *ctx, const char *what) {
        struct hd_store *s = NULL;
        struct hd_active *v = NULL;
        size_t n = 0;
        int fd = -1;

        assert_int_equal(store_open(ctx, 0, &s), -EPERM);
        if (!strstr(hd_context_last_error(ctx), what))
                fail_msg("'%s' does not name %s", hd_context_last_error(ctx), what);
        assert_int_equal(store_open(ctx, STORE_NO_CREATE, &s), -EPERM);
        assert_int_equal(hd_active_list(ctx, &v, &n), -EPERM);
        if (!strstr(hd_context_last_error(ctx), what))
                fail_msg("'%s' does not name %s", hd_context_last_error(ctx), what);
        /* The lock file is checked when the lock is taken, the directory always. */
        if (strstr(what, "hostdev.db"))
                return;
        assert_int_equal(store_lock(ctx, &fd), -EPERM);
        assert_int_equal(fd, -1);
}

/*
 * A store someone else can write is refused, whoever runs: what it says is
 * done again by the next changing operation (recovery), so another user
 * could plant an operation in a shared --state-dir for root to carry out.
 */
static void test_untrusted(void **state) {
        struct hd_context *ctx = new_ctx("trust");
        struct hd_store *s = NULL;
        _cleanup_free_ char *d = in_dir("trust", NULL), *db = in_dir("trust", "hostdev.db"),
                            *wal = in_dir("trust", "hostdev.db-wal"), *lock = in_dir("trust", "lock"),
                            *elsewhere = in_dir("elsewhere.db", NULL);
        _cleanup_free_ char *msg = NULL;
        int fd = -1;

        assert_int_equal(store_open(ctx, 0, &s), 0);
        /* Kept open: SQLite keeps its -wal while a connection is. */
        assert_int_equal(store_lock(ctx, &fd), 0);
        close(fd);

        /* The directory, writable by the group. */
        assert_int_equal(chmod(d, 0770), 0);
        assert_refused(ctx, d);
        msg = strdup(hd_context_last_error(ctx));
        assert_non_null(strstr(msg, "0770"));
        assert_non_null(strstr(msg, "chmod go-w"));
        assert_non_null(strstr(msg, "--state-dir"));
        assert_int_equal(chmod(d, 0700), 0);

        /* The database, writable by others. */
        assert_int_equal(chmod(db, 0606), 0);
        assert_refused(ctx, db);
        assert_int_equal(chmod(db, 0600), 0);

        /* The -wal, owned by another user (only root can give a file away). */
        if (geteuid() == 0) {
                assert_int_equal(access(wal, F_OK), 0);
                assert_int_equal(chown(wal, 65534, 65534), 0);
                assert_refused(ctx, wal);
                assert_non_null(strstr(hd_context_last_error(ctx), "uid 65534"));
                assert_int_equal(chown(wal, 0, 0), 0);
                assert_int_equal(chown(lock, 65534, 65534), 0);
                assert_int_equal(store_lock(ctx, &fd), -EPERM);
                assert_non_null(strstr(hd_context_last_error(ctx), lock));
                assert_non_null(strstr(hd_context_last_error(ctx), "chown"));
                assert_int_equal(chown(lock, 0, 0), 0);
                assert_int_equal(chown(d, 65534, 65534), 0);
                assert_refused(ctx, d);
                assert_int_equal(chown(d, 0, 0), 0);
        }
        store_close(s);

        /* The database a link to a file elsewhere: never followed. */
        assert_int_equal(rename(db, elsewhere), 0);
        assert_int_equal(symlink(elsewhere, db), 0);
        assert_int_equal(store_open(ctx, 0, &s), -EPERM);
        assert_non_null(strstr(hd_context_last_error(ctx), "not a regular file"));
        assert_int_equal(unlink(db), 0);
        assert_int_equal(rename(elsewhere, db), 0);

        /* As it was: opened again. */
        assert_int_equal(store_open(ctx, 0, &s), 0);
        store_close(s);
        hd_context_free(ctx);
}

/* Many processes claim one device at once: the database lets exactly one have it. */
static void test_claim_race(void **state) {
        enum { N = 8, ROUNDS = 5 };
        for (int round = 0; round < ROUNDS; round++) {
                _cleanup_free_ char *sub = strdupf("race%d", round);
                struct hd_context *ctx = new_ctx(sub);
                struct hd_store *s = NULL;
                int wins = 0, losses = 0;
                pid_t pids[N];

                /* Round 0 races the creation and the migrations too; later ones only the claim. */
                if (round > 0) {
                        assert_int_equal(store_open(ctx, 0, &s), 0);
                        store_close(s);
                }
                for (int i = 0; i < N; i++) {
                        pids[i] = fork();
                        assert_true(pids[i] >= 0);
                        if (pids[i] == 0) {
                                struct hd_store *cs = NULL;
                                struct hd_active *rec = store_record_new(STORE_PCI, "0000:02:00.0", STORE_BUSY);
                                int64_t op;
                                int r = store_open(ctx, 0, &cs);
                                if (r >= 0)
                                        r = store_claim(cs, rec, "pci-detach", "", &op, NULL);
                                _exit(r == 0 ? 0 : r == -EBUSY ? 1 : 2);
                        }
                }
                for (int i = 0; i < N; i++) {
                        int st;
                        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
                        assert_true(WIFEXITED(st));
                        assert_true(WEXITSTATUS(st) <= 1);
                        if (WEXITSTATUS(st) == 0)
                                wins++;
                        else
                                losses++;
                }
                assert_int_equal(wins, 1);
                assert_int_equal(losses, N - 1);
                hd_context_free(ctx);
        }
}

/* Not root: a message that says so. */
static void test_not_root(void **state) {
        struct hd_context *ctx = new_ctx("private");
        struct hd_store *s = NULL;
        pid_t pid;
        int st;

        if (geteuid() != 0)
                skip();
        assert_int_equal(store_open(ctx, 0, &s), 0);
        store_close(s);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int r, fd;
                if (setgid(65534) < 0 || setuid(65534) < 0)
                        _exit(3);
                r = store_open(ctx, 0, &s);
                if (r != -EACCES || !strstr(hd_context_last_error(ctx), "run as root"))
                        _exit(1);
                r = store_lock(ctx, &fd);
                _exit(r == -EACCES && strstr(hd_context_last_error(ctx), "root") ? 0 : 2);
        }
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
        hd_context_free(ctx);
}

/*
 * A store of schema 3 (before holds tied to a process): opened, a held row
 * reads as tied to no process, can be tied, and what is reclaimed is kept
 * and listed, and pruned after 30 days.
 */
static void test_migrate_holds(void **state) {
        struct hd_context *ctx = new_ctx("v3");
        struct hd_store *s = NULL;
        struct hd_active *a = NULL, *r = store_record_new(STORE_PCI, "0000:01:00.0", STORE_HELD);
        const struct hd_owner o = { "qemu", "vm1", NULL };
        struct store_hold *h = NULL;
        struct hd_reclaim *rv = NULL;
        size_t n = 0;

        assert_non_null(r);
        r->owner_driver = strdup("qemu");
        r->owner_domain = strdup("vm1");
        assert_int_equal(store_open(ctx, 0, &s), 0);
        assert_int_equal(store_device_add(s, r, 0), 0);
        assert_int_equal(sqlite3_exec(s->db, SCHEMA_4_FROM_5 SCHEMA_3_FROM_4 "PRAGMA user_version = 3", NULL, NULL, NULL), SQLITE_OK);
        store_close(s);
        assert_int_equal(store_open(ctx, 0, &s), 0);
        assert_int_equal(store_device_get(s, STORE_PCI, "0000:01:00.0", &a, NULL), 0);
        assert_int_equal(a->holder_pid, 0);
        assert_string_equal(a->owner_domain, "vm1");
        hd_active_free(a);
        assert_int_equal(store_holds_list(s, &h, &n), 0);
        assert_int_equal(n, 0);
        store_holds_free(h, n);
        /* tied: the pid and start time are kept, per owner */
        assert_int_equal(store_hold_tie(s, &o, 4242, 987654), 0);
        assert_int_equal(store_device_get(s, STORE_PCI, "0000:01:00.0", &a, NULL), 0);
        assert_int_equal(a->holder_pid, 4242);
        assert_int_equal(a->holder_start, 987654);
        hd_active_free(a);
        assert_int_equal(store_holds_list(s, &h, &n), 0);
        assert_int_equal(n, 1);
        assert_string_equal(h[0].domain, "vm1");
        assert_int_equal(h[0].pid, 4242);
        assert_int_equal(h[0].start, 987654);
        store_holds_free(h, n);
        /* reclaims: listed, then pruned once older than 30 days */
        assert_int_equal(store_reclaim_add(s, &o, "pci", "0000:01:00.0", 4242, "pid 4242 is gone"), 0);
        assert_int_equal(hd_reclaim_list(ctx, &rv, &n), 0);
        assert_int_equal(n, 1);
        assert_string_equal(rv[0].why, "pid 4242 is gone");
        assert_int_equal(rv[0].holder_pid, 4242);
        hd_reclaim_list_free(rv, n);
        assert_int_equal(sqlite3_exec(s->db, "UPDATE reclaims SET reclaimed = reclaimed - 31 * 24 * 3600", NULL, NULL,
                                      NULL),
                         SQLITE_OK);
        store_prune(s);
        assert_int_equal(hd_reclaim_list(ctx, &rv, &n), 0);
        assert_int_equal(n, 0);
        hd_active_free(r);
        store_close(s);
        hd_context_free(ctx);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_open_private),
                cmocka_unit_test(test_newer_schema),
                cmocka_unit_test(test_migrate_claimed),
                cmocka_unit_test(test_migrate_vf_flags),
                cmocka_unit_test(test_migrate_holds),
                cmocka_unit_test(test_claim),
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_untrusted),
                cmocka_unit_test(test_claim_race),
                cmocka_unit_test(test_not_root),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
