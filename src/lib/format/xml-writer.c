/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A line writer for libvirt-style XML: two-space indent, single quotes, libxml2 escaping. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libxml/entities.h>

#include "xml-writer.h"

int xw_init(struct xw *w) {
        *w = (struct xw){ .buf = xmlBufferCreate() };
        return w->buf ? 0 : -ENOMEM;
}

void xw_done(struct xw *w) {
        if (w->buf)
                xmlBufferFree(w->buf);
        w->buf = NULL;
}

char *xw_steal(struct xw *w) {
        if (w->oom || !w->buf)
                return NULL;
        return strdup((const char *)xmlBufferContent(w->buf));
}

void xw_raw(struct xw *w, const char *s) {
        if (!w->oom && xmlBufferCat(w->buf, (const xmlChar *)s) != 0)
                w->oom = true;
}

static void xw_vrawf(struct xw *w, const char *fmt, va_list ap) {
        char *s;
        if (vasprintf(&s, fmt, ap) < 0) {
                w->oom = true;
                return;
        }
        xw_raw(w, s);
        free(s);
}

void xw_rawf(struct xw *w, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        xw_vrawf(w, fmt, ap);
        va_end(ap);
}

void xw_begin(struct xw *w) {
        for (int i = 0; i < w->indent; i++)
                xw_raw(w, " ");
}

void xw_end(struct xw *w) {
        xw_raw(w, "\n");
}

void xw_line(struct xw *w, const char *fmt, ...) {
        va_list ap;
        xw_begin(w);
        va_start(ap, fmt);
        xw_vrawf(w, fmt, ap);
        va_end(ap);
        xw_end(w);
}

void xw_open(struct xw *w, const char *fmt, ...) {
        va_list ap;
        xw_begin(w);
        va_start(ap, fmt);
        xw_vrawf(w, fmt, ap);
        va_end(ap);
        xw_end(w);
        w->indent += 2;
}

void xw_close(struct xw *w, const char *name) {
        w->indent -= 2;
        xw_line(w, "</%s>", name);
}

static void escape(struct xw *w, const char *text, bool attr) {
        const char *special = attr ? "'\t\n" : "'";
        xmlChar *e;

        if (!text)
                return;
        /* libxml2 escapes & < > " and CR; it leaves the apostrophe, which
         * libvirt escapes too and which would end a single-quoted attribute.
         * In attributes, tabs and newlines become references so the value
         * survives the parser's whitespace normalisation. */
        e = xmlEncodeSpecialChars(NULL, (const xmlChar *)text);
        if (!e) {
                w->oom = true;
                return;
        }
        for (const char *p = (const char *)e; *p; p++) {
                const char *seg = p;
                size_t n = strcspn(p, special);
                if (n > 0 && !w->oom && xmlBufferAdd(w->buf, (const xmlChar *)seg, (int)n) != 0)
                        w->oom = true;
                p += n;
                if (!*p)
                        break;
                xw_raw(w, *p == '\'' ? "&apos;" : *p == '\t' ? "&#9;" : "&#10;");
        }
        xmlFree(e);
}

void xw_esc(struct xw *w, const char *text) {
        escape(w, text, false);
}

void xw_esc_attr(struct xw *w, const char *text) {
        escape(w, text, true);
}

void xw_elem(struct xw *w, const char *name, const char *text) {
        if (!text)
                return;
        xw_begin(w);
        xw_rawf(w, "<%s>", name);
        xw_esc(w, text);
        xw_rawf(w, "</%s>", name);
        xw_end(w);
}
