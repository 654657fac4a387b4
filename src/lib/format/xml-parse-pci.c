/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading the pci capability of a node device XML, with its SR-IOV, mdev, IOMMU and PCIe parts. */
#include <stdlib.h>
#include <string.h>

#include "inventory/pci-rules.h"
#include "xml-parse.h"

static int append_addr(struct hd_pci_addr **v, size_t *n, const struct hd_pci_addr *a) {
        struct hd_pci_addr *nv = realloc(*v, (*n + 1) * sizeof(**v));
        if (!nv)
                return -ENOMEM;
        nv[(*n)++] = *a;
        *v = nv;
        return 0;
}

static int addresses(struct hd_context *ctx, xmlNodePtr n, struct hd_pci_addr **v, size_t *count) {
        XP_FOREACH(a, n, "address") {
                struct hd_pci_addr addr;
                int r = xp_pci_address(ctx, a, &addr);
                if (r < 0)
                        return r;
                if (append_addr(v, count, &addr) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int xp_mdev_types(struct hd_context *ctx, xmlNodePtr n, struct hd_mdev_type **types, size_t *n_types) {
        XP_FOREACH(t, n, "type") {
                struct hd_mdev_type *nv = realloc(*types, (*n_types + 1) * sizeof(**types)), *mt;
                int r;

                if (!nv)
                        return -ENOMEM;
                *types = nv;
                mt = &nv[(*n_types)++];
                *mt = (struct hd_mdev_type){};
                if ((r = xp_prop(t, "id", &mt->id)) < 0 ||
                    (r = xp_child_text(t, "name", &mt->name)) < 0 ||
                    (r = xp_child_text_req(ctx, t, "deviceAPI", &mt->device_api)) < 0 ||
                    (r = xp_child_uint(ctx, t, "availableInstances", 10, true, UINT32_MAX,
                                       &mt->available_instances)) < 0)
                        return r;
                if (!mt->id)
                        return xp_error(ctx, t, -EINVAL, "an mdev <type> has no id attribute");
        }
        if (*n_types == 0)
                return xp_error(ctx, n, -EINVAL, "<capability type='mdev_types'> lists no <type>");
        return 0;
}

static int pcie_link(struct hd_context *ctx, xmlNodePtr n, struct hd_pcie_link *l) {
        _cleanup_free_ char *speed = NULL;
        unsigned width = 0, port = 0;
        int r;

        *l = (struct hd_pcie_link){ .present = true, .port = -1 };
        if ((r = xp_prop_uint(ctx, n, "width", 10, true, UINT32_MAX, &width)) < 0)
                return r;
        l->width = width;
        if ((r = xp_prop_uint(ctx, n, "port", 10, false, INT32_MAX, &port)) < 0)
                return r;
        if (r > 0)
                l->port = (int)port;
        if ((r = xp_prop(n, "speed", &speed)) < 0)
                return r;
        if (speed) {
                char *end;
                double v = strtod(speed, &end);
                if (end == speed || *end || !pcie_speed_is_known(v))
                        return xp_error(ctx, n, -EINVAL,
                                        "PCIe link speed '%s' is not one of 2.5, 5, 8, 16, 32, 64 (GT/s)",
                                        speed);
                l->speed = v;
        }
        return 0;
}

static int pci_express(struct hd_context *ctx, xmlNodePtr n, struct hd_cap_pci *p) {
        p->is_express = true;
        XP_FOREACH(l, n, "link") {
                _cleanup_free_ char *validity = NULL;
                struct hd_pcie_link *dst;
                int r = xp_prop(l, "validity", &validity);
                if (r < 0)
                        return r;
                if (validity && streq(validity, "cap"))
                        dst = &p->link_cap;
                else if (validity && streq(validity, "sta"))
                        dst = &p->link_sta;
                else
                        return xp_error(ctx, l, -EINVAL,
                                        "<link> in <pci-express> needs validity='cap' or 'sta'");
                if (dst->present)
                        continue; /* libvirt takes the first of each */
                r = pcie_link(ctx, l, dst);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int pci_subcap(struct hd_context *ctx, xmlNodePtr c, struct hd_cap_pci *p) {
        _cleanup_free_ char *type = NULL;
        int r;

        if ((r = xp_prop(c, "type", &type)) < 0)
                return r;
        if (!type)
                return xp_error(ctx, c, -EINVAL, "a <capability> inside the pci capability has no type");
        if (streq(type, "phys_function")) {
                xmlNodePtr a = xp_child(c, "address");
                if (!a)
                        return xp_error(ctx, c, -EINVAL,
                                        "<capability type='phys_function'> has no <address>");
                p->has_phys_function = true;
                return xp_pci_address(ctx, a, &p->phys_function);
        }
        if (streq(type, "virt_functions")) {
                p->is_sriov_pf = true;
                if ((r = xp_prop_uint(ctx, c, "maxCount", 10, false, UINT32_MAX, &p->max_vfs)) < 0)
                        return r;
                return addresses(ctx, c, &p->virt_functions, &p->n_virt_functions);
        }
        if (streq(type, "pci-bridge") || streq(type, "cardbus-bridge")) {
                if (p->bridge == HD_PCI_NOT_BRIDGE)
                        p->bridge = streq(type, "pci-bridge") ? HD_PCI_BRIDGE : HD_PCI_CARDBUS_BRIDGE;
                return 0;
        }
        if (streq(type, "mdev_types"))
                return xp_mdev_types(ctx, c, &p->mdev_types, &p->n_mdev_types);
        /* vpd and anything newer: libvirt skips what it does not know, and so do we. */
        return 0;
}

int xp_cap_pci(struct hd_context *ctx, xmlNodePtr n, struct hd_cap_pci *p) {
        unsigned v;
        xmlNodePtr c;
        int r;

        p->iommu_group = -1;
        p->numa_node = -1;
        p->link_cap.port = p->link_sta.port = -1;

        /* libvirt keeps a missing <class> missing (klass -1), and prints none back. */
        p->class_code = HD_PCI_CLASS_NONE;
        if ((r = xp_child_uint(ctx, n, "class", 16, false, 0xffffff, &p->class_code)) < 0)
                return r;
        if ((r = xp_child_uint(ctx, n, "domain", 10, true, UINT32_MAX, &v)) < 0)
                return r;
        p->addr.domain = v;
        /*
         * nodedev.rng has unsignedLong for the four, and libvirt reads each into
         * an unsigned int without a range check: a document may say more than
         * the kernel's 8, 5 and 3 bits. (Its <address> attributes are checked.)
         */
        if ((r = xp_child_uint(ctx, n, "bus", 10, true, UINT32_MAX, &p->addr.bus)) < 0 ||
            (r = xp_child_uint(ctx, n, "slot", 10, true, UINT32_MAX, &p->addr.slot)) < 0 ||
            (r = xp_child_uint(ctx, n, "function", 10, true, UINT32_MAX, &p->addr.function)) < 0)
                return r;

        if (!(c = xp_child(n, "product")))
                return xp_error(ctx, n, -EINVAL, "<capability type='pci'> has no <product id=>");
        if ((r = xp_prop_uint(ctx, c, "id", 16, true, 0xffff, &p->product.id)) < 0 ||
            (r = xp_text(c, &p->product.name)) < 0)
                return r;
        if (!(c = xp_child(n, "vendor")))
                return xp_error(ctx, n, -EINVAL, "<capability type='pci'> has no <vendor id=>");
        if ((r = xp_prop_uint(ctx, c, "id", 16, true, 0xffff, &p->vendor.id)) < 0 ||
            (r = xp_text(c, &p->vendor.name)) < 0)
                return r;

        XP_FOREACH(sub, n, "capability")
                if ((r = pci_subcap(ctx, sub, p)) < 0)
                        return r;

        if ((c = xp_child(n, "iommuGroup"))) {
                if ((r = xp_prop_uint(ctx, c, "number", 10, true, INT32_MAX, &v)) < 0)
                        return r;
                p->iommu_group = (int)v;
                if ((r = addresses(ctx, c, &p->iommu_members, &p->n_iommu_members)) < 0)
                        return r;
        }
        if ((c = xp_child(n, "numa"))) {
                if ((r = xp_prop_uint(ctx, c, "node", 10, false, INT32_MAX, &v)) < 0)
                        return r;
                if (r > 0)
                        p->numa_node = (int)v;
        }
        if ((c = xp_child(n, "pci-express")))
                return pci_express(ctx, c, p);
        return 0;
}
