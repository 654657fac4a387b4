/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PCI detach, reattach, reset and check on the emulated q35 host: round trips, refusals, failures, races. */
#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu-test.h"
#include "sysfs/sysfs.h"

#define NIC "0000:01:00.0"   /* e1000e, group 2, reset flr */
#define IGB0 "0000:02:00.0"  /* igb, group 5 with IGB1, reset by bus only */
#define IGB1 "0000:02:00.1"
#define VIRTIO "0000:00:02.0" /* eth0: the default route */
#define NVME "0000:00:04.0"  /* swap and /srv (through dm-0) */
#define AHCI "0000:00:1f.2"  /* sda1 is / ; group 7 with the ISA bridge and SMBus */
#define ROOTPORT "0000:00:01.0"
#define AUDIO "0000:00:06.0" /* no reset method */

static int setup(void **state) {
        return emu_test_setup(state, "manager");
}

static void assert_error_has(struct hd_context *ctx, const char *what) {
        const char *m = hd_context_last_error(ctx);
        if (!m || !strstr(m, what))
                fail_msg("expected an error with '%s', got '%s'", what, m ? m : "(none)");
}

/* Whether ADDR has a record, and in which state. */
static char *record_state(struct hd_context *ctx, const char *addr) {
        struct hd_active *a = NULL;
        char *s;
        if (hd_active_get(ctx, "pci", addr, &a) < 0)
                return NULL;
        s = strdup(a->state);
        hd_active_free(a);
        return s;
}

/* The device is back with the host exactly as before: its driver, no override, no record. */
static void assert_host_has(struct emu_test *t, const char *addr, const char *driver) {
        _cleanup_free_ char *ov = emu_override(t->e, addr), *st = record_state(t->ctx, addr);
        assert_driver(t->e, addr, driver);
        if (ov)
                fail_msg("%s keeps driver_override %s", addr, ov);
        if (st)
                fail_msg("%s is still recorded (%s)", addr, st);
}

static void assert_detached(struct emu_test *t, const char *addr, const char *orig) {
        struct hd_active *a = NULL;
        assert_driver(t->e, addr, "vfio-pci");
        assert_int_equal(hd_active_get(t->ctx, "pci", addr, &a), 0);
        assert_string_equal(a->state, "detached");
        assert_string_equal(a->stub_driver, "vfio-pci");
        if (orig)
                assert_string_equal(a->orig_driver, orig);
        else
                assert_null(a->orig_driver);
        assert_null(a->owner_driver);
        hd_active_free(a);
}

static int count_rows(struct emu_test *t, const char *sql) {
        _cleanup_free_ char *db = strdupf("%s/hostdev.db", hd_context_get_state_dir(t->ctx));
        sqlite3 *h = NULL;
        sqlite3_stmt *st = NULL;
        int n = -1;
        if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
                n = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(h);
        return n;
}

/* Every write is preceded by a journal step still pending that names its path. */
static void journal_before_write(void *userdata, const char *path, const char *value) {
        struct emu_test *t = userdata;
        _cleanup_free_ char *db = strdupf("%s/hostdev.db", hd_context_get_state_dir(t->ctx));
        sqlite3 *h = NULL;
        sqlite3_stmt *st = NULL;
        bool ok = false;
        if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(h, "SELECT status, action FROM journal ORDER BY id DESC LIMIT 1", -1, &st, NULL) ==
                    SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
                ok = streq((const char *)sqlite3_column_text(st, 0), "pending") &&
                     strstr((const char *)sqlite3_column_text(st, 1), path);
        sqlite3_finalize(st);
        sqlite3_close(h);
        if (!ok)
                fail_msg("write to %s without a pending journal step", path);
}

