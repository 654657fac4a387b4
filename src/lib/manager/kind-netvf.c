/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An <interface type='hostdev'>'s network side: the VF's admin MAC and VLAN, saved from its PF, set, and put back. */
#include <string.h>

#include "prepare.h"
#include "util/strutil.h"

static char *vf_addr(const struct hd_hostdev_def *def) {
        char a[20];
        return strdup(hd_pci_addr_format(&def->net_vf.pci.addr, a));
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
        hd_vf_free(vf);
        /* What the XML asks must be something a VF's admin settings can say: refused now, before any write. */
        r = hd_vf_net_from_interface(p->ctx, nv, &zero, &want);
        if (r < 0)
                return r;
        r = plan_record(p, it, a);
        if (r < 0)
                return r;
        return plan_check_store(p, it, false);
}

static int netvf_take(struct plan *p, struct plan_item *it) {
        const struct hd_vf_netlink_ops *ops;
        struct hd_vf_net cur, want;
        char mac[18], vlan[24], wmac[18], wvlan[24];
        _cleanup_free_ char *action = NULL, *undo = NULL;
        struct hd_vf *vf = NULL;
        int r;

        r = manager_vf_netlink(p->ctx, &ops);
        if (r < 0)
                return r;
        r = hd_vf_lookup(p->ctx, it->rec->key, &vf);
        if (r >= 0)
                r = hd_vf_net_get(p->ctx, ops, vf, &cur);
        if (r >= 0)
                r = hd_vf_net_from_interface(p->ctx, &it->def->net_vf, &cur, &want);
        if (r >= 0)
                r = hd_vf_net_to_strings(&cur, mac, vlan);
        if (r >= 0)
                r = hd_vf_net_to_strings(&want, wmac, wvlan);
        if (r < 0)
                goto out;
        free(it->rec->vf_mac);
        free(it->rec->vf_vlan);
        it->rec->vf_mac = strdup(mac);
        it->rec->vf_vlan = strdup(vlan);
        action = strdupf("set MAC %s, VLAN %s on VF %u of %s (rtnetlink)", wmac, wvlan, vf->index, vf->pf_ifname);
        undo = strdupf("set MAC %s, VLAN %s on VF %u of %s", mac, vlan, vf->index, vf->pf_ifname);
        if (!it->rec->vf_mac || !it->rec->vf_vlan || !action || !undo) {
                r = -ENOMEM;
                goto out;
        }
        /* The settings to put back are recorded with the step, in one transaction, before the message goes. */
        r = mop_step_begin(&p->m, action, undo, it->rec);
        if (r < 0)
                goto out;
        r = hd_vf_net_set(p->ctx, ops, vf, &want);
        (void)mop_step_end(&p->m, r >= 0);
out:
        hd_vf_free(vf);
        return r;
}

static int netvf_give_back(struct mop *m, const struct hd_active *rec) {
        const struct hd_vf_netlink_ops *ops;
        struct hd_vf_net saved, cur;
        _cleanup_free_ char *action = NULL;
        struct hd_vf *vf = NULL;
        int r;

        if (!rec->vf_mac && !rec->vf_vlan)
                return 0; /* nothing was saved, so nothing was set */
        r = hd_vf_net_from_strings(rec->vf_mac, rec->vf_vlan, &saved);
        if (r < 0)
                return hd_error(m->ctx, r, "VF %s: the saved settings '%s' / '%s' do not read back", rec->key,
                                rec->vf_mac ? rec->vf_mac : "", rec->vf_vlan ? rec->vf_vlan : "");
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
        if (r < 0 || (memcmp(cur.mac, saved.mac, sizeof(cur.mac)) == 0 && cur.vlan == saved.vlan && cur.qos == saved.qos))
                goto out;
        action = strdupf("set MAC %s, VLAN %s on VF %u of %s again (rtnetlink)", rec->vf_mac ? rec->vf_mac : "-",
                         rec->vf_vlan ? rec->vf_vlan : "0", vf->index, vf->pf_ifname);
        if (!action) {
                r = -ENOMEM;
                goto out;
        }
        r = mop_step_begin(m, action, "nothing: these are the VF's settings from before its guest", NULL);
        if (r < 0)
                goto out;
        r = hd_vf_net_set(m->ctx, ops, vf, &saved);
        (void)mop_step_end(m, r >= 0);
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
