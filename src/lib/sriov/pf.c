/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A physical function's VFs: what there are, and changing their number through sriov_numvfs. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hostdev/inventory.h"
#include "hostdev/manager.h"
#include "inventory/pci-rules.h"
#include "manager/guard.h"
#include "sriov-internal.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

#define DEFAULT_TIMEOUT_MS 30000
#define POLL_MS 100

int sriov_pci_path(struct hd_context *ctx, const char *spec, char **ret_path, struct hd_pci_addr *ret_addr) {
        struct hd_device *d = NULL;
        struct hd_cap *c;
        int r;

        r = hd_device_lookup(ctx, spec, &d);
        if (r < 0)
                return r == -ENOMEM ? r : hd_error(ctx, -ENODEV, "no PCI device '%s'; see 'hostdev list --cap pci'", spec);
        if (!hd_device_get_cap(d, HD_CAP_PCI) && hd_device_main_cap(d) == HD_CAP_NET && d->parent_name) {
                /* a network interface stands for the PCI function it is on: its parent in the device tree */
                _cleanup_free_ char *parent = strdup(d->parent_name);
                hd_device_free(d);
                d = NULL;
                if (!parent)
                        return -ENOMEM;
                r = hd_device_lookup(ctx, parent, &d);
                if (r < 0)
                        return r == -ENOMEM ? r : hd_error(ctx, -ENODEV, "the interface %s is on no PCI function", spec);
        }
        c = hd_device_get_cap(d, HD_CAP_PCI);
        if (!c) {
                r = hd_error(ctx, -ENODEV, "%s is not a PCI device", d->name);
                hd_device_free(d);
                return r;
        }
        if (ret_addr)
                *ret_addr = c->pci.addr;
        *ret_path = strdup(d->sysfs_path);
        hd_device_free(d);
        return *ret_path ? 0 : -ENOMEM;
}

char *sriov_ifname(struct hd_context *ctx, const char *devpath) {
        _cleanup_free_ char *net = strdupf("%s/net", devpath);
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;

        if (!net || sysfs_opendir(ctx, net, &d) < 0)
                return NULL;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        return strdup(de->d_name);
        return NULL;
}

static int parse_addr(const char *s, struct hd_pci_addr *a) {
        return hd_pci_addr_parse(s, a);
}

/* The VFs present: every virtfnN link that leads to a folder (Documentation/ABI/testing/sysfs-bus-pci). */
static int read_vfs(struct hd_context *ctx, const char *pfpath, struct hd_sriov_pf *pf) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int r = sysfs_opendir(ctx, pfpath, &d);

        if (r < 0)
                return r;
        while ((de = readdir(d))) {
                _cleanup_free_ char *vfpath = NULL;
                struct hd_sriov_vf vf = { 0 }, *nv;
                _cleanup_close_ int fd = -1;
                unsigned idx;
                int n = 0;

                if (sscanf(de->d_name, "virtfn%u%n", &idx, &n) != 1 || de->d_name[n])
                        continue;
                if (sysfs_resolve_link(ctx, pfpath, de->d_name, &vfpath) < 0 || sysfs_open_dir(ctx, vfpath, &fd) < 0 ||
                    parse_addr(path_basename(vfpath), &vf.addr) < 0)
                        continue; /* a VF on its way out */
                vf.index = idx;
                r = sysfs_link_name_at(fd, "driver", &vf.driver);
                if (r == -ENOMEM)
                        return r;
                vf.ifname = sriov_ifname(ctx, vfpath);
                nv = realloc(pf->vfs, (pf->n_vfs + 1) * sizeof(*nv));
                if (!nv) {
                        free(vf.driver);
                        free(vf.ifname);
                        return -ENOMEM;
                }
                pf->vfs = nv;
                pf->vfs[pf->n_vfs++] = vf;
        }
        /* By index: virtfn10 after virtfn9. */
        for (size_t i = 1; i < pf->n_vfs; i++)
                for (size_t j = i; j > 0 && pf->vfs[j - 1].index > pf->vfs[j].index; j--) {
                        struct hd_sriov_vf t = pf->vfs[j];
                        pf->vfs[j] = pf->vfs[j - 1];
                        pf->vfs[j - 1] = t;
                }
        return 0;
}

void hd_sriov_pf_free(struct hd_sriov_pf *pf) {
        if (!pf)
                return;
        for (size_t i = 0; i < pf->n_vfs; i++) {
                free(pf->vfs[i].driver);
                free(pf->vfs[i].ifname);
        }
        free(pf->vfs);
        free(pf->driver);
        free(pf->ifname);
        free(pf);
}

