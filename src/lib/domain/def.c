/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The domain model's string tables, destructor and comparison. */
#include <string.h>

#include "domain-internal.h"
#include "util/strutil.h"

STRING_TABLE(hd_hostdev_kind, enum hd_hostdev_kind, HD_HOSTDEV_KINDS, _HD_HOSTDEV_KIND_MAX)
STRING_TABLE(hd_pci_backend, enum hd_pci_backend, HD_PCI_BACKENDS, _HD_PCI_BACKEND_MAX)
STRING_TABLE(hd_startup_policy, enum hd_startup_policy, HD_STARTUP_POLICIES, _HD_STARTUP_POLICY_MAX)
STRING_TABLE(hd_sgio, enum hd_sgio, HD_SGIO_MODES, _HD_SGIO_MAX)
STRING_TABLE(hd_scsi_protocol, enum hd_scsi_protocol, HD_SCSI_PROTOCOLS, _HD_SCSI_PROTOCOL_MAX)
STRING_TABLE(hd_mdev_model, enum hd_mdev_model, HD_MDEV_MODELS, _HD_MDEV_MODEL_MAX)
STRING_TABLE(hd_hostdev_caps_type, enum hd_hostdev_caps_type, HD_HOSTDEV_CAPS_TYPES,
             _HD_HOSTDEV_CAPS_TYPE_MAX)
STRING_TABLE(hd_guest_address_type, enum hd_guest_address_type, HD_GUEST_ADDRESS_TYPES,
             _HD_GUEST_ADDRESS_TYPE_MAX)
STRING_TABLE(hd_vlan_native_mode, enum hd_vlan_native_mode, HD_VLAN_NATIVE_MODES, _HD_VLAN_NATIVE_MODE_MAX)
STRING_TABLE(hd_virtualport_type, enum hd_virtualport_type, HD_VIRTUALPORT_TYPES, _HD_VIRTUALPORT_TYPE_MAX)
STRING_TABLE(hd_usb_guest_reset, enum hd_usb_guest_reset, HD_USB_GUEST_RESETS, _HD_USB_GUEST_RESET_MAX)
STRING_TABLE(hd_controller_type, enum hd_controller_type, HD_CONTROLLER_TYPES, _HD_CONTROLLER_TYPE_MAX)
STRING_TABLE(hd_scsi_model, enum hd_scsi_model, HD_SCSI_MODELS, _HD_SCSI_MODEL_MAX)
STRING_TABLE(hd_usb_model, enum hd_usb_model, HD_USB_MODELS, _HD_USB_MODEL_MAX)
STRING_TABLE(hd_link_state, enum hd_link_state, HD_LINK_STATES, _HD_LINK_STATE_MAX)

void hd_hostdev_def_clear(struct hd_hostdev_def *h) {
        if (!h)
                return;
        free(h->teaming);
        free(h->info.alias);
        free(h->info.rom_file);
        free(h->info.address.usb.port);
        switch (h->kind) {
        case HD_HOSTDEV_SCSI:
                free(h->scsi.adapter);
                free(h->scsi.iscsi_name);
                free(h->scsi.iscsi_host);
                free(h->scsi.auth_username);
                free(h->scsi.secret_type);
                free(h->scsi.secret_usage);
                free(h->scsi.initiator_iqn);
                break;
        case HD_HOSTDEV_NET_VF:
                free(h->net_vf.vlan.tags);
                free(h->net_vf.virtualport.profile_id);
                break;
        case HD_HOSTDEV_CAPS:
                free(h->caps.source);
                break;
        default:
                break;
        }
        *h = (struct hd_hostdev_def){ 0 };
}

struct hd_domain_def *hd_domain_def_free(struct hd_domain_def *def) {
        if (!def)
                return NULL;
        for (size_t i = 0; i < def->n_hostdevs; i++)
                hd_hostdev_def_clear(&def->hostdevs[i]);
        free(def->hostdevs);
        for (size_t i = 0; i < def->n_controllers; i++) {
                free(def->controllers[i].alias);
                free(def->controllers[i].address.usb.port);
        }
        free(def->controllers);
        free(def->name);
        free(def->arch);
        free(def->machine);
        free(def);
        return NULL;
}

static bool str_eq(const char *a, const char *b) {
        return a == b || (a && b && streq(a, b));
}

static bool pci_eq(const struct hd_pci_addr *a, const struct hd_pci_addr *b) {
        return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot && a->function == b->function;
}

static bool address_eq(const struct hd_guest_address *a, const struct hd_guest_address *b) {
        if (a->type != b->type)
                return false;
        switch (a->type) {
        case HD_GUEST_ADDRESS_PCI:
                return pci_eq(&a->pci, &b->pci) && a->multifunction == b->multifunction;
        case HD_GUEST_ADDRESS_DRIVE:
                return memcmp(&a->drive, &b->drive, sizeof(a->drive)) == 0;
        case HD_GUEST_ADDRESS_USB:
                return a->usb.bus == b->usb.bus && str_eq(a->usb.port, b->usb.port);
        case HD_GUEST_ADDRESS_CCW:
                return a->ccw.assigned == b->ccw.assigned &&
                       (!a->ccw.assigned || (a->ccw.cssid == b->ccw.cssid && a->ccw.ssid == b->ccw.ssid &&
                                             a->ccw.devno == b->ccw.devno));
        default:
                return true;
        }
}

