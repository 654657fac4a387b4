/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev check DEV`: whether a PCI device can be passed through now, item by item, and what to do. */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>

#include "cli.h"

static void usage(void) {
        printf("Usage: hostdev check [-J] DEV\n\n"
               "Whether a PCI device can go to a guest now, and what to do if not: the IOMMU, the\n"
               "device's IOMMU group and its members' drivers, its driver, its reset methods, who\n"
               "holds it, and whether the host runs on it. Exits 0 when nothing stands in the way,\n"
               "1 when something does.\n\n"
               "Options:\n"
               " -J, --json   JSON output\n"
               " -h, --help   this help\n");
}

/* Shared with `hostdev recover`: one line per item, its remedy under it. */
void cli_print_report(const struct hd_report *r) {
        for (size_t i = 0; i < r->n_items; i++) {
                const struct hd_report_item *it = &r->items[i];
                printf("  %-5s %-7s %s\n", hd_report_status_to_string(it->status), it->topic, it->text);
                if (it->remedy && it->status != HD_REPORT_OK)
                        printf("  %-5s %-7s -> %s\n", "", "", it->remedy);
        }
}

void cli_print_report_json(const struct hd_report *r) {
        json_object *root = json_object_new_object(), *items = json_object_new_array();
        if (r->subject)
                json_object_object_add(root, "device", json_object_new_string(r->subject));
        json_object_object_add(root, "ok", json_object_new_boolean(r->ok));
        for (size_t i = 0; i < r->n_items; i++) {
                const struct hd_report_item *it = &r->items[i];
                json_object *j = json_object_new_object();
                json_object_object_add(j, "status", json_object_new_string(hd_report_status_to_string(it->status)));
                json_object_object_add(j, "topic", json_object_new_string(it->topic));
                json_object_object_add(j, "text", json_object_new_string(it->text));
                json_object_object_add(j, "remedy", it->remedy ? json_object_new_string(it->remedy) : NULL);
                json_object_array_add(items, j);
        }
        json_object_object_add(root, "items", items);
        puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
        json_object_put(root);
}

int verb_check(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = {
                { "json", no_argument, NULL, 'J' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct hd_report *rep = NULL;
        bool json = false;
        char addr[20];
        int c, r;

        while ((c = getopt_long(argc, argv, "Jh", opts, NULL)) >= 0) {
                switch (c) {
                case 'J': json = true; break;
                case 'h': usage(); return EXIT_OK;
                default: return cli_usage_error("check", "unknown option");
                }
        }
        if (optind != argc - 1)
                return cli_usage_error("check", optind >= argc ? "no device given" : "one device at a time");
        r = cli_pci_address(ctx, argv[optind], addr);
        if (r < 0)
                return EXIT_FAIL;
        r = hd_pci_check(ctx, addr, 0, &rep);
        if (r < 0)
                return cli_fail(ctx, r, addr);
        if (json)
                cli_print_report_json(rep);
        else {
                printf("%s: %s\n", addr, rep->ok ? "can be passed through" : "cannot be passed through now");
                cli_print_report(rep);
        }
        r = rep->ok ? EXIT_OK : EXIT_FAIL;
        hd_report_free(rep);
        return r;
}
