/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sysfs layer: reads below a root, links resolved without leaving it, the write hook. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "sysfs/sysfs.h"
#include "util/strutil.h"

static char root[] = "/tmp/hostdev-test-sysfs-XXXXXX";

static void mkfile(const char *rel, const char *content) {
        char path[512];
        FILE *f;
        snprintf(path, sizeof(path), "%s/%s", root, rel);
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static void mkdirs(const char *rel) {
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", root, rel);
        assert_int_equal(system(cmd), 0);
}

static void mklink(const char *target, const char *rel) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", root, rel);
        assert_int_equal(symlink(target, path), 0);
}

static int setup(void **state) {
        struct hd_context *ctx;
        assert_non_null(mkdtemp(root));
        mkdirs("sys/devices/pci0000:00/0000:00:02.0");
        mkdirs("sys/bus/pci/devices");
        mkdirs("sys/bus/pci/drivers/e1000e");
        mkfile("sys/devices/pci0000:00/0000:00:02.0/vendor", "0x8086\n");
        mkfile("sys/devices/pci0000:00/0000:00:02.0/numa_node", "-1\n");
        mklink("../../../devices/pci0000:00/0000:00:02.0", "sys/bus/pci/devices/0000:00:02.0");
        mklink("../../../bus/pci/drivers/e1000e", "sys/devices/pci0000:00/0000:00:02.0/driver");
        mklink("../../../../../etc", "sys/bus/pci/devices/evil");
        assert_int_equal(hd_context_new(&ctx), 0);
        assert_int_equal(hd_context_set_sysroot(ctx, root), 0);
        *state = ctx;
        return 0;
}

static int teardown(void **state) {
        char cmd[600];
        hd_context_free(*state);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        return system(cmd);
}

static void test_read(void **state) {
        struct hd_context *ctx = *state;
        _cleanup_free_ char *v = NULL;
        _cleanup_close_ int fd = -1;
        uint64_t u;
        int i;

        assert_int_equal(sysfs_read(ctx, "/sys/devices/pci0000:00/0000:00:02.0/vendor", &v), 0);
        assert_string_equal(v, "0x8086"); /* newline stripped */
        assert_int_equal(sysfs_open_dir(ctx, "/sys/bus/pci/devices/0000:00:02.0", &fd), 0);
        assert_int_equal(sysfs_read_u64_at(fd, "vendor", 0, &u), 0);
        assert_int_equal(u, 0x8086);
        assert_int_equal(sysfs_read_int_at(fd, "numa_node", &i), 0);
        assert_int_equal(i, -1);
        assert_int_equal(sysfs_read_at(fd, "absent", &v), -ENOENT);
}

static void test_links(void **state) {
        struct hd_context *ctx = *state;
        _cleanup_free_ char *p = NULL, *drv = NULL, *bad = NULL;
        _cleanup_close_ int fd = -1;

        assert_int_equal(sysfs_resolve_link(ctx, "/sys/bus/pci/devices", "0000:00:02.0", &p), 0);
        assert_string_equal(p, "/sys/devices/pci0000:00/0000:00:02.0");
        assert_int_equal(sysfs_open_dir(ctx, p, &fd), 0);
        assert_int_equal(sysfs_link_name_at(fd, "driver", &drv), 0);
        assert_string_equal(drv, "e1000e");
        /* A link that climbs above the root is refused, not followed. */
        assert_int_equal(sysfs_resolve_link(ctx, "/sys/bus/pci/devices", "evil", &bad), -EXDEV);
}

struct listing {
        char names[8][64];
        unsigned char types[8];
        int n;
};

static int list_one(const char *name, unsigned char type, void *userdata) {
        struct listing *l = userdata;
        if (l->n == 8)
                return -E2BIG;
        snprintf(l->names[l->n], sizeof(l->names[0]), "%s", name);
        l->types[l->n++] = type;
        return 0;
}

static int stop_at_vendor(const char *name, unsigned char type, void *userdata) {
        return streq(name, "vendor") ? -ECANCELED : 0;
}

