/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev check DEV`: whether a PCI device can be passed through now, item by item, and what to do. */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(void) {
        printf("Usage: hostdev check [-J] DEV\n\n"
               "Whether a PCI device can go to a guest now, and what to do if not, worst first: the\n"
               "IOMMU and interrupt remapping, vfio, the kernel command line, the device's IOMMU group\n"
               "(every member, what blocks it, what --group takes), ACS on its path, a firmware\n"
               "framebuffer in its BARs, the vfio driver it gets, its reset methods, who holds it\n"
               "(hostdev's records and processes), and whether the host runs on it.\n\n"
               "Exit status: 0 it can be passed through now; 1 only hostdev's own remedies stand in the\n"
               "way (hostdev detach --group); 2 a person must act first (or the check could not run).\n\n"
               "Options:\n"
               " -J, --json   JSON output (its shape: man hostdev)\n"
               " -h, --help   this help\n");
}

/* Shared with `hostdev recover`: one line per item, its remedy under it. */
void cli_print_report(const struct hd_report *r) {
        for (size_t i = 0; i < r->n_items; i++) {
                const struct hd_report_item *it = &r->items[i];
                printf("  %-5s %-9s %s\n", hd_report_status_to_string(it->status), it->topic, it->text);
                if (it->remedy && it->status != HD_REPORT_OK)
                        printf("  %-5s %-9s -> %s\n", "", "", it->remedy);
        }
}

void cli_print_report_json(const struct hd_report *r) {
        json_object *root = json_object_new_object(), *items = json_object_new_array();
        if (r->subject)
                json_object_object_add(root, "device", json_object_new_string(r->subject));
        json_object_object_add(root, "ok", json_object_new_boolean(r->ok));
        json_object_object_add(root, "verdict", json_object_new_string(hd_report_verdict_to_string(r->verdict)));
        for (size_t i = 0; i < r->n_items; i++) {
                const struct hd_report_item *it = &r->items[i];
                json_object *j = json_object_new_object();
                json_object_object_add(j, "status", json_object_new_string(hd_report_status_to_string(it->status)));
                json_object_object_add(j, "topic", json_object_new_string(it->topic));
                json_object_object_add(j, "text", json_object_new_string(it->text));
                json_object_object_add(j, "remedy", it->remedy ? json_object_new_string(it->remedy) : NULL);
                json_object_object_add(j, "hostdev_fixes", json_object_new_boolean(it->hostdev_fixes));
                json_object_object_add(j, "source", it->source ? json_object_new_string(it->source) : NULL);
                json_object_array_add(items, j);
        }
        json_object_object_add(root, "items", items);
        puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                          JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(root);
}

static const char *verdict_words(enum hd_report_verdict v) {
        switch (v) {
        case HD_REPORT_NOW: return "can be passed through";
        case HD_REPORT_HOSTDEV: return "not now; the hostdev commands below clear what stands in the way";
        default: return "cannot be passed through now; a person must act first";
        }
}

/* What the boot does to ADDR (detach --persistent), as one more line: a person checking a device learns it is kept. */
static void print_persistent(struct hd_context *ctx, const char *addr) {
        _cleanup_free_ char *dir = hd_persist_dir(ctx, HD_PERSIST_PCI);
        struct hd_persist p = {};
        int r = hd_persist_get(ctx, HD_PERSIST_PCI, addr, &p);

        if (r == -ENOENT || r == -ENOMEM)
                return;
        if (r < 0)
                printf("  %-5s %-9s %s\n", "warn", "boot", hd_context_last_error(ctx) ? hd_context_last_error(ctx) : strerror(-r));
        else
                printf("  %-5s %-9s kept on %s at every boot (%s/%s); 'hostdev reattach --persistent %s' ends it\n", "info",
                       "boot", p.driver, dir ? dir : "/etc/hostdev/pci", addr, addr);
        hd_persist_done(&p);
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
        /* A check that cannot run says "not without a person" too: 2, as a usage error. */
        r = cli_pci_address(ctx, argv[optind], addr);
        if (r < 0)
                return HD_REPORT_PERSON;
        r = hd_pci_check(ctx, addr, 0, &rep);
        if (r < 0) {
                (void)cli_fail(ctx, r, addr);
                return HD_REPORT_PERSON;
        }
        if (json)
                cli_print_report_json(rep);
        else {
                printf("%s: %s\n", addr, verdict_words(rep->verdict));
                cli_print_report(rep);
                print_persistent(ctx, addr);
        }
        r = (int)rep->verdict;
        hd_report_free(rep);
        return r;
}
