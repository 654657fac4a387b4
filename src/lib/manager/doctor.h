/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The passthrough doctor: each module reads one concern of a PCI device and adds its findings to a report. */
#pragma once

#include "hostdev/iommu.h"
#include "hostuse.h"
#include "manager-internal.h"

/*
 * What every module of `hostdev check` shares, read once: the device, its
 * IOMMU group, the devices the host runs on, the state store (NULL when
 * there is none yet or it cannot be read: check.c says which). Each module
 * adds items to REP with the fact it read and the remedy; check.c only
 * calls them and sorts the report worst first.
 */
struct doctor {
        struct hd_context *ctx;
        struct hd_report *rep;
        struct pci_dev *d;
        struct hd_iommu_group *group; /* NULL: no group, or it could not be read */
        struct host_uses *uses;       /* NULL: could not be read */
        struct hd_store *store;       /* NULL: none, or unreadable */
};

int doctor_host(struct doctor *dc);     /* doctor-host.c: IOMMU, interrupt remapping, vfio, command line */
int doctor_vfio_cdev(struct doctor *dc); /* doctor-host.c: its vfio cdev and /dev/iommu (doctor_host's part) */
int doctor_group(struct doctor *dc);    /* doctor-group.c: every member, what blocks, what --group takes */
int doctor_acs(struct doctor *dc);      /* doctor-acs.c: ACS on the path to the root port */
int doctor_display(struct doctor *dc);  /* doctor-display.c: boot_vga, a firmware framebuffer in a BAR */
int doctor_holders(struct doctor *dc);  /* doctor-holders.c: processes with its vfio or DRM nodes open */
int doctor_reset(struct doctor *dc);    /* doctor-reset.c: reset methods, bus reset reach, known-bad devices */
int doctor_driver(struct doctor *dc);   /* variant-driver.c: the driver it is on and the one detach gives it */

/*
 * The vfio driver D should get (variant-driver.c), as libvirt >= 10.0 picks
 * it for managed devices: the variant driver whose "vfio_pci:" alias in
 * ROOT/lib/modules/RELEASE/modules.alias matches D's modalias with the
 * fewest wildcards, found through libkmod (RELEASE from
 * ROOT/proc/sys/kernel/osrelease); "vfio-pci" when none does. *RET_WHY
 * (may be NULL) says why, for a person.
 */
int pci_vfio_driver(struct hd_context *ctx, const struct pci_dev *d, char **ret_driver, char **ret_why);

/*
 * The sentences check, detach and prepare share, so a refusal says what
 * check said (doctor-words.c). Each returns a new string, NULL on ENOMEM.
 */
char *words_bridge(const struct pci_dev *d);
char *words_no_group(const struct pci_dev *d);
char *words_host_use(const char *addr, const char *why);
char *words_group_not_viable(int group, const char *addr, const char *blockers);
#define REMEDY_BRIDGE "pass through the devices behind it"
#define REMEDY_NO_GROUP                                                                                      \
        "turn on VT-d / AMD-Vi in the firmware and boot with intel_iommu=on (or amd_iommu=on)"

/*
 * Why member M of a group keeps the group from a guest (OWNER's, NULL:
 * anyone's), appended to WHY as "0000:00:1f.0 (on lpc_ich, a host
 * driver)"; nothing when it does not. S (may be NULL) is the state store,
 * USES (may be NULL) the host's devices. *RET_PERSON (may be NULL) is set
 * when `hostdev detach --group` could not clear it (held, busy, the host
 * needs it). Bridges never block.
 */
int group_member_blocks(struct hd_context *ctx, struct hd_store *s, const struct hd_owner *owner,
                        const struct host_uses *uses, const struct pci_dev *m, struct strbuf *why,
                        bool *ret_person);

/*
 * The other PCI functions a secondary bus reset of D's bus reaches (reset.c):
 * ALL (may be NULL) gets every address, WHY those it would hurt.
 */
int pci_bus_reset_reach(struct hd_context *ctx, struct hd_store *s, const struct pci_dev *d,
                        const struct hd_owner *owner, const struct host_uses *uses, struct strbuf *all,
                        struct strbuf *why);

/* reset_method back to OLD, one journaled write (reset.c; recovery of a `reset --method`). */
int pci_reset_method_restore(struct mop *m, const struct pci_dev *d, const char *old);

/* A firmware framebuffer in one of a device's BARs (doctor-display.c). */
struct fb_hit {
        char name[64];                 /* "BOOTFB", "efifb", "simpledrm" ... as /proc/iomem names it */
        unsigned long long start, end; /* the framebuffer's range */
        int bar;                       /* the BAR it lies in */
        bool busy;                     /* a driver claimed it: vfio-pci cannot reserve the BAR */
};
/*
 * The framebuffers /proc/iomem shows inside D's memory BARs. -EACCES when
 * /proc/iomem hides its addresses (not root), -ENOENT when there is none.
 */
int display_framebuffers(struct hd_context *ctx, const struct pci_dev *d, struct fb_hit **ret, size_t *ret_n);
char *words_framebuffer(const struct pci_dev *d, const struct fb_hit *h);
/* The remedy for H: the driver to unbind, or the kernel parameter. */
char *remedy_framebuffer(struct hd_context *ctx, const struct fb_hit *h);
/*
 * For detach and prepare: -EBUSY with the finding and its remedy when a
 * driver holds a firmware framebuffer in one of D's BARs; 0 otherwise
 * (also when /proc/iomem cannot tell).
 */
int refuse_framebuffer(struct hd_context *ctx, const struct pci_dev *d);

/* A process with one of a device's nodes open (doctor-holders.c). */
struct holder {
        int pid;
        char comm[64];
        char node[64]; /* "/dev/vfio/12", "/dev/vfio/devices/vfio0", "/dev/dri/card0" */
};
/*
 * Every process with one of NODES (NULL-terminated; one ending in '/' stands
 * for every node below it) open, from the links in /proc/PID/fd (read as
 * text, never followed) and /proc/PID/comm.
 * *RET_HIDDEN: processes whose fd folder this reader may not list.
 */
int holders_find(struct hd_context *ctx, char *const *nodes, struct holder **ret, size_t *ret_n,
                 unsigned *ret_hidden);
/* The nodes a guest opens for D: /dev/vfio/GROUP and its vfio cdev; NULL-terminated. */
int holders_vfio_nodes(struct hd_context *ctx, const struct pci_dev *d, char ***ret);
/* Those and, while D is on a host driver, its DRM nodes (/dev/dri/cardN, renderDN); NULL-terminated. */
int holders_device_nodes(struct hd_context *ctx, const struct pci_dev *d, char ***ret);
char *words_holder(const char *addr, const struct holder *h);
#define REMEDY_HOLDER "stop that process (the guest or program using it), then try again"
/* For reattach and prepare: -EBUSY naming the process when one has D's group or cdev open. */
int refuse_vfio_holders(struct hd_context *ctx, const struct pci_dev *d);
