/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* <interface type='hostdev'>: an SR-IOV VF with its MAC, VLAN and virtual port. */
#include <ctype.h>
#include <string.h>

#include "domain-internal.h"
#include "util/strutil.h"

/* Six octets of one or two hex digits, as libvirt's virMacAddrParse takes them. */
static int mac_parse(const char *s, uint8_t mac[static 6]) {
        for (int i = 0; i < 6; i++) {
                unsigned v = 0;
                int n = 0;

                while (isxdigit((unsigned char)s[n]) && n < 2) {
                        v = v * 16 + (unsigned)(isdigit((unsigned char)s[n])
                                                        ? s[n] - '0'
                                                        : tolower((unsigned char)s[n]) - 'a' + 10);
                        n++;
                }
                if (n == 0)
                        return -EINVAL;
                mac[i] = (uint8_t)v;
                s += n;
                if (i < 5 && *s++ != ':')
                        return -EINVAL;
        }
        return *s == 0 ? 0 : -EINVAL;
}

static int parse_mac(struct parse_state *st, xmlNodePtr node, struct hd_hostdev_net_vf *vf) {
        _cleanup_free_ char *addr = NULL;
        int r;

        if ((r = domxml_attr_string_required(st, node, "address", &addr)) < 0)
                return r;
        if (mac_parse(addr, vf->mac) < 0)
                return domxml_attr_error(st, node, "address", addr,
                                         "not a MAC address; write six octets like '52:54:00:12:34:56'");
        /* The low bit of the first octet marks group addresses; a NIC needs its own. */
        if (vf->mac[0] & 1)
                return domxml_attr_error(st, node, "address", addr,
                                         "a multicast address; use a unicast one (first octet even), "
                                         "like '52:54:00:12:34:56'");
        vf->has_mac = true;
        return 0;
}

static int parse_vlan(struct parse_state *st, xmlNodePtr node, struct hd_vlan *vlan) {
        _cleanup_free_ char *trunk = domxml_attr(node, "trunk");
        size_t n = 0, i = 0;
        bool native_seen = false;
        int r;

        for (xmlNodePtr c = node->children; c; c = c->next)
                if (domxml_is(c, "tag"))
                        n++;
        if (n == 0)
                return domxml_parse_error(st, node, -EINVAL, "<vlan> has no <tag>; add <tag id='42'/>");
        vlan->tags = calloc(n, sizeof(*vlan->tags));
        if (!vlan->tags)
                return -ENOMEM;
        vlan->n_tags = n;

        for (xmlNodePtr c = node->children; c; c = c->next) {
                _cleanup_free_ char *mode = NULL;
                struct hd_vlan_tag *t;

                if (!domxml_is(c, "tag"))
                        continue;
                t = &vlan->tags[i++];
                if ((r = domxml_attr_u_required(st, c, "id", 10, 4095, "VLAN ids go from 0 to 4095",
                                                &t->id)) < 0)
                        return r;
                mode = domxml_attr(c, "nativeMode");
                if (!mode)
                        continue;
                r = hd_vlan_native_mode_from_string(mode);
                if (r <= HD_VLAN_NATIVE_DEFAULT)
                        return domxml_attr_error(st, c, "nativeMode", mode,
                                                 "expected 'tagged' or 'untagged'");
                if (native_seen)
                        return domxml_parse_error(st, c, -EINVAL,
                                                  "a second native VLAN; only one <tag> may have nativeMode");
                native_seen = true;
                t->native_mode = r;
        }

        vlan->trunk = n > 1;
        if (trunk) {
                if (streq(trunk, "yes"))
                        vlan->trunk = true;
                else if (!streq(trunk, "no"))
                        return domxml_attr_error(st, node, "trunk", trunk, "expected 'yes' or 'no'");
                /* libvirt takes (and drops) trunk='no' with a single plain tag only. */
                else if (n > 1 || native_seen)
                        return domxml_attr_error(
                                st, node, "trunk", trunk,
                                "several tags or a native VLAN need a trunk; write trunk='yes'");
        }
        return 0;
}

static int parse_qbg(struct parse_state *st, xmlNodePtr params, struct hd_virtualport *vp) {
        int r;

        if ((r = domxml_attr_u_required(st, params, "managerid", 0, 0xff, "manager ids go from 0 to 255",
                                        &vp->manager_id)) < 0 ||
            (r = domxml_attr_u_required(st, params, "typeid", 0, 0xffffff, "type ids go from 0 to 16777215",
                                        &vp->type_id)) < 0 ||
            (r = domxml_attr_u_required(st, params, "typeidversion", 0, 0xff,
                                        "type id versions go from 0 to 255", &vp->type_id_version)) < 0 ||
            (r = domxml_attr_uuid(st, params, "instanceid", vp->instance_id)) < 0)
                return r;
        return 0;
}

