/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One device by any name a person would give it, without enumerating the host. */
#include <string.h>

#include "hostdev/inventory.h"
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
