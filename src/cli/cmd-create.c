/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev create FILE.xml`: a device from libvirt's node device XML, as `virsh nodedev-create` makes one. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f) {
        fprintf(f, "Usage: hostdev create FILE.xml\n\n"
                   "Make the device FILE describes (libvirt's node device XML, as virsh nodedev-create takes it):\n"
                   "a vHBA (<capability type='scsi_host'> with <capability type='fc_host'>) or a transient\n"
                   "mediated device (<capability type='mdev'>). Prints the new device's name.\n");
}

static int read_all(const char *path, char **ret, size_t *ret_len) {
        FILE *f = streq(path, "-") ? stdin : fopen(path, "re");
        char *buf = NULL;
        size_t len = 0, cap = 0, n;

        if (!f)
                return -errno;
        do {
                if (len + 4096 > cap) {
                        char *nb = realloc(buf, cap = len + 65536);
                        if (!nb) {
                                free(buf);
                                if (f != stdin)
                                        fclose(f);
                                return -ENOMEM;
                        }
                        buf = nb;
                }
                n = fread(buf + len, 1, cap - len - 1, f);
                len += n;
        } while (n > 0);
        if (f != stdin)
                fclose(f);
        buf[len] = 0;
        *ret = buf;
        *ret_len = len;
        return 0;
}

int verb_create(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, {} };
        _cleanup_free_ char *xml = NULL;
        struct hd_device *d = NULL;
        struct hd_cap *m;
        size_t len = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case 'h': usage(stdout); return EXIT_OK;
                default: return cli_usage_error("create", "unknown option");
                }
        if (argc - optind != 1)
                return cli_usage_error("create", "give one XML file ('-' for standard input)");
        r = read_all(argv[optind], &xml, &len);
        if (r < 0) {
                fprintf(stderr, "hostdev: cannot read %s: %s\n", argv[optind], strerror(-r));
                return EXIT_FAIL;
        }
        r = hd_device_from_xml(ctx, xml, len, &d);
        if (r < 0)
                return cli_fail(ctx, r, "reading the XML");
        m = hd_device_get_cap(d, HD_CAP_MDEV);
        if (m) {
                /* nodedev-create of an mdev: a transient instance. */
                char uuid[37];
                const char *parent = m->mdev.parent_addr ? m->mdev.parent_addr : d->parent_name;
                if (!parent)
                        r = cli_usage_error("create", "the mediated device needs a <parent>");
                else if ((r = hd_mdev_create(ctx, parent, m->mdev.type, m->mdev.uuid, m->mdev.attrs, m->mdev.n_attrs,
                                             uuid)) < 0)
                        r = cli_fail(ctx, r, "creating the mediated device");
                else {
                        printf("%s\n", uuid);
                        r = EXIT_OK;
                }
                hd_device_free(d);
                return r;
        }
        hd_device_free(d);
        {
                struct hd_vhba v = { 0 };
                r = hd_vhba_create_xml(ctx, xml, len, 0, &v);
                if (r < 0)
                        return cli_fail(ctx, r, "creating the vHBA");
                printf("%s\n", v.name);
                hd_vhba_clear(&v);
        }
        return EXIT_OK;
}
