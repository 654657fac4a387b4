/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The openat2() system call, which glibc 2.36 does not wrap; apart so tests can replace it. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "confine.h"

int confine_openat2(int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve) {
#ifdef SYS_openat2
        /* The kernel refuses a mode without O_CREAT or O_TMPFILE (EINVAL). */
        bool creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
        struct open_how how = {
                .flags = (uint64_t)(unsigned)flags,
                .mode = creates ? mode : 0,
                .resolve = resolve,
        };
        long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
        return fd < 0 ? -errno : (int)fd;
#else
        return -ENOSYS;
#endif
}
