/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* check: whether ACS on the path to the root port isolates the device, read from each bridge's config space. */
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "inventory/pci-config.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

/* Bridges deeper than this are a loop in a broken tree. */
#define MAX_BRIDGES 16

enum acs_state { ACS_ISOLATES, ACS_DOES_NOT, ACS_UNKNOWN };

/* One function on the path, as the kernel's pci_acs_enabled() would judge it. */
struct hop {
        char addr[20];
        char *path;
        int type; /* pci_config_express_type() */
        bool mf;  /* several functions (header type bit 7) */
        bool needs_root; /* unknown because only root may read that far into `config` */
        enum acs_state state;
        char *said; /* "root port: ACSCtl SrcValid+ ... : isolates" */
        int group;  /* its IOMMU group, -1 none */
};

static void hop_done(struct hop *h) {
        free(h->path);
        free(h->said);
}

/* The kernel's verdict on one function and the words for it (drivers/pci/pci.c: pci_acs_enabled()). */
static int judge(struct hd_context *ctx, struct hop *h) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *ctl = NULL, *missing = NULL, *g = NULL;
        struct pci_config *c = malloc(sizeof(*c));
        const char *kind;
        uint16_t cap = 0, ctrl = 0;
        bool found = false, mf;
        int r;

        if (!c)
                return -ENOMEM;
        h->group = -1;
        r = sysfs_open_dir(ctx, h->path, &fd);
        if (r >= 0 && sysfs_link_name_at(fd, "iommu_group", &g) >= 0)
                h->group = atoi(g);
        if (r >= 0)
                r = pci_config_read(fd, c);
        if (r < 0) {
                free(c);
                h->state = ACS_UNKNOWN;
                h->said = strdupf("%s: config unreadable (%s)", h->addr, strerror(-r));
                return h->said ? 0 : -ENOMEM;
        }
        h->type = pci_config_express_type(c);
        mf = h->mf = pci_config_multifunction(c);
        kind = h->type >= 0 ? pci_express_type_name(h->type) : h->type == -1 ? "conventional PCI" : NULL;
        if (h->type == -2 || (pci_acs_need(h->type, mf) == PCI_ACS_NEEDED && pci_config_acs(c, &found, &cap, &ctrl) < 0)) {
                h->state = ACS_UNKNOWN;
                h->needs_root = true;
                h->said = strdupf("%s%s%s: ACS unknown: only root may read past the first %zu bytes of its "
                                  "config space",
                                  h->addr, kind ? " " : "", kind ? kind : "", c->len);
                free(c);
                return h->said ? 0 : -ENOMEM;
        }
        free(c);
        switch (pci_acs_need(h->type, mf)) {
        case PCI_ACS_NEVER:
                h->state = ACS_DOES_NOT;
                h->said = strdupf("%s (%s): does not isolate; the kernel assumes no ACS on %s", h->addr, kind,
                                  h->type == -1 ? "conventional PCI" : "this kind of bridge");
                break;
        case PCI_ACS_NOT_NEEDED:
                h->state = ACS_ISOLATES;
                h->said = strdupf("%s (%s, single function): needs no ACS", h->addr, kind);
                break;
        case PCI_ACS_NEEDED:
                if (!found) {
                        h->state = ACS_DOES_NOT;
                        h->said = strdupf("%s (%s%s): no ACS capability: does not isolate", h->addr, kind,
                                          mf ? ", multi-function" : "");
                        break;
                }
                ctl = pci_acs_describe(ctrl);
                missing = pci_acs_names(pci_acs_missing(cap, ctrl, PCI_ACS_ISOLATION));
                if (!ctl || !missing)
                        return -ENOMEM;
                h->state = *missing ? ACS_DOES_NOT : ACS_ISOLATES;
                h->said = *missing ? strdupf("%s (%s): ACSCtl %s: does not isolate (%s off)", h->addr, kind, ctl,
                                             missing)
                                   : strdupf("%s (%s): ACSCtl %s: isolates", h->addr, kind, ctl);
                break;
        }
        return h->said ? 0 : -ENOMEM;
}

/* The upstream bridges of D, nearest first, up to the one on a root bus (a folder "pciDDDD:BB" above it). */
static int path_bridges(const struct pci_dev *d, struct hop *hops, size_t *ret_n) {
        _cleanup_free_ char *p = strdup(d->path);
        size_t n = 0;

        if (!p)
                return -ENOMEM;
        for (char *slash = strrchr(p, '/'); slash && n < MAX_BRIDGES; slash = strrchr(p, '/')) {
                struct hd_pci_addr a;
                const char *name;
                *slash = 0;
                name = path_basename(p);
                if (startswith(name, "pci") || hd_pci_addr_parse(name, &a) < 0)
                        break; /* the root bus (or a VMD's): the kernel's walk ends here */
                hops[n] = (struct hop){ .path = strdup(p) };
                hd_pci_addr_format(&a, hops[n].addr);
                if (!hops[n].path)
                        return -ENOMEM;
                n++;
        }
        *ret_n = n;
        return 0;
}

