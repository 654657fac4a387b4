/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The devices a virtual machine asks for, read from and written as libvirt domain XML. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostdev/context.h"
#include "hostdev/device.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The model covers what passthrough needs from libvirt's domain XML
 * (schema domaincommon.rng): every <hostdev> and every
 * <interface type='hostdev'>. Other devices and elements are not kept.
 *
 * Each enum below is generated from one list; each has a to_string that
 * gives the XML spelling and a from_string that returns the _INVALID value
 * (-1) for anything else.
 */
#define HD_ENUM_ENTRY(id, str) id,

/* What a device element hands to the guest. */
#define HD_HOSTDEV_KINDS(X)                                                                        \
        X(HD_HOSTDEV_PCI, "pci")                                                                   \
        X(HD_HOSTDEV_USB, "usb")                                                                   \
        X(HD_HOSTDEV_SCSI, "scsi")                                                                 \
        X(HD_HOSTDEV_MDEV, "mdev")                                                                 \
        X(HD_HOSTDEV_NET_VF, "net_vf")      /* <interface type='hostdev'> */                       \
        X(HD_HOSTDEV_CAPS, "capabilities") /* <hostdev mode='capabilities'>: containers only */
enum hd_hostdev_kind { HD_HOSTDEV_KINDS(HD_ENUM_ENTRY) _HD_HOSTDEV_KIND_MAX, _HD_HOSTDEV_KIND_INVALID = -1 };

/* <driver name='...'/>. DEFAULT means no <driver>; libvirt 9 refuses name='default'. */
#define HD_PCI_BACKENDS(X)                                                                         \
        X(HD_PCI_BACKEND_DEFAULT, "default")                                                       \
        X(HD_PCI_BACKEND_KVM, "kvm")                                                               \
        X(HD_PCI_BACKEND_VFIO, "vfio")                                                             \
        X(HD_PCI_BACKEND_XEN, "xen")
enum hd_pci_backend { HD_PCI_BACKENDS(HD_ENUM_ENTRY) _HD_PCI_BACKEND_MAX, _HD_PCI_BACKEND_INVALID = -1 };

/* <source startupPolicy='...'> of a USB host device; DEFAULT means absent. */
#define HD_STARTUP_POLICIES(X)                                                                     \
        X(HD_STARTUP_POLICY_DEFAULT, "default")                                                    \
        X(HD_STARTUP_POLICY_MANDATORY, "mandatory")                                                \
        X(HD_STARTUP_POLICY_REQUISITE, "requisite")                                                \
        X(HD_STARTUP_POLICY_OPTIONAL, "optional")
enum hd_startup_policy {
        HD_STARTUP_POLICIES(HD_ENUM_ENTRY) _HD_STARTUP_POLICY_MAX,
        _HD_STARTUP_POLICY_INVALID = -1
};

/* <hostdev type='scsi' sgio='...'>; DEFAULT means absent. libvirt 9 refuses 'unfiltered' at start. */
#define HD_SGIO_MODES(X)                                                                           \
        X(HD_SGIO_DEFAULT, "default")                                                              \
        X(HD_SGIO_FILTERED, "filtered")                                                            \
        X(HD_SGIO_UNFILTERED, "unfiltered")
enum hd_sgio { HD_SGIO_MODES(HD_ENUM_ENTRY) _HD_SGIO_MAX, _HD_SGIO_INVALID = -1 };

/* <source protocol='...'> of a SCSI host device: a host adapter, or an iSCSI target. */
#define HD_SCSI_PROTOCOLS(X)                                                                       \
        X(HD_SCSI_PROTOCOL_ADAPTER, "adapter")                                                     \
        X(HD_SCSI_PROTOCOL_ISCSI, "iscsi")
enum hd_scsi_protocol {
        HD_SCSI_PROTOCOLS(HD_ENUM_ENTRY) _HD_SCSI_PROTOCOL_MAX,
        _HD_SCSI_PROTOCOL_INVALID = -1
};

