/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A kernel emulator for unit tests: applies sysfs writes to a copy of a recorded tree as the kernel would. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu-cdev.h"
#include "emulator.h"
#include "sysfs/confine.h"
#include "util/strutil.h"

extern char **environ;

struct fault_path {
        char *glob;
        int err, times;
};

struct id_rule {
        char *driver;
        long vendor, device, klass; /* -1: any */
};

struct emu {
        char *root; /* canonical absolute path of the copy */
        int rfd;
        unsigned writes;
        unsigned fail_at, crash_at;
        int fail_err;
        bool crash_after;
        struct fault_path *fpaths;
        size_t n_fpaths;
        char **probe_fails;
        emu_observer_t observer;
        void *observer_data;
        char **log;
        struct id_rule *ids;
        size_t n_ids;
        bool in_place; /* emu_open: the tree is the caller's, emu_free leaves it */
};

/* Files and links below the root. */

static const char *base(const char *p) {
        const char *s = strrchr(p, '/');
        return s ? s + 1 : p;
}

/* Attribute files are opened as the library does, never out of the tree (a link in it leads nowhere else). */
static char *readfile(const struct emu *e, const char *rel) {
        char buf[4096];
        int fd = confine_open(e->rfd, rel, O_RDONLY, 0, CONFINE_IN_ROOT);
        ssize_t n;
        if (fd < 0)
                return NULL;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n < 0)
                return NULL;
        buf[n] = 0;
        return strdup(strstrip_right(buf));
}

static int writefile(const struct emu *e, const char *rel, const char *content, bool create) {
        int fd = confine_open(e->rfd, rel, O_WRONLY | O_TRUNC | (create ? O_CREAT : 0), 0644, CONFINE_IN_ROOT);
        size_t len = strlen(content);
        ssize_t n;
        if (fd < 0)
                return fd;
        n = write(fd, content, len);
        close(fd);
        return n == (ssize_t)len ? 0 : -EIO;
}

static char *link_name(const struct emu *e, const char *rel) {
        char buf[PATH_MAX];
        ssize_t n = readlinkat(e->rfd, rel, buf, sizeof(buf) - 1);
        if (n < 0)
                return NULL;
        buf[n] = 0;
        return strdup(base(buf));
}

/* A relative link as sysfs has: LINK_REL -> TARGET_REL, both relative to the root. */
static int mklink(const struct emu *e, const char *target_rel, const char *link_rel) {
        struct strbuf b = {};
        const char *t = target_rel, *l = link_rel;
        int r;

        /* Drop the common leading components. */
        for (;;) {
                const char *te = strchrnul(t, '/'), *le = strchr(l, '/');
                if (!le || te - t != le - l || !strneq(t, l, (size_t)(te - t)) || !*te)
                        break;
                t = te + 1;
                l = le + 1;
        }
        for (const char *p = l; (p = strchr(p, '/')); p++)
                strbuf_append(&b, "../");
        strbuf_append(&b, t);
        if (b.oom)
                return -ENOMEM;
        (void)unlinkat(e->rfd, link_rel, 0);
        r = symlinkat(b.s, e->rfd, link_rel) < 0 ? -errno : 0;
        strbuf_done(&b);
        return r;
}

/* The canonical path below the root of the kernel path KPATH, or NULL when it leads nowhere in the tree. */
static char *rel_canon(const struct emu *e, const char *kpath) {
        _cleanup_free_ char *abs = strdupf("%s%s", e->root, kpath);
        char buf[PATH_MAX];
        size_t n = strlen(e->root);
        if (!abs || !realpath(abs, buf))
                return NULL;
        if (!strneq(buf, e->root, n) || buf[n] != '/')
                return NULL;
        return strdup(buf + n + 1);
}

/* The PCI device whose attribute KPATH is: its folder below the root, and its address. */
static char *pci_dev_of_attr(const struct emu *e, const char *kpath) {
        _cleanup_free_ char *dir = strdup(kpath), *rel = NULL, *sub = NULL, *subl = NULL;
        char *slash;
        if (!dir || !(slash = strrchr(dir, '/')))
                return NULL;
        *slash = 0;
        rel = rel_canon(e, dir);
        if (!rel)
                return NULL;
        subl = strdupf("%s/subsystem", rel);
        sub = subl ? link_name(e, subl) : NULL;
        if (!sub || !streq(sub, "pci"))
                return NULL;
        return TAKE_PTR(rel);
}

