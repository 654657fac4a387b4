/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A --sysroot tree confines everything: links in it that lead out never let a read, write, listing or the store leave it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context-internal.h"
#include "emulator.h"
#include "hostdev/hostdev.h"
#include "sysfs/recorder.h"
#include "util/strutil.h"

/*
 * Built twice: as test-confine, and as test-confine-walk with
 * -Wl,--wrap=confine_openat2 and FORCE_WALK, where openat2() "does not
 * exist" and every open goes through the component walk.
 */
#ifdef FORCE_WALK
#include "sysfs/confine.h"
static unsigned openat2_calls;
int __wrap_confine_openat2(int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve);
int __wrap_confine_openat2(int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve) {
        openat2_calls++;
        return -ENOSYS;
}
#endif

#define SECRET "HOST-SECRET-TEXT"
#define PCI_NIC "0000:01:00.0"

struct fx {
        struct emu *e;
        const char *root; /* the tree (a copy of tests/data/trees/vm) */
        char out[64];     /* a folder outside it, as the host's files are */
};

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(p) < 0 ? -1 : 0;
}

static void put(const char *path, const char *text) {
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
}

static void mkdir_p(const char *path) {
        _cleanup_free_ char *p = strdup(path);
        assert_non_null(p);
        for (char *s = p + 1; *s; s++)
                if (*s == '/') {
                        *s = 0;
                        assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
                        *s = '/';
                }
        assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
}

static char *get(const char *path) {
        char buf[4096];
        FILE *f = fopen(path, "re");
        size_t n;
        if (!f)
                return NULL;
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = 0;
        return strdup(buf);
}