/* <hostdev type='mdev' model='...'>: the device API the guest sees. */
#define HD_MDEV_MODELS(X)                                                                          \
        X(HD_MDEV_MODEL_VFIO_PCI, "vfio-pci")                                                      \
        X(HD_MDEV_MODEL_VFIO_CCW, "vfio-ccw")                                                      \
        X(HD_MDEV_MODEL_VFIO_AP, "vfio-ap")
enum hd_mdev_model { HD_MDEV_MODELS(HD_ENUM_ENTRY) _HD_MDEV_MODEL_MAX, _HD_MDEV_MODEL_INVALID = -1 };

/* <hostdev mode='capabilities' type='...'>: host resources for containers. */
#define HD_HOSTDEV_CAPS_TYPES(X)                                                                   \
        X(HD_HOSTDEV_CAPS_STORAGE, "storage")                                                      \
        X(HD_HOSTDEV_CAPS_MISC, "misc")                                                            \
        X(HD_HOSTDEV_CAPS_NET, "net")
enum hd_hostdev_caps_type {
        HD_HOSTDEV_CAPS_TYPES(HD_ENUM_ENTRY) _HD_HOSTDEV_CAPS_TYPE_MAX,
        _HD_HOSTDEV_CAPS_TYPE_INVALID = -1
};

/* <address type='...'/> of a device inside the guest; NONE means no <address>. */
#define HD_GUEST_ADDRESS_TYPES(X)                                                                  \
        X(HD_GUEST_ADDRESS_NONE, "none")                                                           \
        X(HD_GUEST_ADDRESS_PCI, "pci")                                                             \
        X(HD_GUEST_ADDRESS_DRIVE, "drive")                                                         \
        X(HD_GUEST_ADDRESS_USB, "usb")                                                             \
        X(HD_GUEST_ADDRESS_CCW, "ccw")                                                             \
        X(HD_GUEST_ADDRESS_UNASSIGNED, "unassigned")
enum hd_guest_address_type {
        HD_GUEST_ADDRESS_TYPES(HD_ENUM_ENTRY) _HD_GUEST_ADDRESS_TYPE_MAX,
        _HD_GUEST_ADDRESS_TYPE_INVALID = -1
};

/* <vlan><tag nativeMode='...'/>; DEFAULT means absent. */
#define HD_VLAN_NATIVE_MODES(X)                                                                    \
        X(HD_VLAN_NATIVE_DEFAULT, "default")                                                       \
        X(HD_VLAN_NATIVE_TAGGED, "tagged")                                                         \
        X(HD_VLAN_NATIVE_UNTAGGED, "untagged")
enum hd_vlan_native_mode {
        HD_VLAN_NATIVE_MODES(HD_ENUM_ENTRY) _HD_VLAN_NATIVE_MODE_MAX,
        _HD_VLAN_NATIVE_MODE_INVALID = -1
};

/* <virtualport type='...'>; NONE means no <virtualport>. */
#define HD_VIRTUALPORT_TYPES(X)                                                                    \
        X(HD_VIRTUALPORT_NONE, "none")                                                             \
        X(HD_VIRTUALPORT_8021QBG, "802.1Qbg")                                                      \
        X(HD_VIRTUALPORT_8021QBH, "802.1Qbh")
enum hd_virtualport_type {
        HD_VIRTUALPORT_TYPES(HD_ENUM_ENTRY) _HD_VIRTUALPORT_TYPE_MAX,
        _HD_VIRTUALPORT_TYPE_INVALID = -1
};

/* <source guestReset='...'> of a USB host device: which resets the guest may do to it; DEFAULT means absent. */
#define HD_USB_GUEST_RESETS(X)                                                                     \
        X(HD_USB_GUEST_RESET_DEFAULT, "default")                                                   \
        X(HD_USB_GUEST_RESET_OFF, "off")                     /* none */                            \
        X(HD_USB_GUEST_RESET_UNINITIALIZED, "uninitialized") /* only before it has an address */   \
        X(HD_USB_GUEST_RESET_ON, "on")                       /* any */
