/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A device as libvirt's node device XML, line for line as virNodeDeviceDefFormat writes it. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>

#include "context-internal.h"
#include "hostdev/format.h"
#include "xml-print.h"

static const char *const drm_types[] = {
        [HD_DRM_PRIMARY] = "primary",
        [HD_DRM_CONTROL] = "control",
        [HD_DRM_RENDER] = "render",
};

/*
 * nodedev.rng requires <hardware> with a <uuid>. Without DMI (most VMs, many
 * ARM boards) there is none to read, so, as libvirt does, the XML carries
 * the nil UUID, RFC 4122's "no UUID"; the JSON and the model leave it out.
 * <firmware> is printed even when empty, as libvirt does.
 */
static const char nil_uuid[] = "00000000-0000-0000-0000-000000000000";

static void print_system(struct xw *w, const struct hd_cap_system *s) {
        xw_elem(w, "product", s->product_name);
        xw_open(w, "<hardware>");
        xw_elem(w, "vendor", s->hw_vendor);
        xw_elem(w, "version", s->hw_version);
        xw_elem(w, "serial", s->hw_serial);
        xw_elem(w, "uuid", s->hw_uuid ? s->hw_uuid : nil_uuid);
        xw_close(w, "hardware");
        xw_open(w, "<firmware>");
        xw_elem(w, "vendor", s->fw_vendor);
        xw_elem(w, "version", s->fw_version);
        xw_elem(w, "release_date", s->fw_release_date);
        xw_close(w, "firmware");
}

/* USB ids without a name end in " />", with a space, unlike PCI's: libvirt's spelling. */
static void print_usb_id(struct xw *w, const char *elem, const struct hd_id_name *v) {
        xw_begin(w);
        xw_rawf(w, "<%s id='0x%04x'", elem, v->id);
        if (v->name) {
                xw_raw(w, ">");
                xw_esc(w, v->name);
                xw_rawf(w, "</%s>", elem);
        } else
                xw_raw(w, " />");
        xw_end(w);
}

static void print_usb_device(struct xw *w, const struct hd_cap_usb_device *u) {
        xw_line(w, "<bus>%u</bus>", u->bus);
        xw_line(w, "<device>%u</device>", u->device);
        print_usb_id(w, "product", &u->product);
        print_usb_id(w, "vendor", &u->vendor);
}

static void print_usb_interface(struct xw *w, const struct hd_cap_usb_interface *u) {
        xw_line(w, "<number>%u</number>", u->number);
        xw_line(w, "<class>%u</class>", u->klass);
        xw_line(w, "<subclass>%u</subclass>", u->subclass);
        xw_line(w, "<protocol>%u</protocol>", u->protocol);
        xw_elem(w, "description", u->description);
}

/* No <feature> lines: libvirt asks an ethtool ioctl for them, not sysfs. */
/* Six octets "xx:xx:xx:xx:xx:xx", the only <address> nodedev.rng allows. */
static bool is_mac(const char *s) {
        for (int i = 0; i < 6; i++, s += 3)
                if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]) || s[2] != (i < 5 ? ':' : 0))
                        return false;
        return true;
}

static void print_net(struct xw *w, const struct hd_cap_net *n) {
        xw_elem(w, "interface", n->ifname);
        /*
         * Other link layers have other address lengths (InfiniBand 20 octets,
         * a sit tunnel 4, ip6tnl 16). libvirt prints them and its document does
         * not validate; we leave them out (JSON keeps them, the name has them).
         */
        if (n->address && is_mac(n->address))
                xw_elem(w, "address", n->address);
        if (n->speed > 0 || n->link_state) {
                xw_begin(w);
                xw_raw(w, "<link");
                if (n->speed > 0)
                        xw_rawf(w, " speed='%u'", n->speed);
                if (n->link_state) {
                        xw_raw(w, " state='");
                        xw_esc_attr(w, n->link_state);
                        xw_raw(w, "'");
                }
                xw_raw(w, "/>");
                xw_end(w);
        }
        if (n->subcap == HD_NET_80203)
                xw_line(w, "<capability type='80203'/>");
        else if (n->subcap == HD_NET_80211)
                xw_line(w, "<capability type='80211'/>");
}

static void print_scsi_host(struct xw *w, const struct hd_cap_scsi_host *h) {
        if (!h->host_unknown)
                xw_line(w, "<host>%u</host>", h->host);
        if (h->unique_id >= 0)
                xw_line(w, "<unique_id>%d</unique_id>", h->unique_id);
        if (h->is_fc_host) {
                xw_open(w, "<capability type='fc_host'>");
                xw_elem(w, "wwnn", h->wwnn);
                xw_elem(w, "wwpn", h->wwpn);
                xw_elem(w, "fabric_wwn", h->fabric_wwn);
                xw_close(w, "capability");
        }
        if (h->has_vport_ops) {
                xw_open(w, "<capability type='vport_ops'>");
                xw_line(w, "<max_vports>%d</max_vports>", h->max_vports);
                xw_line(w, "<vports>%d</vports>", h->vports);
                xw_close(w, "capability");
        }
}

