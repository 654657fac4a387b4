/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev record`: read the host as hostdev does, and copy exactly what was read. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "hostdev/inventory.h"
#include "hostdev/record.h"
#include "manager/check-record.h"
#include "sysfs/recorder.h"
#include "sysfs/sysfs.h"
#include "util/rmrf.h"
#include "util/strutil.h"
#include "util/tar.h"

/*
 * Everything the command line reads: the scan, a lookup of every device by
 * name, the IOMMU groups, and what `hostdev check` reads (the manager's
 * part, /proc and modules.alias among it).
 */
static int read_like_hostdev(struct hd_context *ctx) {
        struct hd_inventory *inv = NULL;
        int r = hd_inventory_scan(ctx, HD_SCAN_INACTIVE, &inv);
        if (r < 0)
                return r;
        for (size_t i = 0; i < hd_inventory_size(inv); i++) {
                struct hd_device *d = NULL;
                if (hd_device_lookup(ctx, hd_inventory_at(inv, i)->name, &d) >= 0)
                        hd_device_free(d);
        }
        hd_inventory_free(inv);
        check_read_all(ctx);
        hd_error_clear(ctx);
        return 0;
}

/*
 * DEST as a new folder (or an empty one), opened without following a link:
 * a link there, planted by someone else in a shared folder, would send
 * root's copy anywhere. The copy then makes every folder and file in it
 * itself (recorder_copy).
 */
static int open_dest_dir(struct hd_context *ctx, const char *dest, int *ret_fd, char **ret_path) {
        _cleanup_closedir_ DIR *d = NULL;
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *path = strdup(dest);
        struct dirent *de;
        size_t n;
        bool made;

        if (!path)
                return -ENOMEM;
        /* "DIR/" would follow a link named DIR whatever O_NOFOLLOW says. */
        for (n = strlen(path); n > 1 && path[n - 1] == '/'; n--)
                path[n - 1] = 0;
        if (streq(path_basename(path), ".") || streq(path_basename(path), ".."))
                return hd_error(ctx, -EINVAL, "'%s' names no new folder; give one", dest);
        made = mkdir(path, 0755) == 0;
        if (!made && errno != EEXIST)
                return hd_error(ctx, -errno, "cannot make '%s': %s", dest, strerror(errno));
        fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ELOOP || errno == ENOTDIR)
                        return hd_error(ctx, -EEXIST, "'%s' is a link or not a folder; give a new folder", dest);
                return hd_error(ctx, -errno, "cannot open '%s': %s", dest, strerror(errno));
        }
        if (!made) {
                int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
                if (!d) {
                        if (dup_fd >= 0)
                                close(dup_fd);
                        return hd_error(ctx, -errno, "cannot read '%s': %s", dest, strerror(errno));
                }
                while ((de = readdir(d)))
                        if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                                return hd_error(ctx, -EEXIST, "'%s' exists and is not empty; give a new folder", dest);
        }
        *ret_fd = TAKE_FD(fd);
        *ret_path = TAKE_PTR(path); /* without a trailing '/': removing it on failure never follows a link */
        return 0;
}

int hd_record(struct hd_context *ctx, const char *dest) {
        size_t len = strlen(dest);
        bool tar = len > 4 && streq(dest + len - 4, ".tar");
        char tmpl[] = "/tmp/hostdev-record-XXXXXX";
        _cleanup_free_ char *made = NULL;
        const char *dir = dest;
        struct recorder *rec = NULL;
        _cleanup_close_ int dest_fd = -1, out = -1;
        int r;

        if (tar) {
                /* A new file, never through a link nor over what is there. */
                out = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (out < 0) {
                        if (errno == EEXIST)
                                return hd_error(ctx, -EEXIST, "'%s' exists; give a new file name", dest);
                        return hd_error(ctx, -errno, "cannot make '%s': %s", dest, strerror(errno));
                }
                if (!mkdtemp(tmpl)) {
                        r = -errno;
                        unlink(dest);
                        return hd_error(ctx, r, "cannot make a temporary folder: %s", strerror(-r));
                }
                dir = tmpl;
                dest_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                r = dest_fd < 0 ? -errno : 0;
        } else {
                r = open_dest_dir(ctx, dest, &dest_fd, &made);
                if (r < 0)
                        return r;
                dir = made;
        }
        if (r >= 0)
                r = recorder_new(&rec);
        if (r < 0)
                goto fail;
        recorder_activate(rec, ctx->root_fd);
        r = read_like_hostdev(ctx);
        recorder_deactivate();
        if (r >= 0)
                r = recorder_copy(rec, ctx->root_fd, dest_fd);
        recorder_free(rec);
        if (r < 0)
                goto fail;
        if (tar) {
                r = tar_write_tree(dest_fd, out);
                rm_rf(tmpl);
                if (r < 0) {
                        unlink(dest);
                        return hd_error(ctx, r, "writing '%s': %s", dest, strerror(-r));
                }
        }
        return 0;
fail:
        rm_rf(dir);
        if (tar)
                unlink(dest);
        return hd_error(ctx, r, "recording into '%s': %s", dest, strerror(-r));
}
