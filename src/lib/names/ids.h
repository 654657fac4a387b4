/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hwdata's pci.ids and usb.ids, looked up in place: the file is mapped, never parsed whole. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct hashmap;

struct ids_db {
        bool tried;
        const char *text;    /* the mapped file */
        size_t len;
        size_t vendors_end;  /* where the search stops: the end of the file */
        bool sorted;         /* hwdata's own file: a binary search's miss is final */
        struct hashmap *cache; /* "vvvv" / "vvvvdddd" -> name or the "unknown" marker */
        char **owned;        /* the cache's keys and names, to free */
        size_t n_owned, cap_owned;
};

/* Map FILE from the ids folders (DIR only, when not NULL) once; false when there is none. */
bool ids_open(struct ids_db *db, const char *dir, const char *file);
/* The vendor's name (DEVICE < 0) or the device's; a new string, NULL when the file has none. */
char *ids_lookup(struct ids_db *db, unsigned vendor, int device);
void ids_close(struct ids_db *db);