static void print_scsi_target(struct xw *w, const struct hd_cap_scsi_target *t) {
        xw_elem(w, "target", t->name);
        if (t->has_fc_remote_port) {
                xw_open(w, "<capability type='fc_remote_port'>");
                xw_elem(w, "rport", t->rport);
                xw_elem(w, "wwpn", t->wwpn);
                xw_close(w, "capability");
        }
}

static void print_scsi(struct xw *w, const struct hd_cap_scsi *s) {
        xw_line(w, "<host>%u</host>", s->host);
        xw_line(w, "<bus>%u</bus>", s->bus);
        xw_line(w, "<target>%u</target>", s->target);
        xw_line(w, "<lun>%" PRIu64 "</lun>", s->lun);
        xw_elem(w, "type", s->type);
}

/* nodedev.rng takes the two together or neither: one without the other is left out. */
static void print_block_geometry(struct xw *w, const struct hd_cap_storage *s) {
        if (s->logical_block_size == 0 || s->num_blocks == 0)
                return;
        xw_line(w, "<logical_block_size>%" PRIu64 "</logical_block_size>", s->logical_block_size);
        xw_line(w, "<num_blocks>%" PRIu64 "</num_blocks>", s->num_blocks);
}

static void print_storage(struct xw *w, const struct hd_cap_storage *s) {
        xw_elem(w, "block", s->block);
        xw_elem(w, "bus", s->bus);
        xw_elem(w, "drive_type", s->drive_type);
        xw_elem(w, "model", s->model);
        xw_elem(w, "vendor", s->vendor);
        xw_elem(w, "serial", s->serial);
        if (s->removable) {
                xw_open(w, "<capability type='removable'>");
                xw_line(w, "<media_available>%d</media_available>", s->media_available ? 1 : 0);
                xw_line(w, "<media_size>%" PRIu64 "</media_size>", s->media_size);
                xw_elem(w, "media_label", s->media_label);
                print_block_geometry(w, s);
                xw_close(w, "capability");
        } else {
                xw_line(w, "<size>%" PRIu64 "</size>", s->size);
                print_block_geometry(w, s);
        }
        if (s->hotpluggable)
                xw_line(w, "<capability type='hotpluggable'/>");
}

static void print_mdev(struct xw *w, const struct hd_cap_mdev *m) {
        if (m->type) {
                xw_begin(w);
                xw_raw(w, "<type id='");
                xw_esc_attr(w, m->type);
                xw_raw(w, "'/>");
                xw_end(w);
        }
        xw_elem(w, "uuid", m->uuid);
        xw_elem(w, "parent_addr", m->parent_addr);
        /* libvirt prints group 0 for a defined mdev that has none yet; we leave it out. */
        if (m->iommu_group >= 0)
                xw_line(w, "<iommuGroup number='%d'/>", m->iommu_group);
        for (size_t i = 0; i < m->n_attrs; i++) {
                xw_begin(w);
                xw_raw(w, "<attr name='");
                xw_esc_attr(w, m->attrs[i].name);
                xw_raw(w, "' value='");
                xw_esc_attr(w, m->attrs[i].value);
                xw_raw(w, "'/>");
                xw_end(w);
        }
}

static void print_ccw_addr(struct xw *w, unsigned cssid, unsigned ssid, unsigned devno) {
        xw_line(w, "<cssid>0x%x</cssid>", cssid);
        xw_line(w, "<ssid>0x%x</ssid>", ssid);
        xw_line(w, "<devno>0x%04x</devno>", devno);
}

static void print_css(struct xw *w, const struct hd_cap_ccw *c) {
        unsigned cssid, ssid, devno;
        int n = 0;

        print_ccw_addr(w, c->cssid, c->ssid, c->devno);
        /* "0.0.0815", as the subchannel's dev_busid spells the device on it. */
        if (c->channel_dev_addr &&
            sscanf(c->channel_dev_addr, "%x.%x.%x%n", &cssid, &ssid, &devno, &n) == 3 &&
            c->channel_dev_addr[n] == 0) {
                xw_open(w, "<channel_dev_addr>");
                print_ccw_addr(w, cssid, ssid, devno);
                xw_close(w, "channel_dev_addr");
        }
        xml_print_mdev_types(w, c->mdev_types, c->n_mdev_types);
}

