/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev monitor`: one line per device event, with hostdev's name, capability and driver. */
#include <getopt.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
        stop = 1;
}

static void usage(void) {
        printf("Usage: hostdev monitor [-J] [--cap CAP[,CAP]] [--source kernel|udev]\n\n"
               "Print one line per device event: add, remove, change, move, bind, unbind,\n"
               "with the device's name, its capability and, for bind and unbind, the driver.\n"
               "Runs until interrupted.\n\n"
               "Options:\n"
               " -c, --cap CAP[,CAP]    only devices with these capabilities\n"
               " -s, --source SOURCE    kernel (default): the kernel's events, no udevd needed;\n"
               "                        udev: events once udevd has processed them\n"
               " -J, --json             one JSON object per line\n"
               " -h, --help             this help\n");
}

static int parse_caps(const char *spec, bool want[_HD_CAP_MAX]) {
        _cleanup_free_ char *copy = strdup(spec);
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                enum hd_cap_type c = hd_cap_type_from_string(t);
                if (c < 0) {
                        fprintf(stderr, "hostdev monitor: unknown capability '%s'; valid capabilities:", t);
                        for (int i = 0; i < _HD_CAP_MAX; i++)
                                fprintf(stderr, " %s", hd_cap_type_to_string((enum hd_cap_type)i));
                        fputc('\n', stderr);
                        return -EINVAL;
                }
                want[c] = true;
        }
        return 0;
}

static bool selected(const struct hd_event *e, const bool want[_HD_CAP_MAX], bool filtered) {
        if (!filtered || e->action == HD_EVENT_OVERFLOW)
                return true;
        for (int i = 0; i < _HD_CAP_MAX; i++)
                if (want[i] && hd_event_has_cap(e, (enum hd_cap_type)i))
                        return true;
        return false;
}

static void print_json(const struct hd_event *e) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "event", json_object_new_string(hd_event_action_to_string(e->action)));
        if (e->action != HD_EVENT_OVERFLOW) {
                if (e->seqnum)
                        json_object_object_add(o, "seqnum", json_object_new_uint64(e->seqnum));
                json_object_object_add(o, "name", json_object_new_string(e->name));
                if (e->old_name)
                        json_object_object_add(o, "old_name", json_object_new_string(e->old_name));
                json_object_object_add(o, "cap", hd_cap_type_to_string(e->cap)
                                                         ? json_object_new_string(hd_cap_type_to_string(e->cap))
                                                         : NULL);
                json_object_object_add(o, "driver", e->driver ? json_object_new_string(e->driver) : NULL);
                json_object_object_add(o, "path", e->sysfs_path ? json_object_new_string(e->sysfs_path) : NULL);
        }
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
}

/* "bind   pci_0000_01_00_1 pci vfio-pci": fields separated by spaces, for people and for awk. */
static void print_text(const struct hd_event *e) {
        const char *cap = hd_cap_type_to_string(e->cap);

        printf("%-6s %s %s", hd_event_action_to_string(e->action), e->name, cap ? cap : "-");
        if (e->action == HD_EVENT_BIND || e->action == HD_EVENT_UNBIND)
                printf(" %s", e->driver ? e->driver : "-");
        if (e->old_name)
                printf(" (was %s)", e->old_name);
        putchar('\n');
}

/* Every event waiting: printed, then flushed once, so a pipe sees each burst as it happens. */
static int drain(struct hd_context *ctx, struct hd_monitor *m, bool json, const bool want[_HD_CAP_MAX],
                 bool filtered) {
        const struct hd_event *e;
        int r;

        while ((r = hd_monitor_next_event(m, &e)) > 0) {
                if (e->action == HD_EVENT_OVERFLOW)
                        fprintf(stderr, "hostdev monitor: the kernel dropped events (receive buffer full); "
                                        "read the host again, the differences follow\n");
                if (!selected(e, want, filtered) || (!json && e->action == HD_EVENT_OVERFLOW))
                        continue;
                if (json)
                        print_json(e);
                else
                        print_text(e);
        }
        fflush(stdout);
        return r;
}

int verb_monitor(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = {
                { "cap", required_argument, NULL, 'c' },  { "source", required_argument, NULL, 's' },
                { "json", no_argument, NULL, 'J' },       { "help", no_argument, NULL, 'h' },
                {},
        };
        enum hd_monitor_source source = HD_MONITOR_KERNEL;
        bool want[_HD_CAP_MAX] = { false }, filtered = false, json = false;
        struct hd_monitor *m = NULL;
        struct sigaction sa = { .sa_handler = on_signal };
        sigset_t block, orig;
        struct pollfd pfd;
        int c, r;

        while ((c = getopt_long(argc, argv, "c:s:Jh", opts, NULL)) >= 0) {
                switch (c) {
                case 'c':
                        if (parse_caps(optarg, want) < 0)
                                return EXIT_USAGE;
                        filtered = true;
                        break;
                case 's':
                        if (streq(optarg, "kernel"))
                                source = HD_MONITOR_KERNEL;
                        else if (streq(optarg, "udev"))
                                source = HD_MONITOR_UDEV;
                        else
                                return cli_usage_error("monitor", "--source takes kernel or udev, not '%s'", optarg);
                        break;
                case 'J': json = true; break;
                case 'h': usage(); return EXIT_OK;
                default: return cli_usage_error("monitor", "unknown option");
                }
        }
        if (optind < argc)
                return cli_usage_error("monitor", "unexpected argument '%s'", argv[optind]);

        /* Signals wait blocked and are taken only inside ppoll(): no event is cut in half. */
        sigemptyset(&block);
        sigaddset(&block, SIGINT);
        sigaddset(&block, SIGTERM);
        sigaddset(&block, SIGHUP);
        sigprocmask(SIG_BLOCK, &block, &orig);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);

        r = hd_monitor_new(ctx, source, &m);
        if (r < 0)
                return cli_fail(ctx, r, "monitor");
        /* On stderr, so stdout carries events only: scripts wait for this line before acting. */
        fprintf(stderr, "hostdev monitor: listening to %s events\n", source == HD_MONITOR_UDEV ? "udev" : "kernel");
        pfd = (struct pollfd){ .fd = hd_monitor_get_fd(m), .events = POLLIN };
        while (!stop) {
                r = drain(ctx, m, json, want, filtered);
                if (r < 0)
                        break;
                if (ppoll(&pfd, 1, NULL, &orig) < 0 && errno != EINTR) {
                        r = -errno;
                        break;
                }
        }
        hd_monitor_free(m);
        sigprocmask(SIG_SETMASK, &orig, NULL);
        return r < 0 ? cli_fail(ctx, r, "monitor") : EXIT_OK;
}
