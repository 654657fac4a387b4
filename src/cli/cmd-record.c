/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev record DIR|FILE.tar`: copy the sysfs files hostdev reads, for --sysroot and bug reports. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static void usage(void) {
        printf("Usage: hostdev record DIR|FILE.tar\n\n"
               "Copy exactly the sysfs files and links hostdev reads into a new folder (or a tar\n"
               "archive), so that 'hostdev --sysroot DIR ...' describes this host as it is now.\n"
               "Read-only; never follows a link out of sysfs.\n");
}

int verb_record(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, {} };
        int c, r;

        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
                if (c == 'h') {
                        usage();
                        return EXIT_OK;
                }
                return cli_usage_error("record", "unknown option");
        }
        if (optind != argc - 1)
                return cli_usage_error("record", "give one folder or FILE.tar");
        r = hd_record(ctx, argv[optind]);
        if (r < 0)
                return cli_fail(ctx, r, "record");
        fprintf(stderr, "recorded into %s\n", argv[optind]);
        return EXIT_OK;
}
