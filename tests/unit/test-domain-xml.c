/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Domain XML model: data-driven round trips, located errors, the fields each element fills. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <string.h>

#include "domain/domain-internal.h"
#include "hostdev/context.h"
#include "hostdev/domain.h"
#include "util/strutil.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct hd_domain_def *, hd_domain_def_free)
#define _cleanup_def_ _cleanup_(hd_domain_def_freep)

static char *read_file(const char *path, size_t *ret_len) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        struct strbuf b = {};
        char buf[4096];
        size_t n;

        if (!f)
                return NULL;
        while ((n = fread(buf, 1, sizeof(buf) - 1, f)) > 0) {
                buf[n] = 0;
                strbuf_append(&b, buf);
        }
        if (ret_len)
                *ret_len = b.len;
        return strbuf_steal(&b);
}

static int write_file(const char *path, const char *s) {
        _cleanup_fclose_ FILE *f = fopen(path, "we");
        if (!f)
                return -errno;
        return fputs(s, f) < 0 ? -EIO : 0;
}

static const char *data_dir(void) {
        const char *d = getenv("HOSTDEV_TEST_DATA");
        return d ? d : "tests/data";
}

static int xml_filter(const struct dirent *e) {
        size_t n = strlen(e->d_name);
        return n > 4 && streq(e->d_name + n - 4, ".xml");
}

static bool regenerate(void) {
        const char *r = getenv("HOSTDEV_REGENERATE");
        return r && streq(r, "1");
}

/* Parse FILE from domainxml/ (or a subfolder); fail the test with the message on error. */
static struct hd_domain_def *parse_data(struct hd_context *ctx, const char *name) {
        _cleanup_free_ char *path = strdupf("%s/domainxml/%s", data_dir(), name);
        _cleanup_free_ char *xml = NULL;
        struct hd_domain_def *def = NULL;
        size_t len;
        int r;

        xml = read_file(path, &len);
        assert_non_null(xml);
        r = hd_domain_parse(ctx, xml, len, name, &def);
        if (r < 0)
                fail_msg("%s: %s", name, hd_context_last_error(ctx));
        return def;
}

static void assert_reparses_equal(struct hd_context *ctx, const struct hd_domain_def *def, const char *xml,
                                  const char *what) {
        _cleanup_def_ struct hd_domain_def *again = NULL;

        if (hd_domain_parse(ctx, xml, strlen(xml), what, &again) < 0)
                fail_msg("%s does not parse again: %s\n%s", what, hd_context_last_error(ctx), xml);
        if (!domxml_domain_def_equal(def, again))
                fail_msg("%s: parse(print(x)) != x\n%s", what, xml);
}

/*
 * Like libvirt's domain xml2xml tests: every input in domainxml/, parsed
 * and printed, must equal domainxml/out/NAME; inputs not named norm-* are
 * already in libvirt's spelling and must equal their output too.
 * HOSTDEV_REGENERATE=1 rewrites the expected outputs instead.
 */