static void test_round_trip(void **state) {
        struct emu_test *t = *state;
        _cleanup_free_ char *ov = NULL;

        emu_set_observer(t->e, journal_before_write, t);
        assert_int_equal(hd_pci_detach(t->ctx, "01:00.0", NULL, 0), 0);
        assert_detached(t, NIC, "e1000e");
        ov = emu_override(t->e, NIC);
        assert_string_equal(ov, "vfio-pci");
        assert_true(emu_exists(t->e, "dev/vfio/2"));
        /* override, unbind, probe: three journaled writes, all done. */
        assert_int_equal(emu_writes(t->e), 3);
        assert_int_equal(count_rows(t, "SELECT COUNT(*) FROM journal WHERE status = 'done'"), 3);
        assert_int_equal(count_rows(t, "SELECT COUNT(*) FROM ops WHERE status = 'open'"), 0);

        assert_int_equal(hd_pci_reattach(t->ctx, NIC, 0), 0);
        assert_host_has(t, NIC, "e1000e");
        assert_false(emu_exists(t->e, "dev/vfio/2"));
        assert_int_equal(count_rows(t, "SELECT COUNT(*) FROM ops WHERE status = 'done'"), 2);
        emu_set_observer(t->e, NULL, NULL);
}

static void test_probe_binds_nothing(void **state) {
        struct emu_test *t = *state;

        emu_probe_fails(t->e, "vfio-pci");
        assert_int_equal(hd_pci_detach(t->ctx, NIC, "vfio-pci", 0), -EIO);
        assert_error_has(t->ctx, "vfio-pci did not bind it");
        assert_error_has(t->ctx, "back on its driver");
        assert_host_has(t, NIC, "e1000e");
        assert_int_equal(count_rows(t, "SELECT COUNT(*) FROM ops WHERE status = 'undone'"), 1);
        emu_clear_faults(t->e);
        assert_int_equal(hd_pci_detach(t->ctx, NIC, NULL, 0), 0);
        assert_detached(t, NIC, "e1000e");
}

static void test_ebusy_unbind(void **state) {
        struct emu_test *t = *state;

        emu_fail_path(t->e, "/sys/bus/pci/drivers/e1000e/unbind", EBUSY, 1);
        assert_int_equal(hd_pci_detach(t->ctx, NIC, NULL, 0), -EBUSY);
        assert_error_has(t->ctx, "unbind it from e1000e");
        assert_error_has(t->ctx, "Device or resource busy");
        assert_host_has(t, NIC, "e1000e");
        assert_int_equal(hd_pci_detach(t->ctx, NIC, NULL, 0), 0);
        assert_detached(t, NIC, "e1000e");
}

/* A failure at any one write of a detach, then of a reattach: nothing is lost. */
static void test_fail_every_write(void **state) {
        struct emu_test *t = *state;
        int errs[] = { EBUSY, ENODEV };

        emu_set_observer(t->e, journal_before_write, t);
        for (size_t k = 0; k < ELEMENTSOF(errs); k++)
                for (unsigned n = 1; n <= 8; n++) {
                        int r;
                        emu_fail_nth(t->e, n, errs[k]);
                        r = hd_pci_detach(t->ctx, NIC, NULL, 0);
                        emu_clear_faults(t->e);
                        /* A failure while undoing leaves the op open for the next operation to finish. */
                        assert_true(hd_recover(t->ctx, NULL) >= 0);
                        if (r == 0) {
                                assert_detached(t, NIC, "e1000e");
                                emu_fail_nth(t->e, n, errs[k]);
                                r = hd_pci_reattach(t->ctx, NIC, 0);
                                emu_clear_faults(t->e);
                                assert_true(hd_recover(t->ctx, NULL) >= 0);
                                if (r < 0)
                                        assert_detached(t, NIC, "e1000e");
                                else
                                        assert_host_has(t, NIC, "e1000e");
                                if (r < 0)
                                        assert_int_equal(hd_pci_reattach(t->ctx, NIC, 0), 0);
                        }
                        assert_host_has(t, NIC, "e1000e");
                        assert_int_equal(count_rows(t, "SELECT COUNT(*) FROM ops WHERE status = 'open'"), 0);
                }
}

static void test_bridge(void **state) {
        struct emu_test *t = *state;
        assert_int_equal(hd_pci_detach(t->ctx, ROOTPORT, NULL, HD_PCI_FORCE), -EINVAL);
        assert_error_has(t->ctx, "is a PCI bridge");
        assert_driver(t->e, ROOTPORT, "pcieport");
        assert_int_equal(emu_writes(t->e), 0);
}

