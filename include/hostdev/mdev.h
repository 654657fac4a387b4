/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mediated devices: types of their parents, transient instances, and persistent definitions in mdevctl's format. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hostdev/context.h"
#include "hostdev/device.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A parent is named as the kernel names it below /sys/class/mdev_bus
 * ("0000:00:02.0", "mtty"), which is also the folder name mdevctl uses.
 * Functions taking a PARENT also accept any name hd_device_lookup() takes
 * ("pci_0000_00_02_0", "00:02.0").
 *
 * Persistent definitions live in mdevctl's layout and JSON format:
 * DIR/<parent>/<uuid>, holding {"mdev_type": T, "start": "auto"|"manual",
 * "attrs": [{"name": "value"}, ...]}. DIR is the context's
 * (hd_context_set_mdev_config_dir()), else <sysroot>/etc/mdevctl.d (so
 * /etc/mdevctl.d on a live host), which is never left through a link.
 */

/* One mediated device: running, defined, or both. */
struct hd_mdev {
        char uuid[37];       /* lower case, with dashes */
        char *parent;        /* the parent's sysfs name */
        char *type;          /* the definition's type, or the running one's when not defined */
        struct hd_mdev_attr *attrs; /* the definition's attributes, in the order they are written */
        size_t n_attrs;
        bool active;         /* exists in /sys/bus/mdev/devices */
        bool defined;        /* has a definition */
        bool autostart;      /* the definition says "start": "auto" */
};
void hd_mdev_free(struct hd_mdev *m);
void hd_mdev_list_free(struct hd_mdev *list, size_t n);

/* A parent and the types it offers (with their available instances now). */
struct hd_mdev_parent {
        char *name;   /* sysfs name */
        char *device; /* libvirt's name of the parent device ("pci_0000_00_02_0"), NULL when unknown */
        struct hd_mdev_type *types;
        size_t n_types;
};
void hd_mdev_parent_list_free(struct hd_mdev_parent *list, size_t n);

/* The parents (only PARENT when not NULL), sorted by name, each with its types sorted by id. */
int hd_mdev_parents(struct hd_context *ctx, const char *parent, struct hd_mdev_parent **ret_list,
                    size_t *ret_n);

/* "12345678-abcd-..." in any case: whether it is a UUID as the kernel takes it. */
bool hd_uuid_is_valid(const char *s);

/*
 * Create a transient instance: check that PARENT has TYPE with an instance
 * available and that UUID (NULL: a new random one) is not in use, write the
 * UUID to the type's `create`, then write ATTRS in order to the new
 * device's folder. When an attribute fails, the instance is removed again.
 * Errors: -ENODEV no such parent, -ENOENT no such type, -ENOSPC no
 * instance left, -EEXIST the UUID exists, -EINVAL a malformed UUID or
 * attribute name.
 */
int hd_mdev_create(struct hd_context *ctx, const char *parent, const char *type, const char *uuid,
                   const struct hd_mdev_attr *attrs, size_t n_attrs, char ret_uuid[static 37]);

/*
 * Remove a running instance (`remove`); -ENOENT when it is not running,
 * -EBUSY when a guest has it open or hostdev's state store records it (a
 * guest holds it: release it first; the message names the guest).
 *
 * Every function here that changes a device or a definition holds the
 * state store's lock (see hostdev/manager.h) for its writes, so it never
 * runs in the middle of a prepare or release; a store that cannot be read
 * is an error. hd_mdev_stop and hd_mdev_undefine refuse a held device as
 * hd_mdev_remove does.
 */
int hd_mdev_remove(struct hd_context *ctx, const char *uuid);

enum hd_mdev_list_flags {
        HD_MDEV_LIST_ACTIVE = 1 << 0,  /* running instances */
        HD_MDEV_LIST_DEFINED = 1 << 1, /* definitions, running or not */
};
/*
 * Running instances and/or definitions, one entry per (parent, UUID),
 * sorted by parent then UUID. A running instance that is also defined is
 * one entry with both flags. Definitions that cannot be read are left out.
 */
int hd_mdev_list(struct hd_context *ctx, unsigned flags, struct hd_mdev **ret_list, size_t *ret_n);

/*
 * One device by UUID, running or defined. PARENT (may be NULL) picks among
 * definitions of one UUID on several parents (-ENOTUNIQ without it).
 * -ENOENT when it is neither running nor defined.
 */
int hd_mdev_get(struct hd_context *ctx, const char *uuid, const char *parent, struct hd_mdev **ret);

/*
 * Write a definition. DEF->uuid "" makes a new one; DEF->type NULL with a
 * running DEF->uuid defines that instance as it runs (parent and type taken
 * from sysfs), as `mdevctl define -u UUID` does. The parent need not be
 * present. -EEXIST when the UUID is defined on that parent already.
 */
int hd_mdev_define(struct hd_context *ctx, const struct hd_mdev *def, char ret_uuid[static 37]);
/*
 * Define from libvirt's node device XML, as `virsh nodedev-define` takes
 * it: <device><parent>NAME</parent><capability type='mdev'><type id=/>
 * [<uuid>] [<attr name= value=/>...]</capability></device>.
 */
int hd_mdev_define_xml(struct hd_context *ctx, const char *xml, size_t len, char ret_uuid[static 37]);
/* Remove a definition (the instance, if running, keeps running); -EBUSY while a guest holds it. */
int hd_mdev_undefine(struct hd_context *ctx, const char *uuid, const char *parent);

/*
 * Start a defined device: create it with its type and write its attributes
 * in order (as hd_mdev_create). -EALREADY when it is running already,
 * -ENOENT when it is not defined, -ENODEV when its parent is absent.
 */
int hd_mdev_start(struct hd_context *ctx, const char *uuid, const char *parent);
/*
 * For a guest's <hostdev type='mdev'>: make sure UUID runs. One that runs is
 * left alone (*RET_STARTED false); a defined one that does not is started
 * (*RET_STARTED true: record it, so that release stops it again with
 * hd_mdev_stop()). -ENOENT when it neither runs nor is defined.
 */
int hd_mdev_ensure_running(struct hd_context *ctx, const char *uuid, bool *ret_started);
/* Stop a running device (its definition stays). -EALREADY when it is not running, -EBUSY while a guest holds it. */
int hd_mdev_stop(struct hd_context *ctx, const char *uuid);
int hd_mdev_set_autostart(struct hd_context *ctx, const char *uuid, const char *parent, bool autostart);

/* What `modify` changes in a definition; the running instance is not touched. */
struct hd_mdev_change {
        const char *type;       /* a new type, or NULL */
        int autostart;          /* 1, 0, or -1 to keep */
        const char *add_name;   /* add an attribute NAME=VALUE ... */
        const char *add_value;
        long add_index;         /* ... at this position; -1 at the end */
        bool del;               /* delete an attribute ... */
        long del_index;         /* ... at this position; -1 the last */
};
int hd_mdev_modify(struct hd_context *ctx, const char *uuid, const char *parent,
                   const struct hd_mdev_change *change);

/*
 * Start every definition marked auto whose parent (PARENT only, when not
 * NULL) is present and which is not running. One that fails does not stop
 * the others; REPORT (may be NULL) is told about each device tried, with 0
 * or the error and the context's message. Returns the number started, or
 * the first error.
 */
typedef void (*hd_mdev_report_t)(void *userdata, const struct hd_mdev *m, int error, const char *message);
int hd_mdev_start_autostart(struct hd_context *ctx, const char *parent, hd_mdev_report_t report,
                            void *userdata);

#ifdef __cplusplus
}
#endif
