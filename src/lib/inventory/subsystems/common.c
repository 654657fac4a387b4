/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the subsystem modules other than PCI share: attribute reading the way libvirt does it, names, lookups by name. */
#include <ctype.h>
#include <limits.h>
#include <string.h>

#include "common.h"
#include "sysfs/sysfs.h"

/* libvirt drops control characters (a stray '\r' in a USB string) rather than mangling them. */
static void strip_control(char *s) {
        char *w = s;
        for (char *r = s; *r; r++)
                if (!iscntrl((unsigned char)*r))
                        *w++ = *r;
        *w = 0;
}

int attr_string(int dirfd, const char *name, char **ret) {
        char *v = NULL;
        int r = sysfs_read_at(dirfd, name, &v);

        *ret = NULL;
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0; /* absent, unreadable or gone: the field is left out */
        strip_control(v);
        if (!*v) {
                free(v);
                return 0;
        }
        *ret = v;
        return 0;
}

int attr_string_trimmed(int dirfd, const char *name, char **ret) {
        char *v, *start;
        size_t n;
        int r = attr_string(dirfd, name, &v);

        *ret = NULL;
        if (r < 0 || !v)
                return r;
        for (start = v; *start == ' ' || *start == '\t'; start++)
                ;
        n = strlen(start);
        while (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\t'))
                n--;
        memmove(v, start, n);
        v[n] = 0;
        if (!*v) {
                free(v);
                return 0;
        }
        *ret = v;
        return 0;
}

int parse_uint(const char *s, int base, unsigned *ret) {
        unsigned long v;
        char *end;

        if (isempty(s) || *s == '-' || *s == '+' || isspace((unsigned char)*s))
                return -EINVAL;
        errno = 0;
        v = strtoul(s, &end, base);
        if (errno || *end || v > UINT_MAX)
                return -EINVAL;
        *ret = (unsigned)v;
        return 0;
}

int attr_uint(int dirfd, const char *name, int base, unsigned *ret) {
        _cleanup_free_ char *s = NULL;
        int r = sysfs_read_at(dirfd, name, &s);
        if (r < 0)
                return r;
        return parse_uint(s, base, ret);
}

int uevent_uint(const struct hd_uevent *ue, const char *key, int base, unsigned *ret) {
        const char *v = uevent_get(ue, key);
        return v ? parse_uint(v, base, ret) : -ENOENT;
}

char *device_name_for(const char *subsystem, const char *sysname, const char *suffix) {
        char *n = suffix ? strdupf("%s_%s_%s", subsystem, sysname, suffix)
                         : strdupf("%s_%s", subsystem, sysname);
        if (n)
                hd_name_mangle(n);
        return n;
}

int device_set_name(struct hd_device *d, const char *suffix) {
        free(d->name);
        d->name = device_name_for(d->subsystem, d->sysname, suffix);
        return d->name ? 0 : -ENOMEM;
}

int lookup_entry(struct hd_context *ctx, const char *dir, const char *name, char **ret_path) {
        char *path = NULL;
        int r;

        if (!filename_is_safe(name))
                return -ENOENT;
        r = sysfs_resolve_link(ctx, dir, name, &path);
        if (r == -EINVAL) { /* a folder, as some recorded trees keep class entries */
                path = strdupf("%s/%s", dir, name);
                r = path ? 0 : -ENOMEM;
        }
        if (r < 0)
                return r == -ENOMEM ? r : -ENOENT;
        *ret_path = path;
        return 0;
}

/* Whether the device at PATH is the one named SPEC. */
static int probe_matches(struct hd_context *ctx, const char *path, const char *spec) {
        struct hd_device *d = NULL;
        int r = hd_probe_device(ctx, path, &d);
        bool match;

        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;
        match = streq(d->name, spec);
        hd_device_free(d);
        return match;
}

int lookup_by_name(struct hd_context *ctx, const char *spec, const char *prefix, const char *dir,
                   char **ret_path) {
        _cleanup_closedir_ DIR *dh = NULL;
        struct dirent *de;
        size_t plen = strlen(prefix);
        int r;

        if (!strneq(spec, prefix, plen) || !spec[plen])
                return -ENODEV;
        r = sysfs_opendir(ctx, dir, &dh);
        if (r < 0)
                return r == -ENOMEM ? r : -ENOENT;
        while ((de = readdir(dh))) {
                _cleanup_free_ char *m = NULL, *path = NULL;
                size_t mlen;

                if (de->d_name[0] == '.')
                        continue;
                m = strdupf("%s%s", prefix, de->d_name);
                if (!m)
                        return -ENOMEM;
                hd_name_mangle(m);
                mlen = strlen(m);
                if (!strneq(spec, m, mlen) || (spec[mlen] != 0 && spec[mlen] != '_'))
                        continue;
                r = lookup_entry(ctx, dir, de->d_name, &path);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        continue;
                r = probe_matches(ctx, path, spec);
                if (r < 0)
                        return r;
                if (r > 0) {
                        *ret_path = TAKE_PTR(path);
                        return 0;
                }
        }
        return -ENOENT;
}
