/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The emulator's rtnetlink for SR-IOV: a VF's admin MAC and VLAN as its PF keeps them. */
#pragma once

#include "emulator.h"
#include "hostdev/sriov.h"

/*
 * A VF's settings live in the tree, .emulator/vfnet/PF_IFNAME/VF holding
 * "MAC VLAN QOS spoofchk=on trust=off link=auto" (absent: a new VF as igb
 * makes it, 00:00:00:00:00:00 0 0 and those flags), so a forked child's
 * settings outlive it. A set goes through HOOK (the context's write hook,
 * as a write of that line to /.emulator/vfnet/PF_IFNAME/VF), so the
 * emulator's faults, crashes and write counts apply to netlink messages as
 * to sysfs writes. get and set fail -ENODEV without the PF's interface and
 * -ENOENT for a VF number the PF does not have (no virtfnN), as the kernel.
 */
struct emu_vfnet {
        struct hd_vf_netlink_ops ops;
        struct emu *e;
        hd_write_hook_t hook;
        void *hook_data;
        /* The PF driver's limits: settings it lacks (enum hd_vf_net_field: -EOPNOTSUPP), and whether it
         * refuses the all-zero MAC (-EINVAL, as drivers that take only is_valid_ether_addr() do). */
        unsigned missing;
        bool refuse_zero_mac;
};

/* OPS of *V ready for hd_manager_set_vf_netlink(); V must outlive the context's use. */
void emu_vfnet_init(struct emu_vfnet *v, struct emu *e, hd_write_hook_t hook, void *hook_data);
/* What the tree says of VF VF of PF now. */
int emu_vfnet_read(struct emu *e, const char *pf, unsigned vf, struct hd_vf_net *ret);
