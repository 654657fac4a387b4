/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev iommu`: every IOMMU group, its members, and whether the group could go to a guest now. */
#include <getopt.h>
#include <json-c/json.h>
#include <libsmartcols.h>
#include <stdio.h>

#include "cli.h"

static const char no_iommu[] =
        "this host has no IOMMU enabled (no groups in /sys/kernel/iommu_groups); turn on VT-d or "
        "AMD-Vi in the firmware and boot with intel_iommu=on (or amd_iommu=on)";

static void usage(void) {
        printf("Usage: hostdev iommu [-J]\n\n"
               "Every IOMMU group with its members, and whether the group as it stands could be\n"
               "given to a guest: every endpoint bound to vfio-pci or to no driver (bridges do not\n"
               "count).\n\n"
               "Options:\n"
               " -J, --json   JSON output\n"
               " -h, --help   this help\n");
}

static int print_json(bool enabled, const struct hd_iommu_group *g, size_t n) {
        json_object *root = json_object_new_object(), *groups = json_object_new_array();
        char addr[20], cls[16];

        json_object_object_add(root, "iommu", json_object_new_boolean(enabled));
        for (size_t i = 0; i < n; i++) {
                json_object *jg = json_object_new_object(), *members = json_object_new_array();
                json_object_object_add(jg, "number", json_object_new_int(g[i].number));
                json_object_object_add(jg, "viable", json_object_new_boolean(g[i].viable));
                json_object_object_add(jg, "reason", g[i].reason ? json_object_new_string(g[i].reason) : NULL);
                for (size_t m = 0; m < g[i].n_members; m++) {
                        const struct hd_iommu_member *mb = &g[i].members[m];
                        json_object *jm = json_object_new_object();
                        snprintf(cls, sizeof(cls), "0x%06x", mb->class_code);
                        json_object_object_add(jm, "name", json_object_new_string(mb->name));
                        json_object_object_add(jm, "address", mb->is_pci ? json_object_new_string(
                                                                  hd_pci_addr_format(&mb->addr, addr)) : NULL);
                        json_object_object_add(jm, "class", mb->is_pci ? json_object_new_string(cls) : NULL);
                        json_object_object_add(jm, "driver", mb->driver ? json_object_new_string(mb->driver) : NULL);
                        json_object_object_add(jm, "bridge", json_object_new_boolean(mb->is_bridge));
                        json_object_array_add(members, jm);
                }
                json_object_object_add(jg, "members", members);
                json_object_array_add(groups, jg);
        }
        json_object_object_add(root, "groups", groups);
        puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
        json_object_put(root);
        return 0;
}

static int print_table(const struct hd_iommu_group *g, size_t n) {
        struct libscols_table *tb = scols_new_table();
        char buf[32];
        int r = -ENOMEM;

        if (!tb)
                return -ENOMEM;
        if (!scols_table_new_column(tb, "GROUP", 0.2, SCOLS_FL_TREE) ||
            !scols_table_new_column(tb, "VIABLE", 3, 0) || !scols_table_new_column(tb, "CLASS", 8, 0) ||
            !scols_table_new_column(tb, "DRIVER", 0.2, 0))
                goto out;
        for (size_t i = 0; i < n; i++) {
                struct libscols_line *gl = scols_table_new_line(tb, NULL);
                if (!gl)
                        goto out;
                snprintf(buf, sizeof(buf), "%d", g[i].number);
                scols_line_set_data(gl, 0, buf);
                scols_line_set_data(gl, 1, g[i].viable ? "yes" : "no");
                for (size_t m = 0; m < g[i].n_members; m++) {
                        const struct hd_iommu_member *mb = &g[i].members[m];
                        struct libscols_line *ml = scols_table_new_line(tb, gl);
                        char addr[20];
                        if (!ml)
                                goto out;
                        scols_line_set_data(ml, 0, mb->is_pci ? hd_pci_addr_format(&mb->addr, addr) : mb->name);
                        snprintf(buf, sizeof(buf), "0x%06x", mb->class_code);
                        scols_line_set_data(ml, 2, mb->is_pci ? buf : NULL);
                        scols_line_set_data(ml, 3, mb->driver ? mb->driver : mb->is_bridge ? "(bridge)" : "-");
                }
        }
        scols_print_table(tb);
        /* Reasons are sentences: below the table, where they can be read whole. */
        for (size_t i = 0; i < n; i++)
                if (!g[i].viable && g[i].reason)
                        printf("group %d: %s\n", g[i].number, g[i].reason);
        r = 0;
out:
        scols_unref_table(tb);
        return r;
}

int verb_iommu(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = {
                { "json", no_argument, NULL, 'J' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct hd_iommu_group *groups = NULL;
        size_t n = 0;
        bool json = false, enabled;
        int c, r;

        while ((c = getopt_long(argc, argv, "Jh", opts, NULL)) >= 0) {
                switch (c) {
                case 'J': json = true; break;
                case 'h': usage(); return EXIT_OK;
                default: return cli_usage_error("iommu", "unknown option");
                }
        }
        if (optind < argc)
                return cli_usage_error("iommu", "unexpected argument '%s'", argv[optind]);
        enabled = hd_iommu_enabled(ctx);
        r = hd_iommu_groups(ctx, &groups, &n);
        if (r < 0)
                return cli_fail(ctx, r, "reading IOMMU groups");
        r = json ? print_json(enabled, groups, n) : enabled ? print_table(groups, n) : 0;
        hd_iommu_groups_free(groups, n);
        if (r < 0)
                return cli_fail(ctx, r, "iommu");
        if (!enabled) {
                fprintf(stderr, "hostdev: %s\n", no_iommu);
                return EXIT_FAIL;
        }
        return EXIT_OK;
}
