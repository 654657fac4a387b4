/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A string-keyed hash map (open addressing); keys are borrowed, not copied. */
#pragma once

#include <stddef.h>

struct hashmap;

struct hashmap *hashmap_new(size_t expected);
void hashmap_free(struct hashmap *m);
/* -EEXIST when KEY is there already, -ENOMEM. KEY must outlive the map. */
int hashmap_put(struct hashmap *m, const char *key, void *value);
void *hashmap_get(const struct hashmap *m, const char *key);
size_t hashmap_size(const struct hashmap *m);
