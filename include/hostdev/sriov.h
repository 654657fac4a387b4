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

/*
 * PF: anything hd_device_lookup() takes that is a PCI function, or the PF's
 * network interface. -EOPNOTSUPP when it cannot have VFs.
 */
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

/* A setting a PF keeps on or off for a VF; UNSET: not known (the driver does not say), or leave it as it is. */
enum hd_vf_toggle { HD_VF_UNSET = 0, HD_VF_OFF, HD_VF_ON };
/* A VF's link as its PF reports it (IFLA_VF_LINK_STATE): following the PF's (auto), or forced up or down. */
enum hd_vf_link { HD_VF_LINK_UNSET = 0, HD_VF_LINK_AUTO, HD_VF_LINK_ENABLE, HD_VF_LINK_DISABLE };

/*
 * A VF's administrative settings, as IFLA_VF_INFO carries them (all zero:
 * no MAC, no VLAN, the rest unknown or left alone).
 */
struct hd_vf_net {
        uint8_t mac[6]; /* all zero: none set */
        unsigned vlan;  /* 0: no VLAN */
        unsigned qos;
        enum hd_vf_toggle spoofchk; /* IFLA_VF_SPOOFCHK: the PF drops frames whose source MAC is not the VF's */
        enum hd_vf_toggle trust;    /* IFLA_VF_TRUST: the VF may change its MAC, go promiscuous ... */
        enum hd_vf_link link;       /* IFLA_VF_LINK_STATE */
};

/* Which settings one message sets: each is a separate IFLA_VF_* attribute. */
enum hd_vf_net_field {
        HD_VF_NET_MAC = 1 << 0,      /* IFLA_VF_MAC */
        HD_VF_NET_VLAN = 1 << 1,     /* IFLA_VF_VLAN: vlan and qos */
        HD_VF_NET_SPOOFCHK = 1 << 2, /* IFLA_VF_SPOOFCHK */
        HD_VF_NET_TRUST = 1 << 3,    /* IFLA_VF_TRUST */
        HD_VF_NET_LINK = 1 << 4,     /* IFLA_VF_LINK_STATE */
};

/*
 * How the settings reach the kernel: rtnetlink on the PF's interface. A
 * test or another transport passes its own; NULL means the real one
 * (hd_vf_netlink_real(), libnl-route-3).
 */
struct hd_vf_netlink_ops {
        /* The admin settings of VF number VF of PF_IFNAME (RTM_GETLINK, IFLA_VFINFO_LIST). */
        int (*get)(void *userdata, const char *pf_ifname, unsigned vf, struct hd_vf_net *ret);
        /*
         * Set the FIELDS (enum hd_vf_net_field) of NET: RTM_SETLINK with one
         * IFLA_VF_INFO holding an attribute per field. A driver without the
         * setting refuses it (-EOPNOTSUPP).
         */
        int (*set)(void *userdata, const char *pf_ifname, unsigned vf, const struct hd_vf_net *net, unsigned fields);
        void *userdata;
};
const struct hd_vf_netlink_ops *hd_vf_netlink_real(void);

int hd_vf_net_get(struct hd_context *ctx, const struct hd_vf_netlink_ops *ops, const struct hd_vf *vf,
                  struct hd_vf_net *ret);
/*
 * Set the FIELDS of NET on VF (0: MAC and VLAN, and spoof checking, trust
 * and link state where not UNSET): MAC and VLAN in one message (as libvirt
 * sends them), then each other field in its own, so that a refusal names
 * the setting and the driver.
 */
int hd_vf_net_set(struct hd_context *ctx, const struct hd_vf_netlink_ops *ops, const struct hd_vf *vf,
                  const struct hd_vf_net *net, unsigned fields);

/*
 * What an <interface type='hostdev'> asks of its VF: the MAC (when given;
 * otherwise CURRENT's is kept), at most one VLAN tag (none: VLAN 0),
 * trust as trustGuestRxFilters says and the link state as <link state=/>
 * says ("up": auto, following the PF; "down": disabled), both left UNSET
 * when not given. libvirt's XML has no spoof checking for a VF: it stays
 * UNSET. Refused with -EOPNOTSUPP: 802.1Qbg/802.1Qbh virtual ports, VLAN
 * trunks and nativeMode, which a VF's admin settings cannot express.
 */
int hd_vf_net_from_interface(struct hd_context *ctx, const struct hd_hostdev_net_vf *iface,
                             const struct hd_vf_net *current, struct hd_vf_net *ret);

/* The settings as the state store keeps them: "52:54:00:aa:bb:cc" and "VLAN[:QOS]" ("0": none). */
int hd_vf_net_to_strings(const struct hd_vf_net *net, char mac[static 18], char vlan[static 24]);
int hd_vf_net_from_strings(const char *mac, const char *vlan, struct hd_vf_net *ret);
/*
 * The others, those not UNSET: "spoofchk=on trust=off link=auto" ("" when
 * none); reading sets the fields named and leaves the rest as they are.
 */
int hd_vf_net_flags_to_string(const struct hd_vf_net *net, char flags[static 48]);
int hd_vf_net_flags_from_string(const char *flags, struct hd_vf_net *net);
/* The FIELDS of NET for a person: "MAC 52:54:00:aa:bb:cc, VLAN 42:3", "trust on", "link state disable" ... */
void hd_vf_net_describe(const struct hd_vf_net *net, unsigned fields, char buf[static 64]);
/* The fields (enum hd_vf_net_field) in which A and B differ; a field UNSET in A is not compared. */
unsigned hd_vf_net_diff(const struct hd_vf_net *a, const struct hd_vf_net *b);

#ifdef __cplusplus
}
#endif