static int get_at(struct hd_context *ctx, const char *spec, char **ret_path, struct hd_sriov_pf **ret) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        struct hd_sriov_pf *pf = calloc(1, sizeof(*pf));
        uint64_t v;
        int r;

        if (!pf)
                return -ENOMEM;
        r = sriov_pci_path(ctx, spec, &path, &pf->addr);
        if (r >= 0)
                r = sysfs_open_dir(ctx, path, &fd);
        if (r < 0)
                goto fail;
        /* Documentation/ABI/testing/sysfs-bus-pci: sriov_totalvfs, sriov_numvfs, sriov_drivers_autoprobe. */
        r = sysfs_read_u64_at(fd, "sriov_totalvfs", 10, &v);
        if (r < 0) {
                char a[20];
                r = r == -ENOMEM ? r
                                 : hd_error(ctx, -EOPNOTSUPP, "%s cannot have virtual functions (no sriov_totalvfs); it is not an SR-IOV physical function",
                                            hd_pci_addr_format(&pf->addr, a));
                goto fail;
        }
        pf->total_vfs = v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
        if (sysfs_read_u64_at(fd, "sriov_numvfs", 10, &v) >= 0)
                pf->num_vfs = v > UINT32_MAX ? UINT32_MAX : (unsigned)v;
        pf->autoprobe = sysfs_read_u64_at(fd, "sriov_drivers_autoprobe", 10, &v) >= 0 ? v != 0 : -1;
        r = sysfs_link_name_at(fd, "driver", &pf->driver);
        if (r == -ENOMEM)
                goto fail;
        pf->ifname = sriov_ifname(ctx, path);
        r = read_vfs(ctx, path, pf);
        if (r < 0)
                goto fail;
        if (ret_path)
                *ret_path = TAKE_PTR(path);
        *ret = pf;
        return 0;
fail:
        hd_sriov_pf_free(pf);
        return r;
}

