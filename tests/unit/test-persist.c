/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The persistent settings' text (every line a person may write) and files (atomic, confined to the tree). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "hostdev/hostdev.h"
#include "persist/persist-internal.h"
#include "util/rmrf.h"
#include "util/strutil.h"

/* TEXT parses as KIND; returns the parse's result, with *WHY the reason (or NULL). */
static int parse(const char *text, enum hd_persist_kind kind, struct hd_persist *p, char **why) {
        *why = NULL;
        memset(p, 0, sizeof(*p));
        return persist_parse(text, kind, p, why);
}

static void test_parse_good(void **state) {
        struct hd_persist p;
        char *why;

        (void)state;
        assert_int_equal(parse("driver=vfio-pci\n", HD_PERSIST_PCI, &p, &why), 0);
        assert_string_equal(p.driver, "vfio-pci");
        hd_persist_done(&p);
        /* Comments, blank lines, spaces around '=' and CRLF endings, as editors and config management leave them. */
        assert_int_equal(parse("# kept by ansible\r\n\n  driver = pci-stub \r\n", HD_PERSIST_PCI, &p, &why), 0);
        assert_string_equal(p.driver, "pci-stub");
        hd_persist_done(&p);
        assert_int_equal(parse("numvfs=0", HD_PERSIST_SRIOV, &p, &why), 0);
        assert_int_equal(p.numvfs, 0);
        assert_int_equal(parse("numvfs=65535\n", HD_PERSIST_SRIOV, &p, &why), 0);
        assert_int_equal(p.numvfs, 65535);
        assert_int_equal(p.autoprobe, -1);
        assert_int_equal(parse("autoprobe=0\nnumvfs=2\n", HD_PERSIST_SRIOV, &p, &why), 0);
        assert_int_equal(p.numvfs, 2);
        assert_int_equal(p.autoprobe, 0);
}

static void expect_bad(const char *text, enum hd_persist_kind kind, const char *reason) {
        struct hd_persist p;
        char *why;

        assert_int_equal(parse(text, kind, &p, &why), -EINVAL);
        assert_non_null(why);
        if (!strstr(why, reason))
                fail_msg("'%s': '%s' does not say '%s'", text, why, reason);
        assert_null(p.driver);
        free(why);
}

static void test_parse_bad(void **state) {
        (void)state;
        expect_bad("", HD_PERSIST_PCI, "no driver= line");
        expect_bad("# nothing\n", HD_PERSIST_SRIOV, "no numvfs= line");
        expect_bad("vfio-pci\n", HD_PERSIST_PCI, "line 1: is not KEY=VALUE: 'vfio-pci'");
        expect_bad("\n\nnumvfs=4\n", HD_PERSIST_PCI, "line 3: a pci file has driver= alone, not 'numvfs'");
        expect_bad("driver=vfio-pci\n", HD_PERSIST_SRIOV, "line 1: an sriov file has numvfs= and autoprobe=, not 'driver'");
        expect_bad("numvfs=1\nautoprobe=yes\n", HD_PERSIST_SRIOV, "line 2: autoprobe is 0 or 1, not 'yes'");
        expect_bad("autoprobe=1\nautoprobe=1\nnumvfs=1\n", HD_PERSIST_SRIOV, "line 2: a second 'autoprobe'");
        expect_bad("autoprobe=0\n", HD_PERSIST_SRIOV, "no numvfs= line");
        expect_bad("driver=vfio-pci\nautoprobe=0\n", HD_PERSIST_PCI, "line 2: a pci file has driver= alone, not 'autoprobe'");
        expect_bad("driver=vfio-pci\ndriver=pci-stub\n", HD_PERSIST_PCI, "line 2: a second 'driver'");
        expect_bad("driver=\n", HD_PERSIST_PCI, "not a driver's name: ''");
        expect_bad("driver=../../x\n", HD_PERSIST_PCI, "not a driver's name: '../../x'");
        expect_bad("driver=..\n", HD_PERSIST_PCI, "not a driver's name");
        expect_bad("driver=vfio pci\n", HD_PERSIST_PCI, "not a driver's name");
        expect_bad("numvfs=-1\n", HD_PERSIST_SRIOV, "not a number of VFs");
        expect_bad("numvfs=+1\n", HD_PERSIST_SRIOV, "not a number of VFs");
        expect_bad("numvfs=65536\n", HD_PERSIST_SRIOV, "not a number of VFs");
        expect_bad("numvfs=4x\n", HD_PERSIST_SRIOV, "not a number of VFs");
        expect_bad("numvfs=\n", HD_PERSIST_SRIOV, "not a number of VFs");
}

