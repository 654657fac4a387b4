/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the prepare/release tests share: the VM host's tree, a context on it that counts (and can die at) every write. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>

#include "emu-ext.h"
#include "emu-vfnet.h"
#include "hostdev/hostdev.h"
#include "util/strutil.h"

/* tests/data/trees/vm: see its make-tree.sh. */
#define NIC "0000:01:00.0"  /* e1000e, group 2 */
#define IGB0 "0000:02:00.0" /* igb, group 5 with IGB1 */
#define IGB1 "0000:02:00.1"
#define AHCI "0000:00:1f.2" /* the root disk; group 7 with 1f.0 and 1f.3 */
#define SMBUS "0000:00:1f.3"
#define VF0 "0000:03:02.0" /* iavf, VF 0 of enp3s0f0, admin MAC 02:00:00:00:03:00 */
#define VF1 "0000:03:02.1"
#define PF "0000:03:00.0"
#define MDEV_ON "7c8d4a2e-1f3b-4c5d-8e9f-0a1b2c3d4e5f"  /* running */
#define MDEV_DEF "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001" /* defined, not running */

/*
 * One emulated host. Every write (sysfs, the emulator's extensions, the
 * emulated netlink) goes through count_hook: counted, and the process dies
 * (_exit(EMU_CRASH_EXIT)) before or after applying write number crash_at,
 * and write number fail_at fails with -fail_err.
 */
struct vm {
        struct emu *e;
        struct hd_context *ctx;
        struct emu_vfnet vfnet;
        unsigned writes, crash_at, fail_at;
        int fail_err;
        bool crash_after;
};

static inline int count_hook(void *userdata, int root_fd, const char *path, const char *value, size_t len) {
        struct vm *v = userdata;
        unsigned n = ++v->writes;
        int r;
        if (v->crash_at == n && !v->crash_after)
                _exit(EMU_CRASH_EXIT);
        if (v->fail_at == n)
                return -v->fail_err; /* as the kernel refusing it: nothing changes */
        r = emu_ext_write_hook(v->e, root_fd, path, value, len);
        if (v->crash_at == n)
                _exit(EMU_CRASH_EXIT);
        return r;
}

/* A new context on V's tree, counting into V. */
static inline struct hd_context *vm_context(struct vm *v) {
        struct hd_context *ctx = NULL;
        assert_int_equal(hd_context_new(&ctx), 0);
        assert_int_equal(emu_ext_attach(v->e, ctx), 0);
        hd_context_set_write_hook(ctx, count_hook, v);
        hd_manager_set_vf_netlink(ctx, &v->vfnet.ops);
        return ctx;
}

static inline struct vm *vm_new(void) {
        const char *data = getenv("HOSTDEV_TEST_DATA");
        _cleanup_free_ char *tree = strdupf("%s/trees/vm", data ? data : "tests/data");
        struct vm *v = calloc(1, sizeof(*v));
        assert_non_null(v);
        assert_non_null(tree);
        assert_int_equal(emu_new(tree, &v->e), 0);
        emu_vfnet_init(&v->vfnet, v->e, count_hook, v);
        v->ctx = vm_context(v);
        return v;
}

static inline void vm_free(struct vm *v) {
        if (!v)
                return;
        hd_context_free(v->ctx);
        emu_free(v->e);
        free(v);
}

/* cmocka fixtures: a fresh emulated host per test (cmocka_unit_test_setup_teardown(t, vm_setup, vm_teardown)). */
static inline int vm_setup(void **state) {
        *state = vm_new();
        return 0;
}

static inline int vm_teardown(void **state) {
        vm_free(*state);
        return 0;
}

static inline struct hd_domain_def *vm_parse(struct hd_context *ctx, const char *xml) {
        struct hd_domain_def *def = NULL;
        if (hd_domain_parse(ctx, xml, strlen(xml), "test.xml", &def) < 0)
                fail_msg("parsing: %s", hd_context_last_error(ctx));
        return def;
}

static inline void assert_error_has(struct hd_context *ctx, const char *what) {
        const char *m = hd_context_last_error(ctx);
        if (!m || !strstr(m, what))
                fail_msg("expected an error with '%s', got '%s'", what, m ? m : "(none)");
}

static inline void assert_driver(struct emu *e, const char *addr, const char *want) {
        _cleanup_free_ char *d = emu_driver(e, addr);
        if (want ? !d || !streq(d, want) : d != NULL)
                fail_msg("%s is on %s, expected %s", addr, d ? d : "no driver", want ? want : "no driver");
}

/* The record of KIND/KEY: its state, or NULL when none. */
static inline char *vm_state(struct hd_context *ctx, const char *kind, const char *key) {
        struct hd_active *a = NULL;
        char *s;
        if (hd_active_get(ctx, kind, key, &a) < 0)
                return NULL;
        s = strdup(a->state);
        hd_active_free(a);
        return s;
}

static inline void assert_state(struct hd_context *ctx, const char *kind, const char *key, const char *want) {
        _cleanup_free_ char *st = vm_state(ctx, kind, key);
        if (!st || !streq(st, want))
                fail_msg("%s %s is %s, expected %s", kind, key, st ? st : "not recorded", want);
}

static inline size_t vm_records(struct hd_context *ctx) {
        struct hd_active *v = NULL;
        size_t n = 0;
        assert_int_equal(hd_active_list(ctx, &v, &n), 0);
        hd_active_list_free(v, n);
        return n;
}

