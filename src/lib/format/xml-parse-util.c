/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers the node device XML parser's files share: walking elements, reading text and numbers. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/strutil.h"
#include "xml-parse.h"

static bool name_is(xmlNodePtr n, const char *name) {
        return n->type == XML_ELEMENT_NODE && (!name || xmlStrEqual(n->name, (const xmlChar *)name));
}

xmlNodePtr xp_child(xmlNodePtr n, const char *name) {
        for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
                if (name_is(c, name))
                        return c;
        return NULL;
}

xmlNodePtr xp_next(xmlNodePtr n, const char *name) {
        for (xmlNodePtr c = n ? n->next : NULL; c; c = c->next)
                if (name_is(c, name))
                        return c;
        return NULL;
}

int xp_error(struct hd_context *ctx, xmlNodePtr n, int err, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return err;
        return hd_error(ctx, err, "node device XML:%ld: %s", n ? xmlGetLineNo(n) : 0L, msg);
}

/* libxml2 hands out xmlMalloc'd strings; the model holds malloc'd ones. */
static int take_xml_string(xmlChar *x, char **ret) {
        char *s = NULL;
        if (x && *x) {
                s = strdup((const char *)x);
                if (!s) {
                        xmlFree(x);
                        return -ENOMEM;
                }
        }
        xmlFree(x);
        free(*ret);
        *ret = s;
        return 0;
}

int xp_text(xmlNodePtr n, char **ret) {
        if (!n) {
                *ret = mfree(*ret);
                return 0;
        }
        return take_xml_string(xmlNodeGetContent(n), ret);
}

int xp_child_text(xmlNodePtr n, const char *name, char **ret) {
        return xp_text(xp_child(n, name), ret);
}

/* "<capability type='pci'>", "<iommuGroup>": the element as a person finds it in the document. */
static const char *describe(xmlNodePtr n, char *buf, size_t size) {
        _cleanup_free_ char *type = NULL;

        (void)xp_prop(n, "type", &type);
        if (type)
                snprintf(buf, size, "<%s type='%s'>", (const char *)n->name, type);
        else
                snprintf(buf, size, "<%s>", (const char *)n->name);
        return buf;
}

int xp_child_text_req(struct hd_context *ctx, xmlNodePtr n, const char *name, char **ret) {
        char d[128];
        int r = xp_child_text(n, name, ret);
        if (r < 0)
                return r;
        if (!*ret)
                return xp_error(ctx, n, -EINVAL, "%s has no <%s>", describe(n, d, sizeof(d)), name);
        return 0;
}

int xp_prop(xmlNodePtr n, const char *name, char **ret) {
        return take_xml_string(xmlGetProp(n, (const xmlChar *)name), ret);
}

static int parse_u64(const char *s, int base, uint64_t max, uint64_t *ret) {
        char *end;
        unsigned long long v;

        while (isspace((unsigned char)*s))
                s++;
        if (!isxdigit((unsigned char)*s))
                return -EINVAL; /* strtoull would take a sign */
        if (base == 0)
                base = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10;
        errno = 0;
        v = strtoull(s, &end, base);
        if (errno != 0 || end == s)
                return -EINVAL;
        while (isspace((unsigned char)*end))
                end++;
        if (*end || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

static int number(struct hd_context *ctx, xmlNodePtr n, const char *what, const char *s, int base,
                  uint64_t max, uint64_t *ret) {
        if (parse_u64(s, base, max, ret) < 0)
                return xp_error(ctx, n, -EINVAL, "%s is '%s', not a%s number from 0 to %llu%s", what,
                                s, base == 16 ? " hexadecimal" : "", (unsigned long long)max,
                                base == 0 ? " (0x for hexadecimal)" : "");
        return 1;
}

int xp_child_u64(struct hd_context *ctx, xmlNodePtr n, const char *name, int base, bool required,
                 uint64_t max, uint64_t *ret) {
        _cleanup_free_ char *s = NULL, *what = NULL;
        xmlNodePtr c = xp_child(n, name);
        char d[128];
        int r;

        r = xp_text(c, &s);
        if (r < 0)
                return r;
        if (!s) {
                if (required)
                        return xp_error(ctx, c ? c : n, -EINVAL, c ? "%s has an empty <%s>" : "%s has no <%s>",
                                        describe(n, d, sizeof(d)), name);
                return 0;
        }
        what = strdupf("<%s>", name);
        if (!what)
                return -ENOMEM;
        return number(ctx, c, what, s, base, max, ret);
}

int xp_prop_u64(struct hd_context *ctx, xmlNodePtr n, const char *name, int base, bool required,
                uint64_t max, uint64_t *ret) {
        _cleanup_free_ char *s = NULL, *what = NULL;
        char d[128];
        int r;

        r = xp_prop(n, name, &s);
        if (r < 0)
                return r;
        if (!s) {
                if (required)
                        return xp_error(ctx, n, -EINVAL, "%s has no %s attribute",
                                        describe(n, d, sizeof(d)), name);
                return 0;
        }
        what = strdupf("<%s %s=>", (const char *)n->name, name);
        if (!what)
                return -ENOMEM;
        return number(ctx, n, what, s, base, max, ret);
}

int xp_child_uint(struct hd_context *ctx, xmlNodePtr n, const char *name, int base, bool required,
                  unsigned max, unsigned *ret) {
        uint64_t v;
        int r = xp_child_u64(ctx, n, name, base, required, max, &v);
        if (r > 0)
                *ret = (unsigned)v;
        return r;
}

int xp_prop_uint(struct hd_context *ctx, xmlNodePtr n, const char *name, int base, bool required,
                 unsigned max, unsigned *ret) {
        uint64_t v;
        int r = xp_prop_u64(ctx, n, name, base, required, max, &v);
        if (r > 0)
                *ret = (unsigned)v;
        return r;
}

int xp_pci_address(struct hd_context *ctx, xmlNodePtr n, struct hd_pci_addr *ret) {
        unsigned dom, bus, slot, fn;
        int r;

        if ((r = xp_prop_uint(ctx, n, "domain", 0, true, UINT32_MAX, &dom)) < 0 ||
            (r = xp_prop_uint(ctx, n, "bus", 0, true, 0xff, &bus)) < 0 ||
            (r = xp_prop_uint(ctx, n, "slot", 0, true, 0x1f, &slot)) < 0 ||
            (r = xp_prop_uint(ctx, n, "function", 0, true, 7, &fn)) < 0)
                return r;
        *ret = (struct hd_pci_addr){ .domain = dom, .bus = (uint8_t)bus, .slot = (uint8_t)slot,
                                     .function = (uint8_t)fn };
        return 0;
}
