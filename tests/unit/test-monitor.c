/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor's event processing on a hand-made tree that changes under it: add, bind, move, unbind, remove, overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostdev/monitor.h"
#include "monitor/monitor-internal.h"
#include "util/strutil.h"

static char root[] = "/tmp/hostdev-test-monitor-XXXXXX";

#define PORT "devices/pci0000:00/0000:00:01.0"
#define PF PORT "/0000:01:00.0"
#define VF PORT "/0000:01:00.1"
#define VF2 PORT "/0000:01:00.2"

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...) {
        char cmd[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(cmd, sizeof(cmd), fmt, ap);
        va_end(ap);
        assert_int_equal(system(cmd), 0);
}

static void put(const char *rel, const char *content) {
        char path[1024];
        FILE *f;
        snprintf(path, sizeof(path), "%s/sys/%s", root, rel);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

/* A PCI function below sys/DIR, as the kernel shows it: folder, uevent, ids, links. */
static void pci_fn(const char *dir, const char *driver, const char *class, const char *id) {
        const char *addr = strrchr(dir, '/') + 1;
        char rel[256], buf[512];

        sh("mkdir -p '%s/sys/%s' && ln -sfn ../../../%s '%s/sys/bus/pci/devices/%s'", root, dir, dir, root, addr);
        sh("cd '%s/sys/%s' && ln -s $(realpath -m --relative-to=. '%s/sys/bus/pci') subsystem", root, dir, root);
        snprintf(buf, sizeof(buf), "%s%s%sPCI_CLASS=%s\nPCI_ID=%s\nPCI_SLOT_NAME=%s\n", driver ? "DRIVER=" : "",
                 driver ? driver : "", driver ? "\n" : "", class, id, addr);
        snprintf(rel, sizeof(rel), "%s/uevent", dir);
        put(rel, buf);
        if (driver)
                sh("cd '%s/sys/%s' && ln -s $(realpath -m --relative-to=. '%s/sys/bus/pci/drivers/%s') driver", root,
                   dir, root, driver);
}

/* The driver link and the uevent's DRIVER= line change together, as the kernel shows them. */
static void bind(const char *dir, const char *driver) {
        sh("cd '%s/sys/%s' && rm -f driver && ln -s $(realpath -m --relative-to=. '%s/sys/bus/pci/drivers/%s') driver"
           " && { echo DRIVER=%s; grep -v ^DRIVER= uevent; } > uevent.new && mv uevent.new uevent",
           root, dir, root, driver, driver);
}

static void unbind(const char *dir) {
        sh("cd '%s/sys/%s' && rm -f driver && grep -v ^DRIVER= uevent > uevent.new; mv uevent.new uevent", root, dir);
}

/* An interface IF below the function in sys/DIR. */
static void netdev(const char *dir, const char *ifname, const char *mac) {
        char rel[512], buf[256];

        sh("mkdir -p '%s/sys/%s/net/%s' && ln -sfn ../../%s/net/%s '%s/sys/class/net/%s'", root, dir, ifname, dir,
           ifname, root, ifname);
        sh("cd '%s/sys/%s/net/%s' && ln -s $(realpath -m --relative-to=. '%s/sys/class/net') subsystem", root, dir,
           ifname, root);
        snprintf(rel, sizeof(rel), "%s/net/%s/uevent", dir, ifname);
        snprintf(buf, sizeof(buf), "INTERFACE=%s\nIFINDEX=7\n", ifname);
        put(rel, buf);
        snprintf(rel, sizeof(rel), "%s/net/%s/address", dir, ifname);
        snprintf(buf, sizeof(buf), "%s\n", mac);
        put(rel, buf);
}

static int setup(void **state) {
        struct hd_context *ctx;
        char ids[1024];

        snprintf(ids, sizeof(ids), "%s/ids", getenv("HOSTDEV_TEST_DATA"));
        strcpy(root, "/tmp/hostdev-test-monitor-XXXXXX"); /* mkdtemp() filled in the last one */
        assert_non_null(mkdtemp(root));
        sh("mkdir -p %s/sys/bus/pci/devices %s/sys/class/net %s/sys/devices/pci0000:00", root, root, root);
        sh("cd %s/sys/bus/pci && mkdir -p drivers/pcieport drivers/ice drivers/iavf drivers/vfio-pci", root);
        pci_fn(PORT, "pcieport", "60400", "8086:2030");
        pci_fn(PF, "ice", "20000", "8086:1592");
        netdev(PF, "ens1f0", "02:00:00:00:00:01");
        assert_int_equal(hd_context_new(&ctx), 0);
        assert_int_equal(hd_context_set_sysroot(ctx, root), 0);
        assert_int_equal(hd_context_set_ids_dir(ctx, ids), 0);
        *state = ctx;
        return 0;
}

static int teardown(void **state) {
        hd_context_free(*state);
        sh("rm -rf '%s'", root);
        return 0;
}

/* The next event, which must be ACTION on NAME (with DRIVER when given, "-" for none). */
static const struct hd_event *expect(struct hd_monitor *m, enum hd_event_action action, const char *name,
                                     enum hd_cap_type cap, const char *driver) {
        const struct hd_event *e = NULL;

        if (hd_monitor_next_event(m, &e) != 1)
                fail_msg("no event; expected %s %s", hd_event_action_to_string(action), name);
        if (e->action != action || !e->name || !streq(e->name, name))
                fail_msg("got %s %s; expected %s %s", hd_event_action_to_string(e->action), e->name,
                         hd_event_action_to_string(action), name);
        assert_int_equal(e->cap, cap);
        assert_true(hd_event_has_cap(e, cap));
        if (driver && streq(driver, "-"))
                assert_null(e->driver);
        else if (driver)
                assert_string_equal(e->driver, driver);
        return e;
}

static void expect_none(struct hd_monitor *m) {
        const struct hd_event *e = NULL;
        if (hd_monitor_next_event(m, &e) != 0)
                fail_msg("unexpected event %s %s", hd_event_action_to_string(e->action), e->name);
}

static void test_actions(void **state) {
        for (int a = 0; a < _HD_EVENT_MAX; a++)
                assert_int_equal(hd_event_action_from_string(hd_event_action_to_string(a)), a);
        assert_int_equal(hd_event_action_from_string("online"), _HD_EVENT_INVALID);
        assert_null(hd_event_action_to_string(_HD_EVENT_MAX));
}

/* A VF's life: made, bound, its interface made and renamed, unbound, removed; each event once, in order. */
static void test_vf_life(void **state) {
        struct hd_context *ctx = *state;
        struct hd_monitor *m = NULL;
        const struct hd_event *e;

        assert_int_equal(monitor_new_offline(ctx, &m), 0);
        assert_int_equal(hd_monitor_get_fd(m), -EBADF);
        expect_none(m);

        pci_fn(VF, NULL, "20000", "8086:1889");
        assert_int_equal(monitor_feed(m, "add", "/" VF, NULL, "pci", NULL, 101), 0);
        e = expect(m, HD_EVENT_ADD, "pci_0000_01_00_1", HD_CAP_PCI, "-");
        assert_int_equal(e->seqnum, 101);
        assert_string_equal(e->sysfs_path, "/sys/" VF);
        assert_non_null(e->device);
        /* The parent comes from what the monitor knows, not from probing the ancestors. */
        assert_string_equal(e->device->parent_name, "pci_0000_00_01_0");
        expect_none(m);

        bind(VF, "iavf");
        assert_int_equal(monitor_feed(m, "bind", "/" VF, NULL, "pci", "iavf", 102), 0);
        expect(m, HD_EVENT_BIND, "pci_0000_01_00_1", HD_CAP_PCI, "iavf");

        netdev(VF, "eth0", "02:00:00:00:01:01");
        assert_int_equal(monitor_feed(m, "add", "/" VF "/net/eth0", NULL, "net", NULL, 103), 0);
        e = expect(m, HD_EVENT_ADD, "net_eth0_02_00_00_00_01_01", HD_CAP_NET, "-");
        assert_string_equal(e->device->parent_name, "pci_0000_01_00_1");

        /* udev renames the interface: the kernel moves the device, hostdev's name follows. */
        sh("cd '%s/sys/" VF "/net' && mv eth0 ens1f0v0 && printf 'INTERFACE=ens1f0v0\\nIFINDEX=7\\n' > ens1f0v0/uevent",
           root);
        assert_int_equal(monitor_feed(m, "move", "/" VF "/net/ens1f0v0", "/" VF "/net/eth0", "net", NULL, 104), 0);
        e = expect(m, HD_EVENT_MOVE, "net_ens1f0v0_02_00_00_00_01_01", HD_CAP_NET, NULL);
        assert_string_equal(e->old_name, "net_eth0_02_00_00_00_01_01");

        /* The kernel's unbind says no driver any more; the monitor tells which one let go. */
        unbind(VF);
        assert_int_equal(monitor_feed(m, "unbind", "/" VF, NULL, "pci", NULL, 105), 0);
        e = expect(m, HD_EVENT_UNBIND, "pci_0000_01_00_1", HD_CAP_PCI, "iavf");
        assert_null(e->device->driver);

        /* Bound again, then unbound and removed before the monitor reads: the unbind is told from memory. */
        bind(VF, "vfio-pci");
        assert_int_equal(monitor_feed(m, "bind", "/" VF, NULL, "pci", "vfio-pci", 110), 0);
        expect(m, HD_EVENT_BIND, "pci_0000_01_00_1", HD_CAP_PCI, "vfio-pci");
        sh("mv '%s/sys/" VF "' '%s/vf.away'", root, root);
        assert_int_equal(monitor_feed(m, "unbind", "/" VF, NULL, "pci", NULL, 111), 0);
        e = expect(m, HD_EVENT_UNBIND, "pci_0000_01_00_1", HD_CAP_PCI, "vfio-pci");
        assert_null(e->device);
        assert_string_equal(e->sysfs_path, "/sys/" VF);
        sh("mv '%s/vf.away' '%s/sys/" VF "'", root, root);
        unbind(VF);

        /* Children go first, as the kernel removes them; names come from memory, the folders are gone. */
        sh("rm -rf '%s/sys/" VF "' '%s/sys/bus/pci/devices/0000:01:00.1'", root, root);
        assert_int_equal(monitor_feed(m, "remove", "/" VF "/net/ens1f0v0", NULL, "net", NULL, 106), 0);
        assert_int_equal(monitor_feed(m, "remove", "/" VF, NULL, "pci", NULL, 107), 0);
        e = expect(m, HD_EVENT_REMOVE, "net_ens1f0v0_02_00_00_00_01_01", HD_CAP_NET, NULL);
        assert_null(e->device);
        assert_false(hd_event_has_cap(e, HD_CAP_PCI));
        expect(m, HD_EVENT_REMOVE, "pci_0000_01_00_1", HD_CAP_PCI, "-");
        expect_none(m);

        /* A second remove of the same device, or of one never listed, says nothing. */
        assert_int_equal(monitor_feed(m, "remove", "/" VF, NULL, "pci", NULL, 108), 0);
        assert_int_equal(monitor_feed(m, "remove", "/devices/virtual/block/loop0", NULL, "block", NULL, 109), 0);
        expect_none(m);
        hd_monitor_free(m);
}

/* Events hostdev does not report: other subsystems, other actions, devices it does not list. */
static void test_ignored(void **state) {
        struct hd_context *ctx = *state;
        struct hd_monitor *m = NULL;

        assert_int_equal(monitor_new_offline(ctx, &m), 0);
        assert_int_equal(monitor_feed(m, "add", "/" PF "/pci_bus/0000:01", NULL, "pci_bus", NULL, 1), 0);
        assert_int_equal(monitor_feed(m, "online", "/" PF, NULL, "pci", NULL, 2), 0);
        assert_int_equal(monitor_feed(m, "add", "/" PF "/nothing-here", NULL, "pci", NULL, 3), 0);
        assert_int_equal(monitor_feed(m, "add", "relative/path", NULL, "pci", NULL, 4), 0);
        assert_int_equal(monitor_feed(m, "add", NULL, NULL, "pci", NULL, 5), 0);
        assert_int_equal(monitor_feed(m, NULL, "/" PF, NULL, "pci", NULL, 6), 0);
        expect_none(m);
        /* change and a synthetic add of a device known already are reported: the kernel said so. */
        assert_int_equal(monitor_feed(m, "change", "/" PF, NULL, "pci", NULL, 7), 0);
        assert_int_equal(monitor_feed(m, "add", "/" PF, NULL, "pci", NULL, 8), 0);
        expect(m, HD_EVENT_CHANGE, "pci_0000_01_00_0", HD_CAP_PCI, "ice");
        expect(m, HD_EVENT_ADD, "pci_0000_01_00_0", HD_CAP_PCI, "ice");
        expect_none(m);
        hd_monitor_free(m);
}

/* A storm: every event queued is handed out, in the order fed. */
static void test_storm_order(void **state) {
        struct hd_context *ctx = *state;
        struct hd_monitor *m = NULL;
        const struct hd_event *e;
        unsigned long long want = 1000;

        assert_int_equal(monitor_new_offline(ctx, &m), 0);
        for (unsigned long long i = 0; i < 600; i++) {
                const char *dev = i % 3 == 0 ? "/" PORT : i % 3 == 1 ? "/" PF : "/" PF "/net/ens1f0";
                assert_int_equal(monitor_feed(m, "add", dev, NULL, NULL, NULL, 1000 + i), 0);
                /* Drain now and then, as the command does between polls. */
                if (i % 250 == 249)
                        while (hd_monitor_next_event(m, &e) == 1)
                                assert_int_equal(e->seqnum, want++);
        }
        while (hd_monitor_next_event(m, &e) == 1)
                assert_int_equal(e->seqnum, want++);
        assert_int_equal(want, 1600);
        hd_monitor_free(m);
}

/* After lost events: overflow first, then what changed since, found by one new reading. */
static void test_resync(void **state) {
        struct hd_context *ctx = *state;
        struct hd_monitor *m = NULL;
        const struct hd_event *e = NULL;
        bool added = false, removed = false, unbound = false, bound = false;
        int n = 0;

        assert_int_equal(monitor_new_offline(ctx, &m), 0);
        /* Unseen by the monitor: a VF appears, the PF's interface goes, the PF moves to vfio-pci. */
        pci_fn(VF2, NULL, "20000", "8086:1889");
        sh("rm -rf '%s/sys/" PF "/net' '%s/sys/class/net/ens1f0'", root, root);
        bind(PF, "vfio-pci");
        assert_int_equal(monitor_resync(m), 0);
        assert_int_equal(hd_monitor_next_event(m, &e), 1);
        assert_int_equal(e->action, HD_EVENT_OVERFLOW);
        assert_null(e->name);
        while (hd_monitor_next_event(m, &e) == 1) {
                n++;
                assert_int_equal(e->seqnum, 0);
                if (e->action == HD_EVENT_ADD && streq(e->name, "pci_0000_01_00_2"))
                        added = true;
                else if (e->action == HD_EVENT_REMOVE && streq(e->name, "net_ens1f0_02_00_00_00_00_01"))
                        removed = true;
                else if (e->action == HD_EVENT_UNBIND && streq(e->name, "pci_0000_01_00_0") &&
                         streq(e->driver, "ice")) {
                        assert_false(bound); /* the old driver lets go before the new one binds */
                        unbound = true;
                } else if (e->action == HD_EVENT_BIND && streq(e->name, "pci_0000_01_00_0") &&
                         streq(e->driver, "vfio-pci"))
                        bound = true;
                else
                        fail_msg("unexpected %s %s", hd_event_action_to_string(e->action), e->name);
        }
        assert_int_equal(n, 4);
        assert_true(added && removed && unbound && bound);
        /* A second reading finds nothing new. */
        assert_int_equal(monitor_resync(m), 0);
        assert_int_equal(hd_monitor_next_event(m, &e), 1);
        assert_int_equal(e->action, HD_EVENT_OVERFLOW);
        expect_none(m);
        hd_monitor_free(m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_actions),
                cmocka_unit_test_setup_teardown(test_vf_life, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ignored, setup, teardown),
                cmocka_unit_test_setup_teardown(test_storm_order, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resync, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
