/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writes a synthetic sysfs tree, shaped as the kernel's, with thousands of devices for the benchmark. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strchrnul; meson passes it already */
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Shapes follow a real host's sysfs (drivers/base/core.c, drivers/pci/
 * pci-sysfs.c, iov.c, drivers/usb/core/sysfs.c, drivers/scsi/scsi_sysfs.c,
 * block/genhd.c, net/core/net-sysfs.c, drivers/vfio/mdev/) and the recorded
 * trees in tests/data/trees: real folders under /sys/devices, relative links
 * from /sys/bus/X/devices, /sys/class/X and /sys/kernel/iommu_groups, and a
 * `subsystem`, `driver` and `uevent` in every device folder.
 */

struct counts {
        unsigned pci, net, usb_dev, usb_if, scsi_host, scsi_target, scsi_dev, block, sg, mdev;
};

static int root_fd;
static struct counts cnt;
static unsigned next_group, next_ifindex = 2, next_sg, next_disk, next_scsi_host;
static char sample_vf[24], sample_vf_if[40]; /* a VF half-way through the last PF, for `hostdev show` */

static _Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void die(const char *fmt, ...) {
        va_list ap;
        fputs("gen-tree: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        exit(1);
}

/* snprintf that refuses to cut: a truncated sysfs path would make a wrong tree. */
static void bufprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void bufprintf(char *buf, size_t n, const char *fmt, ...) {
        va_list ap;
        int r;
        va_start(ap, fmt);
        r = vsnprintf(buf, n, fmt, ap);
        va_end(ap);
        if (r < 0 || (size_t)r >= n)
                die("name too long: %s...", buf);
}

/* Paths are absolute as the kernel names them; they are created below the output folder. */
static const char *rel(const char *p) {
        return p[0] == '/' ? p + 1 : p;
}

static void mkd(const char *path) {
        if (mkdirat(root_fd, rel(path), 0755) == 0 || errno == EEXIST)
                return;
        if (errno == ENOENT) {
                char parent[PATH_MAX];
                char *s;
                bufprintf(parent, sizeof(parent), "%s", path);
                s = strrchr(parent, '/');
                if (s && s != parent) {
                        *s = 0;
                        mkd(parent);
                        if (mkdirat(root_fd, rel(path), 0755) == 0 || errno == EEXIST)
                                return;
                }
        }
        die("mkdir %s: %s", path, strerror(errno));
}

static void mkdf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mkdf(const char *fmt, ...) {
        char p[PATH_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p, sizeof(p), fmt, ap);
        va_end(ap);
        mkd(p);
}

static void put_bytes(const char *path, const void *buf, size_t n, mode_t mode) {
        int fd = openat(root_fd, rel(path), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0)
                die("create %s: %s", path, strerror(errno));
        if (n && write(fd, buf, n) != (ssize_t)n)
                die("write %s: %s", path, strerror(errno));
        close(fd);
}

/* DIR/NAME with printf content (attributes end in a newline, as the kernel's do). */
static void attr(const char *dir, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void attr(const char *dir, const char *name, const char *fmt, ...) {
        char p[PATH_MAX], buf[4096];
        va_list ap;
        int n;
        bufprintf(p, sizeof(p), "%s/%s", dir, name);
        va_start(ap, fmt);
        n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        put_bytes(p, buf, (size_t)n, 0644);
}

/* Write-only attributes (bind, remove, create ...): present, empty, mode 0200. */
static void wo_attr(const char *dir, const char *name) {
        char p[PATH_MAX];
        bufprintf(p, sizeof(p), "%s/%s", dir, name);
        put_bytes(p, "", 0, 0200);
}

/* A link LINK -> TARGET, both absolute; written relative, as sysfs writes them. */
static void lnk(const char *link, const char *target) {
        char buf[PATH_MAX], *o = buf;
        const char *ls = link + 1, *ts = target + 1, *ldir_end = strrchr(link, '/');

        /* Skip the common leading components of the link's folder and the target. */
        for (;;) {
                const char *le = strchrnul(ls, '/'), *te = strchrnul(ts, '/');
                if (le > ldir_end || le - ls != te - ts || strncmp(ls, ts, (size_t)(le - ls)) != 0 || !*te)
                        break;
                ls = le + 1;
                ts = te + 1;
        }
        for (const char *p = ls; p < ldir_end; p++)
                if (p == ls || p[-1] == '/') {
                        memcpy(o, "../", 3);
                        o += 3;
                }
        bufprintf(o, sizeof(buf) - (size_t)(o - buf), "%s", ts);
        if (symlinkat(buf, root_fd, rel(link)) < 0 && errno != EEXIST)
                die("symlink %s -> %s: %s", link, buf, strerror(errno));
}

static void lnkf(const char *target, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lnkf(const char *target, const char *fmt, ...) {
        char p[PATH_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p, sizeof(p), fmt, ap);
        va_end(ap);
        lnk(p, target);
}

/* The folder every device has: power/, subsystem and, when bound, driver (+ the driver's link back). */
static void device_common(const char *dev, const char *subsys_dir, const char *bus, const char *driver) {
        char p[PATH_MAX];
        bufprintf(p, sizeof(p), "%s/power", dev);
        mkd(p);
        attr(p, "control", "auto\n");
        attr(p, "runtime_status", "unsupported\n");
        bufprintf(p, sizeof(p), "%s/subsystem", dev);
        lnk(p, subsys_dir);
        if (driver && bus) {
                char d[PATH_MAX];
                bufprintf(d, sizeof(d), "/sys/bus/%s/drivers/%s", bus, driver);
                if (mkdirat(root_fd, rel(d), 0755) == 0) {
                        wo_attr(d, "bind");
                        wo_attr(d, "unbind");
                        wo_attr(d, "uevent");
                }
                bufprintf(p, sizeof(p), "%s/driver", dev);
                lnk(p, d);
                lnkf(dev, "%s/%s", d, strrchr(dev, '/') + 1);
        }
}

static void bus_dir(const char *bus) {
        char p[PATH_MAX];
        mkdf("/sys/bus/%s/devices", bus);
        mkdf("/sys/bus/%s/drivers", bus);
        bufprintf(p, sizeof(p), "/sys/bus/%s", bus);
        attr(p, "drivers_autoprobe", "1\n");
        wo_attr(p, "drivers_probe");
        wo_attr(p, "uevent");
}

/* ---- IOMMU groups (Documentation/ABI/testing/sysfs-kernel-iommu_groups) ---- */

static unsigned iommu_group_add(const char *dev) {
        unsigned g = next_group++;
        char p[PATH_MAX];
        bufprintf(p, sizeof(p), "/sys/kernel/iommu_groups/%u", g);
        mkdf("%s/devices", p);
        attr(p, "type", "DMA\n");
        attr(p, "reserved_regions", "0x00000000fee00000 0x00000000feefffff msi\n");
        lnkf(dev, "%s/devices/%s", p, strrchr(dev, '/') + 1);
        lnkf(p, "%s/iommu_group", dev);
        return g;
}

/* ---- PCI (Documentation/ABI/testing/sysfs-bus-pci) ---- */

struct pcifn {
        char path[PATH_MAX];
        char addr[24];
        unsigned domain, bus, devfn;
        uint32_t klass;
        uint16_t vendor, device, svendor, sdevice;
        const char *driver;
        int exp_type; /* PCIe port type (0 endpoint, 4 root port, 9 RCiEP); -1 conventional */
        unsigned secondary, subordinate; /* bridges */
        unsigned link_speed, link_width; /* code (1 = 2.5 GT/s ... 4 = 16 GT/s), lanes */
        int numa;
};

static const char *const speed_text[] = { "Unknown", "2.5 GT/s PCIe", "5.0 GT/s PCIe", "8.0 GT/s PCIe",
                                           "16.0 GT/s PCIe", "32.0 GT/s PCIe" };

/* The first 256 bytes of configuration space, as lspci and hostdev read them. */
static void pci_config(const struct pcifn *f, uint8_t c[256]) {
        bool bridge = (f->klass >> 8) == 0x0604;
        memset(c, 0, 256);
        c[0x00] = f->vendor & 0xff;
        c[0x01] = f->vendor >> 8;
        c[0x02] = f->device & 0xff;
        c[0x03] = f->device >> 8;
        c[0x04] = 0x06; /* memory space, bus master */
        c[0x08] = 0x01; /* revision */
        c[0x09] = f->klass & 0xff;
        c[0x0a] = (f->klass >> 8) & 0xff;
        c[0x0b] = (f->klass >> 16) & 0xff;
        c[0x0e] = bridge ? 0x01 : 0x00;
        if (bridge) {
                c[0x18] = (uint8_t)f->bus;
                c[0x19] = (uint8_t)f->secondary;
                c[0x1a] = (uint8_t)f->subordinate;
        } else {
                c[0x2c] = f->svendor & 0xff;
                c[0x2d] = f->svendor >> 8;
                c[0x2e] = f->sdevice & 0xff;
                c[0x2f] = f->sdevice >> 8;
        }
        if (f->exp_type >= 0) {
                uint32_t lnkcap = f->link_speed | f->link_width << 4 | (uint32_t)(f->devfn & 0xff) << 24;
                uint16_t flags = 2 | (uint16_t)(f->exp_type << 4), lnksta = (uint16_t)(f->link_speed | f->link_width << 4);
                c[0x06] = 0x10; /* status: capability list */
                c[0x34] = 0x40;
                c[0x40] = 0x10; /* PCI Express capability, last in the list */
                c[0x42] = flags & 0xff;
                c[0x43] = flags >> 8;
                memcpy(&c[0x4c], &lnkcap, 4);
                memcpy(&c[0x52], &lnksta, 2);
        }
}

static void pci_addr(char *buf, size_t n, unsigned domain, unsigned bus, unsigned devfn) {
        bufprintf(buf, n, "%04x:%02x:%02x.%u", domain, bus, devfn >> 3, devfn & 7);
}

/* One function in folder PARENT: attributes, config, links, IOMMU group, bus and driver entries. */
static void pci_add(const char *parent, struct pcifn *f) {
        uint8_t cfg[256];
        char p[PATH_MAX];
        const char *dir = f->path;

        pci_addr(f->addr, sizeof(f->addr), f->domain, f->bus, f->devfn);
        bufprintf(f->path, sizeof(f->path), "%s/%s", parent, f->addr);
        mkd(dir);
        device_common(dir, "/sys/bus/pci", "pci", f->driver);
        lnkf(dir, "/sys/bus/pci/devices/%s", f->addr);
        attr(dir, "uevent",
             "%s%s%sPCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\nPCI_SLOT_NAME=%s\n"
             "MODALIAS=pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n",
             f->driver ? "DRIVER=" : "", f->driver ? f->driver : "", f->driver ? "\n" : "", f->klass,
             f->vendor, f->device, f->svendor, f->sdevice, f->addr, f->vendor, f->device, f->svendor,
             f->sdevice, f->klass >> 16, (f->klass >> 8) & 0xff, f->klass & 0xff);
        attr(dir, "vendor", "0x%04x\n", f->vendor);
        attr(dir, "device", "0x%04x\n", f->device);
        attr(dir, "subsystem_vendor", "0x%04x\n", f->svendor);
        attr(dir, "subsystem_device", "0x%04x\n", f->sdevice);
        attr(dir, "class", "0x%06x\n", f->klass);
        attr(dir, "revision", "0x01\n");
        attr(dir, "modalias", "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n", f->vendor, f->device,
             f->svendor, f->sdevice, f->klass >> 16, (f->klass >> 8) & 0xff, f->klass & 0xff);
        attr(dir, "numa_node", "%d\n", f->numa);
        attr(dir, "local_cpulist", "%s\n", f->numa ? "32-63" : "0-31");
        attr(dir, "local_cpus", "%s\n", f->numa ? "ffffffff,00000000" : "00000000,ffffffff");
        attr(dir, "irq", "%u\n", 16 + (f->devfn & 7));
        attr(dir, "enable", "%d\n", f->driver ? 1 : 0);
        attr(dir, "broken_parity_status", "0\n");
        attr(dir, "consistent_dma_mask_bits", "64\n");
        attr(dir, "dma_mask_bits", "64\n");
        attr(dir, "d3cold_allowed", "1\n");
        attr(dir, "msi_bus", "1\n");
        attr(dir, "power_state", "D0\n");
        attr(dir, "ari_enabled", "0\n");
        attr(dir, "driver_override", "(null)\n");
        attr(dir, "resource", "0x00000000f0000000 0x00000000f00fffff 0x0000000000140204\n");
        attr(dir, "reset_method", "flr bus\n");
        wo_attr(dir, "remove");
        wo_attr(dir, "rescan");
        wo_attr(dir, "reset");
        bufprintf(p, sizeof(p), "%s/msi_irqs", dir);
        mkd(p);
        if (f->exp_type >= 0) {
                attr(dir, "max_link_speed", "%s\n", speed_text[f->link_speed]);
                attr(dir, "max_link_width", "%u\n", f->link_width);
                attr(dir, "current_link_speed", "%s\n", speed_text[f->link_speed]);
                attr(dir, "current_link_width", "%u\n", f->link_width);
        }
        if ((f->klass >> 8) == 0x0604) {
                attr(dir, "secondary_bus_number", "%u\n", f->secondary);
                attr(dir, "subordinate_bus_number", "%u\n", f->subordinate);
        }
        pci_config(f, cfg);
        bufprintf(p, sizeof(p), "%s/config", dir);
        put_bytes(p, cfg, sizeof(cfg), 0644);
        bufprintf(p, sizeof(p), "%s/iommu", dir);
        lnk(p, "/sys/devices/virtual/iommu/dmar0");
        iommu_group_add(dir);
        cnt.pci++;
}

/* A host bridge per PCI domain, root ports on its bus 0, each giving its endpoint a bus range. */
struct topo {
        unsigned domain, next_bus, next_port;
        char root[64];
        bool open;
};
static struct topo topo;

static void topo_domain(void) {
        struct pcifn hb = { .vendor = 0x8086, .device = 0x2020, .svendor = 0x8086, .sdevice = 0,
                            .klass = 0x060000, .exp_type = -1 };
        if (topo.open)
                topo.domain++;
        topo.open = true;
        topo.next_bus = 1;
        topo.next_port = 0;
        bufprintf(topo.root, sizeof(topo.root), "/sys/devices/pci%04x:00", topo.domain);
        mkd(topo.root);
        attr(topo.root, "uevent", "%s", "");
        mkdf("%s/power", topo.root);
        hb.domain = topo.domain;
        hb.numa = (int)(topo.domain & 1);
        pci_add(topo.root, &hb);
}

/* A root port whose secondary bus range has NBUSES buses; returns it (path, secondary bus). */
static void root_port(unsigned nbuses, struct pcifn *rp) {
        if (!topo.open || topo.next_port >= 31 * 8 || topo.next_bus + nbuses > 256)
                topo_domain();
        *rp = (struct pcifn){ .vendor = 0x8086, .device = 0x2030, .svendor = 0x8086, .sdevice = 0,
                              .klass = 0x060400, .driver = "pcieport", .exp_type = 4,
                              .link_speed = 4, .link_width = 16 };
        rp->domain = topo.domain;
        rp->devfn = 8 + topo.next_port++; /* slot 1 onwards */
        rp->secondary = topo.next_bus;
        rp->subordinate = topo.next_bus + nbuses - 1;
        rp->numa = (int)(topo.domain & 1);
        topo.next_bus += nbuses;
        pci_add(topo.root, rp);
}

/* An endpoint at function FN of the root port's secondary bus. */
static void endpoint(const struct pcifn *rp, unsigned fn, struct pcifn *f) {
        f->domain = rp->domain;
        f->bus = rp->secondary;
        f->devfn = fn;
        f->numa = rp->numa;
        if (!f->link_width)
                f->link_speed = 4, f->link_width = 16;
        pci_add(rp->path, f);
}

/* ---- network interfaces (Documentation/ABI/testing/sysfs-class-net) ---- */

static void net_add(const char *parent, const char *ifname, unsigned mac_id, bool up) {
        char dir[PATH_MAX];
        unsigned ifindex = next_ifindex++;

        bufprintf(dir, sizeof(dir), "%s/net/%s", parent, ifname);
        mkd(dir);
        device_common(dir, "/sys/class/net", NULL, NULL);
        lnkf(parent, "%s/device", dir);
        lnkf(dir, "/sys/class/net/%s", ifname);
        attr(dir, "uevent", "INTERFACE=%s\nIFINDEX=%u\n", ifname, ifindex);
        attr(dir, "address", "%02x:%02x:%02x:%02x:%02x:%02x\n", mac_id ? 2 : 0, (mac_id >> 24) & 0xff, (mac_id >> 16) & 0xff,
             (mac_id >> 8) & 0xff, mac_id & 0xff, mac_id ? 1 : 0);
        attr(dir, "broadcast", "ff:ff:ff:ff:ff:ff\n");
        attr(dir, "ifindex", "%u\n", ifindex);
        attr(dir, "iflink", "%u\n", ifindex);
        attr(dir, "operstate", "%s\n", up ? "up" : "down");
        attr(dir, "carrier", "%d\n", up ? 1 : 0);
        attr(dir, "speed", "%s\n", up ? "25000" : "-1");
        attr(dir, "duplex", "%s\n", up ? "full" : "unknown");
        attr(dir, "mtu", "1500\n");
        attr(dir, "type", "1\n");
        attr(dir, "addr_len", "6\n");
        attr(dir, "addr_assign_type", "0\n");
        attr(dir, "dev_id", "0x0\n");
        attr(dir, "dev_port", "0\n");
        attr(dir, "flags", "%s\n", up ? "0x1003" : "0x1002");
        attr(dir, "link_mode", "0\n");
        attr(dir, "name_assign_type", "4\n");
        attr(dir, "tx_queue_len", "1000\n");
        attr(dir, "ifalias", "\n");
        attr(dir, "netdev_group", "0\n");
        attr(dir, "proto_down", "0\n");
        mkdf("%s/statistics", dir);
        mkdf("%s/queues/rx-0", dir);
        mkdf("%s/queues/tx-0", dir);
        cnt.net++;
}

/* ---- SR-IOV: PFs with VFs, each VF with its interface and its own IOMMU group ---- */

static void sriov_pf(unsigned idx, unsigned nvfs) {
        struct pcifn rp, pf = { .vendor = 0x8086, .device = 0x1592, .svendor = 0x8086, .sdevice = 0x0002,
                                .klass = 0x020000, .driver = "ice", .exp_type = 0 };
        unsigned nbuses = (1 + nvfs + 255) / 256;
        char ifname[32];

        root_port(nbuses, &rp);
        endpoint(&rp, 0, &pf);
        attr(pf.path, "sriov_totalvfs", "%u\n", nvfs);
        attr(pf.path, "sriov_numvfs", "%u\n", nvfs);
        attr(pf.path, "sriov_offset", "1\n");
        attr(pf.path, "sriov_stride", "1\n");
        attr(pf.path, "sriov_vf_device", "1889\n");
        attr(pf.path, "sriov_drivers_autoprobe", "1\n");
        attr(pf.path, "sriov_vf_total_msix", "0\n");
        bufprintf(ifname, sizeof(ifname), "ens%uf0", idx + 1);
        net_add(pf.path, ifname, idx << 12 | 0xfff, true);
        for (unsigned v = 0; v < nvfs; v++) {
                /* Routing ID = PF's + offset + stride * v (drivers/pci/iov.c): VFs fill the PF's bus, then the next. */
                unsigned rid = 1 + v;
                struct pcifn vf = { .vendor = 0x8086, .device = 0x1889, .svendor = 0x8086, .sdevice = 0x0000,
                                    .klass = 0x020000, .driver = "iavf", .exp_type = 0,
                                    .link_speed = 4, .link_width = 16 };
                char vfif[40];
                vf.domain = rp.domain;
                vf.bus = rp.secondary + (rid >> 8);
                vf.devfn = rid & 0xff;
                vf.numa = rp.numa;
                /* VFs on a bus of their own still sit below the PF's upstream port. */
                pci_add(rp.path, &vf);
                lnkf(pf.path, "%s/physfn", vf.path);
                lnkf(vf.path, "%s/virtfn%u", pf.path, v);
                bufprintf(vfif, sizeof(vfif), "%sv%u", ifname, v);
                net_add(vf.path, vfif, idx << 12 | (v + 1), v % 2 == 0);
                if (v == nvfs / 2) {
                        bufprintf(sample_vf, sizeof(sample_vf), "%s", vf.addr);
                        bufprintf(sample_vf_if, sizeof(sample_vf_if), "%s", vfif);
                }
        }
}

/* ---- mediated devices (Documentation/ABI/testing/sysfs-bus-vfio-mdev) ---- */

static void mdev_parent(unsigned idx, unsigned ntypes, unsigned per_type) {
        static const char *const tnames[] = { "GRID T4-1B", "GRID T4-2B", "GRID T4-1Q", "GRID T4-2Q",
                                              "GRID T4-4Q", "GRID T4-8Q", "GRID T4-16Q", "GRID T4-1A" };
        struct pcifn rp, gpu = { .vendor = 0x10de, .device = 0x1eb8, .svendor = 0x10de, .sdevice = 0x12a2,
                                 .klass = 0x030200, .driver = "nvidia", .exp_type = 0,
                                 .link_speed = 3, .link_width = 16 };
        char types[PATH_MAX];

        root_port(1, &rp);
        endpoint(&rp, 0, &gpu);
        lnkf(gpu.path, "/sys/class/mdev_bus/%s", gpu.addr);
        bufprintf(types, sizeof(types), "%s/mdev_supported_types", gpu.path);
        mkd(types);
        for (unsigned t = 0; t < ntypes; t++) {
                char tdir[PATH_MAX];
                unsigned max = 16 >> (t % 4);
                bufprintf(tdir, sizeof(tdir), "%s/nvidia-%u", types, 222 + t);
                mkdf("%s/devices", tdir);
                attr(tdir, "name", "%s\n", tnames[t % 8]);
                attr(tdir, "device_api", "vfio-pci\n");
                attr(tdir, "available_instances", "%u\n", max > per_type ? max - per_type : 0);
                attr(tdir, "description",
                     "num_heads=4, frl_config=60, framebuffer=%uM, max_resolution=5120x2880, max_instance=%u\n",
                     1024u << (t % 4), max);
                wo_attr(tdir, "create");
                for (unsigned i = 0; i < per_type; i++) {
                        char uuid[40], dir[PATH_MAX];
                        bufprintf(uuid, sizeof(uuid), "%08x-%04x-4%03x-8000-%012x", 0x6d657600 + idx, t, i,
                                 idx * 4096 + t * 64 + i);
                        bufprintf(dir, sizeof(dir), "%s/%s", gpu.path, uuid);
                        mkd(dir);
                        device_common(dir, "/sys/bus/mdev", "mdev", "nvidia-vgpu-vfio");
                        attr(dir, "uevent", "DRIVER=nvidia-vgpu-vfio\nMDEV_TYPE=nvidia-%u\n", 222 + t);
                        wo_attr(dir, "remove");
                        lnkf(tdir, "%s/mdev_type", dir);
                        lnkf(dir, "%s/devices/%s", tdir, uuid);
                        lnkf(dir, "/sys/bus/mdev/devices/%s", uuid);
                        /* vfio gives every mdev a group of its own (vfio_register_emulated_iommu_dev). */
                        iommu_group_add(dir);
                        cnt.mdev++;
                }
        }
}

/* ---- USB (Documentation/ABI/stable/sysfs-bus-usb, testing/sysfs-bus-usb) ---- */

struct usbdev {
        char path[PATH_MAX];
        char name[64]; /* "3-1.2" */
        unsigned bus, devnum;
};

static void usb_device(const char *parent, struct usbdev *u, const char *name, unsigned vid, unsigned pid,
                       unsigned cls, const char *mfr, const char *prod, const char *serial, unsigned speed) {
        const char *dir = u->path;
        bufprintf(u->name, sizeof(u->name), "%s", name);
        bufprintf(u->path, sizeof(u->path), "%s/%s", parent, name);
        mkd(dir);
        device_common(dir, "/sys/bus/usb", "usb", "usb");
        lnkf(dir, "/sys/bus/usb/devices/%s", name);
        attr(dir, "uevent",
             "MAJOR=189\nMINOR=%u\nDEVNAME=bus/usb/%03u/%03u\nDEVTYPE=usb_device\nDRIVER=usb\n"
             "PRODUCT=%x/%x/100\nTYPE=%u/0/%u\nBUSNUM=%03u\nDEVNUM=%03u\n",
             (u->bus - 1) * 128 + u->devnum - 1, u->bus, u->devnum, vid, pid, cls, cls == 9 ? 1 : 0, u->bus,
             u->devnum);
        attr(dir, "busnum", "%u\n", u->bus);
        attr(dir, "devnum", "%u\n", u->devnum);
        attr(dir, "devpath", "%s\n", strchr(name, '-') ? strchr(name, '-') + 1 : "0");
        attr(dir, "idVendor", "%04x\n", vid);
        attr(dir, "idProduct", "%04x\n", pid);
        attr(dir, "bcdDevice", "0100\n");
        attr(dir, "bDeviceClass", "%02x\n", cls);
        attr(dir, "bDeviceSubClass", "00\n");
        attr(dir, "bDeviceProtocol", "%02x\n", cls == 9 ? 1 : 0);
        attr(dir, "bNumConfigurations", "1\n");
        attr(dir, "bNumInterfaces", " 1\n");
        attr(dir, "bConfigurationValue", "1\n");
        attr(dir, "bMaxPacketSize0", "64\n");
        attr(dir, "bmAttributes", "e0\n");
        attr(dir, "bMaxPower", "100mA\n");
        attr(dir, "speed", "%u\n", speed);
        attr(dir, "version", " 2.00\n");
        attr(dir, "maxchild", "%u\n", cls == 9 ? 8 : 0);
        attr(dir, "authorized", "1\n");
        attr(dir, "avoid_reset_quirk", "0\n");
        attr(dir, "quirks", "0x0\n");
        attr(dir, "removable", "removable\n");
        attr(dir, "ltm_capable", "no\n");
        attr(dir, "urbnum", "42\n");
        attr(dir, "manufacturer", "%s\n", mfr);
        attr(dir, "product", "%s\n", prod);
        if (serial)
                attr(dir, "serial", "%s\n", serial);
        attr(dir, "descriptors", "%s", "");
        /* Endpoint 0 is a device of its own (no subsystem): present in every real tree, listed by nobody. */
        mkdf("%s/ep_00", dir);
        attr(dir, "ep_00/uevent", "DEVTYPE=usb_endpoint\n");
        attr(dir, "ep_00/type", "Control\n");
        cnt.usb_dev++;
}

static void usb_interface(const struct usbdev *u, unsigned num, unsigned cls, unsigned sub, unsigned proto,
                          unsigned vid, unsigned pid, const char *driver) {
        char name[80], dir[PATH_MAX];
        bufprintf(name, sizeof(name), "%s:1.%u", u->name, num);
        bufprintf(dir, sizeof(dir), "%s/%s", u->path, name);
        mkd(dir);
        device_common(dir, "/sys/bus/usb", "usb", driver);
        lnkf(dir, "/sys/bus/usb/devices/%s", name);
        attr(dir, "uevent",
             "DEVTYPE=usb_interface\nDRIVER=%s\nPRODUCT=%x/%x/100\nTYPE=0/0/0\nINTERFACE=%u/%u/%u\n"
             "MODALIAS=usb:v%04Xp%04Xd0100dc00dsc00dp00ic%02Xisc%02Xip%02Xin%02X\n",
             driver, vid, pid, cls, sub, proto, vid, pid, cls, sub, proto, num);
        attr(dir, "bInterfaceNumber", "%02x\n", num);
        attr(dir, "bAlternateSetting", " 0\n");
        attr(dir, "bNumEndpoints", "01\n");
        attr(dir, "bInterfaceClass", "%02x\n", cls);
        attr(dir, "bInterfaceSubClass", "%02x\n", sub);
        attr(dir, "bInterfaceProtocol", "%02x\n", proto);
        attr(dir, "authorized", "1\n");
        attr(dir, "supports_autosuspend", "1\n");
        attr(dir, "modalias", "usb:v%04Xp%04Xd0100dc00dsc00dp00ic%02Xisc%02Xip%02Xin%02X\n", vid, pid, cls,
             sub, proto, num);
        cnt.usb_if++;
}

/* An xHCI controller with its USB 2 root hub, HUBS hubs on it and up to 7 devices on each hub. */
static unsigned usb_bus_next = 1;
static void usb_controller(unsigned ndevices) {
        struct pcifn rp, x = { .vendor = 0x8086, .device = 0xa36d, .svendor = 0x8086, .sdevice = 0x7270,
                               .klass = 0x0c0330, .driver = "xhci_hcd", .exp_type = 9 };
        struct usbdev root = { 0 };
        char name[64], serial[32];
        unsigned hubs = (ndevices + 7) / 8, left = ndevices;

        root_port(1, &rp);
        endpoint(&rp, 0, &x);
        root.bus = usb_bus_next++;
        root.devnum = 1;
        bufprintf(name, sizeof(name), "usb%u", root.bus);
        usb_device(x.path, &root, name, 0x1d6b, 0x0002, 9, "Linux 6.1.0-26-amd64 xhci-hcd",
                   "xHCI Host Controller", x.addr, 480);
        cnt.usb_dev--; /* root hubs are counted apart from the devices asked for */
        usb_interface(&root, 0, 9, 0, 0, 0x1d6b, 0x0002, "hub");
        for (unsigned h = 0; h < hubs && left > 0; h++) {
                struct usbdev hub = { .bus = root.bus, .devnum = 2 + h * 8 };
                bufprintf(name, sizeof(name), "%u-%u", root.bus, h + 1);
                usb_device(root.path, &hub, name, 0x05e3, 0x0610, 9, "GenesysLogic", "USB2.1 Hub", NULL, 480);
                usb_interface(&hub, 0, 9, 0, 0, 0x05e3, 0x0610, "hub");
                left--;
                for (unsigned port = 1; port <= 7 && left > 0; port++, left--) {
                        struct usbdev dev = { .bus = root.bus, .devnum = hub.devnum + port };
                        bool serial_dev = (port % 2) == 0;
                        bufprintf(name, sizeof(name), "%s.%u", hub.name, port);
                        bufprintf(serial, sizeof(serial), "A%07u", root.bus * 1000 + dev.devnum);
                        if (serial_dev) {
                                usb_device(hub.path, &dev, name, 0x0403, 0x6001, 0, "FTDI", "FT232R USB UART",
                                           serial, 12);
                                usb_interface(&dev, 0, 0xff, 0xff, 0xff, 0x0403, 0x6001, "ftdi_sio");
                        } else {
                                usb_device(hub.path, &dev, name, 0x046d, 0xc31c, 0, "Logitech", "USB Keyboard",
                                           NULL, 2);
                                usb_interface(&dev, 0, 3, 1, 1, 0x046d, 0xc31c, "usbhid");
                                usb_interface(&dev, 1, 3, 0, 0, 0x046d, 0xc31c, "usbhid");
                        }
                }
        }
}

/* ---- SCSI (drivers/scsi/scsi_sysfs.c) and block (Documentation/ABI/stable/sysfs-block) ---- */

static void disk_name(unsigned i, char *buf, size_t n) {
        char tmp[8];
        int k = 0;
        /* sd.c's sd_format_disk_name: a..z, aa..zz, aaa... */
        i++;
        while (i > 0) {
                i--;
                tmp[k++] = (char)('a' + i % 26);
                i /= 26;
        }
        bufprintf(buf, n, "sd");
        for (size_t o = 2; k > 0 && o + 1 < n; o++) {
                buf[o] = tmp[--k];
                buf[o + 1] = 0;
        }
}

static void scsi_lun(const char *target, unsigned h, unsigned t, unsigned l) {
        char hbtl[32], dir[PATH_MAX], p[PATH_MAX], sd[16], sg[16];
        unsigned disk = next_disk++, sgn = next_sg++, major, minor;

        bufprintf(hbtl, sizeof(hbtl), "%u:0:%u:%u", h, t, l);
        bufprintf(dir, sizeof(dir), "%s/%s", target, hbtl);
        mkd(dir);
        device_common(dir, "/sys/bus/scsi", "scsi", "sd");
        lnkf(dir, "/sys/bus/scsi/devices/%s", hbtl);
        attr(dir, "uevent", "DEVTYPE=scsi_device\nDRIVER=sd\nMODALIAS=scsi:t-0x00\n");
        attr(dir, "type", "0\n");
        attr(dir, "vendor", "ATA     \n");
        attr(dir, "model", "SAMSUNG MZ7LH960\n");
        attr(dir, "rev", "904Q\n");
        attr(dir, "state", "running\n");
        attr(dir, "scsi_level", "7\n");
        attr(dir, "queue_depth", "32\n");
        attr(dir, "device_blocked", "0\n");
        attr(dir, "timeout", "30\n");
        attr(dir, "modalias", "scsi:t-0x00\n");
        wo_attr(dir, "delete");
        wo_attr(dir, "rescan");

        /* The class devices of a LUN: scsi_device, scsi_disk, scsi_generic, block. */
        bufprintf(p, sizeof(p), "%s/scsi_device/%s", dir, hbtl);
        mkd(p);
        device_common(p, "/sys/class/scsi_device", NULL, NULL);
        lnkf(dir, "%s/device", p);
        attr(p, "uevent", "%s", "");
        lnkf(p, "/sys/class/scsi_device/%s", hbtl);
        bufprintf(p, sizeof(p), "%s/scsi_disk/%s", dir, hbtl);
        mkd(p);
        device_common(p, "/sys/class/scsi_disk", NULL, NULL);
        lnkf(dir, "%s/device", p);
        attr(p, "uevent", "%s", "");
        lnkf(p, "/sys/class/scsi_disk/%s", hbtl);

        bufprintf(sg, sizeof(sg), "sg%u", sgn);
        bufprintf(p, sizeof(p), "%s/scsi_generic/%s", dir, sg);
        mkd(p);
        device_common(p, "/sys/class/scsi_generic", NULL, NULL);
        lnkf(dir, "%s/device", p);
        attr(p, "uevent", "MAJOR=21\nMINOR=%u\nDEVNAME=%s\n", sgn, sg);
        attr(p, "dev", "21:%u\n", sgn);
        lnkf(p, "/sys/class/scsi_generic/%s", sg);
        lnkf(p, "%s/generic", dir);
        cnt.sg++;

        disk_name(disk, sd, sizeof(sd));
        /* sd's majors: 8, 65-71, 128-135, 16 disks each; then the extended range (259). */
        if (disk < 256) {
                static const unsigned majors[] = { 8, 65, 66, 67, 68, 69, 70, 71, 128, 129, 130, 131, 132, 133, 134, 135 };
                major = majors[disk / 16];
                minor = (disk % 16) * 16;
        } else {
                major = 259;
                minor = (disk - 256) * 2;
        }
        bufprintf(p, sizeof(p), "%s/block/%s", dir, sd);
        mkd(p);
        device_common(p, "/sys/class/block", NULL, NULL);
        lnkf(dir, "%s/device", p);
        attr(p, "uevent", "MAJOR=%u\nMINOR=%u\nDEVNAME=%s\nDEVTYPE=disk\nDISKSEQ=%u\n", major, minor, sd, disk + 1);
        attr(p, "dev", "%u:%u\n", major, minor);
        attr(p, "size", "1875385008\n");
        attr(p, "removable", "0\n");
        attr(p, "ro", "0\n");
        attr(p, "hidden", "0\n");
        attr(p, "range", "16\n");
        attr(p, "ext_range", "256\n");
        attr(p, "capability", "50\n");
        attr(p, "stat", "       0        0        0        0        0        0        0        0        0        0        0\n");
        mkdf("%s/queue", p);
        attr(p, "queue/logical_block_size", "512\n");
        attr(p, "queue/physical_block_size", "4096\n");
        attr(p, "queue/rotational", "0\n");
        mkdf("%s/holders", p);
        mkdf("%s/slaves", p);
        lnkf(p, "/sys/class/block/%s", sd);
        lnkf(p, "/sys/block/%s", sd);
        cnt.block++;
        {
                /* One partition per disk: a class/block entry that is not a node device. */
                char part[PATH_MAX], pname[24];
                bufprintf(pname, sizeof(pname), "%s1", sd);
                bufprintf(part, sizeof(part), "%s/%s", p, pname);
                mkd(part);
                device_common(part, "/sys/class/block", NULL, NULL);
                attr(part, "uevent", "MAJOR=%u\nMINOR=%u\nDEVNAME=%s\nDEVTYPE=partition\nDISKSEQ=%u\nPARTN=1\n",
                     major, minor + 1, pname, disk + 1);
                attr(part, "dev", "%u:%u\n", major, minor + 1);
                attr(part, "partition", "1\n");
                attr(part, "start", "2048\n");
                attr(part, "size", "1875382960\n");
                lnkf(part, "/sys/class/block/%s", pname);
        }
        cnt.scsi_dev++;
}

static void scsi_hba(unsigned nhosts, unsigned ntargets, unsigned nluns) {
        struct pcifn rp, hba = { .vendor = 0x1000, .device = 0x0097, .svendor = 0x1000, .sdevice = 0x30e0,
                                 .klass = 0x010700, .driver = "mpt3sas", .exp_type = 0,
                                 .link_speed = 3, .link_width = 8 };
        root_port(1, &rp);
        endpoint(&rp, 0, &hba);
        for (unsigned i = 0; i < nhosts; i++) {
                unsigned h = next_scsi_host++;
                char host[PATH_MAX], cls[PATH_MAX], name[32];
                bufprintf(name, sizeof(name), "host%u", h);
                bufprintf(host, sizeof(host), "%s/%s", hba.path, name);
                mkd(host);
                device_common(host, "/sys/bus/scsi", NULL, NULL);
                lnkf(host, "/sys/bus/scsi/devices/%s", name);
                attr(host, "uevent", "DEVTYPE=scsi_host\n");
                bufprintf(cls, sizeof(cls), "%s/scsi_host/%s", host, name);
                mkd(cls);
                device_common(cls, "/sys/class/scsi_host", NULL, NULL);
                lnkf(host, "%s/device", cls);
                lnkf(cls, "/sys/class/scsi_host/%s", name);
                attr(cls, "uevent", "%s", "");
                attr(cls, "unique_id", "%u\n", i + 1);
                attr(cls, "proc_name", "mpt3sas\n");
                attr(cls, "state", "running\n");
                attr(cls, "can_queue", "4096\n");
                attr(cls, "host_busy", "0\n");
                wo_attr(cls, "scan");
                cnt.scsi_host++;
                for (unsigned t = 0; t < ntargets; t++) {
                        char target[PATH_MAX], tname[40];
                        bufprintf(tname, sizeof(tname), "target%u:0:%u", h, t);
                        bufprintf(target, sizeof(target), "%s/%s", host, tname);
                        mkd(target);
                        device_common(target, "/sys/bus/scsi", NULL, NULL);
                        lnkf(target, "/sys/bus/scsi/devices/%s", tname);
                        attr(target, "uevent", "DEVTYPE=scsi_target\n");
                        cnt.scsi_target++;
                        for (unsigned l = 0; l < nluns; l++)
                                scsi_lun(target, h, t, l);
                }
        }
}

/* ---- the rest of a host: DMI, loopback, the IOMMU unit, the bus and class folders ---- */

static void host_basics(void) {
        static const char *const buses[] = { "pci", "usb", "scsi", "mdev" };
        static const char *const classes[] = { "net", "block", "scsi_generic", "scsi_host", "scsi_device",
                                               "scsi_disk", "mdev_bus", "iommu", "drm" };
        const char *dmi = "/sys/devices/virtual/dmi/id";
        char lo[PATH_MAX];

        for (size_t i = 0; i < sizeof(buses) / sizeof(*buses); i++)
                bus_dir(buses[i]);
        for (size_t i = 0; i < sizeof(classes) / sizeof(*classes); i++)
                mkdf("/sys/class/%s", classes[i]);
        mkd("/sys/block");
        mkd("/sys/kernel/iommu_groups");
        mkd(dmi);
        attr(dmi, "uevent", "MODALIAS=dmi:bvnSynthetic:\n");
        attr(dmi, "sys_vendor", "hostdev\n");
        attr(dmi, "product_name", "Synthetic benchmark host\n");
        attr(dmi, "product_version", "1\n");
        attr(dmi, "bios_vendor", "hostdev\n");
        attr(dmi, "bios_version", "1.0\n");
        attr(dmi, "bios_date", "01/01/2024\n");
        mkd("/sys/class/dmi");
        lnk("/sys/class/dmi/id", dmi);
        mkd("/sys/devices/virtual/iommu/dmar0");
        device_common("/sys/devices/virtual/iommu/dmar0", "/sys/class/iommu", NULL, NULL);
        attr("/sys/devices/virtual/iommu/dmar0", "uevent", "%s", "");
        lnk("/sys/class/iommu/dmar0", "/sys/devices/virtual/iommu/dmar0");
        bufprintf(lo, sizeof(lo), "/sys/devices/virtual");
        net_add(lo, "lo", 0, true);
}

struct config {
        unsigned pfs, vfs, mdev_parents, mdev_types, mdev_per_type, usb, scsi_hosts, scsi_targets, scsi_luns;
};

static const struct {
        const char *name;
        struct config c;
} presets[] = {
        { "1k", { 4, 64, 8, 4, 1, 100, 16, 2, 2 } },
        { "10k", { 16, 256, 32, 4, 1, 1000, 64, 2, 2 } },
        { "50k", { 80, 256, 160, 4, 1, 5000, 320, 2, 2 } },
};

static void usage(FILE *f) {
        fprintf(f, "Usage: gen-tree [--size 1k|10k|50k] [--pfs N] [--vfs N] [--mdev-parents N] [--usb N]\n"
                   "                [--scsi-hosts N] DIR\n\n"
                   "Writes DIR/sys, a synthetic sysfs tree shaped as the kernel's, and DIR/manifest\n"
                   "(counts and sample devices, KEY=VALUE). DIR must not exist or be empty.\n"
                   "Default --size 10k: 16 SR-IOV PFs x 256 VFs (each with its interface and IOMMU\n"
                   "group), 32 mdev parents x 4 types with one instance each, 1000 USB devices\n"
                   "with interfaces, 64 SCSI hosts x 2 targets x 2 LUNs with disks and sg nodes.\n");
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "size", required_argument, NULL, 's' },  { "pfs", required_argument, NULL, 'p' },
                { "vfs", required_argument, NULL, 'v' },   { "mdev-parents", required_argument, NULL, 'm' },
                { "usb", required_argument, NULL, 'u' },   { "scsi-hosts", required_argument, NULL, 'S' },
                { "help", no_argument, NULL, 'h' },        {},
        };
        struct config c = presets[1].c;
        char manifest[PATH_MAX];
        unsigned total;
        FILE *mf;
        int o;

        while ((o = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
                bool found = false;
                switch (o) {
                case 's':
                        for (size_t i = 0; i < sizeof(presets) / sizeof(*presets); i++)
                                if (strcmp(optarg, presets[i].name) == 0) {
                                        c = presets[i].c;
                                        found = true;
                                }
                        if (!found)
                                die("--size takes 1k, 10k or 50k, not '%s'", optarg);
                        break;
                case 'p': c.pfs = (unsigned)atoi(optarg); break;
                case 'v': c.vfs = (unsigned)atoi(optarg); break;
                case 'm': c.mdev_parents = (unsigned)atoi(optarg); break;
                case 'u': c.usb = (unsigned)atoi(optarg); break;
                case 'S': c.scsi_hosts = (unsigned)atoi(optarg); break;
                case 'h': usage(stdout); return 0;
                default: usage(stderr); return 2;
                }
        }
        if (optind != argc - 1) {
                usage(stderr);
                return 2;
        }
        if (c.vfs > 2048)
                die("--vfs: at most 2048 per PF (the SR-IOV capability's TotalVFs is 16 bits, routing IDs 8)");
        if (mkdir(argv[optind], 0755) < 0 && errno != EEXIST)
                die("mkdir %s: %s", argv[optind], strerror(errno));
        root_fd = open(argv[optind], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                die("%s: %s", argv[optind], strerror(errno));
        if (faccessat(root_fd, "sys", F_OK, 0) == 0)
                die("%s/sys exists already; remove it first", argv[optind]);

        host_basics();
        for (unsigned i = 0; i < c.pfs; i++)
                sriov_pf(i, c.vfs);
        for (unsigned i = 0; i < c.mdev_parents; i++)
                mdev_parent(i, c.mdev_types, c.mdev_per_type);
        for (unsigned left = c.usb; left > 0;) {
                unsigned n = left > 64 ? 64 : left; /* 8 hubs x (1 + 7): devnums stay below 127 */
                usb_controller(n);
                left -= n;
        }
        for (unsigned i = 0; i < c.scsi_hosts; i += 4)
                scsi_hba(c.scsi_hosts - i < 4 ? c.scsi_hosts - i : 4, c.scsi_targets, c.scsi_luns);

        total = 1 /* computer */ + cnt.pci + cnt.net + cnt.usb_dev + usb_bus_next - 1 + cnt.usb_if +
                cnt.scsi_host + cnt.scsi_target + cnt.scsi_dev + cnt.block + cnt.sg + cnt.mdev;
        bufprintf(manifest, sizeof(manifest), "%s/manifest", argv[optind]);
        mf = fopen(manifest, "we");
        if (!mf)
                die("%s: %s", manifest, strerror(errno));
        fprintf(mf, "devices=%u\npci=%u\nnet=%u\nusb_device=%u\nusb_interface=%u\nscsi_host=%u\n"
                    "scsi_target=%u\nscsi=%u\nstorage=%u\nscsi_generic=%u\nmdev=%u\niommu_groups=%u\n",
                total, cnt.pci, cnt.net, cnt.usb_dev + usb_bus_next - 1, cnt.usb_if, cnt.scsi_host,
                cnt.scsi_target, cnt.scsi_dev, cnt.block, cnt.sg, cnt.mdev, next_group);
        if (*sample_vf)
                fprintf(mf, "sample_vf=%s\nsample_vf_ifname=%s\n", sample_vf, sample_vf_if);
        fclose(mf);
        printf("%s: %u devices (%u PCI, %u net, %u USB devices, %u USB interfaces, %u SCSI hosts, "
               "%u targets, %u LUNs, %u disks, %u sg, %u mdevs)\n",
               argv[optind], total, cnt.pci, cnt.net, cnt.usb_dev + usb_bus_next - 1, cnt.usb_if,
               cnt.scsi_host, cnt.scsi_target, cnt.scsi_dev, cnt.block, cnt.sg, cnt.mdev);
        return 0;
}
