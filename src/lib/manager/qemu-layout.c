/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libvirt's layout of a domain's host devices for QEMU: device ids, guest SCSI addresses, the controllers they need. */
#include <stdio.h>
#include <string.h>

#include "qemu-args.h"

/*
 * libvirt gives a SCSI LUN without <address> the first free unit of
 * controller 0, bus 0, target 0, among units 0 to 6 (a narrow SCSI bus; 7
 * is the controller's own), then of controller 1, and so on
 * (virDomainHostdevAssignAddress).
 */
#define SCSI_NARROW_UNITS 7
/* USB buses and SCSI controllers hostdev puts on a command line: 0 to 63. */
#define MAX_BUSES 64

static bool is_s390(const struct hd_domain_def *def) {
        return def->arch && startswith(def->arch, "s390");
}

static bool machine_is(const struct hd_domain_def *def, const char *prefix) {
        return def->machine && startswith(def->machine, prefix);
}

/* i440FX machines: "pc", "pc-i440fx-7.2", "pc-1.3"; q35 ones are "q35" and "pc-q35-7.2". */
static bool machine_is_i440fx(const struct hd_domain_def *def) {
        return def->machine && (streq(def->machine, "pc") || startswith(def->machine, "pc-i440fx") ||
                                (startswith(def->machine, "pc-") && !strstr(def->machine, "q35")));
}

/* qemuDomainDefaultSCSIControllerModel: pSeries has its own, s390 and the "virt" boards virtio, the PC lsilogic. */
static int default_scsi_model(const struct hd_domain_def *def) {
        if (machine_is(def, "pseries"))
                return HD_SCSI_MODEL_IBMVSCSI;
        if (is_s390(def) || machine_is(def, "virt"))
                return HD_SCSI_MODEL_VIRTIO_SCSI;
        return HD_SCSI_MODEL_LSILOGIC;
}

/* qemuDomainDefaultUSBControllerModel: qemu-xhci on q35 (and when no machine is named), PIIX3's UHCI on i440FX. */
static int default_usb_model(const struct hd_domain_def *def) {
        if (is_s390(def))
                return HD_USB_MODEL_NONE;
        if (machine_is(def, "pseries"))
                return HD_USB_MODEL_PCI_OHCI;
        if (machine_is_i440fx(def))
                return HD_USB_MODEL_PIIX3_UHCI;
        return HD_USB_MODEL_QEMU_XHCI;
}

/* The N of an id "hostdevN", or -1 (qemuDomainDeviceAliasIndex). */
static int hostdev_index(const char *id) {
        unsigned n;
        int len = 0;
        if (!id || sscanf(id, "hostdev%u%n", &n, &len) != 1 || id[len] || n > 1u << 30)
                return -1;
        return (int)n;
}

/*
 * libvirt names interfaces first, then <hostdev>s, each "hostdevN" with N
 * one above the highest taken so far (qemuAssignDeviceAliases); an
 * <alias name='ua-...'/> is kept.
 */
static int assign_ids(const struct hd_domain_def *def, struct qemu_layout *l) {
        int next = 0;

        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < def->n_hostdevs; i++) {
                        const struct hd_hostdev_def *h = &def->hostdevs[i];
                        if ((h->kind == HD_HOSTDEV_NET_VF) != (pass == 0))
                                continue;
                        l->ids[i] = h->info.alias ? strdup(h->info.alias) : strdupf("hostdev%d", next);
                        if (!l->ids[i])
                                return -ENOMEM;
                        if (hostdev_index(l->ids[i]) >= next)
                                next = hostdev_index(l->ids[i]) + 1;
                }
        return 0;
}

static const struct hd_controller_def *xml_ctrl(const struct hd_domain_def *def, enum hd_controller_type type,
                                                unsigned index) {
        for (size_t i = 0; i < def->n_controllers; i++) {
                const struct hd_controller_def *c = &def->controllers[i];
                if (c->type == type && c->index == index && c->master_startport < 0)
                        return c;
        }
        return NULL;
}

