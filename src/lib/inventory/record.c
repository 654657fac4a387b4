/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev record`: read the host as hostdev does, and copy exactly what was read. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "hostdev/inventory.h"
#include "hostdev/record.h"
#include "sysfs/recorder.h"
#include "util/rmrf.h"
#include "util/strutil.h"
#include "util/tar.h"

/* Everything the command line reads: the scan, a lookup of every device by name, the IOMMU groups. */
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
        hd_error_clear(ctx);
        return 0;
}

static int make_empty_dir(struct hd_context *ctx, const char *dest) {
        if (mkdir(dest, 0755) == 0)
                return 0;
        if (errno == EEXIST) {
                _cleanup_closedir_ DIR *d = opendir(dest);
                struct dirent *de;
                while (d && (de = readdir(d)))
                        if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                                return hd_error(ctx, -EEXIST, "'%s' exists and is not empty; give a new folder", dest);
                if (d)
                        return 0;
        }
        return hd_error(ctx, -errno, "cannot make '%s': %s", dest, strerror(errno));
}

int hd_record(struct hd_context *ctx, const char *dest) {
        size_t len = strlen(dest);
        bool tar = len > 4 && streq(dest + len - 4, ".tar");
        char tmpl[] = "/tmp/hostdev-record-XXXXXX";
        const char *dir = dest;
        struct recorder *rec = NULL;
        _cleanup_close_ int dest_fd = -1;
        int r;

        if (tar) {
                if (!mkdtemp(tmpl))
                        return hd_error(ctx, -errno, "cannot make a temporary folder: %s", strerror(errno));
                dir = tmpl;
        } else {
                r = make_empty_dir(ctx, dest);
                if (r < 0)
                        return r;
        }
        dest_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        r = dest_fd < 0 ? -errno : recorder_new(&rec);
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
                _cleanup_close_ int out = open(dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                r = out < 0 ? -errno : tar_write_tree(dest_fd, out);
                rm_rf(tmpl);
                if (r < 0) {
                        unlink(dest);
                        return hd_error(ctx, r, "writing '%s': %s", dest, strerror(-r));
                }
        }
        return 0;
fail:
        rm_rf(dir);
        return hd_error(ctx, r, "recording into '%s': %s", dest, strerror(-r));
}
