/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A device as one JSON object (field names in doc/json.md), written with json-c. */
#include <json-c/json.h>
#include <stdio.h>

#include "context-internal.h"
#include "hostdev/format.h"
#include "inventory/pci-rules.h"
#include "util/strutil.h"

/* Builders that note a failed allocation once instead of at every call. */
struct jw {
        bool oom;
};

static json_object *jw_object(struct jw *w) {
        json_object *o = json_object_new_object();
        if (!o)
                w->oom = true;
        return o;
}

static json_object *jw_array(struct jw *w) {
        json_object *a = json_object_new_array();
        if (!a)
                w->oom = true;
        return a;
}

/* Takes V, even on failure. */
static void jw_add(struct jw *w, json_object *o, const char *key, json_object *v) {
        if (!o || !v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                w->oom = true;
        }
}

static void jw_append(struct jw *w, json_object *a, json_object *v) {
        if (!a || !v || json_object_array_add(a, v) < 0) {
                json_object_put(v);
                w->oom = true;
        }
}

static void jw_str(struct jw *w, json_object *o, const char *key, const char *s) {
        if (s)
                jw_add(w, o, key, json_object_new_string(s));
}

static void jw_int(struct jw *w, json_object *o, const char *key, int64_t v) {
        jw_add(w, o, key, json_object_new_int64(v));
}

static void jw_u64(struct jw *w, json_object *o, const char *key, uint64_t v) {
        jw_add(w, o, key, json_object_new_uint64(v));
}

static void jw_bool(struct jw *w, json_object *o, const char *key, bool v) {
        jw_add(w, o, key, json_object_new_boolean(v));
}

static void jw_strf(struct jw *w, json_object *o, const char *key, const char *fmt, unsigned v) {
        char buf[32];
        snprintf(buf, sizeof(buf), fmt, v);
        jw_str(w, o, key, buf);
}

/* Objects added only when they got a field: "left out when absent" holds for groups too. */
static void jw_add_nonempty(struct jw *w, json_object *o, const char *key, json_object *v) {
        if (v && json_object_object_length(v) == 0) {
                json_object_put(v);
                return;
        }
        jw_add(w, o, key, v);
}

static json_object *id_name(struct jw *w, const struct hd_id_name *v) {
        json_object *o = jw_object(w);
        jw_strf(w, o, "id", "0x%04x", v->id);
        jw_str(w, o, "name", v->name);
        return o;
}

static json_object *pci_addr(const struct hd_pci_addr *a) {
        char buf[20];
        return json_object_new_string(hd_pci_addr_format(a, buf));
}

static json_object *pci_addrs(struct jw *w, const struct hd_pci_addr *v, size_t n) {
        json_object *a = jw_array(w);
        for (size_t i = 0; i < n; i++)
                jw_append(w, a, pci_addr(&v[i]));
        return a;
}

static void mdev_types(struct jw *w, json_object *o, const struct hd_mdev_type *t, size_t n) {
        json_object *a;

        if (n == 0)
                return;
        a = jw_array(w);
        for (size_t i = 0; i < n; i++) {
                json_object *e = jw_object(w);
                jw_str(w, e, "id", t[i].id);
                jw_str(w, e, "name", t[i].name);
                jw_str(w, e, "description", t[i].description);
                jw_str(w, e, "device_api", t[i].device_api);
                jw_u64(w, e, "available_instances", t[i].available_instances);
                jw_append(w, a, e);
        }
        jw_add(w, o, "mdev_types", a);
}

static void pcie_link(struct jw *w, json_object *o, const char *key, const struct hd_pcie_link *l) {
        json_object *e;

        if (!l->present)
                return;
        e = jw_object(w);
        /* Only libvirt's speeds: a model made by hand may hold any double (inf, 1e300). */
        if (pcie_speed_is_known(l->speed)) {
                /* 8, not 8.0: whole GT/s as integers, 2.5 as it is. */
                if (l->speed == (double)(int64_t)l->speed)
                        jw_int(w, e, "speed", (int64_t)l->speed);
                else
                        jw_add(w, e, "speed", json_object_new_double(l->speed));
        }
        jw_u64(w, e, "width", l->width);
        if (l->port >= 0)
                jw_int(w, e, "port", l->port);
        jw_add(w, o, key, e);
}

