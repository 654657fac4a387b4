/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Printing the model as libvirt prints domain XML (virsh dumpxml's order and spelling). */
#include <stdarg.h>
#include <string.h>

#include "domain-internal.h"
#include "util/strutil.h"

/*
 * libvirt writes XML line by line into a buffer rather than through a
 * tree serializer; matching its output byte for byte means doing the same.
 */
struct writer {
        struct strbuf b;
        int indent;
};

/* libvirt's escaping (virBufferEscapeString) plus the whitespace an attribute would lose. */
static void w_escape(struct writer *w, const char *s, bool attr) {
        for (; *s; s++) {
                const char *e = NULL;
                char one[2] = { *s, 0 };

                switch (*s) {
                case '&':
                        e = "&amp;";
                        break;
                case '<':
                        e = "&lt;";
                        break;
                case '>':
                        e = "&gt;";
                        break;
                case '\'':
                        e = "&apos;";
                        break;
                case '"':
                        e = "&quot;";
                        break;
                case '\n':
                        e = attr ? "&#10;" : NULL;
                        break;
                case '\r':
                        e = attr ? "&#13;" : NULL;
                        break;
                case '\t':
                        e = attr ? "&#9;" : NULL;
                        break;
                }
                strbuf_append(&w->b, e ? e : one);
        }
}

static void w_start(struct writer *w, const char *name) {
        strbuf_appendf(&w->b, "%*s<%s", w->indent, "", name);
}

static void w_attr(struct writer *w, const char *name, const char *value) {
        strbuf_appendf(&w->b, " %s='", name);
        w_escape(w, value, true);
        strbuf_append(&w->b, "'");
}

/* An attribute whose value needs no escaping: numbers and fixed words. */
static _printf_(3, 4) void w_attrf(struct writer *w, const char *name, const char *fmt, ...) {
        _cleanup_free_ char *v = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&v, fmt, ap) < 0) {
                v = NULL;
                w->b.oom = true;
        }
        va_end(ap);
        if (v)
                strbuf_appendf(&w->b, " %s='%s'", name, v);
}

static void w_tristate(struct writer *w, const char *name, enum hd_tristate t, bool on_off) {
        if (t != HD_TRISTATE_ABSENT)
                w_attr(w, name, t == HD_TRISTATE_YES ? (on_off ? "on" : "yes") : (on_off ? "off" : "no"));
}

static void w_empty(struct writer *w) {
        strbuf_append(&w->b, "/>\n");
}

static void w_open(struct writer *w) {
        strbuf_append(&w->b, ">\n");
        w->indent += 2;
}

static void w_close(struct writer *w, const char *name) {
        w->indent -= 2;
        strbuf_appendf(&w->b, "%*s</%s>\n", w->indent, "", name);
}

static void w_text(struct writer *w, const char *name, const char *text) {
        strbuf_appendf(&w->b, "%*s<%s>", w->indent, "", name);
        w_escape(w, text, false);
        strbuf_appendf(&w->b, "</%s>\n", name);
}

static void w_pci_attrs(struct writer *w, const struct hd_pci_addr *a) {
        w_attrf(w, "domain", "0x%04x", a->domain);
        w_attrf(w, "bus", "0x%02x", a->bus);
        w_attrf(w, "slot", "0x%02x", a->slot);
        w_attrf(w, "function", "0x%x", a->function);
}

static void format_guest_address(struct writer *w, const struct hd_guest_address *a) {
        if (a->type == HD_GUEST_ADDRESS_NONE)
                return;
        w_start(w, "address");
        w_attr(w, "type", hd_guest_address_type_to_string(a->type));
        switch (a->type) {
        case HD_GUEST_ADDRESS_PCI:
                /* An all-zero address means "libvirt picks": it prints none of it. */
                if (a->pci.domain || a->pci.bus || a->pci.slot || a->pci.function)
                        w_pci_attrs(w, &a->pci);
                w_tristate(w, "multifunction", a->multifunction, true);
                break;
        case HD_GUEST_ADDRESS_DRIVE:
                w_attrf(w, "controller", "%u", a->drive.controller);
                w_attrf(w, "bus", "%u", a->drive.bus);
                w_attrf(w, "target", "%u", a->drive.target);
                w_attrf(w, "unit", "%u", a->drive.unit);
                break;
        case HD_GUEST_ADDRESS_USB:
                w_attrf(w, "bus", "%u", a->usb.bus);
                if (a->usb.port)
                        w_attr(w, "port", a->usb.port);
                break;
        case HD_GUEST_ADDRESS_CCW:
                if (a->ccw.assigned) {
                        w_attrf(w, "cssid", "0x%x", a->ccw.cssid);
                        w_attrf(w, "ssid", "0x%x", a->ccw.ssid);
                        w_attrf(w, "devno", "0x%04x", a->ccw.devno);
                }
                break;
        default:
                break;
        }
        w_empty(w);
}

