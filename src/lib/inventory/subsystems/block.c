/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Whole disks: the storage capability, named block_<disk>[_<serial>]; partitions and unknown kinds are left out. */
#include <string.h>

#include "common.h"
#include "sysfs/sysfs.h"

#define BLOCK_CLASS "/sys/class/block"

/*
 * What udev's scsi_id would have put in ID_TYPE, from the SCSI peripheral
 * type, for a disk on a host where udev keeps no database entry (no
 * udevd, a recorded tree without /run/udev). libvirt itself would skip
 * such a disk; we list it as it would be listed where udev runs.
 */
static const char *scsi_id_type(int devfd) {
        unsigned t;

        if (attr_uint(devfd, "type", 0, &t) < 0)
                return NULL;
        switch (t) {
        case 0x00: case 0x0e: return "disk";
        case 0x01: return "tape";
        case 0x04: case 0x07: case 0x0f: return "optical";
        case 0x05: return "cd";
        default: return "generic";
        }
}

/*
 * libvirt's guesses for disks udev gives no type: virtio, DASD and NVMe
 * by their node's name. Anything else (loop, zram, md, dm without udev
 * data) is not listed, by libvirt nor by us.
 */
static const char *guess_type(const char *block) {
        if (startswith(block, "/dev/vd") || startswith(block, "/dev/nvme"))
                return "disk";
        if (startswith(block, "/dev/dasd"))
                return "dasd";
        return NULL;
}

/* Documentation/ABI/stable/sysfs-block: size (in 512-byte sectors) and queue/logical_block_size. */
static void read_blocks(int dirfd, struct hd_cap_storage *s) {
        uint64_t v;

        if (sysfs_read_u64_at(dirfd, "size", 10, &v) == 0)
                s->num_blocks = v;
        if (sysfs_read_u64_at(dirfd, "queue/logical_block_size", 10, &v) == 0)
                s->logical_block_size = v;
}

/*
 * libvirt multiplies the sector count by the logical block size, which
 * overstates a 4Kn disk eightfold; we keep its numbers so the XML agrees.
 * Without a logical block size (no queue/ folder in a recording) libvirt
 * says 0 bytes; the count is in 512-byte sectors whatever the disk's
 * blocks are, so that is the unit then.
 */
static uint64_t bytes_of(const struct hd_cap_storage *s) {
        return s->num_blocks * (s->logical_block_size ? s->logical_block_size : 512);
}

static void process_disk(int dirfd, struct hd_cap_storage *s) {
        read_blocks(dirfd, s);
        s->size = bytes_of(s);
}

static int process_removable(int dirfd, const struct hd_uevent *ue, struct hd_cap_storage *s,
                             bool has_media) {
        unsigned removable;
        const char *label;

        /* Documentation/ABI/stable/sysfs-block: removable. */
        if (attr_uint(dirfd, "removable", 0, &removable) == 0 && removable == 1)
                s->removable = true;
        if (!has_media)
                return 0;
        s->media_available = true;
        if ((label = udev_prop_get(ue, "ID_FS_LABEL")) && !(s->media_label = strdup(label)))
                return -ENOMEM;
        read_blocks(dirfd, s);
        s->media_size = bytes_of(s);
        return 0;
}

static int set_str(char **field, const char *v) {
        free(*field);
        *field = strdup_or_null(v);
        return !v || *field ? 0 : -ENOMEM;
}

/*
 * The disk's parent (a SCSI device, a virtio or NVMe controller), -1 when
 * it has none. Its `device` link leads up out of the disk's folder, so it
 * is opened by its path from the root.
 */
static int open_parent_device(struct hd_context *ctx, const struct hd_device *d, int *ret_fd) {
        _cleanup_free_ char *path = strdupf("%s/device", d->sysfs_path);
        if (!path)
                return -ENOMEM;
        if (sysfs_open_dir(ctx, path, ret_fd) < 0)
                *ret_fd = -1;
        return 0;
}

