/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mediated-device types a parent offers (a PCI function, a css subchannel, the AP matrix). */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "mdev-types.h"
#include "sysfs/sysfs.h"

static int cmp_mdev_type(const void *a, const void *b) {
        return strcmp(((const struct hd_mdev_type *)a)->id, ((const struct hd_mdev_type *)b)->id);
}

static void mdev_type_done(struct hd_mdev_type *t) {
        free(t->id);
        free(t->name);
        free(t->description);
        free(t->device_api);
}

/* device_api and available_instances are required, as libvirt requires them; name and description optional. */
static int read_mdev_type(int typesfd, const char *id, struct hd_mdev_type *t) {
        _cleanup_close_ int fd = -1;
        int r;

        if ((r = sysfs_open_dir_at(typesfd, id, &fd)) < 0 ||
            (r = sysfs_read_at(fd, "device_api", &t->device_api)) < 0 ||
            (r = attr_uint(fd, "available_instances", 10, &t->available_instances)) < 0 ||
            (r = attr_string(fd, "name", &t->name)) < 0 ||
            (r = attr_string(fd, "description", &t->description)) < 0)
                return r;
        t->id = strdup(id);
        return t->id ? 0 : -ENOMEM;
}

int mdev_types_read(int dirfd, struct hd_mdev_type **types, size_t *n) {
        _cleanup_closedir_ DIR *dh = NULL;
        _cleanup_close_ int typesfd = -1;
        struct dirent *de;
        int r;

        r = sysfs_open_dir_at(dirfd, "mdev_supported_types", &typesfd);
        if (r >= 0)
                r = sysfs_opendir_at(typesfd, ".", &dh);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        while ((de = readdir(dh))) {
                struct hd_mdev_type t = { 0 }, *nt;

                if (de->d_name[0] == '.')
                        continue;
                r = read_mdev_type(typesfd, de->d_name, &t);
                if (r < 0) {
                        mdev_type_done(&t);
                        if (r == -ENOMEM)
                                return r;
                        continue;
                }
                nt = realloc(*types, (*n + 1) * sizeof(*nt));
                if (!nt) {
                        mdev_type_done(&t);
                        return -ENOMEM;
                }
                *types = nt;
                (*types)[(*n)++] = t;
        }
        /* Directory order is the driver's registration order; a stable order reads better. */
        if (*n > 0)
                qsort(*types, *n, sizeof(**types), cmp_mdev_type);
        return 0;
}
