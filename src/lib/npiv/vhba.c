/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vHBAs: vport_create on the right HBA, waiting for the new SCSI host, and vport_delete on the HBA a vHBA came from. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "context-internal.h"
#include "hostdev/format.h"
#include "hostdev/inventory.h"
#include "hostdev/npiv.h"
#include "manager/guard.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

#define FC_HOST "/sys/class/fc_host"
#define DEFAULT_TIMEOUT_MS 60000
#define POLL_MS 100

void hd_vhba_clear(struct hd_vhba *v) {
        if (!v)
                return;
        free(v->name);
        free(v->parent);
        *v = (struct hd_vhba){ .name = NULL };
}

/* An fc_host attribute of hostN (Documentation/scsi/scsi_fc_transport.rst): "0x2000..." as a WWN. */
static int fc_wwn(struct hd_context *ctx, unsigned host, const char *attr, char ret[static 17]) {
        _cleanup_free_ char *p = strdupf(FC_HOST "/host%u/%s", host, attr), *v = NULL;
        int r;

        if (!p)
                return -ENOMEM;
        r = sysfs_read(ctx, p, &v);
        if (r < 0)
                return r;
        return hd_wwn_normalize(v, ret);
}

static int fc_int(struct hd_context *ctx, unsigned host, const char *attr, int *ret) {
        _cleanup_free_ char *p = strdupf(FC_HOST "/host%u", host);
        _cleanup_close_ int fd = -1;
        int r;

        if (!p)
                return -ENOMEM;
        r = sysfs_open_dir(ctx, p, &fd);
        return r < 0 ? r : sysfs_read_int_at(fd, attr, ret);
}

static bool fc_has(struct hd_context *ctx, unsigned host, const char *attr) {
        _cleanup_free_ char *p = strdupf("sys/class/fc_host/host%u/%s", host, attr);
        return p && sysfs_exists(ctx, p);
}

/* The FC hosts there are, by number. */
static int fc_hosts(struct hd_context *ctx, unsigned **ret, size_t *ret_n) {
        _cleanup_closedir_ DIR *d = NULL;
        unsigned *list = NULL;
        size_t n = 0;
        struct dirent *de;

        if (sysfs_opendir(ctx, FC_HOST, &d) >= 0)
                while ((de = readdir(d))) {
                        unsigned h, *nl;
                        int end = 0;
                        if (sscanf(de->d_name, "host%u%n", &h, &end) != 1 || de->d_name[end])
                                continue;
                        nl = realloc(list, (n + 1) * sizeof(*nl));
                        if (!nl) {
                                free(list);
                                return -ENOMEM;
                        }
                        list = nl;
                        list[n++] = h;
                }
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && list[j - 1] > list[j]; j--) {
                        unsigned t = list[j];
                        list[j] = list[j - 1];
                        list[j - 1] = t;
                }
        *ret = list;
        *ret_n = n;
        return 0;
}

/* The FC host whose port and node names are these; -ENOENT when none. */
static int host_by_wwns(struct hd_context *ctx, const char *wwnn, const char *wwpn, unsigned *ret) {
        _cleanup_free_ unsigned *hosts = NULL;
        size_t n = 0;
        int r = fc_hosts(ctx, &hosts, &n);

        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                char nn[17], pn[17];
                if (fc_wwn(ctx, hosts[i], "node_name", nn) >= 0 && fc_wwn(ctx, hosts[i], "port_name", pn) >= 0 &&
                    streq(nn, wwnn) && streq(pn, wwpn)) {
                        *ret = hosts[i];
                        return 0;
                }
        }
        return -ENOENT;
}

/* Whether HOST can make one more vport now. */
static bool vport_free(struct hd_context *ctx, unsigned host) {
        int max = 0, used = 0;
        return fc_has(ctx, host, "vport_create") && fc_int(ctx, host, "max_npiv_vports", &max) >= 0 &&
               fc_int(ctx, host, "npiv_vports_inuse", &used) >= 0 && used < max;
}