static int parse_virtualport(struct parse_state *st, xmlNodePtr node, struct hd_virtualport *vp) {
        static const char *const qbg_only[] = { "managerid", "typeid", "typeidversion", "instanceid" };
        _cleanup_free_ char *type = domxml_attr(node, "type");
        xmlNodePtr params = domxml_child(node, "parameters");
        int t;

        if (!type)
                return domxml_parse_error(
                        st, node, -EINVAL,
                        "<virtualport> has no type; a VF needs type='802.1Qbh' or '802.1Qbg'");
        t = hd_virtualport_type_from_string(type);
        if (t <= HD_VIRTUALPORT_NONE)
                return domxml_attr_error(st, node, "type", type,
                                         "not a port type for a VF; use '802.1Qbh' or '802.1Qbg' "
                                         "(openvswitch and midonet need a bridge, not a VF)");
        vp->type = t;
        if (!params)
                return domxml_parse_error(st, node, -EINVAL,
                                          "<virtualport type='%s'> has no <parameters>; add %s", type,
                                          t == HD_VIRTUALPORT_8021QBH
                                                  ? "<parameters profileid='...'/>"
                                                  : "<parameters managerid= typeid= typeidversion=/>");
        if (domxml_has_attr(params, "interfaceid"))
                return domxml_parse_error(st, params, -EINVAL,
                                          "interfaceid belongs to openvswitch and midonet "
                                          "ports; remove it");
        if (t == HD_VIRTUALPORT_8021QBG) {
                if (domxml_has_attr(params, "profileid"))
                        return domxml_parse_error(st, params, -EINVAL,
                                                  "profileid belongs to 802.1Qbh ports; remove it");
                return parse_qbg(st, params, vp);
        }
        for (size_t i = 0; i < ELEMENTSOF(qbg_only); i++)
                if (domxml_has_attr(params, qbg_only[i]))
                        return domxml_parse_error(st, params, -EINVAL,
                                                  "%s belongs to 802.1Qbg ports; remove it", qbg_only[i]);
        if (domxml_attr_string_required(st, params, "profileid", &vp->profile_id) < 0)
                return -EINVAL;
        if (strlen(vp->profile_id) > 39)
                return domxml_attr_error(
                        st, params, "profileid", vp->profile_id,
                        "longer than 39 characters; use the switch's shorter port profile name");
        return 0;
}

/* <link state='up|down'/>: libvirt's link state of a guest NIC, for a VF the state its PF gives it. */
static int parse_link(struct parse_state *st, xmlNodePtr node, enum hd_link_state *ret) {
        _cleanup_free_ char *state = domxml_attr(node, "state");
        int v;

        if (!state)
                return domxml_parse_error(st, node, -EINVAL, "<link> has no state; write <link state='down'/> or 'up'");
        v = hd_link_state_from_string(state);
        if (v <= HD_LINK_DEFAULT)
                return domxml_attr_error(st, node, "state", state, "expected 'up' or 'down'");
        *ret = v;
        return 0;
}

int domxml_parse_net_hostdev(struct parse_state *st, xmlNodePtr node, struct hd_hostdev_def *def) {
        struct hd_hostdev_net_vf *vf = &def->net_vf;
        enum hd_tristate managed = HD_TRISTATE_ABSENT;
        xmlNodePtr source = domxml_child(node, "source"), driver = domxml_child(node, "driver"), c, addr;
        _cleanup_free_ char *atype = NULL;
        int r;

        def->line = domxml_line(node);
        def->kind = HD_HOSTDEV_NET_VF;
        if ((r = domxml_attr_tristate(st, node, "managed", false, &managed)) < 0)
                return r;
        def->managed = managed == HD_TRISTATE_YES;
        if ((r = domxml_attr_tristate(st, node, "trustGuestRxFilters", false, &vf->trust_guest_rx_filters)) < 0)
                return r;

        if ((c = domxml_child(node, "mac")) && (r = parse_mac(st, c, vf)) < 0)
                return r;
        if (driver && domxml_has_attr(driver, "name")) {
                _cleanup_free_ char *name = domxml_attr(driver, "name");
                int b = hd_pci_backend_from_string(name);

                if (b <= HD_PCI_BACKEND_DEFAULT)
                        return domxml_attr_error(st, driver, "name", name,
                                                 "not a PCI passthrough driver; use 'vfio' (or leave "
                                                 "<driver> out), 'kvm' and 'xen' are legacy");
                vf->pci.backend = b;
        }
        if (driver && (r = domxml_attr_tristate(st, driver, "iommufd", false, &vf->pci.iommufd)) < 0)
                return r;

        if (!source)
                return domxml_parse_error(
                        st, node, -EINVAL,
                        "<interface type='hostdev'> has no <source>; add <source><address "
                        "type='pci' domain='0x0000' bus='0x01' slot='0x10' function='0x0'/></source> "
                        "naming the VF");
        addr = domxml_child(source, "address");
        if (addr)
                atype = domxml_attr(addr, "type");
        if (!addr || !atype || !streq(atype, "pci"))
                return domxml_parse_error(
                        st, source, -EINVAL,
                        "<source> of <interface type='hostdev'> must be <address type='pci' .../> "
                        "naming the VF; a USB network device goes in <hostdev type='usb'>");
        if ((r = domxml_parse_pci_address(st, addr, &vf->pci.addr)) < 0)
                return r;

        if ((c = domxml_child(node, "vlan")) && (r = parse_vlan(st, c, &vf->vlan)) < 0)
                return r;
        if ((c = domxml_child(node, "virtualport")) && (r = parse_virtualport(st, c, &vf->virtualport)) < 0)
                return r;
        if ((r = domxml_parse_teaming(st, node, def)) < 0)
                return r;
        if ((c = domxml_child(node, "link")) && (r = parse_link(st, c, &vf->link)) < 0)
                return r;
        return domxml_parse_device_info(st, node, def);
}
