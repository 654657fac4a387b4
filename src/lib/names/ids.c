/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hwdata's pci.ids and usb.ids, looked up in place: the file is mapped, never parsed whole. */
#include <ctype.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "ids.h"
#include "util/hashmap.h"
#include "util/macro.h"
#include "util/strutil.h"

/*
 * The files list vendors at the start of a line ("8086  Intel Corporation"),
 * sorted by id, each followed by its devices after one tab (sorted too) and
 * their subsystems after two. Parsing all of pci.ids (1.3 MB) costs several
 * milliseconds, more than `hostdev show` itself; a binary search over the
 * mapped text answers a lookup in microseconds. hwdata keeps its files
 * sorted; a file from HOSTDEV_IDS_DIR (a test's) need not be, so there a
 * miss is decided by one pass over the lines. The cache keeps either answer.
 * The sections after the vendors (classes "C 00", usb.ids' "AT", "HID" ...)
 * never read as a vendor line ("XXXX  name", four hex digits at the start),
 * so the whole file can be searched.
 */

static const char unknown[] = ""; /* cached "no name" */

static void db_own(struct ids_db *db, char *s) {
        if (db->n_owned == db->cap_owned) {
                size_t ncap = db->cap_owned ? db->cap_owned * 2 : 64;
                char **n = realloc(db->owned, ncap * sizeof(char *));
                if (!n) {
                        free(s);
                        return;
                }
                db->owned = n;
                db->cap_owned = ncap;
        }
        db->owned[db->n_owned++] = s;
}

bool ids_open(struct ids_db *db, const char *dir, const char *file) {
        static const char *const system_dirs[] = { "/usr/share/hwdata", "/usr/share/misc",
                                                   "/usr/share", "/var/lib/usbutils", NULL };
        const char *only[] = { dir, NULL };
        const char *const *dirs = isempty(dir) ? system_dirs : only;
        if (db->tried)
                return db->text != NULL;
        db->tried = true;
        for (size_t i = 0; dirs[i] && !db->text; i++) {
                _cleanup_free_ char *path = strdupf("%s/%s", dirs[i], file);
                _cleanup_close_ int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
                struct stat st;
                void *p;
                if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
                        continue;
                p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
                if (p == MAP_FAILED)
                        continue;
                db->text = p;
                db->len = (size_t)st.st_size;
        }
        if (!db->text)
                return false;
        db->cache = hashmap_new(64);
        if (!db->cache) {
                ids_close(db);
                *db = (struct ids_db){ .tried = true };
                return false;
        }
        db->vendors_end = db->len;
        db->sorted = isempty(dir);
        return true;
}

void ids_close(struct ids_db *db) {
        if (db->text)
                munmap((void *)db->text, db->len);
        hashmap_free(db->cache);
        for (size_t i = 0; i < db->n_owned; i++)
                free(db->owned[i]);
        free(db->owned);
}

static size_t line_end(const struct ids_db *db, size_t p, size_t limit) {
        const char *nl = memchr(db->text + p, '\n', limit - p);
        return nl ? (size_t)(nl - db->text) : limit;
}

/* "10d3  82574L ..." at P: the id; -1 when the line is not an id line. */
static int line_id(const struct ids_db *db, size_t p, size_t limit) {
        unsigned v = 0;
        if (p + 5 > limit)
                return -1;
        for (int i = 0; i < 4; i++) {
                char c = db->text[p + i];
                if (!isxdigit((unsigned char)c))
                        return -1;
                v = v * 16 + (unsigned)(isdigit((unsigned char)c) ? c - '0' : (tolower(c) - 'a' + 10));
        }
        return db->text[p + 4] == ' ' ? (int)v : -1;
}

static char *line_name(const struct ids_db *db, size_t p, size_t limit) {
        size_t e = line_end(db, p, limit);
        p += 4;
        while (p < e && (db->text[p] == ' ' || db->text[p] == '\t'))
                p++;
        while (e > p && isspace((unsigned char)db->text[e - 1]))
                e--;
        return e > p ? strndup(db->text + p, e - p) : NULL;
}

/*
 * The offset of the first vendor line that starts at or after P and before
 * LIMIT, or LIMIT. Only the start is bounded: the line itself is read to its end.
 */
static size_t next_vendor_line(const struct ids_db *db, size_t p, size_t limit) {
        size_t len = db->vendors_end;
        if (p > 0 && db->text[p - 1] != '\n')
                p = line_end(db, p, len) + 1;
        while (p < limit) {
                if (line_id(db, p, len) >= 0)
                        return p;
                p = line_end(db, p, len) + 1;
        }
        return limit;
}

static size_t find_vendor_linear(const struct ids_db *db, unsigned vendor) {
        for (size_t p = 0; p < db->vendors_end; p = line_end(db, p, db->vendors_end) + 1)
                if (line_id(db, p, db->vendors_end) == (int)vendor)
                        return p;
        return SIZE_MAX;
}

static size_t find_vendor(const struct ids_db *db, unsigned vendor) {
        size_t lo = 0, hi = db->vendors_end;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2, p = next_vendor_line(db, mid, hi);
                int id;
                if (p >= hi) {
                        hi = mid; /* no vendor line in [mid, hi): look left */
                        continue;
                }
                id = line_id(db, p, db->vendors_end);
                if ((unsigned)id == vendor)
                        return p;
                if ((unsigned)id < vendor)
                        lo = line_end(db, p, db->vendors_end) + 1;
                else
                        hi = mid;
        }
        return db->sorted ? SIZE_MAX : find_vendor_linear(db, vendor);
}

static char *lookup_uncached(const struct ids_db *db, unsigned vendor, int device) {
        size_t p = find_vendor(db, vendor), limit = db->vendors_end;
        if (p == SIZE_MAX)
                return NULL;
        if (device < 0)
                return line_name(db, p, limit);
        /* The vendor's devices: lines after it with one tab, up to the next vendor line. */
        for (p = line_end(db, p, limit) + 1; p < limit; p = line_end(db, p, limit) + 1) {
                int id;
                if (db->text[p] == '#')
                        continue;
                if (db->text[p] != '\t')
                        break;
                if (p + 1 < limit && db->text[p + 1] == '\t')
                        continue; /* a subsystem: libvirt names the device, not the board */
                id = line_id(db, p + 1, limit);
                if (id == device)
                        return line_name(db, p + 1, limit);
        }
        return NULL;
}

char *ids_lookup(struct ids_db *db, unsigned vendor, int device) {
        char key[9];
        char *name, *hit;

        if (device < 0)
                snprintf(key, sizeof(key), "%04x", vendor & 0xffff);
        else
                snprintf(key, sizeof(key), "%04x%04x", vendor & 0xffff, (unsigned)device & 0xffff);
        /* Thousands of VFs share one product: ask the file once per id. */
        hit = hashmap_get(db->cache, key);
        if (hit)
                return hit == unknown ? NULL : strdup(hit);
        name = lookup_uncached(db, vendor & 0xffff, device);
        {
                char *k = strdup(key);
                char *v = name ? strdup(name) : NULL;
                if (k && (v || !name) && hashmap_put(db->cache, k, v ? v : (char *)unknown) == 0) {
                        db_own(db, k);
                        if (v)
                                db_own(db, v);
                } else {
                        free(k);
                        free(v);
                }
        }
        return name;
}
