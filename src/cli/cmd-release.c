/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev release`: what an owner holds back to the host, in reverse, managed devices to their drivers. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static void usage(void) {
        printf("Usage: hostdev release --owner DRIVER[:DOMAIN] [--uuid UUID] [--kind KIND,...] [FILE]\n\n"
               "Give back what a virtual machine holds: with FILE (libvirt domain XML, '-' for standard\n"
               "input) the devices it lists, without it every device the owner holds. They go back in\n"
               "the reverse of the order they were taken: managed PCI devices to the drivers they had, a\n"
               "VF's MAC and VLAN as they were, mediated devices hostdev started are stopped, a shared\n"
               "SCSI LUN stays with its other owners. Devices the owner does not hold are left alone.\n\n"
               "Options:\n"
               " -o, --owner DRIVER[:DOMAIN]  whose devices; DOMAIN defaults to the XML's <name>\n"
               " -u, --uuid UUID              the domain's UUID (default: the XML's <uuid>)\n"
               " -k, --kind KIND[,KIND...]    only these kinds: pci, usb, scsi, mdev, net_vf\n"
               " -h, --help                   this help\n");
}

int verb_release(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = {
                { "owner", required_argument, NULL, 'o' },
                { "uuid", required_argument, NULL, 'u' },
                { "kind", required_argument, NULL, 'k' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *owner = NULL, *uuid = NULL;
        struct hd_domain_def *def = NULL;
        struct cli_owner o = {};
        unsigned flags = 0;
        int c, r, ret;

        while ((c = getopt_long(argc, argv, "o:u:k:h", opts, NULL)) >= 0) {
                switch (c) {
                case 'o': owner = optarg; break;
                case 'u': uuid = optarg; break;
                case 'k':
                        if ((r = cli_kinds("release", optarg, &flags)) != 0)
                                return r;
                        break;
                case 'h': usage(); return EXIT_OK;
                default: return cli_usage_error("release", "unknown option");
                }
        }
        if (optind < argc - 1)
                return cli_usage_error("release", "takes at most one FILE");
        if (!owner)
                return cli_usage_error("release", "no owner given: --owner DRIVER:DOMAIN (such as qemu:vm1)");
        if (optind == argc - 1) {
                r = cli_read_domain(ctx, argv[optind], &def);
                if (r < 0)
                        return cli_fail(ctx, r, argv[optind]);
        }
        ret = cli_owner("release", owner, uuid, def, &o);
        if (ret == 0) {
                r = hd_manager_release(ctx, &o.o, def, flags);
                if (r < 0)
                        ret = cli_manager_fail(ctx, r, "release");
                else {
                        if (r == 0)
                                printf("%s:%s holds nothing%s\n", o.o.driver, o.o.domain,
                                       def ? " of these devices" : "");
                        else
                                printf("%s:%s gave back %d device record%s\n", o.o.driver, o.o.domain, r,
                                       r == 1 ? "" : "s");
                        ret = EXIT_OK;
                }
        }
        cli_owner_done(&o);
        hd_domain_def_free(def);
        return ret;
}