enum hd_usb_guest_reset {
        HD_USB_GUEST_RESETS(HD_ENUM_ENTRY) _HD_USB_GUEST_RESET_MAX,
        _HD_USB_GUEST_RESET_INVALID = -1
};

/* <controller type='...'>: the buses host devices sit on in the guest (other types are not kept). */
#define HD_CONTROLLER_TYPES(X)                                                                     \
        X(HD_CONTROLLER_SCSI, "scsi")                                                              \
        X(HD_CONTROLLER_USB, "usb")
enum hd_controller_type {
        HD_CONTROLLER_TYPES(HD_ENUM_ENTRY) _HD_CONTROLLER_TYPE_MAX,
        _HD_CONTROLLER_TYPE_INVALID = -1
};

/* <controller type='scsi' model='...'>, libvirt's spelling; DEFAULT means absent. */
#define HD_SCSI_MODELS(X)                                                                          \
        X(HD_SCSI_MODEL_DEFAULT, "default")                                                        \
        X(HD_SCSI_MODEL_AUTO, "auto")                                                              \
        X(HD_SCSI_MODEL_BUSLOGIC, "buslogic")                                                      \
        X(HD_SCSI_MODEL_LSILOGIC, "lsilogic")                                                      \
        X(HD_SCSI_MODEL_LSISAS1068, "lsisas1068")                                                  \
        X(HD_SCSI_MODEL_VMPVSCSI, "vmpvscsi")                                                      \
        X(HD_SCSI_MODEL_IBMVSCSI, "ibmvscsi")                                                      \
        X(HD_SCSI_MODEL_VIRTIO_SCSI, "virtio-scsi")                                                \
        X(HD_SCSI_MODEL_LSISAS1078, "lsisas1078")                                                  \
        X(HD_SCSI_MODEL_VIRTIO_TRANSITIONAL, "virtio-transitional")                                \
        X(HD_SCSI_MODEL_VIRTIO_NON_TRANSITIONAL, "virtio-non-transitional")                        \
        X(HD_SCSI_MODEL_NCR53C90, "ncr53c90")                                                      \
        X(HD_SCSI_MODEL_AM53C974, "am53c974")                                                      \
        X(HD_SCSI_MODEL_DC390, "dc390")
enum hd_scsi_model { HD_SCSI_MODELS(HD_ENUM_ENTRY) _HD_SCSI_MODEL_MAX, _HD_SCSI_MODEL_INVALID = -1 };

/* <controller type='usb' model='...'>, libvirt's spelling; DEFAULT means absent. */
#define HD_USB_MODELS(X)                                                                           \
        X(HD_USB_MODEL_DEFAULT, "default")                                                         \
        X(HD_USB_MODEL_PIIX3_UHCI, "piix3-uhci")                                                   \
        X(HD_USB_MODEL_PIIX4_UHCI, "piix4-uhci")                                                   \
        X(HD_USB_MODEL_EHCI, "ehci")                                                               \
        X(HD_USB_MODEL_ICH9_EHCI1, "ich9-ehci1")                                                   \
        X(HD_USB_MODEL_ICH9_UHCI1, "ich9-uhci1")                                                   \
        X(HD_USB_MODEL_ICH9_UHCI2, "ich9-uhci2")                                                   \
        X(HD_USB_MODEL_ICH9_UHCI3, "ich9-uhci3")                                                   \
        X(HD_USB_MODEL_VT82C686B_UHCI, "vt82c686b-uhci")                                           \
        X(HD_USB_MODEL_PCI_OHCI, "pci-ohci")                                                       \
        X(HD_USB_MODEL_NEC_XHCI, "nec-xhci")                                                       \
        X(HD_USB_MODEL_QUSB1, "qusb1")                                                             \
        X(HD_USB_MODEL_QUSB2, "qusb2")                                                             \
        X(HD_USB_MODEL_QEMU_XHCI, "qemu-xhci")                                                     \
        X(HD_USB_MODEL_NONE, "none")
