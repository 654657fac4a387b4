/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer: /etc/hostdev setting files (kept by hand or by configuration management) parse without harm. */
#include <stdlib.h>
#include <string.h>

#include "persist/persist-internal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* A setting we write reads back to the same values. */
static void round_trip(enum hd_persist_kind kind, const char *text) {
        struct hd_persist p = { .addr = "0000:01:00.0" }, q = {};
        char *why = NULL, *out = NULL;

        if (persist_parse(text, kind, &p, &why) < 0) {
                free(why);
                return;
        }
        out = persist_format(kind, &p);
        if (!out || persist_parse(out, kind, &q, &why) < 0 || p.numvfs != q.numvfs || p.autoprobe != q.autoprobe ||
            (p.driver ? !q.driver || strcmp(p.driver, q.driver) : q.driver != NULL))
                abort();
        free(out);
        hd_persist_done(&p);
        hd_persist_done(&q);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
        char *text = malloc(size + 1);

        if (!text)
                abort();
        memcpy(text, data, size);
        text[size] = 0;
        round_trip(HD_PERSIST_PCI, text);
        round_trip(HD_PERSIST_SRIOV, text);
        free(text);
        return 0;
}
