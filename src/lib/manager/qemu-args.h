/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the QEMU options of a domain are built from: libvirt's device ids, guest SCSI addresses and the controllers. */
#pragma once

#include "context-internal.h"
#include "hostdev/domain.h"
#include "util/strutil.h"

/* A controller the devices need on QEMU's command line, as libvirt would add it. */
struct qemu_ctrl {
        enum hd_controller_type type;
        unsigned index;
        int model;            /* never DEFAULT or AUTO: the machine's default is filled in */
        int master_startport; /* a UHCI companion's first port on its EHCI master; -1: none */
        char *id;             /* libvirt's alias: "usb", "usb1", "scsi0", or the user's ua-... */
        const struct hd_guest_address *address; /* where the XML put it; NULL: QEMU picks */
        unsigned line;                          /* in the XML; 0 when libvirt would add it */
};

/*
 * What libvirt works out before it builds a command line: each device's
 * id, the guest address of each SCSI LUN (the one in the XML, or the next
 * free unit as libvirt assigns it), and the controllers those need.
 */
struct qemu_layout {
        char **ids;                         /* per def->hostdevs[i] */
        struct hd_guest_address *drive;     /* per def->hostdevs[i]: a SCSI LUN's address (DRIVE), else NONE */
        struct qemu_ctrl *ctrls;            /* to put before the devices, in order */
        size_t n_ctrls;
        bool s390; /* virtio devices are on the channel subsystem, not PCI */
};

/* Fill L for DEF; an error names what QEMU could not be given (a model it lacks, a missing USB controller). */
int qemu_layout_build(struct hd_context *ctx, const struct hd_domain_def *def, struct qemu_layout *l);
void qemu_layout_done(struct qemu_layout *l, size_t n_hostdevs);
/* The controller of TYPE and INDEX that L puts on the command line (the master of a USB bus); NULL: none. */
const struct qemu_ctrl *qemu_layout_find(const struct qemu_layout *l, enum hd_controller_type type, unsigned index);
/* "-device" and its value for each controller of L, appended to *ARGV. */
int qemu_layout_controller_args(struct hd_context *ctx, const struct qemu_layout *l, char ***argv);

/* QEMU's option syntax: a ',' inside a value is written ',,'. */
void qemu_append_value(struct strbuf *b, const char *v);
/* ",bus=pci.N,addr=0xS[.0xF][,multifunction=on]" for a guest PCI address that names a slot, ",devno=" for CCW. */
void qemu_append_address(struct strbuf *b, const struct hd_guest_address *a);
/* Append OPT and the value in B (taken) to *ARGV. */
int qemu_push(char ***argv, const char *opt, struct strbuf *b);
