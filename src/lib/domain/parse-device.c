/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every device element shares: PCI addresses, <boot>, <alias>, <rom>, the guest <address>. */
#include <ctype.h>
#include <limits.h>
#include <string.h>

#include "domain-internal.h"
#include "util/strutil.h"

#define PCI_DOMAIN_RANGE "PCI domains go from 0x0000 to 0xffffffff"
#define PCI_BUS_RANGE "PCI buses go from 0x00 to 0xff"
#define PCI_SLOT_RANGE "PCI slots go from 0x00 to 0x1f"
#define PCI_FUNCTION_RANGE "PCI functions go from 0x0 to 0x7"

/* libvirt reads each part in C notation and lets any of them default to 0. */
int domxml_parse_pci_address(struct parse_state *st, xmlNodePtr node, struct hd_pci_addr *ret) {
        unsigned domain = 0, bus = 0, slot = 0, function = 0;
        int r;

        if ((r = domxml_attr_u(st, node, "domain", 0, UINT32_MAX, PCI_DOMAIN_RANGE, &domain)) < 0 ||
            (r = domxml_attr_u(st, node, "bus", 0, 0xff, PCI_BUS_RANGE, &bus)) < 0 ||
            (r = domxml_attr_u(st, node, "slot", 0, 0x1f, PCI_SLOT_RANGE, &slot)) < 0 ||
            (r = domxml_attr_u(st, node, "function", 0, 7, PCI_FUNCTION_RANGE, &function)) < 0)
                return r;
        *ret = (struct hd_pci_addr){
                .domain = domain, .bus = (uint8_t)bus, .slot = (uint8_t)slot, .function = (uint8_t)function
        };
        return 0;
}

/* A USB port path as the schema's usbPort: up to four numbers joined by dots. */
static bool usb_port_valid(const char *s) {
        unsigned parts = 0;

        for (;;) {
                size_t n = strspn(s, "0123456789");
                if (n == 0 || n > 3)
                        return false;
                parts++;
                s += n;
                if (*s == 0)
                        return parts <= 4;
                if (*s != '.')
                        return false;
                s++;
        }
}

int domxml_parse_guest_address(struct parse_state *st, xmlNodePtr node, struct hd_guest_address *a) {
        _cleanup_free_ char *type = domxml_attr(node, "type");
        int r;

        if (!type)
                return domxml_parse_error(st, node, -EINVAL,
                                          "<address> has no type; write type='pci', 'drive', 'usb', "
                                          "'ccw' or 'unassigned'");
        r = hd_guest_address_type_from_string(type);
        if (r < 0 || r == HD_GUEST_ADDRESS_NONE)
                return domxml_attr_error(st, node, "type", type,
                                         "not an address type for a host device; use 'pci', 'drive', "
                                         "'usb', 'ccw' or 'unassigned'");
        a->type = r;

        switch (a->type) {
        case HD_GUEST_ADDRESS_PCI:
                if ((r = domxml_parse_pci_address(st, node, &a->pci)) < 0)
                        return r;
                return domxml_attr_tristate(st, node, "multifunction", true, &a->multifunction);
        case HD_GUEST_ADDRESS_DRIVE:
                if ((r = domxml_attr_u(st, node, "controller", 10, UINT_MAX,
                                       "controllers are numbered from 0", &a->drive.controller)) < 0 ||
                    (r = domxml_attr_u(st, node, "bus", 10, UINT_MAX, "buses are numbered from 0",
                                       &a->drive.bus)) < 0 ||
                    (r = domxml_attr_u(st, node, "target", 10, UINT_MAX, "targets are numbered from 0",
                                       &a->drive.target)) < 0 ||
                    (r = domxml_attr_u(st, node, "unit", 10, UINT_MAX, "units are numbered from 0",
                                       &a->drive.unit)) < 0)
                        return r;
                return 0;
        case HD_GUEST_ADDRESS_USB:
                if ((r = domxml_attr_u(st, node, "bus", 10, UINT_MAX, "USB buses are numbered from 0",
                                       &a->usb.bus)) < 0)
                        return r;
                a->usb.port = domxml_attr(node, "port");
                if (a->usb.port && !usb_port_valid(a->usb.port))
                        return domxml_attr_error(st, node, "port", a->usb.port,
                                                 "not a USB port path; write up to four numbers joined by "
                                                 "dots, like port='1.2'");
                return 0;
        case HD_GUEST_ADDRESS_CCW: {
                bool has_cssid = domxml_has_attr(node, "cssid"), has_ssid = domxml_has_attr(node, "ssid"),
                     has_devno = domxml_has_attr(node, "devno");

                if (!has_cssid && !has_ssid && !has_devno)
                        return 0;
                if (!has_cssid || !has_ssid || !has_devno)
                        return domxml_parse_error(st, node, -EINVAL,
                                                  "<address type='ccw'> needs all of cssid, ssid and devno, "
                                                  "or none of them");
                if ((r = domxml_attr_u(st, node, "cssid", 0, 0xfe,
                                       "channel subsystem ids go from 0x0 to 0xfe", &a->ccw.cssid)) < 0 ||
                    (r = domxml_attr_u(st, node, "ssid", 0, 3, "subchannel set ids go from 0x0 to 0x3",
                                       &a->ccw.ssid)) < 0 ||
                    (r = domxml_attr_u(st, node, "devno", 0, 0xffff,
                                       "device numbers go from 0x0000 to 0xffff", &a->ccw.devno)) < 0)
                        return r;
                a->ccw.assigned = true;
                return 0;
        }
        default:
                return 0;
        }
}

