/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening a path so that it never leads out of a folder, whatever links it meets on the way. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

enum confine_mode {
        /*
         * DIRFD is the root: an absolute link, an absolute PATH and ".." at
         * the top all stay at DIRFD, as if the process were chrooted there.
         * For paths as the kernel names them ("/sys/class/net/eth0") below
         * a --sysroot tree.
         */
        CONFINE_IN_ROOT,
        /*
         * PATH must stay below DIRFD: a ".." above it, an absolute PATH or
         * an absolute link fail with -EXDEV. For names below a device's
         * folder ("vendor", "queue/logical_block_size").
         */
        CONFINE_BENEATH,
        /*
         * A plain openat(): for the live root, where there is nothing
         * outside to escape to, so paths from it cost what they always did.
         */
        CONFINE_NONE,
};

/*
 * openat() that resolves PATH (links included, magic /proc links refused)
 * without leaving DIRFD, as HOW says. openat2() where the kernel has it
 * (Linux 5.6), else confine_walk(). Returns the fd (O_CLOEXEC) or a
 * negative errno.
 */
int confine_open(int dirfd, const char *path, int flags, mode_t mode, enum confine_mode how);

/*
 * The same by a walk of PATH one component at a time, each opened with
 * O_NOFOLLOW and each link's target read and resolved in its place, for
 * kernels without openat2() (or a seccomp filter that refuses it).
 */
int confine_walk(int dirfd, const char *path, int flags, mode_t mode, enum confine_mode how);

/*
 * Enter PATH (relative) below DIRFD one folder at a time, never through a
 * link: -ENOTDIR for a link or a file on the way. With MODE not 0, a
 * folder that is missing is made (MODE for the last, 0755 for the ones
 * before); else -ENOENT. For a place of our own in a tree (its state, its
 * definitions) or a folder we fill (record): no link someone puts there
 * sends us elsewhere. Returns the last folder's fd (O_RDONLY | O_DIRECTORY).
 */
int confine_mkdirs(int dirfd, const char *path, mode_t mode);

/*
 * The openat2() system call (glibc 2.36 has no wrapper): the fd, or a
 * negative errno, -ENOSYS where neither the headers nor the kernel know it.
 * In a file of its own so a test can replace it (-Wl,--wrap) and run the
 * walk instead.
 */
int confine_openat2(int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve);
