/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <hostdev>: PCI, USB, SCSI and mediated devices, and the containers' capabilities mode. */
#include <limits.h>
#include <string.h>

#include "domain-internal.h"
#include "util/strutil.h"

static int parse_pci(struct parse_state *st, xmlNodePtr node, xmlNodePtr source, struct hd_hostdev_def *def) {
        xmlNodePtr driver = domxml_child(node, "driver"), addr = domxml_child(source, "address");
        int r;

        if (driver) {
                _cleanup_free_ char *name = domxml_attr(driver, "name");
                int b = name ? hd_pci_backend_from_string(name) : HD_PCI_BACKEND_DEFAULT;

                /* libvirt 9 refuses name='default' although its enum has it. */
                if (name && (b < 0 || b == HD_PCI_BACKEND_DEFAULT))
                        return domxml_attr_error(st, driver, "name", name,
                                                 "not a PCI passthrough driver; use 'vfio' (or leave "
                                                 "<driver> out), 'kvm' and 'xen' are legacy");
                def->pci.backend = b;
                if ((r = domxml_attr_tristate(st, driver, "iommufd", false, &def->pci.iommufd)) < 0)
                        return r;
        }
        if (!addr)
                return domxml_parse_error(st, source, -EINVAL,
                                          "<source> of <hostdev type='pci'> has no <address>; add "
                                          "<address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>");
        return domxml_parse_pci_address(st, addr, &def->pci.addr);
}

#define USB_ID_RANGE "USB ids go from 0x0001 to 0xffff"
#define USB_ADDR_RANGE "USB bus and device numbers go from 0 to 4095"

static int parse_usb(struct parse_state *st, xmlNodePtr source, struct hd_hostdev_def *def) {
        xmlNodePtr vendor = domxml_child(source, "vendor"), product = domxml_child(source, "product"),
                   addr = domxml_child(source, "address");
        _cleanup_free_ char *policy = domxml_attr(source, "startupPolicy"), *reset = domxml_attr(source, "guestReset");
        struct hd_hostdev_usb *u = &def->usb;
        int r;

        if (policy) {
                r = hd_startup_policy_from_string(policy);
                if (r <= HD_STARTUP_POLICY_DEFAULT)
                        return domxml_attr_error(st, source, "startupPolicy", policy,
                                                 "expected 'mandatory', 'requisite' or 'optional'");
                u->startup_policy = r;
        }
        if (reset) {
                r = hd_usb_guest_reset_from_string(reset);
                if (r <= HD_USB_GUEST_RESET_DEFAULT)
                        return domxml_attr_error(st, source, "guestReset", reset,
                                                 "expected 'off' (never), 'uninitialized' (only before it "
                                                 "has an address) or 'on' (any reset)");
                u->guest_reset = r;
        }
        if (vendor && !product)
                return domxml_parse_error(
                        st, vendor, -EINVAL,
                        "<vendor> without <product>; add <product id='0x....'/> (see lsusb)");
        if (product && !vendor)
                return domxml_parse_error(
                        st, product, -EINVAL,
                        "<product> without <vendor>; add <vendor id='0x....'/> (see lsusb)");
        if (vendor) {
                if ((r = domxml_attr_u_required(st, vendor, "id", 0, 0xffff, USB_ID_RANGE, &u->vendor)) < 0 ||
                    (r = domxml_attr_u_required(st, product, "id", 0, 0xffff, USB_ID_RANGE, &u->product)) < 0)
                        return r;
                if (u->vendor == 0)
                        return domxml_attr_error(st, vendor, "id", "0", "vendor 0 is no vendor; %s",
                                                 USB_ID_RANGE);
                u->has_product = true;
        }
        if (addr) {
                r = domxml_attr_u_required(st, addr, "bus", 0, 0xfff, USB_ADDR_RANGE, &u->bus);
                if (r < 0 || (r = domxml_attr_u_required(st, addr, "device", 0, 0xfff, USB_ADDR_RANGE,
                                                         &u->device)) < 0)
                        return r;
                u->has_address = true;
        }
        if (!vendor && !addr)
                return domxml_parse_error(
                        st, source, -EINVAL,
                        "<source> of <hostdev type='usb'> names no device; add <vendor id=/>"
                        "<product id=/>, <address bus= device=/> or both (see lsusb)");
        return 0;
}

