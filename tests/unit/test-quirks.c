/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What recordings of real machines hold (tests/data/trees/quirks), and trees no kernel makes. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostdev/format.h"
#include "tree-test.h"
#include "util/rmrf.h"
#include "util/strutil.h"

#define IB0 "net_ib0_80_00_02_08_fe_80_00_00_00_00_00_00_f4_52_14_03_00_8d_52_11"

static int setup(void **state) {
        *state = tree_open("quirks");
        return 0;
}

static int teardown(void **state) {
        tree_close(*state);
        return 0;
}

static char *xml_of(struct tree *t, const char *name) {
        char *xml = NULL;
        assert_int_equal(hd_device_to_xml(t->ctx, tree_get(t, name), &xml), 0);
        return xml;
}

/* IPoIB: a 20-octet address, which nodedev.rng has no room for in <address>; the name keeps it. */
static void test_infiniband(void **state) {
        struct tree *t = *state;
        _cleanup_free_ char *xml = xml_of(t, IB0), *json = NULL;
        struct hd_cap *c = tree_cap(t, IB0, HD_CAP_NET);

        assert_parent(t, IB0, "pci_0000_00_03_0");
        assert_string_equal(c->net.address, "80:00:02:08:fe:80:00:00:00:00:00:00:f4:52:14:03:00:8d:52:11");
        assert_null(strstr(xml, "<address>"));
        assert_non_null(strstr(xml, "<interface>ib0</interface>"));
        assert_int_equal(hd_device_to_json(t->ctx, tree_get(t, IB0), &json), 0);
        assert_non_null(strstr(json, "\"address\": \"80:00:02:08:fe:80"));
}

/* The link from the configuration space on a kernel without *_link_* attributes (before 4.13). */
static void test_link_from_config(void **state) {
        struct tree *t = *state;
        struct hd_cap *c = tree_cap(t, "pci_0000_00_03_0", HD_CAP_PCI);

        assert_true(c->pci.is_express);
        assert_true(c->pci.link_cap.present);
        assert_int_equal(c->pci.link_cap.port, 1);
        assert_true(c->pci.link_cap.speed == 8);
        assert_int_equal(c->pci.link_cap.width, 8);
        assert_true(c->pci.link_sta.present);
        assert_true(c->pci.link_sta.speed == 8);
        assert_int_equal(c->pci.link_sta.width, 4);
}

/* Only the current link known: no capability link is made up for it. */
static void test_link_status_only(void **state) {
        struct tree *t = *state;
        struct hd_cap *c = tree_cap(t, "pci_0000_00_04_0", HD_CAP_PCI);
        _cleanup_free_ char *xml = xml_of(t, "pci_0000_00_04_0");

        assert_false(c->pci.link_cap.present);
        assert_true(c->pci.link_sta.present);
        assert_true(c->pci.link_sta.speed == 8);
        assert_int_equal(c->pci.link_sta.width, 4);
        assert_null(strstr(xml, "validity='cap'"));
        assert_non_null(strstr(xml, "<link validity='sta' speed='8' width='4'/>"));
}

/* Speeds no PCIe link has, from a damaged recording: unknown, in the model, the XML and the JSON. */
static void test_link_speed_damaged(void **state) {
        struct tree *t = *state;
        struct hd_cap *c = tree_cap(t, "pci_0000_00_06_0", HD_CAP_PCI);
        _cleanup_free_ char *xml = xml_of(t, "pci_0000_00_06_0"), *json = NULL;

        assert_true(c->pci.link_cap.speed == 0);
        assert_true(c->pci.link_sta.speed == 0);
        assert_int_equal(c->pci.link_cap.width, 1);
        assert_null(strstr(xml, "speed="));
        assert_int_equal(hd_device_to_json(t->ctx, tree_get(t, "pci_0000_00_06_0"), &json), 0);
        assert_null(strstr(json, "\"speed\""));
}

/* A disk without queue/logical_block_size: its size from the 512-byte sectors, no half geometry. */
static void test_disk_without_block_size(void **state) {
        struct tree *t = *state;
        struct hd_cap *c = tree_cap(t, "block_vdb", HD_CAP_STORAGE);
        _cleanup_free_ char *xml = xml_of(t, "block_vdb");

        assert_int_equal(c->storage.num_blocks, 2097152);
        assert_int_equal(c->storage.logical_block_size, 0);
        assert_int_equal(c->storage.size, 2097152ULL * 512);
        assert_non_null(strstr(xml, "<size>1073741824</size>"));
        assert_null(strstr(xml, "<num_blocks>"));
        assert_null(strstr(xml, "<logical_block_size>"));
}

