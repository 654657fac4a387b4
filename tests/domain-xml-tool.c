/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helper: parse a domain XML file and print the model again, bare or as a whole domain. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostdev/context.h"
#include "hostdev/domain.h"

static void usage(FILE *f) {
        fputs("usage: domain-xml-tool [--domain] [--name NAME] FILE\n"
              "  --domain     print a whole minimal <domain> (for virt-xml-validate)\n"
              "  --name NAME  the domain's name when FILE has none\n",
              f);
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "domain", no_argument, NULL, 'd' },
                { "name", required_argument, NULL, 'n' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct hd_context *ctx = NULL;
        struct hd_domain_def *def = NULL;
        const char *name = NULL;
        char *xml = NULL;
        bool whole = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "dn:h", opts, NULL)) >= 0) {
                switch (c) {
                case 'd':
                        whole = true;
                        break;
                case 'n':
                        name = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind != argc - 1) {
                usage(stderr);
                return 2;
        }
        if (hd_context_new(&ctx) < 0)
                return 1;
        r = hd_domain_parse_file(ctx, argv[optind], &def);
        if (r >= 0 && name && !def->name && !(def->name = strdup(name)))
                r = -ENOMEM;
        if (r >= 0)
                r = hd_domain_format(ctx, def, whole, &xml);
        if (r < 0) {
                const char *msg = hd_context_last_error(ctx);
                fprintf(stderr, "%s\n", msg ? msg : strerror(-r));
        } else
                fputs(xml, stdout);
        free(xml);
        hd_domain_def_free(def);
        hd_context_free(ctx);
        return r < 0 ? 1 : 0;
}
