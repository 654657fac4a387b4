/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev detach`, `reattach` and `reset`: one PCI device (or its IOMMU group) to a stub driver and back. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/*
 * DEV as a person gives it (a PCI address, a libvirt name, a network
 * interface ...) to the PCI function it is or sits on: a netdev's or a
 * virtio device's parent is looked up until a PCI function is found.
 */
int cli_pci_address(struct hd_context *ctx, const char *spec, char addr[static 20]) {
        struct hd_device *d = NULL;
        int r = hd_device_lookup(ctx, spec, &d);

        for (int depth = 0; r >= 0 && depth < 8; depth++) {
                struct hd_cap *pci = hd_device_get_cap(d, HD_CAP_PCI);
                enum hd_cap_type main_cap = hd_device_main_cap(d);
                char *parent;

                if (pci) {
                        hd_pci_addr_format(&pci->pci.addr, addr);
                        hd_device_free(d);
                        return 0;
                }
                /* A network interface (or the virtio device under it) stands for its PCI function. */
                if (depth == 0 && main_cap != HD_CAP_NET) {
                        const char *cap = hd_cap_type_to_string(main_cap);
                        hd_device_free(d);
                        fprintf(stderr,
                                "hostdev: %s is a%s %s device, not a PCI function; give a PCI address, a "
                                "pci_* name or a network interface\n",
                                spec, cap && strchr("aeiou", cap[0]) ? "n" : "", cap ? cap : "non-PCI");
                        return -EINVAL;
                }
                parent = d->parent_name ? strdup(d->parent_name) : NULL;
                hd_device_free(d);
                d = NULL;
                if (!parent || streq(parent, "computer")) {
                        free(parent);
                        break;
                }
                r = hd_device_lookup(ctx, parent, &d);
                free(parent);
        }
        if (r < 0) {
                (void)cli_fail(ctx, r, spec);
                return r;
        }
        hd_device_free(d);
        fprintf(stderr, "hostdev: %s sits on no PCI function\n", spec);
        return -ENODEV;
}

/* Failures of the manager: its message, and a word about root when the kernel or the store said EACCES. */
static int manager_fail(struct hd_context *ctx, int r, const char *what) {
        const char *m = hd_context_last_error(ctx);
        if ((r == -EACCES || r == -EPERM) && (!m || !strstr(m, "root")) && geteuid() != 0) {
                fprintf(stderr, "hostdev: %s: %s; this needs root (sudo hostdev ...)\n", what,
                        m ? m : strerror(-r));
                return EXIT_FAIL;
        }
        return cli_fail(ctx, r, what);
}

static void detach_usage(void) {
        printf("Usage: hostdev detach [--driver NAME] [--group] [--force] [--persistent] DEV\n\n"
               "Give a PCI device to a stub driver (vfio-pci), so a guest can have it: the driver is\n"
               "set through driver_override, the device unbound and probed again, and checked to be\n"
               "on the stub. hostdev records the driver it had, which 'hostdev reattach' gives back.\n"
               "DEV is a PCI address (0000:01:00.0, 01:00.0), a pci_* name or a network interface.\n\n"
               "Bridges are refused, and so is a device the host runs on (a mounted filesystem, swap,\n"
               "the default route) unless --force.\n\n"
               "Options:\n"
               " -d, --driver NAME  the stub driver (default vfio-pci; pci-stub works too)\n"
               " -g, --group        every endpoint of the device's IOMMU group, or none\n"
               " -f, --force        take it even if the host runs on it\n"
               " -p, --persistent   keep it on the stub across reboots too (/etc/hostdev/pci/ADDRESS,\n"
               "                    applied at boot by 'hostdev apply')\n"
               " -h, --help         this help\n");
}

static void reattach_usage(void) {
        printf("Usage: hostdev reattach [--group] [--persistent] DEV\n\n"
               "Give a detached PCI device back to the driver it had (or let the kernel choose one):\n"
               "driver_override is cleared, the device unbound from the stub and probed again.\n"
               "A device a guest holds is refused.\n\n"
               "Options:\n"
               " -g, --group        every member of the IOMMU group that hostdev detached\n"
               " -p, --persistent   and no longer at boot: its /etc/hostdev/pci file goes\n"
               " -h, --help         this help\n");
}

static void reset_usage(void) {
        printf("Usage: hostdev reset [--method METHOD] [--owner DRIVER:DOMAIN] [--force] DEV\n\n"
               "Reset a PCI function through the kernel (its 'reset' attribute, by the methods in\n"
               "'reset_method'). A bus reset is refused when it would also reset a device that\n"
               "another owner holds, that a host driver has, or that the host runs on.\n\n"
               "Options:\n"
               " -m, --method METHOD        this reset only by METHOD (flr, pm, bus, acpi, af_flr,\n"
               "                            device_specific, cxl_bus); reset_method is put back after\n"
               " -o, --owner DRIVER:DOMAIN  reset on behalf of this owner (its devices may be hit)\n"
               " -f, --force                reset even if the host runs on it\n"
               " -h, --help                 this help\n");
}

static const struct option opts[] = {
        { "driver", required_argument, NULL, 'd' },
        { "group", no_argument, NULL, 'g' },
        { "force", no_argument, NULL, 'f' },
        { "owner", required_argument, NULL, 'o' },
        { "method", required_argument, NULL, 'm' },
        { "persistent", no_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        {},
};

/* Options common to the three verbs; each accepts only its own. */
static int parse(const char *verb, const char *accepted, int argc, char **argv, const char **ret_driver,
                 unsigned *ret_flags, const char **ret_owner, bool *ret_persistent, void (*usage)(void)) {
        int c;
        while ((c = getopt_long(argc, argv, "d:gfo:m:ph", opts, NULL)) >= 0) {
                if (c != '?' && !strchr(accepted, c)) {
                        const char *name = "?";
                        for (const struct option *o = opts; o->name; o++)
                                if (o->val == c)
                                        name = o->name;
                        return cli_usage_error(verb, "--%s does not apply to %s", name, verb);
                }
                switch (c) {
                case 'd': *ret_driver = optarg; break;
                case 'g': *ret_flags |= HD_PCI_GROUP; break;
                case 'f': *ret_flags |= HD_PCI_FORCE; break;
                case 'o': *ret_owner = optarg; break;
                case 'm': *ret_driver = optarg; break; /* reset's only: its method */
                case 'p': *ret_persistent = true; break;
                case 'h': usage(); return -1;
                default: return cli_usage_error(verb, "unknown option");
                }
        }
        if (optind != argc - 1)
                return cli_usage_error(verb, optind >= argc ? "no device given" : "one device at a time");
        /*
         * A boot applies one file per device, with no --group or --force to
         * weigh: a setting the boot would refuse is refused now.
         */
        if (*ret_persistent && (*ret_flags & (HD_PCI_GROUP | HD_PCI_FORCE)))
                return cli_usage_error(verb, "--persistent is for one device the host does not run on: not with --%s",
                                       *ret_flags & HD_PCI_GROUP ? "group (give each member)" : "force");
        return 0;
}

/* The members of ADDR's group that hostdev now records, for the message after --group. */
static void print_group_records(struct hd_context *ctx, const char *addr, const char *verb) {
        struct hd_pci_addr a;
        struct hd_iommu_group *g = NULL;
        int n;

        if (hd_pci_addr_parse(addr, &a) < 0 || hd_iommu_group_of(ctx, &a, &n) < 0 ||
            hd_iommu_group_get(ctx, n, &g) < 0)
                return;
        for (size_t i = 0; i < g->n_members; i++) {
                char m[20];
                struct hd_active *rec = NULL;
                hd_pci_addr_format(&g->members[i].addr, m);
                if (hd_active_get(ctx, "pci", m, &rec) >= 0) {
                        printf("%s: %s (on %s; had %s)\n", m, verb, g->members[i].driver ? g->members[i].driver : "no driver",
                               rec->orig_driver ? rec->orig_driver : "no driver");
                        hd_active_free(rec);
                } else if (!g->members[i].is_bridge)
                        printf("%s: on %s\n", m, g->members[i].driver ? g->members[i].driver : "no driver");
        }
        hd_iommu_group_free(g);
}

/*
 * detach --persistent: the device is detached (or was, by hostdev), then its
 * file written with the stub it is on; a file that cannot be written takes
 * back a detach made just now, so nothing is half done.
 */
static int detach_persistent(struct hd_context *ctx, const char *addr, const char *driver) {
        struct hd_active *rec = NULL;
        _cleanup_free_ char *dir = NULL, *stub = NULL;
        bool was_detached = false;
        int r = hd_pci_detach(ctx, addr, driver, 0);

        if (r == -EBUSY && hd_active_get(ctx, "pci", addr, &rec) >= 0) {
                was_detached = streq(rec->state, "detached") && (!driver || streq(driver, rec->stub_driver));
                hd_active_free(rec);
                rec = NULL;
        }
        if (r < 0 && !was_detached)
                return manager_fail(ctx, r, addr);
        if (hd_active_get(ctx, "pci", addr, &rec) < 0 || !rec->stub_driver)
                return cli_fail(ctx, -EIO, addr);
        stub = strdup(rec->stub_driver);
        hd_active_free(rec);
        if (!stub)
                return cli_fail(ctx, -ENOMEM, addr);
        r = hd_persist_set_driver(ctx, addr, stub);
        if (r < 0) {
                fprintf(stderr, "hostdev: %s\n", hd_context_last_error(ctx) ? hd_context_last_error(ctx) : strerror(-r));
                if (!was_detached && hd_pci_reattach(ctx, addr, 0) >= 0)
                        fprintf(stderr, "hostdev: %s is given back to its driver: nothing was changed\n", addr);
                return EXIT_FAIL;
        }
        dir = hd_persist_dir(ctx, HD_PERSIST_PCI);
        printf("%s: %s %s; kept on it at boot (%s/%s); 'hostdev reattach --persistent %s' gives it back for good\n",
               addr, was_detached ? "detached already, to" : "detached to", stub, dir ? dir : "/etc/hostdev/pci", addr,
               addr);
        return EXIT_OK;
}

int verb_detach(struct hd_context *ctx, int argc, char **argv) {
        const char *driver = NULL, *owner = NULL;
        unsigned flags = 0;
        bool persistent = false;
        char addr[20];
        struct hd_active *rec = NULL;
        int r = parse("detach", "dgfph", argc, argv, &driver, &flags, &owner, &persistent, detach_usage);

        if (r != 0)
                return r < 0 ? EXIT_OK : r;
        r = cli_pci_address(ctx, argv[optind], addr);
        if (r < 0)
                return EXIT_FAIL;
        if (persistent)
                return detach_persistent(ctx, addr, driver);
        r = hd_pci_detach(ctx, addr, driver, flags);
        if (r < 0)
                return manager_fail(ctx, r, addr);
        if (flags & HD_PCI_GROUP) {
                print_group_records(ctx, addr, "detached");
                return EXIT_OK;
        }
        if (hd_active_get(ctx, "pci", addr, &rec) >= 0) {
                printf("%s: detached to %s%s%s; 'hostdev reattach %s' gives it back\n", addr,
                       rec->stub_driver ? rec->stub_driver : "its stub",
                       rec->orig_driver ? " from " : " (it had no driver)", rec->orig_driver ? rec->orig_driver : "",
                       addr);
                hd_active_free(rec);
        }
        return EXIT_OK;
}

/* reattach --persistent: the file goes once the device is back (or was never detached); a failed reattach keeps it. */
static int reattach_persistent(struct hd_context *ctx, const char *addr) {
        struct hd_device *d = NULL;
        int r = hd_pci_reattach(ctx, addr, 0);
        bool was_attached = r == -EALREADY;
        _cleanup_free_ char *not_detached = NULL;

        if (r < 0 && !was_attached)
                return manager_fail(ctx, r, addr);
        /* Not detached and not kept either: reattach's own words ("is not detached: it is on e1000e"). */
        if (was_attached && !(not_detached = strdup(hd_context_last_error(ctx) ? hd_context_last_error(ctx) : "")))
                return cli_fail(ctx, -ENOMEM, addr);
        r = hd_persist_remove(ctx, HD_PERSIST_PCI, addr);
        if (r == -ENOENT && was_attached) {
                fprintf(stderr, "hostdev: %s\n", isempty(not_detached) ? "not detached" : not_detached);
                return EXIT_FAIL;
        }
        if (r < 0 && r != -ENOENT) {
                fprintf(stderr, "hostdev: %s%s\n", hd_context_last_error(ctx) ? hd_context_last_error(ctx) : strerror(-r),
                        was_attached ? "" : "; the device is back on its driver, but the boot would detach it again: "
                                            "remove the file by hand");
                return EXIT_FAIL;
        }
        if (hd_device_lookup(ctx, addr, &d) < 0)
                return cli_fail(ctx, -ENODEV, addr);
        printf("%s: %s %s; %s\n", addr, was_attached ? "on" : "back on", d->driver ? d->driver : "no driver (none took it)",
               r == -ENOENT ? "it had no setting for the boot" : "no longer detached at boot");
        hd_device_free(d);
        return EXIT_OK;
}

int verb_reattach(struct hd_context *ctx, int argc, char **argv) {
        const char *driver = NULL, *owner = NULL;
        unsigned flags = 0;
        bool persistent = false;
        char addr[20];
        struct hd_device *d = NULL;
        int r = parse("reattach", "gph", argc, argv, &driver, &flags, &owner, &persistent, reattach_usage);

        if (r != 0)
                return r < 0 ? EXIT_OK : r;
        r = cli_pci_address(ctx, argv[optind], addr);
        if (r < 0)
                return EXIT_FAIL;
        if (persistent)
                return reattach_persistent(ctx, addr);
        r = hd_pci_reattach(ctx, addr, flags);
        if (r < 0)
                return manager_fail(ctx, r, addr);
        if (flags & HD_PCI_GROUP)
                print_group_records(ctx, addr, "still detached");
        else if (hd_device_lookup(ctx, addr, &d) >= 0) {
                printf("%s: back on %s\n", addr, d->driver ? d->driver : "no driver (none took it)");
                hd_device_free(d);
        }
        return EXIT_OK;
}

int verb_reset(struct hd_context *ctx, int argc, char **argv) {
        const char *method = NULL, *owner_spec = NULL;
        unsigned flags = 0;
        char addr[20];
        struct hd_owner owner = {};
        _cleanup_free_ char *owner_copy = NULL;
        bool persistent = false;
        int r = parse("reset", "fomh", argc, argv, &method, &flags, &owner_spec, &persistent, reset_usage);

        if (r != 0)
                return r < 0 ? EXIT_OK : r;
        if (owner_spec) {
                char *colon;
                owner_copy = strdup(owner_spec);
                if (!owner_copy)
                        return cli_fail(ctx, -ENOMEM, "reset");
                colon = strchr(owner_copy, ':');
                if (!colon || colon == owner_copy || !colon[1])
                        return cli_usage_error("reset", "--owner takes DRIVER:DOMAIN (qemu:vm1)");
                *colon = 0;
                owner.driver = owner_copy;
                owner.domain = colon + 1;
        }
        r = cli_pci_address(ctx, argv[optind], addr);
        if (r < 0)
                return EXIT_FAIL;
        r = hd_pci_reset_method(ctx, addr, owner_spec ? &owner : NULL, method, flags);
        if (r < 0)
                return manager_fail(ctx, r, addr);
        if (method)
                printf("%s: reset by %s; reset_method is as it was\n", addr, method);
        else
                printf("%s: reset\n", addr);
        return EXIT_OK;
}
