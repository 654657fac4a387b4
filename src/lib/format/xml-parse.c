/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A node device XML document into a device: as virsh nodedev-dumpxml prints it, or as nodedev-create/define take it. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <libxml/parser.h>

#include "hostdev/format.h"
#include "inventory/probe.h"
#include "util/strutil.h"
#include "xml-parse.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(xmlDocPtr, xmlFreeDoc)
DEFINE_TRIVIAL_CLEANUP_FUNC(xmlParserCtxtPtr, xmlFreeParserCtxt)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct hd_device *, hd_device_free)

static int devnodes(struct hd_context *ctx, xmlNodePtr root, struct hd_device *d) {
        XP_FOREACH(n, root, "devnode") {
                _cleanup_free_ char *type = NULL, *path = NULL;
                enum hd_devnode_type t;
                int r;

                if ((r = xp_prop(n, "type", &type)) < 0 || (r = xp_text(n, &path)) < 0)
                        return r;
                if (type && streq(type, "dev"))
                        t = HD_DEVNODE_DEV;
                else if (type && streq(type, "link"))
                        t = HD_DEVNODE_LINK;
                else
                        return xp_error(ctx, n, -EINVAL, "<devnode> needs type='dev' or type='link'");
                if (!path)
                        return xp_error(ctx, n, -EINVAL, "<devnode> is empty; it holds a path under /dev");
                if (hd_device_add_devnode(d, t, path) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* <parent>NAME</parent>, or for a new vHBA <parent wwnn= wwpn=/> or <parent fabric_wwn=/>. */
static int parent(struct hd_context *ctx, xmlNodePtr root, struct hd_device *d) {
        xmlNodePtr p = xp_child(root, "parent");
        int r;

        if (!p)
                return 0;
        if ((r = xp_text(p, &d->parent_name)) < 0 || (r = xp_prop(p, "wwnn", &d->parent_wwnn)) < 0 ||
            (r = xp_prop(p, "wwpn", &d->parent_wwpn)) < 0 ||
            (r = xp_prop(p, "fabric_wwn", &d->parent_fabric_wwn)) < 0)
                return r;
        if (!d->parent_wwnn != !d->parent_wwpn)
                return xp_error(ctx, p, -EINVAL,
                                "<parent> names an HBA by wwnn= and wwpn= together; one of them is missing");
        if ((r = xp_wwn_normalize(ctx, p, "parent wwnn", &d->parent_wwnn)) < 0 ||
            (r = xp_wwn_normalize(ctx, p, "parent wwpn", &d->parent_wwpn)) < 0 ||
            (r = xp_wwn_normalize(ctx, p, "parent fabric_wwn", &d->parent_fabric_wwn)) < 0)
                return r;
        return 0;
}

static int device(struct hd_context *ctx, xmlNodePtr root, struct hd_device *d) {
        const char *slash;
        int r;

        if (!xmlStrEqual(root->name, (const xmlChar *)"device"))
                return xp_error(ctx, root, -EINVAL, "the root element is <%s>; a node device is <device>",
                                (const char *)root->name);
        /* A creation or definition document has no name: the device gets one when it exists. */
        if ((r = xp_child_text(root, "name", &d->name)) < 0 ||
            (r = xp_child_text(root, "path", &d->sysfs_path)) < 0 ||
            (r = devnodes(ctx, root, d)) < 0 || (r = parent(ctx, root, d)) < 0 ||
            (r = xp_child_text(xp_child(root, "driver"), "name", &d->driver)) < 0)
                return r;
        if (d->sysfs_path && (slash = strrchr(d->sysfs_path, '/')) && slash[1]) {
                d->sysname = strdup(slash + 1);
                if (!d->sysname)
                        return -ENOMEM;
        }
        XP_FOREACH(c, root, "capability")
                if ((r = xp_cap(ctx, c, d)) < 0)
                        return r;
        if (!d->caps)
                return xp_error(ctx, root, -EINVAL, "<device> has no <capability>; it needs at least one");
        return 0;
}

/* libxml2 keeps the last error; the first is the one that explains the rest. */
struct first_error {
        bool set;
        int line, column;
        char message[256];
};

static void keep_first_error(void *data, xmlErrorPtr e) {
        xmlParserCtxtPtr pctx = data;
        struct first_error *f = pctx ? pctx->_private : NULL;

        if (!f || f->set || !e || e->level < XML_ERR_ERROR)
                return;
        f->set = true;
        f->line = e->line;
        f->column = e->int2;
        snprintf(f->message, sizeof(f->message), "%s", e->message ? e->message : "not well-formed");
        strstrip_right(f->message);
}

int hd_device_from_xml(struct hd_context *ctx, const char *xml, size_t len, struct hd_device **ret_dev) {
        _cleanup_(xmlFreeParserCtxtp) xmlParserCtxtPtr pctx = NULL;
        _cleanup_(xmlFreeDocp) xmlDocPtr doc = NULL;
        _cleanup_(hd_device_freep) struct hd_device *d = NULL;
        struct first_error first = {};
        xmlNodePtr root;
        int r;

        if (!xml || !ret_dev)
                return -EINVAL;
        if (len > INT_MAX)
                return hd_error(ctx, -EFBIG, "node device XML of %zu bytes is too large", len);

        pctx = xmlNewParserCtxt();
        if (!pctx)
                return -ENOMEM;
        /* Errors come to us, not to stderr: the library never prints. */
        pctx->_private = &first;
        pctx->sax->serror = keep_first_error;
        /* No network, no DTD loading, no entity substitution. */
        doc = xmlCtxtReadMemory(pctx, xml, (int)len, "nodedev.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (!doc || !pctx->wellFormed) {
                if (!first.set)
                        return hd_error(ctx, -EINVAL, "node device XML: not well-formed");
                return hd_error(ctx, -EINVAL, "node device XML:%d:%d: %s", first.line, first.column,
                                first.message);
        }
        root = xmlDocGetRootElement(doc);
        if (!root)
                return hd_error(ctx, -EINVAL, "node device XML: the document is empty; it needs a <device>");

        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        r = device(ctx, root, d);
        if (r < 0)
                return r;
        *ret_dev = TAKE_PTR(d);
        return 0;
}
