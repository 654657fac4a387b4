/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostdev for crash tests on a real kernel: `HOSTDEV_TEST_KILL_AT_WRITE=N hostdev-crashtest VERB ...` dies at its Nth sysfs write. */
#include "kill-at-write.h"
#include "sysfs/sysfs.h"

/*
 * Linked with -Wl,--wrap=hd_context_new: the command's context gets a hook
 * that writes as the library does (sysfs_write_file) unless this is the
 * write to die at. For the lab's crash sweep (tests/lab/scenarios/90-manager.sh);
 * the installed `hostdev` is built without it.
 */
int __real_hd_context_new(struct hd_context **ret_ctx);
int __wrap_hd_context_new(struct hd_context **ret_ctx);

static int write_through(void *userdata, int root_fd, const char *path, const char *value, size_t len) {
        return sysfs_write_file(root_fd, path, value, len);
}

int __wrap_hd_context_new(struct hd_context **ret_ctx) {
        int r = __real_hd_context_new(ret_ctx);
        if (r >= 0)
                kill_at_write_install(*ret_ctx, write_through, NULL);
        return r;
}
