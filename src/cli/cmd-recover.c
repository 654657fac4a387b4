/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev recover`: finish or undo what a killed hostdev process left half done. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static void usage(void) {
        printf("Usage: hostdev recover [-J]\n\n"
               "Finish or undo every operation a process left open when it was killed or crashed: an\n"
               "interrupted detach or prepare is undone, an interrupted reattach or release is finished,\n"
               "so no device stays half bound and no record names an owner who never got its device.\n"
               "Running it again changes nothing. Every detach, reattach, reset, prepare and release\n"
               "does this first by itself.\n\n"
               "Options:\n"
               " -J, --json   JSON output\n"
               " -h, --help   this help\n");
}

int verb_recover(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = {
                { "json", no_argument, NULL, 'J' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct hd_report *rep = NULL;
        bool json = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "Jh", opts, NULL)) >= 0) {
                switch (c) {
                case 'J': json = true; break;
                case 'h': usage(); return EXIT_OK;
                default: return cli_usage_error("recover", "unknown option");
                }
        }
        if (optind != argc)
                return cli_usage_error("recover", "takes no device");
        r = hd_recover(ctx, &rep);
        if (rep && json)
                cli_print_report_json(rep);
        else if (rep && rep->n_items == 0)
                printf("nothing to recover\n");
        else if (rep) {
                printf("%zu interrupted operation%s:\n", rep->n_items, rep->n_items == 1 ? "" : "s");
                cli_print_report(rep);
        }
        hd_report_free(rep);
        return r < 0 ? cli_fail(ctx, r, "recover") : EXIT_OK;
}
