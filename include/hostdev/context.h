/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library context: root prefix, state directory, write hook, last error. */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hd_context;

/*
 * A new context reading the live system ("/") with the state directory
 * /var/lib/hostdev. The library reads no environment variable: a caller
 * sets what it wants with the functions below (the hostdev command maps
 * its HOSTDEV_* variables and options onto them). *RET_CTX is set only on
 * success: on failure (-ENOMEM) there is no context to free.
 */
int hd_context_new(struct hd_context **ret_ctx);
struct hd_context *hd_context_free(struct hd_context *ctx);

/* Read sysfs and /dev below DIR instead of "/". DIR must hold a sys/ folder. */
int hd_context_set_sysroot(struct hd_context *ctx, const char *dir);
const char *hd_context_get_sysroot(const struct hd_context *ctx);

int hd_context_set_state_dir(struct hd_context *ctx, const char *dir);
const char *hd_context_get_state_dir(const struct hd_context *ctx);

/*
 * Vendor and product names only from DIR/pci.ids and DIR/usb.ids, never the
 * system's hardware database, for output that does not depend on the host
 * (NULL: the system's databases, as libvirt reads them).
 */
int hd_context_set_ids_dir(struct hd_context *ctx, const char *dir);
/* mdevctl definitions in DIR instead of /etc/mdevctl.d (below the root prefix); NULL: that default. */
int hd_context_set_mdev_config_dir(struct hd_context *ctx, const char *dir);

/* The message a person should read about the last failure, or NULL. */
const char *hd_context_last_error(const struct hd_context *ctx);

/*
 * What a person should know about operations that succeeded all the same
 * (a VF's old MAC its driver refused at release, and the one left instead):
 * a NULL-terminated list of sentences to free with hd_strv_free(), NULL
 * when there is none. Taking them empties the context's list.
 */
char **hd_context_take_notices(struct hd_context *ctx);

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
