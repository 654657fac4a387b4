/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* String helpers: growable buffers, string vectors, prefixes. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

const char *startswith(const char *s, const char *prefix) {
        size_t n = strlen(prefix);
        return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

bool endswith(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && strcmp(s + n - m, suffix) == 0;
}

char *strdup_or_null(const char *s) {
        return s ? strdup(s) : NULL;
}

char *strdupf(const char *fmt, ...) {
        va_list ap;
        char *s;
        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        return s;
}

char *strstrip_right(char *s) {
        size_t n = strlen(s);
        while (n > 0 && isspace((unsigned char)s[n - 1]))
                s[--n] = 0;
        return s;
}

void strv_free(char **v) {
        if (!v)
                return;
        for (char **i = v; *i; i++)
                free(*i);
        free(v);
}

size_t strv_length(char *const *v) {
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

int strv_push(char ***v, char *s) {
        size_t n = strv_length(*v);
        char **nv;
        if (!s)
                return -ENOMEM;
        nv = realloc(*v, (n + 2) * sizeof(char *));
        if (!nv) {
                free(s);
                return -ENOMEM;
        }
        nv[n] = s;
        nv[n + 1] = NULL;
        *v = nv;
        return 0;
}

int strv_extend(char ***v, const char *s) {
        return strv_push(v, strdup(s));
}

bool strv_contains(char *const *v, const char *s) {
        for (size_t i = 0; v && v[i]; i++)
                if (streq(v[i], s))
                        return true;
        return false;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort(char **v) {
        size_t n = strv_length(v);
        /* An empty vector may be NULL, and qsort(NULL, 0, ...) is undefined behaviour. */
        if (n > 1)
                qsort(v, n, sizeof(char *), cmp_str);
}

static void strbuf_reserve(struct strbuf *b, size_t extra) {
        size_t need = b->len + extra + 1;
        char *ns;
        if (b->oom || need <= b->cap)
                return;
        size_t cap = b->cap ? b->cap : 64;
        while (cap < need)
                cap *= 2;
        ns = realloc(b->s, cap);
        if (!ns) {
                b->oom = true;
                return;
        }
        b->s = ns;
        b->cap = cap;
}

void strbuf_append(struct strbuf *b, const char *s) {
        size_t n = strlen(s);
        strbuf_reserve(b, n);
        if (b->oom)
                return;
        memcpy(b->s + b->len, s, n + 1);
        b->len += n;
}

void strbuf_appendf(struct strbuf *b, const char *fmt, ...) {
        va_list ap;
        int n;
        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
                b->oom = true;
                return;
        }
        strbuf_reserve(b, (size_t)n);
        if (b->oom)
                return;
        va_start(ap, fmt);
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        b->len += (size_t)n;
}

char *strbuf_steal(struct strbuf *b) {
        char *s;
        if (b->oom) {
                strbuf_done(b);
                return NULL;
        }
        s = b->s ? b->s : strdup("");
        b->s = NULL;
        b->len = b->cap = 0;
        return s;
}

void strbuf_done(struct strbuf *b) {
        free(b->s);
        b->s = NULL;
        b->len = b->cap = 0;
        b->oom = false;
}

bool filename_is_safe(const char *s) {
        return !isempty(s) && !strchr(s, '/') && !streq(s, ".") && !streq(s, "..");
}
