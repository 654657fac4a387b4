/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A PCI device (or an interface's VF) for a guest: detached to vfio-pci when managed, its IOMMU group viable. */
#include <string.h>

#include "doctor.h"
#include "kmod.h"
#include "prepare.h"
#include "util/strutil.h"

static const struct hd_hostdev_pci *source(const struct hd_hostdev_def *def) {
        return def->kind == HD_HOSTDEV_NET_VF ? &def->net_vf.pci : &def->pci;
}

static int refuse_backend(struct hd_context *ctx, const char *addr, enum hd_pci_backend b) {
        if (b == HD_PCI_BACKEND_KVM)
                return hd_error(ctx, -EOPNOTSUPP,
                                "%s: <driver name='kvm'/> is legacy KVM device assignment, gone from Linux since "
                                "4.12; use <driver name='vfio'/> or leave <driver> out",
                                addr);
        if (b == HD_PCI_BACKEND_XEN)
                return hd_error(ctx, -EOPNOTSUPP,
                                "%s: <driver name='xen'/> is for Xen guests; hostdev prepares devices for "
                                "QEMU/KVM through vfio",
                                addr);
        return 0;
}

static int pci_resolve(struct plan *p, struct plan_item *it) {
        const struct hd_hostdev_pci *src = source(it->def);
        struct hd_context *ctx = p->ctx;
        struct hd_active *rec;
        struct pci_dev *d;
        char a[20];
        int r;

        hd_pci_addr_format(&src->addr, a);
        r = refuse_backend(ctx, a, src->backend);
        if (r < 0)
                return r;
        r = pci_dev_open(ctx, a, &it->pci);
        if (r < 0)
                return r;
        d = it->pci;
        if (d->bridge != HD_PCI_NOT_BRIDGE) {
                _cleanup_free_ char *text = words_bridge(d);
                return text ? hd_error(ctx, -EINVAL, "%s; %s", text, REMEDY_BRIDGE) : -ENOMEM;
        }
        if (d->iommu_group < 0) {
                _cleanup_free_ char *text = words_no_group(d);
                return text ? hd_error(ctx, -EINVAL, "%s: %s", text, REMEDY_NO_GROUP) : -ENOMEM;
        }
        r = plan_record(p, it, d->addr);
        if (r < 0)
                return r;
        rec = it->rec;
        rec->managed = it->def->managed;
        rec->node = strdupf("/dev/vfio/%d", d->iommu_group);
        if (!rec->node)
                return -ENOMEM;
        r = plan_check_store(p, it, true);
        if (r < 0 || it->existed) {
                if (r >= 0 && pci_driver_is_stub(d->driver) && !pci_driver_is_vfio(d->driver))
                        return hd_error(ctx, -EINVAL,
                                        "%s is detached to %s, which QEMU cannot open; run 'hostdev reattach %s' "
                                        "and 'hostdev detach %s' (vfio-pci)",
                                        d->addr, d->driver, d->addr, d->addr);
                if (r >= 0 && !pci_driver_is_vfio(d->driver))
                        return hd_error(ctx, -EIO,
                                        "%s is recorded as detached but is on %s now; run 'hostdev reattach %s', "
                                        "then prepare again",
                                        d->addr, d->driver ? d->driver : "no driver", d->addr);
                /* Detached by hand, it has no owner to name; a process with its group open (a QEMU started by
                 * hand) still has it, and the guest's QEMU could not open the group. */
                if (r >= 0)
                        r = refuse_vfio_holders(ctx, d);
                return r;
        }
        /* A process with its group or cdev open (a guest started by hand) has it, records or not; an owner in
         * the records is named first (checked above), since that is who the user must talk to. */
        r = refuse_vfio_holders(ctx, d);
        if (r < 0)
                return r;
        if (pci_driver_is_vfio(d->driver)) {
                /* On vfio already, and not by hostdev's hand: taken as it is, and left there at release. */
                rec->stub_driver = strdup(d->driver);
                return rec->stub_driver ? 0 : -ENOMEM;
        }
        if (!it->def->managed) {
                if (d->driver && pci_driver_is_stub(d->driver))
                        return hd_error(ctx, -EINVAL,
                                        "%s is on %s, which QEMU cannot open; managed='no' needs it on vfio-pci: "
                                        "run 'hostdev reattach %s' and 'hostdev detach %s'",
                                        d->addr, d->driver, d->addr, d->addr);
                return hd_error(ctx, -EINVAL,
                                "%s is not detached: it is on %s and managed='no' says it is on vfio-pci already; "
                                "run 'hostdev detach %s' first, or set managed='yes'",
                                d->addr, d->driver ? d->driver : "no driver", d->addr);
        }
        if (!(p->flags & HD_MANAGER_FORCE)) {
                const struct host_uses *uses;
                const char *why;
                r = plan_host_uses(p, &uses);
                if (r < 0)
                        return r;
                why = host_uses_find(uses, d->path);
                if (why) {
                        _cleanup_free_ char *text = words_host_use(d->addr, why);
                        return text ? hd_error(ctx, -EBUSY,
                                               "%s; giving it to a guest would cut the host off from it "
                                               "(HD_MANAGER_FORCE, --force, takes it anyway)",
                                               text)
                                    : -ENOMEM;
                }
                /* The host's console framebuffer in a BAR is the host using it too. */
                r = refuse_framebuffer(ctx, d);
                if (r < 0)
                        return r;
        }
        /* The driver libvirt >= 10.0 gives a managed device: its vendor's vfio variant, else vfio-pci. */
        r = pci_vfio_driver(ctx, d, &rec->stub_driver, NULL);
        if (r < 0)
                return r;
        rec->orig_driver = strdup_or_null(d->driver);
        rec->orig_override = strdup_or_null(d->override);
        if ((d->driver && !rec->orig_driver) || (d->override && !rec->orig_override))
                return -ENOMEM;
        rec->unbind_from_stub = true;
        rec->reprobe = d->driver != NULL;
        return 0;
}

static int pci_take(struct plan *p, struct plan_item *it) {
        int r;
        if (it->existed || !it->rec->unbind_from_stub)
                return 0;
        /* Each device's own vfio driver (a variant's module, or vfio-pci): a look at sysfs when it is there. */
        r = manager_load_driver(p->ctx, it->rec->stub_driver);
        if (r < 0)
                return r;
        return pci_to_stub(&p->m, it->pci, it->rec->stub_driver);
}

static int pci_give_back_rec(struct mop *m, const struct hd_active *rec) {
        _cleanup_pci_dev_ struct pci_dev *d = NULL;
        int r;

        if (!rec->unbind_from_stub)
                return 0;
        r = pci_dev_open(m->ctx, rec->key, &d);
        if (r == -ENODEV || r == -EINVAL) {
                hd_error_clear(m->ctx); /* gone from the host: nothing to give back */
                return 0;
        }
        if (r < 0)
                return r;
        return pci_give_back(m, d, rec->stub_driver, rec->orig_driver, rec->orig_override, rec->reprobe);
}

const struct kind_ops kind_pci = {
        .kind = STORE_PCI,
        .only_flag = HD_MANAGER_ONLY_PCI,
        .resolve = pci_resolve,
        .take = pci_take,
        .give_back = pci_give_back_rec,
};

static bool in_plan(const struct plan *p, const char *addr) {
        for (size_t i = 0; i < p->n; i++)
                if (p->items[i].ops == &kind_pci && !p->items[i].skip && p->items[i].pci &&
                    streq(p->items[i].pci->addr, addr))
                        return true;
        return false;
}

/* Why member ADDR keeps the group from the guest (appended to WHY), in check's words, or nothing. */
static int member_check(struct plan *p, const char *addr, struct strbuf *why) {
        _cleanup_pci_dev_ struct pci_dev *m = NULL;
        const struct host_uses *uses = NULL;
        int r;

        if (in_plan(p, addr))
                return 0;
        r = pci_dev_open(p->ctx, addr, &m);
        if (r < 0) {
                hd_error_clear(p->ctx);
                return r == -ENOMEM ? r : 0; /* gone meanwhile */
        }
        r = plan_host_uses(p, &uses);
        if (r < 0)
                return r;
        return group_member_blocks(p->ctx, p->s, p->owner, uses, m, why, NULL);
}

int pci_plan_check_groups(struct plan *p) {
        for (size_t i = 0; i < p->n; i++) {
                struct plan_item *it = &p->items[i];
                _cleanup_strv_free_ char **members = NULL;
                struct strbuf why = {};
                bool seen = false;
                int r;

                if (it->ops != &kind_pci || it->skip || !it->pci)
                        continue;
                for (size_t j = 0; j < i; j++)
                        if (p->items[j].ops == &kind_pci && p->items[j].pci &&
                            p->items[j].pci->iommu_group == it->pci->iommu_group)
                                seen = true;
                if (seen)
                        continue;
                r = pci_group_members(p->ctx, it->pci->iommu_group, &members);
                if (r < 0)
                        return hd_error(p->ctx, r, "%s: cannot list IOMMU group %d: %s", it->pci->addr,
                                        it->pci->iommu_group, strerror(-r));
                for (char **m = members; *m && r >= 0; m++)
                        r = member_check(p, *m, &why);
                if (r >= 0 && why.oom)
                        r = -ENOMEM;
                if (r >= 0 && why.len) {
                        _cleanup_free_ char *text = words_group_not_viable(it->pci->iommu_group, it->pci->addr, why.s);
                        r = text ? hd_error(p->ctx, -EBUSY,
                                            "%s; vfio gives a guest a whole group or nothing: put those devices in "
                                            "this domain too, or detach them (hostdev detach %s --group)",
                                            text, it->pci->addr)
                                 : -ENOMEM;
                }
                strbuf_done(&why);
                if (r < 0)
                        return r;
        }
        return 0;
}