/*
 * A filesystem whose device number leads nowhere (btrfs, overlay...) is found
 * by its source's name: /dev/mapper/vg-srv is the dm device whose dm/name
 * says so, read through the links of /sys/class/block.
 */
static void test_host_needs_dm_by_name(void **state) {
        struct emu_test *t = *state;
        _cleanup_free_ char *mi = strdupf("%s/proc/self/mountinfo", emu_root(t->e));
        char buf[8192], *p;
        FILE *f = fopen(mi, "re");
        size_t n;

        assert_non_null(f);
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = 0;
        p = strstr(buf, " 254:0 ");
        assert_non_null(p);
        memcpy(p, " 0:99  ", 7);
        f = fopen(mi, "we");
        assert_non_null(f);
        fputs(buf, f);
        fclose(f);
        assert_int_equal(hd_pci_detach(t->ctx, NVME, NULL, 0), -EBUSY);
        assert_error_has(t->ctx, "mounted on /srv (/dev/mapper/vg-srv");
        assert_int_equal(emu_writes(t->e), 0);
}

static void test_host_needs(void **state) {
        struct emu_test *t = *state;

        assert_int_equal(hd_pci_detach(t->ctx, AHCI, NULL, 0), -EBUSY);
        assert_error_has(t->ctx, "filesystem mounted on / (/dev/sda1");
        assert_error_has(t->ctx, "--force");
        assert_int_equal(hd_pci_detach(t->ctx, NVME, NULL, 0), -EBUSY);
        assert_error_has(t->ctx, "mounted on /srv (/dev/mapper/vg-srv");
        assert_int_equal(hd_pci_detach(t->ctx, VIRTIO, NULL, 0), -EBUSY);
        assert_error_has(t->ctx, "default route (interface eth0)");
        assert_int_equal(emu_writes(t->e), 0);
        /* With force, it goes. */
        assert_int_equal(hd_pci_detach(t->ctx, AHCI, NULL, HD_PCI_FORCE), 0);
        assert_detached(t, AHCI, "ahci");
        assert_int_equal(hd_pci_reattach(t->ctx, AHCI, 0), 0);
        assert_host_has(t, AHCI, "ahci");
}

static void test_host_needs_swap(void **state) {
        struct emu_test *t = *state;
        _cleanup_free_ char *mi = strdupf("%s/proc/self/mountinfo", emu_root(t->e));
        FILE *f = fopen(mi, "w");
        /* Only the root filesystem mounted: the NVMe is still swap. */
        fputs("22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n", f);
        fclose(f);
        assert_int_equal(hd_pci_detach(t->ctx, NVME, NULL, 0), -EBUSY);
        assert_error_has(t->ctx, "active swap /dev/nvme0n1p1");
}

static void test_already_detached(void **state) {
        struct emu_test *t = *state;
        _cleanup_free_ char *me = strdupf("pid %d", (int)getpid());

        assert_int_equal(hd_pci_detach(t->ctx, NIC, NULL, 0), 0);
        assert_int_equal(hd_pci_detach(t->ctx, NIC, NULL, 0), -EBUSY);
        assert_error_has(t->ctx, "already");
        assert_error_has(t->ctx, me);
        assert_error_has(t->ctx, "hostdev reattach");
        assert_detached(t, NIC, "e1000e");
        assert_int_equal(hd_pci_reattach(t->ctx, NIC, 0), 0);
        assert_int_equal(hd_pci_reattach(t->ctx, NIC, 0), -EALREADY);
        assert_error_has(t->ctx, "not detached");
}

