/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reports of checks and recoveries: items of status, topic, text and remedy. */
#include <stdarg.h>
#include <string.h>

#include "manager-internal.h"
#include "util/strutil.h"

static const char *const status_table[] = {
        [HD_REPORT_OK] = "ok",
        [HD_REPORT_INFO] = "info",
        [HD_REPORT_WARN] = "warn",
        [HD_REPORT_FAIL] = "fail",
};

const char *hd_report_status_to_string(enum hd_report_status s) {
        return (unsigned)s < ELEMENTSOF(status_table) ? status_table[s] : NULL;
}

struct hd_report *report_new(const char *subject) {
        struct hd_report *r = calloc(1, sizeof(*r));
        if (!r)
                return NULL;
        r->ok = true;
        if (subject && !(r->subject = strdup(subject))) {
                free(r);
                return NULL;
        }
        return r;
}

int report_add(struct hd_report *r, enum hd_report_status st, const char *topic, const char *remedy,
               const char *fmt, ...) {
        struct hd_report_item *v, *it;
        va_list ap;
        char *text;

        if (!r)
                return 0;
        va_start(ap, fmt);
        if (vasprintf(&text, fmt, ap) < 0)
                text = NULL;
        va_end(ap);
        if (!text)
                return -ENOMEM;
        v = realloc(r->items, (r->n_items + 1) * sizeof(*v));
        if (!v) {
                free(text);
                return -ENOMEM;
        }
        r->items = v;
        it = &v[r->n_items++];
        *it = (struct hd_report_item){ .status = st, .text = text };
        it->topic = strdup(topic);
        it->remedy = strdup_or_null(remedy);
        if (st == HD_REPORT_FAIL)
                r->ok = false;
        return it->topic && (!remedy || it->remedy) ? 0 : -ENOMEM;
}

struct hd_report *hd_report_free(struct hd_report *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n_items; i++) {
                free(r->items[i].topic);
                free(r->items[i].text);
                free(r->items[i].remedy);
        }
        free(r->items);
        free(r->subject);
        free(r);
        return NULL;
}
