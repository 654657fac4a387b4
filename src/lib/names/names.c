/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Vendor and product names from the database libvirt would use: pci.ids for PCI, hwdb for USB. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-hwdb.h>

#include "names.h"
#include "util/hashmap.h"
#include "util/strutil.h"

/*
 * Which database a name comes from decides whether it agrees with
 * `virsh nodedev-dumpxml`: libvirt names PCI devices through libpciaccess,
 * which reads hwdata's pci.ids, and USB devices from udev's
 * ID_VENDOR_FROM_DATABASE / ID_MODEL_FROM_DATABASE, which come from the
 * hwdb. The two drift apart (the hwdb is compiled from a pci.ids snapshot
 * of systemd's release), so each bus asks its own database first and the
 * other only when the first is not installed. A name that one database
 * lacks is left out rather than taken from the other, as libvirt does.
 *
 * HOSTDEV_IDS_DIR=DIR takes the ids files only from DIR and leaves the
 * system's hwdb out, so tests do not depend on the host's databases.
 * HOSTDEV_HWDB=FILE opens that hwdb.bin instead of the system's, even with
 * HOSTDEV_IDS_DIR (tests of the hwdb path).
 */

/* One ids file, parsed once: "vvvv" -> vendor name, "vvvvdddd" -> device name. */
struct ids_db {
        bool tried;
        char *buf;    /* the file's text; names point into it */
        char *keys;   /* the keys, packed */
        struct hashmap *map;
};

struct hd_names {
        bool hwdb_tried;
        sd_hwdb *hwdb;
        struct ids_db pci, usb;
};

static void ids_db_done(struct ids_db *db) {
        hashmap_free(db->map);
        free(db->keys);
        free(db->buf);
}

struct hd_names *hd_names_free(struct hd_names *n) {
        if (!n)
                return NULL;
        sd_hwdb_unref(n->hwdb);
        ids_db_done(&n->pci);
        ids_db_done(&n->usb);
        free(n);
        return NULL;
}

static struct hd_names *names_get(struct hd_context *ctx) {
        if (!ctx->names)
                ctx->names = calloc(1, sizeof(struct hd_names));
        return ctx->names;
}

