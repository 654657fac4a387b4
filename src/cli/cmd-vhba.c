/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev vhba`: virtual Fibre Channel HBAs (NPIV) made and removed. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f) {
        fprintf(f, "Usage: hostdev vhba COMMAND [options]\n\n"
                   "NPIV virtual HBAs on a Fibre Channel HBA.\n\n"
                   "Commands:\n"
                   "  create [--parent scsi_hostN | --parent-wwnn W --parent-wwpn P | --fabric-wwn F]\n"
                   "         [--wwnn W --wwpn P] [--timeout SECONDS]\n"
                   "                       make a vHBA (WWNs made up when not given) and print its name\n"
                   "  destroy NAME|WWNN,WWPN\n"
                   "                       remove a vHBA through its HBA's vport_delete\n");
}

static unsigned parse_timeout(const char *s) {
        char *end;
        unsigned long t = strtoul(s, &end, 10);
        return *end || t == 0 || t > 3600 ? 0 : (unsigned)t * 1000;
}

static int cmd_create(struct hd_context *ctx, int argc, char **argv) {
        enum { OPT_PWWNN = 0x100, OPT_PWWPN, OPT_FABRIC, OPT_WWNN, OPT_WWPN, OPT_TIMEOUT };
        static const struct option opts[] = {
                { "parent", required_argument, NULL, 'p' },      { "parent-wwnn", required_argument, NULL, OPT_PWWNN },
                { "parent-wwpn", required_argument, NULL, OPT_PWWPN }, { "fabric-wwn", required_argument, NULL, OPT_FABRIC },
                { "wwnn", required_argument, NULL, OPT_WWNN },   { "wwpn", required_argument, NULL, OPT_WWPN },
                { "timeout", required_argument, NULL, OPT_TIMEOUT }, { "help", no_argument, NULL, 'h' },
                {},
        };
        struct hd_vhba_spec s = { 0 };
        struct hd_vhba v = { 0 };
        unsigned timeout_ms = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) >= 0)
                switch (c) {
                case 'p': s.parent = optarg; break;
                case OPT_PWWNN: s.parent_wwnn = optarg; break;
                case OPT_PWWPN: s.parent_wwpn = optarg; break;
                case OPT_FABRIC: s.parent_fabric_wwn = optarg; break;
                case OPT_WWNN: s.wwnn = optarg; break;
                case OPT_WWPN: s.wwpn = optarg; break;
                case OPT_TIMEOUT:
                        if (!(timeout_ms = parse_timeout(optarg)))
                                return cli_usage_error("vhba", "--timeout takes seconds (1 to 3600), not '%s'", optarg);
                        break;
                case 'h': usage(stdout); return EXIT_OK;
                default: return cli_usage_error("vhba", "unknown option");
                }
        if (optind < argc)
                return cli_usage_error("vhba", "unexpected argument '%s'", argv[optind]);
        if (!!s.parent + !!(s.parent_wwnn || s.parent_wwpn) + !!s.parent_fabric_wwn > 1)
                return cli_usage_error("vhba", "name the parent one way: --parent, --parent-wwnn/--parent-wwpn or --fabric-wwn");
        r = hd_vhba_create(ctx, &s, timeout_ms, &v);
        if (r < 0)
                return cli_fail(ctx, r, "creating the vHBA");
        printf("%s\n", v.name);
        fprintf(stderr, "made %s on %s: wwnn %s wwpn %s\n", v.name, v.parent, v.wwnn, v.wwpn);
        hd_vhba_clear(&v);
        return EXIT_OK;
}

static int cmd_destroy(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "timeout", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' }, {} };
        unsigned timeout_ms = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case 't':
                        if (!(timeout_ms = parse_timeout(optarg)))
                                return cli_usage_error("vhba", "--timeout takes seconds (1 to 3600), not '%s'", optarg);
                        break;
                case 'h': usage(stdout); return EXIT_OK;
                default: return cli_usage_error("vhba", "unknown option");
                }
        if (argc - optind != 1)
                return cli_usage_error("vhba", "destroy takes the vHBA: scsi_hostN or WWNN,WWPN");
        r = hd_vhba_destroy(ctx, argv[optind], timeout_ms);
        return r < 0 ? cli_fail(ctx, r, "destroying the vHBA") : EXIT_OK;
}

int verb_vhba(struct hd_context *ctx, int argc, char **argv) {
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
        if (streq(cmd, "create"))
                return cmd_create(ctx, argc, argv);
        if (streq(cmd, "destroy"))
                return cmd_destroy(ctx, argc, argv);
        return cli_usage_error("vhba", "unknown command '%s'", cmd);
}