static void cap_pci(struct jw *w, json_object *o, const struct hd_cap_pci *p) {
        if (p->class_code != HD_PCI_CLASS_NONE)
                jw_strf(w, o, "class", "0x%06x", p->class_code);
        jw_u64(w, o, "domain", p->addr.domain);
        jw_u64(w, o, "bus", p->addr.bus);
        jw_u64(w, o, "slot", p->addr.slot);
        jw_u64(w, o, "function", p->addr.function);
        jw_add(w, o, "vendor", id_name(w, &p->vendor));
        jw_add(w, o, "product", id_name(w, &p->product));
        if (p->iommu_group >= 0) {
                json_object *g = jw_object(w);
                jw_int(w, g, "number", p->iommu_group);
                jw_add(w, g, "addresses", pci_addrs(w, p->iommu_members, p->n_iommu_members));
                jw_add(w, o, "iommu_group", g);
        }
        if (p->numa_node >= 0)
                jw_int(w, o, "numa_node", p->numa_node);
        if (p->has_phys_function)
                jw_add(w, o, "phys_function", pci_addr(&p->phys_function));
        if (p->is_sriov_pf) {
                json_object *v = jw_object(w);
                if (p->max_vfs > 0)
                        jw_u64(w, v, "max_count", p->max_vfs);
                jw_add(w, v, "addresses", pci_addrs(w, p->virt_functions, p->n_virt_functions));
                jw_add(w, o, "virt_functions", v);
        }
        if (p->bridge == HD_PCI_BRIDGE)
                jw_str(w, o, "bridge", "pci-bridge");
        else if (p->bridge == HD_PCI_CARDBUS_BRIDGE)
                jw_str(w, o, "bridge", "cardbus-bridge");
        if (p->is_express) {
                json_object *e = jw_object(w);
                pcie_link(w, e, "link_cap", &p->link_cap);
                pcie_link(w, e, "link_sta", &p->link_sta);
                jw_add(w, o, "pci_express", e);
        }
        mdev_types(w, o, p->mdev_types, p->n_mdev_types);
}

static void cap_system(struct jw *w, json_object *o, const struct hd_cap_system *s) {
        json_object *hw = jw_object(w), *fw = jw_object(w);

        jw_str(w, o, "product", s->product_name);
        jw_str(w, hw, "vendor", s->hw_vendor);
        jw_str(w, hw, "version", s->hw_version);
        jw_str(w, hw, "serial", s->hw_serial);
        jw_str(w, hw, "uuid", s->hw_uuid);
        jw_add_nonempty(w, o, "hardware", hw);
        jw_str(w, fw, "vendor", s->fw_vendor);
        jw_str(w, fw, "version", s->fw_version);
        jw_str(w, fw, "release_date", s->fw_release_date);
        jw_add_nonempty(w, o, "firmware", fw);
}

static void cap_scsi_host(struct jw *w, json_object *o, const struct hd_cap_scsi_host *h) {
        if (!h->host_unknown)
                jw_u64(w, o, "host", h->host);
        if (h->unique_id >= 0)
                jw_int(w, o, "unique_id", h->unique_id);
        if (h->is_fc_host) {
                json_object *fc = jw_object(w);
                jw_str(w, fc, "wwnn", h->wwnn);
                jw_str(w, fc, "wwpn", h->wwpn);
                jw_str(w, fc, "fabric_wwn", h->fabric_wwn);
                jw_add(w, o, "fc_host", fc);
        }
        if (h->has_vport_ops) {
                json_object *v = jw_object(w);
                jw_int(w, v, "max_vports", h->max_vports);
                jw_int(w, v, "vports", h->vports);
                jw_add(w, o, "vport_ops", v);
        }
}

