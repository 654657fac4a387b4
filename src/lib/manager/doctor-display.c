/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* check: the boot display (boot_vga) and a firmware framebuffer in one of the device's BARs (/proc/iomem). */
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

#define IORESOURCE_MEM 0x00000200 /* include/linux/ioport.h */
#define N_BARS 6
#define MAX_DEPTH 16

/*
 * The names the firmware framebuffer goes by in /proc/iomem: BOOTFB is the
 * placeholder sysfb registers at boot (drivers/firmware/sysfb_simplefb.c),
 * the others the drivers that request it, which makes the range busy, so
 * vfio-pci's pci_request_regions() fails ("BAR 0: can't reserve").
 * Each with the platform driver to unbind and the parameter that keeps it
 * from coming back.
 */
static const struct {
        const char *name;
        const char *platform_driver; /* NULL: none holds it */
        const char *param;
} fbs[] = {
        { "BOOTFB", NULL, "initcall_blacklist=sysfb_init" },
        { "efifb", "efi-framebuffer", "video=efifb:off" },
        { "vesafb", "vesa-framebuffer", "video=vesafb:off" },
        { "simpledrm", "simple-framebuffer", "initcall_blacklist=sysfb_init" },
        { "simplefb", "simple-framebuffer", "initcall_blacklist=sysfb_init" },
};

static int fb_index(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(fbs); i++)
                if (streq(fbs[i].name, name))
                        return (int)i;
        return -1;
}

struct bar {
        unsigned long long start, end;
};

/* Documentation/ABI/testing/sysfs-bus-pci: resource, one "start end flags" line per BAR, then the ROM. */
static size_t read_bars(const struct pci_dev *d, struct bar bars[N_BARS]) {
        _cleanup_free_ char *res = NULL;
        size_t n = 0;
        char *line = NULL;

        if (sysfs_read_at(d->dirfd, "resource", &res) < 0)
                return 0;
        line = res;
        for (int i = 0; i < N_BARS && line && *line; i++) {
                unsigned long long s, e, f;
                char *next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                if (sscanf(line, "%llx %llx %llx", &s, &e, &f) == 3 && (f & IORESOURCE_MEM) && s && e > s)
                        bars[i] = (struct bar){ s, e };
                else
                        bars[i] = (struct bar){ 0, 0 };
                n = (size_t)i + 1;
                line = next;
        }
        return n;
}

