/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev list`: the host's devices as a table, a tree, JSON, pairs, or counts per capability. */
#include <errno.h>
#include <getopt.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "columns.h"

/* Filters beyond libvirt's capabilities: SR-IOV roles, which people ask about most. */
enum { FILTER_VF = _HD_CAP_MAX, FILTER_PF, _FILTER_MAX };

struct list_opts {
        bool tree, json, pairs, raw, noheadings, count;
        bool all, inactive_only; /* --all, --inactive: defined mdevs that are not running too, or only them */
        bool filter[_FILTER_MAX];
        bool filtered;
        int *cols;
        size_t n_cols;
};

static const int default_cols[] = { 0 /* NAME */, 1 /* CAP */, 3 /* DRIVER */, 4 /* IOMMU */,
                                    5 /* NUMA */, 6 /* DESCRIPTION */ };

static const char *filter_name(int f) {
        return f == FILTER_VF ? "vf" : f == FILTER_PF ? "pf" : hd_cap_type_to_string((enum hd_cap_type)f);
}

static bool device_matches_filter(const struct hd_device *d, int f) {
        struct hd_cap *p = hd_device_get_cap(d, HD_CAP_PCI);
        if (f == FILTER_VF)
                return p && p->pci.has_phys_function;
        if (f == FILTER_PF)
                return p && p->pci.is_sriov_pf;
        return hd_device_has_cap(d, (enum hd_cap_type)f);
}

static bool device_is_inactive(const struct hd_device *d) {
        struct hd_cap *m = hd_device_get_cap(d, HD_CAP_MDEV);
        return m && !m->mdev.active;
}

static bool device_selected(const struct list_opts *o, const struct hd_device *d) {
        if (o->inactive_only && !device_is_inactive(d))
                return false;
        if (!o->filtered)
                return true;
        for (int f = 0; f < _FILTER_MAX; f++)
                if (o->filter[f] && device_matches_filter(d, f))
                        return true;
        return false;
}

/*
 * pci, vf and pf are properties of PCI functions, whose ancestors are PCI
 * functions too: when nothing else is asked for, the scan reads PCI alone.
 */
static unsigned scan_flags_for(const struct list_opts *o) {
        if (!o->filtered)
                return 0;
        for (int f = 0; f < _FILTER_MAX; f++)
                if (o->filter[f] && f != HD_CAP_PCI && f != FILTER_VF && f != FILTER_PF)
                        return 0;
        return HD_SCAN_PCI_ONLY;
}

static int parse_caps(struct list_opts *o, const char *spec) {
        _cleanup_free_ char *copy = strdup(spec);
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                int f = hd_cap_type_from_string(t);
                if (f < 0 && streq(t, "vf"))
                        f = FILTER_VF;
                else if (f < 0 && streq(t, "pf"))
                        f = FILTER_PF;
                if (f < 0) {
                        fprintf(stderr, "hostdev list: unknown capability '%s'; valid capabilities:", t);
                        for (int i = 0; i < _FILTER_MAX; i++)
                                fprintf(stderr, " %s", filter_name(i));
                        fputc('\n', stderr);
                        return -EINVAL;
                }
                o->filter[f] = true;
                o->filtered = true;
        }
        return 0;
}

static void print_columns_help(void) {
        printf("Available output columns (-o):\n");
        for (size_t i = 0; i < n_columns; i++)
                printf(" %12s  %s\n", columns[i].name, columns[i].help);
}

static void usage(void) {
        printf("Usage: hostdev list [options]\n\n"
               "List the host's devices.\n\n"
               "Options:\n"
               " -t, --tree             show devices as a tree, children under their parent\n"
               " -c, --cap CAP[,CAP]    only devices with these capabilities (vf and pf for SR-IOV)\n"
               "     --count            count the devices per capability\n"
               "     --inactive         only defined mediated devices that are not running\n"
               "     --all              running devices and defined, inactive ones\n"
               " -o, --output COLS      columns to print ('+COLS' adds to the default; -o help)\n"
               " -J, --json             JSON output\n"
               " -P, --pairs            KEY=\"value\" output\n"
               " -r, --raw              raw output, no alignment\n"
               " -n, --noheadings       no headings\n"
               " -h, --help             this help\n");
}

static struct libscols_table *new_table(const struct list_opts *o, const char *name) {
        struct libscols_table *tb = scols_new_table();
        if (!tb)
                return NULL;
        scols_table_set_name(tb, name);
        scols_table_enable_json(tb, o->json);
        scols_table_enable_export(tb, o->pairs);
        scols_table_enable_raw(tb, o->raw);
        scols_table_enable_noheadings(tb, o->noheadings);
        return tb;
}

static int set_line(const struct list_opts *o, struct libscols_line *ln, const struct hd_device *d) {
        for (size_t i = 0; i < o->n_cols; i++) {
                char *v = columns[o->cols[i]].get(d);
                if (v && scols_line_refer_data(ln, i, v) < 0) {
                        free(v);
                        return -ENOMEM;
                }
        }
        return 0;
}

/* A device is shown in a filtered tree when it or one of its descendants is selected. */
static bool mark_visible(const struct list_opts *o, const struct hd_device *d, struct hd_inventory *inv,
                         bool *visible, size_t *idx) {
        size_t me = (*idx)++;
        bool any = device_selected(o, d);
        for (const struct hd_device *c = d->first_child; c; c = c->next_sibling)
                any |= mark_visible(o, c, inv, visible, idx);
        visible[me] = any;
        return any;
}

static int add_tree(const struct list_opts *o, struct libscols_table *tb, const struct hd_device *d,
                    struct libscols_line *parent, const bool *visible, size_t *idx) {
        struct libscols_line *ln = NULL;
        int r;
        if (visible[(*idx)++]) {
                ln = scols_table_new_line(tb, parent);
                if (!ln)
                        return -ENOMEM;
                r = set_line(o, ln, d);
                if (r < 0)
                        return r;
        }
        for (const struct hd_device *c = d->first_child; c; c = c->next_sibling) {
                r = add_tree(o, tb, c, ln ? ln : parent, visible, idx);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int print_devices(const struct list_opts *o, struct hd_inventory *inv) {
        struct libscols_table *tb = new_table(o, "devices");
        size_t n = hd_inventory_size(inv);
        int r = 0;

        if (!tb)
                return -ENOMEM;
        for (size_t i = 0; i < o->n_cols; i++) {
                const struct column *c = &columns[o->cols[i]];
                int flags = c->flags;
                struct libscols_column *cl;
                if (!o->tree)
                        flags &= ~SCOLS_FL_TREE;
                cl = scols_table_new_column(tb, c->name, c->whint, flags);
                if (!cl) {
                        r = -ENOMEM;
                        goto out;
                }
                scols_column_set_json_type(cl, c->kind == COL_NUMBER ? SCOLS_JSON_NUMBER : SCOLS_JSON_STRING);
        }
        if (o->tree) {
                bool *visible = calloc(n, sizeof(bool));
                size_t idx = 0;
                if (!visible) {
                        r = -ENOMEM;
                        goto out;
                }
                mark_visible(o, hd_inventory_root(inv), inv, visible, &idx);
                idx = 0;
                r = add_tree(o, tb, hd_inventory_root(inv), NULL, visible, &idx);
                free(visible);
        } else {
                for (size_t i = 0; i < n && r >= 0; i++) {
                        const struct hd_device *d = hd_inventory_at(inv, i);
                        struct libscols_line *ln;
                        if (!device_selected(o, d))
                                continue;
                        ln = scols_table_new_line(tb, NULL);
                        r = ln ? set_line(o, ln, d) : -ENOMEM;
                }
        }
        if (r >= 0)
                scols_print_table(tb);
out:
        scols_unref_table(tb);
        return r;
}

static int print_counts(const struct list_opts *o, struct hd_inventory *inv) {
        struct libscols_table *tb = new_table(o, "counts");
        size_t count[_FILTER_MAX] = { 0 };
        int r = 0;

        if (!tb)
                return -ENOMEM;
        for (size_t i = 0; i < hd_inventory_size(inv); i++)
                for (int f = 0; f < _FILTER_MAX; f++)
                        if ((!o->inactive_only || device_is_inactive(hd_inventory_at(inv, i))) &&
                            device_matches_filter(hd_inventory_at(inv, i), f))
                                count[f]++;
        if (!scols_table_new_column(tb, "CAP", 0.3, 0)) {
                r = -ENOMEM;
                goto out;
        }
        scols_column_set_json_type(scols_table_new_column(tb, "COUNT", 5, SCOLS_FL_RIGHT), SCOLS_JSON_NUMBER);
        for (int f = 0; f < _FILTER_MAX; f++) {
                struct libscols_line *ln;
                char num[32];
                /* Unfiltered, only what the host has; filtered, exactly what was asked, zero included. */
                if (o->filtered ? !o->filter[f] : count[f] == 0)
                        continue;
                ln = scols_table_new_line(tb, NULL);
                snprintf(num, sizeof(num), "%zu", count[f]);
                if (!ln || scols_line_set_data(ln, 0, filter_name(f)) < 0 || scols_line_set_data(ln, 1, num) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
        }
        scols_print_table(tb);
out:
        scols_unref_table(tb);
        return r;
}

int verb_list(struct hd_context *ctx, int argc, char **argv) {
        enum { OPT_COUNT = 0x100, OPT_INACTIVE, OPT_ALL };
        static const struct option opts[] = {
                { "tree", no_argument, NULL, 't' },     { "cap", required_argument, NULL, 'c' },
                { "output", required_argument, NULL, 'o' }, { "json", no_argument, NULL, 'J' },
                { "pairs", no_argument, NULL, 'P' },    { "raw", no_argument, NULL, 'r' },
                { "noheadings", no_argument, NULL, 'n' }, { "count", no_argument, NULL, OPT_COUNT },
                { "inactive", no_argument, NULL, OPT_INACTIVE }, { "all", no_argument, NULL, OPT_ALL },
                { "help", no_argument, NULL, 'h' },     {},
        };
        struct list_opts o = { 0 };
        struct hd_inventory *inv = NULL;
        const char *outspec = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "tc:o:JPrnh", opts, NULL)) >= 0) {
                switch (c) {
                case 't': o.tree = true; break;
                case 'c':
                        if (parse_caps(&o, optarg) < 0)
                                return EXIT_USAGE;
                        break;
                case 'o': outspec = optarg; break;
                case 'J': o.json = true; break;
                case 'P': o.pairs = true; break;
                case 'r': o.raw = true; break;
                case 'n': o.noheadings = true; break;
                case OPT_COUNT: o.count = true; break;
                case OPT_INACTIVE: o.inactive_only = true; break;
                case OPT_ALL: o.all = true; break;
                case 'h': usage(); return EXIT_OK;
                default: return cli_usage_error("list", "unknown option");
                }
        }
        if (optind < argc)
                return cli_usage_error("list", "unexpected argument '%s'", argv[optind]);
        if (outspec && streq(outspec, "help")) {
                print_columns_help();
                return EXIT_OK;
        }
        if (outspec) {
                if (columns_parse(outspec, default_cols, ELEMENTSOF(default_cols), &o.cols, &o.n_cols) < 0)
                        return EXIT_USAGE;
        } else {
                o.cols = malloc(sizeof(default_cols));
                if (!o.cols)
                        return cli_fail(ctx, -ENOMEM, "list");
                memcpy(o.cols, default_cols, sizeof(default_cols));
                o.n_cols = ELEMENTSOF(default_cols);
        }
        r = hd_inventory_scan(ctx, scan_flags_for(&o) | (o.all || o.inactive_only ? HD_SCAN_INACTIVE : 0), &inv);
        if (r >= 0)
                r = o.count ? print_counts(&o, inv) : print_devices(&o, inv);
        hd_inventory_free(inv);
        free(o.cols);
        return r < 0 ? cli_fail(ctx, r, "listing devices") : EXIT_OK;
}
