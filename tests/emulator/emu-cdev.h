/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The emulator's VFIO cdevs (vfio-dev/vfioN, /dev/vfio/devices/vfioN), made only in a tree that asks for them. */
#pragma once

/*
 * A tree asks by a note, .emulator/vfio-cdev (emu_vfio_cdev() writes it):
 * "dev" is a kernel with CONFIG_VFIO_DEVICE_CDEV (vfio-dev/vfioN/dev and the
 * node), "folder" one without (vfio-dev/vfioN alone, as Debian's 6.12).
 * Without the note nothing is made, so other tests' trees stay as recorded.
 * ROOT_FD is the tree, DEVREL the device's folder below it.
 */
void emu_cdev_bound(int root_fd, const char *devrel);
void emu_cdev_unbound(int root_fd, const char *devrel);