static void cap_storage(struct jw *w, json_object *o, const struct hd_cap_storage *s) {
        jw_str(w, o, "block", s->block);
        jw_str(w, o, "bus", s->bus);
        jw_str(w, o, "drive_type", s->drive_type);
        jw_str(w, o, "model", s->model);
        jw_str(w, o, "vendor", s->vendor);
        jw_str(w, o, "serial", s->serial);
        if (!s->removable)
                jw_u64(w, o, "size", s->size);
        if (s->logical_block_size > 0)
                jw_u64(w, o, "logical_block_size", s->logical_block_size);
        if (s->num_blocks > 0)
                jw_u64(w, o, "num_blocks", s->num_blocks);
        if (s->removable) {
                json_object *r = jw_object(w);
                jw_bool(w, r, "media_available", s->media_available);
                jw_u64(w, r, "media_size", s->media_size);
                jw_str(w, r, "media_label", s->media_label);
                jw_add(w, o, "removable", r);
        }
        jw_bool(w, o, "hotpluggable", s->hotpluggable);
}

static void cap_mdev(struct jw *w, json_object *o, const struct hd_cap_mdev *m) {
        json_object *a;

        jw_str(w, o, "mdev_type", m->type);
        jw_str(w, o, "uuid", m->uuid);
        jw_str(w, o, "parent_addr", m->parent_addr);
        if (m->iommu_group >= 0)
                jw_int(w, o, "iommu_group", m->iommu_group);
        a = jw_array(w);
        for (size_t i = 0; i < m->n_attrs; i++) {
                json_object *e = jw_object(w);
                jw_str(w, e, "name", m->attrs[i].name);
                jw_str(w, e, "value", m->attrs[i].value);
                jw_append(w, a, e);
        }
        jw_add(w, o, "attributes", a);
        jw_bool(w, o, "active", m->active);
        jw_bool(w, o, "autostart", m->autostart);
}

static const char *const drm_types[] = {
        [HD_DRM_PRIMARY] = "primary",
        [HD_DRM_CONTROL] = "control",
        [HD_DRM_RENDER] = "render",
};

static void cap_fields(struct jw *w, json_object *o, const struct hd_cap *c) {
        switch (c->type) {
        case HD_CAP_SYSTEM:
                cap_system(w, o, &c->system);
                break;
        case HD_CAP_PCI:
                cap_pci(w, o, &c->pci);
                break;
        case HD_CAP_USB_DEVICE:
                jw_u64(w, o, "bus", c->usb_dev.bus);
                jw_u64(w, o, "device", c->usb_dev.device);
                jw_add(w, o, "vendor", id_name(w, &c->usb_dev.vendor));
                jw_add(w, o, "product", id_name(w, &c->usb_dev.product));
                break;
        case HD_CAP_USB_INTERFACE:
                jw_u64(w, o, "number", c->usb_if.number);
                jw_u64(w, o, "class", c->usb_if.klass);
                jw_u64(w, o, "subclass", c->usb_if.subclass);
                jw_u64(w, o, "protocol", c->usb_if.protocol);
                jw_str(w, o, "description", c->usb_if.description);
                break;
        case HD_CAP_NET:
                jw_str(w, o, "interface", c->net.ifname);
                jw_str(w, o, "address", c->net.address);
                if (c->net.ifindex > 0)
                        jw_int(w, o, "ifindex", c->net.ifindex);
                if (c->net.speed > 0)
                        jw_u64(w, o, "speed", c->net.speed);
                jw_str(w, o, "state", c->net.link_state);
                if (c->net.subcap == HD_NET_80203)
                        jw_str(w, o, "subcapability", "80203");
                else if (c->net.subcap == HD_NET_80211)
                        jw_str(w, o, "subcapability", "80211");
                break;
        case HD_CAP_SCSI_HOST:
                cap_scsi_host(w, o, &c->scsi_host);
                break;
        case HD_CAP_SCSI_TARGET:
                jw_str(w, o, "target", c->scsi_target.name);
                if (c->scsi_target.has_fc_remote_port) {
                        json_object *r = jw_object(w);
                        jw_str(w, r, "rport", c->scsi_target.rport);
                        jw_str(w, r, "wwpn", c->scsi_target.wwpn);
                        jw_add(w, o, "fc_remote_port", r);
                }
                break;
        case HD_CAP_SCSI:
                jw_u64(w, o, "host", c->scsi.host);
                jw_u64(w, o, "bus", c->scsi.bus);
                jw_u64(w, o, "target", c->scsi.target);
                jw_u64(w, o, "lun", c->scsi.lun);
                jw_str(w, o, "type_name", c->scsi.type);
                break;
        case HD_CAP_STORAGE:
                cap_storage(w, o, &c->storage);
                break;
        case HD_CAP_SCSI_GENERIC:
                jw_str(w, o, "char", c->sg.path);
                break;
        case HD_CAP_DRM:
                if (c->drm.type >= 0 && (size_t)c->drm.type < ELEMENTSOF(drm_types))
                        jw_str(w, o, "drm_type", drm_types[c->drm.type]);
                break;
        case HD_CAP_MDEV:
                cap_mdev(w, o, &c->mdev);
                break;
        case HD_CAP_VDPA:
                jw_str(w, o, "chardev", c->vdpa.chardev);
                break;
        case HD_CAP_CCW:
        case HD_CAP_CSS:
                jw_u64(w, o, "cssid", c->ccw.cssid);
                jw_u64(w, o, "ssid", c->ccw.ssid);
                jw_u64(w, o, "devno", c->ccw.devno);
                if (c->type == HD_CAP_CSS) {
                        jw_str(w, o, "channel_dev_addr", c->ccw.channel_dev_addr);
                        mdev_types(w, o, c->ccw.mdev_types, c->ccw.n_mdev_types);
                }
                break;
        case HD_CAP_AP_CARD:
        case HD_CAP_AP_QUEUE:
                if (c->ap.adapter >= 0)
                        jw_int(w, o, "ap_adapter", c->ap.adapter);
                if (c->type == HD_CAP_AP_QUEUE && c->ap.domain >= 0)
                        jw_int(w, o, "ap_domain", c->ap.domain);
                break;
        case HD_CAP_AP_MATRIX:
                mdev_types(w, o, c->ccw.mdev_types, c->ccw.n_mdev_types);
                break;
        default:
                break;
        }
}