static int read_file(const char *path, char **ret) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t n;

        if (!f)
                return -errno;
        if (fstat(fileno(f), &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        buf = malloc((size_t)st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        n = fread(buf, 1, (size_t)st.st_size, f);
        if (ferror(f))
                return -EIO;
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

/* "10d3  82574L Gigabit ..." -> the id and the name after the two spaces. */
static bool parse_id_line(char *l, unsigned *ret_id, char **ret_name) {
        char *name;
        for (int i = 0; i < 4; i++)
                if (!isxdigit((unsigned char)l[i]))
                        return false;
        if (l[4] != ' ')
                return false;
        name = l + 4;
        while (*name == ' ' || *name == '\t')
                name++;
        strstrip_right(name);
        if (!*name)
                return false;
        l[4] = 0;
        *ret_id = (unsigned)strtoul(l, NULL, 16);
        *ret_name = name;
        return true;
}

/*
 * The vendor list of pci.ids/usb.ids: a vendor at the start of a line,
 * its devices after one tab, subsystems (ignored: libvirt names the
 * device, not the board) after two. The list ends at the first other
 * top-level section ("C 00  Unclassified device", usb.ids' "AT" ...).
 */
static int ids_parse(struct ids_db *db) {
        size_t lines = 1, used = 0;
        char *save = NULL;
        int vendor = -1;

        /* Size the map for vendors and devices; subsystem lines (two tabs) are not kept. */
        for (const char *p = db->buf; *p; p++)
                lines += p[0] == '\n' && !(p[1] == '\t' && p[2] == '\t');
        db->keys = malloc(lines * 9);
        db->map = hashmap_new(lines);
        if (!db->keys || !db->map)
                return -ENOMEM;
        for (char *l = strtok_r(db->buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                unsigned id;
                char *name, *key = db->keys + used;
                int r;

                if (l[0] == '#' || l[0] == '\r' || l[0] == 0)
                        continue;
                if (l[0] == '\t' && l[1] == '\t')
                        continue;
                if (l[0] == '\t') {
                        if (vendor < 0 || !parse_id_line(l + 1, &id, &name))
                                continue;
                        snprintf(key, 9, "%04x%04x", (unsigned)vendor & 0xffff, id & 0xffff);
                } else {
                        if (!parse_id_line(l, &id, &name))
                                break;
                        vendor = (int)id;
                        snprintf(key, 9, "%04x", id & 0xffff);
                }
                r = hashmap_put(db->map, key, name);
                if (r == -ENOMEM)
                        return r;
                if (r == 0)
                        used += strlen(key) + 1;
        }
        return 0;
}

/* Load FILE (pci.ids or usb.ids) once; false when there is none. */
static bool ids_load(struct ids_db *db, const char *file) {
        static const char *const system_dirs[] = { "/usr/share/hwdata", "/usr/share/misc",
                                                   "/usr/share", "/var/lib/usbutils", NULL };
        const char *env = getenv("HOSTDEV_IDS_DIR");
        const char *only[] = { env, NULL };
        const char *const *dirs = isempty(env) ? system_dirs : only;

        if (db->tried)
                return db->map != NULL;
        db->tried = true;
        for (size_t i = 0; dirs[i] && !db->buf; i++) {
                _cleanup_free_ char *path = strdupf("%s/%s", dirs[i], file);
                if (path)
                        (void)read_file(path, &db->buf); /* sets buf only on success */
        }
        if (!db->buf)
                return false;
        if (ids_parse(db) < 0) {
                ids_db_done(db);
                *db = (struct ids_db){ .tried = true };
                return false;
        }
        return true;
}

static char *ids_get(struct ids_db *db, unsigned vendor, int device) {
        char key[9];
        if (device < 0)
                snprintf(key, sizeof(key), "%04x", vendor & 0xffff);
        else
                snprintf(key, sizeof(key), "%04x%04x", vendor & 0xffff, (unsigned)device & 0xffff);
        return strdup_or_null(hashmap_get(db->map, key));
}

static bool hwdb_available(struct hd_names *n) {
        const char *path;

        if (n->hwdb_tried)
                return n->hwdb != NULL;
        n->hwdb_tried = true;
        path = getenv("HOSTDEV_HWDB");
        if (!isempty(path)) {
                if (sd_hwdb_new_from_path(path, &n->hwdb) < 0)
                        n->hwdb = NULL;
        } else if (isempty(getenv("HOSTDEV_IDS_DIR")) && sd_hwdb_new(&n->hwdb) < 0)
                n->hwdb = NULL;
        return n->hwdb != NULL;
}

static char *hwdb_get(struct hd_names *n, const char *modalias, const char *key) {
        const char *v = NULL;
        if (sd_hwdb_get(n->hwdb, modalias, key, &v) < 0 || isempty(v))
                return NULL;
        return strdup(v);
}

/*
 * The hwdb keys are modalias patterns ("pci:v00008086*",
 * "pci:v00008086d000010D3*"): a prefix of a device's modalias matches the
 * vendor's and the model's entries but not the subsystems'.
 */
static char *pci_name(struct hd_context *ctx, unsigned vendor, int device) {
        struct hd_names *n = names_get(ctx);
        char modalias[32];

        if (!n)
                return NULL;
        if (ids_load(&n->pci, "pci.ids"))
                return ids_get(&n->pci, vendor, device);
        if (!hwdb_available(n))
                return NULL;
        if (device < 0) {
                snprintf(modalias, sizeof(modalias), "pci:v%08X", vendor);
                return hwdb_get(n, modalias, "ID_VENDOR_FROM_DATABASE");
        }
        snprintf(modalias, sizeof(modalias), "pci:v%08Xd%08X", vendor, (unsigned)device);
        return hwdb_get(n, modalias, "ID_MODEL_FROM_DATABASE");
}

static char *usb_name(struct hd_context *ctx, unsigned vendor, int product) {
        struct hd_names *n = names_get(ctx);
        char modalias[32];

        if (!n)
                return NULL;
        if (hwdb_available(n)) {
                if (product < 0) {
                        snprintf(modalias, sizeof(modalias), "usb:v%04X", vendor & 0xffff);
                        return hwdb_get(n, modalias, "ID_VENDOR_FROM_DATABASE");
                }
                snprintf(modalias, sizeof(modalias), "usb:v%04Xp%04X", vendor & 0xffff,
                         (unsigned)product & 0xffff);
                return hwdb_get(n, modalias, "ID_MODEL_FROM_DATABASE");
        }
        if (ids_load(&n->usb, "usb.ids"))
                return ids_get(&n->usb, vendor, product);
        return NULL;
}

char *hd_names_pci_vendor(struct hd_context *ctx, unsigned vendor) {
        return pci_name(ctx, vendor, -1);
}

char *hd_names_pci_product(struct hd_context *ctx, unsigned vendor, unsigned device) {
        return pci_name(ctx, vendor, (int)(device & 0xffff));
}

char *hd_names_usb_vendor(struct hd_context *ctx, unsigned vendor) {
        return usb_name(ctx, vendor, -1);
}

char *hd_names_usb_product(struct hd_context *ctx, unsigned vendor, unsigned product) {
        return usb_name(ctx, vendor, (int)(product & 0xffff));
}
