/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* check: the host's setup: the IOMMU and its kind, interrupt remapping, vfio, the kernel command line. */
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "inventory/iommu-internal.h"
#include "inventory/vfio-cdev.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

/* The kernel parameters that bear on passthrough (Documentation/admin-guide/kernel-parameters.txt). */
static const char *const params[] = {
        "intel_iommu=", "amd_iommu=", "iommu=", "iommu.passthrough=", "intremap=", "nointremap",
        "vfio-pci.ids=", "vfio_pci.ids=", "vfio_iommu_type1.allow_unsafe_interrupts=", "video=",
        "initcall_blacklist=", "pcie_acs_override=", NULL,
};

/* The words of /proc/cmdline that concern passthrough, space-separated ("" when none; NULL unreadable). */
static char *cmdline_params(struct hd_context *ctx, char **ret_all) {
        _cleanup_free_ char *all = NULL;
        struct strbuf b = {};
        char *save = NULL;

        /* Documentation/filesystems/proc.rst: /proc/cmdline, the arguments the kernel was booted with. */
        if (sysfs_read(ctx, "/proc/cmdline", &all) < 0)
                return NULL;
        if (ret_all && !(*ret_all = strdup(all)))
                return NULL;
        for (char *w = strtok_r(all, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
                for (const char *const *p = params; *p; p++)
                        if (startswith(w, *p) || streq(w, *p)) {
                                strbuf_appendf(&b, "%s%s", b.len ? " " : "", w);
                                break;
                        }
        return strbuf_steal(&b);
}

static bool has_word(const char *line, const char *word) {
        size_t n = strlen(word);
        for (const char *p = line; p && (p = strstr(p, word)); p += n)
                if ((p == line || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
                        return true;
        return false;
}

/* What kind an IOMMU unit is, from its name or its parent's driver (Documentation/ABI/testing/sysfs-class-iommu). */
static char *unit_kind(struct hd_context *ctx, const char *name) {
        _cleanup_free_ char *path = NULL, *parent = NULL, *drv = NULL;

        if (startswith(name, "dmar"))
                return strdup("Intel VT-d");
        if (startswith(name, "ivhd"))
                return strdup("AMD-Vi");
        /* Other units sit below the device that provides them: DEVICE/iommu/NAME. */
        if (sysfs_resolve_link(ctx, "/sys/class/iommu", name, &path) < 0 || !(parent = path_dirname(path)))
                return strdup(name);
        free(path);
        path = path_dirname(parent);
        if (path && sysfs_resolve_link(ctx, path, "driver", &drv) >= 0) {
                const char *d = path_basename(drv);
                return streq(d, "virtio_iommu") ? strdup("virtio-iommu") : strdupf("%s (driver %s)", name, d);
        }
        return strdup(name);
}

struct units {
        struct hd_context *ctx;
        struct strbuf names, kinds;
        bool intel, amd;
};

static int add_name(const char *name, unsigned char type, void *userdata) {
        (void)type;
        return strv_extend(userdata, name);
}

/* The IOMMU units by name (dmar0, dmar1 ...), with their kinds, whatever order the folder lists them in. */
static int load_units(struct units *u) {
        _cleanup_strv_free_ char **names = NULL;
        int r = sysfs_list(u->ctx, "/sys/class/iommu", add_name, &names);

        if (r == -ENOMEM)
                return r;
        strv_sort(names);
        for (char **n = names; n && *n; n++) {
                _cleanup_free_ char *kind = unit_kind(u->ctx, *n);
                if (!kind)
                        return -ENOMEM;
                u->intel = u->intel || startswith(*n, "dmar");
                u->amd = u->amd || startswith(*n, "ivhd");
                strbuf_appendf(&u->names, "%s%s", u->names.len ? ", " : "", *n);
                if (!strstr(u->kinds.s ? u->kinds.s : "", kind))
                        strbuf_appendf(&u->kinds, "%s%s", u->kinds.len ? ", " : "", kind);
        }
        return u->names.oom || u->kinds.oom ? -ENOMEM : 0;
}

static int check_iommu(struct doctor *dc, struct units *u, const char *cmdline) {
        struct report_meta meta = { .source = "/sys/class/iommu" };
        const char *off = NULL;
        int r;

        r = load_units(u);
        if (r < 0)
                return r;
        if (!u->names.len && !iommu_enabled(dc->ctx, NULL)) {
                for (const char *const *p = (const char *const[]){ "intel_iommu=off", "amd_iommu=off", "iommu=off",
                                                                   NULL };
                     *p; p++)
                        if (cmdline && has_word(cmdline, *p))
                                off = *p;
                if (off) {
                        _cleanup_free_ char *remedy = strdupf("remove %s from the kernel command line", off);
                        meta.source = "/proc/cmdline";
                        return remedy ? report_addm(dc->rep, &meta, HD_REPORT_FAIL, "iommu", remedy,
                                                    "no IOMMU is on: the kernel was booted with %s", off)
                                      : -ENOMEM;
                }
                return report_addm(dc->rep, &meta, HD_REPORT_FAIL, "iommu",
                                   "turn on VT-d / AMD-Vi (IOMMU) in the firmware settings and boot with "
                                   "intel_iommu=on (Intel) or amd_iommu=on (AMD)",
                                   "no IOMMU is on: /sys/class/iommu and /sys/kernel/iommu_groups are empty");
        }
        if (dc->d->iommu_group < 0) {
                _cleanup_free_ char *text = words_no_group(dc->d);
                meta.source = "iommu_group";
                return text ? report_addm(dc->rep, &meta, HD_REPORT_FAIL, "iommu",
                                          "see 'dmesg | grep -i -e DMAR -e IOMMU' for why the IOMMU skipped it",
                                          "%s, though an IOMMU is on (%s)", text,
                                          u->names.len ? u->kinds.s : "groups exist")
                            : -ENOMEM;
        }
        return report_addm(dc->rep, &meta, HD_REPORT_OK, "iommu", NULL, "IOMMU on: %s (%s); %s is in group %d",
                           u->names.len ? u->kinds.s : "groups exist", u->names.len ? u->names.s : "no unit listed",
                           dc->d->addr, dc->d->iommu_group);
}

/*
 * Interrupt remapping, which vfio_iommu_type1 wants before it takes a group
 * (or allow_unsafe_interrupts): in use when /proc/interrupts has
 * interrupts of a remapping chip ("IR-PCI-MSI", "IR-IO-APIC": x86 names the
 * chips of its remapping domains so, on Intel and AMD alike). dmesg says it
 * too, but a recorded tree has no dmesg; the units' ecap (Intel, bit 3:
 * IR) tells whether the hardware could.
 */
static int check_irq_remap(struct doctor *dc, const struct units *u, const char *cmdline) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL, *unsafe = NULL, *ecap = NULL;
        struct report_meta meta = { .source = "/proc/interrupts" };
        size_t cap = 0;
        bool ir = false, any = false, hw = false;

        if (sysfs_fopen(dc->ctx, "/proc/interrupts", &f) < 0)
                return report_addm(dc->rep, &meta, HD_REPORT_INFO, "irq-remap", NULL,
                                   "no /proc/interrupts to tell whether interrupt remapping is on");
        while (getline(&line, &cap, f) > 0) {
                any = any || strstr(line, "PCI-MSI") || strstr(line, "IO-APIC");
                ir = ir || strstr(line, " IR-");
        }
        if (ir)
                return report_addm(dc->rep, &meta, HD_REPORT_OK, "irq-remap", NULL,
                                   "interrupt remapping is on (/proc/interrupts lists IR- interrupts)");
        if (!any || (!u->intel && !u->amd))
                return report_addm(dc->rep, &meta, HD_REPORT_INFO, "irq-remap", NULL,
                                   "no remapped interrupts in /proc/interrupts; on this IOMMU (%s) the interrupt "
                                   "controller isolates MSIs, if anything does",
                                   u->kinds.len ? u->kinds.s : "none");
        /* Documentation/ABI/testing/sysfs-class-iommu-intel-iommu: ecap, bit 3 Interrupt Remapping support. */
        if (u->intel && sysfs_read(dc->ctx, "/sys/class/iommu/dmar0/intel-iommu/ecap", &ecap) >= 0)
                hw = (strtoull(ecap, NULL, 16) & 0x8) != 0;
        /* vfio_iommu_type1's parameter, readable in /sys/module (Y or N). */
        if (sysfs_read(dc->ctx, "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", &unsafe) >= 0 &&
            streq(unsafe, "Y"))
                return report_addm(dc->rep, &meta, HD_REPORT_WARN, "irq-remap",
                                   "turn remapping on when the hardware has it; a guest can forge interrupts "
                                   "(MSIs) to the host meanwhile",
                                   "interrupt remapping is off; vfio_iommu_type1 allows it anyway "
                                   "(allow_unsafe_interrupts=Y)");
        return report_addm(dc->rep, &meta, HD_REPORT_FAIL, "irq-remap",
                           hw ? (cmdline && (has_word(cmdline, "intremap=off") || has_word(cmdline, "nointremap"))
                                         ? "the IOMMU can remap (ecap bit 3): remove intremap=off / nointremap "
                                           "from the kernel command line"
                                         : "the IOMMU can remap (ecap bit 3): see 'dmesg | grep -i remap' for "
                                           "why the kernel did not turn it on (x2apic, firmware tables)")
                              : "boot with intremap=on on an IOMMU that remaps interrupts, or accept the risk "
                                "with vfio_iommu_type1.allow_unsafe_interrupts=1",
                           "interrupt remapping is off: vfio refuses the group (\"No interrupt remapping support\") "
                           "unless vfio_iommu_type1's allow_unsafe_interrupts is set");
}

/* /sys/module/NAME is there for a loaded module and for a built-in one with parameters. */
static bool module_here(struct hd_context *ctx, const char *name) {
        _cleanup_free_ char *p = strdupf("/sys/module/%s", name);
        return p && sysfs_exists(ctx, p);
}

static int check_vfio(struct doctor *dc) {
        struct report_meta meta = { .source = "/sys/module" };
        struct strbuf missing = {};
        bool vfio = module_here(dc->ctx, "vfio"), container = sysfs_exists(dc->ctx, "/dev/vfio/vfio");
        /* Whether a launcher may use iommufd (qemu-args --iommufd) rather than the group and its container. */
        const char *iommufd = iommufd_present(dc->ctx) ? "iommufd's /dev/iommu is there"
                                                       : "no /dev/iommu (no iommufd: QEMU opens the group)";
        int r = 0;

        for (const char *const *m = (const char *const[]){ "vfio", "vfio_pci", "vfio_iommu_type1", NULL }; *m; m++)
                if (!module_here(dc->ctx, *m) && !(streq(*m, "vfio_pci") && pci_driver_exists(dc->ctx, "vfio-pci")))
                        strbuf_appendf(&missing, "%s%s", missing.len ? ", " : "", *m);
        if (missing.oom)
                return -ENOMEM;
        if (vfio && !container)
                r = report_addm(dc->rep, &meta, HD_REPORT_WARN, "vfio",
                                "check that devtmpfs and udev run: ls -l /dev/vfio",
                                "vfio is loaded but /dev/vfio/vfio is missing: QEMU cannot open a container");
        else if (missing.len)
                r = report_addm(dc->rep, &meta, HD_REPORT_INFO, "vfio", NULL,
                                "not loaded: %s; detach and prepare load them (through libkmod, as modprobe); %s",
                                missing.s, iommufd);
        else
                r = report_addm(dc->rep, &meta, HD_REPORT_OK, "vfio", NULL,
                                "vfio, vfio_pci and vfio_iommu_type1 are loaded; /dev/vfio/vfio is there; %s", iommufd);
        strbuf_done(&missing);
        return r;
}

int doctor_vfio_cdev(struct doctor *dc) {
        struct report_meta meta = { .source = "vfio-dev" };
        _cleanup_free_ char *cdev = NULL;
        int r = vfio_cdev_at(dc->d->dirfd, &cdev);

        if (r == -ENOENT)
                return 0; /* no vfio driver holds it: nothing to say */
        if (r < 0)
                return r;
        if (cdev)
                return report_addm(dc->rep, &meta, HD_REPORT_INFO, "vfio", NULL, "vfio cdev %s%s", cdev,
                                   iommufd_present(dc->ctx) ? "; iommufd /dev/iommu is there"
                                                            : "; no /dev/iommu (iommufd is not loaded)");
        return report_addm(dc->rep, &meta, HD_REPORT_INFO, "vfio", NULL,
                           "no vfio cdev: this kernel lacks CONFIG_VFIO_DEVICE_CDEV; QEMU opens the group "
                           "/dev/vfio/%d",
                           dc->d->iommu_group);
}

static int check_cmdline(struct doctor *dc, const char *relevant) {
        struct report_meta meta = { .source = "/proc/cmdline" };
        if (!relevant)
                return 0;
        if (!*relevant)
                return report_addm(dc->rep, &meta, HD_REPORT_INFO, "cmdline", NULL,
                                   "no IOMMU or vfio parameters on the kernel command line");
        return report_addm(dc->rep, &meta, HD_REPORT_INFO, "cmdline", NULL, "kernel command line: %s%s", relevant,
                           has_word(relevant, "iommu=pt") ? " (iommu=pt: the host's own devices skip translation; "
                                                            "guests are not affected)"
                                                          : "");
}

int doctor_host(struct doctor *dc) {
        struct units u = { .ctx = dc->ctx };
        _cleanup_free_ char *all = NULL, *relevant = cmdline_params(dc->ctx, &all);
        int r;

        r = check_iommu(dc, &u, all);
        if (r >= 0 && (u.names.len || dc->d->iommu_group >= 0))
                r = check_irq_remap(dc, &u, all);
        if (r >= 0)
                r = check_vfio(dc);
        if (r >= 0)
                r = doctor_vfio_cdev(dc);
        if (r >= 0)
                r = check_cmdline(dc, relevant);
        strbuf_done(&u.names);
        strbuf_done(&u.kinds);
        return r;
}