static void test_round_trips(void **state) {
        struct hd_context *ctx = *state;
        _cleanup_free_ char *dir = strdupf("%s/domainxml", data_dir());
        struct dirent **list = NULL;
        int n = scandir(dir, &list, xml_filter, alphasort);

        assert_true(n > 10);
        for (int i = 0; i < n; i++) {
                const char *name = list[i]->d_name;
                _cleanup_free_ char *in_path = strdupf("%s/%s", dir, name);
                _cleanup_free_ char *out_path = strdupf("%s/out/%s", dir, name);
                _cleanup_free_ char *in = read_file(in_path, NULL), *expected = NULL, *out = NULL,
                                    *out2 = NULL, *whole = NULL;
                _cleanup_def_ struct hd_domain_def *def = parse_data(ctx, name), *def2 = NULL;
                bool is_domain = strstr(in, "<domain") != NULL;

                assert_int_equal(hd_domain_format(ctx, def, is_domain, &out), 0);
                if (regenerate())
                        assert_int_equal(write_file(out_path, out), 0);
                expected = read_file(out_path, NULL);
                if (!expected)
                        fail_msg("%s: no expected output; run with HOSTDEV_REGENERATE=1", out_path);
                if (!streq(out, expected))
                        fail_msg("%s: printed\n%s\nexpected\n%s", name, out, expected);
                if (!startswith(name, "norm-") && !streq(in, out))
                        fail_msg("%s: print(parse(file)) != file\n%s", name, out);

                /* parse(print(x)) == x, and printing is a fixed point. */
                assert_int_equal(hd_domain_parse(ctx, out, strlen(out), name, &def2), 0);
                if (!domxml_domain_def_equal(def, def2))
                        fail_msg("%s: parse(print(x)) != x", name);
                assert_int_equal(hd_domain_format(ctx, def2, is_domain, &out2), 0);
                assert_string_equal(out, out2);

                /* Each device on its own, and the whole list as a domain. */
                for (size_t j = 0; j < def->n_hostdevs; j++) {
                        _cleanup_free_ char *one = NULL;
                        _cleanup_def_ struct hd_domain_def *single = NULL;
                        assert_int_equal(hd_hostdev_format(ctx, &def->hostdevs[j], &one), 0);
                        assert_int_equal(hd_domain_parse(ctx, one, strlen(one), name, &single), 0);
                        assert_int_equal(single->n_hostdevs, 1);
                        assert_true(domxml_hostdev_def_equal(&def->hostdevs[j], &single->hostdevs[0]));
                }
                if (!def->name)
                        def->name = strdup("round-trip");
                assert_int_equal(hd_domain_format(ctx, def, true, &whole), 0);
                assert_reparses_equal(ctx, def, whole, name);
                free(list[i]);
        }
        free(list);
}

/* domainxml/bad/NAME.xml fails with exactly the message in NAME.err. */
static void test_bad_inputs(void **state) {
        struct hd_context *ctx = *state;
        _cleanup_free_ char *dir = strdupf("%s/domainxml/bad", data_dir());
        struct dirent **list = NULL;
        int n = scandir(dir, &list, xml_filter, alphasort);

        assert_true(n > 10);
        for (int i = 0; i < n; i++) {
                const char *name = list[i]->d_name;
                _cleanup_free_ char *path = strdupf("%s/%s", dir, name);
                _cleanup_free_ char *err_path = strdupf("%.*s.err", (int)(strlen(path) - 4), path);
                _cleanup_free_ char *xml = NULL, *expected = NULL, *msg = NULL;
                _cleanup_def_ struct hd_domain_def *def = NULL;
                size_t len;
                int r;

                xml = read_file(path, &len);
                assert_non_null(xml);
                r = hd_domain_parse(ctx, xml, len, name, &def);
                if (r >= 0)
                        fail_msg("%s: parsed, but it should fail", name);
                assert_int_equal(r, -EINVAL);
                assert_null(def);
                assert_non_null(hd_context_last_error(ctx));
                msg = strdupf("%s\n", hd_context_last_error(ctx));
                if (regenerate())
                        assert_int_equal(write_file(err_path, msg), 0);
                expected = read_file(err_path, NULL);
                if (!expected)
                        fail_msg("%s: no expected message; run with HOSTDEV_REGENERATE=1", err_path);
                assert_string_equal(msg, expected);
                free(list[i]);
        }
        free(list);
}

static void test_pci_fields(void **state) {
        _cleanup_def_ struct hd_domain_def *def = parse_data(*state, "hostdev-pci.xml");
        const struct hd_hostdev_def *h;

        assert_int_equal(def->n_hostdevs, 1);
        assert_null(def->name);
        assert_string_equal(def->uuid, "");
        h = &def->hostdevs[0];
        assert_int_equal(h->kind, HD_HOSTDEV_PCI);
        assert_int_equal(h->line, 1);
        assert_true(h->managed);
        assert_int_equal(h->pci.backend, HD_PCI_BACKEND_VFIO);
        assert_int_equal(h->pci.addr.domain, 0);
        assert_int_equal(h->pci.addr.bus, 6);
        assert_int_equal(h->pci.addr.slot, 0x12);
        assert_int_equal(h->pci.addr.function, 5);
        assert_int_equal(h->info.boot_order, 1);
        assert_string_equal(h->info.alias, "ua-gpu0");
        assert_int_equal(h->info.rom_bar, HD_TRISTATE_NO);
        assert_int_equal(h->info.rom_enabled, HD_TRISTATE_ABSENT);
        assert_string_equal(h->info.rom_file, "/usr/share/firmware/gpu&vbios's.rom");
        assert_int_equal(h->info.address.type, HD_GUEST_ADDRESS_PCI);
        assert_int_equal(h->info.address.pci.slot, 5);
}

