/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev qemu-args`: the QEMU options for a domain's prepared devices, for running QEMU by hand. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(void) {
        printf("Usage: hostdev qemu-args [--owner DRIVER[:DOMAIN]] [--no-controllers] [--iommufd] [-0] FILE\n\n"
               "Print the QEMU options for the devices of FILE (libvirt domain XML, '-' for standard input)\n"
               "as they are prepared now ('hostdev prepare'), as libvirt would give them: first the USB and\n"
               "SCSI controllers the devices are on (the XML's, or the machine's default), then -device\n"
               "vfio-pci,host=... for PCI devices and VFs, vfio-pci/vfio-ccw/vfio-ap,sysfsdev=... for mediated\n"
               "devices, usb-host,hostbus=,hostaddr= for USB devices where they are now, -drive +\n"
               "scsi-generic for SCSI LUNs; ids are libvirt's (hostdevN). A device that is not prepared is an\n"
               "error; one with <address type='unassigned'/> is left out. Each option and its value are\n"
               "printed on one line, quoted for a shell when needed: $(hostdev qemu-args vm.xml) works.\n"
               "With --iommufd (or <driver iommufd='yes'/> on a device) QEMU opens the device's VFIO cdev\n"
               "(/dev/vfio/devices/vfioN) through -object iommufd,id=iommufd0 instead of its group; the host\n"
               "needs /dev/iommu and the device a cdev (see 'hostdev check', 'hostdev show').\n\n"
               "Options:\n"
               " -o, --owner DRIVER[:DOMAIN]  the devices must be this owner's (DOMAIN: the XML's <name>)\n"
               " -n, --no-controllers         leave the controllers out (the command line has its own)\n"
               "     --iommufd                every VFIO device through iommufd; iommufd='no' on one still wins\n"
               " -0, --null                   one argument per NUL-terminated string, for xargs -0\n"
               " -h, --help                   this help\n");
}

/* Quoted for a shell only when it must be. */
static void print_word(const char *w) {
        if (w[strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=,.:/+@%")] == 0 && *w) {
                fputs(w, stdout);
                return;
        }
        putchar('\'');
        for (; *w; w++)
                if (*w == '\'')
                        fputs("'\\''", stdout);
                else
                        putchar(*w);
        putchar('\'');
}

int verb_qemu_args(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = {
                { "owner", required_argument, NULL, 'o' },
                { "null", no_argument, NULL, '0' },
                { "no-controllers", no_argument, NULL, 'n' },
                { "iommufd", no_argument, NULL, 'I' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *owner = NULL;
        struct hd_domain_def *def = NULL;
        struct cli_owner o = {};
        char **args = NULL;
        bool nul = false;
        unsigned flags = 0;
        int c, r, ret = EXIT_OK;

        while ((c = getopt_long(argc, argv, "o:n0h", opts, NULL)) >= 0) {
                switch (c) {
                case 'o': owner = optarg; break;
                case 'n': flags |= HD_QEMU_ARGS_NO_CONTROLLERS; break;
                case 'I': flags |= HD_QEMU_ARGS_IOMMUFD; break;
                case '0': nul = true; break;
                case 'h': usage(); return EXIT_OK;
                default: return cli_usage_error("qemu-args", "unknown option");
                }
        }
        if (optind != argc - 1)
                return cli_usage_error("qemu-args", optind == argc ? "no FILE given ('-' for standard input)"
                                                                   : "takes one FILE");
        r = cli_read_domain(ctx, argv[optind], &def);
        if (r < 0)
                return cli_fail(ctx, r, argv[optind]);
        if (owner)
                ret = cli_owner("qemu-args", owner, NULL, def, &o);
        if (ret == 0) {
                r = hd_manager_qemu_args(ctx, owner ? &o.o : NULL, def, flags, &args);
                if (r < 0)
                        ret = cli_fail(ctx, r, "qemu-args");
                else
                        for (char **a = args; a && *a; a += 2) {
                                if (nul) {
                                        fputs(a[0], stdout);
                                        putchar(0);
                                        fputs(a[1], stdout);
                                        putchar(0);
                                        continue;
                                }
                                print_word(a[0]);
                                putchar(' ');
                                print_word(a[1]);
                                putchar('\n');
                        }
        }
        hd_strv_free(args);
        cli_owner_done(&o);
        hd_domain_def_free(def);
        return ret;
}
