/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer: mdevctl definition files (under /etc/mdevctl.d, written by anyone) parse without harm. */
#include <stdlib.h>
#include <string.h>

#include "hostdev/mdev.h"
#include "mdev/mdev-internal.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
        char *json = malloc(size + 1), *why = NULL, *a = NULL, *b = NULL;
        struct hd_mdev *m = calloc(1, sizeof(*m)), *m2 = calloc(1, sizeof(*m2));

        if (!json || !m || !m2)
                abort();
        memcpy(json, data, size);
        json[size] = 0;
        if (mdev_json_parse(json, m, &why) >= 0 && mdev_json_format(m, &a) >= 0) {
                /* A definition we write reads back to the same file. */
                free(why);
                why = NULL;
                if (mdev_json_parse(a, m2, &why) < 0 || mdev_json_format(m2, &b) < 0 || strcmp(a, b) != 0)
                        abort();
        }
        free(why);
        free(a);
        free(b);
        free(json);
        hd_mdev_free(m);
        hd_mdev_free(m2);
        return 0;
}
