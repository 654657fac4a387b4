/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A line writer for libvirt-style XML: two-space indent, single quotes, libxml2 escaping. */
#pragma once

#include <stdbool.h>
#include <libxml/tree.h>

#include "util/macro.h"

/*
 * libvirt writes its XML line by line with a buffer, not with a tree
 * serializer: `<product id='0x1234' />` with a space in one place and
 * without in another, empty elements on two lines. Writing lines the same
 * way is the only way to match `virsh nodedev-dumpxml` byte for byte.
 */
struct xw {
        xmlBufferPtr buf;
        int indent;
        bool oom;
};

int xw_init(struct xw *w);
void xw_done(struct xw *w);
/* The document, or NULL when memory ran out. */
char *xw_steal(struct xw *w);

/* Indent, then FMT, then a newline. FMT's arguments are not escaped: numbers and fixed names only. */
void xw_line(struct xw *w, const char *fmt, ...) _printf_(2, 3);
/* A line that opens an element; the lines after it are indented one more step. */
void xw_open(struct xw *w, const char *fmt, ...) _printf_(2, 3);
/* One step back, then </NAME>. */
void xw_close(struct xw *w, const char *name);
/* <NAME>TEXT</NAME> with TEXT escaped; nothing when TEXT is NULL. */
void xw_elem(struct xw *w, const char *name, const char *text);

/* A line built in pieces: xw_begin, any number of xw_raw/xw_rawf/xw_esc, xw_end. */
void xw_begin(struct xw *w);
void xw_raw(struct xw *w, const char *s);
void xw_rawf(struct xw *w, const char *fmt, ...) _printf_(2, 3);
/* TEXT escaped for element content. */
void xw_esc(struct xw *w, const char *text);
/* TEXT escaped for a single-quoted attribute value. */
void xw_esc_attr(struct xw *w, const char *text);
void xw_end(struct xw *w);