/* Which guest addresses libvirt accepts for each kind of device. */
static bool guest_address_allowed(const struct hd_hostdev_def *def, enum hd_guest_address_type t) {
        switch (def->kind) {
        case HD_HOSTDEV_PCI:
                return t == HD_GUEST_ADDRESS_PCI || t == HD_GUEST_ADDRESS_UNASSIGNED;
        case HD_HOSTDEV_NET_VF:
                return t == HD_GUEST_ADDRESS_PCI;
        case HD_HOSTDEV_USB:
                return t == HD_GUEST_ADDRESS_USB;
        case HD_HOSTDEV_SCSI:
                return t == HD_GUEST_ADDRESS_DRIVE;
        case HD_HOSTDEV_MDEV:
                switch (def->mdev.model) {
                case HD_MDEV_MODEL_VFIO_PCI:
                        return t == HD_GUEST_ADDRESS_PCI || t == HD_GUEST_ADDRESS_UNASSIGNED;
                case HD_MDEV_MODEL_VFIO_CCW:
                        return t == HD_GUEST_ADDRESS_CCW || t == HD_GUEST_ADDRESS_UNASSIGNED;
                default:
                        return t == HD_GUEST_ADDRESS_UNASSIGNED;
                }
        default:
                return false;
        }
}

static const char *device_word(const struct hd_hostdev_def *def) {
        switch (def->kind) {
        case HD_HOSTDEV_PCI:
                return "PCI";
        case HD_HOSTDEV_USB:
                return "USB";
        case HD_HOSTDEV_SCSI:
                return "SCSI";
        case HD_HOSTDEV_MDEV:
                return hd_mdev_model_to_string(def->mdev.model);
        case HD_HOSTDEV_NET_VF:
                return "network VF";
        default:
                return "capabilities";
        }
}

static int parse_rom(struct parse_state *st, xmlNodePtr node, struct hd_hostdev_def *def) {
        struct hd_device_info *info = &def->info;
        bool pci_like = def->kind == HD_HOSTDEV_PCI || def->kind == HD_HOSTDEV_NET_VF ||
                        (def->kind == HD_HOSTDEV_MDEV && def->mdev.model == HD_MDEV_MODEL_VFIO_PCI);
        int r;

        if (!pci_like)
                return domxml_parse_error(st, node, -EINVAL,
                                          "<rom> applies to PCI devices only; remove it from this <%s>",
                                          (const char *)node->parent->name);
        if ((r = domxml_attr_tristate(st, node, "enabled", false, &info->rom_enabled)) < 0 ||
            (r = domxml_attr_tristate(st, node, "bar", true, &info->rom_bar)) < 0)
                return r;
        info->rom_file = domxml_attr(node, "file");
        if (info->rom_file && (info->rom_file[0] != '/' || !info->rom_file[1]))
                return domxml_attr_error(st, node, "file", info->rom_file,
                                         "not an absolute path; give the ROM image's full path");
        if (info->rom_enabled == HD_TRISTATE_NO && (info->rom_bar != HD_TRISTATE_ABSENT || info->rom_file))
                return domxml_parse_error(
                        st, node, -EINVAL,
                        "<rom enabled='no'> takes no bar or file; remove them or enable the ROM");
        return 0;
}