/* Uevents without DEVNAME (older kernels): the node is named after the device, as the kernel does. */
static void test_no_devname(void **state) {
        struct tree *t = *state;
        struct hd_device *d;

        assert_parent(t, "block_sr0", "scsi_0_0_0_0");
        d = tree_get(t, "block_sr0");
        assert_int_equal(d->n_devnodes, 1);
        assert_string_equal(d->devnodes[0].path, "/dev/sr0");
        assert_string_equal(tree_cap(t, "block_sr0", HD_CAP_STORAGE)->storage.drive_type, "cdrom");
        /* sg0's uevent is empty: its dev attribute says it has a node. */
        assert_parent(t, "scsi_generic_sg0", "scsi_0_0_0_0");
        assert_string_equal(tree_cap(t, "scsi_generic_sg0", HD_CAP_SCSI_GENERIC)->sg.path, "/dev/sg0");
        assert_all_lookups(t);
}

/* The folders of REL below ROOT, REL's last component included when DIR_TOO. */
static void mkdirs(const char *root, const char *rel, bool dir_too) {
        _cleanup_free_ char *p = strdupf("%s/%s%s", root, rel, dir_too ? "/" : "");

        for (char *s = strchr(p + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = 0;
                (void)mkdir(p, 0755);
                *s = '/';
        }
}

static void put(const char *root, const char *rel, const char *text) {
        _cleanup_free_ char *p = strdupf("%s/%s", root, rel);
        int fd;

        mkdirs(root, rel, false);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        close(fd);
}

static void assert_scan_incomplete(const char *root, unsigned flags, const char *needle) {
        struct hd_context *ctx = NULL;
        struct hd_inventory *inv = NULL;
        int r;

        assert_int_equal(hd_context_new(&ctx), 0);
        assert_int_equal(hd_context_set_sysroot(ctx, root), 0);
        r = hd_inventory_scan(ctx, flags, &inv);
        if (r >= 0)
                fail_msg("a scan of %s found %zu devices and said nothing", root, hd_inventory_size(inv));
        assert_int_equal(r, -ENODATA);
        if (!strstr(hd_context_last_error(ctx), needle))
                fail_msg("'%s' lacks '%s'", hd_context_last_error(ctx), needle);
        hd_context_free(ctx);
}

/* Trees no kernel makes: /sys/devices alone, or devices without their subsystem link. */
static void test_incomplete_trees(void **state) {
        char dir[] = "/tmp/hostdev-test-quirks-XXXXXX";
        _cleanup_free_ char *link = NULL;
        const char *dev = "sys/devices/pci0000:00/0000:00:02.0";

        assert_non_null(mkdtemp(dir));
        put(dir, "sys/devices/pci0000:00/0000:00:02.0/uevent", "PCI_CLASS=20000\nPCI_ID=8086:10D3\n");
        put(dir, "sys/devices/pci0000:00/0000:00:02.0/class", "0x020000\n");
        assert_scan_incomplete(dir, 0, "lists no device in its bus/ and class/ folders");
        assert_scan_incomplete(dir, HD_SCAN_PCI_ONLY, "the tree looks incomplete");

        /* The bus lists the device, but the device has no subsystem link. */
        mkdirs(dir, "sys/bus/pci/devices", true);
        link = strdupf("%s/sys/bus/pci/devices/0000:00:02.0", dir);
        assert_int_equal(symlink("../../../devices/pci0000:00/0000:00:02.0", link), 0);
        assert_scan_incomplete(dir, 0, "0000:00:02.0 has no subsystem link");
        free(link);

        /* With it, the scan is whole. */
        link = strdupf("%s/%s/subsystem", dir, dev);
        assert_int_equal(symlink("../../../bus/pci", link), 0);
        {
                struct tree t = { 0 };
                assert_int_equal(hd_context_new(&t.ctx), 0);
                assert_int_equal(hd_context_set_sysroot(t.ctx, dir), 0);
                assert_int_equal(hd_inventory_scan(t.ctx, 0, &t.inv), 0);
                assert_int_equal(hd_inventory_size(t.inv), 2);
                hd_inventory_free(t.inv);
                hd_context_free(t.ctx);
        }
        assert_int_equal(rm_rf(dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_infiniband),
                cmocka_unit_test(test_link_from_config),
                cmocka_unit_test(test_link_status_only),
                cmocka_unit_test(test_link_speed_damaged),
                cmocka_unit_test(test_disk_without_block_size),
                cmocka_unit_test(test_no_devname),
                cmocka_unit_test(test_incomplete_trees),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
