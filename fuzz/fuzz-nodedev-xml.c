/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer: node device XML (what `hostdev create` and `mdev define` read) parses without harm, and printing is a fixed point. */
#include <stdlib.h>
#include <string.h>

#include "hostdev/hostdev.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
        struct hd_context *ctx = NULL;
        struct hd_device *d = NULL, *d2 = NULL;
        char *a = NULL, *b = NULL;

        if (hd_context_new(&ctx) < 0)
                return 0;
        if (hd_device_from_xml(ctx, (const char *)data, size, &d) >= 0 && hd_device_to_xml(ctx, d, &a) >= 0) {
                /* What we print, we read back to the same document. */
                if (hd_device_from_xml(ctx, a, strlen(a), &d2) < 0 || hd_device_to_xml(ctx, d2, &b) < 0 ||
                    strcmp(a, b) != 0)
                        abort();
        }
        free(a);
        free(b);
        hd_device_free(d);
        hd_device_free(d2);
        hd_context_free(ctx);
        return 0;
}
