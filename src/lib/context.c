/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library context: root prefix, state directory, write hook, last error. */
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "context-internal.h"
#include "names/names.h"
#include "sysfs/confine.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

#define DEFAULT_STATE_DIR "/var/lib/hostdev"

int hd_context_new(struct hd_context **ret_ctx) {
        struct hd_context *ctx = calloc(1, sizeof(*ctx));
        int r;

        if (!ctx)
                return -ENOMEM;
        ctx->root_fd = -1;
        ctx->parent_fd = -1;
        ctx->state_dir = strdup(DEFAULT_STATE_DIR);
        if (!ctx->state_dir) {
                hd_context_free(ctx);
                return -ENOMEM;
        }
        r = hd_context_set_sysroot(ctx, "/");
        if (r < 0) {
                /* ret_ctx only on success (as sd-device does): the caller has nothing to free. */
                hd_context_free(ctx);
                return r;
        }
        *ret_ctx = ctx;
        return 0;
}

struct hd_context *hd_context_free(struct hd_context *ctx) {
        if (!ctx)
                return NULL;
        if (ctx->root_fd >= 0)
                close(ctx->root_fd);
        sysfs_keep_folders(ctx, false);
        hd_names_free(ctx->names);
        free(ctx->sysroot);
        free(ctx->state_dir);
        free(ctx->ids_dir);
        free(ctx->hwdb_path);
        free(ctx->mdev_config_dir);
        free(ctx->last_error);
        strv_free(ctx->notices);
        free(ctx);
        return NULL;
}

int hd_context_set_sysroot(struct hd_context *ctx, const char *dir) {
        _cleanup_close_ int fd = -1, sys = -1;
        char *copy;

        fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return hd_error(ctx, -errno, "sysroot '%s': %s; give a folder recorded with 'hostdev record'",
                                dir, strerror(errno));
        /* Resolved as every path below the root is: TREE/sys -> /sys is not the host's. */
        sys = confine_open(fd, "sys", O_PATH | O_DIRECTORY, 0, CONFINE_IN_ROOT);
        if (sys < 0)
                return hd_error(ctx, -ENOTDIR,
                                "sysroot '%s' has no sys/ folder; give a folder recorded with 'hostdev record'",
                                dir);
        copy = strdup(dir);
        if (!copy)
                return -ENOMEM;
        if (ctx->root_fd >= 0)
                close(ctx->root_fd);
        sysfs_keep_folders(ctx, false);
        free(ctx->sysroot);
        ctx->root_fd = TAKE_FD(fd);
        ctx->sysroot = copy;
        /* Names are per root only in the sense of the files they come from; reload. */
        ctx->names = hd_names_free(ctx->names);
        return 0;
}

const char *hd_context_get_sysroot(const struct hd_context *ctx) {
        return ctx->sysroot;
}

int hd_context_set_state_dir(struct hd_context *ctx, const char *dir) {
        char *copy = strdup(dir);
        if (!copy)
                return -ENOMEM;
        free(ctx->state_dir);
        ctx->state_dir = copy;
        return 0;
}

const char *hd_context_get_state_dir(const struct hd_context *ctx) {
        return ctx->state_dir;
}

/* Replace *FIELD by a copy of VALUE (NULL or "" clears it). */
static int set_path(char **field, const char *value) {
        char *copy = NULL;
        if (!isempty(value) && !(copy = strdup(value)))
                return -ENOMEM;
        free(*field);
        *field = copy;
        return 0;
}

int hd_context_set_ids_dir(struct hd_context *ctx, const char *dir) {
        int r = set_path(&ctx->ids_dir, dir);
        if (r >= 0)
                ctx->names = hd_names_free(ctx->names); /* opened lazily from the new place */
        return r;
}

int hd_context_set_mdev_config_dir(struct hd_context *ctx, const char *dir) {
        return set_path(&ctx->mdev_config_dir, dir);
}

const char *hd_context_last_error(const struct hd_context *ctx) {
        return ctx ? ctx->last_error : NULL;
}

void hd_context_set_write_hook(struct hd_context *ctx, hd_write_hook_t hook, void *userdata) {
        ctx->write_hook = hook;
        ctx->write_hook_data = userdata;
}

int hd_error(struct hd_context *ctx, int err, const char *fmt, ...) {
        va_list ap;
        char *msg;

        if (!ctx)
                return err;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        free(ctx->last_error);
        ctx->last_error = msg;
        return err;
}

void hd_notice(struct hd_context *ctx, const char *fmt, ...) {
        va_list ap;
        char *msg;

        if (!ctx)
                return;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        /* A notice lost to a full memory costs a sentence, never the operation. */
        if (msg)
                (void)strv_push(&ctx->notices, msg);
}

char **hd_context_take_notices(struct hd_context *ctx) {
        return ctx ? TAKE_PTR(ctx->notices) : NULL;
}

void hd_error_clear(struct hd_context *ctx) {
        free(ctx->last_error);
        ctx->last_error = NULL;
}
