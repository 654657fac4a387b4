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