static void test_kinds_and_marks(void **state) {
        static const struct {
                const char *file;
                enum hd_hostdev_kind kind;
        } cases[] = {
                { "hostdev-usb-both.xml", HD_HOSTDEV_USB },      { "hostdev-scsi.xml", HD_HOSTDEV_SCSI },
                { "hostdev-scsi-iscsi.xml", HD_HOSTDEV_SCSI },   { "hostdev-mdev-ccw.xml", HD_HOSTDEV_MDEV },
                { "hostdev-caps-storage.xml", HD_HOSTDEV_CAPS }, { "hostdev-caps-net.xml", HD_HOSTDEV_CAPS },
                { "interface-hostdev.xml", HD_HOSTDEV_NET_VF },
        };
        struct hd_context *ctx = *state;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_def_ struct hd_domain_def *def = parse_data(ctx, cases[i].file);
                assert_int_equal(def->n_hostdevs, 1);
                assert_int_equal(def->hostdevs[0].kind, cases[i].kind);
        }

        /* What the manager refuses must be recognisable without string compares. */
        {
                _cleanup_def_ struct hd_domain_def *def = parse_data(ctx, "hostdev-scsi-iscsi.xml");
                const struct hd_hostdev_scsi *s = &def->hostdevs[0].scsi;
                assert_int_equal(s->protocol, HD_SCSI_PROTOCOL_ISCSI);
                assert_string_equal(s->iscsi_name, "iqn.2014-08.com.example:iscsi-nopool/1");
                assert_string_equal(s->iscsi_host, "example.com");
                assert_int_equal(s->iscsi_port, 3260);
                assert_string_equal(s->secret_usage, "libvirtiscsi");
        }
        {
                _cleanup_def_ struct hd_domain_def *def = parse_data(ctx, "hostdev-caps-storage.xml");
                assert_int_equal(def->hostdevs[0].caps.type, HD_HOSTDEV_CAPS_STORAGE);
                assert_string_equal(def->hostdevs[0].caps.source, "/dev/sdf1");
                assert_false(def->hostdevs[0].managed);
        }
        {
                _cleanup_def_ struct hd_domain_def *def = parse_data(ctx, "hostdev-scsi.xml");
                const struct hd_hostdev_def *h = &def->hostdevs[0];
                assert_int_equal(h->scsi.protocol, HD_SCSI_PROTOCOL_ADAPTER);
                assert_string_equal(h->scsi.adapter, "scsi_host0");
                assert_int_equal(h->scsi.target, 3);
                assert_true(h->scsi.unit == UINT64_MAX);
                assert_int_equal(h->scsi.sgio, HD_SGIO_FILTERED);
                assert_int_equal(h->scsi.rawio, HD_TRISTATE_YES);
                assert_true(h->readonly && h->shareable);
        }
        {
                _cleanup_def_ struct hd_domain_def *def = parse_data(ctx, "hostdev-usb-both.xml");
                const struct hd_hostdev_usb *u = &def->hostdevs[0].usb;
                assert_true(u->has_product && u->has_address);
                assert_int_equal(u->vendor, 0x1d6b);
                assert_int_equal(u->product, 2);
                assert_int_equal(u->bus, 2);
                assert_int_equal(u->device, 1);
                assert_int_equal(u->startup_policy, HD_STARTUP_POLICY_REQUISITE);
        }
}

