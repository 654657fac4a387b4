/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mdevctl's JSON for one definition, written byte for byte as mdevctl writes it and read as mdevctl reads it. */
#include <json-c/json.h>
#include <string.h>

#include "mdev-internal.h"
#include "util/strutil.h"

/* A JSON string literal, escaped as serde_json escapes (json-c does the escaping). */
static void append_json_string(struct strbuf *b, const char *s) {
        json_object *o = json_object_new_string(s);
        if (!o) {
                b->oom = true;
                return;
        }
        strbuf_append(b, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
}

/*
 * mdevctl writes serde_json::to_string_pretty of {mdev_type, start,
 * attrs}: two-space indent, "key": value, an empty array as [], and no
 * newline at the end. Writing the same bytes keeps a definition that
 * moves between the two tools unchanged.
 */
int mdev_json_format(const struct hd_mdev *m, char **ret) {
        struct strbuf b = { 0 };
        char *s;

        strbuf_append(&b, "{\n  \"mdev_type\": ");
        append_json_string(&b, m->type);
        strbuf_appendf(&b, ",\n  \"start\": \"%s\",\n  \"attrs\": ", m->autostart ? "auto" : "manual");
        if (m->n_attrs == 0)
                strbuf_append(&b, "[]");
        else {
                strbuf_append(&b, "[\n");
                for (size_t i = 0; i < m->n_attrs; i++) {
                        strbuf_append(&b, "    {\n      ");
                        append_json_string(&b, m->attrs[i].name);
                        strbuf_append(&b, ": ");
                        append_json_string(&b, m->attrs[i].value);
                        strbuf_append(&b, i + 1 < m->n_attrs ? "\n    },\n" : "\n    }\n");
                }
                strbuf_append(&b, "  ]");
        }
        strbuf_append(&b, "\n}");
        s = strbuf_steal(&b);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static int why(char **ret_why, const char *msg) {
        if (ret_why)
                *ret_why = strdup(msg);
        return -EINVAL;
}

/*
 * As mdevctl's load_from_json: "mdev_type" and "start" are required
 * strings, "attrs" (optional) an array of one-member objects with string
 * values; other members are ignored.
 */
int mdev_json_parse(const char *json, struct hd_mdev *m, char **ret_why) {
        enum json_tokener_error jerr = json_tokener_success;
        json_object *root = json_tokener_parse_verbose(json, &jerr), *type, *start, *attrs;
        struct hd_mdev_attr *list = NULL;
        size_t n = 0;
        int r = -EINVAL;

        if (!root)
                return why(ret_why, json_tokener_error_desc(jerr));
        if (!json_object_is_type(root, json_type_object)) {
                r = why(ret_why, "not a JSON object");
                goto out;
        }
        if (!json_object_object_get_ex(root, "mdev_type", &type) || !json_object_is_type(type, json_type_string) ||
            !json_object_object_get_ex(root, "start", &start) || !json_object_is_type(start, json_type_string)) {
                r = why(ret_why, "\"mdev_type\" and \"start\" must both be strings");
                goto out;
        }
        if (json_object_object_get_ex(root, "attrs", &attrs) && !json_object_is_type(attrs, json_type_null)) {
                size_t len;
                if (!json_object_is_type(attrs, json_type_array)) {
                        r = why(ret_why, "\"attrs\" is not an array");
                        goto out;
                }
                len = json_object_array_length(attrs);
                if (len > 0 && !(list = calloc(len, sizeof(*list)))) {
                        r = -ENOMEM;
                        goto out;
                }
                for (size_t i = 0; i < len; i++) {
                        json_object *a = json_object_array_get_idx(attrs, i);
                        if (!json_object_is_type(a, json_type_object) || json_object_object_length(a) != 1) {
                                r = why(ret_why, "each attribute must be an object with one member");
                                goto out;
                        }
                        json_object_object_foreach(a, key, val) {
                                if (!json_object_is_type(val, json_type_string)) {
                                        r = why(ret_why, "an attribute's value must be a string");
                                        goto out;
                                }
                                list[n].name = strdup(key);
                                list[n].value = strdup(json_object_get_string(val));
                                n++;
                                if (!list[n - 1].name || !list[n - 1].value) {
                                        r = -ENOMEM;
                                        goto out;
                                }
                        }
                }
        }
        free(m->type);
        m->type = strdup(json_object_get_string(type));
        if (!m->type) {
                r = -ENOMEM;
                goto out;
        }
        m->autostart = streq(json_object_get_string(start), "auto");
        mdev_attrs_free(m->attrs, m->n_attrs);
        m->attrs = TAKE_PTR(list);
        m->n_attrs = n;
        n = 0;
        r = 0;
out:
        mdev_attrs_free(list, n);
        json_object_put(root);
        return r;
}
