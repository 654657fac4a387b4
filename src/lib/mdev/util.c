/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UUIDs, parent names and the definition folder of mediated devices. */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "hostdev/inventory.h"
#include "mdev-internal.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"


bool hd_uuid_is_valid(const char *s) {
        if (!s || strlen(s) != 36)
                return false;
        for (int i = 0; i < 36; i++) {
                bool dash = i == 8 || i == 13 || i == 18 || i == 23;
                if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
                        return false;
        }
        return true;
}

int mdev_uuid_normalize(struct hd_context *ctx, const char *s, char out[static 37]) {
        if (!hd_uuid_is_valid(s))
                return hd_error(ctx, -EINVAL,
                                "'%s' is not a UUID; give one like 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 or none to get a new one",
                                s ? s : "");
        for (int i = 0; i < 37; i++)
                out[i] = (char)tolower((unsigned char)s[i]);
        return 0;
}

int mdev_uuid_generate(char out[static 37]) {
        uuid_t u;
        uuid_generate_random(u);
        uuid_unparse_lower(u, out);
        return 0;
}

bool mdev_parent_present(struct hd_context *ctx, const char *parent) {
        _cleanup_free_ char *rel = NULL;
        if (!filename_is_safe(parent))
                return false;
        rel = strdupf("sys/class/mdev_bus/%s", parent);
        return rel && sysfs_exists(ctx, rel);
}

/* "pci_0000_00_02_0" -> "0000:00:02.0"; NULL when SPEC is not a PCI device name. */
static char *pci_name_to_addr(const char *spec) {
        const char *s = startswith(spec, "pci_");
        unsigned dom, bus, slot, fn;
        int n = 0;

        if (!s || sscanf(s, "%x_%2x_%2x_%1x%n", &dom, &bus, &slot, &fn, &n) != 4 || s[n] ||
            slot > 0x1f || fn > 7)
                return NULL;
        return strdupf("%04x:%02x:%02x.%x", dom, bus, slot, fn);
}

/* The registered parents, for a message: "0000:00:02.0, mtty" or "none". */
static char *parents_listing(struct hd_context *ctx) {
        _cleanup_closedir_ DIR *d = NULL;
        _cleanup_strv_free_ char **names = NULL;
        struct strbuf b = { 0 };
        struct dirent *de;

        if (sysfs_opendir(ctx, MDEV_BUS_CLASS, &d) >= 0)
                while ((de = readdir(d)))
                        if (de->d_name[0] != '.' && strv_extend(&names, de->d_name) < 0)
                                return NULL;
        strv_sort(names);
        for (size_t i = 0; names && names[i]; i++)
                strbuf_appendf(&b, "%s%s", i ? ", " : "", names[i]);
        if (!names)
                strbuf_append(&b, "none (is the parent's driver loaded?)");
        return strbuf_steal(&b);
}

int mdev_parent_resolve(struct hd_context *ctx, const char *spec, bool must_exist, char **ret_name) {
        _cleanup_free_ char *name = NULL, *list = NULL;
        struct hd_device *d = NULL;

        if (isempty(spec))
                return hd_error(ctx, -EINVAL, "no parent given; see 'hostdev mdev types' for the parents");
        if (mdev_parent_present(ctx, spec)) {
                name = strdup(spec);
        } else if (hd_device_lookup(ctx, spec, &d) >= 0) {
                name = strdup(d->sysname ? d->sysname : spec);
                hd_device_free(d);
        } else {
                name = pci_name_to_addr(spec);
                if (!name && !must_exist && filename_is_safe(spec))
                        name = strdup(spec);
        }
        hd_error_clear(ctx);
        if (name && (!must_exist || mdev_parent_present(ctx, name))) {
                *ret_name = TAKE_PTR(name);
                return 0;
        }
        if (name && !filename_is_safe(name))
                return hd_error(ctx, -EINVAL, "'%s' cannot name a parent device", spec);
        list = parents_listing(ctx);
        return hd_error(ctx, -ENODEV, "'%s' is not a mediated device parent now; parents: %s", spec,
                        list ? list : "?");
}

char *mdev_config_dir(struct hd_context *ctx) {
        const char *root = hd_context_get_sysroot(ctx);

        if (ctx->mdev_config_dir)
                return strdup(ctx->mdev_config_dir);
        /* A recorded tree is a whole host: its definitions are its own. */
        if (!root || streq(root, "/"))
                return strdup(MDEV_CONFIG_DIR);
        return strdupf("%s%s", root, MDEV_CONFIG_DIR);
}

void mdev_attrs_free(struct hd_mdev_attr *attrs, size_t n) {
        for (size_t i = 0; attrs && i < n; i++) {
                free(attrs[i].name);
                free(attrs[i].value);
        }
        free(attrs);
}

int mdev_attrs_copy(const struct hd_mdev_attr *attrs, size_t n, struct hd_mdev_attr **ret) {
        struct hd_mdev_attr *c = NULL;

        if (n > 0) {
                c = calloc(n, sizeof(*c));
                if (!c)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                c[i].name = strdup(attrs[i].name);
                c[i].value = strdup(attrs[i].value);
                if (!c[i].name || !c[i].value) {
                        mdev_attrs_free(c, n);
                        return -ENOMEM;
                }
        }
        *ret = c;
        return 0;
}

static void mdev_done(struct hd_mdev *m) {
        free(m->parent);
        free(m->type);
        mdev_attrs_free(m->attrs, m->n_attrs);
}

void hd_mdev_free(struct hd_mdev *m) {
        if (!m)
                return;
        mdev_done(m);
        free(m);
}

void hd_mdev_list_free(struct hd_mdev *list, size_t n) {
        for (size_t i = 0; list && i < n; i++)
                mdev_done(&list[i]);
        free(list);
}

void hd_mdev_parent_list_free(struct hd_mdev_parent *list, size_t n) {
        for (size_t i = 0; list && i < n; i++) {
                free(list[i].name);
                free(list[i].device);
                for (size_t j = 0; j < list[i].n_types; j++) {
                        free(list[i].types[j].id);
                        free(list[i].types[j].name);
                        free(list[i].types[j].description);
                        free(list[i].types[j].device_api);
                }
                free(list[i].types);
        }
        free(list);
}

bool mdev_attr_name_ok(const char *name) {
        /*
         * Written below /sys/bus/mdev/devices/UUID: a path would reach beyond
         * the device ("subsystem/devices/OTHER/remove"), and `remove` would
         * remove the device it was meant to set up.
         */
        return filename_is_safe(name) && !streq(name, "remove");
}

int mdev_attr_check(struct hd_context *ctx, const char *name, const char *value) {
        if (mdev_attr_name_ok(name) && value)
                return 0;
        return hd_error(ctx, -EINVAL,
                        "'%s' cannot name an attribute of a mediated device: an attribute is one file of the "
                        "device's own folder (no '/', not '.', '..' nor 'remove')",
                        name ? name : "");
}