static bool scsi_unit_used(const struct hd_domain_def *def, const struct qemu_layout *l, unsigned ctrl, unsigned unit) {
        const struct hd_controller_def *c = xml_ctrl(def, HD_CONTROLLER_SCSI, ctrl);

        /* An LSI SAS1068 has units 0 and 1 only (virDomainSCSIDriveAddressIsUsed). */
        if (c && c->model == HD_SCSI_MODEL_LSISAS1068 && unit > 1)
                return true;
        for (size_t i = 0; i < def->n_hostdevs; i++) {
                const struct hd_guest_address *a = &l->drive[i];
                if (a->type == HD_GUEST_ADDRESS_DRIVE && a->drive.controller == ctrl && a->drive.bus == 0 &&
                    a->drive.target == 0 && a->drive.unit == unit)
                        return true;
        }
        return false;
}

static void assign_scsi_addresses(const struct hd_domain_def *def, struct qemu_layout *l) {
        for (size_t i = 0; i < def->n_hostdevs; i++)
                if (def->hostdevs[i].kind == HD_HOSTDEV_SCSI && def->hostdevs[i].info.address.type == HD_GUEST_ADDRESS_DRIVE)
                        l->drive[i] = def->hostdevs[i].info.address;
        for (size_t i = 0; i < def->n_hostdevs; i++) {
                unsigned ctrl = 0, unit = 0;
                if (def->hostdevs[i].kind != HD_HOSTDEV_SCSI || l->drive[i].type == HD_GUEST_ADDRESS_DRIVE)
                        continue;
                for (;; ctrl++) {
                        for (unit = 0; unit < SCSI_NARROW_UNITS && scsi_unit_used(def, l, ctrl, unit); unit++)
                                ;
                        if (unit < SCSI_NARROW_UNITS)
                                break;
                }
                l->drive[i] = (struct hd_guest_address){ .type = HD_GUEST_ADDRESS_DRIVE,
                                                         .drive = { .controller = ctrl, .unit = unit } };
        }
}

static int add_ctrl(struct qemu_layout *l, enum hd_controller_type type, unsigned index, int model,
                    const struct hd_controller_def *x) {
        struct qemu_ctrl *v = reallocarray(l->ctrls, l->n_ctrls + 1, sizeof(*v)), *c;

        if (!v)
                return -ENOMEM;
        l->ctrls = v;
        c = &v[l->n_ctrls];
        *c = (struct qemu_ctrl){ .type = type, .index = index, .model = model, .master_startport = -1 };
        if (x) {
                c->master_startport = x->master_startport;
                c->address = x->address.type != HD_GUEST_ADDRESS_NONE ? &x->address : NULL;
                c->line = x->line;
        }
        /* libvirt: the first USB controller is "usb", the others "usbN"; SCSI ones "scsiN" (qemuAssignDeviceControllerAlias). */
        if (x && x->alias)
                c->id = strdup(x->alias);
        else if (type == HD_CONTROLLER_USB)
                c->id = index == 0 ? strdup("usb") : strdupf("usb%u", index);
        else
                c->id = strdupf("scsi%u", index);
        if (!c->id)
                return -ENOMEM;
        l->n_ctrls++;
        return 0;
}

static int line_error(struct hd_context *ctx, unsigned line, int err, const char *fmt, const char *what) {
        char at[32] = "";
        if (line)
                snprintf(at, sizeof(at), "line %u: ", line);
        return hd_error(ctx, err, fmt, at, what);
}

/* Every USB bus a USB device is on: the XML's controllers of that index (an EHCI master, then its companions), or the default. */
static int add_usb(struct hd_context *ctx, const struct hd_domain_def *def, struct qemu_layout *l) {
        bool need[MAX_BUSES] = { false };
        int r;

        for (size_t i = 0; i < def->n_hostdevs; i++) {
                const struct hd_hostdev_def *h = &def->hostdevs[i];
                unsigned bus = h->info.address.type == HD_GUEST_ADDRESS_USB ? h->info.address.usb.bus : 0;
                if (h->kind != HD_HOSTDEV_USB)
                        continue;
                if (bus >= ELEMENTSOF(need))
                        return hd_error(ctx, -EINVAL,
                                        "line %u: <address type='usb' bus='%u'>: hostdev puts USB devices on buses 0 "
                                        "to %d; use one of those",
                                        h->line, bus, MAX_BUSES - 1);
                need[bus] = true;
        }
        for (unsigned bus = 0; bus < ELEMENTSOF(need); bus++) {
                const struct hd_controller_def *master = xml_ctrl(def, HD_CONTROLLER_USB, bus);
                int model = master && master->model != HD_USB_MODEL_DEFAULT ? master->model : default_usb_model(def);

                if (!need[bus])
                        continue;
                if (model == HD_USB_MODEL_NONE)
                        return line_error(ctx, master ? master->line : 0, -EINVAL,
                                          "%sthe guest has no USB controller (model='none'%s); a USB host device "
                                          "needs one: give <controller type='usb'> a model such as 'qemu-xhci'",
                                          master ? "" : ", the machine's default");
                if ((r = add_ctrl(l, HD_CONTROLLER_USB, bus, model, master)) < 0)
                        return r;
                for (size_t i = 0; i < def->n_controllers; i++) {
                        const struct hd_controller_def *c = &def->controllers[i];
                        if (c->type == HD_CONTROLLER_USB && c->index == bus && c->master_startport >= 0 &&
                            (r = add_ctrl(l, HD_CONTROLLER_USB, bus, c->model, c)) < 0)
                                return r;
                }
        }
        return 0;
}

