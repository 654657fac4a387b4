/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev show DEV`: one device, found without enumerating the host, as text, XML or JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "columns.h"

static void usage(void) {
        printf("Usage: hostdev show [--xml | --json] DEV\n\n"
               "Everything about one device. DEV is a libvirt name (pci_0000_01_00_0), a PCI\n"
               "address (0000:01:00.0 or 01:00.0), a sysfs path, a network interface, an mdev\n"
               "UUID, scsi_hostN, a USB BUS:DEVICE, or WWNN,WWPN of a Fibre Channel HBA.\n\n"
               "Options:\n"
               " -x, --xml    libvirt's node device XML (as virsh nodedev-dumpxml)\n"
               " -J, --json   one JSON object\n"
               " -h, --help   this help\n");
}

/* Text for a person: every column that has a value for this device. */
static void print_text(const struct hd_device *d) {
        for (size_t i = 0; i < n_columns; i++) {
                _cleanup_free_ char *v = columns[i].get(d);
                if (v && *v)
                        printf("%-12s %s\n", columns[i].name, v);
        }
        for (size_t i = 0; i < d->n_devnodes; i++)
                if (d->devnodes[i].type == HD_DEVNODE_LINK)
                        printf("%-12s %s\n", "LINK", d->devnodes[i].path);
}

int verb_show(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = {
                { "xml", no_argument, NULL, 'x' },
                { "json", no_argument, NULL, 'J' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct hd_device *d = NULL;
        _cleanup_free_ char *out = NULL;
        bool xml = false, json = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "xJh", opts, NULL)) >= 0) {
                switch (c) {
                case 'x': xml = true; break;
                case 'J': json = true; break;
                case 'h': usage(); return EXIT_OK;
                default: return cli_usage_error("show", "unknown option");
                }
        }
        if (xml && json)
                return cli_usage_error("show", "--xml and --json exclude each other");
        if (optind != argc - 1)
                return cli_usage_error("show", optind >= argc ? "no device given" : "one device at a time");
        r = hd_device_lookup(ctx, argv[optind], &d);
        if (r < 0)
                return cli_fail(ctx, r, argv[optind]);
        if (xml)
                r = hd_device_to_xml(ctx, d, &out);
        else if (json)
                r = hd_device_to_json(ctx, d, &out);
        if (r < 0) {
                hd_device_free(d);
                return cli_fail(ctx, r, argv[optind]);
        }
        if (out)
                fputs(out, stdout);
        else
                print_text(d);
        hd_device_free(d);
        return EXIT_OK;
}
