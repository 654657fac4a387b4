/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mediated devices: the mdev capability, named mdev_<uuid>_<parent> as libvirt has since 7.7. */
#include <ctype.h>
#include <string.h>

#include "common.h"
#include "sysfs/sysfs.h"

#define MDEV_DEVICES "/sys/bus/mdev/devices"
#define UUID_LEN 36

static int probe(struct hd_context *ctx, int dirfd, const struct hd_uevent *ue, struct hd_device *d) {
        _cleanup_free_ char *parent = path_dirname(d->sysfs_path), *group = NULL;
        struct hd_cap_mdev *m;
        struct hd_cap *c;
        unsigned g;
        int r;

        if (!parent)
                return -ENOMEM;
        c = hd_device_add_cap(d, HD_CAP_MDEV);
        if (!c)
                return -ENOMEM;
        m = &c->mdev;
        m->active = true;
        m->iommu_group = -1;
        /* Documentation/ABI/testing/sysfs-bus-vfio-mdev: <UUID>/mdev_type links to the type's folder. */
        r = sysfs_link_name_at(dirfd, "mdev_type", &m->type);
        if (r < 0 && r != -ENOENT && r != -EINVAL)
                return r;
        /* Documentation/ABI/testing/sysfs-kernel-iommu_groups: the group a device is in. */
        r = sysfs_link_name_at(dirfd, "iommu_group", &group);
        if (r == -ENOMEM)
                return r;
        if (r == 0 && parse_uint(group, 10, &g) == 0 && g <= INT32_MAX)
                m->iommu_group = (int)g;
        m->uuid = strdup(d->sysname);
        m->parent_addr = strdup(path_basename(parent));
        if (!m->uuid || !m->parent_addr)
                return -ENOMEM;
        /* mdevctl may define one UUID on several parents, so libvirt names the parent too. */
        return device_set_name(d, m->parent_addr);
}

/* Copy a UUID in either spelling ('-' or, from a name, '_') as the kernel writes it. */
static bool take_uuid(const char *s, char sep, char out[UUID_LEN + 1]) {
        for (int i = 0; i < UUID_LEN; i++) {
                bool dash = i == 8 || i == 13 || i == 18 || i == 23;
                if (dash ? s[i] != sep : !isxdigit((unsigned char)s[i]))
                        return false;
                out[i] = dash ? '-' : (char)tolower((unsigned char)s[i]);
        }
        out[UUID_LEN] = 0;
        return true;
}

static int lookup(struct hd_context *ctx, const char *spec, char **ret_path) {
        _cleanup_free_ char *path = NULL;
        char uuid[UUID_LEN + 1];
        const char *rest = startswith(spec, "mdev_");
        struct hd_device *d = NULL;
        bool match;
        int r;

        if (strlen(spec) == UUID_LEN && take_uuid(spec, '-', uuid))
                return lookup_entry(ctx, MDEV_DEVICES, uuid, ret_path);
        if (!rest || strlen(rest) < UUID_LEN || !take_uuid(rest, '_', uuid) ||
            (rest[UUID_LEN] && rest[UUID_LEN] != '_'))
                return -ENODEV;
        r = lookup_entry(ctx, MDEV_DEVICES, uuid, &path);
        if (r < 0)
                return r;
        /* "mdev_<uuid>", the name before libvirt 7.7, still finds the device. */
        if (!rest[UUID_LEN]) {
                *ret_path = TAKE_PTR(path);
                return 0;
        }
        r = hd_probe_device(ctx, path, &d);
        if (r == -ENOMEM)
                return r;
        match = r == 0 && streq(d->name, spec);
        hd_device_free(d);
        if (!match)
                return -ENOENT;
        *ret_path = TAKE_PTR(path);
        return 0;
}

static const char *const scan_dirs[] = { MDEV_DEVICES, NULL };

const struct hd_subsystem hd_subsystem_mdev = {
        .subsystem = "mdev",
        .scan_dirs = scan_dirs,
        .probe = probe,
        .lookup = lookup,
};
