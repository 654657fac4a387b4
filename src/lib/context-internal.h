/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The context's fields and the error helper, for the library's own files. */
#pragma once

#include <stdbool.h>

#include "hostdev/context.h"
#include "util/macro.h"

struct hd_names;
struct hd_vf_netlink_ops;

struct hd_context {
        char *sysroot;   /* "/" or the prefix given */
        int root_fd;     /* O_PATH handle on sysroot: every sysfs access is relative to it */
        char *state_dir;
        char *ids_dir;         /* hd_context_set_ids_dir(); NULL: the system's databases */
        char *hwdb_path;       /* names_set_hwdb(), for tests; NULL: the system's hwdb */
        char *mdev_config_dir; /* hd_context_set_mdev_config_dir(); NULL: /etc/mdevctl.d below the root */
        char *last_error;
        bool keep_parent;  /* sysfs_keep_folders(): a scan runs */
        int parent_fd;     /* then the last folder looked into below a tree, -1: none */
        char *parent_path; /* its path from the root */
        hd_write_hook_t write_hook;
        void *write_hook_data;
        struct hd_names *names; /* loaded lazily: vendor/product names */
        const struct hd_vf_netlink_ops *vf_netlink; /* hd_manager_set_vf_netlink(); NULL: the real one on "/" */
        char **notices; /* hd_notice(), until hd_context_take_notices() */
};

/*
 * Record a message for a person and return ERR (a negative errno), so a
 * failure reads: return hd_error(ctx, -ENOENT, "no device '%s'; see 'hostdev list'", n);
 */
int hd_error(struct hd_context *ctx, int err, const char *fmt, ...) _printf_(3, 4);
void hd_error_clear(struct hd_context *ctx);
/* Something a person should know about an operation that succeeded all the same (hd_context_take_notices()). */
void hd_notice(struct hd_context *ctx, const char *fmt, ...) _printf_(2, 3);
