/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A kernel emulator for unit tests: applies sysfs writes to a copy of a recorded tree as the kernel would. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "hostdev/context.h"

/*
 * The emulator copies a tree (tests/data/trees/NAME: sys/, proc/, dev/ and
 * an `emulator-ids` file) into a temporary folder and sits behind the
 * context's write hook. Every kernel state it changes lives in that folder
 * (links, attribute files, and its own notes under .emulator/), so a forked
 * child's writes are seen by the parent after the child dies.
 *
 * What it does, per path (a table of glob patterns, see emulator.c):
 *   .../driver_override            store the value; a lone "\n" clears it to "(null)"
 *   /sys/bus/pci/drivers/X/unbind  remove the device's driver link and X's device link (-ENODEV if not on X)
 *   /sys/bus/pci/drivers/X/bind    bind if X matches (override or ids), -EBUSY if bound, -ENODEV if no match
 *   /sys/bus/pci/drivers_probe     bind an unbound device to its override if that driver exists, else to
 *                                  the first driver whose ids match; success even when none binds
 *   /sys/bus/pci/drivers/X/new_id  add "VVVV DDDD" to X's dynamic ids and bind unbound matching devices
 *   /sys/bus/pci/drivers/X/remove_id
 *   .../reset                      count a reset ("1" only), noting reset_method's first as its method
 *   .../reset_method               "default" or a list of the methods the file first listed, else -EINVAL
 *   .../remove, /sys/bus/pci/rescan  take a device out of the tree and put it back (unbound, no override)
 * Binding vfio-pci (or a *_vfio_pci variant) creates dev/vfio/GROUP; the last such unbind in a group
 * removes it. vfio-pci's probe fails (binds nothing, as the kernel's does) for a device without an IOMMU group.
 * Any other path is written as a plain file when it exists (-ENOENT otherwise).
 *
 * `emulator-ids` lines: DRIVER VENDOR DEVICE [CLASS], hex, '*' for any.
 */
struct emu;

/* Copy the tree FIXTURE (a folder path) into a new temporary folder. */
int emu_new(const char *fixture, struct emu **ret);
/* Work on the tree ROOT itself, no copy (a tool running hostdev on a tree); emu_free leaves it. */
int emu_open(const char *root, struct emu **ret);
/* Remove the copy. */
void emu_free(struct emu *e);
const char *emu_root(const struct emu *e);

/* Point CTX at the copy (sysroot, state directory ROOT/var/lib/hostdev) and route its writes here. */
int emu_attach(struct emu *e, struct hd_context *ctx);
/* The hook itself, for a context set up by hand (userdata: the emu). */
int emu_write_hook(void *userdata, int root_fd, const char *path, const char *value, size_t len);

/* Faults. N counts writes from now, 1 is the next one. */
void emu_fail_nth(struct emu *e, unsigned n, int err);          /* the Nth write fails with -ERR, no effect */
void emu_fail_path(struct emu *e, const char *glob, int err, int times); /* TIMES < 0: always */
#define EMU_CRASH_EXIT 86
void emu_crash_nth(struct emu *e, unsigned n, bool after);      /* _exit(EMU_CRASH_EXIT) before/after applying it */
void emu_probe_fails(struct emu *e, const char *driver);        /* DRIVER's probe fails: nothing binds to it */
void emu_clear_faults(struct emu *e);

/*
 * From now on a device bound to a vfio driver gets the VFIO cdev folder
 * vfio-dev/vfioN, with its dev file and /dev/vfio/devices/vfioN when
 * WITH_DEV (CONFIG_VFIO_DEVICE_CDEV), without both when not (Debian's
 * 6.12); unbinding takes them away. Off by default. A note in the tree
 * (emu-cdev.h), so it holds for every process on the tree.
 */
int emu_vfio_cdev(struct emu *e, bool with_dev);

/* Called before each write is applied (after the fault checks). */
typedef void (*emu_observer_t)(void *userdata, const char *path, const char *value);
void emu_set_observer(struct emu *e, emu_observer_t fn, void *userdata);

/* Writes seen by this process since emu_new, and their log ("PATH VALUE", value's newline as \n). */
unsigned emu_writes(const struct emu *e);
char *const *emu_log(const struct emu *e);

/* State read back from the tree. */
unsigned emu_resets(const struct emu *e, const char *addr);
/* The method of each reset so far, one per line (reset_method's first at the time; "" when it had none). */
char *emu_reset_by(const struct emu *e, const char *addr);
char *emu_driver(const struct emu *e, const char *addr);   /* bound driver (malloc'd), NULL when none */
char *emu_override(const struct emu *e, const char *addr); /* driver_override (malloc'd), NULL when unset */
bool emu_exists(const struct emu *e, const char *rel);       /* a path below the root, links not followed */
