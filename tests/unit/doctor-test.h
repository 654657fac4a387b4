/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the doctor's tests share: the doctor tree behind the emulator, a check's items by topic and words. */
#pragma once

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "emu-test.h"

#define GPU "0000:01:00.0"    /* amdgpu, boot display, efifb in BAR 0, group 2 with AUDIO, reset by bus */
#define AUDIO "0000:01:00.1"  /* snd_hda_intel */
#define IGB0 "0000:03:00.0"   /* igb, group 5 behind the PCH root ports without ACS */
#define IGB1 "0000:03:00.1"
#define XHCI "0000:04:00.0"   /* xhci_hcd, group 5 too */
#define PCH_RP "0000:00:1c.0" /* no ACS; 00:1c.4 its sibling */
#define MLX_VF "0000:07:00.0" /* no driver; mlx5_vfio_pci's alias matches it best */
#define HELD "0000:00:04.0"   /* vfio-pci, group 12, open by qemu-system-x86 pid 4242 */
#define AHCI "0000:00:05.0"   /* no reset method */

static inline int doctor_setup(void **state) {
        return emu_test_setup(state, "doctor");
}

static inline void assert_error_has(struct hd_context *ctx, const char *what) {
        const char *m = hd_context_last_error(ctx);
        if (!m || !strstr(m, what))
                fail_msg("expected an error with '%s', got '%s'", what, m ? m : "(none)");
}

static inline struct hd_report *check(struct emu_test *t, const char *addr) {
        struct hd_report *r = NULL;
        if (hd_pci_check(t->ctx, addr, 0, &r) < 0)
                fail_msg("check %s: %s", addr, hd_context_last_error(t->ctx));
        return r;
}

/* The first item of TOPIC whose text has TEXT; it must exist and have status WANT. */
static inline const struct hd_report_item *item(const struct hd_report *r, const char *topic, const char *text,
                                                enum hd_report_status want) {
        for (size_t i = 0; i < r->n_items; i++) {
                const struct hd_report_item *it = &r->items[i];
                if (streq(it->topic, topic) && strstr(it->text, text)) {
                        if (it->status != want)
                                fail_msg("%s: '%s' is %s, expected %s", r->subject, it->text,
                                         hd_report_status_to_string(it->status), hd_report_status_to_string(want));
                        return it;
                }
        }
        for (size_t i = 0; i < r->n_items; i++)
                fprintf(stderr, "  %s %s %s\n", hd_report_status_to_string(r->items[i].status), r->items[i].topic,
                        r->items[i].text);
        fail_msg("%s: no %s item saying '%s'", r->subject, topic, text);
        return NULL;
}

static inline bool has_item(const struct hd_report *r, const char *topic, const char *text) {
        for (size_t i = 0; i < r->n_items; i++)
                if (streq(r->items[i].topic, topic) && strstr(r->items[i].text, text))
                        return true;
        return false;
}

/* Write CONTENT to REL below the copy's root (a fact of the host changed for one test). */
static inline void tree_put(struct emu_test *t, const char *rel, const char *content) {
        _cleanup_free_ char *p = strdupf("%s/%s", emu_root(t->e), rel);
        FILE *f = p ? fopen(p, "w") : NULL;
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static inline void tree_rm(struct emu_test *t, const char *rel) {
        _cleanup_free_ char *p = strdupf("%s/%s", emu_root(t->e), rel);
        assert_non_null(p);
        if (unlink(p) < 0 && rmdir(p) < 0)
                fail_msg("cannot remove %s: %m", p);
}

/* Run CMD (sh) in the copy's root: a tree changed the way a host changes. */
static inline void tree_sh(struct emu_test *t, const char *cmd) {
        _cleanup_free_ char *c = strdupf("cd '%s' && %s", emu_root(t->e), cmd);
        assert_non_null(c);
        if (system(c) != 0)
                fail_msg("%s failed", cmd);
}
