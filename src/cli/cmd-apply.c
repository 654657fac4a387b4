/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev apply`: put the host back as /etc/hostdev and the autostart mdev definitions say (what the boot runs). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static bool streq_ptr(const char *a, const char *b) {
        return a && b ? streq(a, b) : a == b;
}

struct tally {
        unsigned changed, failed;
};

static void usage(void) {
        printf("Usage: hostdev apply [--device ADDRESS]\n\n"
               "Apply the settings that survive a reboot, as the boot does (hostdev-apply.service, and the udev\n"
               "rule for devices that come later): the VF counts of /etc/hostdev/sriov, then the devices of\n"
               "/etc/hostdev/pci kept on their stub driver, then the mediated devices defined to start\n"
               "automatically. What is in place already is left alone; each change is one line. A setting\n"
               "that cannot be applied is said and the others go on; the exit status is then 1.\n\n"
               "Options:\n"
               " -d, --device ADDRESS  only this PCI function's settings (the udev rule's)\n"
               " -h, --help            this help\n");
}

static void failed(struct hd_context *ctx, struct tally *t, int r, const char *what) {
        const char *m = hd_context_last_error(ctx);
        fprintf(stderr, "hostdev: %s%s%s\n", m ? "" : what, m ? "" : ": ", m ? m : strerror(-r));
        t->failed++;
}

/* ADDR's VF count (sriov file), when it differs from what the PF has now. */
static void apply_sriov(struct hd_context *ctx, const char *addr, struct tally *t) {
        struct hd_persist p = {};
        struct hd_sriov_pf *pf = NULL;
        unsigned had;
        int r = hd_persist_get(ctx, HD_PERSIST_SRIOV, addr, &p);

        if (r == -ENOENT)
                return;
        if (r < 0)
                return failed(ctx, t, r, addr);
        r = hd_sriov_get(ctx, p.addr, &pf);
        if (r == -ENOENT || r == -ENODEV) {
                /* A PF that is not there yet (hotplug): the udev rule applies it when it comes. */
                fprintf(stderr, "hostdev: note: %s is not here; its %u VFs are made when it appears\n", p.addr, p.numvfs);
                return;
        }
        if (r < 0)
                return failed(ctx, t, r, p.addr);
        had = pf->num_vfs;
        if (had == p.numvfs) {
                hd_sriov_pf_free(pf);
                return;
        }
        if (!pf->driver) {
                /* The kernel makes VFs only through the PF's driver; the rule runs again when it binds. */
                fprintf(stderr, "hostdev: note: %s has no driver yet; its %u VFs are made when one binds\n", p.addr,
                        p.numvfs);
                hd_sriov_pf_free(pf);
                return;
        }
        hd_sriov_pf_free(pf);
        r = hd_sriov_set_numvfs(ctx, p.addr, p.numvfs,
                                p.autoprobe == 0 ? HD_SRIOV_NO_AUTOPROBE : p.autoprobe == 1 ? HD_SRIOV_AUTOPROBE : 0, 0,
                                NULL, NULL);
        if (r < 0)
                return failed(ctx, t, r, p.addr);
        printf("%s: %u VFs (it had %u)\n", p.addr, p.numvfs, had);
        t->changed++;
}

/* ADDR kept on its stub (pci file): detached when it is not, recorded when it is on the stub unrecorded. */
static void apply_pci(struct hd_context *ctx, const char *addr, struct tally *t) {
        struct hd_persist p = {};
        struct hd_device *d = NULL;
        struct hd_active *rec = NULL;
        char *had = NULL;
        int r = hd_persist_get(ctx, HD_PERSIST_PCI, addr, &p);

        if (r == -ENOENT)
                return;
        if (r < 0)
                return failed(ctx, t, r, addr);
        r = hd_device_lookup(ctx, p.addr, &d);
        if (r == -ENOENT || r == -ENODEV) {
                fprintf(stderr, "hostdev: note: %s is not here; the udev rule puts it on %s when it appears\n", p.addr,
                        p.driver);
                goto out;
        }
        if (r < 0) {
                failed(ctx, t, r, p.addr);
                goto out;
        }
        had = d->driver ? strdup(d->driver) : NULL;
        if (d->driver && !had) {
                failed(ctx, t, -ENOMEM, p.addr);
                goto out;
        }
        if (hd_active_get(ctx, "pci", p.addr, &rec) >= 0) {
                if (streq_ptr(had, p.driver))
                        goto out; /* detached and recorded: in place */
                if (streq_ptr(rec->state, "detached")) {
                        /*
                         * Recorded as detached, yet on another driver or none: the
                         * record is from before a reboot. It goes, with nothing done
                         * to the device (whose host driver may not even be loaded
                         * yet, at udev's add), and the detach below starts afresh.
                         */
                        r = hd_pci_forget_stale(ctx, p.addr);
                        if (r < 0 && r != -ENOENT) {
                                failed(ctx, t, r, p.addr);
                                goto out;
                        }
                }
        }
        r = hd_pci_detach(ctx, p.addr, p.driver, 0);
        if (r < 0) {
                failed(ctx, t, r, p.addr);
                goto out;
        }
        if (streq_ptr(had, p.driver))
                printf("%s: on %s already; now recorded as detached\n", p.addr, p.driver);
        else
                printf("%s: detached to %s (it was on %s)\n", p.addr, p.driver, had ? had : "no driver");
        t->changed++;
out:
        hd_active_free(rec);
        hd_device_free(d);
        free(had);
        hd_persist_done(&p);
}

static void each_file(struct hd_context *ctx, enum hd_persist_kind kind, struct tally *t,
                      void (*apply)(struct hd_context *, const char *, struct tally *)) {
        char **names = NULL;
        int r = hd_persist_list(ctx, kind, &names);

        if (r < 0)
                return failed(ctx, t, r, "reading /etc/hostdev");
        for (char **n = names; *n; n++)
                apply(ctx, *n, t);
        hd_strv_free(names);
}

static void mdev_report(void *userdata, const struct hd_mdev *m, int error, const char *message) {
        struct tally *t = userdata;
        if (error < 0) {
                fprintf(stderr, "hostdev: mdev %s on %s: %s\n", m->uuid, m->parent, message ? message : strerror(-error));
                t->failed++;
        } else {
                printf("mdev %s: started (%s on %s)\n", m->uuid, m->type, m->parent);
                t->changed++;
        }
}

int verb_apply(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "device", required_argument, NULL, 'd' }, { "help", no_argument, NULL, 'h' }, {} };
        const char *device = NULL;
        char addr[20];
        struct tally t = {};
        int c, r;

        while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) >= 0)
                switch (c) {
                case 'd': device = optarg; break;
                case 'h': usage(); return EXIT_OK;
                default: return cli_usage_error("apply", "unknown option");
                }
        if (optind < argc)
                return cli_usage_error("apply", "unexpected argument '%s'", argv[optind]);
        if (device) {
                struct hd_pci_addr a;
                /* The kernel's name, as udev's %k gives it; the short form is taken too, for a person. */
                if (hd_pci_addr_parse(device, &a) < 0)
                        return cli_usage_error("apply", "--device takes a PCI address (0000:01:00.0), not '%s'", device);
                device = hd_pci_addr_format(&a, addr);
        }
        /* VF counts first: a VF kept on its stub exists only once its PF has made it. */
        if (device) {
                apply_sriov(ctx, device, &t);
                apply_pci(ctx, device, &t);
        } else {
                each_file(ctx, HD_PERSIST_SRIOV, &t, apply_sriov);
                each_file(ctx, HD_PERSIST_PCI, &t, apply_pci);
                /* The same code as 'hostdev mdev start-autostart' and its udev rule. */
                r = hd_mdev_start_autostart(ctx, NULL, mdev_report, &t);
                if (r < 0 && t.failed == 0)
                        failed(ctx, &t, r, "starting autostart mediated devices");
        }
        if (t.failed) {
                fprintf(stderr, "hostdev: apply: %u setting%s could not be applied (see above)%s\n", t.failed,
                        t.failed == 1 ? "" : "s", t.changed ? "; the others were" : "");
                return EXIT_FAIL;
        }
        if (!t.changed && !device)
                printf("nothing to change: every setting is in place\n");
        return EXIT_OK;
}
