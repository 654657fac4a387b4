/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A device as libvirt's node device XML and as JSON, and back from XML. */
#pragma once

#include "hostdev/context.h"
#include "hostdev/device.h"

#ifdef __cplusplus
extern "C" {
#endif

/* libvirt's node device XML (nodedev.rng), as `virsh nodedev-dumpxml` prints it. */
int hd_device_to_xml(struct hd_context *ctx, const struct hd_device *d, char **ret_xml);
/*
 * Parse a node device XML document. Printing the result again gives the
 * same document. Errors name the line and what is wrong.
 */
int hd_device_from_xml(struct hd_context *ctx, const char *xml, size_t len,
                       struct hd_device **ret_dev);
/* One JSON object with every field (the shape is documented in hostdev(1)). */
int hd_device_to_json(struct hd_context *ctx, const struct hd_device *d, char **ret_json);

#ifdef __cplusplus
}
#endif
