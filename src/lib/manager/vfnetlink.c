/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which netlink the manager sets a VF's MAC and VLAN through: the context's, the host's own, or none. */
#include <string.h>

#include "hostdev/sriov.h"
#include "prepare.h"
#include "util/strutil.h"

void hd_manager_set_vf_netlink(struct hd_context *ctx, const struct hd_vf_netlink_ops *ops) {
        ctx->vf_netlink = ops;
}

int manager_vf_netlink(struct hd_context *ctx, const struct hd_vf_netlink_ops **ret) {
        const char *root = hd_context_get_sysroot(ctx);
        if (ctx->vf_netlink) {
                *ret = ctx->vf_netlink;
                return 0;
        }
        /* A recorded tree has no kernel behind it: netlink would reach the real host's interfaces. */
        if (root && !streq(root, "/"))
                return hd_error(ctx, -EOPNOTSUPP,
                                "a VF's MAC and VLAN are set over netlink, which a recorded tree (--sysroot %s) does "
                                "not have",
                                root);
        *ret = hd_vf_netlink_real();
        return 0;
}

void hd_strv_free(char **v) {
        strv_free(v);
}
