/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hd_pci_check: whether a PCI device can go to a guest now, item by item, and what to do if not. */
#include <stdio.h>
#include <string.h>

#include "hostdev/iommu.h"
#include "inventory/iommu-internal.h"
#include "hostuse.h"
#include "manager-internal.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

static int check_iommu(struct hd_context *ctx, struct hd_report *rep, const struct pci_dev *d) {
        _cleanup_free_ char *unit = NULL;
        if (!iommu_enabled(ctx, &unit))
                return report_add(rep, HD_REPORT_FAIL, "iommu",
                                  "turn on VT-d / AMD-Vi in the firmware and boot with intel_iommu=on "
                                  "(Intel) or amd_iommu=on (AMD)",
                                  "no IOMMU is enabled on this host");
        if (d->iommu_group < 0)
                return report_add(rep, HD_REPORT_FAIL, "iommu", "check 'dmesg | grep -i iommu' for why",
                                  "an IOMMU is on (%s) but %s is in no IOMMU group", unit, d->addr);
        return report_add(rep, HD_REPORT_OK, "iommu", NULL, "IOMMU enabled (%s); %s is in group %d", unit,
                          d->addr, d->iommu_group);
}

/* The group's members and its viability, as `hostdev iommu` tells them (hostdev/iommu.h). */
static int check_group(struct hd_context *ctx, struct hd_report *rep, const struct pci_dev *d) {
        struct hd_iommu_group *g = NULL;
        int r;

        if (d->iommu_group < 0)
                return 0;
        r = hd_iommu_group_get(ctx, d->iommu_group, &g);
        if (r < 0) {
                r = report_add(rep, HD_REPORT_FAIL, "group", NULL, "cannot read IOMMU group %d: %s", d->iommu_group,
                               hd_context_last_error(ctx) ? hd_context_last_error(ctx) : strerror(-r));
                hd_error_clear(ctx);
                return r;
        }
        for (size_t i = 0; i < g->n_members && r >= 0; i++) {
                const struct hd_iommu_member *m = &g->members[i];
                char a[20];
                bool self, fine;

                if (!m->is_pci)
                        continue; /* a PCI function's group holds only PCI functions; be safe */
                hd_pci_addr_format(&m->addr, a);
                self = streq(a, d->addr);
                fine = !m->driver || pci_driver_is_stub(m->driver) || m->is_bridge;
                r = report_add(rep, self ? HD_REPORT_INFO : fine ? HD_REPORT_OK : HD_REPORT_WARN, "member", NULL,
                               "group %d: %s class 0x%06x%s on %s%s", g->number, a, m->class_code,
                               m->is_bridge ? " (bridge)" : "", m->driver ? m->driver : "no driver",
                               self ? " (this device)" : fine ? "" : ", a host driver");
        }
        if (r >= 0 && g->viable)
                r = report_add(rep, HD_REPORT_OK, "group", NULL,
                               "group %d is viable: no endpoint in it is on a host driver", g->number);
        else if (r >= 0) {
                _cleanup_free_ char *remedy = strdupf("detach the whole group: hostdev detach %s --group", d->addr);
                /* The device itself on its host driver is not what makes the group fail: detach moves it. */
                bool others = false;
                for (size_t i = 0; i < g->n_members; i++) {
                        const struct hd_iommu_member *m = &g->members[i];
                        char a[20];
                        if (m->is_pci && !streq(hd_pci_addr_format(&m->addr, a), d->addr) && m->driver &&
                            !pci_driver_is_stub(m->driver) && !m->is_bridge)
                                others = true;
                }
                if (!remedy)
                        r = -ENOMEM;
                else if (others)
                        r = report_add(rep, HD_REPORT_FAIL, "group", remedy,
                                       "group %d is not viable: %s; a guest can only have the whole group",
                                       g->number, g->reason ? g->reason : "a member is on a host driver");
                else
                        r = report_add(rep, HD_REPORT_OK, "group", NULL,
                                       "group %d is viable once %s itself is detached", g->number, d->addr);
        }
        hd_iommu_group_free(g);
        return r;
}

static int check_driver(struct hd_context *ctx, struct hd_report *rep, const struct pci_dev *d) {
        if (pci_driver_is_vfio(d->driver) && d->iommu_group >= 0) {
                char node[32];
                snprintf(node, sizeof(node), "dev/vfio/%d", d->iommu_group);
                if (!sysfs_exists(ctx, node))
                        return report_add(rep, HD_REPORT_WARN, "driver", "check that udev runs and see 'dmesg'",
                                          "on %s, but /%s is missing", d->driver, node);
                return report_add(rep, HD_REPORT_OK, "driver", NULL, "on %s (/%s)", d->driver, node);
        }
        if (d->driver && pci_driver_is_stub(d->driver))
                return report_add(rep, HD_REPORT_OK, "driver", NULL, "on %s", d->driver);
        if (d->driver) {
                _cleanup_free_ char *remedy = strdupf("hostdev detach %s (or managed='yes' in the domain XML)", d->addr);
                return remedy ? report_add(rep, HD_REPORT_INFO, "driver", remedy,
                                           "on %s, a host driver: it moves to vfio-pci when detached", d->driver)
                              : -ENOMEM;
        }
        return report_add(rep, HD_REPORT_INFO, "driver", NULL, "on no driver; detaching binds it to vfio-pci");
}

