/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One device by any name a person would give it, without enumerating the host. */
#include <string.h>
#include <strings.h>

#include "hostdev/inventory.h"
#include "mdev/mdev-inventory.h"
#include "probe.h"
#include "sysfs/sysfs.h"

/*
 * Resolve every link in PATH (below the root), as realpath(3) would, so
 * that /sys/class/net/eth0 and /sys/bus/pci/devices/X name the same device
 * as /sys/devices/... . Only paths inside /sys are accepted.
 */
static int sysfs_canonical(struct hd_context *ctx, const char *path, char **ret) {
        _cleanup_free_ char *cur = NULL;
        int r = path_normalize(path, &cur);

        if (r < 0)
                return r;
        for (int hops = 0; hops < 40; hops++) {
                bool changed = false;
                /* Find the first component (from the left) that is a link, and substitute it. */
                for (char *p = cur + 1;; p++) {
                        if (*p == '/' || *p == 0) {
                                char save = *p;
                                _cleanup_free_ char *dir = NULL, *target = NULL;
                                *p = 0;
                                dir = path_dirname(cur);
                                if (!dir)
                                        return -ENOMEM;
                                r = sysfs_resolve_link(ctx, dir, path_basename(cur), &target);
                                *p = save;
                                if (r >= 0) {
                                        char *joined = strdupf("%s%s", target, p);
                                        if (!joined)
                                                return -ENOMEM;
                                        free(cur);
                                        r = path_normalize(joined, &cur);
                                        free(joined);
                                        if (r < 0)
                                                return r;
                                        changed = true;
                                        break;
                                }
                                if (r != -EINVAL)
                                        return r; /* ENOENT: no such path */
                                if (save == 0)
                                        break;
                        }
                }
                if (!changed) {
                        if (!startswith(cur, "/sys/"))
                                return -EXDEV;
                        *ret = TAKE_PTR(cur);
                        return 0;
                }
        }
        return -ELOOP;
}

static int lookup_path(struct hd_context *ctx, const char *spec, char **ret_path) {
        if (startswith(spec, "/sys/") || streq(spec, "/sys"))
                return sysfs_canonical(ctx, spec, ret_path);
        for (size_t i = 0; hd_subsystems[i]; i++) {
                int r;
                if (!hd_subsystems[i]->lookup)
                        continue;
                r = hd_subsystems[i]->lookup(ctx, spec, ret_path);
                if (r != -ENODEV)
                        return r;
        }
        return -ENOENT;
}

struct defined_match {
        const char *spec;
        struct hd_device *found;
};

static int match_defined(void *userdata, struct hd_device *d) {
        struct defined_match *m = userdata;
        struct hd_cap *c = hd_device_get_cap(d, HD_CAP_MDEV);
        if (!m->found && (streq(d->name, m->spec) || (c && c->mdev.uuid && strcasecmp(c->mdev.uuid, m->spec) == 0)))
                m->found = d;
        else
                hd_device_free(d);
        return 0;
}

/* A mediated device that is defined but not running has no folder: its definition is the device. */
static int lookup_defined_mdev(struct hd_context *ctx, const char *spec, struct hd_device **ret) {
        struct defined_match m = { .spec = spec };
        int r = mdev_add_inactive(ctx, match_defined, &m);
        if (r < 0) {
                hd_device_free(m.found);
                return r;
        }
        if (!m.found)
                return -ENOENT;
        *ret = m.found;
        return 0;
}

int hd_device_lookup(struct hd_context *ctx, const char *spec, struct hd_device **ret_dev) {
        _cleanup_free_ char *path = NULL;
        struct hd_device *d = NULL;
        int r;

        if (isempty(spec))
                return hd_error(ctx, -EINVAL, "no device given; see 'hostdev list'");
        if (streq(spec, "computer"))
                return hd_probe_computer(ctx, ret_dev);
        r = lookup_path(ctx, spec, &path);
        if (r == -ENOMEM)
                return r;
        if (r >= 0)
                r = hd_probe_device(ctx, path, &d);
        if (r == -ENOMEM)
                return r;
        if (r < 0 && !startswith(spec, "/") && lookup_defined_mdev(ctx, spec, ret_dev) >= 0) {
                hd_error_clear(ctx);
                return 0; /* its parent_name is set from its definition */
        }
        if (r < 0)
                return hd_error(ctx, -ENODEV, "no device '%s'; see 'hostdev list'", spec);
        r = hd_probe_parent_name(ctx, d->sysfs_path, &d->parent_name);
        if (r < 0) {
                hd_device_free(d);
                return r;
        }
        *ret_dev = d;
        return 0;
}
