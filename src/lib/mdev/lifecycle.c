/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Persistent mediated devices: define, undefine, start, stop, autostart, modify, and starting all auto ones. */
#include <string.h>

#include "hostdev/format.h"
#include "mdev-internal.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct hd_mdev *, hd_mdev_free)
#define _cleanup_mdev_ _cleanup_(hd_mdev_freep)

/* A type that cannot be a folder name under mdev_supported_types is no type at all. */
static int check_type(struct hd_context *ctx, const char *parent, const char *type) {
        _cleanup_free_ char *rel = NULL;

        if (isempty(type) || !filename_is_safe(type))
                return hd_error(ctx, -EINVAL, "'%s' is not an mdev type; see 'hostdev mdev types'", type ? type : "");
        if (!mdev_parent_present(ctx, parent))
                return 0; /* defined for a parent that comes later: nothing to check against */
        rel = strdupf("sys/class/mdev_bus/%s/mdev_supported_types/%s", parent, type);
        if (!rel)
                return -ENOMEM;
        if (!sysfs_exists(ctx, rel))
                return hd_error(ctx, -ENOENT, "%s has no mdev type '%s'; see 'hostdev mdev types %s'", parent, type, parent);
        return 0;
}

/* The definition of UUID (on PARENT, when given); -ENOENT with a message when there is none. */
static int get_defined(struct hd_context *ctx, const char *uuid, const char *parent, struct hd_mdev **ret) {
        struct hd_mdev *m = NULL;
        int r = hd_mdev_get(ctx, uuid, parent, &m);

        if (r < 0)
                return r;
        if (!m->defined) {
                r = hd_error(ctx, -ENOENT, "mediated device %s runs on %s but is not defined; 'hostdev mdev define --uuid %s' keeps it",
                             m->uuid, m->parent, m->uuid);
                hd_mdev_free(m);
                return r;
        }
        *ret = m;
        return 0;
}

int hd_mdev_define(struct hd_context *ctx, const struct hd_mdev *def, char ret_uuid[static 37]) {
        _cleanup_free_ char *pname = NULL, *apar = NULL, *atype = NULL;
        _cleanup_store_guard_ struct store_guard g = STORE_GUARD_INIT;
        _cleanup_mdev_ struct hd_mdev *old = NULL;
        struct hd_mdev m = { 0 };
        int r;

        hd_error_clear(ctx);
        if (!isempty(def->uuid))
                r = mdev_uuid_normalize(ctx, def->uuid, m.uuid);
        else
                r = mdev_uuid_generate(m.uuid);
        if (r < 0)
                return r;
        if (!def->type) {
                /* Keep a running instance as it is, the way `mdevctl define -u UUID` does. */
                if (mdev_active_read(ctx, m.uuid, &apar, &atype) < 0 || !atype)
                        return hd_error(ctx, -EINVAL, "give the mdev type (--type); %s is not running to take it from", m.uuid);
        }
        if (def->parent) {
                r = mdev_parent_resolve(ctx, def->parent, false, &pname);
                if (r < 0)
                        return r;
                if (apar && !streq(apar, pname))
                        return hd_error(ctx, -EINVAL, "%s runs on %s, not on %s", m.uuid, apar, pname);
        } else if (apar)
                pname = TAKE_PTR(apar);
        else
                return hd_error(ctx, -EINVAL, "give the parent (--parent); see 'hostdev mdev types'");
        m.parent = pname;
        m.type = def->type ? (char *)def->type : atype;
        r = check_type(ctx, m.parent, m.type);
        if (r < 0)
                return r;
        for (size_t i = 0; i < def->n_attrs; i++)
                if ((r = mdev_attr_check(ctx, def->attrs[i].name, def->attrs[i].value)) < 0)
                        return r;
        /* Under the lock prepare holds: a prepare reads a definition whole, then starts it. */
        r = store_guard_begin(ctx, &g);
        if (r < 0)
                return r;
        if (mdev_def_read(ctx, m.parent, m.uuid, &old) != -ENOENT)
                return hd_error(ctx, -EEXIST, "%s is defined on %s already; 'hostdev mdev modify' changes it", m.uuid,
                                m.parent);
        m.attrs = def->attrs;
        m.n_attrs = def->n_attrs;
        m.autostart = def->autostart;
        r = mdev_def_write(ctx, &m, false);
        if (r < 0)
                return r;
        memcpy(ret_uuid, m.uuid, 37);
        return 0;
}