static int parse_iscsi(struct parse_state *st, xmlNodePtr source, struct hd_hostdev_scsi *s) {
        xmlNodePtr host = NULL, auth = domxml_child(source, "auth"), init = domxml_child(source, "initiator");
        unsigned n_hosts = 0;
        int r;

        if ((r = domxml_attr_string_required(st, source, "name", &s->iscsi_name)) < 0)
                return r;
        for (xmlNodePtr c = source->children; c; c = c->next)
                if (domxml_is(c, "host") && n_hosts++ == 0)
                        host = c;
        if (n_hosts != 1)
                return domxml_parse_error(
                        st, source, -EINVAL,
                        "<source protocol='iscsi'> has %u <host> elements; give exactly one "
                        "<host name='...' port='3260'/>",
                        n_hosts);
        if ((r = domxml_attr_string_required(st, host, "name", &s->iscsi_host)) < 0 ||
            (r = domxml_attr_u(st, host, "port", 10, 65535, "ports go from 1 to 65535", &s->iscsi_port)) < 0)
                return r;

        if (auth) {
                xmlNodePtr secret = domxml_child(auth, "secret");
                bool has_uuid, has_usage;

                if ((r = domxml_attr_string_required(st, auth, "username", &s->auth_username)) < 0)
                        return r;
                if (!domxml_name_valid(s->auth_username, "_+-"))
                        return domxml_attr_error(st, auth, "username", s->auth_username,
                                                 "use letters, digits, '_', '+' and '-' only");
                if (!secret)
                        return domxml_parse_error(
                                st, auth, -EINVAL,
                                "<auth> has no <secret>; add <secret type='iscsi' usage='...'/>");
                if ((r = domxml_attr_string_required(st, secret, "type", &s->secret_type)) < 0)
                        return r;
                if (!streq(s->secret_type, "iscsi") && !streq(s->secret_type, "ceph"))
                        return domxml_attr_error(st, secret, "type", s->secret_type,
                                                 "expected 'iscsi' or 'ceph'");
                has_uuid = domxml_has_attr(secret, "uuid");
                has_usage = domxml_has_attr(secret, "usage");
                if (has_uuid == has_usage)
                        return domxml_parse_error(st, secret, -EINVAL,
                                                  "<secret> needs either uuid='...' or usage='...', not %s",
                                                  has_uuid ? "both" : "neither");
                if (has_uuid && (r = domxml_attr_uuid(st, secret, "uuid", s->secret_uuid)) < 0)
                        return r;
                if (has_usage && (r = domxml_attr_string_required(st, secret, "usage", &s->secret_usage)) < 0)
                        return r;
                if (has_usage && strpbrk(s->secret_usage, "/\n"))
                        return domxml_attr_error(st, secret, "usage", s->secret_usage,
                                                 "a usage name has no '/' or line break; use the "
                                                 "secret's usage name from virsh secret-list");
        }
        if (init) {
                xmlNodePtr iqn = domxml_child(init, "iqn");
                if (!iqn)
                        return domxml_parse_error(st, init, -EINVAL,
                                                  "<initiator> has no <iqn>; add <iqn name='iqn....'/>");
                if ((r = domxml_attr_string_required(st, iqn, "name", &s->initiator_iqn)) < 0)
                        return r;
        }
        return 0;
}

