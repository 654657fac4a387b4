/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Device objects: capabilities, devnodes, names, PCI addresses, the cap-type table. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"

static const char *const cap_type_table[_HD_CAP_MAX] = {
#define X(id, str) [HD_CAP_##id] = str,
        HD_CAP_TYPES(X)
#undef X
};

const char *hd_cap_type_to_string(enum hd_cap_type t) {
        return t >= 0 && t < _HD_CAP_MAX ? cap_type_table[t] : NULL;
}

enum hd_cap_type hd_cap_type_from_string(const char *s) {
        for (int i = 0; s && i < _HD_CAP_MAX; i++)
                if (streq(cap_type_table[i], s))
                        return (enum hd_cap_type)i;
        return _HD_CAP_INVALID;
}

int hd_pci_addr_parse(const char *s, struct hd_pci_addr *ret) {
        unsigned long dom = 0;
        unsigned bus, slot, fn;
        int n = 0;

        if (!s)
                return -EINVAL;
        /* Full form first; then bus:slot.fn in domain 0, as lspci prints it. */
        if (sscanf(s, "%lx:%x:%x.%x%n", &dom, &bus, &slot, &fn, &n) == 4 && s[n] == 0 &&
            strchr(s, ':') != strrchr(s, ':')) {
        } else if (sscanf(s, "%x:%x.%x%n", &bus, &slot, &fn, &n) == 3 && s[n] == 0) {
                dom = 0;
        } else
                return -EINVAL;
        for (const char *p = s; *p; p++)
                if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
                        return -EINVAL;
        if (dom > 0xffffffffUL || bus > 0xff || slot > 0x1f || fn > 7)
                return -EINVAL;
        *ret = (struct hd_pci_addr){ .domain = (uint32_t)dom, .bus = (uint8_t)bus,
                                     .slot = (uint8_t)slot, .function = (uint8_t)fn };
        return 0;
}

char *hd_pci_addr_format(const struct hd_pci_addr *a, char buf[static 20]) {
        snprintf(buf, 20, "%04x:%02x:%02x.%x", a->domain, a->bus, a->slot, a->function);
        return buf;
}

struct hd_cap *hd_device_get_cap(const struct hd_device *d, enum hd_cap_type t) {
        for (struct hd_cap *c = d ? d->caps : NULL; c; c = c->next)
                if (c->type == t)
                        return c;
        return NULL;
}

enum hd_cap_type hd_device_main_cap(const struct hd_device *d) {
        return d && d->caps ? d->caps->type : _HD_CAP_INVALID;
}

bool hd_device_has_cap(const struct hd_device *d, enum hd_cap_type t) {
        struct hd_cap *c;
        if (hd_device_get_cap(d, t))
                return true;
        switch (t) {
        case HD_CAP_FC_HOST:
                c = hd_device_get_cap(d, HD_CAP_SCSI_HOST);
                return c && c->scsi_host.is_fc_host;
        case HD_CAP_VPORTS:
                c = hd_device_get_cap(d, HD_CAP_SCSI_HOST);
                return c && c->scsi_host.has_vport_ops;
        case HD_CAP_MDEV_TYPES:
                if ((c = hd_device_get_cap(d, HD_CAP_PCI)))
                        return c->pci.n_mdev_types > 0;
                if ((c = hd_device_get_cap(d, HD_CAP_CSS)) || (c = hd_device_get_cap(d, HD_CAP_AP_MATRIX)))
                        return c->ccw.n_mdev_types > 0;
                return false;
        default:
                return false;
        }
}

struct hd_cap *hd_device_add_cap(struct hd_device *d, enum hd_cap_type type) {
        struct hd_cap *c = calloc(1, sizeof(*c)), **tail = &d->caps;
        if (!c)
                return NULL;
        c->type = type;
        while (*tail)
                tail = &(*tail)->next;
        *tail = c;
        return c;
}

int hd_device_add_devnode(struct hd_device *d, enum hd_devnode_type type, const char *path) {
        struct hd_devnode *n = realloc(d->devnodes, (d->n_devnodes + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        d->devnodes = n;
        n[d->n_devnodes].type = type;
        n[d->n_devnodes].path = strdup(path);
        if (!n[d->n_devnodes].path)
                return -ENOMEM;
        d->n_devnodes++;
        return 0;
}

void hd_name_mangle(char *name) {
        for (char *p = name; *p; p++)
                if (!isalnum((unsigned char)*p) && *p != '_')
                        *p = '_';
}

void hd_device_free(struct hd_device *d) {
        struct hd_cap *c, *n;
        if (!d)
                return;
        for (c = d->caps; c; c = n) {
                n = c->next;
                hd_cap_free(c);
                free(c);
        }
        for (size_t i = 0; i < d->n_devnodes; i++)
                free(d->devnodes[i].path);
        free(d->devnodes);
        free(d->name);
        free(d->sysfs_path);
        free(d->sysname);
        free(d->subsystem);
        free(d->devtype);
        free(d->parent_name);
        free(d->parent_wwnn);
        free(d->parent_wwpn);
        free(d->parent_fabric_wwn);
        free(d->driver);
        free(d->vfio_cdev);
        free(d);
}
