/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the SR-IOV files share: the netlink messages, built and read apart from any socket so tests can check them. */
#pragma once

#include <netlink/msg.h>

#include "context-internal.h"
#include "hostdev/sriov.h"

/* RTM_SETLINK on IFNAME with IFLA_VFINFO_LIST > IFLA_VF_INFO > the attribute of each of FIELDS (enum hd_vf_net_field). */
int vf_nl_build_set(const char *ifname, unsigned vf, const struct hd_vf_net *net, unsigned fields,
                    struct nl_msg **ret);
/* RTM_GETLINK on IFNAME asking for the VF list (IFLA_EXT_MASK RTEXT_FILTER_VF). */
int vf_nl_build_get(const char *ifname, struct nl_msg **ret);
/* VF's settings from an RTM_NEWLINK answer; -ENOENT when it lists no such VF. */
int vf_nl_parse_link(struct nlmsghdr *h, unsigned vf, struct hd_vf_net *ret);

/* The canonical sysfs path of the PCI function SPEC names; -ENODEV when it is not a PCI function. */
int sriov_pci_path(struct hd_context *ctx, const char *spec, char **ret_path, struct hd_pci_addr *ret_addr);
/* The first network interface in DEVPATH/net, NULL when none. */
char *sriov_ifname(struct hd_context *ctx, const char *devpath);
