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
/* Exit codes: 0 ok, 1 failure, 2 usage (as util-linux tools). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };
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
