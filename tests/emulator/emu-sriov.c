/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The emulator's SR-IOV: sriov_numvfs enables or disables a PF's virtual functions as drivers/pci/iov.c does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu-ext-internal.h"
#include "util/strutil.h"

static long num_attr(struct ext *x, const char *devrel, const char *name, int base, long dflt) {
        _cleanup_free_ char *p = strdupf("%s/%s", devrel, name), *v = p ? ext_read(x, p) : NULL;
        return v ? strtol(v, NULL, base) : dflt;
}

static int put(struct ext *x, const char *dev, const char *name, const char *value) {
        _cleanup_free_ char *p = strdupf("%s/%s", dev, name);
        return p ? ext_write(x, p, value) : -ENOMEM;
}

/* A VF's folder as pci_iov_add_virtfn() makes it: beside the PF, sharing its vendor and class. */
static int add_vf(struct ext *x, const char *pf, unsigned i, long offset, long stride) {
        const char *pfaddr = strrchr(pf, '/') + 1;
        unsigned dom, bus, slot, fn, devfn;
        _cleanup_free_ char *parent = ext_dirname(pf), *vf = NULL, *addr = NULL, *vendor = NULL, *klass = NULL,
                            *link = NULL, *ue = NULL, *vid = NULL, *numa = NULL;
        long vfdev = num_attr(x, pf, "sriov_vf_device", 16, 0);

        if (sscanf(pfaddr, "%x:%x:%x.%x", &dom, &bus, &slot, &fn) != 4)
                return -EINVAL;
        devfn = (slot << 3 | fn) + (unsigned)offset + i * (unsigned)stride;
        addr = strdupf("%04x:%02x:%02x.%x", dom, bus + (devfn >> 8), (devfn >> 3) & 0x1f, devfn & 7);
        vf = addr && parent ? strdupf("%s/%s", parent, addr) : NULL;
        {
                _cleanup_free_ char *vp = strdupf("%s/vendor", pf), *cp = strdupf("%s/class", pf),
                                    *np = strdupf("%s/numa_node", pf);
                vendor = vp ? ext_read(x, vp) : NULL;
                klass = cp ? ext_read(x, cp) : NULL;
                numa = np ? ext_read(x, np) : NULL;
        }
        if (!vf || !vendor || !klass || ext_mkdirs(x, vf) < 0)
                return -ENOMEM;
        vid = strdupf("0x%04lx\n", vfdev);
        ue = strdupf("PCI_CLASS=%lX\nPCI_ID=%04lX:%04lX\nPCI_SUBSYS_ID=%04lX:0000\nPCI_SLOT_NAME=%s\n",
                     strtol(klass, NULL, 16), strtol(vendor, NULL, 16), vfdev, strtol(vendor, NULL, 16), addr);
        if (!vid || !ue)
                return -ENOMEM;
        {
                _cleanup_free_ char *vn = strdupf("%s\n", vendor), *cn = strdupf("%s\n", klass),
                                    *nn = strdupf("%s\n", numa ? numa : "-1");
                if (!vn || !cn || !nn || put(x, vf, "vendor", vn) < 0 || put(x, vf, "device", vid) < 0 ||
                    put(x, vf, "class", cn) < 0 || put(x, vf, "subsystem_vendor", vn) < 0 ||
                    put(x, vf, "subsystem_device", "0x0000\n") < 0 || put(x, vf, "driver_override", "(null)\n") < 0 ||
                    put(x, vf, "numa_node", nn) < 0 || put(x, vf, "enable", "0\n") < 0 ||
                    put(x, vf, "reset_method", "flr\n") < 0 || put(x, vf, "reset", "") < 0 ||
                    put(x, vf, "remove", "") < 0 || put(x, vf, "uevent", ue) < 0)
                        return -EIO;
        }
        link = strdupf("%s/subsystem", vf);
        if (!link || ext_link(x, "sys/bus/pci", link) < 0)
                return -EIO;
        free(link);
        link = strdupf("%s/physfn", vf);
        if (!link || ext_link(x, pf, link) < 0)
                return -EIO;
        free(link);
        link = strdupf("%s/virtfn%u", pf, i);
        if (!link || ext_link(x, vf, link) < 0)
                return -EIO;
        free(link);
        link = strdupf("sys/bus/pci/devices/%s", addr);
        if (!link || ext_link(x, vf, link) < 0)
                return -EIO;
        /* VFs behind ACS each get their own group. */
        if (ext_group_new(x, vf, addr) < 0)
                return -EIO;
        /* pci_bus_add_device(): the VF meets the drivers unless sriov_drivers_autoprobe is 0. */
        if (num_attr(x, pf, "sriov_drivers_autoprobe", 10, 1) != 0)
                (void)emu_write_hook(x->e, x->rfd, "/sys/bus/pci/drivers_probe", addr, strlen(addr));
        return 0;
}

