/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Freeing what each capability owns. */
#include "probe.h"

static void mdev_types_free(struct hd_mdev_type *t, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(t[i].id);
                free(t[i].name);
                free(t[i].description);
                free(t[i].device_api);
        }
        free(t);
}

void hd_cap_free(struct hd_cap *c) {
        switch (c->type) {
        case HD_CAP_SYSTEM:
                free(c->system.product_name);
                free(c->system.hw_vendor);
                free(c->system.hw_version);
                free(c->system.hw_serial);
                free(c->system.hw_uuid);
                free(c->system.fw_vendor);
                free(c->system.fw_version);
                free(c->system.fw_release_date);
                break;
        case HD_CAP_PCI:
                free(c->pci.vendor.name);
                free(c->pci.product.name);
                free(c->pci.iommu_members);
                free(c->pci.virt_functions);
                mdev_types_free(c->pci.mdev_types, c->pci.n_mdev_types);
                break;
        case HD_CAP_USB_DEVICE:
                free(c->usb_dev.vendor.name);
                free(c->usb_dev.product.name);
                break;
        case HD_CAP_USB_INTERFACE:
                free(c->usb_if.description);
                break;
        case HD_CAP_NET:
                free(c->net.ifname);
                free(c->net.address);
                free(c->net.link_state);
                break;
        case HD_CAP_SCSI_HOST:
                free(c->scsi_host.wwnn);
                free(c->scsi_host.wwpn);
                free(c->scsi_host.fabric_wwn);
                break;
        case HD_CAP_SCSI_TARGET:
                free(c->scsi_target.name);
                free(c->scsi_target.rport);
                free(c->scsi_target.wwpn);
                break;
        case HD_CAP_SCSI:
                free(c->scsi.type);
                break;
        case HD_CAP_STORAGE:
                free(c->storage.block);
                free(c->storage.bus);
                free(c->storage.drive_type);
                free(c->storage.model);
                free(c->storage.vendor);
                free(c->storage.serial);
                free(c->storage.media_label);
                break;
        case HD_CAP_SCSI_GENERIC:
                free(c->sg.path);
                break;
        case HD_CAP_MDEV:
                free(c->mdev.type);
                free(c->mdev.uuid);
                free(c->mdev.parent_addr);
                for (size_t i = 0; i < c->mdev.n_attrs; i++) {
                        free(c->mdev.attrs[i].name);
                        free(c->mdev.attrs[i].value);
                }
                free(c->mdev.attrs);
                break;
        case HD_CAP_VDPA:
                free(c->vdpa.chardev);
                break;
        case HD_CAP_CCW:
        case HD_CAP_CSS:
        case HD_CAP_AP_MATRIX:
                free(c->ccw.channel_dev_addr);
                mdev_types_free(c->ccw.mdev_types, c->ccw.n_mdev_types);
                break;
        default:
                break;
        }
}
