/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev active`: who holds which device, since when, and what giving it back will restore. */
#include <getopt.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "util/strutil.h"

static void usage(void) {
        printf("Usage: hostdev active [-J] [-r] [-n]\n\n"
               "Every device the state store records: held by a guest (OWNER), detached by hand, or\n"
               "busy (an operation runs on it, or was killed: see 'hostdev recover'); since when; the\n"
               "node the guest uses (CDEV: its VFIO cdev, where the kernel has one); and what release or\n"
               "reattach restores. The store is shared by every launcher on the host (--state-dir,\n"
               "HOSTDEV_STATE_DIR). PID is the process a hold is tied\n"
               "to (prepare --pid, hostdev run). A second table lists what was given back, in the last 30\n"
               "days, because the process a hold was tied to had died.\n\n"
               "Options:\n"
               " -J, --json          JSON output\n"
               " -r, --raw           raw output\n"
               " -n, --noheadings    no headings\n"
               " -h, --help          this help\n");
}

static char *when(int64_t t) {
        char buf[64];
        time_t tt = (time_t)t;
        struct tm tm;
        if (!localtime_r(&tt, &tm) || strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm) == 0)
                return strdup("?");
        return strdup(buf);
}

static char *owner_of(const struct hd_active *a) {
        struct strbuf b = {};
        if (a->sharers) {
                for (char **s = a->sharers; *s; s++)
                        strbuf_appendf(&b, "%s%s", s == a->sharers ? "" : ",", *s);
                return strbuf_steal(&b);
        }
        if (!a->owner_driver)
                return NULL;
        return strdupf("%s:%s", a->owner_driver, a->owner_domain ? a->owner_domain : "?");
}

/* What giving it back does, for a person. */
static char *restore_of(const struct hd_active *a) {
        if (streq(a->state, "busy"))
                return strdupf("being changed by %s; if it is gone, hostdev recover", a->holder ? a->holder : "?");
        /* Claimed: its launcher (libvirt) prepared it and gives it back; hostdev only holds the record. */
        if (a->claimed)
                return a->prev_state ? strdup("claimed: the launcher gives it back; then detached again")
                                     : strdup("claimed: the launcher gives it back");
        if (streq(a->kind, "pci")) {
                if (a->prev_state)
                        return strdupf("stays detached on %s", a->stub_driver ? a->stub_driver : "its stub");
                if (!a->unbind_from_stub)
                        return strdupf("stays on %s", a->stub_driver ? a->stub_driver : "its stub");
                if (a->orig_driver)
                        return strdupf("back to %s%s%s", a->orig_driver, a->orig_override ? ", override " : "",
                                       a->orig_override ? a->orig_override : "");
                return strdup("unbound, as it was");
        }
        if (streq(a->kind, "net_vf"))
                return a->vf_mac ? strdupf("MAC %s, VLAN %s%s%s", a->vf_mac, a->vf_vlan ? a->vf_vlan : "0",
                                           a->vf_flags ? ", " : "", a->vf_flags ? a->vf_flags : "")
                                 : strdup("nothing set yet");
        if (streq(a->kind, "mdev"))
                return strdup(a->mdev_started ? "stopped (hostdev started it)" : "keeps running");
        if (streq(a->kind, "scsi") && a->sharers && a->sharers[0] && a->sharers[1])
                return strdup("stays with the other owners until the last");
        return strdup("nothing to restore");
}

/* The devices table: one line per record. */
static int devices_table(struct hd_context *ctx, const struct hd_active *v, size_t n, bool json, bool raw,
                         bool noheadings, struct libscols_table **ret) {
        static const struct {
                const char *name;
                double w;
                int flags;
        } cols[] = {
                { "KIND", 6, 0 },   { "DEVICE", 20, 0 },          { "STATE", 8, 0 },  { "OWNER", 16, 0 },
                { "UUID", 36, SCOLS_FL_HIDDEN }, { "SINCE", 19, 0 }, { "NODE", 12, 0 },
                { "RESTORE", 30, SCOLS_FL_WRAP },
                /* New columns go last, so that the columns before them stay where scripts found them. */
                { "PID", 7, SCOLS_FL_RIGHT }, { "CDEV", 12, 0 },
        };
        struct libscols_table *tb = scols_new_table();
        int r = 0;

        if (!tb)
                return -ENOMEM;
        scols_table_set_name(tb, "devices");
        scols_table_enable_json(tb, json);
        scols_table_enable_raw(tb, raw);
        scols_table_enable_noheadings(tb, noheadings);
        for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
                /* JSON shows every column; a person sees the UUID through -J only. */
                struct libscols_column *cl = scols_table_new_column(tb, cols[i].name, cols[i].w,
                                                                    json ? cols[i].flags & ~SCOLS_FL_HIDDEN : cols[i].flags);
                if (!cl)
                        r = -ENOMEM;
                else if (streq(cols[i].name, "PID"))
                        scols_column_set_json_type(cl, SCOLS_JSON_NUMBER);
        }
        for (size_t i = 0; r >= 0 && i < n; i++) {
                const struct hd_active *a = &v[i];
                struct libscols_line *ln = scols_table_new_line(tb, NULL);
                char *cdev = NULL;
                char *vals[10] = { strdup(a->kind), strdup(a->key), strdup(a->state), owner_of(a),
                                   strdup_or_null(a->owner_uuid),
                                   when(streq(a->state, "held") ? a->updated : a->created), strdup_or_null(a->node),
                                   restore_of(a), a->holder_pid ? strdupf("%lld", (long long)a->holder_pid) : NULL,
                                   hd_active_vfio_cdev(ctx, a, &cdev) < 0 ? NULL : cdev };
                for (int k = 0; k < 10; k++) {
                        if (!ln || (vals[k] && scols_line_refer_data(ln, (size_t)k, vals[k]) < 0)) {
                                free(vals[k]);
                                r = -ENOMEM;
                        }
                }
        }
        if (r < 0) {
                scols_unref_table(tb);
                return r;
        }
        *ret = tb;
        return 0;
}

/* The second table: what went back from holders that died, when, and why. */
static int reclaims_table(const struct hd_reclaim *v, size_t n, bool json, struct libscols_table **ret) {
        static const char *const cols[] = { "KIND", "DEVICE", "OWNER", "PID", "WHEN", "WHY" };
        static const double widths[] = { 6, 20, 16, 7, 19, 30 };
        struct libscols_table *tb = scols_new_table();
        int r = 0;

        if (!tb)
                return -ENOMEM;
        scols_table_set_name(tb, "reclaimed");
        scols_table_enable_json(tb, json);
        for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
                struct libscols_column *cl = scols_table_new_column(tb, cols[i], widths[i], i == 5 ? SCOLS_FL_WRAP : 0);
                if (!cl)
                        r = -ENOMEM;
                else if (streq(cols[i], "PID"))
                        scols_column_set_json_type(cl, SCOLS_JSON_NUMBER);
        }
        for (size_t i = 0; r >= 0 && i < n; i++) {
                const struct hd_reclaim *c = &v[i];
                struct libscols_line *ln = scols_table_new_line(tb, NULL);
                char *vals[6] = { strdup(c->kind), strdup(c->key), strdupf("%s:%s", c->owner_driver, c->owner_domain),
                                  strdupf("%lld", (long long)c->holder_pid), when(c->reclaimed), strdup(c->why) };
                for (int k = 0; k < 6; k++)
                        if (!ln || !vals[k] || scols_line_refer_data(ln, (size_t)k, vals[k]) < 0) {
                                free(vals[k]);
                                r = -ENOMEM;
                        }
        }
        if (r < 0) {
                scols_unref_table(tb);
                return r;
        }
        *ret = tb;
        return 0;
}

/*
 * One JSON document with both tables: libsmartcols writes each as
 * "{\n   \"NAME\": [...]\n}\n"; the first loses its closing brace, the second
 * its opening one.
 */
static int print_json(struct libscols_table *devices, struct libscols_table *reclaimed) {
        char *a = NULL, *b = NULL, *end;
        int r = -ENOMEM;

        if (scols_print_table_to_string(devices, &a) < 0 || scols_print_table_to_string(reclaimed, &b) < 0 || !a || !b)
                goto out;
        end = strrchr(a, '}');
        if (!end || !strchr(b, '{'))
                goto out;
        while (end > a && (end[-1] == '\n' || end[-1] == ' '))
                end--;
        printf("%.*s,%s", (int)(end - a), a, strchr(b, '{') + 1);
        r = 0;
out:
        free(a);
        free(b);
        return r;
}

int verb_active(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = {
                { "json", no_argument, NULL, 'J' },
                { "raw", no_argument, NULL, 'r' },
                { "noheadings", no_argument, NULL, 'n' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        bool json = false, raw = false, noheadings = false;
        struct libscols_table *tb = NULL, *tr = NULL;
        struct hd_active *v = NULL;
        struct hd_reclaim *rv = NULL;
        size_t n = 0, rn = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "Jrnh", opts, NULL)) >= 0) {
                switch (c) {
                case 'J': json = true; break;
                case 'r': raw = true; break;
                case 'n': noheadings = true; break;
                case 'h': usage(); return EXIT_OK;
                default: return cli_usage_error("active", "unknown option");
                }
        }
        if (optind != argc)
                return cli_usage_error("active", "takes no argument");
        r = hd_active_list(ctx, &v, &n);
        if (r < 0)
                return cli_manager_fail(ctx, r, "active");
        r = hd_reclaim_list(ctx, &rv, &rn);
        if (r < 0) {
                hd_active_list_free(v, n);
                return cli_manager_fail(ctx, r, "active");
        }
        r = devices_table(ctx, v, n, json, raw, noheadings, &tb);
        if (r >= 0 && (json || rn > 0))
                r = reclaims_table(rv, rn, json, &tr);
        if (r < 0)
                goto out;
        if (json)
                r = print_json(tb, tr);
        else {
                if (n == 0 && !raw && !noheadings)
                        printf("no device is held or detached\n");
                else
                        scols_print_table(tb);
                /* -r and -n are for scripts reading the first table: the second is for people (and -J). */
                if (rn > 0 && !raw && !noheadings) {
                        printf("\nGiven back from holders that died:\n");
                        scols_print_table(tr);
                }
        }
out:
        scols_unref_table(tb);
        scols_unref_table(tr);
        hd_active_list_free(v, n);
        hd_reclaim_list_free(rv, rn);
        return r < 0 ? cli_fail(ctx, r, "active") : EXIT_OK;
}
