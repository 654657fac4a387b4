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

static const char *const verdict_table[] = {
        [HD_REPORT_NOW] = "now",
        [HD_REPORT_HOSTDEV] = "hostdev",
        [HD_REPORT_PERSON] = "person",
};

const char *hd_report_verdict_to_string(enum hd_report_verdict v) {
        return (unsigned)v < ELEMENTSOF(verdict_table) ? verdict_table[v] : NULL;
}

int report_vadd(struct hd_report *r, const struct report_meta *meta, enum hd_report_status st, const char *topic,
                const char *remedy, const char *fmt, va_list ap) {
        struct hd_report_item *v, *it;
        char *text;
        bool fixes = meta && meta->hostdev_fixes;

        if (!r)
                return 0;
        if (vasprintf(&text, fmt, ap) < 0)
                return -ENOMEM;
        v = realloc(r->items, (r->n_items + 1) * sizeof(*v));
        if (!v) {
                free(text);
                return -ENOMEM;
        }
        r->items = v;
        it = &v[r->n_items++];
        *it = (struct hd_report_item){ .status = st, .text = text, .hostdev_fixes = fixes && st == HD_REPORT_FAIL };
        it->topic = strdup(topic);
        it->remedy = strdup_or_null(remedy);
        it->source = strdup_or_null(meta ? meta->source : NULL);
        if (st == HD_REPORT_FAIL) {
                enum hd_report_verdict now = it->hostdev_fixes ? HD_REPORT_HOSTDEV : HD_REPORT_PERSON;
                r->ok = false;
                if (now > r->verdict)
                        r->verdict = now;
        }
        return it->topic && (!remedy || it->remedy) && (!meta || !meta->source || it->source) ? 0 : -ENOMEM;
}

int report_add(struct hd_report *r, enum hd_report_status st, const char *topic, const char *remedy,
               const char *fmt, ...) {
        va_list ap;
        int ret;
        va_start(ap, fmt);
        ret = report_vadd(r, NULL, st, topic, remedy, fmt, ap);
        va_end(ap);
        return ret;
}

int report_addm(struct hd_report *r, const struct report_meta *meta, enum hd_report_status st, const char *topic,
                const char *remedy, const char *fmt, ...) {
        va_list ap;
        int ret;
        va_start(ap, fmt);
        ret = report_vadd(r, meta, st, topic, remedy, fmt, ap);
        va_end(ap);
        return ret;
}

/* Worst first: what needs a person, what hostdev clears, warnings, then the rest as they came. */
static int rank(const struct hd_report_item *it) {
        switch (it->status) {
        case HD_REPORT_FAIL:
                return it->hostdev_fixes ? 1 : 0;
        case HD_REPORT_WARN:
                return 2;
        default:
                return 3;
        }
}

void report_sort(struct hd_report *r) {
        /* Insertion sort: stable, and a report has a few dozen items. */
        for (size_t i = 1; r && i < r->n_items; i++) {
                struct hd_report_item it = r->items[i];
                size_t j = i;
                for (; j > 0 && rank(&r->items[j - 1]) > rank(&it); j--)
                        r->items[j] = r->items[j - 1];
                r->items[j] = it;
        }
}

struct hd_report *hd_report_free(struct hd_report *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n_items; i++) {
                free(r->items[i].topic);
                free(r->items[i].text);
                free(r->items[i].remedy);
                free(r->items[i].source);
        }
        free(r->items);
        free(r->subject);
        free(r);
        return NULL;
}
