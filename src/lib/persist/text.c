/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsing and writing a persistent setting's KEY=VALUE lines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "persist-internal.h"
#include "util/strutil.h"

/* A driver's name as the kernel's PCI drivers are named: no '/', nothing a shell or a path would read otherwise. */
static bool driver_name_ok(const char *s) {
        if (isempty(s) || strlen(s) > 64 || streq(s, ".") || streq(s, ".."))
                return false;
        for (const char *c = s; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
                      *c == '-' || *c == '.'))
                        return false;
        return true;
}

static char *trim(char *s) {
        char *e;
        while (*s == ' ' || *s == '\t')
                s++;
        e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
                *--e = 0;
        return s;
}

static int why(char **ret_why, unsigned line, const char *msg, const char *arg) {
        *ret_why = strdupf("line %u: %s%s%s%s", line, msg, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
        return *ret_why ? -EINVAL : -ENOMEM;
}

int persist_parse(const char *text, enum hd_persist_kind kind, struct hd_persist *ret, char **ret_why) {
        _cleanup_free_ char *copy = strdup(text);
        _cleanup_free_ char *driver = NULL;
        const char *want = kind == HD_PERSIST_PCI ? "driver" : "numvfs";
        bool have = false;
        unsigned long numvfs = 0;
        int autoprobe = -1;
        unsigned line = 0;

        if (!copy)
                return -ENOMEM;
        /* strsep, not strtok: empty lines still count, so line numbers match an editor's. */
        for (char *next = copy, *l; (l = strsep(&next, "\n"));) {
                char *eq, *key, *value;

                line++;
                l = trim(l);
                if (!*l || *l == '#')
                        continue;
                eq = strchr(l, '=');
                if (!eq)
                        return why(ret_why, line, "is not KEY=VALUE:", l);
                *eq = 0;
                key = trim(l);
                value = trim(eq + 1);
                if (kind == HD_PERSIST_SRIOV && streq(key, "autoprobe")) {
                        if (autoprobe >= 0)
                                return why(ret_why, line, "a second", key);
                        if (!streq(value, "0") && !streq(value, "1"))
                                return why(ret_why, line, "autoprobe is 0 or 1, not", value);
                        autoprobe = value[0] - '0';
                        continue;
                }
                if (!streq(key, want))
                        return kind == HD_PERSIST_PCI ? why(ret_why, line, "a pci file has driver= alone, not", key)
                                                      : why(ret_why, line, "an sriov file has numvfs= and autoprobe=, not", key);
                if (have)
                        return why(ret_why, line, "a second", key);
                have = true;
                if (kind == HD_PERSIST_PCI) {
                        if (!driver_name_ok(value))
                                return why(ret_why, line, "not a driver's name:", value);
                        driver = strdup(value);
                        if (!driver)
                                return -ENOMEM;
                } else {
                        char *end;
                        errno = 0;
                        numvfs = strtoul(value, &end, 10);
                        if (!*value || *end || errno || numvfs > 65535 || value[0] == '-' || value[0] == '+')
                                return why(ret_why, line, "not a number of VFs (0 to 65535):", value);
                }
        }
        if (!have) {
                *ret_why = strdupf("no %s= line", want);
                return *ret_why ? -EINVAL : -ENOMEM;
        }
        ret->driver = TAKE_PTR(driver);
        ret->numvfs = (unsigned)numvfs;
        ret->autoprobe = autoprobe;
        return 0;
}

char *persist_format(enum hd_persist_kind kind, const struct hd_persist *p) {
        if (kind == HD_PERSIST_PCI)
                return strdupf("# hostdev detach --persistent: %s is put on this driver at boot (hostdev apply)\n"
                               "driver=%s\n",
                               p->addr, p->driver);
        return strdupf("# hostdev sriov set --persistent: %s gets this many VFs at boot (hostdev apply)\n"
                       "numvfs=%u\n%s",
                       p->addr, p->numvfs,
                       p->autoprobe == 0 ? "autoprobe=0\n" : p->autoprobe == 1 ? "autoprobe=1\n" : "");
}
