/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one place that reads and writes sysfs and /dev, below the context's root prefix. */
#pragma once

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "context-internal.h"

/*
 * Paths are absolute as the kernel names them ("/sys/bus/pci/devices"); they
 * are opened relative to the root prefix. Reads return negative errno;
 * -ENOENT means the attribute (or the whole device) is not there, which a
 * scan treats as "absent", never as a failure.
 */

/* Open a directory by absolute path. */
int sysfs_open_dir(struct hd_context *ctx, const char *path, int *ret_fd);
/* Open a sub-directory of DIRFD (NAME may contain '/', never leaves the root through links). */
int sysfs_open_dir_at(int dirfd, const char *name, int *ret_fd);
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

bool sysfs_exists_at(int dirfd, const char *name);

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

/* Lexically normalise an absolute path: drop ".", "", resolve ".." (never above "/"). */
int path_normalize(const char *path, char **ret);
/* "/a/b/c" -> "c"; "/a/b/c" -> "/a/b". */
const char *path_basename(const char *path);
char *path_dirname(const char *path);

/*
 * The one write. Goes through the context's hook when set (the kernel
 * emulator in tests), else opens PATH below the root and writes VALUE in one
 * write() as the kernel expects.
 */
int sysfs_write(struct hd_context *ctx, const char *path, const char *value);