static char *pci_dev_by_addr(const struct emu *e, const char *addr) {
        _cleanup_free_ char *k = NULL;
        if (!filename_is_safe(addr))
                return NULL;
        k = strdupf("/sys/bus/pci/devices/%s", addr);
        return k ? rel_canon(e, k) : NULL;
}

static char *attr(const struct emu *e, const char *devrel, const char *name) {
        _cleanup_free_ char *p = strdupf("%s/%s", devrel, name);
        return p ? readfile(e, p) : NULL;
}

static char *dev_driver(const struct emu *e, const char *devrel) {
        _cleanup_free_ char *p = strdupf("%s/driver", devrel);
        return p ? link_name(e, p) : NULL;
}

static char *dev_override(const struct emu *e, const char *devrel) {
        char *v = attr(e, devrel, "driver_override");
        if (v && (streq(v, "(null)") || !*v)) {
                free(v);
                return NULL;
        }
        return v;
}

static char *dev_group(const struct emu *e, const char *devrel) {
        _cleanup_free_ char *p = strdupf("%s/iommu_group", devrel);
        return p ? link_name(e, p) : NULL;
}

static bool driver_exists(const struct emu *e, const char *drv) {
        _cleanup_free_ char *p = strdupf("sys/bus/pci/drivers/%s", drv);
        struct stat st;
        return p && filename_is_safe(drv) && fstatat(e->rfd, p, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

/* uevent's DRIVER= line follows the binding. */
static void uevent_set_driver(const struct emu *e, const char *devrel, const char *drv) {
        _cleanup_free_ char *p = strdupf("%s/uevent", devrel), *old = p ? readfile(e, p) : NULL;
        struct strbuf b = {};
        if (!old)
                return;
        if (drv)
                strbuf_appendf(&b, "DRIVER=%s\n", drv);
        for (char *line = old, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                if (!startswith(line, "DRIVER="))
                        strbuf_appendf(&b, "%s\n", line);
        }
        if (!b.oom)
                (void)writefile(e, p, b.s ? b.s : "", false);
        strbuf_done(&b);
}

/* vfio-pci or a vendor's variant (mlx5_vfio_pci ...) makes /dev/vfio/GROUP. */
static bool is_vfio(const char *drv) {
        return drv && (streq(drv, "vfio-pci") || endswith(drv, "_vfio_pci"));
}

/* Whether another device of GROUP is on a vfio driver (then /dev/vfio/GROUP stays). */
static bool group_on_vfio(const struct emu *e, const char *group, const char *except) {
        _cleanup_free_ char *p = strdupf("sys/kernel/iommu_groups/%s/devices", group);
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd;
        if (!p || (fd = openat(e->rfd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                return false;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return false;
        }
        while ((de = readdir(d))) {
                _cleanup_free_ char *rel = NULL, *drv = NULL;
                if (de->d_name[0] == '.' || streq(de->d_name, except))
                        continue;
                rel = pci_dev_by_addr(e, de->d_name);
                drv = rel ? dev_driver(e, rel) : NULL;
                if (is_vfio(drv))
                        return true;
        }
        return false;
}

static int do_bind(const struct emu *e, const char *devrel, const char *addr, const char *drv) {
        _cleanup_free_ char *dl = strdupf("%s/driver", devrel), *drvdir = strdupf("sys/bus/pci/drivers/%s", drv),
                            *back = strdupf("sys/bus/pci/drivers/%s/%s", drv, addr);
        int r;
        if (!dl || !drvdir || !back)
                return -ENOMEM;
        r = mklink(e, drvdir, dl);
        if (r >= 0)
                r = mklink(e, devrel, back);
        if (r < 0)
                return r;
        uevent_set_driver(e, devrel, drv);
        if (is_vfio(drv)) {
                _cleanup_free_ char *g = dev_group(e, devrel), *node = g ? strdupf("dev/vfio/%s", g) : NULL;
                if (node) {
                        (void)mkdirat(e->rfd, "dev", 0755);
                        (void)mkdirat(e->rfd, "dev/vfio", 0755);
                        (void)writefile(e, node, "", true);
                }
                emu_cdev_bound(e->rfd, devrel);
        }
        return 0;
}

static void do_unbind(const struct emu *e, const char *devrel, const char *addr) {
        _cleanup_free_ char *drv = dev_driver(e, devrel), *dl = strdupf("%s/driver", devrel), *back = NULL;
        if (!drv || !dl)
                return;
        back = strdupf("sys/bus/pci/drivers/%s/%s", drv, addr);
        (void)unlinkat(e->rfd, dl, 0);
        if (back)
                (void)unlinkat(e->rfd, back, 0);
        uevent_set_driver(e, devrel, NULL);
        if (is_vfio(drv)) {
                _cleanup_free_ char *g = dev_group(e, devrel), *node = g ? strdupf("dev/vfio/%s", g) : NULL;
                if (node && !group_on_vfio(e, g, addr))
                        (void)unlinkat(e->rfd, node, 0);
                emu_cdev_unbound(e->rfd, devrel);
        }
}

static long hexval(const char *s) {
        if (!s || streq(s, "*"))
                return -1;
        return strtol(s, NULL, 16);
}

/* Dynamic ids of DRV (new_id), in .emulator/dynids/DRV as "vvvv dddd" lines. */
static bool dynid_match(const struct emu *e, const char *drv, long vendor, long device) {
        _cleanup_free_ char *p = strdupf(".emulator/dynids/%s", drv), *ids = p ? readfile(e, p) : NULL;
        for (char *line = ids, *next; line && *line; line = next) {
                unsigned v, d;
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                if (sscanf(line, "%x %x", &v, &d) == 2 && v == vendor && d == device)
                        return true;
        }
        return false;
}

static bool ids_match(const struct emu *e, const char *drv, long vendor, long device, long klass) {
        for (size_t i = 0; i < e->n_ids; i++) {
                const struct id_rule *r = &e->ids[i];
                if (streq(r->driver, drv) && (r->vendor < 0 || r->vendor == vendor) &&
                    (r->device < 0 || r->device == device) && (r->klass < 0 || r->klass == klass))
                        return true;
        }
        return dynid_match(e, drv, vendor, device);
}

/* pci_match_device(): with driver_override set, only that driver matches. */
static bool driver_matches(const struct emu *e, const char *devrel, const char *drv) {
        _cleanup_free_ char *ov = dev_override(e, devrel), *v = attr(e, devrel, "vendor"),
                            *d = attr(e, devrel, "device"), *c = attr(e, devrel, "class");
        if (ov)
                return streq(ov, drv);
        return ids_match(e, drv, hexval(v), hexval(d), hexval(c));
}

/* A driver's probe() may refuse the device: then it stays unbound, and the write still succeeds. */
static bool probe_ok(const struct emu *e, const char *devrel, const char *drv) {
        if (strv_contains(e->probe_fails, drv))
                return false;
        if (is_vfio(drv)) {
                _cleanup_free_ char *g = dev_group(e, devrel);
                return g != NULL; /* vfio-pci needs an IOMMU group */
        }
        return true;
}

/* device_attach(): the first matching driver whose probe takes it. */
static int attach(const struct emu *e, const char *devrel, const char *addr) {
        _cleanup_free_ char *cur = dev_driver(e, devrel), *ov = dev_override(e, devrel);
        _cleanup_closedir_ DIR *d = NULL;
        _cleanup_strv_free_ char **names = NULL;
        struct dirent *de;
        int fd;

        if (cur)
                return 0;
        if (ov) {
                if (driver_exists(e, ov) && probe_ok(e, devrel, ov))
                        return do_bind(e, devrel, addr, ov);
                return 0;
        }
        fd = openat(e->rfd, "sys/bus/pci/drivers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || !(d = fdopendir(fd))) {
                if (fd >= 0)
                        close(fd);
                return 0;
        }
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' && strv_extend(&names, de->d_name) < 0)
                        return -ENOMEM;
        strv_sort(names);
        for (char **n = names; n && *n; n++)
                if (driver_matches(e, devrel, *n) && probe_ok(e, devrel, *n))
                        return do_bind(e, devrel, addr, *n);
        return 0;
}

/* The handlers: KPATH as written, VAL without one trailing newline, RAW as written. */

static int h_override(struct emu *e, const char *kpath, const char *val, const char *raw) {
        _cleanup_free_ char *rel = pci_dev_of_attr(e, kpath), *p = NULL, *content = NULL;
        if (!rel)
                return -ENOENT;
        if (strlen(raw) >= 4096)
                return -EINVAL;
        p = strdupf("%s/driver_override", rel);
        content = *val ? strdupf("%s\n", val) : strdup("(null)\n");
        if (!p || !content)
                return -ENOMEM;
        return writefile(e, p, content, false);
}

static char *driver_of_path(const char *kpath) {
        const char *s = startswith(kpath, "/sys/bus/pci/drivers/");
        return s ? strndup(s, strcspn(s, "/")) : NULL;
}

static int h_unbind(struct emu *e, const char *kpath, const char *val, const char *raw) {
        _cleanup_free_ char *drv = driver_of_path(kpath), *rel = pci_dev_by_addr(e, val), *cur = NULL;
        if (!drv || !driver_exists(e, drv))
                return -ENOENT;
        if (!rel)
                return -ENODEV;
        cur = dev_driver(e, rel);
        if (!cur || !streq(cur, drv))
                return -ENODEV;
        do_unbind(e, rel, val);
        return 0;
}

static int h_bind(struct emu *e, const char *kpath, const char *val, const char *raw) {
        _cleanup_free_ char *drv = driver_of_path(kpath), *rel = pci_dev_by_addr(e, val), *cur = NULL;
        if (!drv || !driver_exists(e, drv))
                return -ENOENT;
        if (!rel || !driver_matches(e, rel, drv))
                return -ENODEV;
        cur = dev_driver(e, rel);
        if (cur)
                return -EBUSY;
        if (!probe_ok(e, rel, drv))
                return 0; /* the write succeeds; nothing is bound */
        return do_bind(e, rel, val, drv);
}

static int h_drivers_probe(struct emu *e, const char *kpath, const char *val, const char *raw) {
        _cleanup_free_ char *rel = pci_dev_by_addr(e, val);
        if (!rel)
                return -ENODEV;
        return attach(e, rel, val);
}

/* driver_attach(): DRV takes every unbound device it matches (after new_id). */
static int attach_all(struct emu *e, const char *drv) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd = openat(e->rfd, "sys/bus/pci/devices", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || !(d = fdopendir(fd))) {
                if (fd >= 0)
                        close(fd);
                return -ENOENT;
        }
        while ((de = readdir(d))) {
                _cleanup_free_ char *rel = NULL;
                int r;
                _cleanup_free_ char *cur = NULL;
                if (de->d_name[0] == '.' || !(rel = pci_dev_by_addr(e, de->d_name)))
                        continue;
                cur = dev_driver(e, rel);
                if (cur || !driver_matches(e, rel, drv) || !probe_ok(e, rel, drv))
                        continue;
                r = do_bind(e, rel, de->d_name, drv);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int h_new_id(struct emu *e, const char *kpath, const char *val, const char *raw) {
        _cleanup_free_ char *drv = driver_of_path(kpath), *p = NULL, *old = NULL, *now = NULL;
        unsigned v, d;
        int r;
        if (!drv || !driver_exists(e, drv))
                return -ENOENT;
        if (sscanf(val, "%x %x", &v, &d) != 2)
                return -EINVAL;
        (void)mkdirat(e->rfd, ".emulator", 0755);
        (void)mkdirat(e->rfd, ".emulator/dynids", 0755);
        p = strdupf(".emulator/dynids/%s", drv);
        if (!p)
                return -ENOMEM;
        old = readfile(e, p);
        now = strdupf("%s%s%04x %04x\n", old ? old : "", old && *old ? "\n" : "", v, d);
        if (!now)
                return -ENOMEM;
        r = writefile(e, p, now, true);
        return r < 0 ? r : attach_all(e, drv);
}

static int h_remove_id(struct emu *e, const char *kpath, const char *val, const char *raw) {
        _cleanup_free_ char *drv = driver_of_path(kpath), *p = NULL, *old = NULL;
        struct strbuf b = {};
        unsigned v, d;
        bool found = false;
        int r;
        if (!drv || !driver_exists(e, drv))
                return -ENOENT;
        if (sscanf(val, "%x %x", &v, &d) != 2)
                return -EINVAL;
        p = strdupf(".emulator/dynids/%s", drv);
        old = p ? readfile(e, p) : NULL;
        for (char *line = old, *next; line && *line; line = next) {
                unsigned lv, ld;
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                if (!found && sscanf(line, "%x %x", &lv, &ld) == 2 && lv == v && ld == d)
                        found = true;
                else
                        strbuf_appendf(&b, "%s\n", line);
        }
        r = found ? writefile(e, p, b.s ? b.s : "", true) : -ENODEV;
        strbuf_done(&b);
        return r;
}

/* Counts resets in .emulator/resets/ADDR and notes the method (reset_method's first) in reset-by/ADDR. */
static int h_reset(struct emu *e, const char *kpath, const char *val, const char *raw) {
        _cleanup_free_ char *rel = pci_dev_of_attr(e, kpath), *p = NULL, *old = NULL, *now = NULL, *m = NULL,
                            *by = NULL, *was = NULL, *line = NULL;
        if (!rel)
                return -ENOENT;
        if (!streq(val, "1"))
                return -EINVAL;
        (void)mkdirat(e->rfd, ".emulator", 0755);
        (void)mkdirat(e->rfd, ".emulator/resets", 0755);
        (void)mkdirat(e->rfd, ".emulator/reset-by", 0755);
        p = strdupf(".emulator/resets/%s", base(rel));
        old = p ? readfile(e, p) : NULL;
        now = strdupf("%u\n", (old ? (unsigned)atoi(old) : 0) + 1);
        m = attr(e, rel, "reset_method");
        by = strdupf(".emulator/reset-by/%s", base(rel));
        was = by ? readfile(e, by) : NULL;
        line = strdupf("%s%s%.*s\n", was ? was : "", was ? "\n" : "", m ? (int)strcspn(m, " ") : 0, m ? m : "");
        if (!now || !by || !line || writefile(e, by, line, true) < 0)
                return -ENOMEM;
        return writefile(e, p, now, true);
}

/* reset_method_store() (drivers/pci/pci.c); what the device supports: the file as the tree had it. */
static int h_reset_method(struct emu *e, const char *kpath, const char *val, const char *raw) {
        _cleanup_free_ char *rel = pci_dev_of_attr(e, kpath), *keep = NULL, *all = NULL, *f = NULL, *list = NULL;
        char *save = NULL;
        if (!rel || !(keep = strdupf(".emulator/reset-methods/%s", base(rel))) ||
            !(f = strdupf("%s/reset_method", rel)))
                return rel ? -ENOMEM : -ENOENT;
        if (!(all = readfile(e, keep))) {
                (void)mkdirat(e->rfd, ".emulator", 0755);
                (void)mkdirat(e->rfd, ".emulator/reset-methods", 0755);
                if (!(all = readfile(e, f)) || writefile(e, keep, all, true) < 0)
                        return -ENOENT;
        }
        if (streq(val, "default"))
                return writefile(e, f, all, false);
        if (!(list = strdup(val)))
                return -ENOMEM;
        for (char *w = strtok_r(list, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                _cleanup_free_ char *pad = strdupf(" %s ", all), *word = strdupf(" %s ", w);
                if (!pad || !word || !strstr(pad, word))
                        return -EINVAL;
        }
        return writefile(e, f, val, false);
}

static int h_remove(struct emu *e, const char *kpath, const char *val, const char *raw) {
        _cleanup_free_ char *rel = pci_dev_of_attr(e, kpath), *g = NULL, *note = NULL, *dst = NULL,
                            *bus = NULL, *gl = NULL, *info = NULL;
        const char *addr;
        if (!rel)
                return -ENOENT;
        if (!streq(val, "1"))
                return -EINVAL;
        addr = base(rel);
        do_unbind(e, rel, addr);
        g = dev_group(e, rel);
        (void)mkdirat(e->rfd, ".emulator", 0755);
        (void)mkdirat(e->rfd, ".emulator/removed", 0755);
        note = strdupf(".emulator/removed/%s", addr);
        dst = strdupf(".emulator/removed/%s/dev", addr);
        info = strdupf("%s\n%s\n", rel, g ? g : "");
        bus = strdupf("sys/bus/pci/devices/%s", addr);
        gl = g ? strdupf("sys/kernel/iommu_groups/%s/devices/%s", g, addr) : NULL;
        if (!note || !dst || !info || !bus || (g && !gl))
                return -ENOMEM;
        if (mkdirat(e->rfd, note, 0755) < 0)
                return -errno;
        {
                _cleanup_free_ char *ip = strdupf("%s/info", note);
                if (!ip || writefile(e, ip, info, true) < 0)
                        return -EIO;
        }
        if (renameat(e->rfd, rel, e->rfd, dst) < 0)
                return -errno;
        (void)unlinkat(e->rfd, bus, 0);
        if (gl)
                (void)unlinkat(e->rfd, gl, 0);
        return 0;
}

static int h_rescan(struct emu *e, const char *kpath, const char *val, const char *raw) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd = openat(e->rfd, ".emulator/removed", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0 && !(d = fdopendir(fd)))
                close(fd);
        while (d && (de = readdir(d))) {
                _cleanup_free_ char *ip = NULL, *info = NULL, *src = NULL, *note = NULL, *ov = NULL, *bus = NULL;
                char *rel, *g;
                if (de->d_name[0] == '.')
                        continue;
                note = strdupf(".emulator/removed/%s", de->d_name);
                ip = strdupf("%s/info", note);
                src = strdupf("%s/dev", note);
                info = ip ? readfile(e, ip) : NULL;
                if (!info || !src)
                        continue;
                rel = info;
                g = strchr(info, '\n');
                if (g)
                        *g++ = 0;
                if (renameat(e->rfd, src, e->rfd, rel) < 0)
                        return -errno;
                bus = strdupf("sys/bus/pci/devices/%s", de->d_name);
                if (bus)
                        (void)mklink(e, rel, bus);
                if (g && *g) {
                        _cleanup_free_ char *gl = strdupf("sys/kernel/iommu_groups/%s/devices/%s", g, de->d_name);
                        if (gl)
                                (void)mklink(e, rel, gl);
                }
                /* A new pci_dev: no override. */
                ov = strdupf("%s/driver_override", rel);
                if (ov)
                        (void)writefile(e, ov, "(null)\n", false);
                (void)unlinkat(e->rfd, ip, 0);
                (void)unlinkat(e->rfd, note, AT_REMOVEDIR);
                {
                        _cleanup_free_ char *r2 = strdup(rel);
                        if (r2)
                                (void)attach(e, r2, de->d_name);
                }
        }
        return 0;
}

/*
 * What the kernel does, by path. Later kinds (sriov_numvfs, mdev create and
 * remove, vport_create/vport_delete) are new rows here.
 */
static const struct {
        const char *glob; /* fnmatch without FNM_PATHNAME: '*' spans folders */
        int (*fn)(struct emu *e, const char *kpath, const char *val, const char *raw);
} handlers[] = {
        { "/sys/bus/pci/drivers_probe", h_drivers_probe },
        { "/sys/bus/pci/rescan", h_rescan },
        { "/sys/bus/pci/drivers/*/unbind", h_unbind },
        { "/sys/bus/pci/drivers/*/bind", h_bind },
        { "/sys/bus/pci/drivers/*/new_id", h_new_id },
        { "/sys/bus/pci/drivers/*/remove_id", h_remove_id },
        { "/sys/*/driver_override", h_override },
        { "/sys/*/reset", h_reset },
        { "/sys/*/reset_method", h_reset_method },
        { "/sys/*/remove", h_remove },
};

static int apply(struct emu *e, const char *path, const char *raw) {
        _cleanup_free_ char *val = strdup(raw);
        size_t n;
        if (!val)
                return -ENOMEM;
        n = strlen(val);
        if (n > 0 && val[n - 1] == '\n')
                val[n - 1] = 0;
        for (size_t i = 0; i < ELEMENTSOF(handlers); i++)
                if (fnmatch(handlers[i].glob, path, 0) == 0)
                        return handlers[i].fn(e, path, val, raw);
        /* A plain attribute. */
        if (path[0] != '/')
                return -EINVAL;
        return writefile(e, path + 1, raw, false);
}

int emu_write_hook(void *userdata, int root_fd, const char *path, const char *value, size_t len) {
        struct emu *e = userdata;
        _cleanup_free_ char *raw = strndup(value, len), *line = NULL;
        int r;

        if (!raw)
                return -ENOMEM;
        e->writes++;
        if (e->fail_at && e->writes == e->fail_at) {
                e->fail_at = 0;
                return -e->fail_err;
        }
        if (e->crash_at && e->writes == e->crash_at && !e->crash_after)
                _exit(EMU_CRASH_EXIT);
        for (size_t i = 0; i < e->n_fpaths; i++) {
                struct fault_path *f = &e->fpaths[i];
                if (f->times != 0 && fnmatch(f->glob, path, 0) == 0) {
                        if (f->times > 0)
                                f->times--;
                        return -f->err;
                }
        }
        if (e->observer)
                e->observer(e->observer_data, path, raw);
        r = apply(e, path, raw);
        if (e->crash_at && e->writes == e->crash_at)
                _exit(EMU_CRASH_EXIT);
        {
                struct strbuf b = {};
                strbuf_appendf(&b, "%s ", path);
                for (const char *p = raw; *p; p++)
                        strbuf_append(&b, *p == '\n' ? "\\n" : (char[2]){ *p, 0 });
                if (r < 0)
                        strbuf_appendf(&b, " -> %s", strerror(-r));
                line = strbuf_steal(&b);
                if (line)
                        (void)strv_push(&e->log, TAKE_PTR(line));
        }
        return r;
}

/* Setup and teardown. */

static int run(char *const argv[]) {
        pid_t pid;
        int status;
        if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0)
                return -errno;
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static int load_ids(struct emu *e) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        int fd = openat(e->rfd, "emulator-ids", O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return 0;
        f = fdopen(fd, "re");
        if (!f) {
                close(fd);
                return -errno;
        }
        while (getline(&line, &cap, f) > 0) {
                char drv[128], v[32], d[32], c[32] = "*";
                struct id_rule *nv;
                int n = sscanf(line, "%127s %31s %31s %31s", drv, v, d, c);
                if (n < 3 || drv[0] == '#')
                        continue;
                nv = realloc(e->ids, (e->n_ids + 1) * sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                e->ids = nv;
                e->ids[e->n_ids] = (struct id_rule){ .driver = strdup(drv), .vendor = hexval(v),
                                                     .device = hexval(d), .klass = hexval(c) };
                if (!e->ids[e->n_ids++].driver)
                        return -ENOMEM;
        }
        return 0;
}

int emu_new(const char *fixture, struct emu **ret) {
        char tmpl[] = "/tmp/hostdev-emu-XXXXXX";
        char canon[PATH_MAX];
        struct emu *e;
        int r;

        if (!mkdtemp(tmpl) || !realpath(tmpl, canon))
                return -errno;
        e = calloc(1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        e->rfd = -1;
        e->root = strdup(canon);
        if (!e->root) {
                emu_free(e);
                return -ENOMEM;
        }
        {
                _cleanup_free_ char *src = strdupf("%s/.", fixture);
                char *argv[] = { (char *)"cp", (char *)"-a", src, e->root, NULL };
                r = src ? run(argv) : -ENOMEM;
        }
        if (r >= 0 && (e->rfd = open(e->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                r = -errno;
        if (r >= 0)
                r = load_ids(e);
        if (r < 0) {
                emu_free(e);
                return r;
        }
        *ret = e;
        return 0;
}

int emu_open(const char *root, struct emu **ret) {
        char canon[PATH_MAX];
        struct emu *e;
        int r;

        if (!realpath(root, canon))
                return -errno;
        e = calloc(1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        e->in_place = true;
        e->root = strdup(canon);
        e->rfd = e->root ? open(e->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        r = !e->root ? -ENOMEM : e->rfd < 0 ? -errno : load_ids(e);
        if (r < 0) {
                emu_free(e);
                return r;
        }
        *ret = e;
        return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
        return flag == FTW_DP ? rmdir(p) : unlink(p);
}

void emu_free(struct emu *e) {
        if (!e)
                return;
        if (e->root && !e->in_place)
                (void)nftw(e->root, rm_one, 32, FTW_DEPTH | FTW_PHYS);
        if (e->rfd >= 0)
                close(e->rfd);
        emu_clear_faults(e);
        for (size_t i = 0; i < e->n_ids; i++)
                free(e->ids[i].driver);
        free(e->ids);
        strv_free(e->log);
        free(e->root);
        free(e);
}

const char *emu_root(const struct emu *e) {
        return e->root;
}

int emu_attach(struct emu *e, struct hd_context *ctx) {
        _cleanup_free_ char *state = strdupf("%s/var/lib/hostdev", e->root);
        int r;
        if (!state)
                return -ENOMEM;
        r = hd_context_set_sysroot(ctx, e->root);
        if (r < 0)
                return r;
        r = hd_context_set_state_dir(ctx, state);
        if (r < 0)
                return r;
        hd_context_set_write_hook(ctx, emu_write_hook, e);
        return 0;
}

void emu_fail_nth(struct emu *e, unsigned n, int err) {
        e->fail_at = n ? e->writes + n : 0;
        e->fail_err = err;
}

void emu_fail_path(struct emu *e, const char *glob, int err, int times) {
        struct fault_path *nv = realloc(e->fpaths, (e->n_fpaths + 1) * sizeof(*nv));
        if (!nv)
                abort();
        e->fpaths = nv;
        e->fpaths[e->n_fpaths++] = (struct fault_path){ .glob = strdup(glob), .err = err, .times = times };
}

void emu_crash_nth(struct emu *e, unsigned n, bool after) {
        e->crash_at = n ? e->writes + n : 0;
        e->crash_after = after;
}

int emu_vfio_cdev(struct emu *e, bool with_dev) {
        (void)mkdirat(e->rfd, ".emulator", 0755);
        return writefile(e, ".emulator/vfio-cdev", with_dev ? "dev\n" : "folder\n", true);
}

void emu_probe_fails(struct emu *e, const char *driver) {
        if (strv_extend(&e->probe_fails, driver) < 0)
                abort();
}

void emu_clear_faults(struct emu *e) {
        for (size_t i = 0; i < e->n_fpaths; i++)
                free(e->fpaths[i].glob);
        free(e->fpaths);
        e->fpaths = NULL;
        e->n_fpaths = 0;
        strv_free(e->probe_fails);
        e->probe_fails = NULL;
        e->fail_at = e->crash_at = 0;
}

void emu_set_observer(struct emu *e, emu_observer_t fn, void *userdata) {
        e->observer = fn;
        e->observer_data = userdata;
}

unsigned emu_writes(const struct emu *e) {
        return e->writes;
}

char *const *emu_log(const struct emu *e) {
        return e->log;
}

unsigned emu_resets(const struct emu *e, const char *addr) {
        _cleanup_free_ char *p = strdupf(".emulator/resets/%s", addr), *v = p ? readfile(e, p) : NULL;
        return v ? (unsigned)atoi(v) : 0;
}

char *emu_reset_by(const struct emu *e, const char *addr) {
        _cleanup_free_ char *p = strdupf(".emulator/reset-by/%s", addr);
        return p ? readfile(e, p) : NULL;
}

char *emu_driver(const struct emu *e, const char *addr) {
        _cleanup_free_ char *rel = pci_dev_by_addr(e, addr);
        return rel ? dev_driver(e, rel) : NULL;
}

char *emu_override(const struct emu *e, const char *addr) {
        _cleanup_free_ char *rel = pci_dev_by_addr(e, addr);
        return rel ? dev_override(e, rel) : NULL;
}

bool emu_exists(const struct emu *e, const char *rel) {
        return faccessat(e->rfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}