/* "scsi_host5", "host5", or any name a lookup takes that is a SCSI host ("WWNN,WWPN" of an FC port). */
static int host_by_name(struct hd_context *ctx, const char *spec, unsigned *ret) {
        const char *s = startswith(spec, "scsi_host") ?: startswith(spec, "host");
        struct hd_device *d = NULL;
        struct hd_cap *c;
        unsigned h;
        int end = 0;

        if (s && sscanf(s, "%u%n", &h, &end) == 1 && !s[end]) {
                _cleanup_free_ char *p = strdupf("sys/class/scsi_host/host%u", h);
                if (!p)
                        return -ENOMEM;
                if (!sysfs_exists(ctx, p))
                        return hd_error(ctx, -ENODEV, "no SCSI host %s; see 'hostdev list --cap scsi_host'", spec);
                *ret = h;
                return 0;
        }
        if (hd_device_lookup(ctx, spec, &d) < 0 || !(c = hd_device_get_cap(d, HD_CAP_SCSI_HOST))) {
                hd_device_free(d);
                return hd_error(ctx, -ENODEV, "no SCSI host '%s'; see 'hostdev list --cap fc_host'", spec);
        }
        *ret = c->scsi_host.host;
        hd_device_free(d);
        hd_error_clear(ctx);
        return 0;
}

static int find_parent(struct hd_context *ctx, const struct hd_vhba_spec *s, unsigned *ret) {
        _cleanup_free_ unsigned *hosts = NULL;
        char nn[17], pn[17], fab[17];
        size_t n = 0;
        int r;

        if (s->parent)
                return host_by_name(ctx, s->parent, ret);
        if (s->parent_wwnn || s->parent_wwpn) {
                if (hd_wwn_normalize(s->parent_wwnn, nn) < 0 || hd_wwn_normalize(s->parent_wwpn, pn) < 0)
                        return hd_error(ctx, -EINVAL, "the parent's wwnn and wwpn must both be WWNs (16 hex digits)");
                r = host_by_wwns(ctx, nn, pn, ret);
                return r == -ENOENT ? hd_error(ctx, -ENODEV, "no FC HBA has wwnn %s and wwpn %s", nn, pn) : r;
        }
        if (s->parent_fabric_wwn && hd_wwn_normalize(s->parent_fabric_wwn, fab) < 0)
                return hd_error(ctx, -EINVAL, "'%s' is not a fabric WWN (16 hex digits)", s->parent_fabric_wwn);
        r = fc_hosts(ctx, &hosts, &n);
        if (r < 0)
                return r;
        /* As libvirt: on that fabric (or any), online, with a vport free. */
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *sp = strdupf(FC_HOST "/host%u/port_state", hosts[i]), *state = NULL;
                char f[17];
                if (s->parent_fabric_wwn && (fc_wwn(ctx, hosts[i], "fabric_name", f) < 0 || !streq(f, fab)))
                        continue;
                if (!sp || sysfs_read(ctx, sp, &state) < 0 || !streq(state, "Online") || !vport_free(ctx, hosts[i]))
                        continue;
                *ret = hosts[i];
                return 0;
        }
        if (s->parent_fabric_wwn)
                return hd_error(ctx, -ENODEV, "no online FC HBA on fabric %s has a vport free", fab);
        return hd_error(ctx, -ENODEV, "no online FC HBA with NPIV and a vport free; name the parent with --parent");
}

