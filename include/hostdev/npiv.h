/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NPIV: virtual Fibre Channel HBAs made on a physical one through vport_create and removed through vport_delete. */
#pragma once

#include <stddef.h>

#include "hostdev/context.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A World Wide Name as libvirt prints it: 16 lower-case hex digits, no
 * "0x". Normalising accepts an optional "0x"; -EINVAL otherwise.
 */
int hd_wwn_normalize(const char *s, char ret[static 17]);
/* A new random WWN as libvirt makes one for QEMU: NAA 5, Qumranet's OUI 001a4a, 36 random bits. */
int hd_wwn_generate(char ret[static 17]);

/* Where the new vHBA goes and what it is called. Every field may be NULL. */
struct hd_vhba_spec {
        const char *parent;            /* "scsi_host5", "host5", or "WWNN,WWPN" of the HBA */
        const char *parent_wwnn, *parent_wwpn; /* the HBA by its own names (<parent wwnn= wwpn=/>) */
        const char *parent_fabric_wwn; /* any HBA on that fabric with a vport free (<parent fabric_wwn=/>) */
        const char *wwnn, *wwpn;       /* the new port's names; both or neither; generated when neither */
};

struct hd_vhba {
        char *name;   /* the new SCSI host: "scsi_host9" */
        char *parent; /* the HBA it was made on: "scsi_host5" */
        char wwnn[17], wwpn[17];
};
void hd_vhba_clear(struct hd_vhba *v);

/*
 * Make a vHBA on the parent HBA (without any parent named: the first
 * online HBA with a vport free), then wait at most TIMEOUT_MS (0: 60 s)
 * for its SCSI host; when none comes, the vport is deleted again.
 * Errors: -ENODEV no such HBA, -EOPNOTSUPP the HBA has no NPIV
 * (vport_create), -ENOSPC all its vports in use, -EINVAL a malformed WWN,
 * -EEXIST the WWPN is taken, -ETIMEDOUT.
 */
int hd_vhba_create(struct hd_context *ctx, const struct hd_vhba_spec *spec, unsigned timeout_ms,
                   struct hd_vhba *ret);
/* The same from libvirt's node device XML, as `virsh nodedev-create` takes it. */
int hd_vhba_create_xml(struct hd_context *ctx, const char *xml, size_t len, unsigned timeout_ms,
                       struct hd_vhba *ret);
/*
 * Remove a vHBA, named "scsi_hostN" (or "hostN") or "WWNN,WWPN": write its
 * names to vport_delete of the HBA it was made on, and wait (bounded) until
 * it is gone. -EINVAL when it is a physical port, not a vHBA; -EBUSY when
 * a guest holds one of its LUNs (per the state store, whose lock both
 * functions hold for their writes).
 */
int hd_vhba_destroy(struct hd_context *ctx, const char *spec, unsigned timeout_ms);

#ifdef __cplusplus
}
#endif
