/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SCSI bus: hosts (with Fibre Channel and NPIV facts), targets and logical units. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "sysfs/sysfs.h"

#define SCSI_DEVICES "/sys/bus/scsi/devices"
#define FC_HOST_CLASS "/sys/class/fc_host"

/* An FC transport attribute: "0x2000..." is kept as libvirt prints it, without "0x". */
static int fc_attr(struct hd_context *ctx, const char *dir, const char *name, char **ret) {
        _cleanup_free_ char *path = strdupf("%s/%s", dir, name);
        char *v = NULL;
        const char *p;
        int r;

        *ret = NULL;
        if (!path)
                return -ENOMEM;
        r = sysfs_read(ctx, path, &v);
        if (r < 0)
                return r;
        p = startswith(v, "0x") ? v + 2 : v;
        memmove(v, p, strlen(p) + 1);
        *ret = v;
        return 0;
}

static int fc_attr_int(struct hd_context *ctx, const char *dir, const char *name, int *ret) {
        _cleanup_free_ char *v = NULL;
        unsigned u;
        int r = fc_attr(ctx, dir, name, &v);

        if (r < 0)
                return r;
        if (parse_uint(v, 10, &u) < 0 || u > INT32_MAX)
                return -EINVAL;
        *ret = (int)u;
        return 0;
}

/*
 * Documentation/scsi/scsi_fc_transport.rst: an FC HBA has
 * /sys/class/fc_host/hostN with node_name, port_name, fabric_name; one
 * that can make NPIV vports has vport_create, max_npiv_vports and
 * npiv_vports_inuse. As in libvirt, an HBA whose names or vport counts
 * cannot be read is shown as a plain SCSI host rather than half an HBA.
 */
static int probe_fc(struct hd_context *ctx, struct hd_cap_scsi_host *h) {
        _cleanup_free_ char *fc = strdupf(FC_HOST_CLASS "/host%u", h->host);
        _cleanup_free_ char *create_fc = NULL, *create_scsi = NULL;
        _cleanup_close_ int fd = -1;
        int r = 0;

        if (!fc)
                return -ENOMEM;
        if (sysfs_open_dir(ctx, fc, &fd) == 0) {
                h->is_fc_host = true;
                if ((r = fc_attr(ctx, fc, "port_name", &h->wwpn)) < 0 ||
                    (r = fc_attr(ctx, fc, "node_name", &h->wwnn)) < 0)
                        goto fail;
                r = fc_attr(ctx, fc, "fabric_name", &h->fabric_wwn);
                if (r == -ENOMEM)
                        goto fail;
        }
        create_fc = strdupf("%s/vport_create", fc);
        create_scsi = strdupf("/sys/class/scsi_host/host%u/vport_create", h->host);
        if (!create_fc || !create_scsi) {
                r = -ENOMEM;
                goto fail;
        }
        if (sysfs_exists(ctx, create_fc) || sysfs_exists(ctx, create_scsi)) {
                h->has_vport_ops = true;
                if ((r = fc_attr_int(ctx, fc, "max_npiv_vports", &h->max_vports)) < 0 ||
                    (r = fc_attr_int(ctx, fc, "npiv_vports_inuse", &h->vports)) < 0)
                        goto fail;
        }
        return 0;
fail:
        h->is_fc_host = h->has_vport_ops = false;
        h->max_vports = h->vports = 0;
        free(h->wwpn);
        free(h->wwnn);
        free(h->fabric_wwn);
        h->wwpn = h->wwnn = h->fabric_wwn = NULL;
        return r == -ENOMEM ? r : 0;
}

static int probe_host(struct hd_context *ctx, struct hd_device *d) {
        const char *num = startswith(d->sysname, "host");
        _cleanup_free_ char *uid = NULL, *v = NULL;
        struct hd_cap *c;
        unsigned id;
        int r;

        c = hd_device_add_cap(d, HD_CAP_SCSI_HOST);
        if (!c)
                return -ENOMEM;
        if (!num || parse_uint(num, 10, &c->scsi_host.host) < 0)
                return -ENODEV;
        /* Documentation/ABI/testing/sysfs-class-scsi_host lists the class's attributes; unique_id is the driver's. */
        uid = strdupf("/sys/class/scsi_host/host%u/unique_id", c->scsi_host.host);
        if (!uid)
                return -ENOMEM;
        c->scsi_host.unique_id = -1;
        if (sysfs_read(ctx, uid, &v) == 0 && parse_uint(v, 10, &id) == 0 && id <= INT32_MAX)
                c->scsi_host.unique_id = (int)id;
        r = probe_fc(ctx, &c->scsi_host);
        if (r < 0)
                return r;
        return device_set_name(d, NULL);
}

