/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading a domain XML document (or bare device elements) into the model. */
#include <limits.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "domain-internal.h"
#include "util/strutil.h"

static void xml_doc_freep(xmlDocPtr *d) {
        if (*d)
                xmlFreeDoc(*d);
}
static void xml_parser_ctxt_freep(xmlParserCtxtPtr *c) {
        if (*c)
                xmlFreeParserCtxt(*c);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct hd_domain_def *, hd_domain_def_free)

/* Device elements of the model; other <interface> types are not ours to hand out. */
static bool is_device_element(xmlNodePtr n) {
        _cleanup_free_ char *type = NULL;

        if (domxml_is(n, "hostdev"))
                return true;
        if (!domxml_is(n, "interface"))
                return false;
        type = domxml_attr(n, "type");
        return type && streq(type, "hostdev");
}

static int add_device(struct parse_state *st, xmlNodePtr node, struct hd_domain_def *def) {
        struct hd_hostdev_def *a = reallocarray(def->hostdevs, def->n_hostdevs + 1, sizeof(*a));

        if (!a)
                return -ENOMEM;
        def->hostdevs = a;
        a = &def->hostdevs[def->n_hostdevs++];
        *a = (struct hd_hostdev_def){ 0 };
        return domxml_is(node, "hostdev") ? domxml_parse_hostdev(st, node, a)
                                          : domxml_parse_net_hostdev(st, node, a);
}

static int add_children(struct parse_state *st, xmlNodePtr parent, struct hd_domain_def *def) {
        int r;

        for (xmlNodePtr c = parent->children; c; c = c->next) {
                if (is_device_element(c))
                        r = add_device(st, c, def);
                else if (domxml_is(c, "controller"))
                        r = domxml_parse_controller(st, c, def);
                else
                        continue;
                if (r < 0)
                        return r;
        }
        return 0;
}

/* <os><type arch= machine=>: what the defaults of controllers depend on. */
static int parse_os(struct parse_state *st, xmlNodePtr root, struct hd_domain_def *def) {
        xmlNodePtr os = domxml_child(root, "os"), type = os ? domxml_child(os, "type") : NULL;

        if (!type)
                return 0;
        def->arch = domxml_attr(type, "arch");
        def->machine = domxml_attr(type, "machine");
        if ((domxml_has_attr(type, "arch") && !def->arch) || (domxml_has_attr(type, "machine") && !def->machine))
                return -ENOMEM;
        if ((def->arch && !domxml_name_valid(def->arch, "_")) ||
            (def->machine && !domxml_name_valid(def->machine, "_.-")))
                return domxml_parse_error(st, type, -EINVAL,
                                          "<type arch='%s' machine='%s'> is not an architecture and machine "
                                          "type; write them as QEMU names them (arch='x86_64' machine='q35')",
                                          def->arch ? def->arch : "", def->machine ? def->machine : "");
        return 0;
}

static int parse_domain(struct parse_state *st, xmlNodePtr root, struct hd_domain_def *def) {
        xmlNodePtr name = domxml_child(root, "name"), uuid = domxml_child(root, "uuid");
        int r;

        if (name) {
                def->name = domxml_text(name);
                if (!def->name)
                        return -ENOMEM;
                if (!def->name[0] || strchr(def->name, '\n'))
                        return domxml_parse_error(st, name, -EINVAL,
                                                  "<name> is empty or spans lines; give the domain a "
                                                  "one-line name");
        }
        if (uuid) {
                _cleanup_free_ char *s = domxml_text(uuid);
                if (!s)
                        return -ENOMEM;
                if (domxml_uuid_normalize(s, def->uuid) < 0)
                        return domxml_parse_error(st, uuid, -EINVAL,
                                                  "<uuid>%s</uuid> is not a UUID; write 36 characters like "
                                                  "'c2177883-f1bb-47f0-914d-32a22e3a8804' or leave it out",
                                                  s);
        }
        if ((r = parse_os(st, root, def)) < 0)
                return r;
        for (xmlNodePtr c = root->children; c; c = c->next)
                if (domxml_is(c, "devices") && (r = add_children(st, c, def)) < 0)
                        return r;
        return 0;
}

/*
 * A root that is neither a domain nor a device element is a wrapper of
 * device elements (<devices>, or a list a tool made). One that holds none
 * is some other document: libvirt's status file (<domstatus>, which wraps
 * the running <domain>), a node device (<device>), a network ... Parsed
 * as an empty list it would make `prepare` succeed having done nothing.
 */
static int refuse_root(struct parse_state *st, xmlNodePtr root) {
        const char *name = (const char *)root->name;

        if (domxml_child(root, "domain"))
                return domxml_parse_error(st, root, -EINVAL,
                                          "<%s> is not a domain but holds one (libvirt's status files do); "
                                          "give the <domain> alone, as 'virsh dumpxml NAME' prints it",
                                          name);
        return domxml_parse_error(st, root, -EINVAL,
                                  "<%s> is not a domain and holds no device element; expected <domain>, "
                                  "<devices>, <hostdev> or <interface type='hostdev'>%s",
                                  name,
                                  streq(name, "device") ? " (<device> is a node device's description, as "
                                                          "'virsh nodedev-dumpxml' prints it)"
                                                        : "");
}

