/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hd_manager_qemu_args: the QEMU -device (and -drive) options for a domain's devices as they are prepared now. */
#include <stdio.h>
#include <string.h>

#include "inventory/vfio-cdev.h"
#include "prepare.h"
#include "qemu-args.h"

/* libvirt's id for the one iommufd object of a domain. */
#define IOMMUFD_ID "iommufd0"

struct args {
        struct hd_context *ctx;
        struct hd_active *rows; /* held records: OWNER's, or everyone's */
        size_t n;
        const struct qemu_layout *layout;
        bool iommufd_all; /* HD_QEMU_ARGS_IOMMUFD */
        char **argv;
};

void qemu_append_value(struct strbuf *b, const char *v) {
        for (; *v; v++)
                strbuf_append(b, *v == ',' ? ",," : (char[2]){ *v, 0 });
}

/* libvirt's qemuBuildDeviceAddressProps for the address types a host device or controller has here. */
void qemu_append_address(struct strbuf *b, const struct hd_guest_address *a) {
        if (a->type == HD_GUEST_ADDRESS_PCI && (a->pci.slot || a->pci.function || a->pci.bus)) {
                if (a->pci.bus)
                        strbuf_appendf(b, ",bus=pci.%u", a->pci.bus);
                strbuf_appendf(b, ",addr=0x%x", a->pci.slot);
                if (a->pci.function)
                        strbuf_appendf(b, ".0x%x", a->pci.function);
                if (a->multifunction == HD_TRISTATE_YES)
                        strbuf_append(b, ",multifunction=on");
        } else if (a->type == HD_GUEST_ADDRESS_CCW && a->ccw.assigned)
                strbuf_appendf(b, ",devno=%x.%x.%04x", a->ccw.cssid, a->ccw.ssid, a->ccw.devno);
}

int qemu_push(char ***argv, const char *opt, struct strbuf *b) {
        char *v;
        if (b->oom || strv_extend(argv, opt) < 0) {
                strbuf_done(b);
                return -ENOMEM;
        }
        v = strbuf_steal(b);
        return v ? strv_push(argv, v) : -ENOMEM;
}

/* What libvirt adds to every device: id, its team's partner, guest address, boot order, ROM (qemuBuildPCIHostdevDevProps). */
static void append_info(struct strbuf *b, const struct hd_hostdev_def *h, const char *id, bool rom) {
        const struct hd_device_info *info = &h->info;

        strbuf_append(b, ",id=");
        qemu_append_value(b, id);
        if (h->teaming) {
                strbuf_append(b, ",failover_pair_id=");
                qemu_append_value(b, h->teaming);
        }
        qemu_append_address(b, &info->address);
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
                qemu_append_value(b, info->rom_file);
        }
}