/* A target behind an FC remote port sits in the rport's folder: .../host5/rport-5:0-0/target5:0:0. */
static int probe_target(struct hd_context *ctx, struct hd_device *d) {
        _cleanup_free_ char *dir = path_dirname(d->sysfs_path), *rdir = NULL;
        struct hd_cap *c = hd_device_add_cap(d, HD_CAP_SCSI_TARGET);
        const char *rport;
        _cleanup_close_ int fd = -1;
        int r;

        if (!c || !dir)
                return -ENOMEM;
        c->scsi_target.name = strdup(d->sysname);
        if (!c->scsi_target.name)
                return -ENOMEM;
        rport = path_basename(dir);
        if (startswith(rport, "rport-") && filename_is_safe(rport)) {
                rdir = strdupf("/sys/class/fc_remote_ports/%s", rport);
                if (!rdir)
                        return -ENOMEM;
                if (sysfs_open_dir(ctx, rdir, &fd) == 0) {
                        /* libvirt keeps the rport's port_name as the kernel writes it, "0x" and all. */
                        r = attr_string(fd, "port_name", &c->scsi_target.wwpn);
                        if (r < 0)
                                return r;
                        if (c->scsi_target.wwpn) {
                                c->scsi_target.has_fc_remote_port = true;
                                c->scsi_target.rport = strdup(rport);
                                if (!c->scsi_target.rport)
                                        return -ENOMEM;
                        }
                }
        }
        return device_set_name(d, NULL);
}

/* The peripheral device type (SPC, include/scsi/scsi_proto.h TYPE_*), named as libvirt names it. */
static const char *scsi_type_name(unsigned type) {
        switch (type) {
        case 0x00: return "disk";
        case 0x01: return "tape";
        case 0x03: return "processor";
        case 0x04: return "worm";
        case 0x05: return "cdrom";
        case 0x06: return "scanner";
        case 0x07: return "mod"; /* optical memory; libvirt's spelling */
        case 0x08: return "changer";
        case 0x0c: return "raid";
        case 0x0d: return "enclosure";
        default: return NULL; /* libvirt has no word for printers, comms, RBC ...: no type */
        }
}

static int parse_hbtl(const char *s, unsigned v[4]) {
        int n = 0;
        if (sscanf(s, "%u:%u:%u:%u%n", &v[0], &v[1], &v[2], &v[3], &n) != 4 || s[n] || !isdigit((unsigned char)*s))
                return -EINVAL;
        return 0;
}

static int probe_scsi_device(int dirfd, struct hd_device *d) {
        struct hd_cap *c = hd_device_add_cap(d, HD_CAP_SCSI);
        unsigned v[4], type;
        const char *t;

        if (!c)
                return -ENOMEM;
        if (parse_hbtl(d->sysname, v) < 0)
                return -ENODEV;
        c->scsi.host = v[0];
        c->scsi.bus = v[1];
        c->scsi.target = v[2];
        c->scsi.lun = v[3];
        /* drivers/scsi/scsi_sysfs.c: "type" is the peripheral device type in decimal. */
        if (attr_uint(dirfd, "type", 0, &type) == 0 && (t = scsi_type_name(type)) &&
            !(c->scsi.type = strdup(t)))
                return -ENOMEM;
        return device_set_name(d, NULL);
}

static int probe(struct hd_context *ctx, int dirfd, const struct hd_uevent *ue, struct hd_device *d) {
        if (!d->devtype)
                return -ENODEV;
        if (streq(d->devtype, "scsi_host"))
                return probe_host(ctx, d);
        if (streq(d->devtype, "scsi_target"))
                return probe_target(ctx, d);
        if (streq(d->devtype, "scsi_device"))
                return probe_scsi_device(dirfd, d);
        return -ENODEV;
}

