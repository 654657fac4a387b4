/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A process killed at every write of a detach, a reattach, a group detach and a recovery: hd_recover puts it right. */
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu-test.h"

#define NIC "0000:01:00.0"
#define IGB0 "0000:02:00.0"
#define IGB1 "0000:02:00.1"
#define NVME "0000:00:04.0"     /* swap and /srv */
#define AHCI "0000:00:1f.2"     /* sda1 is / */
#define ROOTPORT "0000:00:01.0" /* a bridge */

static int open_ops(struct hd_context *ctx) {
        _cleanup_free_ char *db = strdupf("%s/hostdev.db", hd_context_get_state_dir(ctx));
        sqlite3 *h = NULL;
        sqlite3_stmt *st = NULL;
        int n = -1;
        if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(h, "SELECT COUNT(*) FROM ops WHERE status = 'open'", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
                n = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(h);
        return n;
}

/*
 * The store agrees with the tree: either on the stub, with override and a
 * 'detached' record naming ORIG, or on ORIG with no override and no record.
 * Returns 1 for detached, 0 for given back.
 */
static int assert_consistent(struct emu *e, struct hd_context *ctx, const char *addr, const char *orig,
                             const char *when) {
        _cleanup_free_ char *drv = emu_driver(e, addr), *ov = emu_override(e, addr);
        struct hd_active *a = NULL;
        int r = hd_active_get(ctx, "pci", addr, &a);

        if (drv && streq(drv, "vfio-pci")) {
                if (r < 0 || !streq(a->state, "detached") || !a->orig_driver || !streq(a->orig_driver, orig) ||
                    !ov || !streq(ov, "vfio-pci"))
                        fail_msg("%s: %s on vfio-pci but record %s, override %s", when, addr,
                                 r < 0 ? "missing" : a->state, ov ? ov : "none");
                hd_active_free(a);
                return 1;
        }
        if (!drv || !streq(drv, orig))
                fail_msg("%s: %s half-bound: on %s, expected vfio-pci or %s", when, addr, drv ? drv : "no driver",
                         orig);
        if (r >= 0)
                fail_msg("%s: %s back on %s but still recorded (%s)", when, addr, orig, a->state);
        if (ov)
                fail_msg("%s: %s back on %s but keeps driver_override %s", when, addr, orig, ov);
        return 0;
}

typedef int (*op_fn)(struct hd_context *ctx);

static int op_detach(struct hd_context *ctx) {
        return hd_pci_detach(ctx, NIC, NULL, 0);
}
static int op_reattach(struct hd_context *ctx) {
        return hd_pci_reattach(ctx, NIC, 0);
}
static int op_group(struct hd_context *ctx) {
        return hd_pci_detach(ctx, IGB0, NULL, HD_PCI_GROUP);
}
static int op_recover(struct hd_context *ctx) {
        return hd_recover(ctx, NULL) >= 0 ? 0 : -EIO;
}

/* Run OP in a child that dies at its Nth write (before or after applying it). Returns its exit code. */
static int run_crashing(struct emu *e, op_fn op, unsigned n, bool after, const char *probe_fails) {
        pid_t pid = fork();
        int st;
        assert_true(pid >= 0);
        if (pid == 0) {
                struct hd_context *ctx = emu_context(e);
                if (probe_fails)
                        emu_probe_fails(e, probe_fails);
                emu_crash_nth(e, n, after);
                _exit(op(ctx) == 0 ? 0 : 1);
        }
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        return WEXITSTATUS(st);
}

/* After recovery: consistent, nothing open, recovery again changes nothing, and the device still works. */
static void check_after(struct emu *e, const char *addr, const char *orig, const char *when, int want) {
        struct hd_context *ctx = emu_context(e);
        struct hd_report *rep = NULL;
        unsigned writes;
        int got;

        if (hd_recover(ctx, &rep) < 0)
                fail_msg("%s: recover failed: %s", when, hd_context_last_error(ctx));
        hd_report_free(rep);
        got = assert_consistent(e, ctx, addr, orig, when);
        if (want >= 0 && got != want)
                fail_msg("%s: %s ended %s, expected %s", when, addr, got ? "detached" : "given back",
                         want ? "detached" : "given back");
        assert_int_equal(open_ops(ctx), 0);
        writes = emu_writes(e);
        assert_int_equal(hd_recover(ctx, NULL), 0);
        assert_int_equal(emu_writes(e), writes);
        /* Usable afterwards. */
        if (got)
                assert_int_equal(hd_pci_reattach(ctx, addr, 0), 0);
        assert_int_equal(hd_pci_detach(ctx, addr, NULL, 0), 0);
        assert_int_equal(hd_pci_reattach(ctx, addr, 0), 0);
        assert_consistent(e, ctx, addr, orig, when);
        hd_context_free(ctx);
}

struct scenario {
        const char *name;
        op_fn op;
        bool pre_detach;         /* NIC detached before the crash */
        const char *probe_fails; /* the stub binds nothing: the op undoes itself and is killed meanwhile */
        int want;                /* 1 detached, 0 given back, -1 either */
};

static void crash_every_write(const struct scenario *sc) {
        for (int after = 0; after <= 1; after++) {
                unsigned n;
                for (n = 1; n < 64; n++) {
                        struct emu *e = emu_fixture();
                        _cleanup_free_ char *when = strdupf("%s, killed %s write %u", sc->name,
                                                           after ? "after" : "before", n);
                        int code;
                        if (sc->pre_detach) {
                                struct hd_context *ctx = emu_context(e);
                                assert_int_equal(hd_pci_detach(ctx, NIC, NULL, 0), 0);
                                hd_context_free(ctx);
                        }
                        code = run_crashing(e, sc->op, n, after, sc->probe_fails);
                        if (code != EMU_CRASH_EXIT) {
                                /* The op made fewer than N writes: every point was covered. */
                                emu_free(e);
                                break;
                        }
                        check_after(e, NIC, "e1000e", when, sc->want);
                        emu_free(e);
                }
                assert_true(n > 2);
                assert_true(n < 64);
        }
}

static void test_crash_detach(void **state) {
        /* The caller never heard it worked: undone, always. */
        crash_every_write(&(struct scenario){ "detach", op_detach, false, NULL, 0 });
}

static void test_crash_reattach(void **state) {
        /* The caller asked for it back: finished, always. */
        crash_every_write(&(struct scenario){ "reattach", op_reattach, true, NULL, 0 });
}

static void test_crash_failing_detach(void **state) {
        /* Killed while undoing a detach whose probe bound nothing. */
        crash_every_write(&(struct scenario){ "failing detach", op_detach, false, "vfio-pci", 0 });
}

static void test_crash_group(void **state) {
        for (unsigned n = 1; n < 64; n++) {
                struct emu *e = emu_fixture();
                _cleanup_free_ char *when = strdupf("group detach, killed before write %u", n);
                struct hd_context *ctx;
                int code = run_crashing(e, op_group, n, false, NULL);
                if (code != EMU_CRASH_EXIT) {
                        assert_true(n > 6);
                        emu_free(e);
                        return;
                }
                ctx = emu_context(e);
                assert_true(hd_recover(ctx, NULL) >= 0);
                /* Each member whole: detached and recorded, or back on igb. */
                assert_consistent(e, ctx, IGB0, "igb", when);
                assert_consistent(e, ctx, IGB1, "igb", when);
                assert_int_equal(open_ops(ctx), 0);
                hd_context_free(ctx);
                emu_free(e);
        }
        fail_msg("the group detach never ended");
}

/* A recovery killed at each of its writes: the next recovery still finishes the job. */
static void test_crash_recovery(void **state) {
        for (unsigned first = 1; first <= 3; first++)
                for (unsigned m = 1; m < 64; m++) {
                        struct emu *e = emu_fixture();
                        _cleanup_free_ char *when = strdupf("detach killed after write %u, recovery before write %u",
                                                            first, m);
                        int code;
                        assert_int_equal(run_crashing(e, op_detach, first, true, NULL), EMU_CRASH_EXIT);
                        code = run_crashing(e, op_recover, m, false, NULL);
                        if (code != EMU_CRASH_EXIT) {
                                assert_int_equal(code, 0);
                                check_after(e, NIC, "e1000e", when, 0);
                                emu_free(e);
                                break;
                        }
                        check_after(e, NIC, "e1000e", when, 0);
                        emu_free(e);
                }
}

/* Open operations of other shapes: a reset, a device that vanished, an operation this hostdev does not know. */
static void test_odd_ops(void **state) {
        struct emu *e = emu_fixture();
        struct hd_context *ctx = emu_context(e);
        struct hd_report *rep = NULL;
        _cleanup_free_ char *db = NULL;
        sqlite3 *h = NULL;

        assert_int_equal(hd_recover(ctx, NULL), 0); /* creates the store */
        db = strdupf("%s/hostdev.db", hd_context_get_state_dir(ctx));
        assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
        assert_int_equal(sqlite3_exec(h,
                                      "INSERT INTO ops (op, kind, key, data, started) VALUES "
                                      "('pci-reset', 'pci', '" NIC "', 'method=flr', 1), "
                                      "('pci-detach', 'pci', '0000:09:00.0', 'stub=vfio-pci\norig=e1000e', 1);"
                                      "INSERT INTO devices (kind, key, state, op_id, created, updated) VALUES "
                                      "('pci', '0000:09:00.0', 'busy', 2, 1, 1);",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        assert_int_equal(hd_recover(ctx, &rep), 2);
        assert_int_equal(rep->n_items, 2);
        assert_int_equal(rep->items[0].status, HD_REPORT_OK);
        assert_non_null(strstr(rep->items[0].text, "reset"));
        assert_int_equal(rep->items[1].status, HD_REPORT_WARN);
        assert_non_null(strstr(rep->items[1].text, "gone"));
        rep = hd_report_free(rep);
        assert_int_equal(hd_active_get(ctx, "pci", "0000:09:00.0", &(struct hd_active *){ NULL }), -ENOENT);

        assert_int_equal(sqlite3_exec(h, "INSERT INTO ops (op, kind, key, started) VALUES ('frob', 'usb', '1:2', 1)",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(h);
        assert_int_equal(hd_recover(ctx, &rep), -EIO);
        assert_int_equal(rep->items[0].status, HD_REPORT_FAIL);
        assert_non_null(strstr(rep->items[0].text, "'frob'"));
        hd_report_free(rep);
        /* Other devices still work meanwhile. */
        assert_int_equal(hd_pci_detach(ctx, NIC, NULL, 0), 0);
        assert_int_equal(hd_pci_reattach(ctx, NIC, 0), 0);
        hd_context_free(ctx);
        emu_free(e);
}

/*
 * Operations planted in the store (as another user could in a shared state
 * directory, or a store copied from elsewhere): recovery checks what it
 * would do as the operation it finishes would have, and never puts a device
 * the host runs on, a bridge, or a device on a driver that is no stub, on a
 * stub. Each device stays as it was, and the report says why.
 */
static void test_planted(void **state) {
        static const struct {
                const char *addr, *driver, *sql, *why;
        } cases[] = {
                /* The reported one: an interrupted detach of the disk with /srv and swap, its driver "wrong". */
                { NVME, "nvme",
                  "INSERT INTO ops (op, kind, key, data, started) VALUES ('pci-detach', 'pci', '" NVME "', "
                  "'stub=vfio-pci\norig=e1000e\noverride=\n', 1);"
                  "INSERT INTO devices (kind, key, state, op_id, created, updated) VALUES "
                  "('pci', '" NVME "', 'busy', last_insert_rowid(), 1, 1);",
                  "needed by the host" },
                /* Its driver_override set to the stub, for the next probe. */
                { NVME, "nvme",
                  "INSERT INTO ops (op, kind, key, data, started) VALUES ('pci-detach', 'pci', '" NVME "', "
                  "'stub=vfio-pci\norig=nvme\noverride=vfio-pci\n', 1);",
                  "needed by the host" },
                /* A prepare of the root disk's controller, given back to a driver it never had. */
                { AHCI, "ahci",
                  "INSERT INTO ops (op, kind, key, data, started) VALUES ('prepare', 'domain', 'qemu:x', "
                  "'owner_driver=qemu\nowner_domain=x\n', 1);"
                  "INSERT INTO devices (kind, key, state, op_id, owner_driver, owner_domain, stub_driver, orig_driver, "
                  "unbind_from_stub, reprobe, created, updated) VALUES ('pci', '" AHCI "', 'busy', last_insert_rowid(), "
                  "'qemu', 'x', 'vfio-pci', 'e1000e', 1, 1, 1, 1);",
                  "needed by the host" },
                /* A "stub" that is a host driver. */
                { NIC, "e1000e",
                  "INSERT INTO ops (op, kind, key, data, started) VALUES ('pci-reattach', 'pci', '" NIC "', "
                  "'stub=igb\norig=ahci\noverride=\n', 1);",
                  "igb is not a stub driver" },
                /* A bridge. */
                { ROOTPORT, "pcieport",
                  "INSERT INTO ops (op, kind, key, data, started) VALUES ('pci-detach', 'pci', '" ROOTPORT "', "
                  "'stub=vfio-pci\norig=e1000e\noverride=\n', 1);",
                  "PCI bridge" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct emu *e = emu_fixture();
                struct hd_context *ctx = emu_context(e);
                struct hd_report *rep = NULL;
                _cleanup_free_ char *db = NULL, *ov = NULL;
                bool said = false;
                sqlite3 *h = NULL;

                assert_int_equal(hd_recover(ctx, NULL), 0); /* creates the store */
                db = strdupf("%s/hostdev.db", hd_context_get_state_dir(ctx));
                assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
                assert_int_equal(sqlite3_exec(h, cases[i].sql, NULL, NULL, NULL), SQLITE_OK);
                sqlite3_close(h);
                /* Any changing verb recovers first: here a detach that refuses the device anyway. */
                if (!streq(cases[i].addr, NIC)) {
                        assert_true(hd_pci_detach(ctx, cases[i].addr, NULL, 0) < 0);
                        assert_driver(e, cases[i].addr, cases[i].driver);
                }
                assert_int_equal(hd_recover(ctx, &rep), -EIO);
                for (size_t k = 0; k < rep->n_items; k++)
                        said |= rep->items[k].status == HD_REPORT_FAIL && strstr(rep->items[k].text, cases[i].why) &&
                                strstr(rep->items[k].text, cases[i].addr);
                if (!said)
                        fail_msg("case %zu: the report does not say '%s': %s", i, cases[i].why,
                                 rep->n_items ? rep->items[rep->n_items - 1].text : "(empty)");
                hd_report_free(rep);
                assert_driver(e, cases[i].addr, cases[i].driver);
                ov = emu_override(e, cases[i].addr);
                if (ov)
                        fail_msg("case %zu: %s got driver_override %s", i, cases[i].addr, ov);
                hd_context_free(ctx);
                emu_free(e);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_crash_detach),
                cmocka_unit_test(test_crash_reattach),
                cmocka_unit_test(test_crash_failing_detach),
                cmocka_unit_test(test_crash_group),
                cmocka_unit_test(test_crash_recovery),
                cmocka_unit_test(test_odd_ops),
                cmocka_unit_test(test_planted),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
