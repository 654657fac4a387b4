/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PCI Express and header type: whether libvirt calls a function PCIe, and its link. */
#include <stdlib.h>
#include <string.h>

#include "inventory/pci-rules.h"
#include "pci.h"
#include "sysfs/recorder.h"
#include "sysfs/sysfs.h"

/* Offsets in the configuration space (PCI Local Bus 3.0, PCI Express Base 6.0 §7.5.3). */
#define CFG_STATUS 0x06
#define CFG_STATUS_CAP_LIST 0x10
#define CFG_HEADER_TYPE 0x0e
#define CFG_CAP_PTR 0x34
#define CFG_CAP_ID_EXP 0x10
#define EXP_FLAGS 0x02
#define EXP_LNKCAP 0x0c
#define EXP_LNKSTA 0x12
#define EXP_TYPE_RC_END 0x9 /* root complex integrated endpoint: no link */
#define EXP_TYPE_RC_EC 0xa  /* root complex event collector: no link */
#define CFG_STD_SIZE 256

struct config {
        uint8_t b[CFG_STD_SIZE];
        size_t len;   /* bytes read: 64 for an unprivileged reader */
        off_t size;   /* the attribute's size: 256 conventional, 4096 extended */
};

static unsigned cfg8(const struct config *c, size_t off) {
        return off < c->len ? c->b[off] : 0;
}
static unsigned cfg16(const struct config *c, size_t off) {
        return cfg8(c, off) | cfg8(c, off + 1) << 8;
}
static uint32_t cfg32(const struct config *c, size_t off) {
        return (uint32_t)cfg16(c, off) | (uint32_t)cfg16(c, off + 2) << 16;
}

/*
 * The standard 256 bytes of `config`, in one read
 * (Documentation/ABI/testing/sysfs-bus-pci: config; Documentation/PCI/sysfs-pci.rst).
 */
static int config_read(int dirfd, struct config *c) {
        uint64_t size;
        int r = sysfs_read_bytes_at(dirfd, "config", c->b, sizeof(c->b), &c->len, &size);
        if (r < 0)
                return r;
        c->size = (off_t)size;
        return 0;
}

/*
 * The offset of the PCI Express capability; 0 when the list ends without
 * it, -1 when the list cannot be walked (no list, or bytes we may not read).
 */
static int find_express_cap(const struct config *c) {
        unsigned pos;

        if (c->len < 64 || !(cfg16(c, CFG_STATUS) & CFG_STATUS_CAP_LIST))
                return -1;
        pos = cfg8(c, CFG_CAP_PTR) & ~3u;
        for (int ttl = 48; ttl > 0 && pos >= 0x40; ttl--) {
                if (pos + 1 >= c->len)
                        return -1;
                if (cfg8(c, pos) == CFG_CAP_ID_EXP)
                        return (int)pos;
                pos = cfg8(c, pos + 1) & ~3u;
        }
        return 0;
}

/*
 * "8.0 GT/s PCIe", "2.5 GT/s", "Unknown" -> 8, 2.5, 0 (drivers/pci/pci-sysfs.c).
 * Only the speeds libvirt's enum has: anything else ("inf", a number from a
 * damaged recording) is unknown, as the XML could not say it.
 */
static double speed_of_text(const char *s) {
        char *end;
        double v = strtod(s, &end);
        return end != s && pcie_speed_is_known(v) ? v : 0;
}

static void link_from_config(const struct config *c, int cap, struct hd_cap_pci *p) {
        uint32_t lnkcap = cfg32(c, (size_t)cap + EXP_LNKCAP);
        unsigned lnksta = cfg16(c, (size_t)cap + EXP_LNKSTA);

        p->link_cap = (struct hd_pcie_link){
                .present = true,
                .port = (int)(lnkcap >> 24),
                .speed = pcie_speed_of_code(lnkcap & 0xf),
                .width = (lnkcap >> 4) & 0x3f,
        };
        /* The port is a property of the link's capability; the status has none. */
        p->link_sta = (struct hd_pcie_link){
                .present = true,
                .port = -1,
                .speed = pcie_speed_of_code(lnksta & 0xf),
                .width = (lnksta >> 4) & 0x3f,
        };
}

