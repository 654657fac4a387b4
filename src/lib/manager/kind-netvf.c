/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An <interface type='hostdev'>'s network side: the VF's admin settings, saved from its PF, set, and put back. */
#include <string.h>

#include "prepare.h"
#include "util/strutil.h"

static const uint8_t no_mac[6];

static char *vf_addr(const struct hd_hostdev_def *def) {
        char a[20];
        return strdup(hd_pci_addr_format(&def->net_vf.pci.addr, a));
}

static char *mac_string(const uint8_t mac[static 6]) {
        return strdupf("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* The PF of VF with its VFs, and the admin settings of each of the others (*ret, in the order of (*ret_pf)->vfs). */
static int sibling_settings(struct hd_context *ctx, const struct hd_vf_netlink_ops *ops, const struct hd_vf *vf,
                            struct hd_sriov_pf **ret_pf, struct hd_vf_net **ret) {
        struct hd_sriov_pf *pf = NULL;
        struct hd_vf_net *v;
        char a[20];
        int r = hd_sriov_get(ctx, hd_pci_addr_format(&vf->pf, a), &pf);

        if (r < 0)
                return r;
        v = calloc(pf->n_vfs + 1, sizeof(*v));
        if (!v) {
                hd_sriov_pf_free(pf);
                return -ENOMEM;
        }
        for (size_t i = 0; i < pf->n_vfs; i++) {
                struct hd_vf sib = { .pf = vf->pf, .addr = pf->vfs[i].addr, .index = pf->vfs[i].index,
                                     .pf_ifname = vf->pf_ifname };
                if (sib.index == vf->index)
                        continue;
                r = hd_vf_net_get(ctx, ops, &sib, &v[i]);
                if (r < 0) {
                        free(v);
                        hd_sriov_pf_free(pf);
                        return r;
                }
        }
        *ret_pf = pf;
        *ret = v;
        return 0;
}

/*
 * Two VFs of one PF with one MAC break both guests' networks (the PF's switch delivers to one of them): a MAC
 * the interface asks for must be no other VF's on that PF, nor another interface's of the same domain.
 */
static int check_mac_unique(struct plan *p, struct plan_item *it, const struct hd_vf_netlink_ops *ops,
                            const struct hd_vf *vf) {
        const struct hd_hostdev_net_vf *nv = &it->def->net_vf;
        _cleanup_free_ char *mac = NULL, *a = vf_addr(it->def);
        struct hd_sriov_pf *pf = NULL;
        struct hd_vf_net *sib = NULL;
        int r = 0;

        if (!nv->has_mac || memcmp(nv->mac, no_mac, sizeof(no_mac)) == 0)
                return 0;
        mac = mac_string(nv->mac);
        if (!mac || !a)
                return -ENOMEM;
        for (struct plan_item *o = p->items; o < it; o++) {
                const struct hd_hostdev_net_vf *ov = o->def ? &o->def->net_vf : NULL;
                struct hd_vf *ovf = NULL;
                bool same;

                if (o->ops != &kind_net_vf || !ov || !o->rec || !ov->has_mac ||
                    memcmp(ov->mac, nv->mac, sizeof(nv->mac)) != 0)
                        continue;
                r = hd_vf_lookup(p->ctx, o->rec->key, &ovf);
                if (r < 0)
                        return r;
                same = memcmp(&ovf->pf, &vf->pf, sizeof(vf->pf)) == 0;
                hd_vf_free(ovf);
                if (same)
                        return hd_error(p->ctx, -EINVAL,
                                        "two interfaces ask for MAC %s on VFs %s and %s of %s; one MAC on two VFs "
                                        "of a PF breaks both guests' networks: give each its own <mac address>",
                                        mac, o->rec->key, a, vf->pf_ifname);
        }
        r = sibling_settings(p->ctx, ops, vf, &pf, &sib);
        if (r < 0)
                return r;
        for (size_t i = 0; i < pf->n_vfs; i++) {
                _cleanup_free_ char *who = NULL;
                struct hd_active *holder = NULL;
                char sa[20];

                if (pf->vfs[i].index == vf->index || memcmp(sib[i].mac, nv->mac, sizeof(nv->mac)) != 0)
                        continue;
                hd_pci_addr_format(&pf->vfs[i].addr, sa);
                r = store_device_get(p->s, STORE_NET_VF, sa, &holder, NULL);
                if (r == -ENOENT)
                        r = hd_error(p->ctx, -EBUSY,
                                     "MAC %s is VF %u's (%s) of %s already, set outside hostdev; one MAC on two "
                                     "VFs of a PF breaks both networks: give %s another <mac address>, or clear "
                                     "VF %u's (ip link set %s vf %u mac 00:00:00:00:00:00)",
                                     mac, pf->vfs[i].index, sa, vf->pf_ifname, a, pf->vfs[i].index, vf->pf_ifname,
                                     pf->vfs[i].index);
                else if (r >= 0) {
                        who = record_describe(holder);
                        r = who ? hd_error(p->ctx, -EBUSY,
                                           "MAC %s is VF %u's (%s) of %s already, %s; one MAC on two VFs of a PF "
                                           "breaks both guests' networks: give %s another <mac address>",
                                           mac, pf->vfs[i].index, sa, vf->pf_ifname, who, a)
                                : -ENOMEM;
                }
                hd_active_free(holder);
                break;
        }
        free(sib);
        hd_sriov_pf_free(pf);
        return r;
}

static int netvf_resolve(struct plan *p, struct plan_item *it) {
        const struct hd_hostdev_net_vf *nv = &it->def->net_vf;
        const struct hd_vf_netlink_ops *ops;
        _cleanup_free_ char *a = vf_addr(it->def);
        struct hd_vf_net zero = {}, want;
        struct hd_vf *vf = NULL;
        int r;

        if (!a)
                return -ENOMEM;
        if (nv->virtualport.type != HD_VIRTUALPORT_NONE)
                return hd_error(p->ctx, -EOPNOTSUPP,
                                "%s: <virtualport type='%s'> is not supported: hostdev sets a VF's MAC and VLAN "
                                "through its PF; %s port profiles need a switch protocol daemon hostdev does not "
                                "speak",
                                a, hd_virtualport_type_to_string(nv->virtualport.type),
                                hd_virtualport_type_to_string(nv->virtualport.type));
        r = manager_vf_netlink(p->ctx, &ops);
        if (r < 0)
                return r;
        r = hd_vf_lookup(p->ctx, a, &vf);
        if (r < 0) {
                if (r == -ENODEV || r == -ENOENT)
                        return hd_error(p->ctx, r, "%s; <interface type='hostdev'> takes an SR-IOV VF (for a whole "
                                        "device use <hostdev type='pci'>)",
                                        hd_context_last_error(p->ctx) ? hd_context_last_error(p->ctx) : a);
                return r;
        }
        if (!vf->pf_ifname) {
                char pf[20];
                hd_pci_addr_format(&vf->pf, pf);
                hd_vf_free(vf);
                return hd_error(p->ctx, -ENODEV,
                                "the PF %s of VF %s has no network interface, and a VF's MAC and VLAN are set "
                                "through it; bind the PF's network driver",
                                pf, a);
        }
        /* What the XML asks must be something a VF's admin settings can say: refused now, before any write. */
        r = hd_vf_net_from_interface(p->ctx, nv, &zero, &want);
        if (r >= 0)
                r = plan_record(p, it, a);
        if (r >= 0)
                r = check_mac_unique(p, it, ops, vf);
        hd_vf_free(vf);
        if (r < 0)
                return r;
        return plan_check_store(p, it, false);
}

/* The messages hd_vf_net_set() sends, in its order: MAC and VLAN together, then each other setting. */
static const unsigned messages[] = { HD_VF_NET_MAC | HD_VF_NET_VLAN, HD_VF_NET_SPOOFCHK, HD_VF_NET_TRUST,
                                     HD_VF_NET_LINK };

/*
 * One message, one journal step: FIELDS of NET on VF. UNDO_NET (NULL: nothing to undo, the step puts back
 * what was) says for the journal what undoes it; UPDATE is the device row recorded with the step.
 */
static int set_step(struct mop *m, const struct hd_vf_netlink_ops *ops, const struct hd_vf *vf,
                    const struct hd_vf_net *net, unsigned fields, const struct hd_vf_net *undo_net,
                    const struct hd_active *update) {
        _cleanup_free_ char *action = NULL, *undo = NULL;
        char what[64], was[64];
        int r;

        hd_vf_net_describe(net, fields, what);
        action = strdupf("set %s on VF %u of %s%s (rtnetlink)", what, vf->index, vf->pf_ifname,
                         undo_net ? "" : " again");
        if (undo_net) {
                hd_vf_net_describe(undo_net, fields, was);
                undo = strdupf("set %s on VF %u of %s", was, vf->index, vf->pf_ifname);
        } else
                undo = strdup("nothing: these are the VF's settings from before its guest");
        if (!action || !undo)
                return -ENOMEM;
        r = mop_step_begin(m, action, undo, update);
        if (r < 0)
                return r;
        r = hd_vf_net_set(m->ctx, ops, vf, net, fields);
        (void)mop_step_end(m, r >= 0);
        return r;
}

static int netvf_take(struct plan *p, struct plan_item *it) {
        const struct hd_vf_netlink_ops *ops;
        struct hd_vf_net cur, want, saved;
        char mac[18], vlan[24], flags[48];
        struct hd_vf *vf = NULL;
        bool first = true;
        int r;

        r = manager_vf_netlink(p->ctx, &ops);
        if (r < 0)
                return r;
        r = hd_vf_lookup(p->ctx, it->rec->key, &vf);
        if (r >= 0)
                r = hd_vf_net_get(p->ctx, ops, vf, &cur);
        if (r >= 0)
                r = hd_vf_net_from_interface(p->ctx, &it->def->net_vf, &cur, &want);
        if (r < 0)
                goto out;
        /* What goes back: the MAC and VLAN, and of the others only those this interface sets. */
        saved = (struct hd_vf_net){ .vlan = cur.vlan, .qos = cur.qos,
                                    .spoofchk = want.spoofchk ? cur.spoofchk : HD_VF_UNSET,
                                    .trust = want.trust ? cur.trust : HD_VF_UNSET,
                                    .link = want.link ? cur.link : HD_VF_LINK_UNSET };
        memcpy(saved.mac, cur.mac, sizeof(saved.mac));
        if ((want.spoofchk && !saved.spoofchk) || (want.trust && !saved.trust) || (want.link && !saved.link)) {
                /* the driver does not report it: there would be nothing to put back */
                r = hd_error(p->ctx, -EOPNOTSUPP,
                             "%s does not report the %s of its VF %u, so it could not be put back; remove that "
                             "setting from the interface",
                             vf->pf_ifname,
                             want.trust && !saved.trust ? "trust" : want.link && !saved.link ? "link state" : "spoof checking",
                             vf->index);
                goto out;
        }
        (void)hd_vf_net_to_strings(&saved, mac, vlan);
        (void)hd_vf_net_flags_to_string(&saved, flags);
        free(it->rec->vf_mac);
        free(it->rec->vf_vlan);
        free(it->rec->vf_flags);
        it->rec->vf_mac = strdup(mac);
        it->rec->vf_vlan = strdup(vlan);
        it->rec->vf_flags = flags[0] ? strdup(flags) : NULL;
        if (!it->rec->vf_mac || !it->rec->vf_vlan || (flags[0] && !it->rec->vf_flags)) {
                r = -ENOMEM;
                goto out;
        }
        /* The settings to put back are recorded with the first step, in one transaction, before any message. */
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(messages); i++) {
                unsigned f = messages[i] & (HD_VF_NET_MAC | HD_VF_NET_VLAN | (want.spoofchk ? HD_VF_NET_SPOOFCHK : 0) |
                                            (want.trust ? HD_VF_NET_TRUST : 0) | (want.link ? HD_VF_NET_LINK : 0));
                if (!f)
                        continue;
                r = set_step(&p->m, ops, vf, &want, f, &saved, first ? it->rec : NULL);
                first = false;
        }
out:
        hd_vf_free(vf);
        return r;
}

/*
 * The old MAC refused (drivers that take only valid unicast addresses refuse the all-zero one a new VF has):
 * a locally administered MAC made from the VF's PCI address, which no other VF of the PF has, rather than
 * leave the guest's, which a later guest may ask for on another VF. 02:68:DD:BB:DF:NN (DD the domain's low
 * byte, BB the bus, DF device and function, NN the first free from 0), with the saved VLAN.
 */
static int leave_unique_mac(struct mop *m, const struct hd_vf_netlink_ops *ops, const struct hd_vf *vf,
                            const struct hd_vf_net *saved) {
        struct hd_context *ctx = m->ctx;
        _cleanup_free_ char *refusal = strdup(hd_context_last_error(ctx) ? hd_context_last_error(ctx) : "refused"),
                            *old = mac_string(saved->mac), *now = NULL;
        struct hd_vf_net mine = *saved, *sib = NULL;
        struct hd_sriov_pf *pf = NULL;
        char a[20];
        int r;

        if (!refusal || !old)
                return -ENOMEM;
        r = sibling_settings(ctx, ops, vf, &pf, &sib);
        if (r < 0)
                return r;
        mine.mac[0] = 0x02;
        mine.mac[1] = 0x68;
        mine.mac[2] = (uint8_t)vf->addr.domain;
        mine.mac[3] = vf->addr.bus;
        mine.mac[4] = (uint8_t)(vf->addr.slot << 3 | vf->addr.function);
        r = -EADDRINUSE;
        for (unsigned n = 0; n < 256 && r == -EADDRINUSE; n++) {
                mine.mac[5] = (uint8_t)n;
                r = 0;
                for (size_t i = 0; i < pf->n_vfs; i++)
                        if (pf->vfs[i].index != vf->index && memcmp(sib[i].mac, mine.mac, sizeof(mine.mac)) == 0)
                                r = -EADDRINUSE;
        }
        free(sib);
        hd_sriov_pf_free(pf);
        if (r < 0)
                return hd_error(ctx, r, "%s; and every MAC hostdev would leave instead is another VF's", refusal);
        r = set_step(m, ops, vf, &mine, HD_VF_NET_MAC | HD_VF_NET_VLAN, NULL, NULL);
        if (r < 0)
                return r;
        now = mac_string(mine.mac);
        hd_notice(ctx,
                  "VF %u (%s) of %s: its old MAC %s could not be put back (%s); it has %s now, which no other VF "
                  "of %s has",
                  vf->index, hd_pci_addr_format(&vf->addr, a), vf->pf_ifname, old, refusal, now ? now : "?",
                  vf->pf_ifname);
        hd_error_clear(ctx);
        return 0;
}

static int netvf_give_back(struct mop *m, const struct hd_active *rec) {
        const struct hd_vf_netlink_ops *ops;
        struct hd_vf_net saved, cur;
        struct hd_vf *vf = NULL;
        unsigned diff;
        int r;

        if (!rec->vf_mac && !rec->vf_vlan)
                return 0; /* nothing was saved, so nothing was set */
        r = hd_vf_net_from_strings(rec->vf_mac, rec->vf_vlan, &saved);
        if (r >= 0)
                r = hd_vf_net_flags_from_string(rec->vf_flags, &saved);
        if (r < 0)
                return hd_error(m->ctx, r, "VF %s: the saved settings '%s' / '%s' / '%s' do not read back", rec->key,
                                rec->vf_mac ? rec->vf_mac : "", rec->vf_vlan ? rec->vf_vlan : "",
                                rec->vf_flags ? rec->vf_flags : "");
        r = hd_vf_lookup(m->ctx, rec->key, &vf);
        if (r == -ENODEV || r == -ENOENT || r == -EINVAL) {
                hd_error_clear(m->ctx); /* the VF is gone (its PF's VFs were removed): nothing to put back */
                return 0;
        }
        if (r < 0)
                return r;
        r = manager_vf_netlink(m->ctx, &ops);
        if (r >= 0)
                r = hd_vf_net_get(m->ctx, ops, vf, &cur);
        if (r < 0)
                goto out;
        /* Only what differs, so that a second run (recovery after a kill) writes nothing more. */
        diff = hd_vf_net_diff(&saved, &cur);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(messages); i++) {
                unsigned f = messages[i] & diff;
                if (!f)
                        continue;
                r = set_step(m, ops, vf, &saved, f, NULL, NULL);
                if (r < 0 && (f & HD_VF_NET_MAC) && (diff & HD_VF_NET_MAC) && r != -ENOMEM && r != -ENODEV)
                        r = leave_unique_mac(m, ops, vf, &saved);
        }
out:
        hd_vf_free(vf);
        return r;
}

const struct kind_ops kind_net_vf = {
        .kind = STORE_NET_VF,
        .only_flag = HD_MANAGER_ONLY_NET_VF,
        .resolve = netvf_resolve,
        .take = netvf_take,
        .give_back = netvf_give_back,
};
