/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The emulator's NPIV: vport_create and vport_delete of an fc_host, as Documentation/scsi/scsi_fc_transport.rst says. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <dirent.h>
#include <fcntl.h>

#include "emu-ext-internal.h"
#include "util/strutil.h"

/* "WWPN:WWNN", 16 hex digits each and no prefix, as store_fc_host_vport_create() takes it. */
static int parse_ids(const char *val, char wwpn[17], char wwnn[17]) {
        if (strlen(val) != 33 || val[16] != ':')
                return -EINVAL;
        for (int i = 0; i < 16; i++) {
                if (!isxdigit((unsigned char)val[i]) || !isxdigit((unsigned char)val[17 + i]))
                        return -EINVAL;
                wwpn[i] = (char)tolower((unsigned char)val[i]);
                wwnn[i] = (char)tolower((unsigned char)val[17 + i]);
        }
        wwpn[16] = wwnn[16] = 0;
        return 0;
}

static long num(struct ext *x, const char *dir, const char *name) {
        _cleanup_free_ char *p = strdupf("%s/%s", dir, name), *v = p ? ext_read(x, p) : NULL;
        return v ? strtol(v, NULL, 10) : 0;
}

static int put(struct ext *x, const char *dir, const char *name, const char *value) {
        _cleanup_free_ char *p = strdupf("%s/%s", dir, name), *v = strdupf("%s\n", value);
        return p && v ? ext_write(x, p, v) : -ENOMEM;
}

static void set_inuse(struct ext *x, const char *fc, int delta) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%ld", num(x, fc, "npiv_vports_inuse") + delta);
        (void)put(x, fc, "npiv_vports_inuse", buf);
}