static void test_adopt(void **state) {
        struct emu_test *t = *state;
        /* Someone put it on vfio-pci by hand: detach records it, reattach lets the kernel choose. */
        assert_int_equal(hd_pci_detach(t->ctx, NIC, NULL, 0), 0);
        assert_int_equal(hd_pci_detach(t->ctx, IGB0, "pci-stub", 0), 0);
        assert_driver(t->e, IGB0, "pci-stub");
        /* Forget the records, as if hostdev had never run. */
        for (const char *const *sfx = (const char *const[]){ "", "-wal", "-shm", NULL }; *sfx; sfx++) {
                _cleanup_free_ char *p = strdupf("%s/hostdev.db%s", hd_context_get_state_dir(t->ctx), *sfx);
                (void)unlink(p);
        }
        /* Adopting fails at its one write: undone means left on vfio-pci, as found. */
        assert_int_equal(emu_write_hook(t->e, -1, "/sys/bus/pci/devices/" NIC "/driver_override", "\n", 1), 0);
        emu_fail_nth(t->e, 1, EBUSY);
        assert_int_equal(hd_pci_detach(t->ctx, NIC, NULL, 0), -EBUSY);
        assert_driver(t->e, NIC, "vfio-pci");
        {
                _cleanup_free_ char *st = record_state(t->ctx, NIC);
                assert_null(st);
        }
        assert_int_equal(hd_pci_detach(t->ctx, NIC, NULL, 0), 0);
        assert_detached(t, NIC, NULL);
        assert_int_equal(hd_pci_reattach(t->ctx, NIC, 0), 0);
        assert_host_has(t, NIC, "e1000e");
        /* Never recorded, on a stub: given back too. */
        assert_int_equal(hd_pci_reattach(t->ctx, IGB0, 0), 0);
        assert_host_has(t, IGB0, "igb");
}

static void test_group(void **state) {
        struct emu_test *t = *state;

        emu_set_observer(t->e, journal_before_write, t);
        assert_int_equal(hd_pci_detach(t->ctx, IGB0, NULL, HD_PCI_GROUP), 0);
        assert_detached(t, IGB0, "igb");
        assert_detached(t, IGB1, "igb");
        assert_true(emu_exists(t->e, "dev/vfio/5"));
        /* A member detached already is fine with --group. */
        assert_int_equal(hd_pci_reattach(t->ctx, IGB1, 0), 0);
        assert_int_equal(hd_pci_detach(t->ctx, IGB1, NULL, HD_PCI_GROUP), 0);
        assert_detached(t, IGB1, "igb");
        assert_int_equal(hd_pci_reattach(t->ctx, IGB1, HD_PCI_GROUP), 0);
        assert_host_has(t, IGB0, "igb");
        assert_host_has(t, IGB1, "igb");
        assert_false(emu_exists(t->e, "dev/vfio/5"));

        /* The second member fails: the first goes back, the error says why. */
        emu_probe_fails(t->e, "vfio-pci");
        assert_int_equal(hd_pci_detach(t->ctx, IGB0, NULL, HD_PCI_GROUP), -EIO);
        assert_error_has(t->ctx, IGB0);
        emu_clear_faults(t->e);
        assert_host_has(t, IGB0, "igb");
        assert_host_has(t, IGB1, "igb");

        /* The ICH9 group holds the root disk: refused whole, before any write. */
        {
                unsigned before = emu_writes(t->e);
                assert_int_equal(hd_pci_detach(t->ctx, "0000:00:1f.3", NULL, HD_PCI_GROUP), -EBUSY);
                assert_error_has(t->ctx, AHCI);
                assert_int_equal(emu_writes(t->e), before);
        }
}

static void test_group_second_fails(void **state) {
        struct emu_test *t = *state;
        /* IGB0 goes, IGB1's unbind fails: IGB0 comes back. */
        emu_fail_nth(t->e, 5, EBUSY); /* 1-3: IGB0; 4: IGB1 override; 5: IGB1 unbind */
        assert_int_equal(hd_pci_detach(t->ctx, IGB0, NULL, HD_PCI_GROUP), -EBUSY);
        assert_error_has(t->ctx, IGB1);
        assert_error_has(t->ctx, "other members of the group are back");
        assert_host_has(t, IGB0, "igb");
        assert_host_has(t, IGB1, "igb");
}

