/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Build one device from its sysfs folder: the fields every device has, then its module. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "inventory/vfio-cdev.h"
#include "probe.h"
#include "sysfs/sysfs.h"

const struct hd_subsystem *const hd_subsystems[] = {
        &hd_subsystem_pci,  &hd_subsystem_usb,  &hd_subsystem_net,  &hd_subsystem_scsi,
        &hd_subsystem_block, &hd_subsystem_scsi_generic, &hd_subsystem_drm, &hd_subsystem_mdev,
        &hd_subsystem_vdpa, &hd_subsystem_ccw,  &hd_subsystem_css,  &hd_subsystem_ap,
        NULL,
};

static const char *kv_get(char *const *kv, const char *key) {
        size_t n = strlen(key);
        for (size_t i = 0; kv && kv[i]; i++)
                if (strncmp(kv[i], key, n) == 0 && kv[i][n] == '=')
                        return kv[i] + n + 1;
        return NULL;
}

const char *uevent_get(const struct hd_uevent *ue, const char *key) {
        return ue ? kv_get(ue->env, key) : NULL;
}

const char *udev_prop_get(const struct hd_uevent *ue, const char *key) {
        return ue ? kv_get(ue->props, key) : NULL;
}

static void uevent_done(struct hd_uevent *ue) {
        strv_free(ue->env);
        strv_free(ue->props);
        strv_free(ue->links);
}

static int split_lines(char *buf, char ***ret) {
        char *save = NULL;
        for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
                if (strv_extend(ret, l) < 0)
                        return -ENOMEM;
        return 0;
}

/*
 * udev's database entry: /run/udev/data/{b,c}MAJ:MIN for device nodes. It
 * is where libvirt takes a disk's bus, serial and model from, and every
 * device's links. Absent (no udev, a recorded tree without it) is fine.
 */
static int read_udev_db(struct hd_context *ctx, const struct hd_device *d, struct hd_uevent *ue) {
        _cleanup_free_ char *path = NULL, *buf = NULL;
        const char *maj = uevent_get(ue, "MAJOR"), *min = uevent_get(ue, "MINOR");
        char *save = NULL;

        if (!maj || !min)
                return 0;
        path = strdupf("/run/udev/data/%c%s:%s", streq(d->subsystem, "block") ? 'b' : 'c', maj, min);
        if (!path)
                return -ENOMEM;
        if (sysfs_read(ctx, path, &buf) < 0)
                return 0;
        for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                int r = 0;
                if (strneq(l, "E:", 2))
                        r = strv_extend(&ue->props, l + 2);
                else if (strneq(l, "S:", 2))
                        r = strv_push(&ue->links, strdupf("/dev/%s", l + 2));
                if (r < 0)
                        return r;
        }
        return 0;
}

static const struct hd_subsystem *find_subsystem(const char *name) {
        for (size_t i = 0; hd_subsystems[i]; i++)
                if (streq(hd_subsystems[i]->subsystem, name))
                        return hd_subsystems[i];
        return NULL;
}

/*
 * The bound driver. A class device (net, block ...) never has one: the
 * driver core binds bus devices only. A bus device's uevent names its
 * driver (DRIVER=, drivers/base/core.c dev_uevent(), generated as it is
 * read, so never stale); the link is read only when the uevent does not
 * say, which keeps hand-made trees without DRIVER= lines working.
 */
static int read_driver(int dirfd, bool class_device, const struct hd_uevent *ue, struct hd_device *d) {
        const char *v = uevent_get(ue, "DRIVER");
        int r;

        if (class_device)
                return 0;
        if (v) {
                d->driver = strdup(v);
                return d->driver ? 0 : -ENOMEM;
        }
        r = sysfs_link_name_at(dirfd, "driver", &d->driver);
        return r == -ENOENT ? 0 : r;
}

/*
 * A device with a node whose uevent names none: kernels before devtmpfs
 * (2.6.32) wrote no DEVNAME= (an sr0 or sgN recorded there). The kernel's
 * name for the node is then the device's own, with '!' for '/'
 * (drivers/base/core.c, device_get_devnode()). A node is known by MAJOR= in
 * the uevent or, for a class device, its dev attribute ("MAJ:MIN",
 * drivers/base/core.c dev_attr_dev). The lines are added to the uevent so
 * every module and the udev database lookup find them as they would.
 */
static int default_devname(int dirfd, bool class_device, const struct hd_device *d, struct hd_uevent *ue) {
        _cleanup_free_ char *dev = NULL, *name = NULL;
        unsigned maj, min;
        int n = 0;

        if (!uevent_get(ue, "MAJOR")) {
                if (!class_device || sysfs_read_at(dirfd, "dev", &dev) < 0)
                        return 0;
                if (sscanf(dev, "%u:%u%n", &maj, &min, &n) != 2 || dev[n])
                        return 0;
                if (strv_push(&ue->env, strdupf("MAJOR=%u", maj)) < 0 ||
                    strv_push(&ue->env, strdupf("MINOR=%u", min)) < 0)
                        return -ENOMEM;
        }
        name = strdupf("DEVNAME=%s", d->sysname);
        if (!name)
                return -ENOMEM;
        for (char *c = name; *c; c++)
                if (*c == '!')
                        *c = '/';
        return strv_push(&ue->env, TAKE_PTR(name));
}

