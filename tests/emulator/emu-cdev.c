/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The emulator's VFIO cdevs (vfio-dev/vfioN, /dev/vfio/devices/vfioN), made only in a tree that asks for them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu-cdev.h"
#include "sysfs/confine.h"
#include "util/strutil.h"

/* The dynamic major the lab's 6.12 gave vfio's cdevs (LAB.md); any would do. */
#define VFIO_CDEV_MAJOR 244

static int put(int rfd, const char *rel, const char *content, int extra_flags) {
        int fd = confine_open(rfd, rel, O_WRONLY | O_CREAT | O_TRUNC | extra_flags, 0644, CONFINE_IN_ROOT);
        ssize_t n;
        if (fd < 0)
                return fd;
        n = write(fd, content, strlen(content));
        close(fd);
        return n < 0 ? -errno : 0;
}

/* 2: "dev", 1: "folder", 0: no note (nothing is made). */
static int mode(int rfd) {
        char buf[16] = "";
        int fd = confine_open(rfd, ".emulator/vfio-cdev", O_RDONLY, 0, CONFINE_IN_ROOT);
        ssize_t n;
        if (fd < 0)
                return 0;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return 0;
        return startswith(buf, "dev") ? 2 : startswith(buf, "folder") ? 1 : 0;
}

void emu_cdev_bound(int rfd, const char *devrel) {
        int m = mode(rfd);
        unsigned idx;

        if (!m)
                return;
        /* The kernel hands out the lowest free index (vfio's IDA); the notes keep which are taken. */
        (void)mkdirat(rfd, ".emulator/vfio-cdevs", 0755);
        for (idx = 0; idx < 4096; idx++) {
                _cleanup_free_ char *note = strdupf(".emulator/vfio-cdevs/vfio%u", idx);
                if (!note)
                        return;
                if (put(rfd, note, devrel, O_EXCL) == 0)
                        break;
        }
        {
                _cleanup_free_ char *dir = strdupf("%s/vfio-dev", devrel),
                                    *sub = strdupf("%s/vfio-dev/vfio%u", devrel, idx),
                                    *dev = strdupf("%s/vfio-dev/vfio%u/dev", devrel, idx),
                                    *node = strdupf("dev/vfio/devices/vfio%u", idx),
                                    *val = strdupf("%u:%u\n", VFIO_CDEV_MAJOR, idx);
                if (!dir || !sub || !dev || !node || !val)
                        return;
                (void)mkdirat(rfd, dir, 0755);
                (void)mkdirat(rfd, sub, 0755);
                if (m < 2)
                        return;
                (void)put(rfd, dev, val, 0);
                (void)mkdirat(rfd, "dev", 0755);
                (void)mkdirat(rfd, "dev/vfio", 0755);
                (void)mkdirat(rfd, "dev/vfio/devices", 0755);
                (void)put(rfd, node, "", 0);
        }
}

void emu_cdev_unbound(int rfd, const char *devrel) {
        _cleanup_free_ char *dir = strdupf("%s/vfio-dev", devrel);
        int fd;
        DIR *d;
        struct dirent *de;

        if (!dir || (fd = confine_open(rfd, dir, O_RDONLY | O_DIRECTORY, 0, CONFINE_IN_ROOT)) < 0)
                return;
        if (!(d = fdopendir(fd))) {
                close(fd);
                return;
        }
        while ((de = readdir(d))) {
                _cleanup_free_ char *dev = NULL, *sub = NULL, *node = NULL, *note = NULL;
                if (!startswith(de->d_name, "vfio"))
                        continue;
                dev = strdupf("%s/%s/dev", dir, de->d_name);
                sub = strdupf("%s/%s", dir, de->d_name);
                node = strdupf("dev/vfio/devices/%s", de->d_name);
                note = strdupf(".emulator/vfio-cdevs/%s", de->d_name);
                if (!dev || !sub || !node || !note)
                        break;
                (void)unlinkat(rfd, dev, 0);
                (void)unlinkat(rfd, sub, AT_REMOVEDIR);
                (void)unlinkat(rfd, node, 0);
                (void)unlinkat(rfd, note, 0);
        }
        closedir(d);
        (void)unlinkat(rfd, dir, AT_REMOVEDIR);
}
