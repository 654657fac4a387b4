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

/* A copy of tests/data/trees/NAME behind the emulator. */
static inline struct emu *emu_fixture_tree(const char *name) {
        const char *data = getenv("HOSTDEV_TEST_DATA");
        _cleanup_free_ char *tree = strdupf("%s/trees/%s", data ? data : "tests/data", name);
        struct emu *e = NULL;
        assert_non_null(tree);
        assert_int_equal(emu_new(tree, &e), 0);
        return e;
}

/* tests/data/trees/manager, a q35-like host: see its make-tree.sh. */
static inline struct emu *emu_fixture(void) {
        return emu_fixture_tree("manager");
}

static inline struct hd_context *emu_context(struct emu *e) {
        struct hd_context *ctx = NULL;
        assert_int_equal(hd_context_new(&ctx), 0);
        assert_int_equal(emu_attach(e, ctx), 0);
        return ctx;
}

/* A test's state: a copy of a tree and a context whose writes the emulator applies. */
struct emu_test {
        struct emu *e;
        struct hd_context *ctx;
};

static inline int emu_test_setup(void **state, const char *tree) {
        struct emu_test *t = calloc(1, sizeof(*t));
        assert_non_null(t);
        t->e = emu_fixture_tree(tree);
        t->ctx = emu_context(t->e);
        *state = t;
        return 0;
}

static inline int emu_test_teardown(void **state) {
        struct emu_test *t = *state;
        hd_context_free(t->ctx);
        emu_free(t->e);
        free(t);
        return 0;
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

/* The item of TOPIC in report R, which must have one. */
static inline const struct hd_report_item *report_item(const struct hd_report *r, const char *topic) {
        for (size_t i = 0; i < r->n_items; i++)
                if (streq(r->items[i].topic, topic))
                        return &r->items[i];
        fail_msg("no '%s' item", topic);
        return NULL;
}
