/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The columns of `hostdev list`: one table of name, width hint, flags, help and getter. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hostdev/hostdev.h"

enum col_kind { COL_STRING, COL_NUMBER };

struct column {
        const char *name; /* as -o takes it; lower-cased it is the JSON key */
        double whint;     /* libsmartcols width hint */
        int flags;        /* SCOLS_FL_* */
        enum col_kind kind;
        const char *help;
        /* A new string for device D, or NULL for "no value". */
        char *(*get)(const struct hd_device *d);
};

extern const struct column columns[];
extern const size_t n_columns;

/* The column named NAME (case-insensitive), or -1. */
int column_find(const char *name);
/* Parse "NAME,CAP,+FOO" into column indexes; a leading '+' appends to DEFAULTS. */
int columns_parse(const char *spec, const int *defaults, size_t n_defaults, int **ret_cols,
                  size_t *ret_n);
/* A one-line description for a person: what lspci or lsusb would say. */
char *device_describe(const struct hd_device *d);
