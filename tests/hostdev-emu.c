/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostdev with the kernel emulator behind its writes: `hostdev-emu --sysroot TREE VERB ...` changes TREE as a kernel would. */
#include <string.h>

#include "emu-ext.h"
#include "emu-vfnet.h"
#include "hostdev/hostdev.h"
#include "kill-at-write.h"

/*
 * Linked with -Wl,--wrap=hd_context_set_sysroot: when the command points
 * its context at a tree, the tree gets the emulator (in place, so a
 * prepare's changes are there for the next command) and the emulated VF
 * netlink. For transcripts and the system tests of prepare and release;
 * the real `hostdev` refuses to write in a tree. HOSTDEV_TEST_KILL_AT_WRITE=N
 * kills it at its Nth write (kill-at-write.h).
 */
int __real_hd_context_set_sysroot(struct hd_context *ctx, const char *dir);
int __wrap_hd_context_set_sysroot(struct hd_context *ctx, const char *dir);

int __wrap_hd_context_set_sysroot(struct hd_context *ctx, const char *dir) {
        static struct emu *e;
        static struct emu_vfnet vfnet;
        int r = __real_hd_context_set_sysroot(ctx, dir);

        if (r < 0 || strcmp(dir, "/") == 0)
                return r;
        if (!e && emu_open(dir, &e) < 0)
                return r;
        kill_at_write_install(ctx, emu_ext_write_hook, e);
        emu_vfnet_init(&vfnet, e, emu_ext_write_hook, e);
        hd_manager_set_vf_netlink(ctx, &vfnet.ops);
        return r;
}