enum hd_usb_model { HD_USB_MODELS(HD_ENUM_ENTRY) _HD_USB_MODEL_MAX, _HD_USB_MODEL_INVALID = -1 };

/* <link state='...'/> of an <interface>; DEFAULT means absent. */
#define HD_LINK_STATES(X)                                                                          \
        X(HD_LINK_DEFAULT, "default")                                                              \
        X(HD_LINK_UP, "up")                                                                        \
        X(HD_LINK_DOWN, "down")
enum hd_link_state { HD_LINK_STATES(HD_ENUM_ENTRY) _HD_LINK_STATE_MAX, _HD_LINK_STATE_INVALID = -1 };

const char *hd_hostdev_kind_to_string(enum hd_hostdev_kind v);
enum hd_hostdev_kind hd_hostdev_kind_from_string(const char *s);
const char *hd_pci_backend_to_string(enum hd_pci_backend v);
enum hd_pci_backend hd_pci_backend_from_string(const char *s);
const char *hd_startup_policy_to_string(enum hd_startup_policy v);
enum hd_startup_policy hd_startup_policy_from_string(const char *s);
const char *hd_sgio_to_string(enum hd_sgio v);
enum hd_sgio hd_sgio_from_string(const char *s);
const char *hd_scsi_protocol_to_string(enum hd_scsi_protocol v);
enum hd_scsi_protocol hd_scsi_protocol_from_string(const char *s);
const char *hd_mdev_model_to_string(enum hd_mdev_model v);
enum hd_mdev_model hd_mdev_model_from_string(const char *s);
const char *hd_hostdev_caps_type_to_string(enum hd_hostdev_caps_type v);
enum hd_hostdev_caps_type hd_hostdev_caps_type_from_string(const char *s);
const char *hd_guest_address_type_to_string(enum hd_guest_address_type v);
enum hd_guest_address_type hd_guest_address_type_from_string(const char *s);
const char *hd_vlan_native_mode_to_string(enum hd_vlan_native_mode v);
enum hd_vlan_native_mode hd_vlan_native_mode_from_string(const char *s);
const char *hd_virtualport_type_to_string(enum hd_virtualport_type v);
enum hd_virtualport_type hd_virtualport_type_from_string(const char *s);
const char *hd_usb_guest_reset_to_string(enum hd_usb_guest_reset v);
enum hd_usb_guest_reset hd_usb_guest_reset_from_string(const char *s);
const char *hd_controller_type_to_string(enum hd_controller_type v);
enum hd_controller_type hd_controller_type_from_string(const char *s);
const char *hd_scsi_model_to_string(enum hd_scsi_model v);
enum hd_scsi_model hd_scsi_model_from_string(const char *s);
const char *hd_usb_model_to_string(enum hd_usb_model v);
enum hd_usb_model hd_usb_model_from_string(const char *s);
const char *hd_link_state_to_string(enum hd_link_state v);
enum hd_link_state hd_link_state_from_string(const char *s);

/* An optional yes/no (or on/off) attribute: ABSENT when the XML leaves it out. */
enum hd_tristate { HD_TRISTATE_ABSENT, HD_TRISTATE_YES, HD_TRISTATE_NO };

/* Where the guest sees the device: only the members of TYPE are meaningful. */
struct hd_guest_address {
        enum hd_guest_address_type type;
        struct hd_pci_addr pci; /* all zero: <address type='pci'/>, libvirt picks */
        enum hd_tristate multifunction;
        struct {
                unsigned controller, bus, target, unit;
        } drive;
        struct {
                unsigned bus;
                char *port; /* "1.2.3" or NULL */
        } usb;
        struct {
                bool assigned; /* false: <address type='ccw'/> */
                unsigned cssid, ssid, devno;
        } ccw;
};

