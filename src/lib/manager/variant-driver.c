/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vfio driver a device should get: a vendor's variant driver whose vfio_pci: alias matches it best, else vfio-pci. */
#include <fcntl.h>
#include <fnmatch.h>
#include <libkmod.h>
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "sysfs/confine.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct kmod_ctx *, kmod_unref)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct kmod_list *, kmod_module_unref_list)

#define VFIO_ALIAS_PREFIX "vfio_pci:"

static size_t wildcards(const char *pattern) {
        size_t n = 0;
        for (const char *p = pattern; *p; p++)
                n += *p == '*';
        return n;
}

/*
 * How specific MOD's best alias for KEY is: the fewest '*' of its
 * "vfio_pci:" aliases that match KEY (libvirt's rule,
 * virPCIDeviceFindBestVFIOVariant). SIZE_MAX when its module file cannot
 * be read. *RET_ALIAS gets that alias.
 */
static size_t specificity(struct kmod_module *mod, const char *key, char **ret_alias) {
        struct kmod_list *info = NULL, *i;
        size_t best = SIZE_MAX;

        if (kmod_module_get_info(mod, &info) < 0)
                return SIZE_MAX;
        kmod_list_foreach(i, info) {
                const char *k = kmod_module_info_get_key(i), *v = kmod_module_info_get_value(i);
                if (!k || !v || !streq(k, "alias") || !startswith(v, VFIO_ALIAS_PREFIX) || fnmatch(v, key, 0) != 0)
                        continue;
                if (wildcards(v) < best) {
                        best = wildcards(v);
                        free(*ret_alias);
                        *ret_alias = strdup(v);
                }
        }
        kmod_module_info_free_list(info);
        return best;
}

/* Note for `hostdev record` what libkmod read below DIRFD (it opens files itself, not through the sysfs layer). */
static void note_read(int dirfd, const char *rel) {
        struct stat st;
        (void)sysfs_stat_at(dirfd, rel, &st);
}

/*
 * libkmod opens files by path, not through the sysfs layer: each it may read
 * must resolve below DIRFD, so a tree's link to the host's modules is not
 * followed out of the tree (the rest of hostdev never reads out of it).
 */
static bool below(int dirfd, const char *rel) {
        int fd = confine_open(dirfd, rel, O_PATH, 0, CONFINE_BENEATH);
        if (fd < 0)
                return fd == -ENOENT; /* absent is fine: libkmod does without */
        close(fd);
        return true;
}

static const char *const index_files[] = { "modules.dep.bin",     "modules.alias.bin",         "modules.symbols.bin",
                                           "modules.builtin.bin", "modules.builtin.alias.bin", "modules.softdep",
                                           "modules.builtin.modinfo", NULL };

struct best {
        char *module, *alias, *also;
        size_t stars;
};

static int pick(int dirfd, const char *key, struct best *b) {
        _cleanup_(kmod_unrefp) struct kmod_ctx *k = NULL;
        _cleanup_(kmod_module_unref_listp) struct kmod_list *list = NULL;
        const char *no_config[] = { NULL };
        struct kmod_list *i;
        char dir[64];
        int r;

        /*
         * libkmod opens the index files itself: through /proc/self/fd, the
         * folder it reads is the one the sysfs layer opened below the root.
         * No modprobe.d: the host's configuration is not the tree's.
         */
        for (const char *const *f = index_files; *f; f++)
                if (!below(dirfd, *f))
                        return -EXDEV;
        snprintf(dir, sizeof(dir), "/proc/self/fd/%d", dirfd);
        k = kmod_new(dir, no_config);
        if (!k)
                return -ENOMEM;
        note_read(dirfd, "modules.alias.bin");
        note_read(dirfd, "modules.alias");
        note_read(dirfd, "modules.dep.bin");
        r = kmod_module_new_from_lookup(k, key, &list);
        if (r < 0)
                return r;
        kmod_list_foreach(i, list) {
                struct kmod_module *mod = kmod_module_get_module(i);
                const char *name = kmod_module_get_name(mod), *path = kmod_module_get_path(mod);
                _cleanup_free_ char *alias = NULL;
                size_t stars;

                bool inside = path && startswith(path, dir) && path[strlen(dir)] == '/' &&
                              below(dirfd, path + strlen(dir) + 1);

                if (inside)
                        note_read(dirfd, path + strlen(dir) + 1);
                /*
                 * A module comes once per matching alias: judge each module once.
                 * vfio_pci itself is no variant: its catch-all alias matches every
                 * device, and its driver is named vfio-pci, not after its module.
                 */
                if (!name || streq(name, "vfio_pci") || (b->module && streq(b->module, name)) ||
                    (b->also && streq(b->also, name))) {
                        kmod_module_unref(mod);
                        continue;
                }
                stars = inside ? specificity(mod, key, &alias) : SIZE_MAX;
                r = 0;
                if (!b->module || stars < b->stars || (stars == b->stars && strcmp(name, b->module) < 0)) {
                        /* The new best; the old one stays named when it ties. */
                        free(b->also);
                        b->also = b->module && stars == b->stars ? TAKE_PTR(b->module) : NULL;
                        free(b->module);
                        free(b->alias);
                        b->module = strdup(name);
                        b->alias = TAKE_PTR(alias);
                        b->stars = stars;
                        r = b->module ? 0 : -ENOMEM;
                } else if (stars == b->stars && !b->also)
                        r = (b->also = strdup(name)) ? 0 : -ENOMEM;
                kmod_module_unref(mod);
                if (r < 0)
                        return r;
        }
        return 0;
}

