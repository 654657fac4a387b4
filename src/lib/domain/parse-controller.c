/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <controller type='scsi'|'usb'>: the guest buses SCSI LUNs and USB devices are plugged into. */
#include <limits.h>
#include <string.h>

#include "domain-internal.h"
#include "util/strutil.h"

/* libvirt numbers a controller without index= after the highest of its type so far. */
static unsigned next_index(const struct hd_domain_def *def, enum hd_controller_type type) {
        unsigned next = 0;

        for (size_t i = 0; i < def->n_controllers; i++)
                if (def->controllers[i].type == type && def->controllers[i].index >= next)
                        next = def->controllers[i].index + 1;
        return next;
}

static int parse_model(struct parse_state *st, xmlNodePtr node, struct hd_controller_def *c) {
        _cleanup_free_ char *model = domxml_attr(node, "model");
        bool scsi = c->type == HD_CONTROLLER_SCSI;
        /* Both enums have DEFAULT (absent) as 0: it is no spelling of its own. */
        int m = !model ? 0 : scsi ? (int)hd_scsi_model_from_string(model) : (int)hd_usb_model_from_string(model);

        if (model && m <= 0)
                return domxml_attr_error(st, node, "model", model,
                                         "not a %s controller model; use %s or leave it out for the machine's "
                                         "default",
                                         scsi ? "SCSI" : "USB",
                                         scsi ? "'virtio-scsi', 'lsilogic', 'lsisas1068', 'lsisas1078', 'ibmvscsi', "
                                                "'am53c974', 'dc390'"
                                              : "'qemu-xhci', 'nec-xhci', 'ich9-ehci1', 'ehci', 'piix3-uhci', "
                                                "'pci-ohci', ...");
        c->model = m;
        return 0;
}

/* The address a controller sits at; types other than PCI and CCW are the machine's business and not kept. */
static int parse_address(struct parse_state *st, xmlNodePtr node, struct hd_controller_def *c) {
        xmlNodePtr a = domxml_child(node, "address");
        _cleanup_free_ char *type = a ? domxml_attr(a, "type") : NULL;

        if (!type || (!streq(type, "pci") && !streq(type, "ccw")))
                return 0;
        return domxml_parse_guest_address(st, a, &c->address);
}

int domxml_parse_controller(struct parse_state *st, xmlNodePtr node, struct hd_domain_def *def) {
        _cleanup_free_ char *type = domxml_attr(node, "type");
        struct hd_controller_def *v, *c;
        xmlNodePtr x;
        int t, r;

        t = type ? hd_controller_type_from_string(type) : -1;
        if (t < 0)
                return 0; /* PCI, IDE, virtio-serial ...: no host device sits on them */
        v = reallocarray(def->controllers, def->n_controllers + 1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        def->controllers = v;
        c = &v[def->n_controllers];
        *c = (struct hd_controller_def){ .type = t, .master_startport = -1, .line = domxml_line(node) };
        c->index = next_index(def, t);
        def->n_controllers++;

        if (!domxml_has_attr(node, "index") && c->index > INT_MAX)
                return domxml_parse_error(st, node, -EINVAL, "no index is left for this controller; give it index='0'"
                                                             " or another free one");
        if ((r = domxml_attr_u(st, node, "index", 10, INT_MAX, "controller indexes are numbered from 0",
                               &c->index)) < 0 ||
            (r = parse_model(st, node, c)) < 0)
                return r;
        if ((x = domxml_child(node, "master"))) {
                unsigned port = 0;
                if (t != HD_CONTROLLER_USB)
                        return domxml_parse_error(st, x, -EINVAL,
                                                  "<master> makes a USB companion controller; remove it from "
                                                  "this <controller type='%s'>",
                                                  type);
                if ((r = domxml_attr_u_required(st, x, "startport", 10, INT_MAX,
                                                "USB ports are numbered from 0", &port)) < 0)
                        return r;
                c->master_startport = (int)port;
        }
        if ((x = domxml_child(node, "alias"))) {
                if ((r = domxml_attr_string_required(st, x, "name", &c->alias)) < 0)
                        return r;
                if (!domxml_name_valid(c->alias, "_-."))
                        return domxml_attr_error(st, x, "name", c->alias,
                                                 "not an alias; use letters, digits, '_', '-' and '.', "
                                                 "starting with 'ua-' to keep it in the definition");
        }
        return parse_address(st, node, c);
}
