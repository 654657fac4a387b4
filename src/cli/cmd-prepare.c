/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev prepare`: every device of a domain's XML to its guest, or none; and what the manager's verbs share. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_read_domain(struct hd_context *ctx, const char *file, struct hd_domain_def **ret) {
        char *buf = NULL;
        size_t len = 0;
        FILE *mem;
        int r;

        if (!streq(file, "-"))
                return hd_domain_parse_file(ctx, file, ret);
        mem = open_memstream(&buf, &len);
        if (!mem)
                return -ENOMEM;
        for (int c; (c = getchar()) != EOF;)
                fputc(c, mem);
        if (fclose(mem) != 0) {
                free(buf);
                return -ENOMEM;
        }
        r = hd_domain_parse(ctx, buf, len, "stdin", ret);
        free(buf);
        return r;
}

int cli_owner(const char *verb, const char *spec, const char *uuid, const struct hd_domain_def *def,
              struct cli_owner *ret) {
        const char *colon = spec ? strchr(spec, ':') : NULL;

        *ret = (struct cli_owner){};
        if (!spec)
                return cli_usage_error(verb, "no owner given: --owner DRIVER:DOMAIN (such as qemu:vm1)");
        ret->driver = colon ? strndup(spec, (size_t)(colon - spec)) : strdup(spec);
        if (colon && colon[1])
                ret->domain = strdup(colon + 1);
        else if (def && def->name)
                ret->domain = strdup(def->name);
        else
                return cli_usage_error(verb, "'%s' names no domain and the XML has no <name>: use --owner DRIVER:DOMAIN",
                                       spec);
        if (uuid)
                ret->uuid = strdup(uuid);
        else if (def && def->uuid[0])
                ret->uuid = strdup(def->uuid);
        if (!ret->driver || !ret->domain || ((uuid || (def && def->uuid[0])) && !ret->uuid)) {
                fprintf(stderr, "hostdev %s: out of memory\n", verb);
                return EXIT_FAIL;
        }
        ret->o = (struct hd_owner){ ret->driver, ret->domain, ret->uuid };
        return 0;
}

void cli_owner_done(struct cli_owner *o) {
        free(o->driver);
        free(o->domain);
        free(o->uuid);
}

int cli_manager_fail(struct hd_context *ctx, int r, const char *what) {
        const char *m = hd_context_last_error(ctx);
        if ((r == -EACCES || r == -EPERM) && (!m || !strstr(m, "root")) && geteuid() != 0) {
                fprintf(stderr, "hostdev: %s: %s; this needs root (sudo hostdev ...)\n", what, m ? m : strerror(-r));
                return EXIT_FAIL;
        }
        return cli_fail(ctx, r, what);
}

/* What OWNER holds now, one line per device, for a person. */
void cli_print_held(struct hd_context *ctx, const struct hd_owner *o) {
        struct hd_active *v = NULL;
        size_t n = 0;

        if (hd_active_list(ctx, &v, &n) < 0)
                return;
        for (size_t i = 0; i < n; i++) {
                const struct hd_active *a = &v[i];
                bool mine = a->owner_driver && a->owner_domain && streq(a->owner_driver, o->driver) &&
                            streq(a->owner_domain, o->domain);
                for (char **s = a->sharers; !mine && s && *s; s++) {
                        size_t dl = strlen(o->driver);
                        mine = strneq(*s, o->driver, dl) && (*s)[dl] == ':' && streq(*s + dl + 1, o->domain);
                }
                if (!mine || !streq(a->state, "held"))
                        continue;
                if (streq(a->kind, "net_vf"))
                        printf("  %-6s %-20s MAC and VLAN set; MAC %s, VLAN %s%s%s kept for release\n", a->kind,
                               a->key, a->vf_mac ? a->vf_mac : "-", a->vf_vlan ? a->vf_vlan : "0",
                               a->vf_flags ? ", " : "", a->vf_flags ? a->vf_flags : "");
                else {
                        _cleanup_free_ char *cdev = NULL;
                        (void)hd_active_vfio_cdev(ctx, a, &cdev);
                        printf("  %-6s %-20s %s%s%s\n", a->kind, a->key, a->node ? a->node : "", cdev ? ", cdev " : "",
                               cdev ? cdev : "");
                }
        }
        hd_active_list_free(v, n);
}

static void usage(void) {
        printf("Usage: hostdev prepare --owner DRIVER[:DOMAIN] [--uuid UUID] [OPTIONS] FILE\n\n"
               "Give every device of a virtual machine to it, or none: FILE is libvirt domain XML (a whole\n"
               "<domain>, or <hostdev> and <interface type='hostdev'> elements), '-' for standard input.\n"
               "Managed PCI devices are detached to vfio-pci, unmanaged ones must be on it already; a USB\n"
               "device is found by vendor/product wherever it is plugged in; a SCSI LUN resolves to its\n"
               "/dev/sgN; a defined mediated device is started; a VF's MAC and VLAN are saved and set.\n"
               "On any failure every step already taken is undone. 'hostdev release' gives them back.\n\n"
               "Options:\n"
               " -o, --owner DRIVER[:DOMAIN]  who the devices are for; DOMAIN defaults to the XML's <name>\n"
               " -u, --uuid UUID              the domain's UUID (default: the XML's <uuid>)\n"
               " -f, --force                  take devices the host runs on (a mounted disk, the default route)\n"
               "     --resume                 the guest resumes rather than boots: startupPolicy='requisite'\n"
               "                              USB devices may be missing\n"
               " -k, --kind KIND[,KIND...]    only these kinds: pci, usb, scsi, mdev, net_vf\n"
               "     --pid PID                tie the hold to process PID: once it has died, the next\n"
               "                              hostdev command (or 'hostdev recover') gives the devices back\n"
               " -h, --help                   this help\n\n"
               "See also: hostdev release, hostdev active, hostdev qemu-args, hostdev run.\n");
}

int cli_kinds(const char *verb, const char *spec, unsigned *flags) {
        static const struct {
                const char *name;
                unsigned flag;
        } kinds[] = {
                { "pci", HD_MANAGER_ONLY_PCI },   { "usb", HD_MANAGER_ONLY_USB },       { "scsi", HD_MANAGER_ONLY_SCSI },
                { "mdev", HD_MANAGER_ONLY_MDEV }, { "net_vf", HD_MANAGER_ONLY_NET_VF },
        };
        _cleanup_free_ char *copy = strdup(spec);
        char *save = NULL;

        if (!copy)
                return EXIT_FAIL;
        for (char *k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
                size_t i;
                for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
                        if (streq(k, kinds[i].name))
                                break;
                if (i == sizeof(kinds) / sizeof(kinds[0]))
                        return cli_usage_error(verb, "'%s' is not a kind: pci, usb, scsi, mdev or net_vf", k);
                *flags |= kinds[i].flag;
        }
        return 0;
}

int cli_prepare_option(const char *verb, int c, const char *arg, struct cli_prepare_opts *p) {
        switch (c) {
        case 'o': p->owner = arg; return 1;
        case 'u': p->uuid = arg; return 1;
        case 'f': p->flags |= HD_MANAGER_FORCE; return 1;
        case 'R': p->flags |= HD_MANAGER_RESUME; return 1;
        case 'k': return cli_kinds(verb, arg, &p->flags) == 0 ? 1 : -1;
        default: return 0;
        }
}

int verb_prepare(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = {
                CLI_PREPARE_OPTIONS,
                { "pid", required_argument, NULL, 'P' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct cli_prepare_opts p = {};
        int pid = 0;
        struct hd_domain_def *def = NULL;
        struct cli_owner o = {};
        char **skipped = NULL;
        int c, r, ret;

        while ((c = getopt_long(argc, argv, CLI_PREPARE_SHORT "h", opts, NULL)) >= 0) {
                if ((r = cli_prepare_option("prepare", c, optarg, &p)) < 0)
                        return EXIT_USAGE;
                if (r > 0)
                        continue;
                if (c == 'h') {
                        usage();
                        return EXIT_OK;
                }
                if (c == 'P') {
                        char *end;
                        long v;
                        errno = 0;
                        v = strtol(optarg, &end, 10);
                        if (errno || end == optarg || *end || v <= 0 || v > INT_MAX)
                                return cli_usage_error("prepare", "--pid '%s' is not a process id: a positive number "
                                                       "(such as the launcher's $!)", optarg);
                        pid = (int)v;
                        continue;
                }
                return cli_usage_error("prepare", "unknown option");
        }
        if (optind != argc - 1)
                return cli_usage_error("prepare", optind == argc ? "no FILE given ('-' for standard input)"
                                                                 : "takes one FILE");
        if (!p.owner)
                return cli_usage_error("prepare", "no owner given: --owner DRIVER:DOMAIN (such as qemu:vm1)");
        r = cli_read_domain(ctx, argv[optind], &def);
        if (r < 0)
                return cli_fail(ctx, r, argv[optind]);
        ret = cli_owner("prepare", p.owner, p.uuid, def, &o);
        if (ret == 0) {
                r = pid ? hd_manager_prepare_pid(ctx, &o.o, def, p.flags, pid, &skipped)
                        : hd_manager_prepare(ctx, &o.o, def, p.flags, &skipped);
                if (r < 0)
                        ret = cli_manager_fail(ctx, r, "prepare");
                else {
                        if (pid)
                                printf("%s:%s holds, for as long as process %d lives:\n", o.o.driver, o.o.domain,
                                       pid);
                        else
                                printf("%s:%s holds:\n", o.o.driver, o.o.domain);
                        cli_print_held(ctx, &o.o);
                        for (char **s = skipped; s && *s; s++)
                                printf("left out: %s\n", *s);
                        ret = EXIT_OK;
                }
        }
        hd_strv_free(skipped);
        cli_owner_done(&o);
        hd_domain_def_free(def);
        return ret;
}