int pci_vfio_driver(struct hd_context *ctx, const struct pci_dev *d, char **ret_driver, char **ret_why) {
        _cleanup_free_ char *modalias = NULL, *release = NULL, *dir = NULL, *key = NULL;
        _cleanup_close_ int fd = -1;
        struct best b = { .stars = SIZE_MAX };
        char *why = NULL;
        int r;

        /* Documentation/ABI/testing/sysfs-bus-pci: modalias, "pci:vVVVVVVVVdDDDDDDDDsv...". */
        if (sysfs_read_at(d->dirfd, "modalias", &modalias) < 0 || !startswith(modalias, "pci:"))
                why = strdup("it has no modalias to match variant drivers against");
        /* proc(5): /proc/sys/kernel/osrelease is uname -r; the tree's, under a root prefix. */
        else if (sysfs_read(ctx, "/proc/sys/kernel/osrelease", &release) < 0 || !filename_is_safe(release))
                why = strdup("the kernel release is unknown (/proc/sys/kernel/osrelease), so is modules.alias");
        else if (!(dir = strdupf("/lib/modules/%s", release)))
                return -ENOMEM;
        else if (sysfs_open_dir(ctx, dir, &fd) < 0)
                why = strdupf("there is no %s to look for variant drivers in", dir);
        else if (!(key = strdupf(VFIO_ALIAS_PREFIX "%s", modalias + strlen("pci:"))))
                return -ENOMEM;
        else if ((r = pick(fd, key, &b)) < 0 && r != -EXDEV) {
                free(b.module);
                free(b.alias);
                free(b.also);
                return r == -ENOMEM ? r : hd_error(ctx, r, "%s: looking up %s: %s", d->addr, key, strerror(-r));
        } else if (r == -EXDEV)
                why = strdupf("the module index in %s leads out of the root, so it is not read", dir);
        else if (!b.module)
                why = strdupf("no vfio_pci alias in %s/modules.alias matches its modalias %s", dir, modalias);
        else if (b.alias)
                why = strdupf("%s/modules.alias: %s %s is the most specific vfio_pci alias matching its "
                              "modalias (%zu wildcards)%s%s",
                              dir, b.alias, b.module, b.stars, b.also ? "; so is one of " : "", b.also ? b.also : "");
        else
                why = strdupf("%s/modules.alias matches it to %s (its module file could not be read to rank it%s%s)",
                              dir, b.module, b.also ? " against " : "", b.also ? b.also : "");
        free(b.alias);
        free(b.also);
        if (!why) {
                free(b.module);
                return -ENOMEM;
        }
        *ret_driver = b.module ? b.module : strdup("vfio-pci");
        if (!*ret_driver) {
                free(why);
                return -ENOMEM;
        }
        if (ret_why)
                *ret_why = why;
        else
                free(why);
        return 0;
}

int doctor_driver(struct doctor *dc) {
        const struct pci_dev *d = dc->d;
        _cleanup_free_ char *want = NULL, *why = NULL;
        struct report_meta meta = { .source = "modules.alias" };
        int r;

        if (d->bridge != HD_PCI_NOT_BRIDGE)
                return 0;
        r = pci_vfio_driver(dc->ctx, d, &want, &why);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                r = report_addm(dc->rep, &meta, HD_REPORT_WARN, "driver", NULL, "%s",
                                hd_context_last_error(dc->ctx) ? hd_context_last_error(dc->ctx) : strerror(-r));
                hd_error_clear(dc->ctx);
                return r;
        }
        if (pci_driver_is_vfio(d->driver) && d->iommu_group >= 0) {
                _cleanup_free_ char *node = strdupf("/dev/vfio/%d", d->iommu_group);
                struct report_meta dev = { .source = node };
                if (!node)
                        return -ENOMEM;
                if (!sysfs_exists(dc->ctx, node))
                        return report_addm(dc->rep, &dev, HD_REPORT_WARN, "driver",
                                           "check that udev runs and see 'dmesg'", "on %s, but %s is missing",
                                           d->driver, node);
                /* Only a variant that matches is worth a move; vfio-pci is no better than the driver it is on. */
                if (!streq(d->driver, want) && !streq(want, "vfio-pci"))
                        return report_addm(dc->rep, &meta, HD_REPORT_INFO, "driver",
                                           "hostdev reattach, then hostdev detach, to move it",
                                           "on %s (%s); its best vfio driver is %s: %s", d->driver, node, want,
                                           why);
                return report_addm(dc->rep, &dev, HD_REPORT_OK, "driver", NULL, "on %s (%s)", d->driver, node);
        }
        if (d->driver && pci_driver_is_stub(d->driver))
                return report_addm(dc->rep, &meta, HD_REPORT_OK, "driver", NULL, "on %s; QEMU needs %s: %s", d->driver,
                                   want, why);
        if (d->driver) {
                _cleanup_free_ char *remedy = strdupf("hostdev detach %s (or managed='yes' in the domain XML)", d->addr);
                return remedy ? report_addm(dc->rep, &meta, HD_REPORT_INFO, "driver", remedy,
                                            "on %s, a host driver: detach and prepare move it to %s: %s", d->driver,
                                            want, why)
                              : -ENOMEM;
        }
        return report_addm(dc->rep, &meta, HD_REPORT_INFO, "driver", NULL,
                           "on no driver: detach and prepare bind it to %s: %s", want, why);
}