static void test_interface_fields(void **state) {
        static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x6d, 0x90, 0x02 };
        _cleanup_def_ struct hd_domain_def *def = parse_data(*state, "interface-hostdev.xml");
        _cleanup_def_ struct hd_domain_def *trunk = parse_data(*state, "interface-hostdev-trunk.xml");
        const struct hd_hostdev_net_vf *vf = &def->hostdevs[0].net_vf, *t = &trunk->hostdevs[0].net_vf;

        assert_true(def->hostdevs[0].managed);
        assert_true(vf->has_mac);
        assert_memory_equal(vf->mac, mac, 6);
        assert_int_equal(vf->pci.backend, HD_PCI_BACKEND_VFIO);
        assert_int_equal(vf->pci.addr.bus, 3);
        assert_int_equal(vf->pci.addr.slot, 0x10);
        assert_int_equal(vf->pci.addr.function, 2);
        assert_int_equal(vf->vlan.n_tags, 1);
        assert_int_equal(vf->vlan.tags[0].id, 42);
        assert_false(vf->vlan.trunk);
        assert_int_equal(vf->virtualport.type, HD_VIRTUALPORT_8021QBH);
        assert_string_equal(vf->virtualport.profile_id, "finance");

        assert_false(trunk->hostdevs[0].managed);
        assert_true(t->vlan.trunk);
        assert_int_equal(t->vlan.n_tags, 2);
        assert_int_equal(t->vlan.tags[1].id, 4095);
        assert_int_equal(t->vlan.tags[1].native_mode, HD_VLAN_NATIVE_UNTAGGED);
        assert_int_equal(t->virtualport.type, HD_VIRTUALPORT_8021QBG);
        assert_int_equal(t->virtualport.manager_id, 11);
        assert_int_equal(t->virtualport.type_id, 1193047);
        assert_int_equal(t->virtualport.type_id_version, 2);
        assert_string_equal(t->virtualport.instance_id, "09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f");
}

