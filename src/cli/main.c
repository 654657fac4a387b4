/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostdev: global options, then one verb from the table. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct verb verbs[] = {
        { "list", "list the host's devices, as a table, a tree or JSON", verb_list },
        { "show", "everything about one device, as text, libvirt XML or JSON", verb_show },
        { "iommu", "IOMMU groups, their members, and whether each can go to a guest", verb_iommu },
        { "detach", "give a PCI device (or its IOMMU group) to vfio-pci", verb_detach },
        { "reattach", "give a detached PCI device back to its driver", verb_reattach },
        { "reset", "reset a PCI function, refusing a bus reset that hits others", verb_reset },
        { "check", "whether a PCI device can be passed through now, and what to do if not", verb_check },
        { "recover", "finish or undo what a killed hostdev left half done", verb_recover },
        { "prepare", "give every device of a VM's domain XML to it, or none", verb_prepare },
        { "release", "give back what a VM holds, restoring drivers, MACs and mdevs", verb_release },
        { "claim", "record a libvirt VM's devices as its own, touching nothing (libvirt's hook)", verb_claim },
        { "unclaim", "drop what 'claim' recorded for a VM", verb_unclaim },
        { "active", "who holds which device, since when, and what release restores", verb_active },
        { "qemu-args", "the QEMU -device options for a VM's prepared devices", verb_qemu_args },
        { "run", "prepare a VM's devices, run its launcher with them, give them back after", verb_run },
        { "record", "copy the sysfs files hostdev reads, for --sysroot and bug reports", verb_record },
        { "monitor", "one line per device event: add, remove, change, bind, unbind", verb_monitor },
        { "mdev", "mediated devices: types, create, remove, define, start, stop, autostart", verb_mdev },
        { "sriov", "SR-IOV: show a PF's virtual functions, set how many there are", verb_sriov },
        { "vhba", "NPIV: create and destroy virtual Fibre Channel HBAs", verb_vhba },
        { "create", "make a vHBA or mediated device from libvirt node device XML", verb_create },
        { "apply", "apply the settings kept in /etc/hostdev, as the boot does", verb_apply },
};

static void usage(FILE *f) {
        fprintf(f, "Usage: hostdev [--sysroot DIR] [--state-dir DIR] VERB [ARGS]\n\n"
                   "Manage a Linux host's devices for virtual machines.\n\nVerbs:\n");
        for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
                fprintf(f, "  %-9s %s\n", verbs[i].name, verbs[i].help);
        fprintf(f, "\nOptions:\n"
                   "  --sysroot DIR    read sysfs and /dev below DIR (a tree from 'hostdev record')\n"
                   "  --state-dir DIR  keep the in-use state in DIR (default /var/lib/hostdev)\n"
                   "  -h, --help       this help; 'hostdev VERB --help' for a verb's\n"
                   "  -V, --version    the version\n\nSee hostdev(1).\n");
}

int cli_fail(struct hd_context *ctx, int r, const char *what) {
        const char *msg = hd_context_last_error(ctx);
        if (msg)
                fprintf(stderr, "hostdev: %s\n", msg);
        else
                fprintf(stderr, "hostdev: %s: %s\n", what, strerror(-r));
        return EXIT_FAIL;
}

int cli_usage_error(const char *verb, const char *fmt, ...) {
        va_list ap;
        fprintf(stderr, "hostdev %s: ", verb);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nTry 'hostdev %s --help'.\n", verb);
        return EXIT_USAGE;
}

/*
 * The environment, read here and only here (the library reads none), with
 * secure_getenv(): a set-user-ID hostdev ignores it. Options given on the
 * command line win over it. *RET_BAD_ENV_SYSROOT: HOSTDEV_SYSROOT, when it
 * is what failed.
 */
static int context_from_env(struct hd_context *ctx, const char *sysroot, const char *state_dir,
                            const char **ret_bad_env_sysroot) {
        const char *e, *env_sysroot = NULL;
        int r = 0;

        *ret_bad_env_sysroot = NULL;
        if (!sysroot && !isempty(e = secure_getenv("HOSTDEV_SYSROOT")))
                sysroot = env_sysroot = e;
        if (!state_dir && !isempty(e = secure_getenv("HOSTDEV_STATE_DIR")))
                state_dir = e;
        if (sysroot && (r = hd_context_set_sysroot(ctx, sysroot)) < 0) {
                *ret_bad_env_sysroot = env_sysroot;
                return r;
        }
        if (state_dir)
                r = hd_context_set_state_dir(ctx, state_dir);
        if (r >= 0 && !isempty(e = secure_getenv("HOSTDEV_IDS_DIR")))
                r = hd_context_set_ids_dir(ctx, e);
        if (r >= 0 && !isempty(e = secure_getenv("HOSTDEV_MDEVCTL_DIR")))
                r = hd_context_set_mdev_config_dir(ctx, e);
        return r;
}

/* What the library said besides the verb's own output and errors (a VF's MAC it could not put back ...). */
static void print_notices(struct hd_context *ctx) {
        char **v = hd_context_take_notices(ctx);
        for (char **s = v; s && *s; s++)
                fprintf(stderr, "hostdev: note: %s\n", *s);
        hd_strv_free(v);
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "sysroot", required_argument, NULL, 'R' },
                { "state-dir", required_argument, NULL, 'S' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        const char *sysroot = NULL, *state_dir = NULL, *env_sysroot;
        struct hd_context *ctx = NULL;
        int c, r, ret;

        /* '+': stop at the verb, its options are its own. */
        while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) >= 0) {
                switch (c) {
                case 'R':
                        sysroot = optarg;
                        break;
                case 'S':
                        state_dir = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_OK;
                case 'V':
                        printf("hostdev %s\n", HOSTDEV_VERSION);
                        return EXIT_OK;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        }
        if (optind >= argc) {
                usage(stderr);
                return EXIT_USAGE;
        }
        r = hd_context_new(&ctx);
        if (r < 0) {
                fprintf(stderr, "hostdev: starting: %s\n", strerror(-r));
                return EXIT_FAIL;
        }
        r = context_from_env(ctx, sysroot, state_dir, &env_sysroot);
        if (r < 0 && r != -ENOMEM && env_sysroot) {
                /* The library's message names the folder; say where it came from and what to do. */
                fprintf(stderr, "hostdev: HOSTDEV_SYSROOT='%s': %s; give a folder recorded with 'hostdev record', "
                                "or unset it\n",
                        env_sysroot, r == -ENOTDIR ? "it has no sys/ folder" : strerror(-r));
                hd_context_free(ctx);
                return EXIT_FAIL;
        }
        if (r < 0) {
                ret = cli_fail(ctx, r, "starting");
                hd_context_free(ctx);
                return ret;
        }
        for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
                if (strcmp(verbs[i].name, argv[optind]) == 0) {
                        /* The verb sees argv[0] = its name, as getopt wants. */
                        optind++;
                        argv += optind - 1;
                        argc -= optind - 1;
                        optind = 0;
                        ret = verbs[i].run(ctx, argc, argv);
                        print_notices(ctx);
                        hd_context_free(ctx);
                        return ret;
                }
        fprintf(stderr, "hostdev: unknown verb '%s'; see 'hostdev --help'\n", argv[optind]);
        hd_context_free(ctx);
        return EXIT_USAGE;
}
