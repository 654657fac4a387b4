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
               "HOSTDEV_STATE_DIR).\n\n"
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

int verb_active(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = {
                { "json", no_argument, NULL, 'J' },
                { "raw", no_argument, NULL, 'r' },
                { "noheadings", no_argument, NULL, 'n' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        static const struct {
                const char *name;
                double w;
                int flags;
        } cols[] = {
                { "KIND", 6, 0 },   { "DEVICE", 20, 0 },          { "STATE", 8, 0 },  { "OWNER", 16, 0 },
                { "UUID", 36, SCOLS_FL_HIDDEN }, { "SINCE", 19, 0 }, { "NODE", 12, 0 }, { "CDEV", 12, 0 },
                { "RESTORE", 30, SCOLS_FL_WRAP },
        };
        bool json = false, raw = false, noheadings = false;
        struct libscols_table *tb;
        struct hd_active *v = NULL;
        size_t n = 0;
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
        if (n == 0 && !json && !raw && !noheadings) {
                printf("no device is held or detached\n");
                return EXIT_OK;
        }
        tb = scols_new_table();
        if (!tb) {
                hd_active_list_free(v, n);
                return EXIT_FAIL;
        }
        scols_table_set_name(tb, "devices");
        scols_table_enable_json(tb, json);
        scols_table_enable_raw(tb, raw);
        scols_table_enable_noheadings(tb, noheadings);
        for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
                /* JSON shows every column; a person sees the UUID through -J only. */
                struct libscols_column *cl = scols_table_new_column(tb, cols[i].name, cols[i].w,
                                                                    json ? cols[i].flags & ~SCOLS_FL_HIDDEN : cols[i].flags);
                if (!cl) {
                        r = -ENOMEM;
                        goto out;
                }
        }
        for (size_t i = 0; i < n; i++) {
                const struct hd_active *a = &v[i];
                struct libscols_line *ln = scols_table_new_line(tb, NULL);
                char *cdev = NULL;
                char *vals[9] = { strdup(a->kind), strdup(a->key), strdup(a->state), owner_of(a),
                                  strdup_or_null(a->owner_uuid),
                                  when(streq(a->state, "held") ? a->updated : a->created), strdup_or_null(a->node),
                                  hd_active_vfio_cdev(ctx, a, &cdev) < 0 ? NULL : cdev, restore_of(a) };
                for (int k = 0; k < 9; k++) {
                        if (!ln || (vals[k] && scols_line_refer_data(ln, (size_t)k, vals[k]) < 0)) {
                                free(vals[k]);
                                r = -ENOMEM;
                        }
                }
                if (r < 0)
                        goto out;
        }
        scols_print_table(tb);
out:
        scols_unref_table(tb);
        hd_active_list_free(v, n);
        return r < 0 ? cli_fail(ctx, r, "active") : EXIT_OK;
}
