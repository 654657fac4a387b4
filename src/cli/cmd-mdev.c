/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev mdev`: types, running and defined mediated devices, and their whole life in mdevctl's format. */
#include <errno.h>
#include <getopt.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f) {
        fprintf(f, "Usage: hostdev mdev COMMAND [options]\n\n"
                   "Mediated devices (vGPU slices and the like), kept in mdevctl's format.\n\n"
                   "Commands:\n"
                   "  types [PARENT] [-J]                      parents and their types, with instances left\n"
                   "  list [--defined] [-J|-r] [-n]            running devices; with --defined, definitions too\n"
                   "  create --parent P --type T [--uuid U] [--attr K=V]...\n"
                   "                                           a transient device (gone at reboot)\n"
                   "  remove UUID                              remove a running device\n"
                   "  define --parent P --type T [--uuid U] [--attr K=V]... [--auto]\n"
                   "  define --uuid U                          keep a running device as it is\n"
                   "  define FILE.xml                          from libvirt's node device XML (nodedev-define)\n"
                   "  undefine UUID [--parent P]\n"
                   "  start UUID [--parent P]                  start a defined device\n"
                   "  stop UUID                                stop a running device (its definition stays)\n"
                   "  autostart UUID on|off [--parent P]\n"
                   "  modify UUID [--parent P] [--type T] [--auto|--manual]\n"
                   "         [--addattr K --value V [--index N]] [--delattr [--index N]]\n"
                   "  start-autostart [--parent P]             start every auto definition whose parent is here\n\n"
                   "PARENT: the parent's sysfs name (0000:00:02.0, mtty) or its device name (pci_0000_00_02_0).\n"
                   "Definitions: $HOSTDEV_MDEVCTL_DIR, else /etc/mdevctl.d (below --sysroot when given).\n");
}

static struct libscols_table *table(bool json, const char *name) {
        struct libscols_table *tb = scols_new_table();
        if (!tb)
                return NULL;
        scols_table_set_name(tb, name);
        scols_table_enable_json(tb, json);
        return tb;
}

static int add_col(struct libscols_table *tb, const char *name, double w, int flags, bool number) {
        struct libscols_column *c = scols_table_new_column(tb, name, w, flags);
        if (!c)
                return -ENOMEM;
        scols_column_set_json_type(c, number ? SCOLS_JSON_NUMBER : SCOLS_JSON_STRING);
        return 0;
}

static int cmd_types(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "json", no_argument, NULL, 'J' }, { "help", no_argument, NULL, 'h' }, {} };
        struct hd_mdev_parent *p = NULL;
        struct libscols_table *tb;
        bool json = false;
        size_t n = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "Jh", opts, NULL)) >= 0)
                switch (c) {
                case 'J': json = true; break;
                case 'h': usage(stdout); return EXIT_OK;
                default: return cli_usage_error("mdev", "unknown option");
                }
        r = hd_mdev_parents(ctx, optind < argc ? argv[optind] : NULL, &p, &n);
        if (r < 0)
                return cli_fail(ctx, r, "listing mdev types");
        tb = table(json, "mdevtypes");
        if (!tb || add_col(tb, "PARENT", 0.2, 0, false) < 0 || add_col(tb, "TYPE", 0.2, 0, false) < 0 ||
            add_col(tb, "AVAILABLE", 5, SCOLS_FL_RIGHT, true) < 0 || add_col(tb, "API", 0.1, 0, false) < 0 ||
            add_col(tb, "NAME", 0.2, 0, false) < 0 || add_col(tb, "DESCRIPTION", 0.3, SCOLS_FL_TRUNC, false) < 0) {
                r = -ENOMEM;
                goto out;
        }
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < p[i].n_types; j++) {
                        const struct hd_mdev_type *t = &p[i].types[j];
                        struct libscols_line *ln = scols_table_new_line(tb, NULL);
                        char avail[16];
                        snprintf(avail, sizeof(avail), "%u", t->available_instances);
                        if (!ln || scols_line_set_data(ln, 0, p[i].name) < 0 || scols_line_set_data(ln, 1, t->id) < 0 ||
                            scols_line_set_data(ln, 2, avail) < 0 || scols_line_set_data(ln, 3, t->device_api) < 0 ||
                            scols_line_set_data(ln, 4, t->name) < 0 || scols_line_set_data(ln, 5, t->description) < 0) {
                                r = -ENOMEM;
                                goto out;
                        }
                }
        if (n == 0 && !json)
                fprintf(stderr, "hostdev: no mediated device parent here (is a vendor driver such as mtty or i915 loaded?)\n");
        else
                scols_print_table(tb);
out:
        scols_unref_table(tb);
        hd_mdev_parent_list_free(p, n);
        return r < 0 ? cli_fail(ctx, r, "listing mdev types") : EXIT_OK;
}

static int cmd_list(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "defined", no_argument, NULL, 'd' }, { "json", no_argument, NULL, 'J' },
                                              { "raw", no_argument, NULL, 'r' },     { "noheadings", no_argument, NULL, 'n' },
                                              { "help", no_argument, NULL, 'h' },    {} };
        struct hd_mdev *list = NULL;
        struct libscols_table *tb;
        bool json = false, defined = false, raw = false, noheadings = false;
        size_t n = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "dJrnh", opts, NULL)) >= 0)
                switch (c) {
                case 'd': defined = true; break;
                case 'J': json = true; break;
                case 'r': raw = true; break;
                case 'n': noheadings = true; break;
                case 'h': usage(stdout); return EXIT_OK;
                default: return cli_usage_error("mdev", "unknown option");
                }
        r = hd_mdev_list(ctx, HD_MDEV_LIST_ACTIVE | (defined ? HD_MDEV_LIST_DEFINED : 0), &list, &n);
        if (r < 0)
                return cli_fail(ctx, r, "listing mediated devices");
        tb = table(json, "mdevs");
        if (tb) {
                scols_table_enable_raw(tb, raw);
                scols_table_enable_noheadings(tb, noheadings);
        }
        if (!tb || add_col(tb, "UUID", 36, 0, false) < 0 || add_col(tb, "PARENT", 0.2, 0, false) < 0 ||
            add_col(tb, "TYPE", 0.2, 0, false) < 0 || add_col(tb, "STATE", 7, 0, false) < 0 ||
            add_col(tb, "DEFINED", 7, 0, false) < 0 || add_col(tb, "START", 6, 0, false) < 0 ||
            add_col(tb, "ATTRS", 0.3, SCOLS_FL_TRUNC, false) < 0) {
                r = -ENOMEM;
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                struct libscols_line *ln = scols_table_new_line(tb, NULL);
                char *attrs = NULL;
                size_t alen = 0;
                FILE *af = list[i].n_attrs ? open_memstream(&attrs, &alen) : NULL;
                for (size_t j = 0; af && j < list[i].n_attrs; j++)
                        fprintf(af, "%s%s=%s", j ? "," : "", list[i].attrs[j].name, list[i].attrs[j].value);
                if (af)
                        fclose(af);
                if (!ln || scols_line_set_data(ln, 0, list[i].uuid) < 0 || scols_line_set_data(ln, 1, list[i].parent) < 0 ||
                    scols_line_set_data(ln, 2, list[i].type) < 0 ||
                    scols_line_set_data(ln, 3, list[i].active ? "active" : "stopped") < 0 ||
                    scols_line_set_data(ln, 4, list[i].defined ? "yes" : "no") < 0 ||
                    scols_line_set_data(ln, 5, !list[i].defined ? NULL : list[i].autostart ? "auto" : "manual") < 0 ||
                    (attrs && scols_line_set_data(ln, 6, attrs) < 0)) {
                        free(attrs);
                        r = -ENOMEM;
                        goto out;
                }
                free(attrs);
        }
        scols_print_table(tb);
out:
        scols_unref_table(tb);
        hd_mdev_list_free(list, n);
        return r < 0 ? cli_fail(ctx, r, "listing mediated devices") : EXIT_OK;
}

/* Options shared by create and define. */
struct spec {
        const char *parent, *type, *uuid;
        struct hd_mdev_attr *attrs;
        size_t n_attrs;
        bool autostart;
};

static int add_attr(struct spec *s, const char *kv) {
        const char *eq = strchr(kv, '=');
        struct hd_mdev_attr *na;
        if (!eq || eq == kv)
                return -EINVAL;
        na = realloc(s->attrs, (s->n_attrs + 1) * sizeof(*na));
        if (!na)
                return -ENOMEM;
        s->attrs = na;
        na[s->n_attrs].name = strndup(kv, (size_t)(eq - kv));
        na[s->n_attrs].value = strdup(eq + 1);
        s->n_attrs++;
        return 0;
}

static void spec_done(struct spec *s) {
        for (size_t i = 0; i < s->n_attrs; i++) {
                free(s->attrs[i].name);
                free(s->attrs[i].value);
        }
        free(s->attrs);
}

static int parse_spec(int argc, char **argv, struct spec *s, bool define) {
        static const struct option opts[] = {
                { "parent", required_argument, NULL, 'p' }, { "type", required_argument, NULL, 't' },
                { "uuid", required_argument, NULL, 'u' },   { "attr", required_argument, NULL, 'a' },
                { "auto", no_argument, NULL, 'A' },         { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "p:t:u:a:Ah", opts, NULL)) >= 0)
                switch (c) {
                case 'p': s->parent = optarg; break;
                case 't': s->type = optarg; break;
                case 'u': s->uuid = optarg; break;
                case 'a':
                        if (add_attr(s, optarg) < 0)
                                return cli_usage_error("mdev", "--attr takes NAME=VALUE, not '%s'", optarg);
                        break;
                case 'A':
                        if (!define)
                                return cli_usage_error("mdev", "--auto is for define; a created device is transient");
                        s->autostart = true;
                        break;
                case 'h': usage(stdout); return -1;
                default: return cli_usage_error("mdev", "unknown option");
                }
        return 0;
}

static int cmd_create(struct hd_context *ctx, int argc, char **argv) {
        struct spec s = { 0 };
        char uuid[37];
        int r = parse_spec(argc, argv, &s, false);

        if (r != 0) {
                spec_done(&s);
                return r < 0 ? EXIT_OK : r;
        }
        if (!s.parent || !s.type) {
                spec_done(&s);
                return cli_usage_error("mdev", "create needs --parent and --type; see 'hostdev mdev types'");
        }
        r = hd_mdev_create(ctx, s.parent, s.type, s.uuid, s.attrs, s.n_attrs, uuid);
        spec_done(&s);
        if (r < 0)
                return cli_fail(ctx, r, "creating the mediated device");
        printf("%s\n", uuid);
        return EXIT_OK;
}

static int read_file(const char *path, char **ret, size_t *ret_len) {
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t len = 0, cap = 0;
        size_t n;

        if (!f)
                return -errno;
        do {
                if (len + 4096 > cap) {
                        char *nb = realloc(buf, cap = len + 65536);
                        if (!nb) {
                                free(buf);
                                fclose(f);
                                return -ENOMEM;
                        }
                        buf = nb;
                }
                n = fread(buf + len, 1, cap - len - 1, f);
                len += n;
        } while (n > 0);
        fclose(f);
        buf[len] = 0;
        *ret = buf;
        *ret_len = len;
        return 0;
}

static int cmd_define(struct hd_context *ctx, int argc, char **argv) {
        struct spec s = { 0 };
        char uuid[37];
        int r = parse_spec(argc, argv, &s, true);

        if (r != 0) {
                spec_done(&s);
                return r < 0 ? EXIT_OK : r;
        }
        if (optind < argc) {
                _cleanup_free_ char *xml = NULL;
                size_t len = 0;
                if (s.parent || s.type || s.uuid || s.n_attrs) {
                        spec_done(&s);
                        return cli_usage_error("mdev", "define takes an XML file or options, not both");
                }
                r = read_file(argv[optind], &xml, &len);
                if (r < 0) {
                        fprintf(stderr, "hostdev: cannot read %s: %s\n", argv[optind], strerror(-r));
                        return EXIT_FAIL;
                }
                r = hd_mdev_define_xml(ctx, xml, len, uuid);
        } else {
                struct hd_mdev def = { .parent = (char *)s.parent, .type = (char *)s.type, .attrs = s.attrs,
                                       .n_attrs = s.n_attrs, .autostart = s.autostart };
                if (s.uuid)
                        snprintf(def.uuid, sizeof(def.uuid), "%s", s.uuid);
                if (s.uuid && strlen(s.uuid) != 36) {
                        spec_done(&s);
                        return cli_usage_error("mdev", "'%s' is not a UUID", s.uuid);
                }
                if (!s.uuid && (!s.parent || !s.type)) {
                        spec_done(&s);
                        return cli_usage_error("mdev", "define needs --parent and --type (or --uuid of a running device, or an XML file)");
                }
                r = hd_mdev_define(ctx, &def, uuid);
        }
        spec_done(&s);
        if (r < 0)
                return cli_fail(ctx, r, "defining the mediated device");
        printf("%s\n", uuid);
        return EXIT_OK;
}

/* "UUID [--parent P]" for the commands that act on one device. */
static int parse_one(int argc, char **argv, const char **uuid, const char **parent, int nargs, const char *what) {
        static const struct option opts[] = { { "parent", required_argument, NULL, 'p' }, { "help", no_argument, NULL, 'h' }, {} };
        int c;

        while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) >= 0)
                switch (c) {
                case 'p': *parent = optarg; break;
                case 'h': usage(stdout); return -1;
                default: return cli_usage_error("mdev", "unknown option");
                }
        if (argc - optind != nargs)
                return cli_usage_error("mdev", "%s", what);
        *uuid = argv[optind];
        return 0;
}

static int cmd_simple(struct hd_context *ctx, int argc, char **argv, const char *verb) {
        const char *uuid = NULL, *parent = NULL;
        int r;

        if (streq(verb, "autostart")) {
                bool on;
                r = parse_one(argc, argv, &uuid, &parent, 2, "autostart takes UUID and on or off");
                if (r != 0)
                        return r < 0 ? EXIT_OK : r;
                if (streq(argv[optind + 1], "on") || streq(argv[optind + 1], "yes"))
                        on = true;
                else if (streq(argv[optind + 1], "off") || streq(argv[optind + 1], "no"))
                        on = false;
                else
                        return cli_usage_error("mdev", "autostart takes on or off, not '%s'", argv[optind + 1]);
                r = hd_mdev_set_autostart(ctx, uuid, parent, on);
        } else {
                r = parse_one(argc, argv, &uuid, &parent, 1, "give the device's UUID");
                if (r != 0)
                        return r < 0 ? EXIT_OK : r;
                if (streq(verb, "remove") || streq(verb, "stop")) {
                        if (parent)
                                return cli_usage_error("mdev", "%s needs only the UUID", verb);
                        r = streq(verb, "remove") ? hd_mdev_remove(ctx, uuid) : hd_mdev_stop(ctx, uuid);
                } else if (streq(verb, "undefine"))
                        r = hd_mdev_undefine(ctx, uuid, parent);
                else
                        r = hd_mdev_start(ctx, uuid, parent);
        }
        return r < 0 ? cli_fail(ctx, r, verb) : EXIT_OK;
}

static int cmd_modify(struct hd_context *ctx, int argc, char **argv) {
        enum { OPT_ADD = 0x100, OPT_DEL, OPT_VALUE, OPT_INDEX, OPT_AUTO, OPT_MANUAL };
        static const struct option opts[] = {
                { "parent", required_argument, NULL, 'p' }, { "type", required_argument, NULL, 't' },
                { "addattr", required_argument, NULL, OPT_ADD }, { "delattr", no_argument, NULL, OPT_DEL },
                { "value", required_argument, NULL, OPT_VALUE }, { "index", required_argument, NULL, OPT_INDEX },
                { "auto", no_argument, NULL, OPT_AUTO }, { "manual", no_argument, NULL, OPT_MANUAL },
                { "help", no_argument, NULL, 'h' }, {},
        };
        struct hd_mdev_change ch = { .autostart = -1, .add_index = -1, .del_index = -1 };
        const char *parent = NULL;
        long index = -1;
        char *end;
        int c, r;

        while ((c = getopt_long(argc, argv, "p:t:h", opts, NULL)) >= 0)
                switch (c) {
                case 'p': parent = optarg; break;
                case 't': ch.type = optarg; break;
                case OPT_ADD: ch.add_name = optarg; break;
                case OPT_DEL: ch.del = true; break;
                case OPT_VALUE: ch.add_value = optarg; break;
                case OPT_INDEX:
                        index = strtol(optarg, &end, 10);
                        if (*end || index < 0)
                                return cli_usage_error("mdev", "--index takes a position from 0, not '%s'", optarg);
                        break;
                case OPT_AUTO: ch.autostart = 1; break;
                case OPT_MANUAL: ch.autostart = 0; break;
                case 'h': usage(stdout); return EXIT_OK;
                default: return cli_usage_error("mdev", "unknown option");
                }
        if (argc - optind != 1)
                return cli_usage_error("mdev", "modify takes the device's UUID");
        if (!ch.add_name != !ch.add_value)
                return cli_usage_error("mdev", "--addattr NAME goes with --value VALUE");
        if (ch.add_name && ch.del)
                return cli_usage_error("mdev", "add or delete one attribute at a time");
        if (!ch.type && ch.autostart < 0 && !ch.add_name && !ch.del)
                return cli_usage_error("mdev", "modify what? --type, --auto/--manual, --addattr or --delattr");
        ch.add_index = ch.del_index = index;
        r = hd_mdev_modify(ctx, argv[optind], parent, &ch);
        return r < 0 ? cli_fail(ctx, r, "modify") : EXIT_OK;
}

static void report(void *userdata, const struct hd_mdev *m, int error, const char *message) {
        if (error < 0)
                fprintf(stderr, "hostdev: %s on %s: %s\n", m->uuid, m->parent, message ? message : strerror(-error));
        else
                printf("started %s (%s on %s)\n", m->uuid, m->type, m->parent);
}

static int cmd_start_autostart(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = { { "parent", required_argument, NULL, 'p' }, { "help", no_argument, NULL, 'h' }, {} };
        const char *parent = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) >= 0)
                switch (c) {
                case 'p': parent = optarg; break;
                case 'h': usage(stdout); return EXIT_OK;
                default: return cli_usage_error("mdev", "unknown option");
                }
        if (optind < argc)
                return cli_usage_error("mdev", "unexpected argument '%s'", argv[optind]);
        r = hd_mdev_start_autostart(ctx, parent, report, NULL);
        /* Each failure was told above with its device. */
        return r < 0 ? EXIT_FAIL : EXIT_OK;
}

int verb_mdev(struct hd_context *ctx, int argc, char **argv) {
        const char *cmd;

        if (argc < 2) {
                usage(stderr);
                return EXIT_USAGE;
        }
        cmd = argv[1];
        if (streq(cmd, "-h") || streq(cmd, "--help") || streq(cmd, "help")) {
                usage(stdout);
                return EXIT_OK;
        }
        /* The command sees argv[0] = its name, as getopt wants. */
        argc--;
        argv++;
        optind = 0;
        if (streq(cmd, "types"))
                return cmd_types(ctx, argc, argv);
        if (streq(cmd, "list"))
                return cmd_list(ctx, argc, argv);
        if (streq(cmd, "create"))
                return cmd_create(ctx, argc, argv);
        if (streq(cmd, "define"))
                return cmd_define(ctx, argc, argv);
        if (streq(cmd, "modify"))
                return cmd_modify(ctx, argc, argv);
        if (streq(cmd, "start-autostart"))
                return cmd_start_autostart(ctx, argc, argv);
        if (streq(cmd, "remove") || streq(cmd, "undefine") || streq(cmd, "start") || streq(cmd, "stop") ||
            streq(cmd, "autostart"))
                return cmd_simple(ctx, argc, argv, cmd);
        return cli_usage_error("mdev", "unknown command '%s'", cmd);
}