static int parse_scsi(struct parse_state *st, xmlNodePtr node, xmlNodePtr source,
                      struct hd_hostdev_def *def) {
        struct hd_hostdev_scsi *s = &def->scsi;
        _cleanup_free_ char *sgio = domxml_attr(node, "sgio"), *protocol = domxml_attr(source, "protocol");
        xmlNodePtr adapter, addr;
        unsigned long long unit = 0;
        int r;

        if (sgio) {
                r = hd_sgio_from_string(sgio);
                if (r <= HD_SGIO_DEFAULT)
                        return domxml_attr_error(st, node, "sgio", sgio,
                                                 "expected 'filtered' or 'unfiltered'");
                s->sgio = r;
        }
        if ((r = domxml_attr_tristate(st, node, "rawio", false, &s->rawio)) < 0)
                return r;
        if (protocol) {
                r = hd_scsi_protocol_from_string(protocol);
                if (r < 0)
                        return domxml_attr_error(st, source, "protocol", protocol,
                                                 "expected 'adapter' (a host's SCSI LUN) or 'iscsi'");
                s->protocol = r;
        }
        if (s->protocol == HD_SCSI_PROTOCOL_ISCSI)
                return parse_iscsi(st, source, s);

        adapter = domxml_child(source, "adapter");
        addr = domxml_child(source, "address");
        if (!adapter || !addr)
                return domxml_parse_error(
                        st, source, -EINVAL,
                        "<source> of <hostdev type='scsi'> needs <adapter name='scsi_hostN'/> "
                        "and <address bus= target= unit=/> (see lsscsi: host:bus:target:unit)");
        if ((r = domxml_attr_string_required(st, adapter, "name", &s->adapter)) < 0 ||
            (r = domxml_attr_u_required(st, addr, "bus", 0, UINT_MAX, "SCSI buses are numbered from 0",
                                        &s->bus)) < 0 ||
            (r = domxml_attr_u_required(st, addr, "target", 0, UINT_MAX, "SCSI targets are numbered from 0",
                                        &s->target)) < 0 ||
            (r = domxml_attr_uint(st, addr, "unit", 0, ULLONG_MAX, "SCSI units are numbered from 0",
                                  &unit)) < 0)
                return r;
        if (r == 0)
                return domxml_parse_error(st, addr, -EINVAL,
                                          "<address> has no unit; add unit='...' (see lsscsi)");
        s->unit = unit;
        return 0;
}

static int parse_mdev(struct parse_state *st, xmlNodePtr node, xmlNodePtr source,
                      struct hd_hostdev_def *def) {
        struct hd_hostdev_mdev *m = &def->mdev;
        _cleanup_free_ char *model = domxml_attr(node, "model");
        xmlNodePtr addr = domxml_child(source, "address");
        int r;

        if (!model)
                return domxml_parse_error(st, node, -EINVAL,
                                          "<hostdev type='mdev'> has no model; add model='vfio-pci', "
                                          "'vfio-ccw' or 'vfio-ap' (the type's device_api)");
        r = hd_mdev_model_from_string(model);
        if (r < 0)
                return domxml_attr_error(
                        st, node, "model", model,
                        "expected 'vfio-pci', 'vfio-ccw' or 'vfio-ap' (the type's device_api)");
        m->model = r;
        if ((r = domxml_attr_tristate(st, node, "display", true, &m->display)) < 0 ||
            (r = domxml_attr_tristate(st, node, "ramfb", true, &m->ramfb)) < 0)
                return r;
        if (m->model != HD_MDEV_MODEL_VFIO_PCI &&
            (m->display != HD_TRISTATE_ABSENT || m->ramfb != HD_TRISTATE_ABSENT))
                return domxml_attr_error(st, node, "model", model,
                                         "display and ramfb need model='vfio-pci'; remove them");
        if (!addr || !domxml_has_attr(addr, "uuid"))
                return domxml_parse_error(
                        st, source, -EINVAL,
                        "<source> of <hostdev type='mdev'> has no <address uuid=/>; add the "
                        "mediated device's UUID (see hostdev mdev list)");
        return domxml_attr_uuid(st, addr, "uuid", m->uuid);
}

static int parse_caps(struct parse_state *st, xmlNodePtr node, const char *type, struct hd_hostdev_def *def) {
        static const char *const child_of[_HD_HOSTDEV_CAPS_TYPE_MAX] = {
                [HD_HOSTDEV_CAPS_STORAGE] = "block",
                [HD_HOSTDEV_CAPS_MISC] = "char",
                [HD_HOSTDEV_CAPS_NET] = "interface",
        };
        xmlNodePtr source = domxml_child(node, "source"), c;
        int t = hd_hostdev_caps_type_from_string(type);

        if (t < 0)
                return domxml_attr_error(st, node, "type", type, "expected 'storage', 'misc' or 'net'");
        def->kind = HD_HOSTDEV_CAPS;
        def->caps.type = t;
        c = source ? domxml_child(source, child_of[t]) : NULL;
        if (!c)
                return domxml_parse_error(st, node, -EINVAL,
                                          "<hostdev mode='capabilities' type='%s'> needs "
                                          "<source><%s>...</%s></source>",
                                          type, child_of[t], child_of[t]);
        def->caps.source = domxml_text(c);
        if (!def->caps.source)
                return -ENOMEM;
        if (!def->caps.source[0])
                return domxml_parse_error(st, c, -EINVAL, "<%s> is empty; name the host's %s", child_of[t],
                                          t == HD_HOSTDEV_CAPS_NET ? "interface" : "device node");
        if (t == HD_HOSTDEV_CAPS_NET ? !domxml_name_valid(def->caps.source, "_.-\\:/")
                                     : def->caps.source[0] != '/' || !def->caps.source[1])
                return domxml_parse_error(st, c, -EINVAL, "<%s>%s</%s> is not %s", child_of[t],
                                          def->caps.source, child_of[t],
                                          t == HD_HOSTDEV_CAPS_NET
                                                  ? "an interface name; write one like eth0"
                                                  : "an absolute path; write one like /dev/sdb");
        return domxml_parse_device_info(st, node, def);
}

