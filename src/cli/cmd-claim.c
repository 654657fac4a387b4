/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev claim` and `hostdev unclaim`: a launcher that binds drivers itself (libvirt) records its VM's devices. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static void claim_usage(void) {
        printf("Usage: hostdev claim --owner DRIVER[:DOMAIN] [--uuid UUID] [--again] FILE\n\n"
               "Record every <hostdev> and <interface type='hostdev'> of a domain (FILE, libvirt domain\n"
               "XML, '-' for standard input) as held by the owner, without touching sysfs: the launcher\n"
               "(libvirt) binds the drivers itself. All or none: a device another owner holds is refused,\n"
               "naming it, with exit status 3. libvirt's hook runs this before a VM starts.\n\n"
               "Options:\n"
               " -o, --owner DRIVER[:DOMAIN]  who the devices are for (libvirt:NAME); DOMAIN defaults to <name>\n"
               " -u, --uuid UUID              the domain's UUID (default: the XML's <uuid>)\n"
               " -a, --again                  what this owner holds already is no refusal (a reconnect)\n"
               " -h, --help                   this help\n\n"
               "See also: hostdev unclaim, hostdev active.\n");
}

int verb_claim(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = {
                { "owner", required_argument, NULL, 'o' },
                { "uuid", required_argument, NULL, 'u' },
                { "again", no_argument, NULL, 'a' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *owner = NULL, *uuid = NULL;
        struct hd_domain_def *def = NULL;
        struct cli_owner o = {};
        unsigned flags = 0;
        int c, r, ret;

        while ((c = getopt_long(argc, argv, "o:u:ah", opts, NULL)) >= 0) {
                switch (c) {
                case 'o': owner = optarg; break;
                case 'u': uuid = optarg; break;
                case 'a': flags |= HD_MANAGER_AGAIN; break;
                case 'h': claim_usage(); return EXIT_OK;
                default: return cli_usage_error("claim", "unknown option");
                }
        }
        if (optind != argc - 1)
                return cli_usage_error("claim", optind == argc ? "no FILE given ('-' for standard input)"
                                                               : "takes one FILE");
        if (!owner)
                return cli_usage_error("claim", "no owner given: --owner DRIVER:DOMAIN (such as libvirt:vm1)");
        r = cli_read_domain(ctx, argv[optind], &def);
        if (r < 0)
                return cli_fail(ctx, r, argv[optind]);
        ret = cli_owner("claim", owner, uuid, def, &o);
        if (ret == 0) {
                r = hd_manager_claim(ctx, &o.o, def, flags);
                if (r == -EBUSY) {
                        cli_fail(ctx, r, "claim");
                        ret = EXIT_HELD;
                } else if (r < 0)
                        ret = cli_manager_fail(ctx, r, "claim");
                else
                        ret = EXIT_OK;
        }
        cli_owner_done(&o);
        hd_domain_def_free(def);
        return ret;
}

static void unclaim_usage(void) {
        printf("Usage: hostdev unclaim --owner DRIVER:DOMAIN\n\n"
               "Drop every device record 'hostdev claim' made for the owner, without touching sysfs.\n"
               "libvirt's hook runs this after a VM stopped.\n\n"
               "Options:\n"
               " -o, --owner DRIVER:DOMAIN    whose claims (libvirt:NAME)\n"
               " -h, --help                   this help\n");
}

int verb_unclaim(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = {
                { "owner", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *owner = NULL;
        struct cli_owner o = {};
        int c, r, ret;

        while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) >= 0) {
                switch (c) {
                case 'o': owner = optarg; break;
                case 'h': unclaim_usage(); return EXIT_OK;
                default: return cli_usage_error("unclaim", "unknown option");
                }
        }
        if (optind != argc)
                return cli_usage_error("unclaim", "takes no FILE: every claim of the owner goes");
        if (!owner)
                return cli_usage_error("unclaim", "no owner given: --owner DRIVER:DOMAIN (such as libvirt:vm1)");
        ret = cli_owner("unclaim", owner, NULL, NULL, &o);
        if (ret == 0) {
                r = hd_manager_unclaim(ctx, &o.o);
                ret = r < 0 ? cli_manager_fail(ctx, r, "unclaim") : EXIT_OK;
        }
        cli_owner_done(&o);
        return ret;
}
