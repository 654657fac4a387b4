/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Making sure a stub driver (vfio-pci, pci-stub) is there before a device is given to it. */
#include <libkmod.h>
#include <string.h>

#include "kmod.h"
#include "pcidev.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct kmod_ctx *, kmod_unref)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct kmod_module *, kmod_module_unref)

int manager_load_driver(struct hd_context *ctx, const char *driver) {
        _cleanup_(kmod_unrefp) struct kmod_ctx *k = NULL;
        _cleanup_(kmod_module_unrefp) struct kmod_module *mod = NULL;
        int r;

        if (pci_driver_exists(ctx, driver))
                return 0;
        if (!streq(hd_context_get_sysroot(ctx), "/"))
                return hd_error(ctx, -ENOENT,
                                "driver %s is not in %s/sys/bus/pci/drivers, and modules are never loaded "
                                "under --sysroot",
                                driver, hd_context_get_sysroot(ctx));
        k = kmod_new(NULL, NULL);
        if (!k)
                return hd_error(ctx, -ENOMEM, "cannot load the %s module: libkmod did not start", driver);
        /* The module name is the driver's with '-' as '_'; libkmod normalises it. */
        r = kmod_module_new_from_name(k, driver, &mod);
        if (r < 0)
                return hd_error(ctx, r, "cannot load the %s module: %s", driver, strerror(-r));
        r = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST, NULL, NULL, NULL, NULL);
        if (r == KMOD_PROBE_APPLY_BLACKLIST)
                return hd_error(ctx, -EPERM,
                                "the %s module is blacklisted in /etc/modprobe.d; remove the blacklist "
                                "line or load it by hand",
                                driver);
        if (r == -EPERM || r == -EACCES)
                return hd_error(ctx, r, "cannot load the %s module: %s; loading modules needs root", driver,
                                strerror(-r));
        if (r < 0)
                return hd_error(ctx, r,
                                "cannot load the %s module: %s; is it built for this kernel "
                                "(modinfo %s)?",
                                driver, strerror(-r), driver);
        if (!pci_driver_exists(ctx, driver))
                return hd_error(ctx, -ENOENT,
                                "the %s module loaded but registered no PCI driver of that name; give the "
                                "driver's name as in /sys/bus/pci/drivers",
                                driver);
        return 0;
}