static void test_no_iommu_group(void **state) {
        struct emu_test *t = *state;
        _cleanup_free_ char *link = strdupf("%s/sys/devices/pci0000:00/0000:00:01.0/%s/iommu_group", emu_root(t->e), NIC);
        assert_int_equal(unlink(link), 0);
        assert_int_equal(hd_pci_detach(t->ctx, NIC, NULL, 0), -EINVAL);
        assert_error_has(t->ctx, "in no IOMMU group");
        assert_int_equal(emu_writes(t->e), 0);
        /* pci-stub needs no IOMMU. */
        assert_int_equal(hd_pci_detach(t->ctx, NIC, "pci-stub", 0), 0);
        assert_driver(t->e, NIC, "pci-stub");
}

static void test_no_module_under_sysroot(void **state) {
        struct emu_test *t = *state;
        assert_int_equal(hd_pci_detach(t->ctx, NIC, "nosuch-stub", 0), -ENOENT);
        assert_error_has(t->ctx, "never loaded under --sysroot");
        assert_int_equal(hd_pci_detach(t->ctx, NIC, "../evil", 0), -EINVAL);
        assert_int_equal(hd_pci_detach(t->ctx, "0000:09:00.0", NULL, 0), -ENODEV);
        assert_error_has(t->ctx, "no PCI device 0000:09:00.0");
        assert_int_equal(hd_pci_detach(t->ctx, "junk", NULL, 0), -EINVAL);
        assert_host_has(t, NIC, "e1000e");
}

/* Two processes detach one device at once: one wins, the loser's error names the winner. */
static void test_race(void **state) {
        struct emu_test *t = *state;
        for (int round = 0; round < 5; round++) {
                pid_t pids[2];
                int pipes[2][2], wins = 0, winner = -1;
                char msg[2][512] = { "", "" };

                for (int i = 0; i < 2; i++) {
                        assert_int_equal(pipe(pipes[i]), 0);
                        pids[i] = fork();
                        assert_true(pids[i] >= 0);
                        if (pids[i] == 0) {
                                struct hd_context *c = emu_context(t->e);
                                int r = hd_pci_detach(c, NIC, NULL, 0);
                                const char *m = hd_context_last_error(c);
                                if (m)
                                        (void)!write(pipes[i][1], m, strlen(m));
                                _exit(r == 0 ? 0 : r == -EBUSY ? 1 : 2);
                        }
                        close(pipes[i][1]);
                }
                for (int i = 0; i < 2; i++) {
                        int st;
                        ssize_t n = read(pipes[i][0], msg[i], sizeof(msg[i]) - 1);
                        msg[i][n > 0 ? n : 0] = 0;
                        close(pipes[i][0]);
                        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
                        assert_true(WIFEXITED(st));
                        if (WEXITSTATUS(st) == 0) {
                                wins++;
                                winner = i;
                        } else
                                assert_int_equal(WEXITSTATUS(st), 1);
                }
                assert_int_equal(wins, 1);
                {
                        _cleanup_free_ char *who = strdupf("pid %d", (int)pids[winner]);
                        if (!strstr(msg[1 - winner], who))
                                fail_msg("the loser's error '%s' does not name %s", msg[1 - winner], who);
                }
                assert_detached(t, NIC, "e1000e");
                assert_int_equal(hd_pci_reattach(t->ctx, NIC, 0), 0);
                assert_host_has(t, NIC, "e1000e");
        }
}

