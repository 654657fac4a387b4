/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the emulator-backed tests share: a fresh copy of the manager's tree and a context on it. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"
#include "hostdev/hostdev.h"
#include "util/strutil.h"

/* tests/data/trees/manager, a q35-like host: see its make-tree.sh. */
static inline struct emu *emu_fixture(void) {
        const char *data = getenv("HOSTDEV_TEST_DATA");
        _cleanup_free_ char *tree = strdupf("%s/trees/manager", data ? data : "tests/data");
        struct emu *e = NULL;
        assert_non_null(tree);
        assert_int_equal(emu_new(tree, &e), 0);
        return e;
}

static inline struct hd_context *emu_context(struct emu *e) {
        struct hd_context *ctx = NULL;
        assert_int_equal(hd_context_new(&ctx), 0);
        assert_int_equal(emu_attach(e, ctx), 0);
        return ctx;
}

/* The bound driver equals WANT (NULL: none). */
static inline void assert_driver(struct emu *e, const char *addr, const char *want) {
        _cleanup_free_ char *d = emu_driver(e, addr);
        if (!want) {
                if (d)
                        fail_msg("%s is on %s, expected no driver", addr, d);
                return;
        }
        if (!d || !streq(d, want))
                fail_msg("%s is on %s, expected %s", addr, d ? d : "no driver", want);
}
