/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Remove a folder we made ourselves, with everything in it (never follows links). */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>

#include "macro.h"
#include "rmrf.h"

static int rm_children(int dirfd) {
        _cleanup_closedir_ DIR *d = fdopendir(dirfd);
        struct dirent *de;
        if (!d) {
                close(dirfd);
                return -errno;
        }
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (de->d_type == DT_DIR) {
                        int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub >= 0)
                                rm_children(sub);
                        unlinkat(dirfd, de->d_name, AT_REMOVEDIR);
                } else
                        unlinkat(dirfd, de->d_name, 0);
        }
        return 0;
}

int rm_rf(const char *path) {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        rm_children(fd);
        return rmdir(path) < 0 ? -errno : 0;
}
