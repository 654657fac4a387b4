/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the domain XML reader's files share: the parse state, attribute readers, messages. */
#pragma once

#include <libxml/tree.h>

#include "context-internal.h"
#include "hostdev/domain.h"

struct parse_state {
        struct hd_context *ctx;
        const char *filename;
};

/* NODE's line in the input; 0 when libxml2 does not know it. */
unsigned domxml_line(xmlNodePtr node);
/* "FILE:LINE: " + the message, on the context; returns ERR. */
int domxml_parse_error(struct parse_state *st, xmlNodePtr node, int err, const char *fmt, ...) _printf_(4, 5);
/* "FILE:LINE: <NODE ATTR='VALUE'>: " + the message. */
int domxml_attr_error(struct parse_state *st, xmlNodePtr node, const char *attr, const char *value,
                      const char *fmt, ...) _printf_(5, 6);

/* A copy of attribute NAME (malloc'd), or NULL when absent (or out of memory, as in libxml2). */
char *domxml_attr(xmlNodePtr node, const char *name);
bool domxml_has_attr(xmlNodePtr node, const char *name);
/* The first element child named NAME, or NULL. */
xmlNodePtr domxml_child(xmlNodePtr node, const char *name);
bool domxml_is(xmlNodePtr node, const char *name);
/* The text content of NODE (malloc'd), or NULL when out of memory. */
char *domxml_text(xmlNodePtr node);

/*
 * Attribute NAME as an unsigned number in BASE (0: C style, as libvirt
 * reads addresses) no larger than MAX. Returns 1 and sets *ret when
 * present, 0 when absent (*ret untouched), or an error naming RANGE
 * ("PCI slots go from 0x00 to 0x1f").
 */
int domxml_attr_uint(struct parse_state *st, xmlNodePtr node, const char *name, int base,
                     unsigned long long max, const char *range, unsigned long long *ret);
/* Same, into an unsigned; absent leaves *ret as it was. */
int domxml_attr_u(struct parse_state *st, xmlNodePtr node, const char *name, int base, unsigned max,
                  const char *range, unsigned *ret);
/* A required attribute: absent is an error naming the element. */
int domxml_attr_u_required(struct parse_state *st, xmlNodePtr node, const char *name, int base, unsigned max,
                           const char *range, unsigned *ret);
/* yes/no (or on/off when ON_OFF) into a tristate; anything else is an error. */
int domxml_attr_tristate(struct parse_state *st, xmlNodePtr node, const char *name, bool on_off,
                         enum hd_tristate *ret);
/* A required string attribute (copied), error when absent or empty. */
int domxml_attr_string_required(struct parse_state *st, xmlNodePtr node, const char *name, char **ret);

/* Not empty, and only letters, digits and the characters in EXTRA (the schema's name patterns). */
bool domxml_name_valid(const char *s, const char *extra);

/* A UUID with or without dashes, into lower case with dashes. Returns 0 or -EINVAL. */
int domxml_uuid_normalize(const char *s, char out[static 37]);
/* Attribute NAME as a UUID into OUT; 1 present, 0 absent. */
int domxml_attr_uuid(struct parse_state *st, xmlNodePtr node, const char *name, char out[static 37]);

/* The host side of a PCI device: <address domain= bus= slot= function=/>. */
int domxml_parse_pci_address(struct parse_state *st, xmlNodePtr node, struct hd_pci_addr *ret);
/* <boot>, <alias>, <rom> and the guest <address> of a device element. */
int domxml_parse_device_info(struct parse_state *st, xmlNodePtr node, struct hd_hostdev_def *def);
/* An <address type=...> in the guest (any type the model has). */
int domxml_parse_guest_address(struct parse_state *st, xmlNodePtr node, struct hd_guest_address *a);
/* <teaming type='transient' persistent=/> of a PCI device or an interface. */
int domxml_parse_teaming(struct parse_state *st, xmlNodePtr node, struct hd_hostdev_def *def);
/* A SCSI or USB <controller>, appended to DEF (the index left out: the next free one of its type). */
int domxml_parse_controller(struct parse_state *st, xmlNodePtr node, struct hd_domain_def *def);
/* What libvirt refuses across the devices of a domain (duplicate guest addresses, devnos, ramfb ...). */
int domxml_validate(struct parse_state *st, const struct hd_domain_def *def);
/* "FILE:LINE: " (LINE 0: "FILE: ") + the message, on the context; returns ERR. */
int domxml_line_error(struct parse_state *st, unsigned line, int err, const char *fmt, ...) _printf_(4, 5);

int domxml_parse_hostdev(struct parse_state *st, xmlNodePtr node, struct hd_hostdev_def *def);
int domxml_parse_net_hostdev(struct parse_state *st, xmlNodePtr node, struct hd_hostdev_def *def);

/* Field by field, ignoring where each device was read (line). */
bool domxml_hostdev_def_equal(const struct hd_hostdev_def *a, const struct hd_hostdev_def *b);
bool domxml_domain_def_equal(const struct hd_domain_def *a, const struct hd_domain_def *b);
