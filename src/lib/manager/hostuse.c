/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The devices the host runs on: behind mounted filesystems, active swap, the default route. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "hostuse.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

/* Device-mapper over md over a partition is three; more is a loop in a broken tree. */
#define MAX_DEPTH 8

struct host_uses {
        char **paths;   /* canonical sysfs paths of block devices and network interfaces */
        char **reasons; /* the same index: why the host needs it */
};

struct host_uses *host_uses_free(struct host_uses *u) {
        if (!u)
                return NULL;
        strv_free(u->paths);
        strv_free(u->reasons);
        free(u);
        return NULL;
}

/* /proc files are not sysfs attributes: they can exceed a page, so they are read by line. */
static FILE *open_proc(struct hd_context *ctx, const char *path) {
        FILE *f = NULL;
        return sysfs_fopen(ctx, path, &f) < 0 ? NULL : f;
}

static int add(struct host_uses *u, const char *path, const char *reason) {
        int r = strv_extend(&u->paths, path);
        if (r < 0)
                return r;
        return strv_extend(&u->reasons, reason);
}

/* A block device at canonical PATH, and what lies under it (dm/md slaves). */
static int add_block(struct hd_context *ctx, struct host_uses *u, const char *path, const char *reason,
                     int depth) {
        _cleanup_free_ char *slaves = NULL;
        _cleanup_close_ int fd = -1;
        _cleanup_closedir_ DIR *dir = NULL;
        struct dirent *de;
        int r;

        if (depth > MAX_DEPTH)
                return 0;
        r = add(u, path, reason);
        if (r < 0)
                return r;
        /* Documentation/ABI/stable/sysfs-block: slaves/ links to the devices a dm or md device is made of. */
        slaves = strdupf("%s/slaves", path);
        if (!slaves)
                return -ENOMEM;
        if (sysfs_open_dir(ctx, slaves, &fd) < 0 || sysfs_opendir_at(fd, ".", &dir) < 0)
                return 0;
        while ((de = readdir(dir))) {
                _cleanup_free_ char *target = NULL;
                if (de->d_name[0] == '.')
                        continue;
                if (sysfs_resolve_link(ctx, slaves, de->d_name, &target) < 0)
                        continue;
                r = add_block(ctx, u, target, reason, depth + 1);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A block device by "MAJ:MIN" or by name (sda1, dm-0, or a device-mapper name). */
static int add_block_by(struct hd_context *ctx, struct host_uses *u, const char *devnum, const char *name,
                        const char *reason) {
        _cleanup_free_ char *path = NULL;

        if (devnum && sysfs_resolve_link(ctx, "/sys/dev/block", devnum, &path) >= 0)
                return add_block(ctx, u, path, reason, 0);
        if (name && filename_is_safe(name) && sysfs_resolve_link(ctx, "/sys/class/block", name, &path) >= 0)
                return add_block(ctx, u, path, reason, 0);
        if (name && filename_is_safe(name)) {
                /* /dev/mapper/NAME: the dm device whose dm/name is NAME. */
                _cleanup_close_ int fd = -1;
                _cleanup_closedir_ DIR *dir = NULL;
                struct dirent *de;
                if (sysfs_open_dir(ctx, "/sys/class/block", &fd) < 0 || sysfs_opendir_at(fd, ".", &dir) < 0)
                        return 0;
                while ((de = readdir(dir))) {
                        _cleanup_free_ char *dm = NULL, *attr = NULL;
                        if (!startswith(de->d_name, "dm-"))
                                continue;
                        /* Each entry links up and out of the class folder: read by the path from the root. */
                        attr = strdupf("/sys/class/block/%s/dm/name", de->d_name);
                        if (!attr)
                                return -ENOMEM;
                        /* Documentation/ABI/testing/sysfs-block-dm: dm/name is the mapped device's name. */
                        if (sysfs_read(ctx, attr, &dm) >= 0 && streq(dm, name) &&
                            sysfs_resolve_link(ctx, "/sys/class/block", de->d_name, &path) >= 0)
                                return add_block(ctx, u, path, reason, 0);
                }
        }
        return 0;
}

/* Octal escapes of mountinfo ("\040" for a space) back to characters, in place. */
static void unescape(char *s) {
        char *o = s;
        for (char *p = s; *p; p++) {
                if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
                    p[3] <= '7') {
                        *o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
                        p += 3;
                } else
                        *o++ = *p;
        }
        *o = 0;
}

static int load_mounts(struct hd_context *ctx, struct host_uses *u) {
        _cleanup_fclose_ FILE *f = open_proc(ctx, "/proc/self/mountinfo");
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;

        if (!f)
                return 0;
        /* Documentation/filesystems/proc.rst, /proc/<pid>/mountinfo:
         * ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS */
        while (getline(&line, &cap, f) > 0) {
                char devnum[32], mnt[4096], source[4096];
                _cleanup_free_ char *reason = NULL;
                const char *sep = strstr(line, " - ");
                unsigned maj = 0, min = 0;
                int r;

                if (sscanf(line, "%*s %*s %u:%u %*s %4095s", &maj, &min, mnt) != 3 || !sep)
                        continue;
                if (sscanf(sep, " - %*s %4095s", source) != 1)
                        source[0] = 0;
                unescape(mnt);
                unescape(source);
                /* Major 0 is a filesystem without a block device (tmpfs, proc, nfs); btrfs shows 0 too, its source tells. */
                if (maj == 0 && !startswith(source, "/dev/"))
                        continue;
                snprintf(devnum, sizeof(devnum), "%u:%u", maj, min);
                reason = strdupf("it backs the filesystem mounted on %s (%s)", mnt, source);
                if (!reason)
                        return -ENOMEM;
                r = add_block_by(ctx, u, maj ? devnum : NULL,
                                 startswith(source, "/dev/") ? path_basename(source) : NULL, reason);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int load_swaps(struct hd_context *ctx, struct host_uses *u) {
        _cleanup_fclose_ FILE *f = open_proc(ctx, "/proc/swaps");
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;

        if (!f)
                return 0;
        /* Filename Type Size Used Priority; a swap file lives on a mounted filesystem, seen above. */
        while (getline(&line, &cap, f) > 0) {
                char name[4096], type[64];
                _cleanup_free_ char *reason = NULL;
                int r;
                if (sscanf(line, "%4095s %63s", name, type) != 2 || !streq(type, "partition"))
                        continue;
                unescape(name);
                reason = strdupf("it backs the active swap %s", name);
                if (!reason)
                        return -ENOMEM;
                r = add_block_by(ctx, u, NULL, path_basename(name), reason);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* An interface and, when it is virtual (bridge, bond, VLAN), the ones below it. */
static int add_netdev(struct hd_context *ctx, struct host_uses *u, const char *dir, const char *name,
                      const char *reason, int depth) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int r;

        if (depth > MAX_DEPTH || !filename_is_safe(name))
                return 0;
        if (sysfs_resolve_link(ctx, dir, name, &path) < 0)
                return 0;
        r = add(u, path, reason);
        if (r < 0)
                return r;
        /* Documentation/ABI/testing/sysfs-class-net: lower_<ifname> links to the devices below a master. */
        if (sysfs_open_dir(ctx, path, &fd) < 0 || sysfs_opendir_at(fd, ".", &d) < 0)
                return 0;
        while ((de = readdir(d))) {
                if (!startswith(de->d_name, "lower_"))
                        continue;
                r = add_netdev(ctx, u, path, de->d_name, reason, depth + 1);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int add_route_iface(struct hd_context *ctx, struct host_uses *u, const char *ifname) {
        _cleanup_free_ char *reason = NULL;
        if (streq(ifname, "lo"))
                return 0;
        for (size_t i = 0; u->reasons && u->reasons[i]; i++)
                if (strstr(u->reasons[i], "default route") && strstr(u->reasons[i], ifname))
                        return 0;
        reason = strdupf("it carries the default route (interface %s)", ifname);
        if (!reason)
                return -ENOMEM;
        return add_netdev(ctx, u, "/sys/class/net", ifname, reason, 0);
}

static int load_routes(struct hd_context *ctx, struct host_uses *u) {
        _cleanup_fclose_ FILE *f4 = open_proc(ctx, "/proc/net/route");
        _cleanup_fclose_ FILE *f6 = open_proc(ctx, "/proc/net/ipv6_route");
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        int r;

        /* Iface Destination Gateway Flags RefCnt Use Metric Mask ...: default has destination and mask 0. */
        while (f4 && getline(&line, &cap, f4) > 0) {
                char ifname[64];
                unsigned long dest, mask;
                if (sscanf(line, "%63s %lx %*s %*s %*s %*s %*s %lx", ifname, &dest, &mask) != 3)
                        continue;
                if (dest == 0 && mask == 0 && (r = add_route_iface(ctx, u, ifname)) < 0)
                        return r;
        }
        /* DEST PREFIXLEN SRC SRCLEN NEXTHOP METRIC REFCNT USE FLAGS IFNAME: ::/0 is the default. */
        while (f6 && getline(&line, &cap, f6) > 0) {
                char dest[40], plen[8], ifname[64];
                if (sscanf(line, "%39s %7s %*s %*s %*s %*s %*s %*s %*s %63s", dest, plen, ifname) != 3)
                        continue;
                if (strspn(dest, "0") == 32 && streq(plen, "00") && (r = add_route_iface(ctx, u, ifname)) < 0)
                        return r;
        }
        return 0;
}

int host_uses_load(struct hd_context *ctx, struct host_uses **ret) {
        _cleanup_host_uses_ struct host_uses *u = calloc(1, sizeof(*u));
        int r;

        if (!u)
                return -ENOMEM;
        r = load_mounts(ctx, u);
        if (r >= 0)
                r = load_swaps(ctx, u);
        if (r >= 0)
                r = load_routes(ctx, u);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(u);
        return 0;
}

const char *host_uses_find(const struct host_uses *u, const char *devpath) {
        size_t n = strlen(devpath);
        for (size_t i = 0; u && u->paths && u->paths[i]; i++)
                if (strneq(u->paths[i], devpath, n) && (u->paths[i][n] == '/' || u->paths[i][n] == 0))
                        return u->reasons[i];
        return NULL;
}