/* What every device element carries besides its source. */
struct hd_device_info {
        unsigned boot_order; /* <boot order='N'/>; 0: none */
        char *alias;         /* <alias name='ua-...'/> */
        enum hd_tristate rom_enabled, rom_bar;
        char *rom_file;      /* <rom enabled= bar= file=/> */
        struct hd_guest_address address;
};

struct hd_hostdev_pci {
        enum hd_pci_backend backend;
        /* <driver iommufd='yes'/> (libvirt 12): QEMU opens the VFIO cdev through iommufd, not the group. */
        enum hd_tristate iommufd;
        struct hd_pci_addr addr;
};

struct hd_hostdev_usb {
        enum hd_startup_policy startup_policy;
        enum hd_usb_guest_reset guest_reset;
        bool has_product; /* <vendor id=/><product id=/> */
        unsigned vendor, product;
        bool has_address; /* <address bus= device=/> */
        unsigned bus, device;
};

struct hd_hostdev_scsi {
        enum hd_sgio sgio;
        enum hd_tristate rawio;
        enum hd_scsi_protocol protocol;
        /* protocol ADAPTER: a LUN on a host adapter */
        char *adapter; /* "scsi_host0" */
        unsigned bus, target;
        unsigned long long unit;
        /* protocol ISCSI: an iSCSI LUN qemu opens itself; the manager refuses it */
        char *iscsi_name;      /* "iqn.2014-08.com.example:target/1" */
        char *iscsi_host;      /* <host name=/>: libvirt allows exactly one */
        unsigned iscsi_port;   /* 0: not given */
        char *auth_username;   /* <auth username=> */
        char *secret_type;     /* <secret type= usage=|uuid=/> */
        char *secret_usage;
        char secret_uuid[37];  /* "" when not given */
        char *initiator_iqn;   /* <initiator><iqn name=/></initiator> */
};

struct hd_hostdev_mdev {
        enum hd_mdev_model model;
        enum hd_tristate display, ramfb; /* on/off; vfio-pci only */
        char uuid[37];                   /* lower case, with dashes */
};

struct hd_vlan_tag {
        unsigned id; /* 0..4095 */
        enum hd_vlan_native_mode native_mode;
};

struct hd_vlan {
        bool trunk; /* always true with more than one tag */
        struct hd_vlan_tag *tags;
        size_t n_tags; /* 0: no <vlan> */
};

struct hd_virtualport {
        enum hd_virtualport_type type;
        /* 802.1Qbg: managerid, typeid, typeidversion required; instanceid optional */
        unsigned manager_id, type_id, type_id_version;
        char instance_id[37]; /* "" when not given (libvirt would make one up) */
        /* 802.1Qbh */
        char *profile_id;
};

/* <interface type='hostdev'>: an SR-IOV virtual function with the host's net settings. */
struct hd_hostdev_net_vf {
        struct hd_hostdev_pci pci; /* the VF and its <driver name=/> */
        bool has_mac;
        uint8_t mac[6];
        struct hd_vlan vlan;
        struct hd_virtualport virtualport;
        enum hd_tristate trust_guest_rx_filters; /* <interface trustGuestRxFilters=>: the VF's trust */
        enum hd_link_state link;                 /* <link state=/> */
};

struct hd_hostdev_caps {
        enum hd_hostdev_caps_type type;
        /* <block>/dev/sdf1</block>, <char>/dev/input/event3</char> or <interface>eth0</interface> */
        char *source;
};