static int setup(void **state) {
        const char *data = getenv("HOSTDEV_TEST_DATA");
        _cleanup_free_ char *tree = strdupf("%s/trees/vm", data ? data : "tests/data");
        _cleanup_free_ char *secret = NULL, *sub = NULL;
        struct fx *f = calloc(1, sizeof(*f));

        assert_non_null(f);
        assert_int_equal(emu_new(tree, &f->e), 0);
        f->root = emu_root(f->e);
        strcpy(f->out, "/tmp/hostdev-confine-out-XXXXXX");
        assert_non_null(mkdtemp(f->out));
        secret = strdupf("%s/secret", f->out);
        sub = strdupf("%s/var", f->out);
        put(secret, SECRET "\n");
        assert_int_equal(mkdir(sub, 0755), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fx *f = *state;
        (void)nftw(f->out, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        emu_free(f->e);
        free(f);
        return 0;
}

/* TREE/REL, for the test's own changes to the tree. */
static char *in_tree(const struct fx *f, const char *rel) {
        char *p = strdupf("%s/%s", f->root, rel);
        assert_non_null(p);
        return p;
}

/* A link at TREE/REL to OUTSIDE/NAME: absolute, or relative climbing to "/" and down again. */
static void plant(const struct fx *f, const char *rel, const char *name, bool relative) {
        _cleanup_free_ char *at = in_tree(f, rel), *dir = NULL, *target = NULL;
        struct strbuf b = {};
        char real[PATH_MAX];

        (void)unlink(at);
        if (!relative)
                target = strdupf("%s/%s", f->out, name);
        else {
                dir = strdup(at);
                assert_non_null(dir);
                *strrchr(dir, '/') = 0;
                assert_non_null(realpath(dir, real));
                for (const char *p = real; *p; p++)
                        if (*p == '/')
                                strbuf_append(&b, "../");
                strbuf_appendf(&b, "%s/%s", f->out + 1, name);
                target = strbuf_steal(&b);
        }
        assert_non_null(target);
        assert_int_equal(symlink(target, at), 0);
}

/* A context on the tree as the real `hostdev --sysroot TREE` has it: no kernel behind its writes. */
static struct hd_context *plain_context(const struct fx *f) {
        struct hd_context *ctx = NULL;
        assert_int_equal(hd_context_new(&ctx), 0);
        assert_int_equal(hd_context_set_sysroot(ctx, f->root), 0);
        return ctx;
}

/* The same with the emulator behind its writes, and the state in the tree (the default). */
static struct hd_context *emu_context(const struct fx *f) {
        struct hd_context *ctx = plain_context(f);
        hd_context_set_write_hook(ctx, emu_write_hook, f->e);
        return ctx;
}

static void assert_secret_kept(const struct fx *f, const char *name, const char *want) {
        _cleanup_free_ char *p = strdupf("%s/%s", f->out, name), *v = get(p);
        assert_non_null(v);
        assert_string_equal(v, want);
}

/* Reads: DMI fields that are links out of the tree never reach `show computer --xml`. */
static void test_read_dmi(void **state) {
        struct fx *f = *state;
        _cleanup_free_ char *dmi = in_tree(f, "sys/devices/virtual/dmi/id"), *version = NULL, *xml = NULL;
        struct hd_context *ctx;
        struct hd_device *d = NULL;

        mkdir_p(dmi);
        version = strdupf("%s/product_version", dmi);
        put(version, "v1.2-in-tree\n");
        plant(f, "sys/devices/virtual/dmi/id/product_name", "secret", false);
        plant(f, "sys/devices/virtual/dmi/id/sys_vendor", "secret", true);
        ctx = plain_context(f);
        assert_int_equal(hd_device_lookup(ctx, "computer", &d), 0);
        assert_int_equal(hd_device_to_xml(ctx, d, &xml), 0);
        assert_non_null(strstr(xml, "v1.2-in-tree")); /* the tree's own fields are read */
        if (strstr(xml, SECRET))
                fail_msg("host text in the XML:\n%s", xml);
        hd_device_free(d);
        hd_context_free(ctx);
}

/* A device's attribute that is a link out (read through the device's folder handle). */
static void test_read_device_attr(void **state) {
        struct fx *f = *state;
        _cleanup_free_ char *numa = strdupf("%s/seven", f->out), *xml = NULL;
        struct hd_context *ctx;
        struct hd_device *d = NULL;

        put(numa, "7\n");
        plant(f, "sys/devices/pci0000:00/0000:00:01.0/" PCI_NIC "/numa_node", "seven", false);
        ctx = plain_context(f);
        assert_int_equal(hd_device_lookup(ctx, PCI_NIC, &d), 0);
        assert_int_equal(hd_device_to_xml(ctx, d, &xml), 0);
        if (strstr(xml, "<numa node='7'/>"))
                fail_msg("a host file's text as the NUMA node:\n%s", xml);
        hd_device_free(d);
        hd_context_free(ctx);
}

/*
 * A device link that leads out: an IOMMU group's member is a link to the
 * device's folder, opened through it; the device outside is not read.
 */
static void test_device_link(void **state) {
        struct fx *f = *state;
        _cleanup_free_ char *fake = strdupf("%s/dev", f->out), *uevent = NULL, *drv = NULL, *grp = NULL;
        _cleanup_free_ char *glink = in_tree(f, "sys/bus/pci/devices/" PCI_NIC "/iommu_group"), *member = NULL;
        struct hd_iommu_group *g = NULL;
        struct hd_context *ctx;
        char buf[PATH_MAX];
        ssize_t n;

        assert_int_equal(mkdir(fake, 0755), 0);
        uevent = strdupf("%s/uevent", fake);
        put(uevent, "PCI_CLASS=020000\nPCI_ID=DEAD:BEEF\n");
        drv = strdupf("%s/driver", fake);
        assert_int_equal(symlink("../../bus/pci/drivers/evil_drv", drv), 0);
        n = readlink(glink, buf, sizeof(buf) - 1);
        assert_true(n > 0);
        buf[n] = 0;
        grp = strdup(strrchr(buf, '/') + 1);
        member = strdupf("sys/kernel/iommu_groups/%s/devices/" PCI_NIC, grp);
        plant(f, member, "dev", true);
        ctx = plain_context(f);
        assert_int_equal(hd_iommu_group_get(ctx, atoi(grp), &g), 0);
        for (size_t i = 0; i < g->n_members; i++)
                if (g->members[i].driver && streq(g->members[i].driver, "evil_drv"))
                        fail_msg("group %s has a member read from outside the tree", grp);
        hd_iommu_group_free(g);
        hd_context_free(ctx);
}

/* Listings: a folder that is a link out lists nothing of what is outside. */
static void test_listing(void **state) {
        struct fx *f = *state;
        _cleanup_free_ char *groups = strdupf("%s/groups", f->out), *g99 = NULL, *net = NULL, *evil = NULL;
        struct hd_iommu_group *v = NULL;
        struct hd_inventory *inv = NULL;
        struct hd_context *ctx;
        size_t n = 0;

        g99 = strdupf("%s/99", groups);
        assert_int_equal(mkdir(groups, 0755), 0);
        assert_int_equal(mkdir(g99, 0755), 0);
        free(g99);
        g99 = strdupf("%s/99/devices", groups);
        assert_int_equal(mkdir(g99, 0755), 0);
        _cleanup_free_ char *old = in_tree(f, "sys/kernel/iommu_groups"), *moved = in_tree(f, "iommu_groups.moved");
        assert_int_equal(rename(old, moved), 0);
        plant(f, "sys/kernel/iommu_groups", "groups", false);
        net = strdupf("%s/net", f->out);
        evil = strdupf("%s/net/evil0", f->out);
        assert_int_equal(mkdir(net, 0755), 0);
        assert_int_equal(mkdir(evil, 0755), 0);
        free(evil);
        evil = strdupf("%s/net/evil0/uevent", f->out);
        put(evil, "INTERFACE=evil0\nIFINDEX=99\n");
        _cleanup_free_ char *oldnet = in_tree(f, "sys/class/net"), *movednet = in_tree(f, "net.moved");
        assert_int_equal(rename(oldnet, movednet), 0);
        plant(f, "sys/class/net", "net", true);

        ctx = plain_context(f);
        assert_int_equal(hd_iommu_groups(ctx, &v, &n), 0);
        for (size_t i = 0; i < n; i++)
                if (v[i].number == 99)
                        fail_msg("IOMMU group 99 from outside the tree");
        hd_iommu_groups_free(v, n);
        assert_int_equal(hd_inventory_scan(ctx, 0, &inv), 0);
        for (size_t i = 0; i < hd_inventory_size(inv); i++)
                if (strstr(hd_inventory_at(inv, i)->name, "evil0"))
                        fail_msg("a network interface from outside the tree: %s", hd_inventory_at(inv, i)->name);
        hd_inventory_free(inv);
        hd_context_free(ctx);
}

/* Writes through the emulator: driver_override a link out; the file outside stays as it was. */
static void test_write_hook(void **state) {
        struct fx *f = *state;
        _cleanup_free_ char *ov = strdupf("%s/override", f->out);
        struct hd_context *ctx;

        put(ov, "orig\n");
        plant(f, "sys/devices/pci0000:00/0000:00:01.0/" PCI_NIC "/driver_override", "override", true);
        ctx = emu_context(f);
        assert_true(hd_pci_detach(ctx, PCI_NIC, NULL, 0) < 0);
        assert_secret_kept(f, "override", "orig\n");
        hd_context_free(ctx);
}

/* Every file of the tree but its state: path, kind, bytes and link targets, as one string. */
static struct strbuf snap;
static const char *snap_root;
static int snap_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
        const char *rel = p + strlen(snap_root);
        char buf[8192];
        if (startswith(rel, "/var") || startswith(rel, "/.emulator"))
                return 0;
        strbuf_appendf(&snap, "%s %o ", rel, st->st_mode);
        if (S_ISLNK(st->st_mode)) {
                ssize_t n = readlink(p, buf, sizeof(buf) - 1);
                buf[n < 0 ? 0 : n] = 0;
                strbuf_append(&snap, buf);
        } else if (S_ISREG(st->st_mode)) {
                _cleanup_free_ char *v = get(p);
                strbuf_append(&snap, v ? v : "?");
        }
        strbuf_append(&snap, "\n");
        return 0;
}

static char *tree_snapshot(const struct fx *f) {
        snap = (struct strbuf){};
        snap_root = f->root;
        assert_int_equal(nftw(f->root, snap_one, 16, FTW_PHYS), 0);
        return strbuf_steal(&snap);
}

/* No kernel behind the tree: every write is refused, said, and nothing is changed or held. */
static void test_write_refused(void **state) {
        struct fx *f = *state;
        _cleanup_free_ char *before = tree_snapshot(f), *after = NULL;
        struct hd_context *ctx = plain_context(f);
        struct hd_active *rows = NULL;
        size_t n = 99;

        assert_true(hd_pci_detach(ctx, PCI_NIC, NULL, 0) < 0);
        assert_non_null(strstr(hd_context_last_error(ctx), "refusing to write /sys/bus/pci/devices/" PCI_NIC
                                                           "/driver_override under --sysroot"));
        assert_non_null(strstr(hd_context_last_error(ctx), "hostdev-emu"));
        after = tree_snapshot(f);
        assert_string_equal(before, after);
        assert_int_equal(hd_active_list(ctx, &rows, &n), 0);
        assert_int_equal(n, 0);
        hd_active_list_free(rows, n);
        hd_context_free(ctx);
}

/* mdev create's target a link out: refused without a kernel, and the file outside is kept. */
static void test_mdev_create_link(void **state) {
        struct fx *f = *state;
        _cleanup_free_ char *c = strdupf("%s/create", f->out);
        struct hd_context *ctx;
        char uuid[37];

        put(c, "x\n");
        plant(f, "sys/devices/virtual/mtty/mtty/mdev_supported_types/mtty-1/create", "create", false);
        ctx = plain_context(f);
        assert_true(hd_mdev_create(ctx, "mtty", "mtty-1", "0c2b3b5e-3a4e-4c6c-9d0e-6a1b2c3d4e5f", NULL, 0, uuid) < 0);
        assert_non_null(strstr(hd_context_last_error(ctx), "refusing to write"));
        hd_context_free(ctx);
        ctx = emu_context(f);
        (void)hd_mdev_create(ctx, "mtty", "mtty-1", "0c2b3b5e-3a4e-4c6c-9d0e-6a1b2c3d4e5f", NULL, 0, uuid);
        assert_secret_kept(f, "create", "x\n");
        hd_context_free(ctx);
}

/* TREE/var a link out: the store and its lock are never made outside; a reader is told, not shown "nothing". */
static void check_var_link(struct fx *f, bool relative) {
        _cleanup_free_ char *made = strdupf("%s/var/lib", f->out);
        struct hd_active *rows = NULL;
        struct hd_context *ctx;
        struct stat st;
        size_t n = 0;

        plant(f, "var", "var", relative);
        ctx = emu_context(f);
        assert_true(hd_pci_detach(ctx, PCI_NIC, NULL, 0) < 0);
        assert_non_null(strstr(hd_context_last_error(ctx), "is a link"));
        if (stat(made, &st) == 0)
                fail_msg("%s was made outside the tree", made);
        assert_true(hd_active_list(ctx, &rows, &n) < 0);
        hd_context_free(ctx);
}

static void test_store_var_link(void **state) {
        check_var_link(*state, false);
}

static void test_store_var_link_relative(void **state) {
        check_var_link(*state, true);
}

/* TREE/etc a link out: definitions outside are not listed, and none is written there. */
static void test_mdev_defs_link(void **state) {
        struct fx *f = *state;
        _cleanup_free_ char *etc = in_tree(f, "etc"), *outetc = strdupf("%s/etc", f->out), *def = NULL, *mine = NULL;
        struct hd_mdev want = { .uuid = "", .parent = (char *)"mtty", .type = (char *)"mtty-2" }, *list = NULL;
        struct hd_context *ctx;
        char uuid[37];
        size_t n = 0;

        /* The tree's definitions, moved out; TREE/etc leads to them. */
        assert_int_equal(rename(etc, outetc), 0);
        plant(f, "etc", "etc", false);
        ctx = plain_context(f);
        assert_int_equal(hd_mdev_list(ctx, HD_MDEV_LIST_DEFINED, &list, &n), 0);
        for (size_t i = 0; i < n; i++)
                if (list[i].defined)
                        fail_msg("definition %s read from outside the tree", list[i].uuid);
        hd_mdev_list_free(list, n);
        assert_true(hd_mdev_define(ctx, &want, uuid) < 0);
        mine = strdupf("%s/etc/mdevctl.d/mtty", f->out);
        def = strdupf("%s/83b8f4f2-509f-382f-3c1e-e6bfe0fa1001", mine);
        assert_true(access(def, F_OK) == 0); /* what was there is there */
        {
                _cleanup_closedir_ DIR *d = opendir(mine);
                struct dirent *de;
                assert_non_null(d);
                while ((de = readdir(d)))
                        if (de->d_name[0] != '.' && !streq(de->d_name, "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"))
                                fail_msg("a definition was written outside the tree: %s", de->d_name);
        }
        hd_context_free(ctx);
}

static bool dir_is_empty(const char *path) {
        _cleanup_closedir_ DIR *d = opendir(path);
        struct dirent *de;
        assert_non_null(d);
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        return false;
        return true;
}

/*
 * record's destination with a link in it (planted while it copies, or
 * copied there): the copy fails rather than write where the link leads.
 */
static void test_record_dest_link(void **state) {
        struct fx *f = *state;
        _cleanup_free_ char *dest = strdupf("%s/dest", f->out), *elsewhere = strdupf("%s/elsewhere", f->out);
        _cleanup_free_ char *sys = strdupf("%s/sys", dest);
        _cleanup_close_ int dfd = -1;
        struct hd_context *ctx = plain_context(f);
        struct recorder *rec = NULL;
        struct hd_device *d = NULL;

        assert_int_equal(mkdir(dest, 0755), 0);
        assert_int_equal(mkdir(elsewhere, 0755), 0);
        assert_int_equal(symlink(elsewhere, sys), 0);
        assert_int_equal(recorder_new(&rec), 0);
        recorder_activate(rec, ctx->root_fd);
        assert_int_equal(hd_device_lookup(ctx, PCI_NIC, &d), 0);
        recorder_deactivate();
        dfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        assert_true(recorder_copy(rec, ctx->root_fd, dfd) < 0);
        if (!dir_is_empty(elsewhere))
                fail_msg("record wrote through a link in its destination into %s", elsewhere);
        recorder_free(rec);
        hd_device_free(d);
        hd_context_free(ctx);
}

#ifdef FORCE_WALK
/* The wrapper above was in the way of every open: what passed here passed through the walk. */
static void test_walk_was_used(void **state) {
        assert_true(openat2_calls > 0);
}
#endif

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_read_dmi, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_device_attr, setup, teardown),
                cmocka_unit_test_setup_teardown(test_device_link, setup, teardown),
                cmocka_unit_test_setup_teardown(test_listing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_hook, setup, teardown),
                cmocka_unit_test_setup_teardown(test_write_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_mdev_create_link, setup, teardown),
                cmocka_unit_test_setup_teardown(test_store_var_link, setup, teardown),
                cmocka_unit_test_setup_teardown(test_store_var_link_relative, setup, teardown),
                cmocka_unit_test_setup_teardown(test_record_dest_link, setup, teardown),
                cmocka_unit_test_setup_teardown(test_mdev_defs_link, setup, teardown),
#ifdef FORCE_WALK
                cmocka_unit_test(test_walk_was_used),
#endif
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