static int probe(struct hd_context *ctx, int dirfd, const struct hd_uevent *ue, struct hd_device *d) {
        const char *devname = uevent_get(ue, "DEVNAME"), *type;
        _cleanup_close_ int devfd = -1;
        struct hd_cap_storage *s;
        struct hd_cap *c;
        int r;

        /* Partitions (DEVTYPE=partition) are not node devices; a disk without a node is hidden. */
        if (!d->devtype || !streq(d->devtype, "disk") || !devname)
                return -ENODEV;
        r = open_parent_device(ctx, d, &devfd);
        if (r < 0)
                return r;
        c = hd_device_add_cap(d, HD_CAP_STORAGE);
        if (!c)
                return -ENOMEM;
        s = &c->storage;
        s->block = strdupf("/dev/%s", devname);
        if (!s->block)
                return -ENOMEM;
        /* The bus and serial are udev's findings (ata_id, scsi_id, usb_id); sysfs has no such words. */
        if (set_str(&s->bus, udev_prop_get(ue, "ID_BUS")) < 0 ||
            set_str(&s->serial, udev_prop_get(ue, "ID_SERIAL")) < 0)
                return -ENOMEM;
        /* The parent's vendor and model: SCSI pads them with spaces ("QEMU    "). */
        if ((r = attr_string_trimmed(devfd, "vendor", &s->vendor)) < 0 ||
            (r = attr_string_trimmed(devfd, "model", &s->model)) < 0)
                return r;

        type = udev_prop_get(ue, "ID_TYPE");
        if (!ue->props)
                type = scsi_id_type(devfd);
        if (!type || streq(type, "generic")) {
                if (udev_prop_get(ue, "ID_DRIVE_FLOPPY"))
                        type = "floppy";
                else if (udev_prop_get(ue, "ID_CDROM"))
                        type = "cd";
                else if (udev_prop_get(ue, "ID_DRIVE_FLASH_SD"))
                        type = "sd";
                else if (!(type = guess_type(s->block)))
                        return -ENODEV;
        }

        if (streq(type, "cd") || streq(type, "cd/dvd")) {
                unsigned media = 0;
                const char *m = udev_prop_get(ue, "ID_CDROM_MEDIA");
                /* "cdrom", not udev's "cd": the word libvirt has always printed. */
                if (set_str(&s->drive_type, "cdrom") < 0)
                        return -ENOMEM;
                if (m && parse_uint(m, 0, &media) < 0)
                        media = 0;
                r = process_removable(dirfd, ue, s, media != 0);
        } else if (streq(type, "floppy")) {
                if (set_str(&s->drive_type, type) < 0)
                        return -ENOMEM;
                /* A legacy floppy says nothing of its media but its file system's label. */
                r = process_removable(dirfd, ue, s, udev_prop_get(ue, "ID_FS_LABEL") != NULL);
        } else if (streq(type, "disk") || streq(type, "sd") || streq(type, "dasd")) {
                if (set_str(&s->drive_type, type) < 0)
                        return -ENOMEM;
                /* A DASD's only identity is the uid of its CCW device. */
                if (streq(type, "dasd")) {
                        free(s->serial);
                        if ((r = attr_string(devfd, "uid", &s->serial)) < 0)
                                return r;
                }
                process_disk(dirfd, s);
                r = 0;
        } else
                return -ENODEV; /* tape, optical, ...: libvirt lists no storage for them */
        if (r < 0)
                return r;
        return device_set_name(d, s->serial);
}

static int lookup(struct hd_context *ctx, const char *spec, char **ret_path) {
        return lookup_by_name(ctx, spec, "block_", BLOCK_CLASS, ret_path);
}

static const char *const scan_dirs[] = { BLOCK_CLASS, NULL };

const struct hd_subsystem hd_subsystem_block = {
        .subsystem = "block",
        .scan_dirs = scan_dirs,
        .probe = probe,
        .lookup = lookup,
};