/* What is written reads back, under a tree's own etc/hostdev, and goes again. */
static void test_files(void **state) {
        char dir[] = "/tmp/test-persist-XXXXXX";
        _cleanup_free_ char *sys = NULL, *pcidir = NULL;
        struct hd_context *ctx = NULL;
        struct hd_persist p = {};
        char **names = NULL;

        (void)state;
        assert_non_null(mkdtemp(dir));
        sys = strdupf("%s/sys", dir);
        assert_int_equal(mkdir(sys, 0755), 0);
        assert_int_equal(hd_context_new(&ctx), 0);
        assert_int_equal(hd_context_set_sysroot(ctx, dir), 0);

        assert_int_equal(hd_persist_list(ctx, HD_PERSIST_PCI, &names), 0);
        assert_null(names[0]);
        hd_strv_free(names);
        assert_int_equal(hd_persist_get(ctx, HD_PERSIST_PCI, "0000:01:00.0", &p), -ENOENT);

        assert_int_equal(hd_persist_set_driver(ctx, "01:00.0", "vfio-pci"), 0); /* the short form names the full */
        assert_int_equal(hd_persist_set_numvfs(ctx, "0000:03:00.0", 7, 0), 0);
        assert_int_equal(hd_persist_get(ctx, HD_PERSIST_PCI, "0000:01:00.0", &p), 0);
        assert_string_equal(p.driver, "vfio-pci");
        assert_string_equal(p.addr, "0000:01:00.0");
        hd_persist_done(&p);
        assert_int_equal(hd_persist_get(ctx, HD_PERSIST_SRIOV, "0000:03:00.0", &p), 0);
        assert_int_equal(p.numvfs, 7);
        assert_int_equal(p.autoprobe, 0);
        assert_int_equal(hd_persist_list(ctx, HD_PERSIST_PCI, &names), 0);
        assert_string_equal(names[0], "0000:01:00.0");
        assert_null(names[1]);
        hd_strv_free(names);
        pcidir = hd_persist_dir(ctx, HD_PERSIST_PCI);
        assert_non_null(strstr(pcidir, "/etc/hostdev/pci"));

        assert_int_equal(hd_persist_set_driver(ctx, "0000:01:00.0", "../x"), -EINVAL);
        assert_non_null(strstr(hd_context_last_error(ctx), "'../x' cannot be a driver's name"));
        assert_int_equal(hd_persist_set_driver(ctx, "../../etc/passwd", "vfio-pci"), -EINVAL);
        assert_non_null(strstr(hd_context_last_error(ctx), "is not a PCI address"));
        assert_int_equal(hd_persist_get(ctx, HD_PERSIST_PCI, "../pci/0000:01:00.0", &p), -EINVAL);

        assert_int_equal(hd_persist_remove(ctx, HD_PERSIST_PCI, "0000:01:00.0"), 0);
        assert_int_equal(hd_persist_remove(ctx, HD_PERSIST_PCI, "0000:01:00.0"), -ENOENT);
        assert_int_equal(hd_persist_get(ctx, HD_PERSIST_PCI, "0000:01:00.0", &p), -ENOENT);

        hd_context_free(ctx);
        assert_int_equal(rm_rf(dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_good),
                cmocka_unit_test(test_parse_bad),
                cmocka_unit_test(test_files),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
