/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library context: root prefix, state directory, write hook, last error. */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hd_context;

/*
 * A new context reading the live system ("/"). HOSTDEV_SYSROOT and
 * HOSTDEV_STATE_DIR in the environment set the root prefix and the state
 * directory, as --sysroot and --state-dir do on the command line.
 * *RET_CTX is set only on success: on failure (-ENOMEM, or HOSTDEV_SYSROOT
 * names no folder with a sys/ in it, as hd_context_set_sysroot() wants)
 * there is no context to read a message from or to free.
 */
int hd_context_new(struct hd_context **ret_ctx);
struct hd_context *hd_context_free(struct hd_context *ctx);

/* Read sysfs and /dev below DIR instead of "/". DIR must hold a sys/ folder. */
int hd_context_set_sysroot(struct hd_context *ctx, const char *dir);
const char *hd_context_get_sysroot(const struct hd_context *ctx);

int hd_context_set_state_dir(struct hd_context *ctx, const char *dir);
const char *hd_context_get_state_dir(const struct hd_context *ctx);

/* The message a person should read about the last failure, or NULL. */
const char *hd_context_last_error(const struct hd_context *ctx);

/*
 * Every write to sysfs goes through one function. A hook replaces the real
 * write: tests put a kernel emulator here. PATH is the absolute path as the
 * kernel names it ("/sys/bus/pci/drivers_probe"); ROOT_FD is the root prefix.
 * Return 0 or a negative errno, as the kernel's write() would fail.
 */
typedef int (*hd_write_hook_t)(void *userdata, int root_fd, const char *path, const char *value,
                               size_t len);
void hd_context_set_write_hook(struct hd_context *ctx, hd_write_hook_t hook, void *userdata);

#ifdef __cplusplus
}
#endif