static void format_info(struct writer *w, const struct hd_device_info *info) {
        if (info->boot_order) {
                w_start(w, "boot");
                w_attrf(w, "order", "%u", info->boot_order);
                w_empty(w);
        }
        if (info->alias) {
                w_start(w, "alias");
                w_attr(w, "name", info->alias);
                w_empty(w);
        }
        if (info->rom_enabled != HD_TRISTATE_ABSENT || info->rom_bar != HD_TRISTATE_ABSENT ||
            info->rom_file) {
                w_start(w, "rom");
                w_tristate(w, "enabled", info->rom_enabled, false);
                w_tristate(w, "bar", info->rom_bar, true);
                if (info->rom_file)
                        w_attr(w, "file", info->rom_file);
                w_empty(w);
        }
        format_guest_address(w, &info->address);
}

static void format_teaming(struct writer *w, const char *persistent) {
        if (!persistent)
                return;
        w_start(w, "teaming");
        w_attr(w, "type", "transient");
        w_attr(w, "persistent", persistent);
        w_empty(w);
}

static void format_driver(struct writer *w, const struct hd_hostdev_pci *p) {
        if (p->backend == HD_PCI_BACKEND_DEFAULT && p->iommufd == HD_TRISTATE_ABSENT)
                return;
        w_start(w, "driver");
        if (p->backend != HD_PCI_BACKEND_DEFAULT)
                w_attr(w, "name", hd_pci_backend_to_string(p->backend));
        if (p->iommufd != HD_TRISTATE_ABSENT)
                w_attr(w, "iommufd", p->iommufd == HD_TRISTATE_YES ? "yes" : "no");
        w_empty(w);
}

static void format_usb_source(struct writer *w, const struct hd_hostdev_usb *u) {
        w_start(w, "source");
        if (u->startup_policy != HD_STARTUP_POLICY_DEFAULT)
                w_attr(w, "startupPolicy", hd_startup_policy_to_string(u->startup_policy));
        if (u->guest_reset != HD_USB_GUEST_RESET_DEFAULT)
                w_attr(w, "guestReset", hd_usb_guest_reset_to_string(u->guest_reset));
        w_open(w);
        if (u->has_product) {
                w_start(w, "vendor");
                w_attrf(w, "id", "0x%04x", u->vendor);
                w_empty(w);
                w_start(w, "product");
                w_attrf(w, "id", "0x%04x", u->product);
                w_empty(w);
        }
        if (u->has_address) {
                w_start(w, "address");
                w_attrf(w, "bus", "%u", u->bus);
                w_attrf(w, "device", "%u", u->device);
                w_empty(w);
        }
        w_close(w, "source");
}

static void format_scsi_source(struct writer *w, const struct hd_hostdev_scsi *s) {
        w_start(w, "source");
        if (s->protocol == HD_SCSI_PROTOCOL_ADAPTER) {
                w_open(w);
                w_start(w, "adapter");
                w_attr(w, "name", s->adapter);
                w_empty(w);
                w_start(w, "address");
                w_attrf(w, "bus", "%u", s->bus);
                w_attrf(w, "target", "%u", s->target);
                w_attrf(w, "unit", "%llu", s->unit);
                w_empty(w);
                w_close(w, "source");
                return;
        }
        w_attr(w, "protocol", "iscsi");
        w_attr(w, "name", s->iscsi_name);
        w_open(w);
        w_start(w, "host");
        w_attr(w, "name", s->iscsi_host);
        if (s->iscsi_port)
                w_attrf(w, "port", "%u", s->iscsi_port);
        w_empty(w);
        if (s->auth_username) {
                w_start(w, "auth");
                w_attr(w, "username", s->auth_username);
                w_open(w);
                w_start(w, "secret");
                w_attr(w, "type", s->secret_type);
                if (s->secret_uuid[0])
                        w_attr(w, "uuid", s->secret_uuid);
                else
                        w_attr(w, "usage", s->secret_usage);
                w_empty(w);
                w_close(w, "auth");
        }
        if (s->initiator_iqn) {
                w_start(w, "initiator");
                w_open(w);
                w_start(w, "iqn");
                w_attr(w, "name", s->initiator_iqn);
                w_empty(w);
                w_close(w, "initiator");
        }
        w_close(w, "source");
}

