/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* String helpers: growable buffers, string vectors, prefixes. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

const char *startswith(const char *s, const char *prefix);
bool endswith(const char *s, const char *suffix);
char *strdup_or_null(const char *s);
/* Like asprintf() but returns NULL on failure. */
char *strdupf(const char *fmt, ...) _printf_(1, 2);
/* Remove trailing whitespace (kernel attributes end with '\n'). */
char *strstrip_right(char *s);

/* NULL-terminated vectors of owned strings. */
void strv_free(char **v);
size_t strv_length(char *const *v);
int strv_push(char ***v, char *s); /* takes s, even on failure */
int strv_extend(char ***v, const char *s);
bool strv_contains(char *const *v, const char *s);
void strv_sort(char **v);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free)
#define _cleanup_strv_free_ _cleanup_(strv_freep)

/* Growable string buffer. */
struct strbuf {
        char *s;
        size_t len, cap;
        bool oom;
};
void strbuf_append(struct strbuf *b, const char *s);
void strbuf_appendf(struct strbuf *b, const char *fmt, ...) _printf_(2, 3);
char *strbuf_steal(struct strbuf *b); /* NULL if out of memory */
void strbuf_done(struct strbuf *b);

/* Names that may safely become one path component: not empty, no '/', not "." or "..". */
bool filename_is_safe(const char *s);

/*
 * One to/from-string pair per enum, from the same X-macro list that made the
 * enum (X(ID, "string") entries; enum { LIST(ENUM_ENTRY) _MAX }): NAME_to_string(v) gives NULL for a value
 * out of range, NAME_from_string(s) gives -1 for a string not in the list.
 */
#define ENUM_ENTRY(id, str) id,
#define STRING_TABLE_ENTRY_(id, str) [id] = str,
#define STRING_TABLE(name, type, LIST, max)                                                                  \
        static const char *const name##_table[max] = { LIST(STRING_TABLE_ENTRY_) };                          \
        const char *name##_to_string(type v) {                                                               \
                return (int)v >= 0 && (int)v < (max) ? name##_table[v] : NULL;                               \
        }                                                                                                    \
        type name##_from_string(const char *s) {                                                             \
                for (int i = 0; s && i < (max); i++)                                                         \
                        if (streq(name##_table[i], s))                                                       \
                                return (type)i;                                                              \
                return (type)-1;                                                                             \
        }
