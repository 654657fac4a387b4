/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running mediated devices: create through a type's `create`, attributes in order, `remove`. */
#include <fcntl.h>
#include <string.h>
#include <time.h>

#include "mdev-internal.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

/*
 * Documentation/ABI/testing/sysfs-bus-vfio-mdev: /sys/bus/mdev/devices/<uuid>
 * links to the device below its parent; its mdev_type links to the type's
 * folder in the parent's mdev_supported_types.
 */
int mdev_active_read(struct hd_context *ctx, const char *uuid, char **ret_parent, char **ret_type) {
        _cleanup_free_ char *path = NULL, *parent = NULL, *type = NULL;
        int r;

        if (!hd_uuid_is_valid(uuid))
                return -ENOENT;
        r = sysfs_resolve_link(ctx, MDEV_DEVICES, uuid, &path);
        if (r < 0)
                return r == -ENOMEM ? r : -ENOENT;
        parent = path_dirname(path);
        if (!parent)
                return -ENOMEM;
        r = sysfs_resolve_link(ctx, path, "mdev_type", &type);
        if (r == -ENOMEM)
                return r;
        if (ret_parent) {
                *ret_parent = strdup(path_basename(parent));
                if (!*ret_parent)
                        return -ENOMEM;
        }
        if (ret_type) {
                *ret_type = r >= 0 ? strdup(path_basename(type)) : NULL;
                if (r >= 0 && !*ret_type)
                        return -ENOMEM;
        }
        return 0;
}

static void sleep_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* The kernel adds the device before `create` returns; a second is plenty for a slow udev-less view. */
static bool wait_for_device(struct hd_context *ctx, const char *uuid) {
        _cleanup_free_ char *rel = strdupf("sys/bus/mdev/devices/%s", uuid);
        for (int i = 0; rel && i < 20; i++) {
                if (sysfs_exists(ctx, rel))
                        return true;
                sleep_ms(50);
        }
        return false;
}

static int write_remove(struct hd_context *ctx, const char *uuid) {
        _cleanup_free_ char *p = strdupf(MDEV_DEVICES "/%s/remove", uuid);
        return p ? sysfs_write(ctx, p, "1") : -ENOMEM;
}

int mdev_instance_create(struct hd_context *ctx, const char *parent, const char *type, const char *uuid,
                         const struct hd_mdev_attr *attrs, size_t n_attrs, bool lock) {
        _cleanup_free_ char *tdir = NULL, *create = NULL, *ap = NULL, *ep = NULL, *et = NULL;
        _cleanup_store_guard_ struct store_guard g = STORE_GUARD_INIT;
        _cleanup_close_ int tfd = -1;
        uint64_t avail;
        int r;

        for (size_t i = 0; i < n_attrs; i++)
                if ((r = mdev_attr_check(ctx, attrs[i].name, attrs[i].value)) < 0)
                        return r;
        if (!mdev_parent_present(ctx, parent))
                return mdev_parent_resolve(ctx, parent, true, &ep); /* sets the message */
        if (isempty(type) || !filename_is_safe(type))
                return hd_error(ctx, -ENOENT, "no mdev type given; see 'hostdev mdev types %s'", parent);
        tdir = strdupf(MDEV_BUS_CLASS "/%s/mdev_supported_types/%s", parent, type);
        if (!tdir)
                return -ENOMEM;
        r = sysfs_open_dir(ctx, tdir, &tfd);
        if (r < 0)
                return hd_error(ctx, -ENOENT, "%s has no mdev type '%s'; see 'hostdev mdev types %s'", parent, type, parent);
        /* Documentation/ABI/testing/sysfs-bus-vfio-mdev: available_instances, create. */
        r = sysfs_read_u64_at(tfd, "available_instances", 10, &avail);
        if (r < 0)
                return hd_error(ctx, r, "cannot read %s/available_instances: %s", tdir, strerror(-r));
        r = mdev_active_read(ctx, uuid, &ep, &et);
        if (r == 0)
                return hd_error(ctx, -EEXIST, "mediated device %s exists already (type %s on %s); remove it or pick another UUID",
                                uuid, et ? et : "?", ep);
        if (r == -ENOMEM)
                return r;
        if (avail == 0)
                return hd_error(ctx, -ENOSPC, "no instance of %s is left on %s; remove one of its devices (see 'hostdev mdev list')",
                                type, parent);
        create = strdupf("%s/create", tdir);
        if (!create)
                return -ENOMEM;
        if (lock && (r = store_guard_begin(ctx, &g)) < 0)
                return r;
        r = sysfs_write(ctx, create, uuid);
        if (r < 0)
                return sysfs_write_refused(ctx) ? r
                                                : hd_error(ctx, r, "the kernel refused to create %s of type %s on %s: %s",
                                                           uuid, type, parent, strerror(-r));
        if (!wait_for_device(ctx, uuid)) {
                (void)write_remove(ctx, uuid);
                return hd_error(ctx, -EIO, "%s did not appear in " MDEV_DEVICES " after create on %s", uuid, parent);
        }
        for (size_t i = 0; i < n_attrs; i++) {
                free(ap);
                ap = strdupf(MDEV_DEVICES "/%s/%s", uuid, attrs[i].name);
                r = ap ? sysfs_write(ctx, ap, attrs[i].value) : -ENOMEM;
                if (r < 0) {
                        int rr = write_remove(ctx, uuid);
                        return hd_error(ctx, r, "attribute %s=%s of %s failed: %s; %s", attrs[i].name, attrs[i].value,
                                        uuid, strerror(-r),
                                        rr < 0 ? "removing the device failed too, remove it by hand"
                                               : "the device was removed again");
                }
        }
        return 0;
}

