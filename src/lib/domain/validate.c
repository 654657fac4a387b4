/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What libvirt refuses across the devices of one domain, refused here too before anything is prepared. */
#include <string.h>

#include "domain-internal.h"
#include "util/strutil.h"

/* Two SCSI LUNs at one controller/bus/target/unit: QEMU would refuse the second (virDomainDefDuplicateDriveAddressesValidate). */
static int check_scsi_addresses(struct parse_state *st, const struct hd_domain_def *def) {
        for (size_t i = 0; i < def->n_hostdevs; i++) {
                const struct hd_hostdev_def *a = &def->hostdevs[i];
                const struct hd_guest_address *x = &a->info.address;

                if (a->kind != HD_HOSTDEV_SCSI || x->type != HD_GUEST_ADDRESS_DRIVE)
                        continue;
                for (size_t j = i + 1; j < def->n_hostdevs; j++) {
                        const struct hd_hostdev_def *b = &def->hostdevs[j];
                        const struct hd_guest_address *y = &b->info.address;

                        if (b->kind != HD_HOSTDEV_SCSI || y->type != HD_GUEST_ADDRESS_DRIVE ||
                            memcmp(&x->drive, &y->drive, sizeof(x->drive)) != 0)
                                continue;
                        return domxml_line_error(st, b->line, -EINVAL,
                                                 "the guest address controller='%u' bus='%u' target='%u' unit='%u' "
                                                 "is taken by the SCSI host device on line %u; give each LUN its "
                                                 "own unit (or leave <address> out)",
                                                 y->drive.controller, y->drive.bus, y->drive.target, y->drive.unit,
                                                 a->line);
                }
        }
        return 0;
}

/* A guest has one ramfb display: libvirt allows ramfb='on' on one vGPU only. */
static int check_ramfb(struct parse_state *st, const struct hd_domain_def *def) {
        const struct hd_hostdev_def *first = NULL;

        for (size_t i = 0; i < def->n_hostdevs; i++) {
                const struct hd_hostdev_def *h = &def->hostdevs[i];
                if (h->kind != HD_HOSTDEV_MDEV || h->mdev.ramfb != HD_TRISTATE_YES)
                        continue;
                if (first)
                        return domxml_line_error(st, h->line, -EINVAL,
                                                 "mediated device %s has ramfb='on', as %s on line %u has; a "
                                                 "guest has one ramfb display: set ramfb='off' on all but one",
                                                 h->mdev.uuid, first->mdev.uuid, first->line);
                first = h;
        }
        return 0;
}

/* One channel-subsystem address per device: QEMU refuses a vfio-ccw devno another device has. */
static int check_ccw_devnos(struct parse_state *st, const struct hd_domain_def *def) {
        for (size_t i = 0; i < def->n_hostdevs; i++) {
                const struct hd_guest_address *x = &def->hostdevs[i].info.address;

                if (x->type != HD_GUEST_ADDRESS_CCW || !x->ccw.assigned)
                        continue;
                for (size_t j = i + 1; j < def->n_hostdevs; j++) {
                        const struct hd_guest_address *y = &def->hostdevs[j].info.address;
                        if (y->type != HD_GUEST_ADDRESS_CCW || !y->ccw.assigned || x->ccw.cssid != y->ccw.cssid ||
                            x->ccw.ssid != y->ccw.ssid || x->ccw.devno != y->ccw.devno)
                                continue;
                        return domxml_line_error(st, def->hostdevs[j].line, -EINVAL,
                                                 "the CCW device number %x.%x.%04x is taken by the device on "
                                                 "line %u; give each device its own devno (or leave cssid, ssid "
                                                 "and devno out)",
                                                 y->ccw.cssid, y->ccw.ssid, y->ccw.devno, def->hostdevs[i].line);
                }
        }
        return 0;
}

/* One controller per type and index, but for the UHCI companions of an EHCI controller (<master>). */
static int check_controllers(struct parse_state *st, const struct hd_domain_def *def) {
        for (size_t i = 0; i < def->n_controllers; i++) {
                const struct hd_controller_def *a = &def->controllers[i];
                for (size_t j = i + 1; j < def->n_controllers; j++) {
                        const struct hd_controller_def *b = &def->controllers[j];
                        if (a->type != b->type || a->index != b->index ||
                            (a->type == HD_CONTROLLER_USB && (a->master_startport >= 0 || b->master_startport >= 0)))
                                continue;
                        return domxml_line_error(st, b->line, -EINVAL,
                                                 "a second %s controller with index='%u' (the first is on line %u); "
                                                 "give each its own index",
                                                 hd_controller_type_to_string(b->type), b->index, a->line);
                }
        }
        return 0;
}

int domxml_validate(struct parse_state *st, const struct hd_domain_def *def) {
        int r;

        if ((r = check_scsi_addresses(st, def)) < 0 || (r = check_ramfb(st, def)) < 0 ||
            (r = check_ccw_devnos(st, def)) < 0 || (r = check_controllers(st, def)) < 0)
                return r;
        return 0;
}