static json_object *device(struct jw *w, const struct hd_device *d) {
        json_object *o = jw_object(w), *nodes = jw_array(w), *caps = jw_array(w);

        jw_str(w, o, "name", d->name);
        jw_str(w, o, "path", d->sysfs_path);
        jw_str(w, o, "parent", d->parent_name);
        jw_str(w, o, "parent_wwnn", d->parent_wwnn);
        jw_str(w, o, "parent_wwpn", d->parent_wwpn);
        jw_str(w, o, "parent_fabric_wwn", d->parent_fabric_wwn);
        jw_str(w, o, "driver", d->driver);
        jw_str(w, o, "vfio_cdev", d->vfio_cdev);
        for (size_t i = 0; i < d->n_devnodes; i++) {
                json_object *n = jw_object(w);
                jw_str(w, n, "type", d->devnodes[i].type == HD_DEVNODE_LINK ? "link" : "dev");
                jw_str(w, n, "path", d->devnodes[i].path);
                jw_append(w, nodes, n);
        }
        jw_add(w, o, "devnodes", nodes);
        for (const struct hd_cap *c = d->caps; c; c = c->next) {
                const char *type = hd_cap_type_to_string(c->type);
                json_object *e;
                if (!type)
                        continue;
                e = jw_object(w);
                jw_str(w, e, "type", type);
                cap_fields(w, e, c);
                jw_append(w, caps, e);
        }
        jw_add(w, o, "capabilities", caps);
        return o;
}

int hd_device_to_json(struct hd_context *ctx, const struct hd_device *d, char **ret_json) {
        struct jw w = {};
        json_object *o;
        const char *s;
        char *copy = NULL;

        if (!d || !ret_json)
                return -EINVAL;
        o = device(&w, d);
        if (!w.oom) {
                s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE);
                /* A newline, so the text can be printed as it is, like the XML. */
                copy = s ? strdupf("%s\n", s) : NULL;
        }
        json_object_put(o);
        if (!copy)
                return hd_error(ctx, -ENOMEM, "out of memory writing the JSON of %s",
                                d->name ? d->name : "a device");
        *ret_json = copy;
        return 0;
}
