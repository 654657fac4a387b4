/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hd_manager_qemu_args: the QEMU -device (and -drive) options for a domain's devices as they are prepared now. */
#include <stdio.h>
#include <string.h>

#include "prepare.h"
#include "util/strutil.h"

struct args {
        struct hd_context *ctx;
        struct hd_active *rows; /* held records: OWNER's, or everyone's */
        size_t n;
        char **argv;
};

/* QEMU's option syntax: a ',' inside a value is written ',,'. */
static void append_value(struct strbuf *b, const char *v) {
        for (; *v; v++)
                strbuf_append(b, *v == ',' ? ",," : (char[2]){ *v, 0 });
}

/* What libvirt adds to every device: id, guest PCI address, boot order, ROM (qemuBuildDeviceAddressStr, qemuBuildRomProps). */
static void append_info(struct strbuf *b, const struct hd_device_info *info, const char *id, bool pci, bool rom) {
        const struct hd_guest_address *a = &info->address;

        strbuf_append(b, ",id=");
        append_value(b, id);
        if (pci && a->type == HD_GUEST_ADDRESS_PCI && (a->pci.slot || a->pci.function || a->pci.bus)) {
                if (a->pci.bus)
                        strbuf_appendf(b, ",bus=pci.%u", a->pci.bus);
                strbuf_appendf(b, ",addr=0x%x", a->pci.slot);
                if (a->pci.function)
                        strbuf_appendf(b, ".0x%x", a->pci.function);
                if (a->multifunction == HD_TRISTATE_YES)
                        strbuf_append(b, ",multifunction=on");
        }
        if (info->boot_order)
                strbuf_appendf(b, ",bootindex=%u", info->boot_order);
        if (!rom)
                return;
        if (info->rom_bar != HD_TRISTATE_ABSENT)
                strbuf_appendf(b, ",rombar=%d", info->rom_bar == HD_TRISTATE_YES);
        if (info->rom_enabled == HD_TRISTATE_NO)
                strbuf_append(b, ",romfile=");
        else if (info->rom_file) {
                strbuf_append(b, ",romfile=");
                append_value(b, info->rom_file);
        }
}

static int push(struct args *a, const char *opt, struct strbuf *b) {
        char *v;
        if (b->oom || strv_extend(&a->argv, opt) < 0) {
                strbuf_done(b);
                return -ENOMEM;
        }
        v = strbuf_steal(b);
        return v ? strv_push(&a->argv, v) : -ENOMEM;
}

static const struct hd_active *find(struct args *a, const struct hd_hostdev_def *h, const struct kind_ops *ops) {
        for (size_t i = 0; i < a->n; i++)
                if (streq(a->rows[i].state, "held") && record_matches(&a->rows[i], h, ops))
                        return &a->rows[i];
        return NULL;
}

static int not_prepared(struct args *a, const struct hd_hostdev_def *h, const char *what, const struct hd_owner *o) {
        _cleanup_free_ char *who = o ? owner_string(o) : NULL;
        char line[32] = "";
        if (h->line)
                snprintf(line, sizeof(line), "line %u: ", h->line);
        return hd_error(a->ctx, -ENOENT, "%s%s is not prepared%s%s; run 'hostdev prepare' first", line, what,
                        who ? " for " : "", who ? who : "");
}