static void test_reset(void **state) {
        struct emu_test *t = *state;
        struct hd_owner vm1 = { "qemu", "vm1", NULL };

        emu_set_observer(t->e, journal_before_write, t);
        assert_int_equal(hd_pci_reset(t->ctx, NIC, NULL, 0), 0);
        assert_int_equal(emu_resets(t->e, NIC), 1);
        assert_int_equal(hd_pci_reset(t->ctx, AUDIO, NULL, 0), -EOPNOTSUPP);
        assert_error_has(t->ctx, "no reset method");
        assert_int_equal(hd_pci_reset(t->ctx, AHCI, NULL, 0), -EOPNOTSUPP);
        assert_int_equal(hd_pci_reset(t->ctx, VIRTIO, NULL, 0), -EBUSY);
        assert_error_has(t->ctx, "default route");
        emu_fail_path(t->e, "*/" NIC "/reset", EBUSY, 1);
        assert_int_equal(hd_pci_reset(t->ctx, NIC, NULL, 0), -EBUSY);
        assert_error_has(t->ctx, "could not reset it");
        assert_int_equal(emu_resets(t->e, NIC), 1);

        /* A bus reset would also hit IGB1, on the host's igb. */
        assert_int_equal(hd_pci_reset(t->ctx, IGB0, &vm1, 0), -EBUSY);
        assert_error_has(t->ctx, IGB1);
        assert_error_has(t->ctx, "0000:02:00.1 (on igb, a host driver)");
        assert_int_equal(emu_resets(t->e, IGB0), 0);
        assert_int_equal(hd_pci_detach(t->ctx, IGB0, NULL, HD_PCI_GROUP), 0);
        assert_int_equal(hd_pci_reset(t->ctx, IGB0, &vm1, 0), 0);
        assert_int_equal(emu_resets(t->e, IGB0), 1);

        /* IGB1 held by another guest: refused, naming it; its own owner may. */
        {
                _cleanup_free_ char *db = strdupf("%s/hostdev.db", hd_context_get_state_dir(t->ctx));
                sqlite3 *h = NULL;
                struct hd_owner vm2 = { "qemu", "vm2", NULL };
                assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
                assert_int_equal(sqlite3_exec(h,
                                              "UPDATE devices SET state = 'held', owner_driver = 'qemu', "
                                              "owner_domain = 'vm2' WHERE key = '" IGB1 "'",
                                              NULL, NULL, NULL),
                                 SQLITE_OK);
                sqlite3_close(h);
                assert_int_equal(hd_pci_reset(t->ctx, IGB0, &vm1, 0), -EBUSY);
                assert_error_has(t->ctx, "held by qemu:vm2");
                assert_int_equal(hd_pci_reset(t->ctx, IGB0, &vm2, 0), 0);
                assert_int_equal(hd_pci_reset(t->ctx, IGB1, &vm1, 0), -EBUSY);
                assert_error_has(t->ctx, "only its owner");
                assert_int_equal(hd_pci_reattach(t->ctx, IGB1, 0), -EBUSY);
                assert_error_has(t->ctx, "release it from its guest first");
        }
}

static void test_check(void **state) {
        struct emu_test *t = *state;
        struct hd_report *r = NULL;

        assert_int_equal(hd_pci_check(t->ctx, NIC, 0, &r), 0);
        assert_true(r->ok);
        assert_int_equal(report_item(r, "iommu")->status, HD_REPORT_OK);
        assert_non_null(strstr(report_item(r, "iommu")->text, "dmar0"));
        assert_int_equal(report_item(r, "group")->status, HD_REPORT_OK);
        assert_int_equal(report_item(r, "driver")->status, HD_REPORT_INFO);
        assert_int_equal(report_item(r, "reset")->status, HD_REPORT_OK);
        assert_int_equal(report_item(r, "holder")->status, HD_REPORT_OK);
        assert_int_equal(report_item(r, "host")->status, HD_REPORT_OK);
        r = hd_report_free(r);
        /* check reads only: no store appears. */
        assert_false(emu_exists(t->e, "var/lib/hostdev/hostdev.db"));

        assert_int_equal(hd_pci_check(t->ctx, AHCI, 0, &r), 0);
        assert_false(r->ok);
        assert_int_equal(report_item(r, "host")->status, HD_REPORT_FAIL);
        assert_non_null(strstr(report_item(r, "host")->text, "mounted on /"));
        assert_int_equal(report_item(r, "group")->status, HD_REPORT_FAIL);
        assert_non_null(strstr(report_item(r, "group")->remedy, "--group"));
        assert_int_equal(report_item(r, "reset")->status, HD_REPORT_WARN);
        r = hd_report_free(r);

        assert_int_equal(hd_pci_check(t->ctx, ROOTPORT, 0, &r), 0);
        assert_int_equal(report_item(r, "bridge")->status, HD_REPORT_FAIL);
        r = hd_report_free(r);

        assert_int_equal(hd_pci_check(t->ctx, IGB0, 0, &r), 0);
        assert_int_equal(report_item(r, "group")->status, HD_REPORT_FAIL); /* IGB1 on igb */
        assert_int_equal(report_item(r, "reset")->status, HD_REPORT_WARN);
        r = hd_report_free(r);

        assert_int_equal(hd_pci_detach(t->ctx, NIC, NULL, 0), 0);
        assert_int_equal(hd_pci_check(t->ctx, NIC, 0, &r), 0);
        assert_true(r->ok);
        assert_int_equal(report_item(r, "driver")->status, HD_REPORT_OK);
        assert_non_null(strstr(report_item(r, "driver")->text, "/dev/vfio/2"));
        assert_non_null(strstr(report_item(r, "holder")->text, "detached to vfio-pci"));
        r = hd_report_free(r);

        assert_int_equal(hd_pci_check(t->ctx, "0000:09:00.0", 0, &r), -ENODEV);
}

