/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pci capability of the node device XML, with its SR-IOV, mdev, IOMMU and PCIe parts. */
#include "inventory/pci-rules.h"
#include "xml-print.h"

/* libvirt prints function as '0x%d': the same digits, since a function is 0-7. */
static void print_address(struct xw *w, const struct hd_pci_addr *a) {
        xw_line(w, "<address domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%d'/>",
                a->domain, a->bus, a->slot, a->function);
}

void xml_print_mdev_types(struct xw *w, const struct hd_mdev_type *t, size_t n) {
        if (n == 0)
                return;
        xw_open(w, "<capability type='mdev_types'>");
        for (size_t i = 0; i < n; i++) {
                xw_begin(w);
                xw_raw(w, "<type id='");
                xw_esc_attr(w, t[i].id);
                xw_raw(w, "'>");
                xw_end(w);
                w->indent += 2;
                xw_elem(w, "name", t[i].name);
                /* The description is not part of libvirt's XML (JSON has it). */
                xw_elem(w, "deviceAPI", t[i].device_api);
                xw_line(w, "<availableInstances>%u</availableInstances>", t[i].available_instances);
                xw_close(w, "type");
        }
        xw_close(w, "capability");
}

static void print_id_name(struct xw *w, const char *elem, const struct hd_id_name *v) {
        xw_begin(w);
        xw_rawf(w, "<%s id='0x%04x'", elem, v->id);
        if (v->name) {
                xw_raw(w, ">");
                xw_esc(w, v->name);
                xw_rawf(w, "</%s>", elem);
        } else
                xw_raw(w, "/>");
        xw_end(w);
}

/* GT/s as libvirt's enum spells it: "2.5", "5", "8", "16", "32", "64". */
static void print_link(struct xw *w, const struct hd_pcie_link *l, const char *validity) {
        if (!l->present)
                return;
        xw_begin(w);
        xw_rawf(w, "<link validity='%s'", validity);
        if (l->port >= 0)
                xw_rawf(w, " port='%d'", l->port);
        if (pcie_speed_is_known(l->speed))
                xw_rawf(w, " speed='%g'", l->speed);
        xw_rawf(w, " width='%u'/>", l->width);
        xw_end(w);
}

static void print_pcie(struct xw *w, const struct hd_cap_pci *p) {
        if (!p->link_cap.present && !p->link_sta.present) {
                xw_line(w, "<pci-express/>");
                return;
        }
        xw_open(w, "<pci-express>");
        print_link(w, &p->link_cap, "cap");
        print_link(w, &p->link_sta, "sta");
        xw_close(w, "pci-express");
}

void xml_print_pci(struct xw *w, const struct hd_cap_pci *p) {
        if (p->class_code != HD_PCI_CLASS_NONE)
                xw_line(w, "<class>0x%06x</class>", p->class_code);
        xw_line(w, "<domain>%u</domain>", p->addr.domain);
        xw_line(w, "<bus>%u</bus>", p->addr.bus);
        xw_line(w, "<slot>%u</slot>", p->addr.slot);
        xw_line(w, "<function>%u</function>", p->addr.function);
        print_id_name(w, "product", &p->product);
        print_id_name(w, "vendor", &p->vendor);

        if (p->has_phys_function) {
                xw_open(w, "<capability type='phys_function'>");
                print_address(w, &p->phys_function);
                xw_close(w, "capability");
        }
        /* Even without maxCount and addresses, as libvirt keeps it. */
        if (p->is_sriov_pf) {
                xw_begin(w);
                xw_raw(w, "<capability type='virt_functions'");
                if (p->max_vfs > 0)
                        xw_rawf(w, " maxCount='%u'", p->max_vfs);
                xw_raw(w, p->n_virt_functions > 0 ? ">" : "/>");
                xw_end(w);
                if (p->n_virt_functions > 0) {
                        w->indent += 2;
                        for (size_t i = 0; i < p->n_virt_functions; i++)
                                print_address(w, &p->virt_functions[i]);
                        xw_close(w, "capability");
                }
        }
        if (p->bridge == HD_PCI_BRIDGE)
                xw_line(w, "<capability type='pci-bridge'/>");
        else if (p->bridge == HD_PCI_CARDBUS_BRIDGE)
                xw_line(w, "<capability type='cardbus-bridge'/>");
        xml_print_mdev_types(w, p->mdev_types, p->n_mdev_types);

        /* libvirt prints the group only with its members; the device itself is always one. */
        if (p->iommu_group >= 0 && p->n_iommu_members > 0) {
                xw_open(w, "<iommuGroup number='%d'>", p->iommu_group);
                for (size_t i = 0; i < p->n_iommu_members; i++)
                        print_address(w, &p->iommu_members[i]);
                xw_close(w, "iommuGroup");
        }
        if (p->numa_node >= 0)
                xw_line(w, "<numa node='%d'/>", p->numa_node);
        if (p->is_express)
                print_pcie(w, p);
}
