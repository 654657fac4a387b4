/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers for unit tests that scan a hand-made tree under tests/data/trees and look devices up in it. */
#pragma once

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostdev/context.h"
#include "hostdev/inventory.h"

struct tree {
        struct hd_context *ctx;
        struct hd_inventory *inv;
};

/* Open tests/data/trees/NAME and scan it; names come from tests/data/ids, not the host's databases. */
static inline struct tree *tree_open(const char *name) {
        const char *data = getenv("HOSTDEV_TEST_DATA");
        char path[1024], ids[1024];
        struct tree *t = calloc(1, sizeof(*t));

        assert_non_null(data);
        assert_non_null(t);
        snprintf(ids, sizeof(ids), "%s/ids", data);
        snprintf(path, sizeof(path), "%s/trees/%s", data, name);
        assert_int_equal(hd_context_new(&t->ctx), 0);
        assert_int_equal(hd_context_set_ids_dir(t->ctx, ids), 0);
        assert_int_equal(hd_context_set_sysroot(t->ctx, path), 0);
        assert_int_equal(hd_inventory_scan(t->ctx, 0, &t->inv), 0);
        return t;
}

static inline void tree_close(struct tree *t) {
        hd_inventory_free(t->inv);
        hd_context_free(t->ctx);
        free(t);
}

/* The scanned device NAME, which must exist. */
static inline struct hd_device *tree_get(struct tree *t, const char *name) {
        struct hd_device *d = hd_inventory_find(t->inv, name);
        if (!d)
                fail_msg("no device %s in the scan", name);
        return d;
}

static inline void assert_absent(struct tree *t, const char *name) {
        if (hd_inventory_find(t->inv, name))
                fail_msg("%s should not be listed", name);
}

/* The scan's main capability of NAME, checked to be of TYPE. */
static inline struct hd_cap *tree_cap(struct tree *t, const char *name, enum hd_cap_type type) {
        struct hd_device *d = tree_get(t, name);
        assert_non_null(d->caps);
        assert_int_equal(d->caps->type, type);
        return d->caps;
}

/*
 * NAME's parent is PARENT both in the scanned tree and for a lookup of
 * SPEC (NAME itself when SPEC is NULL), which must find the same device.
 */
static inline void assert_parent_spec(struct tree *t, const char *name, const char *parent,
                                      const char *spec) {
        struct hd_device *d = tree_get(t, name), *l = NULL;

        assert_non_null(d->parent);
        assert_string_equal(d->parent->name, parent);
        assert_string_equal(d->parent_name, parent);
        if (hd_device_lookup(t->ctx, spec ? spec : name, &l) < 0)
                fail_msg("lookup of %s: %s", spec ? spec : name, hd_context_last_error(t->ctx));
        assert_string_equal(l->name, name);
        assert_string_equal(l->sysfs_path, d->sysfs_path);
        assert_string_equal(l->parent_name, parent);
        assert_null(l->parent);
        hd_device_free(l);
}

static inline void assert_parent(struct tree *t, const char *name, const char *parent) {
        assert_parent_spec(t, name, parent, NULL);
}

/* SPEC finds nothing (and nothing outside the tree is touched to find it). */
static inline void assert_no_lookup(struct tree *t, const char *spec) {
        struct hd_device *l = NULL;
        int r = hd_device_lookup(t->ctx, spec, &l);
        if (r >= 0) {
                fail_msg("lookup of '%s' found %s", spec, l->name);
                hd_device_free(l);
        }
        assert_int_equal(r, -ENODEV);
}

/* Every device of the scan is found again by its own name, with the same parent. */
static inline void assert_all_lookups(struct tree *t) {
        for (size_t i = 1; i < hd_inventory_size(t->inv); i++) {
                struct hd_device *d = hd_inventory_at(t->inv, i);
                assert_parent(t, d->name, d->parent->name);
        }
}

static inline void assert_str_or_null(const char *got, const char *want) {
        if (want)
                assert_string_equal(got, want);
        else
                assert_null(got);
}