int domxml_parse_device_info(struct parse_state *st, xmlNodePtr node, struct hd_hostdev_def *def) {
        struct hd_device_info *info = &def->info;
        xmlNodePtr c;
        int r;

        if ((c = domxml_child(node, "boot")) &&
            (r = domxml_attr_u_required(st, c, "order", 10, UINT_MAX, "boot orders are numbered from 1",
                                        &info->boot_order)) < 0)
                return r;
        if (c && info->boot_order == 0)
                return domxml_attr_error(st, c, "order", "0",
                                         "boot orders start at 1; use order='1' or more");

        if ((c = domxml_child(node, "alias"))) {
                if ((r = domxml_attr_string_required(st, c, "name", &info->alias)) < 0)
                        return r;
                if (!domxml_name_valid(info->alias, "_-."))
                        return domxml_attr_error(st, c, "name", info->alias,
                                                 "not an alias; use letters, digits, '_', '-' and '.', "
                                                 "starting with 'ua-' to keep it in the definition");
        }

        if ((c = domxml_child(node, "rom")) && (r = parse_rom(st, c, def)) < 0)
                return r;

        if ((c = domxml_child(node, "address"))) {
                if ((r = domxml_parse_guest_address(st, c, &info->address)) < 0)
                        return r;
                if (!guest_address_allowed(def, info->address.type))
                        return domxml_parse_error(
                                st, c, -EINVAL,
                                "<address type='%s'> does not fit a %s device in the guest; "
                                "change the type or remove <address> and let libvirt pick",
                                hd_guest_address_type_to_string(info->address.type), device_word(def));
        }
        return 0;
}

/*
 * <teaming type='transient' persistent='ALIAS'/>: a VF that stands in for a
 * virtio interface (the persistent side, which keeps its own
 * <teaming type='persistent'/>) while it is plugged in.
 */
int domxml_parse_teaming(struct parse_state *st, xmlNodePtr node, struct hd_hostdev_def *def) {
        xmlNodePtr t = domxml_child(node, "teaming");
        _cleanup_free_ char *type = NULL;
        int r;

        if (!t)
                return 0;
        if (def->kind != HD_HOSTDEV_PCI && def->kind != HD_HOSTDEV_NET_VF)
                return domxml_parse_error(st, t, -EINVAL,
                                          "<teaming> applies to a PCI device or an <interface type='hostdev'> "
                                          "only; remove it from this <hostdev type='%s'>",
                                          hd_hostdev_kind_to_string(def->kind));
        type = domxml_attr(t, "type");
        if (!type)
                return domxml_parse_error(st, t, -EINVAL,
                                          "<teaming> has no type; write type='transient' persistent='ua-...' "
                                          "naming the virtio interface this device backs");
        if (streq(type, "persistent"))
                return domxml_attr_error(st, t, "type", type,
                                         "the persistent side of a team is the virtio interface; a host "
                                         "device is the transient side: write type='transient' "
                                         "persistent='ua-...' naming that interface's alias");
        if (!streq(type, "transient"))
                return domxml_attr_error(st, t, "type", type, "expected 'transient'");
        if ((r = domxml_attr_string_required(st, t, "persistent", &def->teaming)) < 0)
                return r;
        if (!domxml_name_valid(def->teaming, "_-."))
                return domxml_attr_error(st, t, "persistent", def->teaming,
                                         "not an alias; name the virtio interface by its <alias name='ua-...'/>");
        return 0;
}
