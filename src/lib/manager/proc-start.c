/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* When a process started, from /proc/PID/stat below the root prefix: what tells a holder from a reused pid. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc-start.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

int proc_start_time(struct hd_context *ctx, int64_t pid, int64_t *ret) {
        _cleanup_free_ char *path = NULL, *stat = NULL;
        const char *p;
        char *end;
        unsigned long long start;
        int r;

        if (pid <= 0)
                return -ESRCH;
        path = strdupf("/proc/%lld/stat", (long long)pid);
        if (!path)
                return -ENOMEM;
        r = sysfs_read(ctx, path, &stat);
        if (r == -ENOENT || r == -ESRCH || r == -ENOTDIR)
                return -ESRCH;
        if (r < 0)
                return r;
        /*
         * proc_pid_stat(5): "pid (comm) state ppid ...", comm may hold any
         * byte, ')' too: the fields start after the last ')'. Field 3 is the
         * state, field 22 starttime.
         */
        p = strrchr(stat, ')');
        if (!p || p[1] != ' ')
                return -EBADMSG;
        p += 2;
        /* A zombie has exited: its devices are closed, only its parent has not reaped it. */
        if (*p == 'Z' || *p == 'X')
                return -ESRCH;
        for (int field = 3; field < 22; field++) {
                p = strchr(p, ' ');
                if (!p)
                        return -EBADMSG;
                p++;
        }
        errno = 0;
        start = strtoull(p, &end, 10);
        if (errno != 0 || end == p || (*end != ' ' && *end != '\n' && *end != '\0'))
                return -EBADMSG;
        *ret = (int64_t)start;
        return 0;
}
