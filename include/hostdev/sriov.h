/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SR-IOV: a physical function's virtual functions, and a VF's MAC address and VLAN as its PF sets them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostdev/context.h"
#include "hostdev/device.h"
#include "hostdev/domain.h"

#ifdef __cplusplus
extern "C" {
#endif

struct hd_sriov_vf {
        unsigned index;          /* N of the PF's virtfnN */
        struct hd_pci_addr addr;
        char *driver;            /* bound driver, NULL when none */
        char *ifname;            /* its network interface, NULL when none (on vfio-pci, say) */
};

struct hd_sriov_pf {
        struct hd_pci_addr addr;
        char *driver;            /* the PF's driver; without one the kernel cannot enable VFs */
        char *ifname;            /* the PF's network interface, NULL when none */
        unsigned total_vfs;      /* sriov_totalvfs */
        unsigned num_vfs;        /* sriov_numvfs */
        int autoprobe;           /* sriov_drivers_autoprobe: 1, 0, -1 unknown */
        struct hd_sriov_vf *vfs; /* the VFs present, by index */
        size_t n_vfs;
};
void hd_sriov_pf_free(struct hd_sriov_pf *pf);

/* PF: anything hd_device_lookup() takes that is a PCI function. -EOPNOTSUPP when it cannot have VFs. */
int hd_sriov_get(struct hd_context *ctx, const char *pf, struct hd_sriov_pf **ret);

enum hd_sriov_flags {
        HD_SRIOV_NO_AUTOPROBE = 1 << 0, /* write sriov_drivers_autoprobe 0 first: new VFs get no driver */
        HD_SRIOV_AUTOPROBE = 1 << 1,    /* write 1 first: new VFs meet their drivers */
        HD_SRIOV_FORCE = 1 << 2,        /* remove VFs even when one is on a VFIO/stub driver (a guest may have it) */
};

/* Told while VFs are awaited: how many are there, how many are wanted, how long it has been. */
typedef void (*hd_sriov_progress_t)(void *userdata, unsigned have, unsigned want, unsigned elapsed_ms);

/*
 * Set the number of VFs to N (Documentation/ABI/testing/sysfs-bus-pci,
 * sriov_numvfs). Between two non-zero counts it goes through 0, as the
 * kernel requires. After the write it waits, at most TIMEOUT_MS (0: 30 s),
 * until N VFs exist in sysfs, telling PROGRESS (may be NULL). When enabling
 * fails after the VFs were removed, the old count is put back.
 * Errors: -EOPNOTSUPP not a PF, -ERANGE N above sriov_totalvfs, -ENOENT no
 * PF driver, -EBUSY a VF on vfio-pci/pci-stub (without HD_SRIOV_FORCE),
 * -ETIMEDOUT the VFs did not all appear. A VF hostdev's state store records
 * (a guest holds it, or it is detached) is never removed, even with
 * HD_SRIOV_FORCE (-EBUSY): the count changes under the store's lock, and a
 * store that cannot be read is an error, not a store without records.
 */
int hd_sriov_set_numvfs(struct hd_context *ctx, const char *pf, unsigned n, unsigned flags, unsigned timeout_ms,
                        hd_sriov_progress_t progress, void *userdata);

/* A VF as its PF's netlink sees it. */
struct hd_vf {
        struct hd_pci_addr addr, pf;
        unsigned index;   /* the VF number the PF knows it by */
        char *pf_ifname;  /* the PF's network interface (the netlink messages go to it) */
        char *ifname;     /* the VF's own interface, NULL when none */
};
void hd_vf_free(struct hd_vf *vf);
/* SPEC: a PCI address or libvirt name of a VF, or the name of a VF's network interface. */
int hd_vf_lookup(struct hd_context *ctx, const char *spec, struct hd_vf **ret);

/* A VF's administrative settings, as IFLA_VF_MAC and IFLA_VF_VLAN carry them. */
struct hd_vf_net {
        uint8_t mac[6]; /* all zero: none set */
        unsigned vlan;  /* 0: no VLAN */
        unsigned qos;
};

/*
 * How the settings reach the kernel: rtnetlink on the PF's interface. A
 * test or another transport passes its own; NULL means the real one
 * (hd_vf_netlink_real(), libnl-route-3).
 */
struct hd_vf_netlink_ops {
        /* The admin MAC and VLAN of VF number VF of PF_IFNAME (RTM_GETLINK, IFLA_VFINFO_LIST). */
        int (*get)(void *userdata, const char *pf_ifname, unsigned vf, struct hd_vf_net *ret);
        /* Set them (RTM_SETLINK with IFLA_VF_MAC and IFLA_VF_VLAN in one IFLA_VF_INFO). */
        int (*set)(void *userdata, const char *pf_ifname, unsigned vf, const struct hd_vf_net *net);
        void *userdata;
};
const struct hd_vf_netlink_ops *hd_vf_netlink_real(void);

int hd_vf_net_get(struct hd_context *ctx, const struct hd_vf_netlink_ops *ops, const struct hd_vf *vf,
                  struct hd_vf_net *ret);
int hd_vf_net_set(struct hd_context *ctx, const struct hd_vf_netlink_ops *ops, const struct hd_vf *vf,
                  const struct hd_vf_net *net);

/*
 * What an <interface type='hostdev'> asks of its VF: the MAC (when given;
 * otherwise CURRENT's is kept) and at most one VLAN tag (none: VLAN 0).
 * Refused with -EOPNOTSUPP: 802.1Qbg/802.1Qbh virtual ports, VLAN trunks
 * and nativeMode, which a VF's admin settings cannot express.
 */
int hd_vf_net_from_interface(struct hd_context *ctx, const struct hd_hostdev_net_vf *iface,
                             const struct hd_vf_net *current, struct hd_vf_net *ret);

/* The settings as the state store keeps them: "52:54:00:aa:bb:cc" and "VLAN[:QOS]" ("0": none). */
int hd_vf_net_to_strings(const struct hd_vf_net *net, char mac[static 18], char vlan[static 24]);
int hd_vf_net_from_strings(const char *mac, const char *vlan, struct hd_vf_net *ret);

#ifdef __cplusplus
}
#endif
