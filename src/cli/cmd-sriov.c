/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev sriov`: a physical function's virtual functions, shown and set. */
#include <errno.h>
#include <getopt.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void usage(FILE *f) {
        fprintf(f, "Usage: hostdev sriov COMMAND [options]\n\n"
                   "SR-IOV virtual functions of a physical function (PF: 0000:01:00.0 or pci_0000_01_00_0).\n\n"
                   "Commands:\n"
                   "  show PF [-J]                               the PF's limits and its VFs\n"
                   "  set PF N [--no-autoprobe|--autoprobe] [--force] [--timeout SECONDS] [--persistent]\n"
                   "                                             make N VFs (0 removes them); between two\n"
                   "                                             non-zero counts it goes through 0;\n"
                   "                                             --persistent: at every boot too\n"
                   "                                             (/etc/hostdev/sriov/PF, 'hostdev apply')\n");
}

static int cmd_show(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "json", no_argument, NULL, 'J' }, { "help", no_argument, NULL, 'h' }, {} };
        struct hd_sriov_pf *pf = NULL;
        struct libscols_table *tb = NULL;
        bool json = false;
        char a[20];
        int c, r;

        while ((c = getopt_long(argc, argv, "Jh", opts, NULL)) >= 0)
                switch (c) {
                case 'J': json = true; break;
                case 'h': usage(stdout); return EXIT_OK;
                default: return cli_usage_error("sriov", "unknown option");
                }
        if (argc - optind != 1)
                return cli_usage_error("sriov", "show takes the PF");
        r = hd_sriov_get(ctx, argv[optind], &pf);
        if (r < 0)
                return cli_fail(ctx, r, "reading SR-IOV");
        hd_pci_addr_format(&pf->addr, a);
        if (!json)
                printf("PF %s  driver %s  interface %s\nVFs %u of at most %u  autoprobe %s\n", a,
                       pf->driver ? pf->driver : "(none)", pf->ifname ? pf->ifname : "(none)", pf->num_vfs,
                       pf->total_vfs, pf->autoprobe < 0 ? "?" : pf->autoprobe ? "on" : "off");
        tb = scols_new_table();
        if (!tb) {
                r = -ENOMEM;
                goto out;
        }
        scols_table_set_name(tb, "vfs");
        scols_table_enable_json(tb, json);
        if (!scols_table_new_column(tb, "VF", 3, SCOLS_FL_RIGHT) || !scols_table_new_column(tb, "ADDRESS", 12, 0) ||
            !scols_table_new_column(tb, "DRIVER", 0.2, 0) || !scols_table_new_column(tb, "INTERFACE", 0.2, 0)) {
                r = -ENOMEM;
                goto out;
        }
        scols_column_set_json_type(scols_table_get_column(tb, 0), SCOLS_JSON_NUMBER);
        for (size_t i = 0; i < pf->n_vfs; i++) {
                struct libscols_line *ln = scols_table_new_line(tb, NULL);
                char idx[16], va[20];
                snprintf(idx, sizeof(idx), "%u", pf->vfs[i].index);
                if (!ln || scols_line_set_data(ln, 0, idx) < 0 ||
                    scols_line_set_data(ln, 1, hd_pci_addr_format(&pf->vfs[i].addr, va)) < 0 ||
                    scols_line_set_data(ln, 2, pf->vfs[i].driver) < 0 || scols_line_set_data(ln, 3, pf->vfs[i].ifname) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
        }
        if (json || pf->n_vfs > 0)
                scols_print_table(tb);
out:
        scols_unref_table(tb);
        hd_sriov_pf_free(pf);
        return r < 0 ? cli_fail(ctx, r, "showing SR-IOV") : EXIT_OK;
}

static void progress(void *userdata, unsigned have, unsigned want, unsigned elapsed_ms) {
        /* A line now and then while the kernel works, on a terminal only. */
        unsigned *last = userdata;
        if (!isatty(STDERR_FILENO) || elapsed_ms - *last < 1000)
                return;
        *last = elapsed_ms;
        fprintf(stderr, "\rwaiting for VFs: %u of %u after %u s", have, want, elapsed_ms / 1000);
}

/*
 * sriov set --persistent: the count is kept for the boot (0, the kernel's
 * own count at boot, removes the file). The VFs are made first, so only a
 * count that worked is kept.
 */
static int set_persistent(struct hd_context *ctx, const char *spec, unsigned n, int autoprobe) {
        _cleanup_free_ char *dir = hd_persist_dir(ctx, HD_PERSIST_SRIOV);
        char addr[20];
        int r = cli_pci_address(ctx, spec, addr);

        if (r < 0)
                return EXIT_FAIL;
        r = n ? hd_persist_set_numvfs(ctx, addr, n, autoprobe) : hd_persist_remove(ctx, HD_PERSIST_SRIOV, addr);
        if (r < 0 && r != -ENOENT) {
                fprintf(stderr, "hostdev: %s; %s has %u VFs now, but the boot will not know\n",
                        hd_context_last_error(ctx) ? hd_context_last_error(ctx) : strerror(-r), addr, n);
                return EXIT_FAIL;
        }
        if (n)
                printf("%s: %u VFs, at every boot too (%s/%s)\n", addr, n, dir ? dir : "/etc/hostdev/sriov", addr);
        else
                printf("%s: no VFs, and none made at boot\n", addr);
        return EXIT_OK;
}

static int cmd_set(struct hd_context *ctx, int argc, char **argv) {
        enum { OPT_NO_AUTOPROBE = 0x100, OPT_AUTOPROBE, OPT_FORCE, OPT_TIMEOUT, OPT_PERSISTENT };
        static const struct option opts[] = {
                { "no-autoprobe", no_argument, NULL, OPT_NO_AUTOPROBE }, { "autoprobe", no_argument, NULL, OPT_AUTOPROBE },
                { "force", no_argument, NULL, OPT_FORCE }, { "timeout", required_argument, NULL, OPT_TIMEOUT },
                { "persistent", no_argument, NULL, OPT_PERSISTENT }, { "help", no_argument, NULL, 'h' }, {},
        };
        unsigned flags = 0, timeout_ms = 0, last = 0;
        bool persistent = false;
        unsigned long n;
        char *end;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case OPT_NO_AUTOPROBE: flags |= HD_SRIOV_NO_AUTOPROBE; break;
                case OPT_AUTOPROBE: flags |= HD_SRIOV_AUTOPROBE; break;
                case OPT_FORCE: flags |= HD_SRIOV_FORCE; break;
                case OPT_PERSISTENT: persistent = true; break;
                case OPT_TIMEOUT: {
                        unsigned long t = strtoul(optarg, &end, 10);
                        if (*end || t == 0 || t > 3600)
                                return cli_usage_error("sriov", "--timeout takes seconds (1 to 3600), not '%s'", optarg);
                        timeout_ms = (unsigned)t * 1000;
                        break;
                }
                case 'h': usage(stdout); return EXIT_OK;
                default: return cli_usage_error("sriov", "unknown option");
                }
        if ((flags & HD_SRIOV_NO_AUTOPROBE) && (flags & HD_SRIOV_AUTOPROBE))
                return cli_usage_error("sriov", "--autoprobe or --no-autoprobe, not both");
        if (argc - optind != 2)
                return cli_usage_error("sriov", "set takes the PF and a number of VFs");
        n = strtoul(argv[optind + 1], &end, 10);
        if (*end || end == argv[optind + 1] || n > 65535)
                return cli_usage_error("sriov", "'%s' is not a number of VFs", argv[optind + 1]);
        r = hd_sriov_set_numvfs(ctx, argv[optind], (unsigned)n, flags, timeout_ms, progress, &last);
        if (last)
                fputc('\n', stderr);
        if (r < 0)
                return cli_fail(ctx, r, "setting the VFs");
        /* --no-autoprobe and --autoprobe are kept too: VFs meant for vfio-pci are made without drivers at boot. */
        return persistent ? set_persistent(ctx, argv[optind], (unsigned)n,
                                           flags & HD_SRIOV_NO_AUTOPROBE ? 0 : flags & HD_SRIOV_AUTOPROBE ? 1 : -1)
                          : EXIT_OK;
}

int verb_sriov(struct hd_context *ctx, int argc, char **argv) {
        const char *cmd;

        if (argc < 2) {
                usage(stderr);
                return EXIT_USAGE;
        }
        cmd = argv[1];
        if (streq(cmd, "-h") || streq(cmd, "--help") || streq(cmd, "help")) {
                usage(stdout);
                return EXIT_OK;
        }
        argc--;
        argv++;
        optind = 0;
        if (streq(cmd, "show"))
                return cmd_show(ctx, argc, argv);
        if (streq(cmd, "set"))
                return cmd_set(ctx, argc, argv);
        return cli_usage_error("sriov", "unknown command '%s'", cmd);
}
