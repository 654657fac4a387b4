/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one place that reads and writes sysfs and /dev, below the context's root prefix. */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "context-internal.h"

/*
 * Paths are absolute as the kernel names them ("/sys/bus/pci/devices"); they
 * are opened relative to the root prefix. Reads return negative errno;
 * -ENOENT means the attribute (or the whole device) is not there, which a
 * scan treats as "absent", never as a failure.
 *
 * Nothing here ever leaves the root through links (confine.h): a path from
 * the context's root resolves as if the process were chrooted there (an
 * absolute link, or "../../.." at the top, stays at the root), and a NAME
 * below a folder's handle (the _at functions) must stay below that folder:
 * a link that climbs above it, or an absolute one, fails with -EXDEV. To
 * follow a link from one device to another (an IOMMU group's members,
 * `physfn`), resolve it with sysfs_resolve_link() and open the path. On
 * the live root "/" there is nothing outside it: paths from it are opened
 * as plain openat() would, names below a handle still must stay below it.
 */

/* Open a directory by absolute path. */
int sysfs_open_dir(struct hd_context *ctx, const char *path, int *ret_fd);
/* Open a sub-directory of DIRFD (NAME may contain '/'). */
int sysfs_open_dir_at(int dirfd, const char *name, int *ret_fd);
/* Open a file by absolute path (a /proc file, a /dev node) with open(2)'s FLAGS; noted for `hostdev record`. */
int sysfs_open_file(struct hd_context *ctx, const char *path, int flags, int *ret_fd);
/* The same as a stdio stream for reading by line: /proc files can exceed a page, unlike attributes. */
int sysfs_fopen(struct hd_context *ctx, const char *path, FILE **ret);
/* List a folder by absolute path (for readdir). */
int sysfs_opendir(struct hd_context *ctx, const char *path, DIR **ret_dir);
/* fdopendir() on a new handle of NAME below DIRFD; "." lists DIRFD itself. */
int sysfs_opendir_at(int dirfd, const char *name, DIR **ret_dir);
/*
 * The entries of folder NAME below DIRFD ("." for DIRFD itself), "." and
 * ".." left out: CB gets each name and its d_type (DT_DIR, DT_LNK,
 * DT_REG, or DT_UNKNOWN). A negative return from CB ends the listing and
 * is returned. For the listings a scan makes per device: three system
 * calls fewer than sysfs_opendir_at() and readdir(), which fstat and
 * fcntl the handle.
 */
typedef int (*sysfs_list_cb)(const char *name, unsigned char type, void *userdata);
int sysfs_list_at(int dirfd, const char *name, sysfs_list_cb cb, void *userdata);
int sysfs_list(struct hd_context *ctx, const char *path, sysfs_list_cb cb, void *userdata);

/* Whether the entry is there (a link itself, not what it leads to). */
bool sysfs_exists_at(int dirfd, const char *name);
bool sysfs_exists(struct hd_context *ctx, const char *path);

/* An attribute's text without the trailing newline. */
int sysfs_read_at(int dirfd, const char *name, char **ret);
int sysfs_read(struct hd_context *ctx, const char *path, char **ret);
/*
 * A binary attribute (`config`, `rom`): up to SIZE bytes from offset 0 into
 * BUF; *RET_LEN is what was read (an unprivileged reader gets 64 bytes of a
 * PCI config space), *RET_FILE_SIZE the attribute's size as stat reports it.
 */
int sysfs_read_bytes_at(int dirfd, const char *name, void *buf, size_t size, size_t *ret_len,
                        uint64_t *ret_file_size);
/* stat of NAME below DIRFD (links followed), noted for `hostdev record`. */
int sysfs_stat_at(int dirfd, const char *name, struct stat *ret);
/* An attribute as a number: BASE 0 accepts "0x" prefixes, 16 accepts bare hex. */
int sysfs_read_u64_at(int dirfd, const char *name, int base, uint64_t *ret);
int sysfs_read_int_at(int dirfd, const char *name, int *ret);

/* The target of a link, as written. */
int sysfs_readlink_at(int dirfd, const char *name, char **ret);
/* The last component of a link's target ("driver" -> "e1000e"). */
int sysfs_link_name_at(int dirfd, const char *name, char **ret);
/*
 * The canonical absolute path that the link NAME in directory DIR points to,
 * resolved lexically (sysfs links are relative and /sys/devices has no links
 * in its own path). A target that would climb above the root is refused.
 */
int sysfs_resolve_link(struct hd_context *ctx, const char *dir, const char *name, char **ret);
/* The same for a link NAME in DIRFD, the folder DIR. */
int sysfs_resolve_link_at(int dirfd, const char *dir, const char *name, char **ret);
/*
 * While KEEP, the folder a path's last link or entry was looked up in stays
 * open for the next lookup in the same folder: for a scan, over a tree that
 * does not change meanwhile. False drops it (also as the root changes).
 */
void sysfs_keep_folders(struct hd_context *ctx, bool keep);

/* Lexically normalise an absolute path: drop ".", "", resolve ".." (never above "/"). */
int path_normalize(const char *path, char **ret);
/* "/a/b/c" -> "c"; "/a/b/c" -> "/a/b". */
const char *path_basename(const char *path);
char *path_dirname(const char *path);

/*
 * The one write. Goes through the context's hook when set (the kernel
 * emulator in tests). Without one, under a root other than "/" it is
 * refused (-EROFS, said on the context): a recorded tree has no kernel to
 * act on it. On "/" it is sysfs_write_file().
 */
int sysfs_write(struct hd_context *ctx, const char *path, const char *value);
/*
 * Whether sysfs_write() refuses every write of CTX: a caller that puts its
 * own words around a failed write passes the refusal on as it is instead.
 */
bool sysfs_write_refused(const struct hd_context *ctx);
/*
 * Open PATH below ROOT_FD and write VALUE in one write() as the kernel
 * expects; -EMEDIUMTYPE when PATH is not on sysfs (an ordinary file is
 * never written). For a hook that passes writes on to the kernel.
 */
int sysfs_write_file(int root_fd, const char *path, const char *value, size_t len);
