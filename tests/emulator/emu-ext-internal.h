/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers the emulator's extension files share: files and links below the root, IOMMU groups. */
#pragma once

#include <stdbool.h>

#include "emu-ext.h"

/* What a handler gets: the emulator, the root as a folder handle and as a path. */
struct ext {
        struct emu *e;
        int rfd;
        const char *root;
};

/* A handler returns 0 or -errno as the kernel's write would, or EXT_PASS for "not this one". */
#define EXT_PASS 1

int ext_mdev_create(struct ext *x, const char *kpath, const char *val);
int ext_mdev_remove(struct ext *x, const char *kpath, const char *val);
int ext_sriov_numvfs(struct ext *x, const char *kpath, const char *val);
int ext_vport_create(struct ext *x, const char *kpath, const char *val);
int ext_vport_delete(struct ext *x, const char *kpath, const char *val);
extern bool ext_sriov_is_lazy, ext_vport_is_lazy;

char *ext_read(struct ext *x, const char *rel);           /* without the trailing newline; NULL when absent */
int ext_write(struct ext *x, const char *rel, const char *content); /* creates */
int ext_link(struct ext *x, const char *target_rel, const char *link_rel); /* relative, as sysfs */
char *ext_link_name(struct ext *x, const char *rel);      /* last component of a link's target */
char *ext_canon(struct ext *x, const char *kpath);        /* canonical path below the root, NULL if none */
int ext_mkdirs(struct ext *x, const char *rel);
int ext_rmrf(struct ext *x, const char *rel);
bool ext_exists(struct ext *x, const char *rel);
/* A new IOMMU group (the lowest free number) holding DEVREL as NAME; returns the number. */
int ext_group_new(struct ext *x, const char *devrel, const char *name);
/* Drop DEVREL's group (and the group when it is left empty). */
void ext_group_drop(struct ext *x, const char *devrel, const char *name);
/* "sys/devices/.../X" -> "sys/devices/..." (a new string). */
char *ext_dirname(const char *rel);
