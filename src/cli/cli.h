/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every verb of the hostdev command shares. */
#pragma once

#include <stdbool.h>

#include "hostdev/hostdev.h"
#include "util/macro.h"

struct verb {
        const char *name;
        const char *help; /* one line */
        int (*run)(struct hd_context *ctx, int argc, char **argv);
};

/* Print "hostdev: MESSAGE" with the context's last error, or strerror(-R). Returns the exit code. */
int cli_fail(struct hd_context *ctx, int r, const char *what);
/* Exit codes: 0 ok, 1 failure, 2 usage (as util-linux tools); 3: claim refused, another owner holds a device. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_HELD = 3 };
int cli_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int verb_list(struct hd_context *ctx, int argc, char **argv);
int verb_show(struct hd_context *ctx, int argc, char **argv);
int verb_iommu(struct hd_context *ctx, int argc, char **argv);
int verb_detach(struct hd_context *ctx, int argc, char **argv);
int verb_reattach(struct hd_context *ctx, int argc, char **argv);
int verb_reset(struct hd_context *ctx, int argc, char **argv);
int verb_check(struct hd_context *ctx, int argc, char **argv);
int verb_recover(struct hd_context *ctx, int argc, char **argv);
/* DEV (address, pci_* name, network interface ...) to its PCI function's address; prints why not. */
int cli_pci_address(struct hd_context *ctx, const char *spec, char addr[static 20]);
/* A check or recovery report, as lines for a person or as JSON (cmd-check.c). */
void cli_print_report(const struct hd_report *r);
void cli_print_report_json(const struct hd_report *r);
int verb_record(struct hd_context *ctx, int argc, char **argv);
int verb_monitor(struct hd_context *ctx, int argc, char **argv);
int verb_mdev(struct hd_context *ctx, int argc, char **argv);
int verb_sriov(struct hd_context *ctx, int argc, char **argv);
int verb_vhba(struct hd_context *ctx, int argc, char **argv);
int verb_create(struct hd_context *ctx, int argc, char **argv);
int verb_apply(struct hd_context *ctx, int argc, char **argv);
int verb_prepare(struct hd_context *ctx, int argc, char **argv);
int verb_release(struct hd_context *ctx, int argc, char **argv);
int verb_active(struct hd_context *ctx, int argc, char **argv);
int verb_claim(struct hd_context *ctx, int argc, char **argv);
int verb_unclaim(struct hd_context *ctx, int argc, char **argv);
int verb_qemu_args(struct hd_context *ctx, int argc, char **argv);
int verb_run(struct hd_context *ctx, int argc, char **argv);
/* What prepare, release, active and qemu-args share (cmd-prepare.c). */
struct cli_owner {
        char *driver, *domain, *uuid;
        struct hd_owner o; /* pointing at the three above */
};
/* FILE ("-": standard input) as domain XML; a malformed one's message says line and column. */
int cli_read_domain(struct hd_context *ctx, const char *file, struct hd_domain_def **ret);
/* --owner DRIVER[:DOMAIN] and --uuid, the XML's <name> and <uuid> filling in: 0, or the exit code of a usage error. */
int cli_owner(const char *verb, const char *spec, const char *uuid, const struct hd_domain_def *def,
              struct cli_owner *ret);
void cli_owner_done(struct cli_owner *o);
/* --kind pci,usb,...: HD_MANAGER_ONLY_* into *FLAGS; 0 or a usage error's exit code. */
int cli_kinds(const char *verb, const char *spec, unsigned *flags);
/* The options prepare and run share, for their getopt_long tables and short option strings. */
#define CLI_PREPARE_OPTIONS                                                                                  \
        { "owner", required_argument, NULL, 'o' }, { "uuid", required_argument, NULL, 'u' },                 \
                { "force", no_argument, NULL, 'f' }, { "resume", no_argument, NULL, 'R' },                   \
                { "kind", required_argument, NULL, 'k' }
#define CLI_PREPARE_SHORT "o:u:fk:"
struct cli_prepare_opts {
        const char *owner, *uuid;
        unsigned flags; /* HD_MANAGER_* */
};
/* Option C (with OPTARG) into P: 1 when it is one of CLI_PREPARE_OPTIONS, 0 when not, -1 on a usage error (said). */
int cli_prepare_option(const char *verb, int c, const char *arg, struct cli_prepare_opts *p);
/* A manager failure: its message, and a word about root when it was EACCES. */
int cli_manager_fail(struct hd_context *ctx, int r, const char *what);
/* One line per device OWNER holds: kind, key, node. */
void cli_print_held(struct hd_context *ctx, const struct hd_owner *owner);