static void remove_vf(struct ext *x, const char *pf, unsigned i) {
        _cleanup_free_ char *link = strdupf("%s/virtfn%u", pf, i), *k = link ? strdupf("/%s", link) : NULL,
                            *vf = k ? ext_canon(x, k) : NULL, *drvl = NULL, *drv = NULL, *busl = NULL;
        const char *addr;

        if (!vf)
                goto out;
        addr = strrchr(vf, '/') + 1;
        drvl = strdupf("%s/driver", vf);
        drv = drvl ? ext_link_name(x, drvl) : NULL;
        if (drv) {
                _cleanup_free_ char *unbind = strdupf("/sys/bus/pci/drivers/%s/unbind", drv);
                if (unbind)
                        (void)emu_write_hook(x->e, x->rfd, unbind, addr, strlen(addr));
        }
        busl = strdupf("sys/bus/pci/devices/%s", addr);
        if (busl)
                (void)unlinkat(x->rfd, busl, 0);
        ext_group_drop(x, vf, addr);
        (void)ext_rmrf(x, vf);
out:
        if (link)
                (void)unlinkat(x->rfd, link, 0);
}

/* Documentation/ABI/testing/sysfs-bus-pci: sriov_numvfs; the checks of sriov_numvfs_store(). */
int ext_sriov_numvfs(struct ext *x, const char *kpath, const char *val) {
        _cleanup_free_ char *kdir = strndup(kpath, strlen(kpath) - strlen("/sriov_numvfs")), *pf = NULL,
                            *drvl = NULL, *drv = NULL, *nv = NULL;
        long total, cur, offset, stride;
        unsigned long n;
        char *end;
        int r;

        if (!kdir || !(pf = ext_canon(x, kdir)))
                return -ENOENT;
        errno = 0;
        n = strtoul(val, &end, 10);
        if (errno || end == val || *end || n > 65535)
                return -EINVAL;
        total = num_attr(x, pf, "sriov_totalvfs", 10, 0);
        cur = num_attr(x, pf, "sriov_numvfs", 10, 0);
        offset = num_attr(x, pf, "sriov_offset", 10, 1);
        stride = num_attr(x, pf, "sriov_stride", 10, 1);
        if ((long)n > total)
                return -ERANGE;
        if ((long)n == cur)
                return 0;
        drvl = strdupf("%s/driver", pf);
        drv = drvl ? ext_link_name(x, drvl) : NULL;
        if (!drv)
                return -ENOENT; /* "no driver bound to device; cannot configure SR-IOV" */
        if (n == 0) {
                for (long i = cur; i-- > 0;)
                        remove_vf(x, pf, (unsigned)i);
        } else {
                if (cur != 0)
                        return -EBUSY; /* "%d VFs already enabled. Disable before enabling %d VFs" */
                if (!ext_sriov_is_lazy)
                        for (unsigned long i = 0; i < n; i++) {
                                r = add_vf(x, pf, (unsigned)i, offset, stride);
                                if (r < 0)
                                        return r;
                        }
        }
        nv = strdupf("%lu\n", n);
        return nv ? put(x, pf, "sriov_numvfs", nv) : -ENOMEM;
}
