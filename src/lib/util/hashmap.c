/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A string-keyed hash map (open addressing); keys are borrowed, not copied. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"

struct entry {
        const char *key;
        void *value;
        uint64_t hash;
};

struct hashmap {
        struct entry *e;
        size_t cap, n; /* cap is a power of two */
};

/* FNV-1a: short keys, no adversary to defend against here. */
static uint64_t hash_str(const char *s) {
        uint64_t h = 1469598103934665603ULL;
        for (; *s; s++) {
                h ^= (unsigned char)*s;
                h *= 1099511628211ULL;
        }
        return h;
}

struct hashmap *hashmap_new(size_t expected) {
        struct hashmap *m = calloc(1, sizeof(*m));
        size_t cap = 16;
        if (!m)
                return NULL;
        while (cap < expected * 2)
                cap *= 2;
        m->e = calloc(cap, sizeof(struct entry));
        if (!m->e) {
                free(m);
                return NULL;
        }
        m->cap = cap;
        return m;
}

void hashmap_free(struct hashmap *m) {
        if (!m)
                return;
        free(m->e);
        free(m);
}

static struct entry *find_slot(struct entry *e, size_t cap, const char *key, uint64_t h) {
        size_t i = h & (cap - 1);
        while (e[i].key && (e[i].hash != h || strcmp(e[i].key, key) != 0))
                i = (i + 1) & (cap - 1);
        return &e[i];
}

static int grow(struct hashmap *m) {
        size_t ncap = m->cap * 2;
        struct entry *ne = calloc(ncap, sizeof(struct entry));
        if (!ne)
                return -ENOMEM;
        for (size_t i = 0; i < m->cap; i++)
                if (m->e[i].key)
                        *find_slot(ne, ncap, m->e[i].key, m->e[i].hash) = m->e[i];
        free(m->e);
        m->e = ne;
        m->cap = ncap;
        return 0;
}

int hashmap_put(struct hashmap *m, const char *key, void *value) {
        uint64_t h = hash_str(key);
        struct entry *s;
        if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
                return -ENOMEM;
        s = find_slot(m->e, m->cap, key, h);
        if (s->key)
                return -EEXIST;
        s->key = key;
        s->value = value;
        s->hash = h;
        m->n++;
        return 0;
}

void *hashmap_get(const struct hashmap *m, const char *key) {
        struct entry *s;
        if (!m)
                return NULL;
        s = find_slot(m->e, m->cap, key, hash_str(key));
        return s->key ? s->value : NULL;
}

size_t hashmap_size(const struct hashmap *m) {
        return m ? m->n : 0;
}
