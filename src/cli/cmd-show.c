/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PLACEHOLDER */
#include "cli.h"
int verb_show(struct hd_context *ctx, int argc, char **argv) { return 1; }