int hd_mdev_define_xml(struct hd_context *ctx, const char *xml, size_t len, char ret_uuid[static 37]) {
        struct hd_device *d = NULL;
        struct hd_cap *c;
        struct hd_mdev def = { 0 };
        int r;

        r = hd_device_from_xml(ctx, xml, len, &d);
        if (r < 0)
                return r;
        c = hd_device_get_cap(d, HD_CAP_MDEV);
        if (!c) {
                hd_device_free(d);
                return hd_error(ctx, -EOPNOTSUPP,
                                "only a mediated device (<capability type='mdev'>) can be defined; a vHBA is made with 'hostdev create'");
        }
        /* libvirt names the parent device; <parent_addr> is what mdevctl calls it. */
        def.parent = c->mdev.parent_addr ? c->mdev.parent_addr : d->parent_name;
        if (!def.parent) {
                hd_device_free(d);
                return hd_error(ctx, -EINVAL, "a mediated device needs a <parent>, the device that provides its type");
        }
        if (c->mdev.uuid)
                memcpy(def.uuid, c->mdev.uuid, strnlen(c->mdev.uuid, 36));
        def.type = c->mdev.type;
        def.attrs = c->mdev.attrs;
        def.n_attrs = c->mdev.n_attrs;
        r = hd_mdev_define(ctx, &def, ret_uuid);
        hd_device_free(d);
        return r;
}

int hd_mdev_undefine(struct hd_context *ctx, const char *uuid, const char *parent) {
        _cleanup_store_guard_ struct store_guard g = STORE_GUARD_INIT;
        _cleanup_mdev_ struct hd_mdev *m = NULL;
        int r = get_defined(ctx, uuid, parent, &m);

        if (r < 0)
                return r;
        /* A guest's mdev that hostdev started is stopped at release; undefined, it could not come back. */
        r = mdev_guard_held(ctx, &g, m->uuid);
        if (r < 0)
                return r;
        return mdev_def_delete(ctx, m->parent, m->uuid);
}

int hd_mdev_start(struct hd_context *ctx, const char *uuid, const char *parent) {
        _cleanup_mdev_ struct hd_mdev *m = NULL;
        int r = get_defined(ctx, uuid, parent, &m);

        if (r < 0)
                return r;
        if (m->active)
                return hd_error(ctx, -EALREADY, "mediated device %s is running already", m->uuid);
        if (!mdev_parent_present(ctx, m->parent))
                return hd_error(ctx, -ENODEV, "the parent of %s, %s, is not present (is its driver loaded?)", m->uuid,
                                m->parent);
        return mdev_instance_create(ctx, m->parent, m->type, m->uuid, m->attrs, m->n_attrs, true);
}

static int ensure_running(struct hd_context *ctx, const char *uuid, bool lock, bool *ret_started) {
        _cleanup_mdev_ struct hd_mdev *m = NULL;
        int r = hd_mdev_get(ctx, uuid, NULL, &m);

        if (r < 0)
                return r;
        if (m->active) {
                *ret_started = false;
                return 0;
        }
        if (!mdev_parent_present(ctx, m->parent))
                return hd_error(ctx, -ENODEV, "the parent of %s, %s, is not present (is its driver loaded?)", m->uuid,
                                m->parent);
        r = mdev_instance_create(ctx, m->parent, m->type, m->uuid, m->attrs, m->n_attrs, lock);
        if (r == -EEXIST) {
                /* Started by someone else meanwhile: it runs, and it is not ours to stop. */
                hd_error_clear(ctx);
                *ret_started = false;
                return 0;
        }
        if (r < 0)
                return r;
        *ret_started = true;
        return 0;
}

int hd_mdev_ensure_running(struct hd_context *ctx, const char *uuid, bool *ret_started) {
        return ensure_running(ctx, uuid, true, ret_started);
}

int mdev_ensure_running_locked(struct hd_context *ctx, const char *uuid, bool *ret_started) {
        return ensure_running(ctx, uuid, false, ret_started);
}

int hd_mdev_set_autostart(struct hd_context *ctx, const char *uuid, const char *parent, bool autostart) {
        struct hd_mdev_change c = { .autostart = autostart, .add_index = -1, .del_index = -1 };
        return hd_mdev_modify(ctx, uuid, parent, &c);
}