/*
 * When the configuration space cannot say (an unprivileged reader sees 64
 * bytes; a recorded tree may lack it), the kernel's own reading of the
 * same registers: max_link_* from LNKCAP, current_link_* from LNKSTA. No
 * port then. (drivers/pci/pci-sysfs.c; not in Documentation/ABI.) A link
 * is printed only when something of it is known: LNKCAP's when max_link_*
 * say a speed or a width, LNKSTA's then too (a link that is down reads
 * width 0, as the register does) or when current_link_* say something.
 */
static void link_from_attrs(int dirfd, struct hd_cap_pci *p) {
        _cleanup_free_ char *ms = NULL, *cs = NULL;
        uint64_t mw = 0, cw = 0;

        (void)sysfs_read_at(dirfd, "max_link_speed", &ms);
        (void)sysfs_read_u64_at(dirfd, "max_link_width", 10, &mw);
        (void)sysfs_read_at(dirfd, "current_link_speed", &cs);
        (void)sysfs_read_u64_at(dirfd, "current_link_width", 10, &cw);
        p->link_cap = (struct hd_pcie_link){ .port = -1,
                                             .speed = ms ? speed_of_text(ms) : 0,
                                             .width = (unsigned)(mw & 0x3f) };
        p->link_sta = (struct hd_pcie_link){ .port = -1,
                                             .speed = cs ? speed_of_text(cs) : 0,
                                             .width = (unsigned)(cw & 0x3f) };
        p->link_cap.present = p->link_cap.speed > 0 || p->link_cap.width > 0;
        p->link_sta.present = p->link_cap.present || p->link_sta.speed > 0 || p->link_sta.width > 0;
}

/*
 * libvirt calls a function PCI Express when its capability list has the
 * Express capability, and also (it reads "no answer" as "probably") when
 * the list cannot be walked or lacks it but the configuration space is
 * larger than the conventional 256 bytes: a host bridge with extended
 * configuration space is "<pci-express/>" without a link. It prints a
 * link, with the port number from LNKCAP, unless the function is a root
 * complex integrated endpoint or event collector.
 *
 * The configuration space is read for every function that has one, as
 * libvirt reads it: its header type says whether the function is a bridge
 * (pci-rules.h), its capability list whether it is Express and its link,
 * with the port, which nothing else gives. A kernel before 4.13 has no
 * *_link_* attributes at all, so there the list is the only source. The
 * attributes serve when the list cannot be walked (an unprivileged reader
 * gets 64 bytes, a recorded tree may have none).
 */
int pci_fill_express(int dirfd, const struct pci_listing *ls, struct hd_cap_pci *p) {
        struct config c = { .size = -1 };
        int cap = -1, header = -1;

        if (ls->config) {
                int r;
                /* When the configuration space says it all, only the attribute's presence was used: a replay needs it too. */
                if (ls->link_attrs)
                        recorder_note(dirfd, "max_link_speed", REC_FILE);
                r = config_read(dirfd, &c);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0) {
                        if (c.len > CFG_HEADER_TYPE)
                                header = c.b[CFG_HEADER_TYPE];
                        cap = find_express_cap(&c);
                }
        }
        p->bridge = pci_bridge_type(header, p->class_code);

        p->is_express = cap > 0 || ls->link_attrs || (c.size >= 0 && c.size != CFG_STD_SIZE);
        if (!p->is_express)
                return 0;
        if (cap > 0 && (size_t)cap + EXP_LNKSTA + 2 <= c.len) {
                unsigned type = (cfg16(&c, (size_t)cap + EXP_FLAGS) >> 4) & 0xf;
                if (type != EXP_TYPE_RC_END && type != EXP_TYPE_RC_EC)
                        link_from_config(&c, cap, p);
        } else if (ls->link_attrs)
                link_from_attrs(dirfd, p);
        return 0;
}
