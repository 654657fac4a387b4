/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer: domain XML (what `hostdev prepare` reads) parses without harm, and printing is a fixed point. */
#include <stdlib.h>
#include <string.h>

#include "hostdev/hostdev.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
        struct hd_context *ctx = NULL;
        struct hd_domain_def *def = NULL, *def2 = NULL;
        char *a = NULL, *b = NULL;

        if (hd_context_new(&ctx) < 0)
                return 0;
        if (hd_domain_parse(ctx, (const char *)data, size, "fuzz", &def) >= 0 &&
            hd_domain_format(ctx, def, false, &a) >= 0) {
                if (hd_domain_parse(ctx, a, strlen(a), "printed", &def2) < 0 ||
                    hd_domain_format(ctx, def2, false, &b) < 0 || strcmp(a, b) != 0)
                        abort();
        }
        free(a);
        free(b);
        hd_domain_def_free(def);
        hd_domain_def_free(def2);
        hd_context_free(ctx);
        return 0;
}