static int attr_insert(struct hd_context *ctx, struct hd_mdev *m, const char *name, const char *value, long at) {
        struct hd_mdev_attr *na;
        int r = mdev_attr_check(ctx, name, value);

        if (r < 0)
                return r;
        if (at < 0)
                at = (long)m->n_attrs;
        if ((size_t)at > m->n_attrs)
                return hd_error(ctx, -EINVAL, "attribute index %ld is past the end; %s has %zu attributes", at, m->uuid,
                                m->n_attrs);
        na = realloc(m->attrs, (m->n_attrs + 1) * sizeof(*na));
        if (!na)
                return -ENOMEM;
        m->attrs = na;
        memmove(&na[at + 1], &na[at], (m->n_attrs - (size_t)at) * sizeof(*na));
        na[at].name = strdup(name);
        na[at].value = strdup(value);
        m->n_attrs++;
        return na[at].name && na[at].value ? 0 : -ENOMEM;
}

static int attr_delete(struct hd_context *ctx, struct hd_mdev *m, long at) {
        if (m->n_attrs == 0)
                return hd_error(ctx, -EINVAL, "%s has no attributes to delete", m->uuid);
        if (at < 0)
                at = (long)m->n_attrs - 1;
        if ((size_t)at >= m->n_attrs)
                return hd_error(ctx, -EINVAL, "no attribute at index %ld; %s has %zu (0 to %zu)", at, m->uuid, m->n_attrs,
                                m->n_attrs - 1);
        free(m->attrs[at].name);
        free(m->attrs[at].value);
        memmove(&m->attrs[at], &m->attrs[at + 1], (m->n_attrs - (size_t)at - 1) * sizeof(*m->attrs));
        m->n_attrs--;
        return 0;
}

int hd_mdev_modify(struct hd_context *ctx, const char *uuid, const char *parent, const struct hd_mdev_change *c) {
        _cleanup_store_guard_ struct store_guard g = STORE_GUARD_INIT;
        _cleanup_mdev_ struct hd_mdev *m = NULL;
        int r;

        hd_error_clear(ctx);
        /* Read, changed and written under one lock: two changes at once both count. */
        r = store_guard_begin(ctx, &g);
        if (r < 0)
                return r;
        r = get_defined(ctx, uuid, parent, &m);
        if (r < 0)
                return r;
        if (c->type) {
                r = check_type(ctx, m->parent, c->type);
                if (r < 0)
                        return r;
                free(m->type);
                m->type = strdup(c->type);
                if (!m->type)
                        return -ENOMEM;
        }
        if (c->autostart >= 0)
                m->autostart = c->autostart;
        if (c->del && (r = attr_delete(ctx, m, c->del_index)) < 0)
                return r;
        if (c->add_name && (r = attr_insert(ctx, m, c->add_name, c->add_value, c->add_index)) < 0)
                return r;
        return mdev_def_write(ctx, m, true);
}

int hd_mdev_start_autostart(struct hd_context *ctx, const char *parent, hd_mdev_report_t report, void *userdata) {
        _cleanup_free_ char *pname = NULL;
        struct hd_mdev *list = NULL;
        size_t n = 0;
        int r, first = 0, started = 0;

        hd_error_clear(ctx);
        if (parent) {
                r = mdev_parent_resolve(ctx, parent, false, &pname);
                if (r < 0)
                        return r;
        }
        r = hd_mdev_list(ctx, HD_MDEV_LIST_DEFINED | HD_MDEV_LIST_ACTIVE, &list, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                struct hd_mdev *m = &list[i];
                if (!m->defined || !m->autostart || m->active || (pname && !streq(m->parent, pname)) ||
                    !mdev_parent_present(ctx, m->parent))
                        continue;
                hd_error_clear(ctx);
                r = mdev_instance_create(ctx, m->parent, m->type, m->uuid, m->attrs, m->n_attrs, true);
                if (r == -EEXIST)
                        r = 0; /* another starter (mdevctl's own udev rule) was first */
                if (report)
                        report(userdata, m, r, hd_context_last_error(ctx));
                if (r < 0 && first == 0)
                        first = r;
                if (r >= 0)
                        started++;
        }
        hd_mdev_list_free(list, n);
        return first < 0 ? first : started;
}
