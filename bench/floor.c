/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The least any device enumerator must do: list the bus and class folders, resolve each link, read each uevent once. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The folders hostdev's inventory lists (the scan_dirs of
 * modules in src/lib/inventory/subsystems/), so both do the same walk. Arguments
 * after the root replace them.
 */
static const char *const default_dirs[] = {
        "sys/bus/pci/devices",   "sys/bus/usb/devices",   "sys/class/net",         "sys/bus/scsi/devices",
        "sys/class/block",       "sys/class/scsi_generic", "sys/class/drm",        "sys/bus/mdev/devices",
        "sys/bus/vdpa/devices",  "sys/bus/ccw/devices",   "sys/bus/css/devices",   "sys/bus/ap/devices",
};

/* A set of canonical paths: a device seen through two folders is read once. */
struct set {
        char **slot;
        size_t cap, n;
};

static uint64_t hash(const char *s) {
        uint64_t h = 1469598103934665603ULL;
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 1099511628211ULL;
        return h;
}

/* Adds S; returns 0 when it was there already, 1 when added. */
static int set_add(struct set *st, const char *s) {
        size_t i;
        if ((st->n + 1) * 2 > st->cap) {
                struct set big = { calloc(st->cap ? st->cap * 2 : 4096, sizeof(char *)), st->cap ? st->cap * 2 : 4096, 0 };
                if (!big.slot)
                        exit(1);
                for (size_t k = 0; k < st->cap; k++)
                        if (st->slot[k]) {
                                for (i = hash(st->slot[k]) & (big.cap - 1); big.slot[i]; i = (i + 1) & (big.cap - 1))
                                        ;
                                big.slot[i] = st->slot[k];
                                big.n++;
                        }
                free(st->slot);
                *st = big;
        }
        for (i = hash(s) & (st->cap - 1); st->slot[i]; i = (i + 1) & (st->cap - 1))
                if (strcmp(st->slot[i], s) == 0)
                        return 0;
        st->slot[i] = strdup(s);
        if (!st->slot[i])
                exit(1);
        st->n++;
        return 1;
}

/* DIR/TARGET with "." and ".." folded, in place into OUT (both relative to the root). */
static void join_normalize(const char *dir, const char *target, char *out, size_t n) {
        char tmp[PATH_MAX];
        size_t len = 0;
        const char *p;

        snprintf(tmp, sizeof(tmp), "%s/%s", dir, target);
        for (p = tmp; *p;) {
                const char *e = strchr(p, '/');
                size_t cl = e ? (size_t)(e - p) : strlen(p);
                if (cl == 0 || (cl == 1 && p[0] == '.')) {
                        /* nothing */
                } else if (cl == 2 && p[0] == '.' && p[1] == '.') {
                        while (len > 0 && out[len - 1] != '/')
                                len--;
                        if (len > 0)
                                len--;
                } else if (len + cl + 2 < n) {
                        if (len > 0)
                                out[len++] = '/';
                        memcpy(out + len, p, cl);
                        len += cl;
                }
                p += cl + (e ? 1 : 0);
        }
        out[len] = 0;
}

int main(int argc, char **argv) {
        const char *const *dirs = default_dirs;
        size_t ndirs = sizeof(default_dirs) / sizeof(*default_dirs);
        struct set seen = { 0 };
        unsigned long devices = 0, bytes = 0;
        int root;

        if (argc < 2 || argv[1][0] == '-') {
                fprintf(stderr, "Usage: floor ROOT [DIR...]\n"
                                "Reads the uevent of every device listed in ROOT's bus and class folders, once.\n");
                return 2;
        }
        root = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0) {
                fprintf(stderr, "floor: %s: %s\n", argv[1], strerror(errno));
                return 1;
        }
        if (argc > 2) {
                dirs = (const char *const *)argv + 2;
                ndirs = (size_t)argc - 2;
        }
        for (size_t i = 0; i < ndirs; i++) {
                int dfd = openat(root, dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                struct dirent *de;
                DIR *dh;

                if (dfd < 0)
                        continue; /* this host has no such bus or class */
                dh = fdopendir(dfd);
                if (!dh)
                        return 1;
                while ((de = readdir(dh))) {
                        char target[PATH_MAX], path[PATH_MAX], buf[4096];
                        ssize_t n;
                        int fd;

                        if (de->d_name[0] == '.')
                                continue;
                        n = readlinkat(dfd, de->d_name, target, sizeof(target) - 1);
                        if (n >= 0) {
                                target[n] = 0;
                                join_normalize(dirs[i], target, path, sizeof(path) - 8);
                        } else
                                join_normalize(dirs[i], de->d_name, path, sizeof(path) - 8);
                        if (!set_add(&seen, path))
                                continue;
                        strcat(path, "/uevent");
                        fd = openat(root, path, O_RDONLY | O_CLOEXEC);
                        if (fd < 0)
                                continue;
                        n = read(fd, buf, sizeof(buf));
                        close(fd);
                        if (n > 0)
                                bytes += (unsigned long)n;
                        devices++;
                }
                closedir(dh);
        }
        printf("%lu devices, %lu bytes of uevent\n", devices, bytes);
        return 0;
}