static void format_caps(struct writer *w, const struct hd_hostdev_def *h) {
        static const char *const child_of[_HD_HOSTDEV_CAPS_TYPE_MAX] = {
                [HD_HOSTDEV_CAPS_STORAGE] = "block",
                [HD_HOSTDEV_CAPS_MISC] = "char",
                [HD_HOSTDEV_CAPS_NET] = "interface",
        };

        w_start(w, "hostdev");
        w_attr(w, "mode", "capabilities");
        w_attr(w, "type", hd_hostdev_caps_type_to_string(h->caps.type));
        w_open(w);
        w_start(w, "source");
        w_open(w);
        w_text(w, child_of[h->caps.type], h->caps.source ? h->caps.source : "");
        w_close(w, "source");
}

static void format_hostdev(struct writer *w, const struct hd_hostdev_def *h) {
        if (h->kind == HD_HOSTDEV_CAPS)
                format_caps(w, h);
        else {
                w_start(w, "hostdev");
                w_attr(w, "mode", "subsystem");
                w_attr(w, "type", hd_hostdev_kind_to_string(h->kind));
                w_attr(w, "managed", h->managed ? "yes" : "no");
                if (h->kind == HD_HOSTDEV_SCSI) {
                        if (h->scsi.sgio != HD_SGIO_DEFAULT)
                                w_attr(w, "sgio", hd_sgio_to_string(h->scsi.sgio));
                        w_tristate(w, "rawio", h->scsi.rawio, false);
                } else if (h->kind == HD_HOSTDEV_MDEV) {
                        w_attr(w, "model", hd_mdev_model_to_string(h->mdev.model));
                        w_tristate(w, "display", h->mdev.display, true);
                        w_tristate(w, "ramfb", h->mdev.ramfb, true);
                }
                w_open(w);
        }

        switch (h->kind) {
        case HD_HOSTDEV_PCI:
                format_driver(w, &h->pci);
                w_start(w, "source");
                w_open(w);
                w_start(w, "address");
                w_pci_attrs(w, &h->pci.addr);
                w_empty(w);
                w_close(w, "source");
                break;
        case HD_HOSTDEV_USB:
                format_usb_source(w, &h->usb);
                break;
        case HD_HOSTDEV_SCSI:
                format_scsi_source(w, &h->scsi);
                break;
        case HD_HOSTDEV_MDEV:
                w_start(w, "source");
                w_open(w);
                w_start(w, "address");
                w_attr(w, "uuid", h->mdev.uuid);
                w_empty(w);
                w_close(w, "source");
                break;
        default:
                break;
        }
        if (h->readonly) {
                w_start(w, "readonly");
                w_empty(w);
        }
        if (h->shareable) {
                w_start(w, "shareable");
                w_empty(w);
        }
        format_teaming(w, h->teaming);
        format_info(w, &h->info);
        w_close(w, "hostdev");
}

static void format_virtualport(struct writer *w, const struct hd_virtualport *vp) {
        if (vp->type == HD_VIRTUALPORT_NONE)
                return;
        w_start(w, "virtualport");
        w_attr(w, "type", hd_virtualport_type_to_string(vp->type));
        w_open(w);
        w_start(w, "parameters");
        if (vp->type == HD_VIRTUALPORT_8021QBG) {
                w_attrf(w, "managerid", "%u", vp->manager_id);
                w_attrf(w, "typeid", "%u", vp->type_id);
                w_attrf(w, "typeidversion", "%u", vp->type_id_version);
                if (vp->instance_id[0])
                        w_attr(w, "instanceid", vp->instance_id);
        } else if (vp->profile_id)
                w_attr(w, "profileid", vp->profile_id);
        w_empty(w);
        w_close(w, "virtualport");
}

static void format_net_vf(struct writer *w, const struct hd_hostdev_def *h) {
        const struct hd_hostdev_net_vf *vf = &h->net_vf;

        w_start(w, "interface");
        w_attr(w, "type", "hostdev");
        if (h->managed)
                w_attr(w, "managed", "yes");
        if (vf->trust_guest_rx_filters != HD_TRISTATE_ABSENT)
                w_attr(w, "trustGuestRxFilters", vf->trust_guest_rx_filters == HD_TRISTATE_YES ? "yes" : "no");
        w_open(w);
        if (vf->has_mac) {
                w_start(w, "mac");
                w_attrf(w, "address", "%02x:%02x:%02x:%02x:%02x:%02x", vf->mac[0], vf->mac[1], vf->mac[2],
                        vf->mac[3], vf->mac[4], vf->mac[5]);
                w_empty(w);
        }
        format_driver(w, &vf->pci);
        w_start(w, "source");
        w_open(w);
        w_start(w, "address");
        w_attr(w, "type", "pci");
        w_pci_attrs(w, &vf->pci.addr);
        w_empty(w);
        w_close(w, "source");
        if (vf->vlan.n_tags > 0) {
                w_start(w, "vlan");
                if (vf->vlan.trunk)
                        w_attr(w, "trunk", "yes");
                w_open(w);
                for (size_t i = 0; i < vf->vlan.n_tags; i++) {
                        w_start(w, "tag");
                        w_attrf(w, "id", "%u", vf->vlan.tags[i].id);
                        if (vf->vlan.tags[i].native_mode != HD_VLAN_NATIVE_DEFAULT)
                                w_attr(w, "nativeMode",
                                       hd_vlan_native_mode_to_string(vf->vlan.tags[i].native_mode));
                        w_empty(w);
                }
                w_close(w, "vlan");
        }
        format_virtualport(w, &vf->virtualport);
        format_teaming(w, h->teaming);
        if (vf->link != HD_LINK_DEFAULT) {
                w_start(w, "link");
                w_attr(w, "state", hd_link_state_to_string(vf->link));
                w_empty(w);
        }
        format_info(w, &h->info);
        w_close(w, "interface");
}