/* In a child as nobody: check NIC; its holder item has status WANT and says TEXT, and the device is not free. */
static void check_as_nobody(struct emu_test *t, enum hd_report_status want, const char *text) {
        pid_t pid = fork();
        int st = 0;

        assert_true(pid >= 0);
        if (pid == 0) {
                struct hd_report *r = NULL;
                const struct hd_report_item *it = NULL;
                if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
                        _exit(10);
                if (hd_pci_check(t->ctx, NIC, 0, &r) < 0)
                        _exit(11);
                for (size_t i = 0; i < r->n_items; i++)
                        if (streq(r->items[i].topic, "holder"))
                                it = &r->items[i];
                if (!it || it->status != want || !strstr(it->text, text) || r->ok) {
                        fprintf(stderr, "holder: %s: %s\n", it ? hd_report_status_to_string(it->status) : "-",
                                it ? it->text : "no item");
                        _exit(12);
                }
                _exit(0);
        }
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
}

/* As a user who cannot read the state store, a held device is never "can be passed through". */
static void test_check_not_root(void **state) {
        static const char xml[] = "<hostdev mode='subsystem' type='pci' managed='yes'><source>"
                                  "<address domain='0' bus='1' slot='0' function='0'/></source></hostdev>";
        static const struct hd_owner vm1 = { .driver = "qemu", .domain = "vm1" };
        struct emu_test *t = *state;
        struct hd_domain_def *def = NULL;
        _cleanup_free_ char *dir = NULL, *db = NULL, *files = NULL;
        sqlite3 *h = NULL;

        if (geteuid() != 0)
                skip(); /* it needs to become another user */
        assert_int_equal(hd_domain_parse(t->ctx, xml, strlen(xml), NULL, &def), 0);
        assert_int_equal(hd_manager_prepare(t->ctx, &vm1, def, 0, NULL), 0);
        hd_domain_def_free(def);
        assert_int_equal(chmod(emu_root(t->e), 0755), 0);

        /* The store is root's (0700): who holds NIC is unknown, and check says so. */
        check_as_nobody(t, HD_REPORT_FAIL, "unknown: cannot read the state store");

        /* One the user may read is read (SQLite opens a file it may not write read-only; its WAL
         * files are there while root has it open): the holder is named. */
        dir = strdupf("%s/var/lib/hostdev", emu_root(t->e));
        db = strdupf("%s/hostdev.db", dir);
        assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_exec(h, "SELECT count(*) FROM devices", NULL, NULL, NULL), SQLITE_OK);
        files = strdupf("chmod 755 '%s' && chmod 644 '%s'/hostdev.db*", dir, dir);
        assert_int_equal(system(files), 0);
        check_as_nobody(t, HD_REPORT_FAIL, "held by qemu:vm1");
        sqlite3_close(h);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_round_trip, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_probe_binds_nothing, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_ebusy_unbind, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_fail_every_write, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_bridge, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_host_needs_dm_by_name, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_host_needs, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_host_needs_swap, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_already_detached, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_adopt, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_group, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_group_second_fails, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_no_iommu_group, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_no_module_under_sysroot, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_race, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_reset, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_check, setup, emu_test_teardown),
                cmocka_unit_test_setup_teardown(test_check_not_root, setup, emu_test_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