int display_framebuffers(struct hd_context *ctx, const struct pci_dev *d, struct fb_hit **ret, size_t *ret_n) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        struct bar bars[N_BARS] = {};
        /* The framebuffer entry open at each depth, to fold a BOOTFB into the driver nested in it. */
        int open_at[MAX_DEPTH];
        struct fb_hit *v = NULL;
        size_t n = 0, n_bars = read_bars(d, bars), cap = 0;
        bool any_address = false;
        int r;

        r = sysfs_fopen(ctx, "/proc/iomem", &f);
        if (r < 0)
                return r;
        for (int i = 0; i < MAX_DEPTH; i++)
                open_at[i] = -1;
        while (getline(&line, &cap, f) > 0) {
                unsigned long long s, e;
                size_t indent = strspn(line, " ");
                char name[64];
                int depth = (int)(indent / 2), k, bar = -1;

                if (sscanf(line + indent, "%llx-%llx : %63[^\n]", &s, &e, name) != 3)
                        continue;
                any_address = any_address || s || e;
                if (depth >= MAX_DEPTH)
                        continue;
                for (int i = depth; i < MAX_DEPTH; i++)
                        open_at[i] = -1;
                k = fb_index(name);
                for (size_t b = 0; b < n_bars && k >= 0; b++)
                        if (bars[b].end && s >= bars[b].start && s <= bars[b].end)
                                bar = (int)b;
                if (bar < 0)
                        continue;
                /* A driver's entry nested in BOOTFB replaces it: one finding, the driver's. */
                if (fbs[k].platform_driver && depth > 0 && open_at[depth - 1] >= 0) {
                        v[open_at[depth - 1]] = (struct fb_hit){ .start = s, .end = e, .bar = bar, .busy = true };
                        snprintf(v[open_at[depth - 1]].name, sizeof(v->name), "%s", name);
                        continue;
                }
                {
                        struct fb_hit *nv = realloc(v, (n + 1) * sizeof(*nv));
                        if (!nv) {
                                free(v);
                                return -ENOMEM;
                        }
                        v = nv;
                }
                v[n] = (struct fb_hit){ .start = s, .end = e, .bar = bar, .busy = fbs[k].platform_driver != NULL };
                snprintf(v[n].name, sizeof(v->name), "%s", name);
                open_at[depth] = (int)n++;
        }
        /* Without CAP_SYS_ADMIN every range reads 00000000-00000000 (kernel/resource.c). */
        if (!any_address) {
                free(v);
                return -EACCES;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

char *words_framebuffer(const struct pci_dev *d, const struct fb_hit *h) {
        if (h->busy)
                return strdupf("%s: the firmware framebuffer %s (%llx-%llx in /proc/iomem) holds memory in its "
                               "BAR %d, so vfio-pci cannot reserve that BAR (\"BAR %d: can't reserve\")",
                               d->addr, h->name, h->start, h->end, h->bar, h->bar);
        return strdupf("%s: the firmware framebuffer's placeholder %s (%llx-%llx in /proc/iomem) lies in its "
                       "BAR %d; no driver holds it now, but efifb, vesafb or simpledrm would",
                       d->addr, h->name, h->start, h->end, h->bar);
}

/* The platform device DRIVER has bound now ("efi-framebuffer.0"), or NULL. */
static char *bound_device(struct hd_context *ctx, const char *driver) {
        _cleanup_free_ char *dir = strdupf("/sys/bus/platform/drivers/%s", driver);
        _cleanup_closedir_ DIR *dd = NULL;
        struct dirent *de;

        if (!dir || sysfs_opendir(ctx, dir, &dd) < 0)
                return NULL;
        while ((de = readdir(dd)))
                if (startswith(de->d_name, driver) && strchr(de->d_name, '.'))
                        return strdup(de->d_name);
        return NULL;
}

char *remedy_framebuffer(struct hd_context *ctx, const struct fb_hit *h) {
        int k = fb_index(h->name);
        _cleanup_free_ char *dev = NULL;

        if (k < 0)
                return NULL;
        if (!fbs[k].platform_driver)
                return strdupf("boot with %s, so the firmware framebuffer is never set up on it", fbs[k].param);
        dev = bound_device(ctx, fbs[k].platform_driver);
        return strdupf("unbind %s: echo %s > /sys/bus/platform/drivers/%s/unbind; for good, boot with %s",
                       h->name, dev ? dev : "DEVICE", fbs[k].platform_driver, fbs[k].param);
}

int refuse_framebuffer(struct hd_context *ctx, const struct pci_dev *d) {
        _cleanup_free_ struct fb_hit *hits = NULL;
        size_t n = 0;
        int r = display_framebuffers(ctx, d, &hits, &n);

        if (r == -ENOMEM)
                return r;
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (hits[i].busy) {
                        _cleanup_free_ char *text = words_framebuffer(d, &hits[i]),
                                            *remedy = remedy_framebuffer(ctx, &hits[i]);
                        if (!text || !remedy)
                                return -ENOMEM;
                        return hd_error(ctx, -EBUSY, "%s; %s", text, remedy);
                }
        return 0;
}

int doctor_display(struct doctor *dc) {
        const struct pci_dev *d = dc->d;
        _cleanup_free_ struct fb_hit *hits = NULL;
        _cleanup_free_ char *bv = NULL, *src = strdupf("%s/boot_vga", d->bus_path);
        struct report_meta vga = { .source = src }, iomem = { .source = "/proc/iomem" };
        bool display = d->class_code >> 16 == 0x03;
        size_t n = 0;
        int r;

        if (!src)
                return -ENOMEM;
        /* Documentation/ABI/testing/sysfs-bus-pci: boot_vga, 1 on the device the firmware's console is on. */
        if (sysfs_read_at(d->dirfd, "boot_vga", &bv) >= 0 && streq(bv, "1")) {
                r = report_addm(dc->rep, &vga, HD_REPORT_WARN, "display",
                                "give the host another GPU for its console, or run the host headless",
                                "%s is the boot display (boot_vga 1): the host's console is on it and goes dark "
                                "when a guest takes it",
                                d->addr);
                if (r < 0)
                        return r;
        }
        r = display_framebuffers(dc->ctx, d, &hits, &n);
        if (r == -ENOMEM)
                return r;
        if (r == -EACCES)
                return !display ? 0
                                : report_addm(dc->rep, &iomem, HD_REPORT_INFO, "display",
                                              "run hostdev check as root to read it",
                                              "whether a firmware framebuffer sits in its BARs is unknown: "
                                              "/proc/iomem shows its addresses to root only");
        if (r < 0)
                return !display ? 0
                                : report_addm(dc->rep, &iomem, HD_REPORT_INFO, "display", NULL,
                                              "no /proc/iomem to tell whether a firmware framebuffer sits in its "
                                              "BARs");
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *text = words_framebuffer(d, &hits[i]),
                                    *remedy = remedy_framebuffer(dc->ctx, &hits[i]);
                if (!text || !remedy)
                        return -ENOMEM;
                r = report_addm(dc->rep, &iomem, hits[i].busy ? HD_REPORT_FAIL : HD_REPORT_WARN, "display", remedy,
                                "%s", text);
                if (r < 0)
                        return r;
        }
        if (n == 0 && display)
                return report_addm(dc->rep, &iomem, HD_REPORT_OK, "display", NULL,
                                   "no firmware framebuffer in its BARs");
        return 0;
}
