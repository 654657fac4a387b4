/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sentences check, detach and prepare share: a refusal says what check said, in the same words. */
#include <string.h>

#include "doctor.h"
#include "util/strutil.h"

char *words_bridge(const struct pci_dev *d) {
        return strdupf("%s is a PCI bridge (class 0x%06x): bridges stay with the host", d->addr, d->class_code);
}

char *words_no_group(const struct pci_dev *d) {
        /* vfio-pci's probe refuses a function outside any group (vfio_pci_core_register_device). */
        return strdupf("%s is in no IOMMU group, so vfio-pci cannot take it", d->addr);
}

char *words_host_use(const char *addr, const char *why) {
        return strdupf("%s is needed by the host: %s", addr, why);
}

char *words_group_not_viable(int group, const char *addr, const char *blockers) {
        return strdupf("IOMMU group %d of %s is not viable: %s", group, addr, blockers);
}

int group_member_blocks(struct hd_context *ctx, struct hd_store *s, const struct hd_owner *owner,
                        const struct host_uses *uses, const struct pci_dev *m, struct strbuf *why,
                        bool *ret_person) {
        struct hd_active *rec = NULL;
        const char *use;
        const char *sep = why->len ? ", " : "";

        (void)ctx;
        /* Bridges in a group are the path to it, not users of it (the kernel's vfio agrees). */
        if (m->bridge != HD_PCI_NOT_BRIDGE)
                return 0;
        if (s && store_device_get(s, STORE_PCI, m->addr, &rec, NULL) >= 0) {
                enum store_state st = store_record_state(rec);
                if (st == STORE_HELD && !store_owner_is(rec, owner)) {
                        _cleanup_free_ char *who = record_describe(rec);
                        strbuf_appendf(why, "%s%s (%s)", sep, m->addr, who ? who : "held");
                        if (ret_person)
                                *ret_person = true;
                } else if (st == STORE_BUSY) {
                        strbuf_appendf(why, "%s%s (being changed; run 'hostdev recover')", sep, m->addr);
                        if (ret_person)
                                *ret_person = true;
                }
                hd_active_free(rec);
                return why->oom ? -ENOMEM : 0;
        }
        if (!m->driver || pci_driver_is_stub(m->driver))
                return 0;
        use = host_uses_find(uses, m->path);
        if (use) {
                strbuf_appendf(why, "%s%s (on %s, and needed by the host: %s)", sep, m->addr, m->driver, use);
                if (ret_person)
                        *ret_person = true;
        } else
                strbuf_appendf(why, "%s%s (on %s, a host driver)", sep, m->addr, m->driver);
        return why->oom ? -ENOMEM : 0;
}
