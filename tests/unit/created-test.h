/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the tests of made devices (mdev, SR-IOV, vHBA) share: a copy of tests/data/trees/created behind the emulator. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu-ext.h"
#include "hostdev/hostdev.h"
#include "util/strutil.h"

struct created {
        struct emu *e;
        struct hd_context *ctx;
};

/* A fresh copy of the tree (see its make.py) and a context whose writes the emulator applies. */
static inline struct created *created_open(void) {
        const char *data = getenv("HOSTDEV_TEST_DATA");
        _cleanup_free_ char *tree = strdupf("%s/trees/created", data ? data : "tests/data");
        struct created *c = calloc(1, sizeof(*c));

        assert_non_null(c);
        assert_int_equal(emu_new(tree, &c->e), 0);
        assert_int_equal(hd_context_new(&c->ctx), 0);
        assert_int_equal(emu_ext_attach(c->e, c->ctx), 0);
        return c;
}

static inline void created_close(struct created *c) {
        emu_ext_clear();
        hd_context_free(c->ctx);
        emu_free(c->e);
        free(c);
}

/* A file below the copy's root, without its trailing newline; NULL when absent. */
static inline char *created_read(struct created *c, const char *rel) {
        _cleanup_free_ char *p = strdupf("%s/%s", emu_root(c->e), rel);
        char buf[8192];
        ssize_t n;
        int fd = p ? open(p, O_RDONLY | O_CLOEXEC) : -1;
        if (fd < 0)
                return NULL;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n < 0)
                return NULL;
        buf[n] = 0;
        while (n > 0 && buf[n - 1] == '\n')
                buf[--n] = 0;
        return strdup(buf);
}

static inline void assert_file(struct created *c, const char *rel, const char *want) {
        _cleanup_free_ char *got = created_read(c, rel);
        if (!got)
                fail_msg("%s is missing, expected '%s'", rel, want);
        if (!streq(got, want))
                fail_msg("%s is '%s', expected '%s'", rel, got, want);
}

/* The call failed with ERR and left a message for a person. */
#define assert_fails(c, call, err)                                                                 \
        do {                                                                                       \
                int r_ = (call);                                                                   \
                if (r_ != (err))                                                                   \
                        fail_msg("%s returned %d (%s), expected %d", #call, r_,                   \
                                 hd_context_last_error((c)->ctx) ? hd_context_last_error((c)->ctx) : "-", (err)); \
                assert_non_null(hd_context_last_error((c)->ctx));                                 \
        } while (0)

#define assert_ok(c, call)                                                                         \
        do {                                                                                       \
                int r_ = (call);                                                                   \
                if (r_ < 0)                                                                        \
                        fail_msg("%s failed: %d %s", #call, r_,                                   \
                                 hd_context_last_error((c)->ctx) ? hd_context_last_error((c)->ctx) : "-"); \
        } while (0)