/* Attributes that belong to one type only: libvirt refuses them elsewhere. */
static int check_type_attrs(struct parse_state *st, xmlNodePtr node, const struct hd_hostdev_def *def) {
        static const struct {
                const char *attr;
                enum hd_hostdev_kind kind;
        } only[] = {
                { "sgio", HD_HOSTDEV_SCSI },    { "rawio", HD_HOSTDEV_SCSI }, { "model", HD_HOSTDEV_MDEV },
                { "display", HD_HOSTDEV_MDEV }, { "ramfb", HD_HOSTDEV_MDEV },
        };

        for (size_t i = 0; i < ELEMENTSOF(only); i++)
                if (def->kind != only[i].kind && domxml_has_attr(node, only[i].attr))
                        return domxml_parse_error(st, node, -EINVAL,
                                                  "<hostdev type='%s'>: %s applies to type='%s' only; "
                                                  "remove it",
                                                  hd_hostdev_kind_to_string(def->kind), only[i].attr,
                                                  hd_hostdev_kind_to_string(only[i].kind));
        return 0;
}

int domxml_parse_hostdev(struct parse_state *st, xmlNodePtr node, struct hd_hostdev_def *def) {
        _cleanup_free_ char *mode = domxml_attr(node, "mode"), *type = domxml_attr(node, "type");
        enum hd_tristate managed = HD_TRISTATE_ABSENT;
        xmlNodePtr source;
        int r;

        def->line = domxml_line(node);
        if (!type)
                return domxml_parse_error(st, node, -EINVAL,
                                          "<hostdev> has no type; write type='pci', 'usb', 'scsi' or 'mdev'");
        if (mode && streq(mode, "capabilities"))
                return parse_caps(st, node, type, def);
        if (mode && !streq(mode, "subsystem"))
                return domxml_attr_error(st, node, "mode", mode,
                                         "expected 'subsystem' (or 'capabilities', for containers)");

        if (streq(type, "pci"))
                def->kind = HD_HOSTDEV_PCI;
        else if (streq(type, "usb"))
                def->kind = HD_HOSTDEV_USB;
        else if (streq(type, "scsi"))
                def->kind = HD_HOSTDEV_SCSI;
        else if (streq(type, "mdev"))
                def->kind = HD_HOSTDEV_MDEV;
        else if (streq(type, "scsi_host"))
                return domxml_attr_error(st, node, "type", type,
                                         "a vhost-scsi target is a kernel service, not a host device; "
                                         "hostdev does not manage it");
        else
                return domxml_attr_error(st, node, "type", type,
                                         "not a host device type; use 'pci', 'usb', 'scsi' or 'mdev'");

        if ((r = domxml_attr_tristate(st, node, "managed", false, &managed)) < 0)
                return r;
        def->managed = managed == HD_TRISTATE_YES;
        if ((r = check_type_attrs(st, node, def)) < 0)
                return r;

        source = domxml_child(node, "source");
        if (!source)
                return domxml_parse_error(
                        st, node, -EINVAL,
                        "<hostdev type='%s'> has no <source>; add one naming the host's device", type);
        switch (def->kind) {
        case HD_HOSTDEV_PCI:
                r = parse_pci(st, node, source, def);
                break;
        case HD_HOSTDEV_USB:
                r = parse_usb(st, source, def);
                break;
        case HD_HOSTDEV_SCSI:
                r = parse_scsi(st, node, source, def);
                break;
        default:
                r = parse_mdev(st, node, source, def);
                break;
        }
        if (r < 0)
                return r;
        def->readonly = domxml_child(node, "readonly") != NULL;
        def->shareable = domxml_child(node, "shareable") != NULL;
        if ((r = domxml_parse_teaming(st, node, def)) < 0)
                return r;
        return domxml_parse_device_info(st, node, def);
}