int hd_sriov_get(struct hd_context *ctx, const char *spec, struct hd_sriov_pf **ret) {
        hd_error_clear(ctx);
        return get_at(ctx, spec, NULL, ret);
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

/* How many of virtfn0..virtfn(WANT-1) lead to a VF folder (WANT 0: how many virtfn links there are at all). */
static unsigned count_vfs(struct hd_context *ctx, const char *pfpath, unsigned want) {
        struct hd_sriov_pf pf = { 0 };
        unsigned have = 0;

        if (read_vfs(ctx, pfpath, &pf) < 0)
                return 0;
        for (size_t i = 0; i < pf.n_vfs; i++)
                if (want == 0 || pf.vfs[i].index < want)
                        have++;
        for (size_t i = 0; i < pf.n_vfs; i++) {
                free(pf.vfs[i].driver);
                free(pf.vfs[i].ifname);
        }
        free(pf.vfs);
        return have;
}

/* The kernel returns before every VF is in sysfs (and udev has seen it): wait, bounded. */
static int wait_for(struct hd_context *ctx, const char *pfpath, unsigned want, unsigned timeout_ms,
                    hd_sriov_progress_t progress, void *userdata, unsigned *ret_have) {
        unsigned start = now_ms(), have;

        for (;;) {
                unsigned elapsed = now_ms() - start;
                have = count_vfs(ctx, pfpath, want);
                if (want == 0 ? have == 0 : have >= want)
                        break;
                if (progress)
                        progress(userdata, have, want, elapsed);
                if (elapsed >= timeout_ms) {
                        *ret_have = have;
                        return -ETIMEDOUT;
                }
                sleep_ms(POLL_MS);
        }
        *ret_have = have;
        return 0;
}

static int write_attr(struct hd_context *ctx, const char *pfpath, const char *name, unsigned v) {
        _cleanup_free_ char *p = strdupf("%s/%s", pfpath, name);
        char buf[16];
        snprintf(buf, sizeof(buf), "%u", v);
        return p ? sysfs_write(ctx, p, buf) : -ENOMEM;
}

int hd_sriov_set_numvfs(struct hd_context *ctx, const char *spec, unsigned n, unsigned flags, unsigned timeout_ms,
                        hd_sriov_progress_t progress, void *userdata) {
        _cleanup_free_ char *path = NULL;
        _cleanup_store_guard_ struct store_guard g = STORE_GUARD_INIT;
        struct hd_sriov_pf *pf = NULL;
        char a[20];
        unsigned have = 0, old;
        int r;

        hd_error_clear(ctx);
        if (timeout_ms == 0)
                timeout_ms = DEFAULT_TIMEOUT_MS;
        r = get_at(ctx, spec, &path, &pf);
        if (r < 0)
                return r;
        hd_pci_addr_format(&pf->addr, a);
        old = pf->num_vfs;
        if (n > pf->total_vfs) {
                r = hd_error(ctx, -ERANGE, "%s supports at most %u virtual functions (sriov_totalvfs); %u asked", a,
                             pf->total_vfs, n);
                goto out;
        }
        if (!pf->driver) {
                r = hd_error(ctx, -ENOENT, "%s has no driver bound; the kernel enables VFs only through the PF's driver: bind it first ('hostdev reattach %s')",
                             a, a);
                goto out;
        }
        if (n == old && count_vfs(ctx, path, n) == n) {
                r = 0;
                goto out;
        }
        /*
         * A VF hostdev handed out (or detached) would vanish under its record:
         * never, even forced. Under the lock prepare holds, so none is taken
         * between this look and the write; and a store that cannot be read
         * is no store saying nothing is held.
         */
        r = store_guard_begin(ctx, &g);
        if (r < 0) {
                r = hd_error(ctx, r, "%s; the VFs of %s stay as they are, even with --force, until hostdev can tell "
                             "whether a guest holds one",
                             hd_context_last_error(ctx) ? hd_context_last_error(ctx) : strerror(-r), a);
                goto out;
        }
        for (size_t i = 0; i < pf->n_vfs; i++) {
                struct hd_active *rec = NULL;
                char v[20];
                hd_pci_addr_format(&pf->vfs[i].addr, v);
                r = store_guard_get(&g, STORE_PCI, v, &rec);
                if (r == -ENOENT)
                        continue;
                if (r < 0) {
                        r = hd_error(ctx, r, "%s; the VFs of %s stay as they are, even with --force",
                                     hd_context_last_error(ctx) ? hd_context_last_error(ctx) : strerror(-r), a);
                        goto out;
                }
                r = hd_error(ctx, -EBUSY, "VF %s of %s is %s in hostdev's records%s%s; %s it first", v, a,
                             rec->state ? rec->state : "recorded", rec->owner_domain ? " for " : "",
                             rec->owner_domain ? rec->owner_domain : "",
                             rec->owner_domain ? "release" : "reattach");
                hd_active_free(rec);
                goto out;
        }
        hd_error_clear(ctx);
        if (old > 0 && !(flags & HD_SRIOV_FORCE))
                for (size_t i = 0; i < pf->n_vfs; i++)
                        if (pci_driver_is_stub(pf->vfs[i].driver)) {
                                char v[20];
                                r = hd_error(ctx, -EBUSY, "VF %s of %s is on %s (a guest may be using it); reattach it first, or force",
                                             hd_pci_addr_format(&pf->vfs[i].addr, v), a, pf->vfs[i].driver);
                                goto out;
                        }
        if (flags & (HD_SRIOV_NO_AUTOPROBE | HD_SRIOV_AUTOPROBE)) {
                r = write_attr(ctx, path, "sriov_drivers_autoprobe", flags & HD_SRIOV_NO_AUTOPROBE ? 0 : 1);
                if (r < 0 && sysfs_write_refused(ctx))
                        goto out;
                if (r < 0) {
                        r = hd_error(ctx, r, "cannot set sriov_drivers_autoprobe of %s: %s", a, strerror(-r));
                        goto out;
                }
        }
        /* sriov_numvfs_store(): from N to M, both non-zero, is -EBUSY; go through 0. */
        if (old > 0 && n != old) {
                r = write_attr(ctx, path, "sriov_numvfs", 0);
                if (r < 0 && sysfs_write_refused(ctx))
                        goto out;
                if (r < 0) {
                        r = hd_error(ctx, r, "the kernel refused to disable the VFs of %s: %s", a, strerror(-r));
                        goto out;
                }
                r = wait_for(ctx, path, 0, timeout_ms, progress, userdata, &have);
                if (r < 0) {
                        r = hd_error(ctx, r, "%u VFs of %s are still there %.1f s after disabling them", have, a,
                                     timeout_ms / 1000.0);
                        goto out;
                }
        }
        if (n > 0) {
                r = write_attr(ctx, path, "sriov_numvfs", n);
                if (r < 0 && sysfs_write_refused(ctx))
                        goto out;
                if (r < 0) {
                        int rr = old > 0 && old != n ? write_attr(ctx, path, "sriov_numvfs", old) : 0;
                        r = hd_error(ctx, r, "the kernel refused %u VFs on %s: %s%s", n, a, strerror(-r),
                                     old > 0 && old != n ? (rr < 0 ? "; putting back the old count failed too"
                                                                   : "; the old count is back")
                                                         : "");
                        goto out;
                }
        }
        r = wait_for(ctx, path, n, timeout_ms, progress, userdata, &have);
        if (r < 0)
                r = hd_error(ctx, r, "only %u of %u VFs of %s appeared in %.1f s; the kernel may still be making them: see 'hostdev sriov show %s'",
                             have, n, a, timeout_ms / 1000.0, a);
out:
        hd_sriov_pf_free(pf);
        return r;
}
