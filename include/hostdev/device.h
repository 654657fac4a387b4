/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A host device and its capabilities, as libvirt's node device XML describes them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One list, expanded into the enum and its string table (see hd_cap_type_to_string). */
#define HD_CAP_TYPES(X)                                                                            \
        X(SYSTEM, "system")                                                                        \
        X(PCI, "pci")                                                                              \
        X(USB_DEVICE, "usb_device")                                                                \
        X(USB_INTERFACE, "usb")                                                                    \
        X(NET, "net")                                                                              \
        X(SCSI_HOST, "scsi_host")                                                                  \
        X(SCSI_TARGET, "scsi_target")                                                              \
        X(SCSI, "scsi")                                                                            \
        X(STORAGE, "storage")                                                                      \
        X(SCSI_GENERIC, "scsi_generic")                                                            \
        X(DRM, "drm")                                                                              \
        X(MDEV, "mdev")                                                                            \
        X(VDPA, "vdpa")                                                                            \
        X(CCW, "ccw")                                                                              \
        X(CSS, "css")                                                                              \
        X(AP_CARD, "ap_card")                                                                      \
        X(AP_QUEUE, "ap_queue")                                                                    \
        X(AP_MATRIX, "ap_matrix")                                                                  \
        /* sub-capabilities, listed by --cap like libvirt's nodedev-list --cap */                   \
        X(FC_HOST, "fc_host")                                                                      \
        X(VPORTS, "vports")                                                                        \
        X(MDEV_TYPES, "mdev_types")

enum hd_cap_type {
#define X(id, str) HD_CAP_##id,
        HD_CAP_TYPES(X)
#undef X
                _HD_CAP_MAX,
        _HD_CAP_INVALID = -1,
};

const char *hd_cap_type_to_string(enum hd_cap_type t);
enum hd_cap_type hd_cap_type_from_string(const char *s);

/*
 * A PCI address; domain is 32 bits (VMD and some hosts go above 0xffff).
 * The kernel's bus, slot and function have 8, 5 and 3 bits, and every
 * address read from the host or parsed from text stays within them; the
 * fields are as wide as libvirt's because its node device XML may say more
 * (<bus> is an unsignedLong in nodedev.rng, read into an unsigned int).
 */
struct hd_pci_addr {
        uint32_t domain;
        uint32_t bus, slot, function;
};
/* "0000:01:00.0" or "01:00.0" (domain 0). Returns 0 or -EINVAL. */
int hd_pci_addr_parse(const char *s, struct hd_pci_addr *ret);
/*
 * Writes "DDDD:BB:SS.F" (more domain digits when needed) into buf (>= 20
 * bytes). An address beyond the kernel's widths is cut at 19 characters.
 */
char *hd_pci_addr_format(const struct hd_pci_addr *a, char buf[static 20]);

/* A vendor or product: its id and, when a database knows it, its name. */
struct hd_id_name {
        unsigned id;
        char *name; /* NULL: no name rather than a wrong one */
};

struct hd_mdev_type {
        char *id;          /* "mtty-2", "nvidia-63" */
        char *name;        /* may be NULL */
        char *description; /* may be NULL */
        char *device_api;  /* "vfio-pci", "vfio-ccw", "vfio-ap" */
        unsigned available_instances;
};

struct hd_cap_system {
        char *product_name;
        char *hw_vendor, *hw_version, *hw_serial, *hw_uuid;
        char *fw_vendor, *fw_version, *fw_release_date;
};

enum hd_pci_bridge_type { HD_PCI_NOT_BRIDGE, HD_PCI_BRIDGE, HD_PCI_CARDBUS_BRIDGE };

struct hd_pcie_link {
        bool present;
        int port;        /* -1 when unknown */
        double speed;    /* GT/s: 2.5, 5, 8, 16, 32, 64; 0 unknown */
        unsigned width;  /* lanes; 0 unknown */
};

/* The class code of a PCI function nobody told us (node device XML without <class>). */
#define HD_PCI_CLASS_NONE UINT32_MAX

struct hd_cap_pci {
        struct hd_pci_addr addr;
        uint32_t class_code; /* 0xCCSSPP; HD_PCI_CLASS_NONE when not known */
        struct hd_id_name vendor, product;
        int iommu_group;     /* -1: none (no IOMMU or not translated) */
        struct hd_pci_addr *iommu_members;
        size_t n_iommu_members;
        int numa_node;       /* -1: none */
        enum hd_pci_bridge_type bridge;
        bool is_express;
        struct hd_pcie_link link_cap, link_sta;
        bool has_phys_function;
        struct hd_pci_addr phys_function;
        /*
         * Can have VFs, even with none enabled: sriov_totalvfs above 0 or VFs
         * there (libvirt's udev backend), or a virt_functions capability in XML.
         */
        bool is_sriov_pf;
        unsigned max_vfs;    /* sriov_totalvfs */
        struct hd_pci_addr *virt_functions;
        size_t n_virt_functions;
        struct hd_mdev_type *mdev_types;
        size_t n_mdev_types;
};

struct hd_cap_usb_device {
        unsigned bus, device;
        struct hd_id_name vendor, product;
};

struct hd_cap_usb_interface {
        unsigned number, klass, subclass, protocol;
        char *description;
};

enum hd_net_subcap { HD_NET_NONE, HD_NET_80203, HD_NET_80211 };

struct hd_cap_net {
        char *ifname;
        char *address;    /* hardware address, lower case: a MAC, or 20 octets for InfiniBand ... */
        int ifindex;
        unsigned speed;   /* Mb/s; 0 unknown */
        char *link_state; /* "up", "down", "unknown", ... from operstate */
        enum hd_net_subcap subcap;
};