/*
 * SCSI controllers 0 to the highest a LUN is on: the XML's, or added as
 * libvirt adds them, with the model of the highest-numbered controller the
 * XML gives one for (virDomainDefMaybeAddHostdevSCSIcontroller).
 */
static int add_scsi(struct hd_context *ctx, const struct hd_domain_def *def, struct qemu_layout *l) {
        int max = -1, implicit = HD_SCSI_MODEL_DEFAULT, r;

        for (size_t i = 0; i < def->n_hostdevs; i++) {
                const struct hd_controller_def *x;
                if (l->drive[i].type != HD_GUEST_ADDRESS_DRIVE)
                        continue;
                /* Every controller up to the highest goes on the command line: keep that a sane number. */
                if (l->drive[i].drive.controller >= MAX_BUSES)
                        return hd_error(ctx, -EINVAL,
                                        "line %u: <address type='drive' controller='%u'>: hostdev puts SCSI LUNs on "
                                        "controllers 0 to %d; use one of those",
                                        def->hostdevs[i].line, l->drive[i].drive.controller, MAX_BUSES - 1);
                if ((int)l->drive[i].drive.controller <= max)
                        continue;
                max = (int)l->drive[i].drive.controller;
                x = xml_ctrl(def, HD_CONTROLLER_SCSI, (unsigned)max);
                if (x && x->model != HD_SCSI_MODEL_DEFAULT && x->model != HD_SCSI_MODEL_AUTO)
                        implicit = x->model;
        }
        if (implicit == HD_SCSI_MODEL_DEFAULT)
                implicit = default_scsi_model(def);
        for (int i = 0; i <= max; i++) {
                const struct hd_controller_def *x = xml_ctrl(def, HD_CONTROLLER_SCSI, (unsigned)i);
                int model = !x ? implicit
                            : x->model == HD_SCSI_MODEL_DEFAULT || x->model == HD_SCSI_MODEL_AUTO ? default_scsi_model(def)
                                                                                                 : x->model;
                if ((r = add_ctrl(l, HD_CONTROLLER_SCSI, (unsigned)i, model, x)) < 0)
                        return r;
        }
        return 0;
}

int qemu_layout_build(struct hd_context *ctx, const struct hd_domain_def *def, struct qemu_layout *l) {
        int r;

        *l = (struct qemu_layout){ .s390 = is_s390(def) };
        l->ids = calloc(def->n_hostdevs + 1, sizeof(*l->ids));
        l->drive = calloc(def->n_hostdevs + 1, sizeof(*l->drive));
        if (!l->ids || !l->drive)
                return -ENOMEM;
        if ((r = assign_ids(def, l)) < 0)
                return r;
        assign_scsi_addresses(def, l);
        if ((r = add_usb(ctx, def, l)) < 0)
                return r;
        return add_scsi(ctx, def, l);
}

void qemu_layout_done(struct qemu_layout *l, size_t n_hostdevs) {
        for (size_t i = 0; l->ids && i < n_hostdevs; i++)
                free(l->ids[i]);
        free(l->ids);
        free(l->drive);
        for (size_t i = 0; i < l->n_ctrls; i++)
                free(l->ctrls[i].id);
        free(l->ctrls);
        *l = (struct qemu_layout){};
}

