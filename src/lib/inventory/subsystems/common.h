/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the subsystem modules other than PCI share: attribute reading the way libvirt does it, names, lookups by name. */
#pragma once

#include <stdint.h>

#include "inventory/probe.h"

/*
 * A text attribute as libvirt reads one: control characters removed, and
 * an empty or unreadable value left out (*ret = NULL, return 0). Only
 * ENOMEM fails.
 */
int attr_string(int dirfd, const char *name, char **ret);
/* The same, with leading and trailing spaces trimmed (SCSI vendor and model are padded). */
int attr_string_trimmed(int dirfd, const char *name, char **ret);

/* An unsigned attribute in BASE; -ENOENT, -EINVAL ... when absent or not a number. */
int attr_uint(int dirfd, const char *name, int base, unsigned *ret);
/* A decimal key of the uevent file ("BUSNUM=003" is 3, not octal). */
int uevent_uint(const struct hd_uevent *ue, const char *key, int base, unsigned *ret);
/* Parse all of S as an unsigned number in BASE. */
int parse_uint(const char *s, int base, unsigned *ret);

/* libvirt's name: "<subsystem>_<sysname>[_<suffix>]" with [^A-Za-z0-9_] made '_'. */
int device_set_name(struct hd_device *d, const char *suffix);
/* The same name for SUBSYSTEM and SYSNAME, without a device (lookups). NULL on ENOMEM. */
char *device_name_for(const char *subsystem, const char *sysname, const char *suffix);

/*
 * The canonical path of entry NAME of DIR (a bus or class listing).
 * NAME comes from a person: it must be one safe path component, else
 * -ENOENT. -ENOENT too when there is no such entry.
 */
int lookup_entry(struct hd_context *ctx, const char *dir, const char *name, char **ret_path);

/*
 * Find the entry of DIR whose device is named SPEC. Names are lossy
 * (':' '.' '-' all become '_') and may end in a suffix (a MAC, a serial),
 * so DIR is listed once, and only entries whose mangled "PREFIX<entry>"
 * begins SPEC are probed to compare the whole name. -ENODEV when SPEC does
 * not start with PREFIX; -ENOENT when nothing matches.
 */
int lookup_by_name(struct hd_context *ctx, const char *spec, const char *prefix, const char *dir,
                   char **ret_path);
