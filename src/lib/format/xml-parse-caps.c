/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading each capability of a node device XML but pci (xml-parse-pci.c). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "inventory/probe.h"
#include "xml-parse.h"

/* 32 hex digits, dashed or not, as libvirt takes a UUID; written back lower case and dashed, as libvirt does. */
static int uuid_normalize(struct hd_context *ctx, xmlNodePtr n, char **s) {
        char hex[33], out[37];
        size_t k = 0;

        for (const char *p = *s; *p; p++) {
                if (*p == '-' && (k == 8 || k == 12 || k == 16 || k == 20))
                        continue;
                if (!isxdigit((unsigned char)*p) || k == 32)
                        return xp_error(ctx, n, -EINVAL, "'%s' is not a UUID (like 0b4d2c5e-1f7a-4c3b-9d8e-6a5f4e3d2c1b)", *s);
                hex[k++] = (char)tolower((unsigned char)*p);
        }
        if (k != 32)
                return xp_error(ctx, n, -EINVAL, "'%s' is not a UUID (like 0b4d2c5e-1f7a-4c3b-9d8e-6a5f4e3d2c1b)", *s);
        hex[32] = 0;
        snprintf(out, sizeof(out), "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
        free(*s);
        *s = strdup(out);
        return *s ? 0 : -ENOMEM;
}

/* A WWN is 16 hex digits; the model keeps it without the 0x that sysfs and some documents have. */
int xp_wwn_normalize(struct hd_context *ctx, xmlNodePtr n, const char *what, char **s) {
        const char *p;
        char *copy;

        if (!*s)
                return 0;
        p = startswith(*s, "0x") ? *s + 2 : *s;
        for (size_t i = 0; i < 16; i++)
                if (!isxdigit((unsigned char)p[i]))
                        goto invalid;
        if (p[16])
                goto invalid;
        if (p == *s)
                return 0;
        copy = strdup(p);
        if (!copy)
                return -ENOMEM;
        free(*s);
        *s = copy;
        return 0;
invalid:
        return xp_error(ctx, n, -EINVAL, "%s '%s' is not a WWN (16 hexadecimal digits)", what, *s);
}

static int cap_system(struct hd_context *ctx, xmlNodePtr n, struct hd_cap_system *s) {
        xmlNodePtr hw = xp_child(n, "hardware"), fw = xp_child(n, "firmware");
        int r;

        if ((r = xp_child_text(n, "product", &s->product_name)) < 0 ||
            (r = xp_child_text(hw, "vendor", &s->hw_vendor)) < 0 ||
            (r = xp_child_text(hw, "version", &s->hw_version)) < 0 ||
            (r = xp_child_text(hw, "serial", &s->hw_serial)) < 0 ||
            (r = xp_child_text(hw, "uuid", &s->hw_uuid)) < 0 ||
            (r = xp_child_text(fw, "vendor", &s->fw_vendor)) < 0 ||
            (r = xp_child_text(fw, "version", &s->fw_version)) < 0 ||
            (r = xp_child_text(fw, "release_date", &s->fw_release_date)) < 0)
                return r;
        /* A missing UUID is allowed: without DMI there is none to read. */
        return s->hw_uuid ? uuid_normalize(ctx, xp_child(hw, "uuid"), &s->hw_uuid) : 0;
}

static int id_name(struct hd_context *ctx, xmlNodePtr n, const char *elem, struct hd_id_name *v) {
        xmlNodePtr c = xp_child(n, elem);
        int r;

        if (!c)
                return xp_error(ctx, n, -EINVAL, "<capability type='usb_device'> has no <%s id=>", elem);
        if ((r = xp_prop_uint(ctx, c, "id", 16, true, 0xffff, &v->id)) < 0)
                return r;
        return xp_text(c, &v->name);
}

static int cap_usb_device(struct hd_context *ctx, xmlNodePtr n, struct hd_cap_usb_device *u) {
        int r;
        if ((r = xp_child_uint(ctx, n, "bus", 10, true, UINT32_MAX, &u->bus)) < 0 ||
            (r = xp_child_uint(ctx, n, "device", 10, true, UINT32_MAX, &u->device)) < 0 ||
            (r = id_name(ctx, n, "vendor", &u->vendor)) < 0 ||
            (r = id_name(ctx, n, "product", &u->product)) < 0)
                return r;
        return 0;
}

static int cap_usb_interface(struct hd_context *ctx, xmlNodePtr n, struct hd_cap_usb_interface *u) {
        int r;
        if ((r = xp_child_uint(ctx, n, "number", 10, true, 0xff, &u->number)) < 0 ||
            (r = xp_child_uint(ctx, n, "class", 10, true, 0xff, &u->klass)) < 0 ||
            (r = xp_child_uint(ctx, n, "subclass", 10, true, 0xff, &u->subclass)) < 0 ||
            (r = xp_child_uint(ctx, n, "protocol", 10, true, 0xff, &u->protocol)) < 0 ||
            (r = xp_child_text(n, "description", &u->description)) < 0)
                return r;
        return 0;
}

/* The kernel's operstate values (Documentation/ABI/testing/sysfs-class-net), as libvirt lists them. */
static const char *const link_states[] = {
        "unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up",
};

static int cap_net(struct hd_context *ctx, xmlNodePtr n, struct hd_cap_net *net) {
        xmlNodePtr link = xp_child(n, "link"), sub = xp_child(n, "capability");
        int r;

        if ((r = xp_child_text_req(ctx, n, "interface", &net->ifname)) < 0 ||
            (r = xp_child_text(n, "address", &net->address)) < 0)
                return r;
        if (link) {
                if ((r = xp_prop_uint(ctx, link, "speed", 10, false, UINT32_MAX, &net->speed)) < 0 ||
                    (r = xp_prop(link, "state", &net->link_state)) < 0)
                        return r;
                if (net->link_state) {
                        bool known = false;
                        for (size_t i = 0; i < ELEMENTSOF(link_states); i++)
                                known = known || streq(link_states[i], net->link_state);
                        if (!known)
                                return xp_error(ctx, link, -EINVAL,
                                                "link state '%s' is not one of unknown, notpresent, down, "
                                                "lowerlayerdown, testing, dormant, up",
                                                net->link_state);
                }
        }
        /* <feature> lines are ethtool's offloads; the model does not keep them. */
        if (sub) {
                _cleanup_free_ char *type = NULL;
                if ((r = xp_prop(sub, "type", &type)) < 0)
                        return r;
                if (type && streq(type, "80203"))
                        net->subcap = HD_NET_80203;
                else if (type && streq(type, "80211"))
                        net->subcap = HD_NET_80211;
                else
                        return xp_error(ctx, sub, -EINVAL, "network capability type '%s' is neither 80203 nor 80211",
                                        strempty(type));
        }
        return 0;
}

static int cap_scsi_host(struct hd_context *ctx, xmlNodePtr n, struct hd_cap_scsi_host *h) {
        unsigned v;
        int r;

        /* A vHBA creation document has no host number: the kernel gives it. */
        if ((r = xp_child_uint(ctx, n, "host", 10, false, UINT32_MAX, &h->host)) < 0)
                return r;
        h->host_unknown = r == 0;
        h->unique_id = -1;
        if ((r = xp_child_uint(ctx, n, "unique_id", 10, false, INT32_MAX, &v)) < 0)
                return r;
        if (r > 0)
                h->unique_id = (int)v;

        XP_FOREACH(c, n, "capability") {
                _cleanup_free_ char *type = NULL;
                if ((r = xp_prop(c, "type", &type)) < 0)
                        return r;
                if (type && (streq(type, "fc_host") ? h->is_fc_host : streq(type, "vport_ops") && h->has_vport_ops))
                        return xp_error(ctx, c, -EINVAL, "a second <capability type='%s'> in scsi_host; give it once", type);
                if (type && streq(type, "fc_host")) {
                        h->is_fc_host = true;
                        if ((r = xp_child_text(c, "wwnn", &h->wwnn)) < 0 ||
                            (r = xp_child_text(c, "wwpn", &h->wwpn)) < 0 ||
                            (r = xp_child_text(c, "fabric_wwn", &h->fabric_wwn)) < 0 ||
                            (r = xp_wwn_normalize(ctx, c, "wwnn", &h->wwnn)) < 0 ||
                            (r = xp_wwn_normalize(ctx, c, "wwpn", &h->wwpn)) < 0 ||
                            (r = xp_wwn_normalize(ctx, c, "fabric_wwn", &h->fabric_wwn)) < 0)
                                return r;
                } else if (type && streq(type, "vport_ops")) {
                        h->has_vport_ops = true;
                        if ((r = xp_child_uint(ctx, c, "max_vports", 10, false, INT32_MAX, &v)) < 0)
                                return r;
                        h->max_vports = r > 0 ? (int)v : 0;
                        if ((r = xp_child_uint(ctx, c, "vports", 10, false, INT32_MAX, &v)) < 0)
                                return r;
                        h->vports = r > 0 ? (int)v : 0;
                } else
                        return xp_error(ctx, c, -EINVAL,
                                        "scsi_host capability type '%s' is neither fc_host nor vport_ops",
                                        strempty(type));
        }
        return 0;
}

static int cap_scsi_target(struct hd_context *ctx, xmlNodePtr n, struct hd_cap_scsi_target *t) {
        int r;

        if ((r = xp_child_text_req(ctx, n, "target", &t->name)) < 0)
                return r;
        XP_FOREACH(c, n, "capability") {
                _cleanup_free_ char *type = NULL;
                if ((r = xp_prop(c, "type", &type)) < 0)
                        return r;
                if (!type || !streq(type, "fc_remote_port"))
                        return xp_error(ctx, c, -EINVAL, "scsi_target capability type '%s' is not fc_remote_port",
                                        strempty(type));
                t->has_fc_remote_port = true;
                if ((r = xp_child_text_req(ctx, c, "rport", &t->rport)) < 0 ||
                    (r = xp_child_text_req(ctx, c, "wwpn", &t->wwpn)) < 0)
                        return r;
        }
        return 0;
}

static int cap_scsi(struct hd_context *ctx, xmlNodePtr n, struct hd_cap_scsi *s) {
        int r;
        if ((r = xp_child_uint(ctx, n, "host", 10, true, UINT32_MAX, &s->host)) < 0 ||
            (r = xp_child_uint(ctx, n, "bus", 10, true, UINT32_MAX, &s->bus)) < 0 ||
            (r = xp_child_uint(ctx, n, "target", 10, true, UINT32_MAX, &s->target)) < 0 ||
            (r = xp_child_u64(ctx, n, "lun", 10, true, UINT64_MAX, &s->lun)) < 0 ||
            (r = xp_child_text(n, "type", &s->type)) < 0)
                return r;
        return 0;
}

static int block_geometry(struct hd_context *ctx, xmlNodePtr n, struct hd_cap_storage *s) {
        int r;
        if ((r = xp_child_u64(ctx, n, "logical_block_size", 10, false, UINT64_MAX, &s->logical_block_size)) < 0 ||
            (r = xp_child_u64(ctx, n, "num_blocks", 10, false, UINT64_MAX, &s->num_blocks)) < 0)
                return r;
        return 0;
}

static int cap_storage(struct hd_context *ctx, xmlNodePtr n, struct hd_cap_storage *s) {
        int r;

        if ((r = xp_child_text_req(ctx, n, "block", &s->block)) < 0 ||
            (r = xp_child_text(n, "bus", &s->bus)) < 0 ||
            (r = xp_child_text(n, "drive_type", &s->drive_type)) < 0 ||
            (r = xp_child_text(n, "model", &s->model)) < 0 ||
            (r = xp_child_text(n, "vendor", &s->vendor)) < 0 ||
            (r = xp_child_text(n, "serial", &s->serial)) < 0)
                return r;
        XP_FOREACH(c, n, "capability") {
                _cleanup_free_ char *type = NULL;
                unsigned avail = 0;
                if ((r = xp_prop(c, "type", &type)) < 0)
                        return r;
                if (type && streq(type, "hotpluggable")) {
                        s->hotpluggable = true;
                } else if (type && streq(type, "removable")) {
                        s->removable = true;
                        if ((r = xp_child_uint(ctx, c, "media_available", 10, false, 1, &avail)) < 0 ||
                            (r = xp_child_u64(ctx, c, "media_size", 10, true, UINT64_MAX, &s->media_size)) < 0 ||
                            (r = xp_child_text(c, "media_label", &s->media_label)) < 0 ||
                            (r = block_geometry(ctx, c, s)) < 0)
                                return r;
                        s->media_available = avail == 1;
                } else
                        return xp_error(ctx, c, -EINVAL,
                                        "storage capability type '%s' is neither removable nor hotpluggable",
                                        strempty(type));
        }
        if (!s->removable) {
                if ((r = xp_child_u64(ctx, n, "size", 10, true, UINT64_MAX, &s->size)) < 0 ||
                    (r = block_geometry(ctx, n, s)) < 0)
                        return r;
        }
        return 0;
}

static int cap_drm(struct hd_context *ctx, xmlNodePtr n, struct hd_cap_drm *drm) {
        _cleanup_free_ char *type = NULL;
        int r;

        if ((r = xp_child_text_req(ctx, n, "type", &type)) < 0)
                return r;
        if (streq(type, "primary"))
                drm->type = HD_DRM_PRIMARY;
        else if (streq(type, "control"))
                drm->type = HD_DRM_CONTROL;
        else if (streq(type, "render"))
                drm->type = HD_DRM_RENDER;
        else
                return xp_error(ctx, xp_child(n, "type"), -EINVAL,
                                "DRM type '%s' is not one of primary, control, render", type);
        return 0;
}

static int cap_mdev(struct hd_context *ctx, xmlNodePtr n, struct hd_cap_mdev *m) {
        xmlNodePtr t = xp_child(n, "type"), g = xp_child(n, "iommuGroup");
        unsigned v;
        int r;

        m->iommu_group = -1;
        if (!t || (r = xp_prop(t, "id", &m->type)) < 0 || !m->type)
                return xp_error(ctx, t ? t : n, -EINVAL,
                                "<capability type='mdev'> needs <type id='...'/>, the mdev type (see the parent's mdev_types)");
        if ((r = xp_child_text(n, "uuid", &m->uuid)) < 0 ||
            (m->uuid && (r = uuid_normalize(ctx, xp_child(n, "uuid"), &m->uuid)) < 0) ||
            (r = xp_child_text(n, "parent_addr", &m->parent_addr)) < 0)
                return r;
        if (g) {
                if ((r = xp_prop_uint(ctx, g, "number", 10, true, INT32_MAX, &v)) < 0)
                        return r;
                m->iommu_group = (int)v;
        }
        XP_FOREACH(a, n, "attr") {
                struct hd_mdev_attr *nv = realloc(m->attrs, (m->n_attrs + 1) * sizeof(*nv)), *at;
                if (!nv)
                        return -ENOMEM;
                m->attrs = nv;
                at = &nv[m->n_attrs++];
                *at = (struct hd_mdev_attr){};
                if ((r = xp_prop(a, "name", &at->name)) < 0 || (r = xp_prop(a, "value", &at->value)) < 0)
                        return r;
                if (!at->name || !at->value)
                        return xp_error(ctx, a, -EINVAL, "an mdev <attr> needs both name= and value=");
        }
        return 0;
}

static int ccw_address(struct hd_context *ctx, xmlNodePtr n, unsigned *cssid, unsigned *ssid, unsigned *devno) {
        int r;
        if ((r = xp_child_uint(ctx, n, "cssid", 0, true, 0xfe, cssid)) < 0 ||
            (r = xp_child_uint(ctx, n, "ssid", 0, true, 3, ssid)) < 0 ||
            (r = xp_child_uint(ctx, n, "devno", 16, true, 0xffff, devno)) < 0)
                return r;
        return 0;
}

static int cap_css(struct hd_context *ctx, xmlNodePtr n, struct hd_cap_ccw *c) {
        xmlNodePtr ch = xp_child(n, "channel_dev_addr");
        int r;

        if ((r = ccw_address(ctx, n, &c->cssid, &c->ssid, &c->devno)) < 0)
                return r;
        if (ch) {
                unsigned cssid, ssid, devno;
                if ((r = ccw_address(ctx, ch, &cssid, &ssid, &devno)) < 0)
                        return r;
                c->channel_dev_addr = strdupf("%x.%x.%04x", cssid, ssid, devno);
                if (!c->channel_dev_addr)
                        return -ENOMEM;
        }
        return 0;
}

/* css and ap_matrix: their only sub-capability is mdev_types. */
static int mdev_types_subcaps(struct hd_context *ctx, xmlNodePtr n, struct hd_cap_ccw *c) {
        XP_FOREACH(sub, n, "capability") {
                _cleanup_free_ char *type = NULL;
                int r = xp_prop(sub, "type", &type);
                if (r < 0)
                        return r;
                if (type && streq(type, "mdev_types") &&
                    (r = xp_mdev_types(ctx, sub, &c->mdev_types, &c->n_mdev_types)) < 0)
                        return r;
        }
        return 0;
}

static int cap_ap(struct hd_context *ctx, xmlNodePtr n, struct hd_cap_ap *ap, bool queue) {
        unsigned v;
        int r;

        ap->adapter = ap->domain = -1;
        if ((r = xp_child_uint(ctx, n, "ap-adapter", 0, true, 0xff, &v)) < 0)
                return r;
        ap->adapter = (int)v;
        if (!queue)
                return 0;
        if ((r = xp_child_uint(ctx, n, "ap-domain", 0, true, 0xffff, &v)) < 0)
                return r;
        ap->domain = (int)v;
        return 0;
}

int xp_cap(struct hd_context *ctx, xmlNodePtr n, struct hd_device *d) {
        _cleanup_free_ char *type = NULL;
        enum hd_cap_type t;
        struct hd_cap *c;
        int r;

        if ((r = xp_prop(n, "type", &type)) < 0)
                return r;
        t = hd_cap_type_from_string(type);
        if (t < 0 || t == HD_CAP_FC_HOST || t == HD_CAP_VPORTS || t == HD_CAP_MDEV_TYPES)
                return xp_error(ctx, n, -EINVAL, "unknown device capability type '%s'", strempty(type));
        c = hd_device_add_cap(d, t);
        if (!c)
                return -ENOMEM;

        switch (t) {
        case HD_CAP_SYSTEM:
                return cap_system(ctx, n, &c->system);
        case HD_CAP_PCI:
                return xp_cap_pci(ctx, n, &c->pci);
        case HD_CAP_USB_DEVICE:
                return cap_usb_device(ctx, n, &c->usb_dev);
        case HD_CAP_USB_INTERFACE:
                return cap_usb_interface(ctx, n, &c->usb_if);
        case HD_CAP_NET:
                return cap_net(ctx, n, &c->net);
        case HD_CAP_SCSI_HOST:
                return cap_scsi_host(ctx, n, &c->scsi_host);
        case HD_CAP_SCSI_TARGET:
                return cap_scsi_target(ctx, n, &c->scsi_target);
        case HD_CAP_SCSI:
                return cap_scsi(ctx, n, &c->scsi);
        case HD_CAP_STORAGE:
                return cap_storage(ctx, n, &c->storage);
        case HD_CAP_SCSI_GENERIC:
                return xp_child_text_req(ctx, n, "char", &c->sg.path);
        case HD_CAP_DRM:
                return cap_drm(ctx, n, &c->drm);
        case HD_CAP_MDEV:
                return cap_mdev(ctx, n, &c->mdev);
        case HD_CAP_VDPA:
                return xp_child_text_req(ctx, n, "chardev", &c->vdpa.chardev);
        case HD_CAP_CCW:
                return ccw_address(ctx, n, &c->ccw.cssid, &c->ccw.ssid, &c->ccw.devno);
        case HD_CAP_CSS:
                if ((r = cap_css(ctx, n, &c->ccw)) < 0)
                        return r;
                return mdev_types_subcaps(ctx, n, &c->ccw);
        case HD_CAP_AP_CARD:
                return cap_ap(ctx, n, &c->ap, false);
        case HD_CAP_AP_QUEUE:
                return cap_ap(ctx, n, &c->ap, true);
        case HD_CAP_AP_MATRIX:
                return mdev_types_subcaps(ctx, n, &c->ccw);
        default:
                return -EINVAL;
        }
}
