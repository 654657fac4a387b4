/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers the node device XML parser's files share: walking elements, reading text and numbers. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <libxml/tree.h>

#include "context-internal.h"
#include "hostdev/device.h"

/* First element child of N named NAME (any name when NULL), and the next sibling element likewise. */
xmlNodePtr xp_child(xmlNodePtr n, const char *name);
xmlNodePtr xp_next(xmlNodePtr n, const char *name);
#define XP_FOREACH(c, parent, name)                                                                \
        for (xmlNodePtr c = xp_child((parent), (name)); c; c = xp_next(c, (name)))

/* Record "node device XML:LINE: message" for the element N and return ERR. */
int xp_error(struct hd_context *ctx, xmlNodePtr n, int err, const char *fmt, ...) _printf_(4, 5);

/*
 * The text of N, or of N's first child element NAME, in *RET (a copy, NULL
 * when absent or empty, as libvirt reads it). Returns 0 or -ENOMEM. *RET is
 * NULL or a string the model owns, which is replaced: a field filled twice
 * (a repeated element) never leaks.
 */
int xp_text(xmlNodePtr n, char **ret);
int xp_child_text(xmlNodePtr n, const char *name, char **ret);
/* As xp_child_text, but a missing or empty element is an error naming it. */
int xp_child_text_req(struct hd_context *ctx, xmlNodePtr n, const char *name, char **ret);
/* Attribute NAME of N: a copy or NULL (absent or empty); replaces *RET as xp_text does. */
int xp_prop(xmlNodePtr n, const char *name, char **ret);

/*
 * Numbers. BASE 10: decimal; 16: hex with or without 0x; 0: hex with 0x,
 * decimal without (never octal). Surrounding blanks are allowed, as in
 * libvirt's XPath number(). Values above MAX are errors.
 * Returns 1 when read, 0 when absent (and not REQUIRED), negative on error.
 */
int xp_child_u64(struct hd_context *ctx, xmlNodePtr n, const char *name, int base, bool required,
                 uint64_t max, uint64_t *ret);
int xp_prop_u64(struct hd_context *ctx, xmlNodePtr n, const char *name, int base, bool required,
                uint64_t max, uint64_t *ret);
/* Unsigned 32-bit wrappers of the above. */
int xp_child_uint(struct hd_context *ctx, xmlNodePtr n, const char *name, int base, bool required,
                  unsigned max, unsigned *ret);
int xp_prop_uint(struct hd_context *ctx, xmlNodePtr n, const char *name, int base, bool required,
                 unsigned max, unsigned *ret);

/* A PCI <address domain= bus= slot= function=/> element. */
int xp_pci_address(struct hd_context *ctx, xmlNodePtr n, struct hd_pci_addr *ret);

/* <capability type='mdev_types'> into a growing array. */
int xp_mdev_types(struct hd_context *ctx, xmlNodePtr n, struct hd_mdev_type **types, size_t *n_types);

/* The body of <capability type='pci'>. */
int xp_cap_pci(struct hd_context *ctx, xmlNodePtr n, struct hd_cap_pci *p);

/* One top-level <capability> element, added to D. */
int xp_cap(struct hd_context *ctx, xmlNodePtr n, struct hd_device *d);

/* A WWN (16 hex digits, 0x allowed) in *S checked and kept without 0x; NULL stays NULL. */
int xp_wwn_normalize(struct hd_context *ctx, xmlNodePtr n, const char *what, char **s);

static inline const char *strempty(const char *s) {
        return s ? s : "";
}