static const struct hd_active *find(struct args *a, const struct hd_hostdev_def *h, const struct kind_ops *ops) {
        for (size_t i = 0; i < a->n; i++)
                if (store_record_state(&a->rows[i]) == STORE_HELD && record_matches(&a->rows[i], h, ops))
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

/* usb-host's reset switches for <source guestReset=> (qemuBuildUSBHostdevDevProps). */
static void append_usb_resets(struct strbuf *b, enum hd_usb_guest_reset r) {
        if (r == HD_USB_GUEST_RESET_OFF)
                strbuf_append(b, ",guest-reset=off");
        else if (r == HD_USB_GUEST_RESET_UNINITIALIZED)
                strbuf_append(b, ",guest-reset=on,guest-resets-all=off");
        else if (r == HD_USB_GUEST_RESET_ON)
                strbuf_append(b, ",guest-reset=on,guest-resets-all=on");
}

static int usb(struct args *a, const struct hd_owner *o, const struct hd_hostdev_def *h, const char *id) {
        const struct hd_guest_address *ga = &h->info.address;
        const struct hd_active *rec = find(a, h, &kind_usb);
        struct strbuf b = {};
        unsigned bus, dev;
        char what[64];

        if (!rec) {
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
        strbuf_appendf(&b, "usb-host,hostbus=%u,hostaddr=%u,id=", bus, dev);
        qemu_append_value(&b, id);
        if (h->info.boot_order)
                strbuf_appendf(&b, ",bootindex=%u", h->info.boot_order);
        append_usb_resets(&b, h->usb.guest_reset);
        if (ga->type == HD_GUEST_ADDRESS_USB) {
                const struct qemu_ctrl *c = qemu_layout_find(a->layout, HD_CONTROLLER_USB, ga->usb.bus);
                strbuf_append(&b, ",bus=");
                qemu_append_value(&b, c ? c->id : "usb");
                strbuf_append(&b, ".0");
                if (ga->usb.port)
                        strbuf_appendf(&b, ",port=%s", ga->usb.port);
        }
        return qemu_push(&a->argv, "-device", &b);
}

/*
 * Where a LUN sits on its controller (qemuBuildDeviceAddresDriveProps): the
 * single-LUN buses (LSI 53C895A and friends) take the unit as the SCSI id;
 * virtio-scsi and the others take channel, target and LUN.
 */
static int append_scsi_address(struct args *a, struct strbuf *b, const struct hd_hostdev_def *h,
                               const struct hd_guest_address *ga) {
        const struct qemu_ctrl *c = qemu_layout_find(a->layout, HD_CONTROLLER_SCSI, ga->drive.controller);

        if (!c)
                return -EINVAL;
        strbuf_append(b, ",bus=");
        qemu_append_value(b, c->id);
        switch (c->model) {
        case HD_SCSI_MODEL_LSILOGIC:
        case HD_SCSI_MODEL_NCR53C90:
        case HD_SCSI_MODEL_DC390:
        case HD_SCSI_MODEL_AM53C974:
                if (ga->drive.target != 0)
                        return hd_error(a->ctx, -EINVAL,
                                        "line %u: <address type='drive' target='%u'>: a %s controller has one "
                                        "target, its SCSI id is the unit; use target='0' and pick the unit",
                                        h->line, ga->drive.target, hd_scsi_model_to_string(c->model));
                strbuf_appendf(b, ".%u,scsi-id=%u", ga->drive.bus, ga->drive.unit);
                return 0;
        default:
                strbuf_appendf(b, ".0,channel=%u,scsi-id=%u,lun=%u", ga->drive.bus, ga->drive.target, ga->drive.unit);
                return 0;
        }
}

static int scsi(struct args *a, const struct hd_owner *o, const struct hd_hostdev_def *h, const char *id,
                const struct hd_guest_address *ga) {
        const struct hd_active *rec;
        _cleanup_free_ char *drive = NULL;
        struct strbuf b = {};
        char what[96];
        int r;

        if (h->scsi.protocol == HD_SCSI_PROTOCOL_ISCSI)
                return hd_error(a->ctx, -EOPNOTSUPP,
                                "iSCSI LUN %s: QEMU opens it itself (-blockdev driver=iscsi); hostdev has "
                                "nothing prepared for it",
                                h->scsi.iscsi_name ? h->scsi.iscsi_name : "?");
        snprintf(what, sizeof(what), "SCSI LUN %s %u:%u:%llu", h->scsi.adapter ? h->scsi.adapter : "?", h->scsi.bus,
                 h->scsi.target, h->scsi.unit);
        if (!(rec = find(a, h, &kind_scsi)) || !rec->node)
                return not_prepared(a, h, what, o);
        drive = strdupf("drive-%s", id);
        if (!drive)
                return -ENOMEM;
        strbuf_append(&b, "file=");
        qemu_append_value(&b, rec->node);
        strbuf_append(&b, ",if=none,format=raw,id=");
        qemu_append_value(&b, drive);
        if (h->readonly)
                strbuf_append(&b, ",readonly=on");
        if ((r = qemu_push(&a->argv, "-drive", &b)) < 0)
                return r;
        strbuf_append(&b, "scsi-generic,drive=");
        qemu_append_value(&b, drive);
        if ((r = append_scsi_address(a, &b, h, ga)) < 0) {
                strbuf_done(&b);
                return r;
        }
        strbuf_append(&b, ",id=");
        qemu_append_value(&b, id);
        if (h->info.boot_order)
                strbuf_appendf(&b, ",bootindex=%u", h->info.boot_order);
        return qemu_push(&a->argv, "-device", &b);
}

/* Whether H goes to QEMU through iommufd: its <driver iommufd=/> if it says, else the caller's --iommufd. */
static bool uses_iommufd(const struct args *a, const struct hd_hostdev_def *h) {
        switch (h->kind) {
        case HD_HOSTDEV_PCI:
        case HD_HOSTDEV_NET_VF: {
                enum hd_tristate t = h->kind == HD_HOSTDEV_PCI ? h->pci.iommufd : h->net_vf.pci.iommufd;
                return t == HD_TRISTATE_YES || (a->iommufd_all && t != HD_TRISTATE_NO);
        }
        case HD_HOSTDEV_MDEV:
                return a->iommufd_all;
        default:
                return false;
        }
}

/* Why iommufd is asked for H, for a message: the XML's line or the option. */
static void iommufd_reason(const struct args *a, const struct hd_hostdev_def *h, char *buf, size_t size) {
        enum hd_tristate t = h->kind == HD_HOSTDEV_PCI      ? h->pci.iommufd
                             : h->kind == HD_HOSTDEV_NET_VF ? h->net_vf.pci.iommufd
                                                            : HD_TRISTATE_ABSENT;
        if (t == HD_TRISTATE_YES || !a->iommufd_all)
                snprintf(buf, size, "line %u: <driver iommufd='yes'/>", h->line);
        else
                snprintf(buf, size, "--iommufd");
}

/*
 * ",iommufd=iommufd0" when H uses iommufd, after checking that its device
 * (sysfs PATH, WHAT for a person) has the VFIO cdev QEMU will open.
 */
static int append_iommufd(struct args *a, struct strbuf *b, const struct hd_hostdev_def *h, const char *path,
                          const char *what) {
        _cleanup_free_ char *node = NULL;
        char why[64];
        int r;

        if (!uses_iommufd(a, h))
                return 0;
        iommufd_reason(a, h, why, sizeof(why));
        r = vfio_cdev_of(a->ctx, path, &node);
        if (r == -ENOMEM)
                return r;
        /* A kernel without the cdev has vfio-dev/vfioN without dev (6.2+) or no vfio-dev at all (older). */
        if (r <= 0)
                return hd_error(a->ctx, -EOPNOTSUPP,
                                "%s: %s asks for iommufd, but %s has no VFIO cdev (no vfio-dev/vfioN/dev in %s: "
                                "the kernel lacks CONFIG_VFIO_DEVICE_CDEV, or no vfio driver holds it); QEMU can "
                                "open it through its group instead: leave out --iommufd, or write <driver "
                                "iommufd='no'/>",
                                what, why, what, path);
        strbuf_append(b, ",iommufd=" IOMMUFD_ID);
        return 0;
}

static int mdev(struct args *a, const struct hd_owner *o, const struct hd_hostdev_def *h, const char *id) {
        const struct hd_active *rec = find(a, h, &kind_mdev);
        _cleanup_free_ char *path = NULL;
        struct strbuf b = {};
        char what[96];
        int r;

        snprintf(what, sizeof(what), "mediated device %s", h->mdev.uuid);
        if (!rec)
                return not_prepared(a, h, what, o);
        if (!(path = strdupf("/sys/bus/mdev/devices/%s", rec->key)))
                return -ENOMEM;
        if (h->mdev.model == HD_MDEV_MODEL_VFIO_PCI) {
                /* ramfb is a property of the variant that cannot be hot-unplugged (as libvirt does). */
                strbuf_appendf(&b, "%s,sysfsdev=/sys/bus/mdev/devices/%s",
                               h->mdev.ramfb == HD_TRISTATE_YES ? "vfio-pci-nohotplug" : "vfio-pci", rec->key);
                if (h->mdev.display != HD_TRISTATE_ABSENT)
                        strbuf_appendf(&b, ",display=%s", h->mdev.display == HD_TRISTATE_YES ? "on" : "off");
                if (h->mdev.ramfb == HD_TRISTATE_YES)
                        strbuf_append(&b, ",ramfb=on");
        } else
                strbuf_appendf(&b, "%s,sysfsdev=/sys/bus/mdev/devices/%s", hd_mdev_model_to_string(h->mdev.model),
                               rec->key);
        if ((r = append_iommufd(a, &b, h, path, what)) < 0) {
                strbuf_done(&b);
                return r;
        }
        append_info(&b, h, id, false);
        return qemu_push(&a->argv, "-device", &b);
}

static int one(struct args *a, const struct hd_owner *o, const struct hd_hostdev_def *h, const char *id,
               const struct hd_guest_address *drive) {
        _cleanup_free_ char *path = NULL;
        struct strbuf b = {};
        const struct hd_active *rec;
        char addr[20];
        int r;

        /* libvirt prepares such a device but leaves it out of QEMU's command line. */
        if (h->info.address.type == HD_GUEST_ADDRESS_UNASSIGNED)
                return 0;
        switch (h->kind) {
        case HD_HOSTDEV_PCI:
        case HD_HOSTDEV_NET_VF:
                hd_pci_addr_format(h->kind == HD_HOSTDEV_PCI ? &h->pci.addr : &h->net_vf.pci.addr, addr);
                if (!(rec = find(a, h, &kind_pci)))
                        return not_prepared(a, h, addr, o);
                strbuf_appendf(&b, "vfio-pci,host=%s", rec->key);
                if (!(path = strdupf("/sys/bus/pci/devices/%s", rec->key)))
                        r = -ENOMEM;
                else
                        r = append_iommufd(a, &b, h, path, rec->key);
                if (r < 0) {
                        strbuf_done(&b);
                        return r;
                }
                append_info(&b, h, id, true);
                return qemu_push(&a->argv, "-device", &b);
        case HD_HOSTDEV_MDEV:
                return mdev(a, o, h, id);
        case HD_HOSTDEV_USB:
                return usb(a, o, h, id);
        case HD_HOSTDEV_SCSI:
                return scsi(a, o, h, id, drive);
        default: {
                char line[32] = "";
                if (h->line)
                        snprintf(line, sizeof(line), "line %u: ", h->line);
                return hd_error(a->ctx, -EOPNOTSUPP,
                                "%s<hostdev mode='capabilities'> is for containers; QEMU has no option for it", line);
        }
        }
}

/*
 * The one iommufd object the devices that use it share, before them, when
 * any does and the host has /dev/iommu; without it, the first such device
 * is named with the remedy.
 */
static int iommufd_object(struct args *a, const struct hd_domain_def *def) {
        struct strbuf b = {};

        for (size_t i = 0; i < def->n_hostdevs; i++) {
                const struct hd_hostdev_def *h = &def->hostdevs[i];
                char why[64];

                if (h->info.address.type == HD_GUEST_ADDRESS_UNASSIGNED || !uses_iommufd(a, h))
                        continue;
                if (!iommufd_present(a->ctx)) {
                        char what[64];
                        if (h->kind == HD_HOSTDEV_MDEV)
                                snprintf(what, sizeof(what), "mediated device %s", h->mdev.uuid);
                        else
                                hd_pci_addr_format(h->kind == HD_HOSTDEV_PCI ? &h->pci.addr : &h->net_vf.pci.addr,
                                                   what);
                        iommufd_reason(a, h, why, sizeof(why));
                        return hd_error(a->ctx, -EOPNOTSUPP,
                                        "%s: %s asks for iommufd, but this host has no /dev/iommu: the kernel has no "
                                        "iommufd (CONFIG_IOMMUFD; no Debian kernel has it) or its module is not "
                                        "loaded ('modprobe iommufd'); without it QEMU opens the VFIO group: leave "
                                        "out --iommufd, or write <driver iommufd='no'/>",
                                        what, why);
                }
                strbuf_append(&b, "iommufd,id=" IOMMUFD_ID);
                return qemu_push(&a->argv, "-object", &b);
        }
        return 0;
}

int hd_manager_qemu_args(struct hd_context *ctx, const struct hd_owner *owner, const struct hd_domain_def *def,
                         unsigned flags, char ***ret_argv) {
        _cleanup_store_ struct hd_store *s = NULL;
        struct qemu_layout layout = {};
        struct args a = { .ctx = ctx, .layout = &layout, .iommufd_all = flags & HD_QEMU_ARGS_IOMMUFD };
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
        r = qemu_layout_build(ctx, def, &layout);
        if (r >= 0)
                r = owner ? store_owner_devices(s, owner, &a.rows, &a.n) : store_device_list(s, &a.rows, &a.n);
        /* Controllers first: a device's bus= must name one QEMU has already made. */
        if (r >= 0 && !(flags & HD_QEMU_ARGS_NO_CONTROLLERS))
                r = qemu_layout_controller_args(ctx, &layout, &a.argv);
        if (r >= 0)
                r = iommufd_object(&a, def);
        /* libvirt lists an interface's VF among the host devices before every <hostdev>. */
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; r >= 0 && i < def->n_hostdevs; i++)
                        if ((def->hostdevs[i].kind == HD_HOSTDEV_NET_VF) == (pass == 0))
                                r = one(&a, owner, &def->hostdevs[i], layout.ids[i], &layout.drive[i]);
        hd_active_list_free(a.rows, a.n);
        qemu_layout_done(&layout, def->n_hostdevs);
        if (r < 0) {
                strv_free(a.argv);
                return r;
        }
        *ret_argv = a.argv;
        return 0;
}