/* Operations the store has open (a crash left them). */
static inline int vm_open_ops(struct hd_context *ctx) {
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

/* A <domain> named NAME holding DEVICES (elements). */
static inline char *vm_domain(const char *name, const char *devices) {
        char *x = strdupf("<domain type='kvm'><name>%s</name><devices>%s</devices></domain>", name, devices);
        assert_non_null(x);
        return x;
}

#define PCI_XML(bus, slot, fn, managed)                                                            \
        "<hostdev mode='subsystem' type='pci' managed='" managed "'><source><address domain='0x0000' bus='" bus \
        "' slot='" slot "' function='" fn "'/></source></hostdev>"

static inline bool vm_mdev_running(struct vm *v, const char *uuid) {
        _cleanup_free_ char *p = strdupf("sys/bus/mdev/devices/%s", uuid);
        return emu_exists(v->e, p);
}

static inline void vm_vfnet(struct vm *v, unsigned vf, const char *mac, unsigned vlan) {
        struct hd_vf_net n;
        char m[18], vl[24];
        assert_int_equal(emu_vfnet_read(v->e, "enp3s0f0", vf, &n), 0);
        hd_vf_net_to_strings(&n, m, vl);
        if (!streq(m, mac) || n.vlan != vlan)
                fail_msg("VF %u has MAC %s VLAN %u, expected %s VLAN %u", vf, m, n.vlan, mac, vlan);
}

/* The whole host as the tree had it before any prepare. */
static inline void vm_assert_pristine(struct vm *v, const char *when) {
        static const struct {
                const char *addr, *drv;
        } pci[] = { { NIC, "e1000e" }, { IGB0, "igb" }, { IGB1, "igb" }, { VF0, "iavf" }, { VF1, "iavf" },
                    { SMBUS, "i801_smbus" } };
        for (size_t i = 0; i < sizeof(pci) / sizeof(pci[0]); i++) {
                _cleanup_free_ char *d = emu_driver(v->e, pci[i].addr), *ov = emu_override(v->e, pci[i].addr);
                if (!d || !streq(d, pci[i].drv) || ov)
                        fail_msg("%s: %s is on %s (override %s), expected %s", when, pci[i].addr, d ? d : "no driver",
                                 ov ? ov : "none", pci[i].drv);
        }
        if (!vm_mdev_running(v, MDEV_ON) || vm_mdev_running(v, MDEV_DEF))
                fail_msg("%s: mdevs not as before", when);
        vm_vfnet(v, 0, "02:00:00:00:03:00", 0);
}

/* Every device of the VM domain (vm_domain_xml) the way prepare leaves it. */
static inline void vm_assert_prepared(struct vm *v, struct hd_context *ctx, const char *when) {
        static const char *const keys[][2] = {
                { "pci", NIC }, { "usb", "001:002 0204:6025" }, { "scsi", "2:0:0:0" }, { "mdev", MDEV_ON },
                { "mdev", MDEV_DEF }, { "pci", VF0 }, { "net_vf", VF0 },
        };
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                _cleanup_free_ char *st = vm_state(ctx, keys[i][0], keys[i][1]);
                if (!st || !streq(st, "held"))
                        fail_msg("%s: %s %s is %s, expected held", when, keys[i][0], keys[i][1], st ? st : "not recorded");
        }
        assert_driver(v->e, NIC, "vfio-pci");
        assert_driver(v->e, VF0, "vfio-pci");
        if (!vm_mdev_running(v, MDEV_ON) || !vm_mdev_running(v, MDEV_DEF))
                fail_msg("%s: the mdevs are not both running", when);
        vm_vfnet(v, 0, "52:54:00:6d:90:02", 42);
}

/* A domain with one device of every kind. */
static const char vm_domain_xml[] =
        "<domain type='kvm'>\n"
        "  <name>vm1</name>\n"
        "  <uuid>11111111-2222-3333-4444-555555555555</uuid>\n"
        "  <devices>\n"
        "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
        "      <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>\n"
        "      <boot order='1'/>\n"
        "    </hostdev>\n"
        "    <hostdev mode='subsystem' type='usb' managed='no'>\n"
        "      <source><vendor id='0x0204'/><product id='0x6025'/></source>\n"
        "    </hostdev>\n"
        "    <hostdev mode='subsystem' type='scsi' managed='no'>\n"
        "      <source><adapter name='scsi_host2'/><address bus='0' target='0' unit='0'/></source>\n"
        "      <readonly/>\n"
        "      <address type='drive' controller='0' bus='0' target='0' unit='0'/>\n"
        "    </hostdev>\n"
        "    <hostdev mode='subsystem' type='mdev' managed='no' model='vfio-pci'>\n"
        "      <source><address uuid='" MDEV_ON "'/></source>\n"
        "    </hostdev>\n"
        "    <hostdev mode='subsystem' type='mdev' managed='no' model='vfio-pci'>\n"
        "      <source><address uuid='" MDEV_DEF "'/></source>\n"
        "    </hostdev>\n"
        "    <interface type='hostdev' managed='yes'>\n"
        "      <mac address='52:54:00:6d:90:02'/>\n"
        "      <source><address type='pci' domain='0x0000' bus='0x03' slot='0x02' function='0x0'/></source>\n"
        "      <vlan><tag id='42'/></vlan>\n"
        "    </interface>\n"
        "  </devices>\n"
        "</domain>\n";

static const struct hd_owner vm_owner = { "qemu", "vm1", "11111111-2222-3333-4444-555555555555" };