static void test_domain_fields(void **state) {
        static const enum hd_hostdev_kind order[] = { HD_HOSTDEV_NET_VF, HD_HOSTDEV_PCI, HD_HOSTDEV_USB,
                                                      HD_HOSTDEV_MDEV };
        _cleanup_def_ struct hd_domain_def *def = parse_data(*state, "domain.xml");
        _cleanup_def_ struct hd_domain_def *rich = parse_data(*state, "norm-domain-rich.xml");
        _cleanup_def_ struct hd_domain_def *wrap = parse_data(*state, "norm-wrapper.xml");

        assert_string_equal(def->name, "guest-passthrough");
        assert_string_equal(def->uuid, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
        assert_int_equal(def->n_hostdevs, ELEMENTSOF(order));
        for (size_t i = 0; i < ELEMENTSOF(order); i++)
                assert_int_equal(def->hostdevs[i].kind, order[i]);
        assert_int_equal(def->hostdevs[0].line, 9);

        /* Other devices and interface types are skipped; spellings are normalised. */
        assert_string_equal(rich->name, "web01");
        assert_string_equal(rich->uuid, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
        assert_int_equal(rich->n_hostdevs, 5);
        assert_int_equal(rich->hostdevs[0].pci.addr.slot, 18);
        assert_false(rich->hostdevs[1].net_vf.vlan.trunk);

        /* A wrapper's direct children only, as libvirt reads <devices>. */
        assert_int_equal(wrap->n_hostdevs, 1);
        assert_false(wrap->hostdevs[0].managed);
}

/* Controllers, the machine, teaming and a USB device's resets: what qemu-args needs beyond the devices. */
static void test_controller_fields(void **state) {
        _cleanup_def_ struct hd_domain_def *def = parse_data(*state, "domain-controllers.xml");
        _cleanup_def_ struct hd_domain_def *rich = parse_data(*state, "norm-domain-rich.xml");
        const struct hd_controller_def *c = def->controllers;

        assert_string_equal(def->arch, "x86_64");
        assert_string_equal(def->machine, "pc-q35-7.2");
        assert_int_equal(def->n_controllers, 5);
        assert_int_equal(c[0].type, HD_CONTROLLER_SCSI);
        assert_int_equal(c[0].index, 0);
        assert_int_equal(c[0].model, HD_SCSI_MODEL_VIRTIO_SCSI);
        assert_string_equal(c[0].alias, "ua-scsi");
        assert_int_equal(c[0].address.type, HD_GUEST_ADDRESS_PCI);
        assert_int_equal(c[0].address.pci.slot, 5);
        assert_int_equal(c[1].model, HD_SCSI_MODEL_LSILOGIC);
        assert_int_equal(c[1].master_startport, -1);
        assert_int_equal(c[2].type, HD_CONTROLLER_USB);
        assert_int_equal(c[2].model, HD_USB_MODEL_ICH9_EHCI1);
        assert_int_equal(c[3].index, 0);
        assert_int_equal(c[3].master_startport, 0);
        assert_int_equal(c[4].index, 1);
        assert_int_equal(c[4].model, HD_USB_MODEL_QEMU_XHCI);

        assert_string_equal(def->hostdevs[0].teaming, "ua-backup0");
        assert_string_equal(def->hostdevs[1].teaming, "ua-backup1");
        assert_int_equal(def->hostdevs[2].usb.guest_reset, HD_USB_GUEST_RESET_UNINITIALIZED);
        assert_int_equal(def->hostdevs[2].info.address.usb.bus, 1);
        assert_string_equal(def->hostdevs[2].info.address.usb.port, "2");
        /* libvirt ignores managed for SCSI: kept as written, refused by nothing. */
        assert_true(def->hostdevs[3].managed);
        assert_int_equal(def->hostdevs[3].info.address.drive.unit, 7);

        /* Other controllers are skipped; an index left out is the next free one; other address types are not kept. */
        assert_int_equal(rich->n_controllers, 3);
        assert_int_equal(rich->controllers[0].type, HD_CONTROLLER_USB);
        assert_int_equal(rich->controllers[0].index, 0);
        assert_int_equal(rich->controllers[1].type, HD_CONTROLLER_SCSI);
        assert_int_equal(rich->controllers[1].index, 0);
        assert_int_equal(rich->controllers[1].address.pci.bus, 2);
        assert_int_equal(rich->controllers[2].index, 3);
        assert_int_equal(rich->controllers[2].model, HD_SCSI_MODEL_DEFAULT);
        assert_int_equal(rich->controllers[2].address.type, HD_GUEST_ADDRESS_NONE);
}

static void test_enums(void **state) {
#define CHECK_ENUM(name, max)                                                                                \
        do {                                                                                                 \
                for (int i = 0; i < (max); i++) {                                                            \
                        const char *s = name##_to_string(i);                                                 \
                        assert_non_null(s);                                                                  \
                        assert_int_equal(name##_from_string(s), i);                                          \
                }                                                                                            \
                assert_null(name##_to_string(max));                                                          \
                assert_null(name##_to_string(-1));                                                           \
                assert_int_equal(name##_from_string("no-such-value"), -1);                                   \
                assert_int_equal(name##_from_string(NULL), -1);                                              \
        } while (0)
        CHECK_ENUM(hd_hostdev_kind, _HD_HOSTDEV_KIND_MAX);
        CHECK_ENUM(hd_pci_backend, _HD_PCI_BACKEND_MAX);
        CHECK_ENUM(hd_startup_policy, _HD_STARTUP_POLICY_MAX);
        CHECK_ENUM(hd_sgio, _HD_SGIO_MAX);
        CHECK_ENUM(hd_scsi_protocol, _HD_SCSI_PROTOCOL_MAX);
        CHECK_ENUM(hd_mdev_model, _HD_MDEV_MODEL_MAX);
        CHECK_ENUM(hd_hostdev_caps_type, _HD_HOSTDEV_CAPS_TYPE_MAX);
        CHECK_ENUM(hd_guest_address_type, _HD_GUEST_ADDRESS_TYPE_MAX);
        CHECK_ENUM(hd_vlan_native_mode, _HD_VLAN_NATIVE_MODE_MAX);
        CHECK_ENUM(hd_virtualport_type, _HD_VIRTUALPORT_TYPE_MAX);
        CHECK_ENUM(hd_usb_guest_reset, _HD_USB_GUEST_RESET_MAX);
        CHECK_ENUM(hd_controller_type, _HD_CONTROLLER_TYPE_MAX);
        CHECK_ENUM(hd_scsi_model, _HD_SCSI_MODEL_MAX);
        CHECK_ENUM(hd_usb_model, _HD_USB_MODEL_MAX);
#undef CHECK_ENUM
        assert_string_equal(hd_virtualport_type_to_string(HD_VIRTUALPORT_8021QBH), "802.1Qbh");
        assert_string_equal(hd_mdev_model_to_string(HD_MDEV_MODEL_VFIO_AP), "vfio-ap");
}

/* Values no file holds: every character that needs escaping, built in code. */
static void test_escaping(void **state) {
        struct hd_context *ctx = *state;
        _cleanup_def_ struct hd_domain_def *def = calloc(1, sizeof(*def));
        _cleanup_free_ char *xml = NULL;

        assert_non_null(def);
        def->name = strdup("a<b>&'\"c");
        def->hostdevs = calloc(2, sizeof(*def->hostdevs));
        def->n_hostdevs = 2;
        def->hostdevs[0].kind = HD_HOSTDEV_PCI;
        def->hostdevs[0].info.rom_file = strdup("/rom\nwith\ttabs\r&<'\">");
        def->hostdevs[1].kind = HD_HOSTDEV_CAPS;
        def->hostdevs[1].caps.type = HD_HOSTDEV_CAPS_MISC;
        def->hostdevs[1].caps.source = strdup("/dev/a&b<c>");
        assert_int_equal(hd_domain_format(ctx, def, true, &xml), 0);
        assert_non_null(strstr(xml, "<name>a&lt;b&gt;&amp;&apos;&quot;c</name>"));
        assert_non_null(strstr(xml, "file='/rom&#10;with&#9;tabs&#13;&amp;&lt;&apos;&quot;&gt;'"));
        assert_reparses_equal(ctx, def, xml, "escaping");
}

static void test_format_forms(void **state) {
        struct hd_context *ctx = *state;
        _cleanup_def_ struct hd_domain_def *empty = calloc(1, sizeof(*empty));
        _cleanup_def_ struct hd_domain_def *def = parse_data(ctx, "hostdev-pci-minimal.xml");
        _cleanup_free_ char *xml = NULL;

        assert_int_equal(hd_domain_format(ctx, empty, false, &xml), 0);
        assert_string_equal(xml, "<devices>\n</devices>\n");

        /* A whole domain needs a name; the message says what to do. */
        assert_int_equal(hd_domain_format(ctx, def, true, &xml), -EINVAL);
        assert_non_null(strstr(hd_context_last_error(ctx), "needs a name"));
}

static void test_parse_file(void **state) {
        struct hd_context *ctx = *state;
        _cleanup_free_ char *path = strdupf("%s/domainxml/domain.xml", data_dir());
        _cleanup_def_ struct hd_domain_def *def = NULL;

        assert_int_equal(hd_domain_parse_file(ctx, path, &def), 0);
        assert_int_equal(def->n_hostdevs, 4);
        assert_int_equal(hd_domain_parse_file(ctx, "/nonexistent/vm.xml", &def), -ENOENT);
        assert_non_null(strstr(hd_context_last_error(ctx), "/nonexistent/vm.xml"));

        /* Without a file name, messages still say where. */
        def = hd_domain_def_free(def);
        assert_int_equal(hd_domain_parse(ctx, "<hostdev/>", 10, NULL, &def), -EINVAL);
        assert_string_equal(hd_context_last_error(ctx),
                            "input:1: <hostdev> has no type; write type='pci', 'usb', 'scsi' or 'mdev'");
        /* Lines past 65535 (libxml2 needs XML_PARSE_BIG_LINES for them). */
        {
                struct strbuf b = {};
                _cleanup_free_ char *big = NULL;
                strbuf_append(&b, "<devices>");
                for (int i = 0; i < 70000; i++)
                        strbuf_append(&b, "\n");
                strbuf_append(&b, "<hostdev type='usb'/></devices>");
                big = strbuf_steal(&b);
                assert_int_equal(hd_domain_parse(ctx, big, strlen(big), "big.xml", &def), -EINVAL);
                assert_non_null(startswith(hd_context_last_error(ctx), "big.xml:70001: "));
        }
        /* Bytes past LEN are not read: the buffer need not end in NUL. */
        assert_int_equal(hd_domain_parse(ctx, "<devices/>garbage", 10, NULL, &def), 0);
        assert_int_equal(def->n_hostdevs, 0);
}

static int setup(void **state) {
        struct hd_context *ctx;
        assert_int_equal(hd_context_new(&ctx), 0);
        *state = ctx;
        return 0;
}

static int teardown(void **state) {
        hd_context_free(*state);
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trips),
                cmocka_unit_test(test_bad_inputs),
                cmocka_unit_test(test_pci_fields),
                cmocka_unit_test(test_kinds_and_marks),
                cmocka_unit_test(test_interface_fields),
                cmocka_unit_test(test_domain_fields),
                cmocka_unit_test(test_controller_fields),
                cmocka_unit_test(test_enums),
                cmocka_unit_test(test_escaping),
                cmocka_unit_test(test_format_forms),
                cmocka_unit_test(test_parse_file),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
