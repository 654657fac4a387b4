/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Attribute readers and located messages for the domain XML reader. */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

#include "domain-internal.h"
#include "util/strutil.h"

unsigned domxml_line(xmlNodePtr node) {
        long l = node ? xmlGetLineNo(node) : -1;
        return l > 0 && l <= UINT_MAX ? (unsigned)l : 0;
}

/* "FILE:LINE: PREFIX message" (LINE 0: "FILE: ..."). */
static int verror(struct parse_state *st, unsigned line, int err, const char *prefix, const char *fmt, va_list ap) {
        _cleanup_free_ char *msg = NULL;

        if (vasprintf(&msg, fmt, ap) < 0)
                return -ENOMEM;
        if (!line)
                return hd_error(st->ctx, err, "%s: %s%s", st->filename, prefix, msg);
        return hd_error(st->ctx, err, "%s:%u: %s%s", st->filename, line, prefix, msg);
}

int domxml_line_error(struct parse_state *st, unsigned line, int err, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = verror(st, line, err, "", fmt, ap);
        va_end(ap);
        return r;
}

int domxml_parse_error(struct parse_state *st, xmlNodePtr node, int err, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = verror(st, domxml_line(node), err, "", fmt, ap);
        va_end(ap);
        return r;
}

int domxml_attr_error(struct parse_state *st, xmlNodePtr node, const char *attr, const char *value,
                      const char *fmt, ...) {
        _cleanup_free_ char *prefix = NULL;
        va_list ap;
        int r;

        prefix = strdupf("<%s %s='%s'>: ", (const char *)node->name, attr, value);
        if (!prefix)
                return -ENOMEM;
        va_start(ap, fmt);
        r = verror(st, domxml_line(node), -EINVAL, prefix, fmt, ap);
        va_end(ap);
        return r;
}

char *domxml_attr(xmlNodePtr node, const char *name) {
        xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);
        char *s;

        if (!v)
                return NULL;
        s = strdup((const char *)v);
        xmlFree(v);
        return s;
}

bool domxml_has_attr(xmlNodePtr node, const char *name) {
        return xmlHasNsProp(node, (const xmlChar *)name, NULL) != NULL;
}

bool domxml_is(xmlNodePtr node, const char *name) {
        return node->type == XML_ELEMENT_NODE && streq((const char *)node->name, name);
}

xmlNodePtr domxml_child(xmlNodePtr node, const char *name) {
        for (xmlNodePtr c = node->children; c; c = c->next)
                if (domxml_is(c, name))
                        return c;
        return NULL;
}

char *domxml_text(xmlNodePtr node) {
        xmlChar *v = xmlNodeGetContent(node);
        char *s;

        if (!v)
                return strdup("");
        s = strdup((const char *)v);
        xmlFree(v);
        return s;
}

int domxml_attr_uint(struct parse_state *st, xmlNodePtr node, const char *name, int base,
                     unsigned long long max, const char *range, unsigned long long *ret) {
        _cleanup_free_ char *v = domxml_attr(node, name);
        unsigned long long n;
        char *end;

        if (!v)
                return 0;
        /* strtoull would take "-1", " 1" and "+1"; libvirt's readers do not. */
        if (!isdigit((unsigned char)v[0]))
                return domxml_attr_error(st, node, name, v, "not a number; %s", range);
        errno = 0;
        n = strtoull(v, &end, base);
        if (errno == ERANGE || n > max)
                return domxml_attr_error(st, node, name, v, "out of range; %s", range);
        if (errno != 0 || *end != 0)
                return domxml_attr_error(st, node, name, v, "not a number; %s", range);
        *ret = n;
        return 1;
}

int domxml_attr_u(struct parse_state *st, xmlNodePtr node, const char *name, int base, unsigned max,
                  const char *range, unsigned *ret) {
        unsigned long long n;
        int r = domxml_attr_uint(st, node, name, base, max, range, &n);

        if (r > 0)
                *ret = (unsigned)n;
        return r;
}

int domxml_attr_u_required(struct parse_state *st, xmlNodePtr node, const char *name, int base, unsigned max,
                           const char *range, unsigned *ret) {
        int r = domxml_attr_u(st, node, name, base, max, range, ret);

        if (r == 0)
                return domxml_parse_error(st, node, -EINVAL, "<%s> has no %s; add %s='...' (%s)",
                                          (const char *)node->name, name, name, range);
        return r;
}

int domxml_attr_tristate(struct parse_state *st, xmlNodePtr node, const char *name, bool on_off,
                         enum hd_tristate *ret) {
        _cleanup_free_ char *v = domxml_attr(node, name);
        const char *yes = on_off ? "on" : "yes", *no = on_off ? "off" : "no";

        if (!v)
                return 0;
        if (streq(v, yes))
                *ret = HD_TRISTATE_YES;
        else if (streq(v, no))
                *ret = HD_TRISTATE_NO;
        else
                return domxml_attr_error(st, node, name, v, "expected '%s' or '%s'; write %s='%s' or %s='%s'",
                                         yes, no, name, yes, name, no);
        return 1;
}

int domxml_attr_string_required(struct parse_state *st, xmlNodePtr node, const char *name, char **ret) {
        char *v = domxml_attr(node, name);

        if (isempty(v)) {
                free(v);
                return domxml_parse_error(st, node, -EINVAL, "<%s> has no %s; add %s='...'",
                                          (const char *)node->name, name, name);
        }
        *ret = v;
        return 1;
}

bool domxml_name_valid(const char *s, const char *extra) {
        if (isempty(s))
                return false;
        for (; *s; s++)
                if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
                        return false;
        return true;
}

int domxml_uuid_normalize(const char *s, char out[static 37]) {
        char dashed[37];
        uuid_t u;
        size_t n = strlen(s);

        /* libvirt takes both spellings; the schema's UUID type lists both. */
        if (n == 32) {
                for (size_t i = 0; i < 32; i++)
                        if (!isxdigit((unsigned char)s[i]))
                                return -EINVAL;
                snprintf(dashed, sizeof(dashed), "%.8s-%.4s-%.4s-%.4s-%.12s", s, s + 8, s + 12, s + 16,
                         s + 20);
                s = dashed;
        } else if (n != 36)
                return -EINVAL;
        if (uuid_parse(s, u) < 0)
                return -EINVAL;
        uuid_unparse_lower(u, out);
        return 0;
}

int domxml_attr_uuid(struct parse_state *st, xmlNodePtr node, const char *name, char out[static 37]) {
        _cleanup_free_ char *v = domxml_attr(node, name);

        if (!v)
                return 0;
        if (domxml_uuid_normalize(v, out) < 0)
                return domxml_attr_error(st, node, name, v,
                                         "not a UUID; write 36 characters like "
                                         "'c2177883-f1bb-47f0-914d-32a22e3a8804' (uuidgen makes one)");
        return 1;
}