static unsigned now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (unsigned)(ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void sleep_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static int write_vport(struct hd_context *ctx, unsigned parent, const char *op, const char *wwpn, const char *wwnn) {
        _cleanup_free_ char *p = strdupf(FC_HOST "/host%u/%s", parent, op), *v = strdupf("%s:%s", wwpn, wwnn);
        /* store_fc_host_vport_create(): "WWPN:WWNN", 16 hex digits each, no prefix. */
        return p && v ? sysfs_write(ctx, p, v) : -ENOMEM;
}

int hd_vhba_create(struct hd_context *ctx, const struct hd_vhba_spec *spec, unsigned timeout_ms, struct hd_vhba *ret) {
        _cleanup_store_guard_ struct store_guard g = STORE_GUARD_INIT;
        struct hd_vhba v = { 0 };
        unsigned parent, host, start;
        int max = 0, used = 0, r;

        hd_error_clear(ctx);
        if (timeout_ms == 0)
                timeout_ms = DEFAULT_TIMEOUT_MS;
        if (!spec->wwnn != !spec->wwpn)
                return hd_error(ctx, -EINVAL, "give the new port's wwnn and wwpn together, or neither to have them made up");
        if (spec->wwnn && hd_wwn_normalize(spec->wwnn, v.wwnn) < 0)
                return hd_error(ctx, -EINVAL, "'%s' is not a WWN: 16 hex digits, optionally after 0x", spec->wwnn);
        if (spec->wwpn && hd_wwn_normalize(spec->wwpn, v.wwpn) < 0)
                return hd_error(ctx, -EINVAL, "'%s' is not a WWN: 16 hex digits, optionally after 0x", spec->wwpn);
        r = find_parent(ctx, spec, &parent);
        if (r < 0)
                return r;
        {
                _cleanup_free_ char *p = strdupf("sys/class/fc_host/host%u", parent);
                if (!p)
                        return -ENOMEM;
                if (!sysfs_exists(ctx, p))
                        return hd_error(ctx, -EOPNOTSUPP, "scsi_host%u is not a Fibre Channel HBA", parent);
        }
        if (!fc_has(ctx, parent, "vport_create"))
                return hd_error(ctx, -EOPNOTSUPP, "scsi_host%u does not support NPIV (its driver offers no vport_create)", parent);
        if (fc_int(ctx, parent, "max_npiv_vports", &max) >= 0 && fc_int(ctx, parent, "npiv_vports_inuse", &used) >= 0 &&
            used >= max)
                return hd_error(ctx, -ENOSPC, "all %d vports of scsi_host%u are in use; destroy a vHBA first", max, parent);
        if (!spec->wwnn && ((r = hd_wwn_generate(v.wwnn)) < 0 || (r = hd_wwn_generate(v.wwpn)) < 0))
                return r;
        {
                _cleanup_free_ unsigned *hosts = NULL;
                size_t n = 0;
                r = fc_hosts(ctx, &hosts, &n);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n; i++) {
                        char pn[17];
                        if (fc_wwn(ctx, hosts[i], "port_name", pn) >= 0 && streq(pn, v.wwpn))
                                return hd_error(ctx, -EEXIST, "WWPN %s is taken by scsi_host%u", v.wwpn, hosts[i]);
                }
        }
        r = store_guard_begin(ctx, &g);
        if (r < 0)
                return r;
        r = write_vport(ctx, parent, "vport_create", v.wwpn, v.wwnn);
        if (r < 0)
                return sysfs_write_refused(ctx) ? r
                                                : hd_error(ctx, r, "scsi_host%u refused the vport %s:%s: %s", parent,
                                                           v.wwpn, v.wwnn, strerror(-r));
        /* The LLDD logs the port in before the SCSI host appears: wait for it, bounded. */
        start = now_ms();
        while ((r = host_by_wwns(ctx, v.wwnn, v.wwpn, &host)) == -ENOENT && now_ms() - start < timeout_ms)
                sleep_ms(POLL_MS);
        if (r < 0) {
                int rr = write_vport(ctx, parent, "vport_delete", v.wwpn, v.wwnn);
                return hd_error(ctx, r == -ENOENT ? -ETIMEDOUT : r,
                                "no SCSI host with wwpn %s appeared on scsi_host%u within %.1f s; %s", v.wwpn, parent,
                                timeout_ms / 1000.0, rr < 0 ? "deleting the vport failed too" : "the vport was deleted again");
        }
        v.name = strdupf("scsi_host%u", host);
        v.parent = strdupf("scsi_host%u", parent);
        if (!v.name || !v.parent) {
                hd_vhba_clear(&v);
                return -ENOMEM;
        }
        *ret = v;
        return 0;
}