static int check_reset(struct hd_report *rep, const struct pci_dev *d) {
        _cleanup_free_ char *methods = NULL;
        char first[32] = "";

        /* Documentation/ABI/testing/sysfs-bus-pci: reset and reset_method. */
        if (!sysfs_exists_at(d->dirfd, "reset"))
                return report_add(rep, HD_REPORT_WARN, "reset",
                                  "expect the guest to see it as the last user left it; some devices then "
                                  "need a host reboot",
                                  "no reset method: the kernel cannot reset %s between guests", d->addr);
        if (sysfs_read_at(d->dirfd, "reset_method", &methods) < 0 || isempty(methods))
                return report_add(rep, HD_REPORT_OK, "reset", NULL, "resettable (the kernel does not say how)");
        sscanf(methods, "%31s", first);
        if (streq(first, "bus") || streq(first, "cxl_bus"))
                return report_add(rep, HD_REPORT_WARN, "reset",
                                  "every device below the same bridge must be free when it is reset: give "
                                  "them to the same guest or detach them",
                                  "reset by %s reset only (reset_method: %s): it resets the whole bus", first, methods);
        return report_add(rep, HD_REPORT_OK, "reset", NULL, "reset methods: %s", methods);
}

static int check_holder(struct hd_context *ctx, struct hd_report *rep, const struct pci_dev *d) {
        _cleanup_store_ struct hd_store *s = NULL;
        struct hd_active *rec = NULL;
        _cleanup_free_ char *who = NULL;
        int r;

        r = store_open(ctx, STORE_NO_CREATE, &s);
        if (r == -ENOENT)
                return report_add(rep, HD_REPORT_OK, "holder", NULL, "nobody holds it (no state store yet)");
        if (r >= 0)
                r = store_device_get(s, STORE_PCI, d->addr, &rec, NULL);
        if (r == -ENOENT)
                return report_add(rep, HD_REPORT_OK, "holder", NULL, "nobody holds it");
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                /* Who holds it is not known, so it is not known to be free: never "can be passed through". */
                _cleanup_free_ char *dir = store_dir(ctx);
                const char *remedy = r == -EACCES ? "run it as root, who can read the store"
                                                  : "fix the state store, or give the right --state-dir";
                int e = hd_context_last_error(ctx)
                                ? report_add(rep, HD_REPORT_FAIL, "holder", remedy, "unknown: %s",
                                             hd_context_last_error(ctx))
                                : report_add(rep, HD_REPORT_FAIL, "holder", remedy,
                                             "unknown: cannot read the state store in %s: %s", dir ? dir : "?",
                                             strerror(-r));
                hd_error_clear(ctx);
                return e;
        }
        who = record_describe(rec);
        if (!who) {
                hd_active_free(rec);
                return -ENOMEM;
        }
        if (store_record_state(rec) == STORE_HELD) {
                _cleanup_free_ char *remedy = strdupf("hostdev release --owner %s:%s",
                                                      rec->owner_driver ? rec->owner_driver : "?",
                                                      rec->owner_domain ? rec->owner_domain : "?");
                r = report_add(rep, HD_REPORT_FAIL, "holder", remedy, "%s", who);
        } else if (store_record_state(rec) == STORE_BUSY)
                r = report_add(rep, HD_REPORT_FAIL, "holder", "hostdev recover", "%s", who);
        else
                r = report_add(rep, HD_REPORT_OK, "holder", NULL, "free for a guest: %s", who);
        hd_active_free(rec);
        return r;
}

static int check_host(struct hd_context *ctx, struct hd_report *rep, const struct pci_dev *d) {
        _cleanup_host_uses_ struct host_uses *uses = NULL;
        const char *why;
        int r = host_uses_load(ctx, &uses);

        if (r < 0)
                return report_add(rep, HD_REPORT_WARN, "host", NULL, "cannot tell whether the host needs it: %s",
                                  strerror(-r));
        why = host_uses_find(uses, d->path);
        if (why)
                return report_add(rep, HD_REPORT_FAIL, "host",
                                  "keep it on the host; --force takes it anyway, cutting the host off from it",
                                  "the host runs on it: %s", why);
        return report_add(rep, HD_REPORT_OK, "host", NULL,
                          "the host does not need it (no mounted filesystem, swap or default route behind it)");
}

int hd_pci_check(struct hd_context *ctx, const char *addr, unsigned flags, struct hd_report **ret_report) {
        _cleanup_pci_dev_ struct pci_dev *d = NULL;
        struct hd_report *rep;
        int r;

        hd_error_clear(ctx);
        r = pci_dev_open(ctx, addr, &d);
        if (r < 0)
                return r;
        rep = report_new(d->addr);
        if (!rep)
                return -ENOMEM;
        r = report_add(rep, HD_REPORT_INFO, "device", NULL, "%s %04x:%04x class 0x%06x", d->addr, d->vendor,
                       d->device, d->class_code);
        if (r >= 0)
                r = d->bridge != HD_PCI_NOT_BRIDGE
                            ? report_add(rep, HD_REPORT_FAIL, "bridge", "pass through the devices behind it",
                                         "it is a PCI bridge: bridges stay with the host")
                            : report_add(rep, HD_REPORT_OK, "bridge", NULL, "not a bridge");
        if (r >= 0)
                r = check_iommu(ctx, rep, d);
        if (r >= 0)
                r = check_group(ctx, rep, d);
        if (r >= 0)
                r = check_driver(ctx, rep, d);
        if (r >= 0)
                r = check_reset(rep, d);
        if (r >= 0)
                r = check_holder(ctx, rep, d);
        if (r >= 0)
                r = check_host(ctx, rep, d);
        if (r < 0) {
                hd_report_free(rep);
                return r;
        }
        *ret_report = rep;
        return 0;
}