struct hd_hostdev_def {
        enum hd_hostdev_kind kind;
        unsigned line; /* where it starts in the input, for messages; 0 when built in code */
        /*
         * managed='yes': the manager detaches the device from its host
         * driver and reattaches it after. libvirt prints managed='no' on
         * every subsystem <hostdev>, and on <interface> only managed='yes'.
         */
        bool managed;
        bool readonly, shareable; /* <readonly/>, <shareable/>: SCSI LUNs */
        /*
         * <teaming type='transient' persistent='ALIAS'/> (PCI devices and
         * interfaces): the alias of the virtio interface this VF stands in for
         * while the guest can use it (QEMU's failover_pair_id); NULL: none.
         */
        char *teaming;
        struct hd_device_info info;
        union {
                struct hd_hostdev_pci pci;
                struct hd_hostdev_usb usb;
                struct hd_hostdev_scsi scsi;
                struct hd_hostdev_mdev mdev;
                struct hd_hostdev_net_vf net_vf;
                struct hd_hostdev_caps caps;
        };
};

/*
 * <controller type='scsi'|'usb'>: the bus a SCSI LUN or USB device is
 * plugged into in the guest. MODEL is an enum hd_scsi_model or
 * hd_usb_model, by TYPE. Several USB controllers share an index when EHCI
 * has UHCI companions (each with <master startport=/>).
 */
struct hd_controller_def {
        enum hd_controller_type type;
        unsigned index;
        int model;
        int master_startport; /* <master startport='N'/>; -1: none */
        unsigned line;        /* where it starts in the input; 0 when built in code */
        char *alias;          /* <alias name='ua-...'/> */
        struct hd_guest_address address; /* NONE or PCI */
};

struct hd_domain_def {
        char *name;    /* <name>, NULL when the input had none */
        char uuid[37]; /* <uuid>, lower case with dashes; "" when none */
        char *arch, *machine; /* <os><type arch= machine=>: NULL when not given */
        struct hd_hostdev_def *hostdevs; /* in document order */
        size_t n_hostdevs;
        struct hd_controller_def *controllers; /* SCSI and USB controllers, in document order */
        size_t n_controllers;
};

/*
 * Parse XML: a whole <domain> (its <name>, <uuid>, <os><type arch=
 * machine=> and every <devices>/<hostdev>, <devices>/<interface
 * type='hostdev'> and SCSI or USB <devices>/<controller>), one <hostdev> or
 * <interface type='hostdev'>, or any wrapper element (such as <devices>)
 * holding them; other elements and other interface and controller types
 * are skipped. A root element that is none of these and holds no device
 * element (libvirt's status file <domstatus>, a node device's <device>)
 * is refused with -EINVAL, as is any document that is no domain. FILENAME
 * names the input in messages ("FILE:LINE: ..."); NULL says "input".
 * Values are checked as libvirt checks them, and so is what libvirt
 * refuses across devices: two SCSI host devices at one guest address, two
 * mediated devices with ramfb='on', two vfio-ccw devices with one devno, a
 * controller index given twice. The network is never used
 * (XML_PARSE_NONET).
 */
int hd_domain_parse(struct hd_context *ctx, const char *xml, size_t len, const char *filename,
                    struct hd_domain_def **ret_def);
int hd_domain_parse_file(struct hd_context *ctx, const char *path, struct hd_domain_def **ret_def);

/*
 * Print the model as libvirt does (two-space indent, single quotes, the
 * element and attribute order of virsh dumpxml). WHOLE_DOMAIN: a minimal
 * <domain type='kvm'> (name, uuid, memory, os, devices) that
 * virt-xml-validate accepts; the model must then have a name. Otherwise one
 * device (and no controller) prints as its bare element and any other
 * number inside <devices>. Controllers come first, then the devices in the
 * model's order (libvirt would list interfaces first).
 */
int hd_domain_format(struct hd_context *ctx, const struct hd_domain_def *def, bool whole_domain,
                     char **ret_xml);
/* One device element, as in a domain's <devices>, without indentation. */
int hd_hostdev_format(struct hd_context *ctx, const struct hd_hostdev_def *hostdev, char **ret_xml);

struct hd_domain_def *hd_domain_def_free(struct hd_domain_def *def);
/* Free what HOSTDEV owns (not HOSTDEV itself). */
void hd_hostdev_def_clear(struct hd_hostdev_def *hostdev);

#ifdef __cplusplus
}
#endif
