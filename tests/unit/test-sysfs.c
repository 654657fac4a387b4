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

#include "sysfs/confine.h"
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

        /* The library reads no environment: HOSTDEV_SYSROOT is the command's (src/cli/main.c). */
        setenv("HOSTDEV_SYSROOT", "/nonexistent-hostdev", 1);
        ctx = NULL;
        assert_int_equal(hd_context_new(&ctx), 0);
        assert_non_null(ctx);
        assert_string_equal(hd_context_get_sysroot(ctx), "/");
        unsetenv("HOSTDEV_SYSROOT");
        hd_context_free(ctx);
}

/*
 * confine_open() (openat2 on this kernel) and confine_walk() (what a kernel
 * without it gets) agree, and both keep every path inside: each case is
 * opened both ways, from C as the root or from C/dir as the folder that
 * must not be left, and must give the same file (or the same error) as
 * expected.
 */
static void test_confine(void **state) {
        static const struct {
                enum confine_mode how;
                bool from_dir; /* from C/dir instead of C */
                const char *path;
                int flags;
                const char *want; /* the file it must be, relative to C; NULL: the error below */
                int err;
        } cases[] = {
                { CONFINE_IN_ROOT, false, "dir/file", O_RDONLY, "dir/file", 0 },
                { CONFINE_IN_ROOT, false, "/dir/file", O_RDONLY, "dir/file", 0 },
                { CONFINE_IN_ROOT, false, "abs", O_RDONLY, "dir/file", 0 },          /* "/dir/file": in C */
                { CONFINE_IN_ROOT, false, "dir/out/marker", O_RDONLY, "etc/marker", 0 }, /* climbs past C: stays at C */
                { CONFINE_IN_ROOT, false, "../../../etc/marker", O_RDONLY, "etc/marker", 0 },
                { CONFINE_IN_ROOT, false, "dir/climb", O_RDONLY, "dir/file", 0 },
                { CONFINE_IN_ROOT, false, "dir/rel", O_RDONLY | O_DIRECTORY, "dir/sub", 0 },
                { CONFINE_IN_ROOT, false, "dir/..", O_RDONLY | O_DIRECTORY, ".", 0 },
                { CONFINE_IN_ROOT, false, ".", O_RDONLY | O_DIRECTORY, ".", 0 },
                { CONFINE_IN_ROOT, false, "loop1", O_RDONLY, NULL, -ELOOP },
                { CONFINE_IN_ROOT, false, "dir/file/x", O_RDONLY, NULL, -ENOTDIR },
                { CONFINE_IN_ROOT, false, "absent/x", O_RDONLY, NULL, -ENOENT },
                { CONFINE_IN_ROOT, false, "dangling", O_WRONLY | O_CREAT, "made", 0 },
                { CONFINE_IN_ROOT, false, "host", O_RDONLY, NULL, -ENOENT },          /* a host path: not below C */
                { CONFINE_BENEATH, true, "file", O_RDONLY, "dir/file", 0 },
                { CONFINE_BENEATH, true, "rel", O_RDONLY | O_DIRECTORY, "dir/sub", 0 },
                { CONFINE_BENEATH, true, "sub/../file", O_RDONLY, "dir/file", 0 },
                { CONFINE_BENEATH, true, "climb", O_RDONLY, NULL, -EXDEV },
                { CONFINE_BENEATH, true, "out/marker", O_RDONLY, NULL, -EXDEV },
                { CONFINE_BENEATH, true, "..", O_RDONLY | O_DIRECTORY, NULL, -EXDEV },
                { CONFINE_BENEATH, true, "/dir/file", O_RDONLY, NULL, -EXDEV },
                { CONFINE_BENEATH, false, "abs", O_RDONLY, NULL, -EXDEV },
        };
        _cleanup_close_ int c = -1, d = -1;
        char cdir[512];

        snprintf(cdir, sizeof(cdir), "%s/c", root);
        mkdirs("c/dir/sub");
        mkdirs("c/etc");
        mkfile("c/dir/file", "f\n");
        mkfile("c/etc/marker", "m\n");
        mklink("/dir/file", "c/abs");
        mklink("sub", "c/dir/rel");
        mklink("../dir/file", "c/dir/climb");
        mklink("../../../../../../../../../../../../../../etc", "c/dir/out");
        mklink("loop2", "c/loop1");
        mklink("loop1", "c/loop2");
        mklink("made", "c/dangling");
        mklink("/etc/hostname", "c/host");
        c = open(cdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        d = openat(c, "dir", O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(c >= 0 && d >= 0);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int from = cases[i].from_dir ? d : c, fds[2];
                fds[0] = confine_open(from, cases[i].path, cases[i].flags, 0644, cases[i].how);
                fds[1] = confine_walk(from, cases[i].path, cases[i].flags, 0644, cases[i].how);
                for (int k = 0; k < 2; k++) {
                        struct stat got, want;
                        const char *how = k ? "walk" : "openat2";
                        if (!cases[i].want) {
                                if (fds[k] != cases[i].err)
                                        fail_msg("%s %s: %d, expected %d", how, cases[i].path, fds[k], cases[i].err);
                                continue;
                        }
                        if (fds[k] < 0)
                                fail_msg("%s %s: %s", how, cases[i].path, strerror(-fds[k]));
                        assert_int_equal(fstat(fds[k], &got), 0);
                        assert_int_equal(fstatat(c, cases[i].want, &want, AT_SYMLINK_NOFOLLOW), 0);
                        if (got.st_ino != want.st_ino || got.st_dev != want.st_dev)
                                fail_msg("%s %s: not %s", how, cases[i].path, cases[i].want);
                        close(fds[k]);
                }
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_read),       cmocka_unit_test(test_links),
                cmocka_unit_test(test_normalize),  cmocka_unit_test(test_write_hook),
                cmocka_unit_test(test_bad_sysroot), cmocka_unit_test(test_list),
                cmocka_unit_test(test_confine),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