/* "20000000c9831b4b" or "0x20000000c9831b4b": the hex digits, or NULL when it is something else. */
static const char *wwn_digits(const char *s, size_t len, size_t *ret_len) {
        if (len > 2 && (strneq(s, "0x", 2) || strneq(s, "0X", 2))) {
                s += 2;
                len -= 2;
        }
        if (len == 0)
                return NULL;
        for (size_t i = 0; i < len; i++)
                if (!isxdigit((unsigned char)s[i]))
                        return NULL;
        *ret_len = len;
        return s;
}

static bool wwn_equal(const char *attr, const char *want, size_t len) {
        return attr && strlen(attr) == len && strncasecmp(attr, want, len) == 0;
}

/* "WWNN,WWPN" of an FC HBA: the few fc_host entries are read once. */
static int lookup_wwn(struct hd_context *ctx, const char *spec, char **ret_path) {
        const char *comma = strchr(spec, ','), *wwnn, *wwpn;
        _cleanup_closedir_ DIR *dh = NULL;
        size_t nlen, plen;
        struct dirent *de;

        if (!comma || !(wwnn = wwn_digits(spec, (size_t)(comma - spec), &nlen)) ||
            !(wwpn = wwn_digits(comma + 1, strlen(comma + 1), &plen)))
                return -ENODEV;
        if (sysfs_opendir(ctx, FC_HOST_CLASS, &dh) < 0)
                return -ENOENT;
        while ((de = readdir(dh))) {
                _cleanup_free_ char *dir = NULL, *nn = NULL, *pn = NULL;
                unsigned host;

                if (!startswith(de->d_name, "host") || parse_uint(de->d_name + 4, 10, &host) < 0)
                        continue;
                dir = strdupf(FC_HOST_CLASS "/%s", de->d_name);
                if (!dir)
                        return -ENOMEM;
                if (fc_attr(ctx, dir, "node_name", &nn) == -ENOMEM || fc_attr(ctx, dir, "port_name", &pn) == -ENOMEM)
                        return -ENOMEM;
                if (wwn_equal(nn, wwnn, nlen) && wwn_equal(pn, wwpn, plen))
                        return lookup_entry(ctx, SCSI_DEVICES, de->d_name, ret_path);
        }
        return -ENOENT;
}

/* Digits separated by '_', exactly N groups: "0_0_1_1". */
static bool parse_groups(const char *s, unsigned *v, int n) {
        for (int i = 0; i < n; i++) {
                char *end;
                if (!isdigit((unsigned char)*s))
                        return false;
                errno = 0;
                unsigned long x = strtoul(s, &end, 10);
                if (errno || x > UINT32_MAX || (i < n - 1 ? *end != '_' : *end != 0))
                        return false;
                v[i] = (unsigned)x;
                s = end + 1;
        }
        return true;
}

static int lookup(struct hd_context *ctx, const char *spec, char **ret_path) {
        _cleanup_free_ char *sysname = NULL;
        const char *rest;
        unsigned v[4];

        if (strchr(spec, ','))
                return lookup_wwn(ctx, spec, ret_path);
        if (!(rest = startswith(spec, "scsi_")))
                return -ENODEV;
        /* Names are built from the numbers, never from the text given. */
        if (startswith(rest, "host") && parse_groups(rest + 4, v, 1))
                sysname = strdupf("host%u", v[0]);
        else if (startswith(rest, "target") && parse_groups(rest + 6, v, 3))
                sysname = strdupf("target%u:%u:%u", v[0], v[1], v[2]);
        else if (parse_groups(rest, v, 4))
                sysname = strdupf("%u:%u:%u:%u", v[0], v[1], v[2], v[3]);
        else
                return -ENODEV; /* scsi_generic_sg0 and the like */
        if (!sysname)
                return -ENOMEM;
        return lookup_entry(ctx, SCSI_DEVICES, sysname, ret_path);
}

static const char *const scan_dirs[] = { SCSI_DEVICES, NULL };

const struct hd_subsystem hd_subsystem_scsi = {
        .subsystem = "scsi",
        .scan_dirs = scan_dirs,
        .probe = probe,
        .lookup = lookup,
};