struct hd_cap_scsi_host {
        unsigned host;
        bool host_unknown; /* a vHBA creation document: the kernel has not numbered it yet */
        int unique_id; /* -1 unknown */
        bool is_fc_host;
        char *wwnn, *wwpn, *fabric_wwn; /* hex without 0x, as libvirt prints them */
        bool has_vport_ops;
        int max_vports, vports;
};

struct hd_cap_scsi_target {
        char *name; /* "target0:0:0" */
        bool has_fc_remote_port;
        char *rport, *wwpn;
};

struct hd_cap_scsi {
        unsigned host, bus, target;
        uint64_t lun;
        char *type; /* "disk", "cdrom", "tape", ... from the SCSI peripheral type */
};

struct hd_cap_storage {
        char *block;      /* "/dev/sda" */
        char *bus;        /* "scsi", "ata", "usb", "virtio" ... */
        char *drive_type; /* "disk", "cd", ... */
        char *model, *vendor, *serial;
        uint64_t size;    /* bytes */
        uint64_t logical_block_size; /* 0: unknown */
        uint64_t num_blocks;         /* 512-byte sectors (sysfs size) */
        bool removable;
        bool media_available;
        uint64_t media_size;
        char *media_label;
        bool hotpluggable;
};

struct hd_cap_scsi_generic {
        char *path; /* "/dev/sg0" */
};

enum hd_drm_type { HD_DRM_PRIMARY, HD_DRM_CONTROL, HD_DRM_RENDER };

struct hd_cap_drm {
        enum hd_drm_type type;
};

struct hd_mdev_attr {
        char *name, *value;
};

struct hd_cap_mdev {
        char *type;      /* mdev_type id */
        char *uuid;
        char *parent_addr; /* parent's sysfs name ("0000:00:02.0", "mtty") */
        int iommu_group;   /* -1 none */
        struct hd_mdev_attr *attrs;
        size_t n_attrs;
        bool active;       /* false: defined, not running (inactive in libvirt's words) */
        bool autostart;
};

struct hd_cap_vdpa {
        char *chardev; /* "/dev/vhost-vdpa-0" */
};

struct hd_cap_ccw {
        unsigned cssid, ssid, devno;
        char *channel_dev_addr; /* css only: "0.0.0815" (cssid.ssid.devno), as in dev_busid */
        struct hd_mdev_type *mdev_types; /* css and ap_matrix */
        size_t n_mdev_types;
};

struct hd_cap_ap {
        int adapter, domain; /* -1 when not applicable */
};

struct hd_cap {
        enum hd_cap_type type;
        union {
                struct hd_cap_system system;
                struct hd_cap_pci pci;
                struct hd_cap_usb_device usb_dev;
                struct hd_cap_usb_interface usb_if;
                struct hd_cap_net net;
                struct hd_cap_scsi_host scsi_host;
                struct hd_cap_scsi_target scsi_target;
                struct hd_cap_scsi scsi;
                struct hd_cap_storage storage;
                struct hd_cap_scsi_generic sg;
                struct hd_cap_drm drm;
                struct hd_cap_mdev mdev;
                struct hd_cap_vdpa vdpa;
                struct hd_cap_ccw ccw;  /* ccw, css, ap_matrix (mdev types) */
                struct hd_cap_ap ap;    /* ap_card, ap_queue */
        };
        struct hd_cap *next;
};

enum hd_devnode_type { HD_DEVNODE_DEV, HD_DEVNODE_LINK };

struct hd_devnode {
        enum hd_devnode_type type;
        char *path;
};

struct hd_device {
        char *name;        /* libvirt's name: "pci_0000_00_02_0" */
        char *sysfs_path;  /* canonical, as the kernel names it: "/sys/devices/..." ; NULL for computer */
        char *sysname;     /* last component of sysfs_path: "0000:00:02.0" */
        char *subsystem;   /* "pci", "usb", "net" ... */
        char *devtype;     /* DEVTYPE from uevent, may be NULL */
        char *parent_name; /* NULL only for "computer" */
        /*
         * A vHBA creation document may name its parent HBA by its port and
         * node names or by its fabric instead: <parent wwnn= wwpn=/> or
         * <parent fabric_wwn=/> (hex without 0x). NULL otherwise.
         */
        char *parent_wwnn, *parent_wwpn, *parent_fabric_wwn;
        char *driver;      /* bound driver, NULL if none */
        /*
         * The VFIO cdev a vfio driver gave it, "/dev/vfio/devices/vfioN" (from
         * vfio-dev/vfioN/dev); NULL when it has none, also where the kernel
         * makes vfio-dev/vfioN without dev (no CONFIG_VFIO_DEVICE_CDEV).
         */
        char *vfio_cdev;
        struct hd_devnode *devnodes;
        size_t n_devnodes;
        struct hd_cap *caps; /* first is the main capability */

        /* the tree, set by an inventory scan (NULL after a single lookup) */
        struct hd_device *parent;
        struct hd_device *first_child, *next_sibling;
};

void hd_device_free(struct hd_device *d);
/* The device's capability of TYPE, or NULL. */
struct hd_cap *hd_device_get_cap(const struct hd_device *d, enum hd_cap_type t);
/* The main capability's type. */
enum hd_cap_type hd_device_main_cap(const struct hd_device *d);
/* Whether the device has TYPE as a capability or a sub-capability (fc_host, vports, mdev_types). */
bool hd_device_has_cap(const struct hd_device *d, enum hd_cap_type t);

#ifdef __cplusplus
}
#endif
