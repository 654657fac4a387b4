/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hostdev run`: prepare a domain's devices, run its launcher with their QEMU options, give them back when it ends. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "launch.h"
#include "util/strutil.h"

/* As env(1), nice(1) and timeout(1): 125 is ours, 126 and 127 an exec that failed. */
enum { RUN_FAILED = 125, RUN_CANNOT_EXEC = 126, RUN_NOT_FOUND = 127 };

static void usage(void) {
        printf("Usage: hostdev run --owner DRIVER[:DOMAIN] [OPTIONS] FILE [--] LAUNCHER [ARG...]\n\n"
               "Prepare every device of FILE (libvirt domain XML) for the owner, or none, as 'hostdev\n"
               "prepare'; run LAUNCHER (found in PATH, no shell) with the devices' QEMU options ('hostdev\n"
               "qemu-args') appended, or in place of each argument that is exactly '{}'; wait for it; give\n"
               "every device back when it ends, however it ends. SIGINT, SIGTERM, SIGHUP and SIGQUIT sent\n"
               "to hostdev run go to the launcher; the devices are given back after it has exited. The hold\n"
               "is tied to the launcher's process (prepare --pid): killed together with hostdev run, its\n"
               "devices are given back by the next hostdev command or 'hostdev recover'.\n\n"
               "Exit status: the launcher's (128+N when signal N ended it); 125 when hostdev failed (the\n"
               "devices could not be prepared or given back), 126 when LAUNCHER cannot run, 127 when it\n"
               "is not found; nothing is held afterwards unless giving back failed.\n\n"
               "Options:\n"
               " -o, --owner DRIVER[:DOMAIN]  who the devices are for; DOMAIN defaults to the XML's <name>\n"
               " -u, --uuid UUID              the domain's UUID (default: the XML's <uuid>)\n"
               " -f, --force                  take devices the host runs on (as prepare --force)\n"
               "     --resume                 startupPolicy='requisite' USB devices may be missing\n"
               " -k, --kind KIND[,KIND...]    only these kinds: pci, usb, scsi, mdev, net_vf\n"
               " -n, --no-controllers         leave the USB and SCSI controllers out of the options\n"
               "     --iommufd                every VFIO device through iommufd (-object iommufd), not its group\n"
               " -v, --verbose                say what was prepared and given back, on standard error\n"
               " -h, --help                   this help\n");
}

/* LAUNCHER's arguments with OPTS spliced in for each "{}", or appended when there is none. */
static char **build_argv(char **launcher, char **opts) {
        _cleanup_strv_free_ char **v = NULL;
        bool placed = false;

        for (char **a = launcher; *a; a++) {
                if (!streq(*a, "{}")) {
                        if (strv_extend(&v, *a) < 0)
                                return NULL;
                        continue;
                }
                for (char **o = opts; o && *o; o++)
                        if (strv_extend(&v, *o) < 0)
                                return NULL;
                placed = true;
        }
        for (char **o = opts; !placed && o && *o; o++)
                if (strv_extend(&v, *o) < 0)
                        return NULL;
        return TAKE_PTR(v);
}

/* Everything back: the launcher's status stands unless this fails. */
static int give_back(struct hd_context *ctx, const struct hd_owner *o, const struct hd_domain_def *def, unsigned flags,
                     int code, bool verbose) {
        int r = hd_manager_release(ctx, o, def, flags);

        if (r < 0) {
                const char *m = hd_context_last_error(ctx);
                fprintf(stderr, "hostdev run: giving the devices of %s:%s back failed: %s; the launcher's status was %d; "
                                "'hostdev release --owner %s:%s' tries again\n",
                        o->driver, o->domain, m ? m : strerror(-r), code, o->driver, o->domain);
                return RUN_FAILED;
        }
        if (verbose)
                fprintf(stderr, "hostdev run: %s:%s gave back %d device record%s\n", o->driver, o->domain, r,
                        r == 1 ? "" : "s");
        return code;
}

/* Prepared, options known: start the launcher, wait, give back. */
static int run_launcher(struct hd_context *ctx, const struct hd_owner *o, const struct hd_domain_def *def,
                        unsigned flags, char **argv, const sigset_t *old_mask, bool tied, bool verbose) {
        struct launch l;
        int r, sig, code;

        r = launch_start(argv, old_mask, &l);
        if (r < 0) {
                fprintf(stderr, "hostdev run: cannot start %s: %s\n", argv[0], strerror(-r));
                return give_back(ctx, o, def, flags, RUN_FAILED, verbose);
        }
        /* The launcher's pid is known and it runs nothing yet: the hold follows its life from here. */
        if ((sig = launch_take_pending()) > 0) {
                launch_abandon(&l);
                fprintf(stderr, "hostdev run: %s before %s started; nothing was run\n", strsignal(sig), argv[0]);
                return give_back(ctx, o, def, flags, 128 + sig, verbose);
        }
        /* Killed together with us (SIGKILL reaches no handler), it leaves a hold the next hostdev gives back. */
        if (tied && (r = hd_manager_hold_pid(ctx, o, (int)l.pid)) < 0) {
                launch_abandon(&l);
                cli_manager_fail(ctx, r, "run");
                return give_back(ctx, o, def, flags, RUN_FAILED, verbose);
        }
        if (verbose)
                fprintf(stderr, "hostdev run: starting %s (pid %d)\n", argv[0], (int)l.pid);
        r = launch_exec(&l);
        if (r < 0) {
                fprintf(stderr, "hostdev run: %s: %s\n", argv[0], strerror(-r));
                return give_back(ctx, o, def, flags, r == -ENOENT ? RUN_NOT_FOUND : RUN_CANNOT_EXEC, verbose);
        }
        code = launch_exit_code(launch_wait(&l));
        if (verbose)
                fprintf(stderr, "hostdev run: %s ended with status %d\n", argv[0], code);
        return give_back(ctx, o, def, flags, code, verbose);
}

static int run(struct hd_context *ctx, const struct hd_owner *o, const struct hd_domain_def *def, unsigned flags,
               unsigned args_flags, char **launcher, bool verbose) {
        _cleanup_strv_free_ char **opts = NULL, **argv = NULL;
        char **skipped = NULL;
        bool tied = true;
        sigset_t old;
        int r, ret;

        /* From here on no signal can stop us between taking the devices and giving them back. */
        r = launch_block_signals(&old);
        if (r < 0) {
                fprintf(stderr, "hostdev run: cannot block signals: %s\n", strerror(-r));
                return RUN_FAILED;
        }
        /* Tied to this process until the launcher's pid is known: hostdev run killed meanwhile is noticed too. */
        r = hd_manager_prepare_pid(ctx, o, def, flags, (int)getpid(), &skipped);
        if (r == -ESRCH && !streq(hd_context_get_sysroot(ctx), "/")) {
                /* A tree's /proc (--sysroot) is not this host's: there is no process there to tie a hold to. */
                tied = false;
                r = hd_manager_prepare(ctx, o, def, flags, &skipped);
        }
        if (r < 0) {
                cli_manager_fail(ctx, r, "run");
                return RUN_FAILED;
        }
        for (char **s = skipped; s && *s; s++)
                fprintf(stderr, "hostdev run: left out: %s\n", *s);
        hd_strv_free(skipped);
        if (verbose)
                fprintf(stderr, "hostdev run: %s:%s holds the devices of the domain\n", o->driver, o->domain);
        r = hd_manager_qemu_args(ctx, o, def, args_flags, &opts);
        if (r < 0) {
                cli_fail(ctx, r, "run");
                return give_back(ctx, o, def, flags, RUN_FAILED, verbose);
        }
        argv = build_argv(launcher, opts);
        if (!argv) {
                fprintf(stderr, "hostdev run: out of memory\n");
                return give_back(ctx, o, def, flags, RUN_FAILED, verbose);
        }
        ret = run_launcher(ctx, o, def, flags, argv, &old, tied, verbose);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return ret;
}

int verb_run(struct hd_context *ctx, int argc, char **argv) {
        static const struct option opts[] = {
                CLI_PREPARE_OPTIONS,
                { "no-controllers", no_argument, NULL, 'n' },
                { "iommufd", no_argument, NULL, 'I' },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct cli_prepare_opts p = {};
        struct hd_domain_def *def = NULL;
        struct cli_owner o = {};
        unsigned args_flags = 0;
        bool verbose = false;
        char **launcher;
        int c, r, ret;

        /* '+': options end at FILE; what follows is the launcher's. */
        while ((c = getopt_long(argc, argv, "+" CLI_PREPARE_SHORT "nvh", opts, NULL)) >= 0) {
                if ((r = cli_prepare_option("run", c, optarg, &p)) < 0)
                        return RUN_FAILED;
                if (r > 0)
                        continue;
                switch (c) {
                case 'n': args_flags |= HD_QEMU_ARGS_NO_CONTROLLERS; break;
                case 'I': args_flags |= HD_QEMU_ARGS_IOMMUFD; break;
                case 'v': verbose = true; break;
                case 'h': usage(); return EXIT_OK;
                default: cli_usage_error("run", "unknown option"); return RUN_FAILED;
                }
        }
        if (optind >= argc) {
                cli_usage_error("run", "no FILE given: hostdev run --owner DRIVER:DOMAIN FILE -- LAUNCHER ...");
                return RUN_FAILED;
        }
        launcher = &argv[optind + 1];
        if (*launcher && streq(*launcher, "--"))
                launcher++;
        if (!*launcher) {
                cli_usage_error("run", "no launcher given: hostdev run ... FILE -- qemu-system-x86_64 ...");
                return RUN_FAILED;
        }
        if (!p.owner) {
                cli_usage_error("run", "no owner given: --owner DRIVER:DOMAIN (such as qemu:vm1)");
                return RUN_FAILED;
        }
        r = cli_read_domain(ctx, argv[optind], &def);
        if (r < 0) {
                cli_fail(ctx, r, argv[optind]);
                return RUN_FAILED;
        }
        /* Exit statuses of our own are 125: every other number is the launcher's. */
        ret = cli_owner("run", p.owner, p.uuid, def, &o) == 0 ? run(ctx, &o.o, def, p.flags, args_flags, launcher, verbose)
                                                              : RUN_FAILED;
        cli_owner_done(&o);
        hd_domain_def_free(def);
        return ret;
}