static int one(struct args *a, const struct hd_owner *o, const struct hd_hostdev_def *h, const char *id) {
        struct strbuf b = {};
        const struct hd_active *rec;
        char addr[20], what[96];

        switch (h->kind) {
        case HD_HOSTDEV_PCI:
        case HD_HOSTDEV_NET_VF:
                hd_pci_addr_format(h->kind == HD_HOSTDEV_PCI ? &h->pci.addr : &h->net_vf.pci.addr, addr);
                if (!(rec = find(a, h, &kind_pci)))
                        return not_prepared(a, h, addr, o);
                strbuf_appendf(&b, "vfio-pci,host=%s", rec->key);
                append_info(&b, &h->info, id, true, true);
                return push(a, "-device", &b);
        case HD_HOSTDEV_MDEV:
                snprintf(what, sizeof(what), "mediated device %s", h->mdev.uuid);
                if (!(rec = find(a, h, &kind_mdev)))
                        return not_prepared(a, h, what, o);
                if (h->mdev.model == HD_MDEV_MODEL_VFIO_PCI) {
                        /* ramfb is a property of the variant that cannot be hot-unplugged (as libvirt does). */
                        strbuf_appendf(&b, "%s,sysfsdev=/sys/bus/mdev/devices/%s",
                                       h->mdev.ramfb == HD_TRISTATE_YES ? "vfio-pci-nohotplug" : "vfio-pci", rec->key);
                        if (h->mdev.display != HD_TRISTATE_ABSENT)
                                strbuf_appendf(&b, ",display=%s", h->mdev.display == HD_TRISTATE_YES ? "on" : "off");
                        if (h->mdev.ramfb == HD_TRISTATE_YES)
                                strbuf_append(&b, ",ramfb=on");
                        append_info(&b, &h->info, id, true, false);
                } else {
                        const struct hd_guest_address *ga = &h->info.address;
                        strbuf_appendf(&b, "%s,sysfsdev=/sys/bus/mdev/devices/%s", hd_mdev_model_to_string(h->mdev.model),
                                       rec->key);
                        if (ga->type == HD_GUEST_ADDRESS_CCW && ga->ccw.assigned)
                                strbuf_appendf(&b, ",devno=%x.%x.%04x", ga->ccw.cssid, ga->ccw.ssid, ga->ccw.devno);
                        append_info(&b, &h->info, id, false, false);
                }
                return push(a, "-device", &b);
        case HD_HOSTDEV_USB: {
                unsigned bus, dev;
                if (!(rec = find(a, h, &kind_usb))) {
                        /* Left out by its startupPolicy at prepare: left out here too. */
                        if (h->usb.startup_policy == HD_STARTUP_POLICY_OPTIONAL ||
                            h->usb.startup_policy == HD_STARTUP_POLICY_REQUISITE)
                                return 0;
                        if (h->usb.has_product)
                                snprintf(what, sizeof(what), "USB device %04x:%04x", h->usb.vendor, h->usb.product);
                        else
                                snprintf(what, sizeof(what), "USB device %03u:%03u", h->usb.bus, h->usb.device);
                        return not_prepared(a, h, what, o);
                }
                if (sscanf(rec->key, "%u:%u", &bus, &dev) != 2)
                        return -EIO;
                strbuf_appendf(&b, "usb-host,hostbus=%u,hostaddr=%u", bus, dev);
                append_info(&b, &h->info, id, false, false);
                return push(a, "-device", &b);
        }
        case HD_HOSTDEV_SCSI: {
                const struct hd_guest_address *ga = &h->info.address;
                _cleanup_free_ char *drive = NULL;
                int r;
                if (h->scsi.protocol == HD_SCSI_PROTOCOL_ISCSI)
                        return hd_error(a->ctx, -EOPNOTSUPP,
                                        "iSCSI LUN %s: QEMU opens it itself (-blockdev driver=iscsi); hostdev has "
                                        "nothing prepared for it",
                                        h->scsi.iscsi_name ? h->scsi.iscsi_name : "?");
                snprintf(what, sizeof(what), "SCSI LUN %s %u:%u:%llu", h->scsi.adapter ? h->scsi.adapter : "?",
                         h->scsi.bus, h->scsi.target, h->scsi.unit);
                if (!(rec = find(a, h, &kind_scsi)) || !rec->node)
                        return not_prepared(a, h, what, o);
                drive = strdupf("drive-%s", id);
                if (!drive)
                        return -ENOMEM;
                strbuf_append(&b, "file=");
                append_value(&b, rec->node);
                strbuf_append(&b, ",if=none,format=raw,id=");
                append_value(&b, drive);
                if (h->readonly)
                        strbuf_append(&b, ",readonly=on");
                r = push(a, "-drive", &b);
                if (r < 0)
                        return r;
                strbuf_append(&b, "scsi-generic,drive=");
                append_value(&b, drive);
                if (ga->type == HD_GUEST_ADDRESS_DRIVE)
                        strbuf_appendf(&b, ",bus=scsi%u.0,channel=%u,scsi-id=%u,lun=%u", ga->drive.controller,
                                       ga->drive.bus, ga->drive.target, ga->drive.unit);
                append_info(&b, &h->info, id, false, false);
                return push(a, "-device", &b);
        }
        default: {
                char line[32] = "";
                if (h->line)
                        snprintf(line, sizeof(line), "line %u: ", h->line);
                return hd_error(a->ctx, -EOPNOTSUPP,
                                "%s<hostdev mode='capabilities'> is for containers; QEMU has no option for it", line);
        }
        }
}

int hd_manager_qemu_args(struct hd_context *ctx, const struct hd_owner *owner, const struct hd_domain_def *def,
                         char ***ret_argv) {
        _cleanup_store_ struct hd_store *s = NULL;
        struct args a = { .ctx = ctx };
        unsigned n_hostdev = 0, n_net = 0;
        int r;

        hd_error_clear(ctx);
        if (!def)
                return hd_error(ctx, -EINVAL, "no domain given");
        if (owner && (r = owner_check(ctx, owner)) < 0)
                return r;
        r = store_open(ctx, STORE_NO_CREATE, &s);
        if (r == -ENOENT) {
                _cleanup_free_ char *dir = store_dir(ctx);
                if (def->n_hostdevs == 0) {
                        *ret_argv = NULL;
                        return 0;
                }
                return hd_error(ctx, -ENOENT, "nothing is prepared on this host (no state store in %s); run 'hostdev "
                                "prepare' first",
                                dir ? dir : "the state directory");
        }
        if (r < 0)
                return r;
        r = owner ? store_owner_devices(s, owner, &a.rows, &a.n) : store_device_list(s, &a.rows, &a.n);
        for (size_t i = 0; r >= 0 && i < def->n_hostdevs; i++) {
                const struct hd_hostdev_def *h = &def->hostdevs[i];
                _cleanup_free_ char *id = NULL;
                /* libvirt's aliases: hostdevN for <hostdev>, netN for <interface>, or the user's ua-... */
                if (h->info.alias)
                        id = strdup(h->info.alias);
                else if (h->kind == HD_HOSTDEV_NET_VF)
                        id = strdupf("net%u", n_net);
                else
                        id = strdupf("hostdev%u", n_hostdev);
                if (h->kind == HD_HOSTDEV_NET_VF)
                        n_net++;
                else
                        n_hostdev++;
                r = id ? one(&a, owner, h, id) : -ENOMEM;
        }
        hd_active_list_free(a.rows, a.n);
        if (r < 0) {
                strv_free(a.argv);
                return r;
        }
        *ret_argv = a.argv;
        return 0;
}