static void test_list(void **state) {
        struct hd_context *ctx = *state;
        _cleanup_close_ int fd = -1;
        struct listing l = { .n = 0 };
        bool vendor = false, driver = false;

        assert_int_equal(sysfs_open_dir(ctx, "/sys/devices/pci0000:00/0000:00:02.0", &fd), 0);
        assert_int_equal(sysfs_list_at(fd, ".", list_one, &l), 0);
        /* vendor, numa_node, driver: no "." or "..", types as the folder has them. */
        assert_int_equal(l.n, 3);
        for (int i = 0; i < l.n; i++) {
                if (streq(l.names[i], "vendor"))
                        vendor = l.types[i] == DT_REG || l.types[i] == DT_UNKNOWN;
                if (streq(l.names[i], "driver"))
                        driver = l.types[i] == DT_LNK || l.types[i] == DT_UNKNOWN;
        }
        assert_true(vendor && driver);
        assert_int_equal(sysfs_list_at(fd, ".", stop_at_vendor, NULL), -ECANCELED);
        assert_int_equal(sysfs_list_at(fd, "absent", list_one, &l), -ENOENT);
        assert_int_equal(sysfs_list_at(fd, "vendor", list_one, &l), -ENOTDIR);
}

static void test_normalize(void **state) {
        _cleanup_free_ char *a = NULL, *b = NULL;
        char *c = NULL;
        assert_int_equal(path_normalize("/sys/bus/../devices/./x//y", &a), 0);
        assert_string_equal(a, "/sys/devices/x/y");
        assert_int_equal(path_normalize("/sys/../..", &c), -EXDEV);
        assert_int_equal(path_normalize("/", &b), 0);
        assert_string_equal(b, "/");
        assert_false(filename_is_safe(".."));
        assert_false(filename_is_safe("a/b"));
        assert_false(filename_is_safe(""));
        assert_true(filename_is_safe("0000:00:02.0"));
}

static int hook_calls;
static char hook_last[256];
static int hook(void *userdata, int root_fd, const char *path, const char *value, size_t len) {
        hook_calls++;
        snprintf(hook_last, sizeof(hook_last), "%s=%.*s", path, (int)len, value);
        return -EBUSY;
}

static void test_write_hook(void **state) {
        struct hd_context *ctx = *state;
        hd_context_set_write_hook(ctx, hook, NULL);
        assert_int_equal(sysfs_write(ctx, "/sys/bus/pci/drivers_probe", "0000:00:02.0"), -EBUSY);
        assert_int_equal(hook_calls, 1);
        assert_string_equal(hook_last, "/sys/bus/pci/drivers_probe=0000:00:02.0");
        hd_context_set_write_hook(ctx, NULL, NULL);
}

static void test_bad_sysroot(void **state) {
        struct hd_context *ctx;
        assert_int_equal(hd_context_new(&ctx), 0);
        assert_true(hd_context_set_sysroot(ctx, "/nonexistent-hostdev") < 0);
        assert_non_null(strstr(hd_context_last_error(ctx), "/nonexistent-hostdev"));
        assert_int_equal(hd_context_set_sysroot(ctx, "/tmp"), -ENOTDIR);
        assert_non_null(strstr(hd_context_last_error(ctx), "no sys/"));
        hd_context_free(ctx);

        /* A bad HOSTDEV_SYSROOT fails hd_context_new, which then hands back nothing (sd-device's rule). */
        ctx = (struct hd_context *)&ctx;
        setenv("HOSTDEV_SYSROOT", "/nonexistent-hostdev", 1);
        assert_int_equal(hd_context_new(&ctx), -ENOENT);
        assert_ptr_equal(ctx, (struct hd_context *)&ctx);
        setenv("HOSTDEV_SYSROOT", "/tmp", 1);
        assert_int_equal(hd_context_new(&ctx), -ENOTDIR);
        assert_ptr_equal(ctx, (struct hd_context *)&ctx);
        unsetenv("HOSTDEV_SYSROOT");
        ctx = NULL;
        assert_int_equal(hd_context_new(&ctx), 0);
        assert_non_null(ctx);
        hd_context_free(ctx);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_read),       cmocka_unit_test(test_links),
                cmocka_unit_test(test_normalize),  cmocka_unit_test(test_write_hook),
                cmocka_unit_test(test_bad_sysroot), cmocka_unit_test(test_list),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