int hd_mdev_create(struct hd_context *ctx, const char *parent, const char *type, const char *uuid,
                   const struct hd_mdev_attr *attrs, size_t n_attrs, char ret_uuid[static 37]) {
        _cleanup_free_ char *pname = NULL;
        char u[37];
        int r;

        hd_error_clear(ctx);
        if (uuid)
                r = mdev_uuid_normalize(ctx, uuid, u);
        else
                r = mdev_uuid_generate(u);
        if (r < 0)
                return r;
        r = mdev_parent_resolve(ctx, parent, true, &pname);
        if (r < 0)
                return r;
        r = mdev_instance_create(ctx, pname, type, u, attrs, n_attrs, true);
        if (r < 0)
                return r;
        memcpy(ret_uuid, u, 37);
        return 0;
}

int mdev_guard_held(struct hd_context *ctx, struct store_guard *g, const char *uuid) {
        _cleanup_free_ char *name = strdupf("mediated device %s", uuid);
        int r;

        if (!name)
                return -ENOMEM;
        r = store_guard_begin(ctx, g);
        if (r >= 0)
                r = store_guard_refuse_held(ctx, g, STORE_MDEV, uuid, name);
        if (r < 0)
                store_guard_end(g);
        return r;
}

/*
 * A guest holds an mdev through its VFIO group; the kernel's `remove` then
 * blocks until the guest lets go, so refuse rather than hang, as libvirt
 * does: the group opens with EBUSY while another process has it.
 */
static int check_not_in_use(struct hd_context *ctx, const char *uuid) {
        _cleanup_free_ char *dir = strdupf(MDEV_DEVICES "/%s", uuid), *group = NULL, *dev = NULL;
        int fd, r;

        if (!dir)
                return -ENOMEM;
        r = sysfs_resolve_link(ctx, dir, "iommu_group", &group);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        dev = strdupf("/dev/vfio/%s", path_basename(group));
        if (!dev)
                return -ENOMEM;
        r = sysfs_open_file(ctx, dev, O_RDONLY | O_NONBLOCK | O_NOCTTY, &fd);
        if (r >= 0) {
                close(fd);
                return 0;
        }
        if (r == -EBUSY)
                return hd_error(ctx, -EBUSY, "mediated device %s is in use (its VFIO group /dev/vfio/%s is open); stop the guest first",
                                uuid, path_basename(group));
        return 0;
}

/* Remove the running U: refused while its VFIO group is open. */
static int remove_running(struct hd_context *ctx, const char *u) {
        int r = check_not_in_use(ctx, u);
        if (r < 0)
                return r;
        r = write_remove(ctx, u);
        if (r < 0)
                return sysfs_write_refused(ctx) ? r : hd_error(ctx, r, "the kernel refused to remove %s: %s", u, strerror(-r));
        return 0;
}

/* U (normalized) running, then removed under the lock unless a guest holds it; NOT_RUNNING when it does not run. */
static int stop(struct hd_context *ctx, const char *u, int not_running) {
        _cleanup_store_guard_ struct store_guard g = STORE_GUARD_INIT;
        int r = mdev_active_read(ctx, u, NULL, NULL);

        if (r == -ENOENT)
                return not_running == -ENOENT
                               ? hd_error(ctx, -ENOENT, "mediated device %s is not running; see 'hostdev mdev list'", u)
                               : hd_error(ctx, not_running, "mediated device %s is not running", u);
        if (r < 0)
                return r;
        r = mdev_guard_held(ctx, &g, u);
        if (r < 0)
                return r;
        return remove_running(ctx, u);
}

int hd_mdev_remove(struct hd_context *ctx, const char *uuid) {
        char u[37];
        int r;

        hd_error_clear(ctx);
        r = mdev_uuid_normalize(ctx, uuid, u);
        if (r < 0)
                return r;
        return stop(ctx, u, -ENOENT);
}

int hd_mdev_stop(struct hd_context *ctx, const char *uuid) {
        char u[37];
        int r;

        hd_error_clear(ctx);
        r = mdev_uuid_normalize(ctx, uuid, u);
        if (r < 0)
                return r;
        return stop(ctx, u, -EALREADY);
}

int mdev_stop_locked(struct hd_context *ctx, const char *uuid) {
        int r = mdev_active_read(ctx, uuid, NULL, NULL);
        if (r == -ENOENT)
                return hd_error(ctx, -EALREADY, "mediated device %s is not running", uuid);
        if (r < 0)
                return r;
        return remove_running(ctx, uuid);
}
