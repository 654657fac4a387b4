/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The columns of `hostdev list`: one table of name, width hint, flags, help and getter. */
#include <errno.h>
#include <inttypes.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "columns.h"
#include "util/strutil.h"


static const struct hd_cap_pci *pci_of(const struct hd_device *d) {
        struct hd_cap *c = hd_device_get_cap(d, HD_CAP_PCI);
        return c ? &c->pci : NULL;
}

static char *get_name(const struct hd_device *d) { return strdup_or_null(d->name); }
static char *get_cap(const struct hd_device *d) {
        return strdup_or_null(hd_cap_type_to_string(hd_device_main_cap(d)));
}
static char *get_driver(const struct hd_device *d) { return strdup_or_null(d->driver); }
static char *get_parent(const struct hd_device *d) { return strdup_or_null(d->parent_name); }
static char *get_path(const struct hd_device *d) { return strdup_or_null(d->sysfs_path); }
static char *get_subsystem(const struct hd_device *d) { return strdup_or_null(d->subsystem); }

static char *get_caps(const struct hd_device *d) {
        char buf[512] = "";
        for (int t = 0; t < _HD_CAP_MAX; t++)
                if (hd_device_has_cap(d, (enum hd_cap_type)t)) {
                        if (*buf)
                                strncat(buf, ",", sizeof(buf) - strlen(buf) - 1);
                        strncat(buf, hd_cap_type_to_string((enum hd_cap_type)t), sizeof(buf) - strlen(buf) - 1);
                }
        return strdup(buf);
}

static char *get_iommu(const struct hd_device *d) {
        const struct hd_cap_pci *p = pci_of(d);
        struct hd_cap *m = hd_device_get_cap(d, HD_CAP_MDEV);
        if (p && p->iommu_group >= 0)
                return strdupf("%d", p->iommu_group);
        if (m && m->mdev.iommu_group >= 0)
                return strdupf("%d", m->mdev.iommu_group);
        return NULL;
}

static char *get_numa(const struct hd_device *d) {
        const struct hd_cap_pci *p = pci_of(d);
        return p && p->numa_node >= 0 ? strdupf("%d", p->numa_node) : NULL;
}

static char *get_address(const struct hd_device *d) {
        struct hd_cap *c = d->caps;
        char buf[20];
        if (!c)
                return NULL;
        switch (c->type) {
        case HD_CAP_PCI:
                return strdup(hd_pci_addr_format(&c->pci.addr, buf));
        case HD_CAP_USB_DEVICE:
                return strdupf("%03u:%03u", c->usb_dev.bus, c->usb_dev.device);
        case HD_CAP_SCSI:
                return strdupf("%u:%u:%u:%" PRIu64, c->scsi.host, c->scsi.bus, c->scsi.target, c->scsi.lun);
        case HD_CAP_SCSI_HOST:
                return strdupf("host%u", c->scsi_host.host);
        case HD_CAP_NET:
                return strdup_or_null(c->net.address);
        case HD_CAP_MDEV:
                return strdup_or_null(c->mdev.uuid);
        default:
                return NULL;
        }
}

static char *get_vendor(const struct hd_device *d) {
        struct hd_cap *c = d->caps;
        if (c && c->type == HD_CAP_PCI)
                return strdupf("0x%04x", c->pci.vendor.id);
        if (c && c->type == HD_CAP_USB_DEVICE)
                return strdupf("0x%04x", c->usb_dev.vendor.id);
        return NULL;
}

static char *get_product(const struct hd_device *d) {
        struct hd_cap *c = d->caps;
        if (c && c->type == HD_CAP_PCI)
                return strdupf("0x%04x", c->pci.product.id);
        if (c && c->type == HD_CAP_USB_DEVICE)
                return strdupf("0x%04x", c->usb_dev.product.id);
        return NULL;
}

static char *get_class(const struct hd_device *d) {
        const struct hd_cap_pci *p = pci_of(d);
        return p && p->class_code != HD_PCI_CLASS_NONE ? strdupf("0x%06x", p->class_code) : NULL;
}

static char *get_devnode(const struct hd_device *d) {
        for (size_t i = 0; i < d->n_devnodes; i++)
                if (d->devnodes[i].type == HD_DEVNODE_DEV)
                        return strdup(d->devnodes[i].path);
        return NULL;
}

static char *get_cdev(const struct hd_device *d) { return strdup_or_null(d->vfio_cdev); }

static char *get_pf(const struct hd_device *d) {
        const struct hd_cap_pci *p = pci_of(d);
        char buf[20];
        return p && p->has_phys_function ? strdup(hd_pci_addr_format(&p->phys_function, buf)) : NULL;
}

static char *get_vfs(const struct hd_device *d) {
        const struct hd_cap_pci *p = pci_of(d);
        return p && p->is_sriov_pf ? strdupf("%zu", p->n_virt_functions) : NULL;
}

static char *get_maxvfs(const struct hd_device *d) {
        const struct hd_cap_pci *p = pci_of(d);
        return p && p->is_sriov_pf ? strdupf("%u", p->max_vfs) : NULL;
}

static char *get_description(const struct hd_device *d) {
        return device_describe(d);
}