/* Whether any FC port has port name WWPN. */
static bool wwpn_taken(struct ext *x, const char *wwpn) {
        int fd = openat(x->rfd, "sys/class/fc_host", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        struct dirent *de;
        bool taken = false;

        if (!d) {
                if (fd >= 0)
                        close(fd);
                return false;
        }
        while (!taken && (de = readdir(d))) {
                _cleanup_free_ char *p = strdupf("sys/class/fc_host/%s/port_name", de->d_name), *v = NULL;
                v = p ? ext_read(x, p) : NULL;
                taken = v && strcasecmp(startswith(v, "0x") ? v + 2 : v, wwpn) == 0;
        }
        closedir(d);
        return taken;
}

/* fc_vport_setup(): the vport and its SCSI host, numbered with the lowest free host number. */
int ext_vport_create(struct ext *x, const char *kpath, const char *val) {
        _cleanup_free_ char *kdir = strndup(kpath, strlen(kpath) - strlen("/vport_create")), *fc = NULL, *tmp = NULL,
                            *host = NULL, *vport = NULL, *nh = NULL, *s = NULL, *f = NULL, *v = NULL, *l = NULL,
                            *fabric = NULL, *speed = NULL, *proc = NULL;
        char wwpn[17], wwnn[17], name[64];
        unsigned parent_no, no, m;
        int r;

        if (!kdir || !(fc = ext_canon(x, kdir)))
                return -ENOENT;
        r = parse_ids(val, wwpn, wwnn);
        if (r < 0)
                return r;
        if (sscanf(strrchr(fc, '/') + 1, "host%u", &parent_no) != 1)
                return -ENOENT;
        if (num(x, fc, "npiv_vports_inuse") >= num(x, fc, "max_npiv_vports"))
                return -ENOSPC;
        if (wwpn_taken(x, wwpn))
                return -EEXIST;
        tmp = ext_dirname(fc);       /* .../hostN/fc_host */
        host = tmp ? ext_dirname(tmp) : NULL;
        if (!host)
                return -ENOMEM;
        for (no = 0;; no++) {
                free(l);
                l = strdupf("sys/class/scsi_host/host%u", no);
                if (!l)
                        return -ENOMEM;
                if (!ext_exists(x, l))
                        break;
        }
        for (m = 0;; m++) {
                free(vport);
                vport = strdupf("%s/vport-%u:0-%u", host, parent_no, m);
                if (!vport)
                        return -ENOMEM;
                if (!ext_exists(x, vport))
                        break;
        }
        if (ext_vport_is_lazy) {
                /* Only the vport: its SCSI host would come after a fabric login that never ends. */
                snprintf(name, sizeof(name), "vport-%u:0-%u", parent_no, m);
                v = strdupf("%s/fc_vports/%s", vport, name);
                {
                        _cleanup_free_ char *pwwpn = strdupf("0x%s", wwpn), *pwwnn = strdupf("0x%s", wwnn);
                        if (!v || !pwwpn || !pwwnn || ext_mkdirs(x, v) < 0 || put(x, v, "port_name", pwwpn) < 0 ||
                            put(x, v, "node_name", pwwnn) < 0 || put(x, v, "vport_state", "Initializing") < 0)
                                return -EIO;
                }
                set_inuse(x, fc, +1);
                return 0;
        }
        nh = strdupf("%s/host%u", vport, no);
        s = strdupf("%s/scsi_host/host%u", nh, no);
        f = strdupf("%s/fc_host/host%u", nh, no);
        snprintf(name, sizeof(name), "vport-%u:0-%u", parent_no, m);
        v = strdupf("%s/fc_vports/%s", vport, name);
        if (!nh || !s || !f || !v || ext_mkdirs(x, s) < 0 || ext_mkdirs(x, f) < 0 || ext_mkdirs(x, v) < 0)
                return -ENOMEM;
        {
                _cleanup_free_ char *pp = strdupf("%s/fabric_name", fc), *sp = strdupf("%s/speed", fc),
                                    *pn = strdupf("%s/scsi_host/host%u/proc_name", host, parent_no), *hp = NULL,
                                    *pwwpn = NULL, *pwwnn = NULL, *id = NULL;
                fabric = pp ? ext_read(x, pp) : NULL;
                speed = sp ? ext_read(x, sp) : NULL;
                proc = pn ? ext_read(x, pn) : NULL;
                pwwpn = strdupf("0x%s", wwpn);
                pwwnn = strdupf("0x%s", wwnn);
                id = strdupf("%u", no);
                hp = strdupf("%s/uevent", nh);
                if (!pwwpn || !pwwnn || !id || !hp || ext_write(x, hp, "DEVTYPE=scsi_host\n") < 0 ||
                    put(x, vport, "uevent", "") < 0 || put(x, s, "unique_id", id) < 0 ||
                    put(x, s, "proc_name", proc ? proc : "lpfc") < 0 || put(x, s, "state", "running") < 0 ||
                    put(x, s, "uevent", "") < 0 || put(x, f, "port_name", pwwpn) < 0 ||
                    put(x, f, "node_name", pwwnn) < 0 || put(x, f, "fabric_name", fabric ? fabric : "0x0") < 0 ||
                    put(x, f, "port_state", "Online") < 0 || put(x, f, "port_type", "NPIV VPORT") < 0 ||
                    put(x, f, "speed", speed ? speed : "unknown") < 0 || put(x, f, "uevent", "") < 0 ||
                    put(x, v, "port_name", pwwpn) < 0 || put(x, v, "node_name", pwwnn) < 0 ||
                    put(x, v, "vport_state", "Active") < 0 || put(x, v, "roles", "FCP Initiator") < 0 ||
                    put(x, v, "uevent", "") < 0)
                        return -EIO;
        }
        {
                _cleanup_free_ char *a = strdupf("%s/subsystem", nh), *b = strdupf("%s/subsystem", s),
                                    *c = strdupf("%s/subsystem", f), *d = strdupf("%s/subsystem", v),
                                    *e1 = strdupf("sys/bus/scsi/devices/host%u", no),
                                    *e2 = strdupf("sys/class/scsi_host/host%u", no),
                                    *e3 = strdupf("sys/class/fc_host/host%u", no),
                                    *e4 = strdupf("sys/class/fc_vports/%s", name);
                if (!a || !b || !c || !d || !e1 || !e2 || !e3 || !e4)
                        return -ENOMEM;
                (void)ext_mkdirs(x, "sys/class/fc_vports");
                if (ext_link(x, "sys/bus/scsi", a) < 0 || ext_link(x, "sys/class/scsi_host", b) < 0 ||
                    ext_link(x, "sys/class/fc_host", c) < 0 || ext_link(x, "sys/class/fc_vports", d) < 0 ||
                    ext_link(x, nh, e1) < 0 || ext_link(x, s, e2) < 0 || ext_link(x, f, e3) < 0 ||
                    ext_link(x, v, e4) < 0)
                        return -EIO;
        }
        set_inuse(x, fc, +1);
        return 0;
}

/* store_fc_host_vport_delete(): the vport of this host with both names, else -ENODEV. */
int ext_vport_delete(struct ext *x, const char *kpath, const char *val) {
        _cleanup_free_ char *kdir = strndup(kpath, strlen(kpath) - strlen("/vport_delete")), *fc = NULL, *tmp = NULL,
                            *host = NULL;
        char wwpn[17], wwnn[17];
        DIR *d;
        struct dirent *de;
        int fd, r;

        if (!kdir || !(fc = ext_canon(x, kdir)))
                return -ENOENT;
        r = parse_ids(val, wwpn, wwnn);
        if (r < 0)
                return r;
        tmp = ext_dirname(fc);
        host = tmp ? ext_dirname(tmp) : NULL;
        if (!host || (fd = openat(x->rfd, host, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                return -ENOENT;
        if (!(d = fdopendir(fd))) {
                close(fd);
                return -ENOMEM;
        }
        r = -ENODEV;
        while (r == -ENODEV && (de = readdir(d))) {
                _cleanup_free_ char *vp = NULL, *pn = NULL, *nn = NULL;
                unsigned no;
                if (!startswith(de->d_name, "vport-"))
                        continue;
                vp = strdupf("%s/%s/fc_vports/%s", host, de->d_name, de->d_name);
                {
                        _cleanup_free_ char *a = vp ? strdupf("%s/port_name", vp) : NULL,
                                            *b = vp ? strdupf("%s/node_name", vp) : NULL;
                        pn = a ? ext_read(x, a) : NULL;
                        nn = b ? ext_read(x, b) : NULL;
                }
                if (!pn || !nn || strcasecmp(pn + 2, wwpn) || strcasecmp(nn + 2, wwnn))
                        continue;
                /* Its SCSI host: the hostN folder inside the vport. */
                {
                        _cleanup_free_ char *vdir = strdupf("%s/%s", host, de->d_name);
                        int vfd = vdir ? openat(x->rfd, vdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
                        DIR *vd = vfd >= 0 ? fdopendir(vfd) : NULL;
                        struct dirent *ve;
                        while (vd && (ve = readdir(vd)))
                                if (sscanf(ve->d_name, "host%u", &no) == 1) {
                                        _cleanup_free_ char *e1 = strdupf("sys/bus/scsi/devices/host%u", no),
                                                            *e2 = strdupf("sys/class/scsi_host/host%u", no),
                                                            *e3 = strdupf("sys/class/fc_host/host%u", no);
                                        if (e1)
                                                (void)unlinkat(x->rfd, e1, 0);
                                        if (e2)
                                                (void)unlinkat(x->rfd, e2, 0);
                                        if (e3)
                                                (void)unlinkat(x->rfd, e3, 0);
                                }
                        if (vd)
                                closedir(vd);
                        else if (vfd >= 0)
                                close(vfd);
                        {
                                _cleanup_free_ char *e4 = strdupf("sys/class/fc_vports/%s", de->d_name);
                                if (e4)
                                        (void)unlinkat(x->rfd, e4, 0);
                        }
                        r = vdir ? ext_rmrf(x, vdir) : -ENOMEM;
                }
        }
        closedir(d);
        if (r == 0)
                set_inuse(x, fc, -1);
        return r;
}
