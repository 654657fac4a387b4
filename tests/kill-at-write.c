/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* HOSTDEV_TEST_KILL_AT_WRITE=N for the test builds of hostdev: SIGKILL at the Nth sysfs write, as a crash would. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "kill-at-write.h"

/* One process, one count: the state of this test hook is the process's, as a crash is. */
static struct {
        unsigned at, seen;
        hd_write_hook_t next;
        void *next_data;
} k;

static int kill_hook(void *userdata, int root_fd, const char *path, const char *value, size_t len) {
        if (k.at && ++k.seen == k.at)
                (void)kill(getpid(), SIGKILL);
        return k.next(k.next_data, root_fd, path, value, len);
}

void kill_at_write_install(struct hd_context *ctx, hd_write_hook_t next, void *next_data) {
        const char *e = secure_getenv("HOSTDEV_TEST_KILL_AT_WRITE");

        k.at = e && *e ? (unsigned)strtoul(e, NULL, 10) : 0;
        k.next = next;
        k.next_data = next_data;
        hd_context_set_write_hook(ctx, kill_hook, NULL);
}