const struct qemu_ctrl *qemu_layout_find(const struct qemu_layout *l, enum hd_controller_type type, unsigned index) {
        for (size_t i = 0; i < l->n_ctrls; i++)
                if (l->ctrls[i].type == type && l->ctrls[i].index == index && l->ctrls[i].master_startport < 0)
                        return &l->ctrls[i];
        return NULL;
}

/* QEMU's device for each model libvirt knows (qemuBuildControllerSCSIDevProps, qemuControllerModelUSBTypeToString). */
static const char *scsi_device(int model, bool s390) {
        switch (model) {
        case HD_SCSI_MODEL_VIRTIO_SCSI:
                return s390 ? "virtio-scsi-ccw" : "virtio-scsi-pci";
        case HD_SCSI_MODEL_VIRTIO_TRANSITIONAL:
                return "virtio-scsi-pci-transitional";
        case HD_SCSI_MODEL_VIRTIO_NON_TRANSITIONAL:
                return "virtio-scsi-pci-non-transitional";
        case HD_SCSI_MODEL_LSILOGIC:
                return "lsi";
        case HD_SCSI_MODEL_IBMVSCSI:
                return "spapr-vscsi";
        case HD_SCSI_MODEL_LSISAS1068:
                return "mptsas1068";
        case HD_SCSI_MODEL_LSISAS1078:
                return "megasas";
        case HD_SCSI_MODEL_AM53C974:
                return "am53c974";
        case HD_SCSI_MODEL_DC390:
                return "dc390";
        default:
                return NULL; /* buslogic, vmpvscsi: VMware's; ncr53c90: built into the board */
        }
}

static const char *usb_device(int model) {
        static const char *const dev[_HD_USB_MODEL_MAX] = {
                [HD_USB_MODEL_PIIX3_UHCI] = "piix3-usb-uhci",   [HD_USB_MODEL_PIIX4_UHCI] = "piix4-usb-uhci",
                [HD_USB_MODEL_EHCI] = "usb-ehci",               [HD_USB_MODEL_ICH9_EHCI1] = "ich9-usb-ehci1",
                [HD_USB_MODEL_ICH9_UHCI1] = "ich9-usb-uhci1",   [HD_USB_MODEL_ICH9_UHCI2] = "ich9-usb-uhci2",
                [HD_USB_MODEL_ICH9_UHCI3] = "ich9-usb-uhci3",   [HD_USB_MODEL_VT82C686B_UHCI] = "vt82c686b-usb-uhci",
                [HD_USB_MODEL_PCI_OHCI] = "pci-ohci",           [HD_USB_MODEL_NEC_XHCI] = "nec-usb-xhci",
                [HD_USB_MODEL_QEMU_XHCI] = "qemu-xhci",
        };
        return model > 0 && model < _HD_USB_MODEL_MAX ? dev[model] : NULL; /* qusb1/2: Xen's */
}

int qemu_layout_controller_args(struct hd_context *ctx, const struct qemu_layout *l, char ***argv) {
        for (size_t i = 0; i < l->n_ctrls; i++) {
                const struct qemu_ctrl *c = &l->ctrls[i];
                const struct qemu_ctrl *master = c->master_startport >= 0 ? qemu_layout_find(l, c->type, c->index) : NULL;
                bool scsi = c->type == HD_CONTROLLER_SCSI;
                const char *dev = scsi ? scsi_device(c->model, l->s390) : usb_device(c->model);
                struct strbuf b = {};
                int r;

                if (!dev) {
                        char what[64];
                        snprintf(what, sizeof(what), "<controller type='%s' model='%s'>", scsi ? "scsi" : "usb",
                                 scsi ? hd_scsi_model_to_string(c->model) : hd_usb_model_to_string(c->model));
                        return line_error(ctx, c->line, -EOPNOTSUPP,
                                          "%s%s: QEMU has no such controller; use model='virtio-scsi' or 'lsilogic' "
                                          "for SCSI, 'qemu-xhci' for USB",
                                          what);
                }
                strbuf_append(&b, dev);
                if (master) {
                        strbuf_append(&b, ",masterbus=");
                        qemu_append_value(&b, master->id);
                        strbuf_appendf(&b, ".0,firstport=%d", c->master_startport);
                } else {
                        strbuf_append(&b, ",id=");
                        qemu_append_value(&b, c->id);
                }
                if (c->address)
                        qemu_append_address(&b, c->address);
                if ((r = qemu_push(argv, "-device", &b)) < 0)
                        return r;
        }
        return 0;
}