/* Whether D's group has an endpoint other than D (or the functions of its own slot when SLOT_TOO). */
static bool group_has_others(const struct doctor *dc, bool slot_too) {
        struct hd_pci_addr da;
        if (!dc->group || hd_pci_addr_parse(dc->d->addr, &da) < 0)
                return false;
        for (size_t i = 0; i < dc->group->n_members; i++) {
                const struct hd_iommu_member *m = &dc->group->members[i];
                if (!m->is_pci || m->is_bridge || streq(m->name, dc->d->addr))
                        continue;
                if (slot_too || m->addr.bus != da.bus || m->addr.slot != da.slot || m->addr.domain != da.domain)
                        return true;
        }
        return false;
}

static int conclude(struct doctor *dc, const struct report_meta *meta, struct hop *hops, size_t n, struct hop *self) {
        const struct pci_dev *d = dc->d;
        ssize_t top = -1; /* the highest bridge that does not isolate: the group takes in all below it */
        bool unknown = self->state == ACS_UNKNOWN, needs_root = self->needs_root;

        for (size_t i = 0; i < n; i++) {
                if (hops[i].state == ACS_UNKNOWN)
                        unknown = true;
                needs_root = needs_root || hops[i].needs_root;
                if (hops[i].state == ACS_DOES_NOT)
                        top = (ssize_t)i;
        }
        if (unknown && needs_root)
                return report_addm(dc->rep, meta, HD_REPORT_INFO, "acs", "run hostdev check as root to read it",
                                   "whether ACS isolates %s is unknown: only root may read the extended config "
                                   "space",
                                   d->addr);
        if (unknown)
                return report_addm(dc->rep, meta, HD_REPORT_INFO, "acs", NULL,
                                   "whether ACS isolates %s is unknown: a config space on its path cannot be read",
                                   d->addr);
        if (top >= 0) {
                const struct hop *b = &hops[top];
                /* The kernel puts D in B's group unless a quirk for B says it isolates (drivers/pci/quirks.c). */
                if (b->group >= 0 && b->group != d->iommu_group)
                        return report_addm(dc->rep, meta, HD_REPORT_INFO, "acs", NULL,
                                           "bridge %s has no ACS isolation in its config space, yet the kernel "
                                           "isolates %s (group %d, not the bridge's %d): a quirk for that bridge",
                                           b->addr, d->addr, d->iommu_group, b->group);
                if (group_has_others(dc, true))
                        return report_addm(dc->rep, meta, HD_REPORT_WARN, "acs",
                                           "a guest gets the whole group: pass all of it (hostdev detach --group), "
                                           "or move the card to a slot whose ports have ACS (lspci -vv: Access "
                                           "Control Services)",
                                           "IOMMU group %d is shared because bridge %s has no ACS isolation: every "
                                           "device below it is in one group",
                                           d->iommu_group, b->addr);
                return report_addm(dc->rep, meta, HD_REPORT_INFO, "acs", NULL,
                                   "bridge %s does not isolate what is below it, but nothing else is there",
                                   b->addr);
        }
        if (self->state == ACS_DOES_NOT && group_has_others(dc, true))
                return report_addm(dc->rep, meta, HD_REPORT_WARN, "acs",
                                   "pass every function of the slot together (hostdev detach --group)",
                                   "the functions of %s's slot share IOMMU group %d: it has several functions and no "
                                   "ACS isolation between them",
                                   d->addr, d->iommu_group);
        return report_addm(dc->rep, meta, HD_REPORT_OK, "acs", NULL, "%s",
                           n ? "every bridge on the path to the root port isolates it (ACS SrcValid ReqRedir "
                               "CmpltRedir UpstreamFwd on)"
                             : "on the root bus: the root complex isolates it");
}

int doctor_acs(struct doctor *dc) {
        struct hop hops[MAX_BRIDGES] = {}, self = {};
        _cleanup_free_ char *src = strdupf("%s/config", dc->d->bus_path);
        struct report_meta meta = { .source = src };
        size_t n = 0;
        int r;

        if (!src)
                return -ENOMEM;
        if (dc->d->iommu_group < 0 || dc->d->bridge != HD_PCI_NOT_BRIDGE)
                return 0; /* no group to explain; a bridge is refused anyway */
        r = path_bridges(dc->d, hops, &n);
        memcpy(self.addr, dc->d->addr, sizeof(self.addr));
        if (r >= 0 && !(self.path = strdup(dc->d->path)))
                r = -ENOMEM;
        /* The device itself matters when it has several functions (get_pci_function_alias_group()). */
        if (r >= 0)
                r = judge(dc->ctx, &self);
        if (r >= 0 && !self.mf)
                self.state = ACS_ISOLATES; /* a single function has no siblings to be isolated from */
        for (size_t i = 0; i < n && r >= 0; i++)
                r = judge(dc->ctx, &hops[i]);
        if (r >= 0 && self.state != ACS_ISOLATES)
                r = report_addm(dc->rep, &meta, HD_REPORT_INFO, "acs", NULL, "%s", self.said);
        for (size_t i = 0; i < n && r >= 0; i++)
                r = report_addm(dc->rep, &meta, HD_REPORT_INFO, "acs", NULL, "%s", hops[i].said);
        if (r >= 0)
                r = conclude(dc, &meta, hops, n, &self);
        for (size_t i = 0; i < n; i++)
                hop_done(&hops[i]);
        hop_done(&self);
        return r;
}