static bool info_eq(const struct hd_device_info *a, const struct hd_device_info *b) {
        return a->boot_order == b->boot_order && str_eq(a->alias, b->alias) &&
               a->rom_enabled == b->rom_enabled && a->rom_bar == b->rom_bar &&
               str_eq(a->rom_file, b->rom_file) && address_eq(&a->address, &b->address);
}

static bool scsi_eq(const struct hd_hostdev_scsi *a, const struct hd_hostdev_scsi *b) {
        if (a->sgio != b->sgio || a->rawio != b->rawio || a->protocol != b->protocol)
                return false;
        if (a->protocol == HD_SCSI_PROTOCOL_ADAPTER)
                return str_eq(a->adapter, b->adapter) && a->bus == b->bus && a->target == b->target &&
                       a->unit == b->unit;
        return str_eq(a->iscsi_name, b->iscsi_name) && str_eq(a->iscsi_host, b->iscsi_host) &&
               a->iscsi_port == b->iscsi_port && str_eq(a->auth_username, b->auth_username) &&
               str_eq(a->secret_type, b->secret_type) && str_eq(a->secret_usage, b->secret_usage) &&
               streq(a->secret_uuid, b->secret_uuid) && str_eq(a->initiator_iqn, b->initiator_iqn);
}

static bool net_vf_eq(const struct hd_hostdev_net_vf *a, const struct hd_hostdev_net_vf *b) {
        const struct hd_virtualport *p = &a->virtualport, *q = &b->virtualport;

        if (a->pci.backend != b->pci.backend || !pci_eq(&a->pci.addr, &b->pci.addr) ||
            a->has_mac != b->has_mac || (a->has_mac && memcmp(a->mac, b->mac, 6) != 0))
                return false;
        if (a->vlan.trunk != b->vlan.trunk || a->vlan.n_tags != b->vlan.n_tags ||
            a->trust_guest_rx_filters != b->trust_guest_rx_filters || a->link != b->link)
                return false;
        for (size_t i = 0; i < a->vlan.n_tags; i++)
                if (a->vlan.tags[i].id != b->vlan.tags[i].id ||
                    a->vlan.tags[i].native_mode != b->vlan.tags[i].native_mode)
                        return false;
        return p->type == q->type && p->manager_id == q->manager_id && p->type_id == q->type_id &&
               p->type_id_version == q->type_id_version && streq(p->instance_id, q->instance_id) &&
               str_eq(p->profile_id, q->profile_id);
}

bool domxml_hostdev_def_equal(const struct hd_hostdev_def *a, const struct hd_hostdev_def *b) {
        if (a->kind != b->kind || a->managed != b->managed || a->readonly != b->readonly ||
            a->shareable != b->shareable || !str_eq(a->teaming, b->teaming) || !info_eq(&a->info, &b->info))
                return false;
        switch (a->kind) {
        case HD_HOSTDEV_PCI:
                return a->pci.backend == b->pci.backend && pci_eq(&a->pci.addr, &b->pci.addr);
        case HD_HOSTDEV_USB:
                return a->usb.startup_policy == b->usb.startup_policy && a->usb.guest_reset == b->usb.guest_reset &&
                       a->usb.has_product == b->usb.has_product &&
                       (!a->usb.has_product ||
                        (a->usb.vendor == b->usb.vendor && a->usb.product == b->usb.product)) &&
                       a->usb.has_address == b->usb.has_address &&
                       (!a->usb.has_address || (a->usb.bus == b->usb.bus && a->usb.device == b->usb.device));
        case HD_HOSTDEV_SCSI:
                return scsi_eq(&a->scsi, &b->scsi);
        case HD_HOSTDEV_MDEV:
                return a->mdev.model == b->mdev.model && a->mdev.display == b->mdev.display &&
                       a->mdev.ramfb == b->mdev.ramfb && streq(a->mdev.uuid, b->mdev.uuid);
        case HD_HOSTDEV_NET_VF:
                return net_vf_eq(&a->net_vf, &b->net_vf);
        case HD_HOSTDEV_CAPS:
                return a->caps.type == b->caps.type && str_eq(a->caps.source, b->caps.source);
        default:
                return false;
        }
}

static bool controller_eq(const struct hd_controller_def *a, const struct hd_controller_def *b) {
        return a->type == b->type && a->index == b->index && a->model == b->model &&
               a->master_startport == b->master_startport && str_eq(a->alias, b->alias) &&
               address_eq(&a->address, &b->address);
}

bool domxml_domain_def_equal(const struct hd_domain_def *a, const struct hd_domain_def *b) {
        if (!str_eq(a->name, b->name) || !streq(a->uuid, b->uuid) || !str_eq(a->arch, b->arch) ||
            !str_eq(a->machine, b->machine) || a->n_hostdevs != b->n_hostdevs ||
            a->n_controllers != b->n_controllers)
                return false;
        for (size_t i = 0; i < a->n_hostdevs; i++)
                if (!domxml_hostdev_def_equal(&a->hostdevs[i], &b->hostdevs[i]))
                        return false;
        for (size_t i = 0; i < a->n_controllers; i++)
                if (!controller_eq(&a->controllers[i], &b->controllers[i]))
                        return false;
        return true;
}
