/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the mdev files share: UUIDs, parents, the definition store, and the sysfs side of an instance. */
#pragma once

#include <stdbool.h>

#include "context-internal.h"
#include "hostdev/mdev.h"
#include "manager/guard.h"

#define MDEV_DEVICES "/sys/bus/mdev/devices"
#define MDEV_BUS_CLASS "/sys/class/mdev_bus"

/* Copy S (a UUID in any case) to OUT in lower case; -EINVAL with a message when malformed. */
int mdev_uuid_normalize(struct hd_context *ctx, const char *s, char out[static 37]);
int mdev_uuid_generate(char out[static 37]);

/*
 * The parent's sysfs name for SPEC. MUST_EXIST: the parent is registered
 * with the mdev core now (-ENODEV otherwise, naming the parents there are).
 * Otherwise a name that is not present is still turned into the form
 * mdevctl uses ("pci_0000_00_02_0" -> "0000:00:02.0").
 */
int mdev_parent_resolve(struct hd_context *ctx, const char *spec, bool must_exist, char **ret_name);
/* Whether PARENT is registered now (/sys/class/mdev_bus/PARENT exists). */
bool mdev_parent_present(struct hd_context *ctx, const char *parent);

/* The running instance UUID: its parent's sysfs name and type; -ENOENT when not running. */
int mdev_active_read(struct hd_context *ctx, const char *uuid, char **ret_parent, char **ret_type);
/*
 * Create UUID of TYPE on PARENT and write ATTRS, removing it again if one
 * fails. LOCK: take the state store's lock for the writes (after every
 * check), as a verb of its own does; the manager, which holds it, does not.
 */
int mdev_instance_create(struct hd_context *ctx, const char *parent, const char *type, const char *uuid,
                         const struct hd_mdev_attr *attrs, size_t n_attrs, bool lock);

/*
 * The state store's lock for a change to UUID (manager/guard.h), and
 * -EBUSY, naming the guest, when hostdev's records have it: a guest's mdev
 * is not stopped, removed or undefined under it.
 */
int mdev_guard_held(struct hd_context *ctx, struct store_guard *g, const char *uuid);

/* For the manager, which holds the lock and owns the record. */
/* Start the defined UUID unless it runs; *RET_STARTED: this call started it. */
int mdev_ensure_running_locked(struct hd_context *ctx, const char *uuid, bool *ret_started);
/* Stop the running UUID (lower case); -EALREADY when it is not running. */
int mdev_stop_locked(struct hd_context *ctx, const char *uuid);

/* The definition folder (see hostdev/mdev.h); a new string. */
#define MDEV_CONFIG_DIR "/etc/mdevctl.d"
char *mdev_config_dir(struct hd_context *ctx);

/* mdevctl's JSON for one definition, exactly as mdevctl writes it (serde_json, pretty). */
int mdev_json_format(const struct hd_mdev *m, char **ret);
/* Parse a definition's JSON into M's type, autostart and attrs; -EINVAL when it is not one. */
int mdev_json_parse(const char *json, struct hd_mdev *m, char **ret_why);

/* Read the definition of UUID on PARENT; -ENOENT when there is none. */
int mdev_def_read(struct hd_context *ctx, const char *parent, const char *uuid, struct hd_mdev **ret);
/* Write M's definition atomically: a new one (-EEXIST when there is one already), or REPLACE it. */
int mdev_def_write(struct hd_context *ctx, const struct hd_mdev *m, bool replace);
/* An attribute name is one file of the device's folder: not empty, no '/', not ".", ".." nor "remove". */
bool mdev_attr_name_ok(const char *name);
/* -EINVAL with a message unless NAME is such a name and VALUE is not NULL. */
int mdev_attr_check(struct hd_context *ctx, const char *name, const char *value);
int mdev_def_delete(struct hd_context *ctx, const char *parent, const char *uuid);
/* Every readable definition (only those of UUID when not NULL), sorted by parent then UUID. */
int mdev_def_list(struct hd_context *ctx, const char *uuid, struct hd_mdev **ret_list, size_t *ret_n);

void mdev_attrs_free(struct hd_mdev_attr *attrs, size_t n);
int mdev_attrs_copy(const struct hd_mdev_attr *attrs, size_t n, struct hd_mdev_attr **ret);