static int probe_common(struct hd_context *ctx, int dirfd, const char *sysfs_path, bool class_device,
                        struct hd_device *d, struct hd_uevent *ue) {
        _cleanup_free_ char *buf = NULL;
        const char *v;
        int r;

        d->sysfs_path = strdup(sysfs_path);
        d->sysname = strdup(path_basename(sysfs_path));
        if (!d->sysfs_path || !d->sysname)
                return -ENOMEM;
        r = sysfs_read_at(dirfd, "uevent", &buf);
        if (r == -ENOENT)
                return r;
        if (r >= 0 && split_lines(buf, &ue->env) < 0)
                return -ENOMEM;
        if ((v = uevent_get(ue, "DEVTYPE")) && !(d->devtype = strdup(v)))
                return -ENOMEM;
        if (!uevent_get(ue, "DEVNAME")) {
                r = default_devname(dirfd, class_device, d, ue);
                if (r < 0)
                        return r;
        }
        r = read_driver(dirfd, class_device, ue, d);
        if (r < 0)
                return r;
        /* Only a bus device with a driver can be a vfio driver's: the others are spared a lookup. */
        if (d->driver && !class_device && (r = vfio_cdev_at(dirfd, &d->vfio_cdev)) < 0 && r != -ENOENT)
                return r;
        r = read_udev_db(ctx, d, ue);
        if (r < 0)
                return r;
        if ((v = uevent_get(ue, "DEVNAME"))) {
                _cleanup_free_ char *node = strdupf("/dev/%s", v);
                if (!node || hd_device_add_devnode(d, HD_DEVNODE_DEV, node) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; ue->links && ue->links[i]; i++)
                if (hd_device_add_devnode(d, HD_DEVNODE_LINK, ue->links[i]) < 0)
                        return -ENOMEM;
        return 0;
}

/* The fields every device has, then module S's. */
static int probe_with(struct hd_context *ctx, int dirfd, const char *sysfs_path, const struct hd_subsystem *s,
                      bool class_device, struct hd_device **ret) {
        struct hd_uevent ue = { 0 };
        struct hd_device *d = calloc(1, sizeof(*d));
        int r;

        if (!d)
                return -ENOMEM;
        d->subsystem = strdup(s->subsystem);
        r = d->subsystem ? probe_common(ctx, dirfd, sysfs_path, class_device, d, &ue) : -ENOMEM;
        if (r >= 0)
                r = s->probe(ctx, dirfd, &ue, d);
        if (r >= 0 && (!d->name || !d->caps))
                r = -ENODEV; /* a module that took the device must name it and give it a capability */
        uevent_done(&ue);
        if (r < 0) {
                hd_device_free(d);
                return r;
        }
        *ret = d;
        return 0;
}

int hd_probe_device(struct hd_context *ctx, const char *sysfs_path, struct hd_device **ret) {
        _cleanup_close_ int dirfd = -1;
        _cleanup_free_ char *link = NULL;
        const struct hd_subsystem *s;
        const char *slash;
        bool class_device;
        int r;

        r = sysfs_open_dir(ctx, sysfs_path, &dirfd);
        if (r < 0)
                return r == -ENOTDIR ? -ENODEV : r;
        /* ".../bus/pci" or ".../class/net": the subsystem's name, and whether it is a class. */
        r = sysfs_readlink_at(dirfd, "subsystem", &link);
        if (r < 0)
                return r == -ENOENT ? -ENODEV : r;
        slash = strrchr(link, '/');
        class_device = slash && slash - link >= 5 && strneq(slash - 5, "class", 5) &&
                       (slash - link == 5 || slash[-6] == '/');
        s = find_subsystem(slash ? slash + 1 : link);
        if (!s)
                return -ENODEV;
        return probe_with(ctx, dirfd, sysfs_path, s, class_device, ret);
}

int hd_probe_device_in(struct hd_context *ctx, const char *sysfs_path, const struct hd_subsystem *s,
                       bool class_device, struct hd_device **ret) {
        _cleanup_close_ int dirfd = -1;
        int r = sysfs_open_dir(ctx, sysfs_path, &dirfd);
        if (r < 0)
                return r == -ENOTDIR ? -ENODEV : r;
        return probe_with(ctx, dirfd, sysfs_path, s, class_device, ret);
}

int hd_probe_parent_name(struct hd_context *ctx, const char *sysfs_path, char **ret) {
        _cleanup_free_ char *p = strdup(sysfs_path);
        char *slash;

        if (!p)
                return -ENOMEM;
        while ((slash = strrchr(p, '/')) && slash != p) {
                struct hd_device *a = NULL;
                *slash = 0;
                if (streq(p, "/sys/devices"))
                        break;
                if (hd_probe_device(ctx, p, &a) >= 0) {
                        *ret = TAKE_PTR(a->name);
                        hd_device_free(a);
                        return 0;
                }
        }
        *ret = strdup("computer");
        return *ret ? 0 : -ENOMEM;
}