/* XML may not end in NUL: look at LEN bytes only. */
static bool all_blank(const char *xml, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (!strchr(" \t\r\n", xml[i]) || xml[i] == 0)
                        return false;
        return true;
}

static int xml_syntax_error(struct parse_state *st, xmlParserCtxtPtr pctx) {
        const xmlError *e = xmlCtxtGetLastError(pctx);
        _cleanup_free_ char *msg = NULL;

        if (!e || !e->message)
                return hd_error(st->ctx, -EINVAL, "%s: not XML; give a libvirt domain XML file",
                                st->filename);
        msg = strdup(e->message);
        if (!msg)
                return -ENOMEM;
        strstrip_right(msg);
        /* libxml2 keeps the column in int2. */
        return hd_error(st->ctx, -EINVAL,
                        "%s:%d:%d: %s; fix the XML (an unclosed element, a missing "
                        "quote or a stray '&' are the usual causes)",
                        st->filename, e->line, e->int2, msg);
}

int hd_domain_parse(struct hd_context *ctx, const char *xml, size_t len, const char *filename,
                    struct hd_domain_def **ret_def) {
        struct parse_state st = { .ctx = ctx, .filename = filename ? filename : "input" };
        _cleanup_(xml_parser_ctxt_freep) xmlParserCtxtPtr pctx = NULL;
        _cleanup_(xml_doc_freep) xmlDocPtr doc = NULL;
        _cleanup_(hd_domain_def_freep) struct hd_domain_def *def = NULL;
        xmlNodePtr root;
        int r;

        if (!xml || !ret_def)
                return -EINVAL;
        if (len > INT_MAX)
                return hd_error(ctx, -EFBIG, "%s: %zu bytes is too large for a domain definition",
                                st.filename, len);
        if (all_blank(xml, len))
                return hd_error(ctx, -EINVAL,
                                "%s: empty; give a <domain>, <hostdev> or <interface type='hostdev'> "
                                "document",
                                st.filename);
        pctx = xmlNewParserCtxt();
        if (!pctx)
                return -ENOMEM;
        /*
         * No network, no DTD loading, no entity substitution beyond XML's
         * own: a definition is data from another process, not a document
         * that may pull in files.
         */
        doc = xmlCtxtReadMemory(pctx, xml, (int)len, NULL, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                        XML_PARSE_BIG_LINES);
        if (!doc)
                return xml_syntax_error(&st, pctx);
        root = xmlDocGetRootElement(doc);
        if (!root)
                return hd_error(ctx, -EINVAL, "%s: no root element; give a <domain> or <hostdev> element",
                                st.filename);

        def = calloc(1, sizeof(*def));
        if (!def)
                return -ENOMEM;
        if (domxml_is(root, "domain"))
                r = parse_domain(&st, root, def);
        else if (domxml_is(root, "hostdev"))
                r = add_device(&st, root, def);
        else if (domxml_is(root, "interface")) {
                if (!is_device_element(root))
                        return domxml_parse_error(&st, root, -EINVAL,
                                                  "only <interface type='hostdev'> passes a host device "
                                                  "through; other interface types are libvirt's network "
                                                  "business");
                r = add_device(&st, root, def);
        } else {
                r = add_children(&st, root, def);
                if (r >= 0 && def->n_hostdevs == 0 && !domxml_is(root, "devices"))
                        r = refuse_root(&st, root);
        }
        if (r < 0 || (r = domxml_validate(&st, def)) < 0)
                return r;
        *ret_def = TAKE_PTR(def);
        return 0;
}

int hd_domain_parse_file(struct hd_context *ctx, const char *path, struct hd_domain_def **ret_def) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r;

        if (!path || !ret_def)
                return -EINVAL;
        f = fopen(path, "re");
        if (!f)
                return hd_error(ctx, -errno, "%s: %s; give a readable domain XML file", path,
                                strerror(errno));
        for (size_t cap = 0;;) {
                size_t n;
                if (len == cap) {
                        char *nb;
                        if (cap > INT_MAX)
                                return hd_error(ctx, -EFBIG, "%s: too large for a domain definition", path);
                        cap = cap ? cap * 2 : 16384;
                        nb = realloc(buf, cap);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                }
                n = fread(buf + len, 1, cap - len, f);
                len += n;
                if (n == 0)
                        break;
        }
        if (ferror(f))
                return hd_error(ctx, -EIO, "%s: read error; check the file", path);
        r = hd_domain_parse(ctx, buf ? buf : "", len, path, ret_def);
        return r;
}