int hd_vhba_create_xml(struct hd_context *ctx, const char *xml, size_t len, unsigned timeout_ms, struct hd_vhba *ret) {
        struct hd_device *d = NULL;
        struct hd_cap *c;
        struct hd_vhba_spec s = { 0 };
        int r;

        r = hd_device_from_xml(ctx, xml, len, &d);
        if (r < 0)
                return r;
        c = hd_device_get_cap(d, HD_CAP_SCSI_HOST);
        if (!c || !c->scsi_host.is_fc_host) {
                hd_device_free(d);
                return hd_error(ctx, -EOPNOTSUPP,
                                "a vHBA is described by <capability type='scsi_host'> holding <capability type='fc_host'>");
        }
        s.parent = d->parent_name;
        s.parent_wwnn = d->parent_wwnn;
        s.parent_wwpn = d->parent_wwpn;
        s.parent_fabric_wwn = d->parent_fabric_wwn;
        s.wwnn = c->scsi_host.wwnn;
        s.wwpn = c->scsi_host.wwpn;
        r = hd_vhba_create(ctx, &s, timeout_ms, ret);
        hd_device_free(d);
        return r;
}

int hd_vhba_destroy(struct hd_context *ctx, const char *spec, unsigned timeout_ms) {
        _cleanup_store_guard_ struct store_guard g = STORE_GUARD_INIT;
        _cleanup_free_ char *path = NULL, *up = NULL;
        char wwnn[17], wwpn[17];
        unsigned host, parent, start;
        const char *vport;
        int r;

        hd_error_clear(ctx);
        if (timeout_ms == 0)
                timeout_ms = DEFAULT_TIMEOUT_MS;
        r = host_by_name(ctx, spec, &host);
        if (r < 0)
                return r;
        if (fc_wwn(ctx, host, "node_name", wwnn) < 0 || fc_wwn(ctx, host, "port_name", wwpn) < 0)
                return hd_error(ctx, -EINVAL, "scsi_host%u is not a Fibre Channel port; only vHBAs can be destroyed", host);
        /* A vHBA's SCSI host sits in the vport's folder, which sits in its HBA's: .../hostP/vport-P:0-M/hostN. */
        {
                _cleanup_free_ char *name = strdupf("host%u", host);
                if (!name)
                        return -ENOMEM;
                r = sysfs_resolve_link(ctx, "/sys/bus/scsi/devices", name, &path);
                if (r < 0)
                        return hd_error(ctx, r, "cannot find scsi_host%u in /sys/bus/scsi/devices", host);
        }
        up = path_dirname(path);
        if (!up)
                return -ENOMEM;
        vport = path_basename(up);
        if (!startswith(vport, "vport-") || sscanf(vport, "vport-%u:", &parent) != 1)
                return hd_error(ctx, -EINVAL, "scsi_host%u is a physical HBA port, not a vHBA; there is nothing to destroy", host);
        /* Its LUNs go with it: never one a guest holds. */
        r = store_guard_begin(ctx, &g);
        if (r >= 0) {
                _cleanup_free_ char *prefix = strdupf("%u:", host), *name = NULL;
                struct hd_active *rec = NULL;
                r = prefix ? store_guard_find_prefix(&g, STORE_SCSI, prefix, &rec) : -ENOMEM;
                if (r >= 0) {
                        name = strdupf("scsi_host%u (its SCSI LUN %s)", host, rec->key);
                        if (name)
                                return store_guard_refuse(ctx, rec, name);
                        hd_active_free(rec);
                        return -ENOMEM;
                }
                if (r == -ENOENT)
                        r = 0;
        }
        if (r < 0)
                return r;
        r = write_vport(ctx, parent, "vport_delete", wwpn, wwnn);
        if (r < 0)
                return sysfs_write_refused(ctx) ? r
                                                : hd_error(ctx, r, "scsi_host%u refused to delete vport %s:%s: %s", parent,
                                                           wwpn, wwnn, strerror(-r));
        start = now_ms();
        for (;;) {
                _cleanup_free_ char *p = strdupf("sys/class/fc_host/host%u", host);
                if (!p)
                        return -ENOMEM;
                if (!sysfs_exists(ctx, p))
                        return 0;
                if (now_ms() - start >= timeout_ms)
                        return hd_error(ctx, -ETIMEDOUT, "scsi_host%u is still there %.1f s after vport_delete", host,
                                        timeout_ms / 1000.0);
                sleep_ms(POLL_MS);
        }
}