const struct column columns[] = {
        { "NAME", 0.25, SCOLS_FL_TREE | SCOLS_FL_NOEXTREMES, COL_STRING, "device name, as libvirt names it", get_name },
        { "CAP", 0.08, 0, COL_STRING, "main capability", get_cap },
        { "CAPS", 0.1, SCOLS_FL_WRAP, COL_STRING, "all capabilities and sub-capabilities", get_caps },
        { "DRIVER", 0.1, 0, COL_STRING, "bound kernel driver", get_driver },
        { "IOMMU", 3, SCOLS_FL_RIGHT, COL_NUMBER, "IOMMU group", get_iommu },
        { "NUMA", 3, SCOLS_FL_RIGHT, COL_NUMBER, "NUMA node", get_numa },
        { "DESCRIPTION", 0.3, SCOLS_FL_TRUNC, COL_STRING, "what the device is", get_description },
        { "ADDRESS", 0.1, 0, COL_STRING, "bus address: PCI, USB bus:device, SCSI h:b:t:l, MAC, UUID", get_address },
        { "VENDOR", 6, 0, COL_STRING, "vendor id", get_vendor },
        { "PRODUCT", 6, 0, COL_STRING, "product id", get_product },
        { "CLASS", 8, 0, COL_STRING, "PCI class code", get_class },
        { "DEVNODE", 0.1, 0, COL_STRING, "device node", get_devnode },
        { "CDEV", 0.1, 0, COL_STRING, "VFIO cdev a vfio driver gave the device (/dev/vfio/devices/vfioN)", get_cdev },
        { "PF", 12, 0, COL_STRING, "physical function of an SR-IOV virtual function", get_pf },
        { "VFS", 3, SCOLS_FL_RIGHT, COL_NUMBER, "virtual functions enabled on an SR-IOV physical function", get_vfs },
        { "MAXVFS", 3, SCOLS_FL_RIGHT, COL_NUMBER, "virtual functions an SR-IOV physical function supports", get_maxvfs },
        { "PARENT", 0.2, 0, COL_STRING, "parent device's name", get_parent },
        { "SUBSYSTEM", 0.06, 0, COL_STRING, "kernel subsystem", get_subsystem },
        { "PATH", 0.3, SCOLS_FL_NOEXTREMES, COL_STRING, "sysfs path", get_path },
};
const size_t n_columns = sizeof(columns) / sizeof(columns[0]);

int column_find(const char *name) {
        for (size_t i = 0; i < n_columns; i++)
                if (strcasecmp(columns[i].name, name) == 0)
                        return (int)i;
        return -1;
}

int columns_parse(const char *spec, const int *defaults, size_t n_defaults, int **ret_cols,
                  size_t *ret_n) {
        char *copy, *save = NULL;
        int *cols = calloc(n_columns + n_defaults + 64, sizeof(int));
        size_t n = 0;

        if (!cols)
                return -ENOMEM;
        if (*spec == '+') {
                memcpy(cols, defaults, n_defaults * sizeof(int));
                n = n_defaults;
                spec++;
        }
        copy = strdup(spec);
        if (!copy) {
                free(cols);
                return -ENOMEM;
        }
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                int c = column_find(t);
                if (c < 0 || n >= n_columns + n_defaults + 64) {
                        fprintf(stderr, "hostdev list: unknown column '%s'; valid columns:", t);
                        for (size_t i = 0; i < n_columns; i++)
                                fprintf(stderr, " %s", columns[i].name);
                        fprintf(stderr, " (see 'hostdev list -o help')\n");
                        free(copy);
                        free(cols);
                        return -EINVAL;
                }
                cols[n++] = c;
        }
        free(copy);
        *ret_cols = cols;
        *ret_n = n;
        return 0;
}

static char *join_names(const char *a, const char *b) {
        if (a && b)
                return strdupf("%s %s", a, b);
        return strdup_or_null(a ? a : b);
}

static const char *drm_type_str(enum hd_drm_type t) {
        return t == HD_DRM_CONTROL ? "control" : t == HD_DRM_RENDER ? "render" : "primary";
}

char *device_describe(const struct hd_device *d) {
        struct hd_cap *c = d->caps;
        if (!c)
                return NULL;
        switch (c->type) {
        case HD_CAP_SYSTEM:
                return join_names(c->system.hw_vendor, c->system.product_name);
        case HD_CAP_PCI:
                return join_names(c->pci.vendor.name, c->pci.product.name);
        case HD_CAP_USB_DEVICE:
                return join_names(c->usb_dev.vendor.name, c->usb_dev.product.name);
        case HD_CAP_USB_INTERFACE:
                return c->usb_if.description ? strdup(c->usb_if.description)
                                             : strdupf("interface %u, class 0x%02x", c->usb_if.number, c->usb_if.klass);
        case HD_CAP_NET:
                return strdupf("%s%s%s", c->net.ifname ? c->net.ifname : "",
                            c->net.link_state ? " link " : "", c->net.link_state ? c->net.link_state : "");
        case HD_CAP_SCSI_HOST:
                if (c->scsi_host.is_fc_host && c->scsi_host.wwpn)
                        return strdupf("Fibre Channel host, WWPN %s", c->scsi_host.wwpn);
                return strdupf("SCSI host %u", c->scsi_host.host);
        case HD_CAP_SCSI:
                return c->scsi.type ? strdupf("SCSI %s", c->scsi.type) : NULL;
        case HD_CAP_STORAGE:
                if (c->storage.model || c->storage.vendor)
                        return join_names(c->storage.vendor, c->storage.model);
                return strdup_or_null(c->storage.block);
        case HD_CAP_SCSI_GENERIC:
                return strdup_or_null(c->sg.path);
        case HD_CAP_DRM:
                return strdupf("DRM %s node", drm_type_str(c->drm.type));
        case HD_CAP_MDEV:
                return strdupf("mediated device %s%s", c->mdev.type ? c->mdev.type : "",
                            c->mdev.active ? "" : " (inactive)");
        case HD_CAP_VDPA:
                return strdup_or_null(c->vdpa.chardev);
        default:
                return NULL;
        }
}