static void format_device(struct writer *w, const struct hd_hostdev_def *h) {
        if (h->kind == HD_HOSTDEV_NET_VF)
                format_net_vf(w, h);
        else
                format_hostdev(w, h);
}

static void format_controller(struct writer *w, const struct hd_controller_def *c) {
        w_start(w, "controller");
        w_attr(w, "type", hd_controller_type_to_string(c->type));
        w_attrf(w, "index", "%u", c->index);
        if (c->model > 0)
                w_attr(w, "model", c->type == HD_CONTROLLER_SCSI ? hd_scsi_model_to_string(c->model)
                                                                 : hd_usb_model_to_string(c->model));
        if (c->master_startport < 0 && !c->alias && c->address.type == HD_GUEST_ADDRESS_NONE) {
                w_empty(w);
                return;
        }
        w_open(w);
        if (c->master_startport >= 0) {
                w_start(w, "master");
                w_attrf(w, "startport", "%d", c->master_startport);
                w_empty(w);
        }
        if (c->alias) {
                w_start(w, "alias");
                w_attr(w, "name", c->alias);
                w_empty(w);
        }
        format_guest_address(w, &c->address);
        w_close(w, "controller");
}

/* libvirt writes an empty <devices> as an open and a close tag, too. */
static void format_devices(struct writer *w, const struct hd_domain_def *def) {
        w_start(w, "devices");
        w_open(w);
        for (size_t i = 0; i < def->n_controllers; i++)
                format_controller(w, &def->controllers[i]);
        for (size_t i = 0; i < def->n_hostdevs; i++)
                format_device(w, &def->hostdevs[i]);
        w_close(w, "devices");
}

static int writer_finish(struct writer *w, char **ret_xml) {
        char *s = strbuf_steal(&w->b);

        if (!s)
                return -ENOMEM;
        *ret_xml = s;
        return 0;
}

int hd_hostdev_format(struct hd_context *ctx, const struct hd_hostdev_def *hostdev, char **ret_xml) {
        struct writer w = { 0 };

        if (!hostdev || !ret_xml)
                return -EINVAL;
        format_device(&w, hostdev);
        return writer_finish(&w, ret_xml);
}

/* The least a domain needs to pass virt-xml-validate: a name, memory and an OS type. */
#define MINIMAL_MEMORY_KIB "1048576"

int hd_domain_format(struct hd_context *ctx, const struct hd_domain_def *def, bool whole_domain,
                     char **ret_xml) {
        struct writer w = { 0 };

        if (!def || !ret_xml)
                return -EINVAL;
        if (!whole_domain) {
                if (def->n_hostdevs == 1 && def->n_controllers == 0)
                        format_device(&w, &def->hostdevs[0]);
                else
                        format_devices(&w, def);
                return writer_finish(&w, ret_xml);
        }
        if (isempty(def->name))
                return hd_error(ctx, -EINVAL,
                                "a whole domain needs a name and this definition has none; set one "
                                "or print the devices alone");
        w_start(&w, "domain");
        w_attr(&w, "type", "kvm");
        w_open(&w);
        w_text(&w, "name", def->name);
        if (def->uuid[0])
                w_text(&w, "uuid", def->uuid);
        strbuf_appendf(&w.b, "%*s<memory unit='KiB'>" MINIMAL_MEMORY_KIB "</memory>\n", w.indent, "");
        w_start(&w, "os");
        w_open(&w);
        w_start(&w, "type");
        if (def->arch)
                w_attr(&w, "arch", def->arch);
        if (def->machine)
                w_attr(&w, "machine", def->machine);
        strbuf_append(&w.b, ">hvm</type>\n");
        w_close(&w, "os");
        format_devices(&w, def);
        w_close(&w, "domain");
        return writer_finish(&w, ret_xml);
}
