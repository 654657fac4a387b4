/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The emulator's mediated devices: a type's `create` makes an instance below the parent, its `remove` takes it away. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu-ext-internal.h"
#include "util/strutil.h"

static bool uuid_ok(const char *s) {
        if (strlen(s) != 36)
                return false;
        for (int i = 0; i < 36; i++)
                if ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
                        return false;
        return true;
}

static void avail_add(struct ext *x, const char *typerel, int delta) {
        _cleanup_free_ char *p = strdupf("%s/available_instances", typerel), *v = p ? ext_read(x, p) : NULL,
                            *nv = NULL;
        if (!v)
                return;
        nv = strdupf("%d\n", atoi(v) + delta);
        if (nv)
                (void)ext_write(x, p, nv);
}

/* The files emulator-mdev-attrs gives instances of TYPE: "TYPE ATTR ATTR ...". */
static void make_attrs(struct ext *x, const char *devrel, const char *type) {
        _cleanup_free_ char *all = ext_read(x, "emulator-mdev-attrs");
        for (char *line = all, *next; line && *line; line = next) {
                char *save = NULL, *tok;
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                tok = strtok_r(line, " \t", &save);
                if (!tok || tok[0] == '#' || !streq(tok, type))
                        continue;
                while ((tok = strtok_r(NULL, " \t", &save))) {
                        _cleanup_free_ char *p = strdupf("%s/%s", devrel, tok);
                        if (p)
                                (void)ext_write(x, p, "");
                }
        }
}

/* Documentation/ABI/testing/sysfs-bus-vfio-mdev: writing a UUID to `create` makes the device. */
int ext_mdev_create(struct ext *x, const char *kpath, const char *val) {
        _cleanup_free_ char *kdir = strndup(kpath, strlen(kpath) - strlen("/create")), *typerel = NULL, *tdir = NULL,
                            *parent = NULL, *dev = NULL, *busl = NULL, *avail = NULL, *p = NULL, *ue = NULL;
        const char *type;
        char uuid[37];

        if (!kdir || !(typerel = ext_canon(x, kdir)))
                return -ENOENT;
        if (!uuid_ok(val))
                return -EINVAL;
        for (int i = 0; i < 37; i++)
                uuid[i] = (char)tolower((unsigned char)val[i]);
        type = strrchr(typerel, '/') + 1;
        tdir = ext_dirname(typerel);    /* .../mdev_supported_types */
        parent = tdir ? ext_dirname(tdir) : NULL;
        busl = strdupf("sys/bus/mdev/devices/%s", uuid);
        p = strdupf("%s/available_instances", typerel);
        if (!parent || !busl || !p)
                return -ENOMEM;
        if (ext_exists(x, busl))
                return -EEXIST;
        avail = ext_read(x, p);
        if (!avail || atoi(avail) <= 0)
                return -EUSERS; /* mdev_device_create(): no instance available */
        dev = strdupf("%s/%s", parent, uuid);
        ue = strdupf("MDEV_TYPE=%s\n", type);
        if (!dev || !ue || ext_mkdirs(x, dev) < 0)
                return -ENOMEM;
        free(p);
        p = strdupf("%s/uevent", dev);
        if (!p || ext_write(x, p, ue) < 0)
                return -EIO;
        free(p);
        p = strdupf("%s/remove", dev);
        if (!p || ext_write(x, p, "") < 0)
                return -EIO;
        free(p);
        p = strdupf("%s/mdev_type", dev);
        if (!p || ext_link(x, typerel, p) < 0)
                return -EIO;
        free(p);
        p = strdupf("%s/subsystem", dev);
        if (!p || ext_mkdirs(x, "sys/bus/mdev/devices") < 0 || ext_link(x, "sys/bus/mdev", p) < 0 ||
            ext_link(x, dev, busl) < 0)
                return -EIO;
        free(p);
        p = strdupf("%s/devices", typerel);
        if (!p || ext_mkdirs(x, p) < 0)
                return -EIO;
        free(p);
        p = strdupf("%s/devices/%s", typerel, uuid);
        if (!p || ext_link(x, dev, p) < 0)
                return -EIO;
        if (ext_group_new(x, dev, uuid) < 0)
                return -EIO;
        make_attrs(x, dev, type);
        avail_add(x, typerel, -1);
        return 0;
}

/* mdev `remove`: any non-zero number takes the device away. Other devices' remove is emulator.c's. */
int ext_mdev_remove(struct ext *x, const char *kpath, const char *val) {
        _cleanup_free_ char *kdir = strndup(kpath, strlen(kpath) - strlen("/remove")), *dev = NULL, *sl = NULL,
                            *sub = NULL, *tl = NULL, *typerel = NULL, *busl = NULL, *tdl = NULL;
        const char *uuid;
        char *end;
        unsigned long v;

        if (!kdir || !(dev = ext_canon(x, kdir)))
                return EXT_PASS;
        sl = strdupf("%s/subsystem", dev);
        sub = sl ? ext_link_name(x, sl) : NULL;
        if (!sub || !streq(sub, "mdev"))
                return EXT_PASS;
        errno = 0;
        v = strtoul(val, &end, 0);
        if (errno || end == val || *end)
                return -EINVAL;
        if (v == 0)
                return 0;
        uuid = strrchr(dev, '/') + 1;
        tl = strdupf("%s/mdev_type", dev);
        busl = strdupf("sys/bus/mdev/devices/%s", uuid);
        if (!tl || !busl)
                return -ENOMEM;
        {
                _cleanup_free_ char *k = strdupf("/%s/mdev_type", dev);
                typerel = k ? ext_canon(x, k) : NULL;
        }
        if (typerel) {
                tdl = strdupf("%s/devices/%s", typerel, uuid);
                if (tdl)
                        (void)unlinkat(x->rfd, tdl, 0);
                avail_add(x, typerel, +1);
        }
        (void)unlinkat(x->rfd, busl, 0);
        ext_group_drop(x, dev, uuid);
        return ext_rmrf(x, dev);
}