static void print_cap(struct xw *w, const struct hd_cap *c) {
        switch (c->type) {
        case HD_CAP_SYSTEM:
                print_system(w, &c->system);
                break;
        case HD_CAP_PCI:
                xml_print_pci(w, &c->pci);
                break;
        case HD_CAP_USB_DEVICE:
                print_usb_device(w, &c->usb_dev);
                break;
        case HD_CAP_USB_INTERFACE:
                print_usb_interface(w, &c->usb_if);
                break;
        case HD_CAP_NET:
                print_net(w, &c->net);
                break;
        case HD_CAP_SCSI_HOST:
                print_scsi_host(w, &c->scsi_host);
                break;
        case HD_CAP_SCSI_TARGET:
                print_scsi_target(w, &c->scsi_target);
                break;
        case HD_CAP_SCSI:
                print_scsi(w, &c->scsi);
                break;
        case HD_CAP_STORAGE:
                print_storage(w, &c->storage);
                break;
        case HD_CAP_SCSI_GENERIC:
                xw_elem(w, "char", c->sg.path);
                break;
        case HD_CAP_DRM:
                if (c->drm.type >= 0 && (size_t)c->drm.type < ELEMENTSOF(drm_types))
                        xw_elem(w, "type", drm_types[c->drm.type]);
                break;
        case HD_CAP_MDEV:
                print_mdev(w, &c->mdev);
                break;
        case HD_CAP_VDPA:
                xw_elem(w, "chardev", c->vdpa.chardev);
                break;
        case HD_CAP_CCW:
                print_ccw_addr(w, c->ccw.cssid, c->ccw.ssid, c->ccw.devno);
                break;
        case HD_CAP_CSS:
                print_css(w, &c->ccw);
                break;
        case HD_CAP_AP_CARD:
                if (c->ap.adapter >= 0)
                        xw_line(w, "<ap-adapter>0x%02x</ap-adapter>", (unsigned)c->ap.adapter);
                break;
        case HD_CAP_AP_QUEUE:
                if (c->ap.adapter >= 0)
                        xw_line(w, "<ap-adapter>0x%02x</ap-adapter>", (unsigned)c->ap.adapter);
                if (c->ap.domain >= 0)
                        xw_line(w, "<ap-domain>0x%04x</ap-domain>", (unsigned)c->ap.domain);
                break;
        case HD_CAP_AP_MATRIX:
                xml_print_mdev_types(w, c->ccw.mdev_types, c->ccw.n_mdev_types);
                break;
        default:
                break;
        }
}

/* <parent>NAME</parent>, or the vHBA creation form naming the parent HBA by its WWNs. */
static void print_parent(struct xw *w, const struct hd_device *d) {
        const char *attrs[][2] = {
                { "wwnn", d->parent_wwnn },
                { "wwpn", d->parent_wwpn },
                { "fabric_wwn", d->parent_fabric_wwn },
        };
        bool any = false;

        for (size_t i = 0; i < ELEMENTSOF(attrs); i++)
                any = any || attrs[i][1];
        if (!any) {
                xw_elem(w, "parent", d->parent_name);
                return;
        }
        xw_begin(w);
        xw_raw(w, "<parent");
        for (size_t i = 0; i < ELEMENTSOF(attrs); i++)
                if (attrs[i][1]) {
                        xw_rawf(w, " %s='", attrs[i][0]);
                        xw_esc_attr(w, attrs[i][1]);
                        xw_raw(w, "'");
                }
        if (d->parent_name) {
                xw_raw(w, ">");
                xw_esc(w, d->parent_name);
                xw_raw(w, "</parent>");
        } else
                xw_raw(w, "/>");
        xw_end(w);
}

static void print_devnode(struct xw *w, const char *type, const char *path) {
        if (!path)
                return;
        xw_begin(w);
        xw_rawf(w, "<devnode type='%s'>", type);
        xw_esc(w, path);
        xw_raw(w, "</devnode>");
        xw_end(w);
}

static bool cap_is_printable(enum hd_cap_type t) {
        /* Sub-capabilities live inside their device's capability, never on their own. */
        return t >= 0 && t < _HD_CAP_MAX && t != HD_CAP_FC_HOST && t != HD_CAP_VPORTS &&
               t != HD_CAP_MDEV_TYPES;
}

int hd_device_to_xml(struct hd_context *ctx, const struct hd_device *d, char **ret_xml) {
        _cleanup_(xw_done) struct xw w = {};
        char *s;

        if (!d || !ret_xml)
                return -EINVAL;
        if (xw_init(&w) < 0)
                return -ENOMEM;

        xw_open(&w, "<device>");
        xw_elem(&w, "name", d->name);
        xw_elem(&w, "path", d->sysfs_path);
        /* libvirt keeps one node and a list of links: the node comes first. */
        for (size_t i = 0; i < d->n_devnodes; i++)
                if (d->devnodes[i].type == HD_DEVNODE_DEV)
                        print_devnode(&w, "dev", d->devnodes[i].path);
        for (size_t i = 0; i < d->n_devnodes; i++)
                if (d->devnodes[i].type == HD_DEVNODE_LINK)
                        print_devnode(&w, "link", d->devnodes[i].path);
        print_parent(&w, d);
        if (d->driver) {
                xw_open(&w, "<driver>");
                xw_elem(&w, "name", d->driver);
                xw_close(&w, "driver");
        }
        for (const struct hd_cap *c = d->caps; c; c = c->next) {
                if (!cap_is_printable(c->type))
                        continue;
                xw_open(&w, "<capability type='%s'>", hd_cap_type_to_string(c->type));
                print_cap(&w, c);
                xw_close(&w, "capability");
        }
        xw_close(&w, "device");

        s = xw_steal(&w);
        if (!s)
                return hd_error(ctx, -ENOMEM, "out of memory writing the XML of %s",
                                d->name ? d->name : "a device");
        *ret_xml = s;
        return 0;
}
