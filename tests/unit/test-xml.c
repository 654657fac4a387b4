/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Node device XML and JSON: data-driven round trips, errors with line:column, JSON fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <json-c/json.h>
#include <math.h>
#include <string.h>

#include "hostdev/context.h"
#include "hostdev/format.h"
#include "inventory/probe.h"
#include "util/strutil.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct hd_device *, hd_device_free)

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

/*
 * Like libvirt's nodedevxml2xmltest: every document in FOLDER, parsed and
 * printed, must come out as it went in. HOSTDEV_REGENERATE=1 writes what
 * we print back into the file instead, for a reviewed update.
 */
static void round_trip_folder(struct hd_context *ctx, const char *folder) {
        _cleanup_free_ char *dir = strdupf("%s/%s", data_dir(), folder);
        const char *regen = getenv("HOSTDEV_REGENERATE");
        struct dirent **list = NULL;
        int n, failed = 0;

        n = scandir(dir, &list, xml_filter, alphasort);
        assert_true(n > 0);
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *path = strdupf("%s/%s", dir, list[i]->d_name);
                _cleanup_free_ char *in = NULL, *out = NULL;
                _cleanup_(hd_device_freep) struct hd_device *d = NULL;
                size_t len = 0;
                int r;

                in = read_file(path, &len);
                assert_non_null(in);
                r = hd_device_from_xml(ctx, in, len, &d);
                if (r < 0) {
                        fprintf(stderr, "FAIL %s: parse: %s\n", list[i]->d_name, hd_context_last_error(ctx));
                        failed++;
                } else if ((r = hd_device_to_xml(ctx, d, &out)) < 0) {
                        fprintf(stderr, "FAIL %s: print: %s\n", list[i]->d_name, hd_context_last_error(ctx));
                        failed++;
                } else if (!streq(in, out)) {
                        if (regen && streq(regen, "1")) {
                                assert_int_equal(write_file(path, out), 0);
                                fprintf(stderr, "regenerated %s\n", list[i]->d_name);
                        } else {
                                fprintf(stderr, "FAIL %s: printed differs\n--- expected\n%s--- printed\n%s",
                                        list[i]->d_name, in, out);
                                failed++;
                        }
                }
                free(list[i]);
        }
        free(list);
        assert_int_equal(failed, 0);
}

static void test_round_trip(void **state) {
        round_trip_folder(*state, "nodedevxml");
}

/* virsh nodedev-create/define input: no <name>, no <host>; outside nodedev.rng, so in a folder of its own. */
static void test_round_trip_create(void **state) {
        round_trip_folder(*state, "nodedevxml-create");
}

static int parse_str(struct hd_context *ctx, const char *xml, struct hd_device **ret) {
        return hd_device_from_xml(ctx, xml, strlen(xml), ret);
}

static void assert_error_contains(struct hd_context *ctx, const char *needle) {
        const char *e = hd_context_last_error(ctx);
        assert_non_null(e);
        if (!strstr(e, needle)) {
                fprintf(stderr, "error '%s' lacks '%s'\n", e, needle);
                fail();
        }
}

static void test_malformed(void **state) {
        struct hd_context *ctx = *state;
        struct hd_device *d = NULL;

        /* The end tag on line 4 does not match <capability> of line 3. */
        assert_int_equal(parse_str(ctx,
                                   "<device>\n"
                                   "  <name>x</name>\n"
                                   "  <capability type='pci'>\n"
                                   "</device>\n",
                                   &d),
                         -EINVAL);
        assert_null(d);
        assert_error_contains(ctx, "node device XML:4:10: ");
        assert_error_contains(ctx, "mismatch");

        assert_int_equal(parse_str(ctx, "<device><name>a & b</name></device>", &d), -EINVAL);
        assert_error_contains(ctx, "node device XML:1:");

        assert_int_equal(parse_str(ctx, "", &d), -EINVAL);
        assert_error_contains(ctx, "node device XML:");
}

static void test_invalid(void **state) {
        struct hd_context *ctx = *state;
        struct hd_device *d = NULL;

        assert_int_equal(parse_str(ctx, "<domain/>", &d), -EINVAL);
        assert_error_contains(ctx, "<domain>; a node device is <device>");

        assert_int_equal(parse_str(ctx, "<device>\n<name>x</name>\n</device>", &d), -EINVAL);
        assert_error_contains(ctx, "no <capability>");

        /* Found by fuzzing: a repeated sub-capability leaked the first one's WWNs. */
        assert_int_equal(parse_str(ctx,
                                   "<device><name>scsi_host5</name><capability type='scsi_host'><host>5</host>\n"
                                   "<capability type='fc_host'><wwnn>2000f4e9d4eb02c9</wwnn><wwpn>2001f4e9d4eb02c9</wwpn></capability>\n"
                                   "<capability type='fc_host'><wwnn>2000f4e9d4eb02c9</wwnn><wwpn>2001f4e9d4eb02c9</wwpn></capability>\n"
                                   "</capability></device>",
                                   &d),
                         -EINVAL);
        assert_null(d);
        assert_error_contains(ctx, "node device XML:3: a second <capability type='fc_host'>");

        assert_int_equal(parse_str(ctx,
                                   "<device>\n  <name>x</name>\n"
                                   "  <capability type='pci'>\n"
                                   "    <bus>0</bus>\n"
                                   "  </capability>\n</device>",
                                   &d),
                         -EINVAL);
        assert_error_contains(ctx, "node device XML:3: <capability type='pci'> has no <domain>");

        /* nodedev.rng allows any unsignedLong; libvirt keeps an unsigned int, and so do we. */
        assert_int_equal(parse_str(ctx,
                                   "<device><name>x</name><capability type='pci'>\n"
                                   "<domain>0</domain><bus>4294967296</bus></capability></device>",
                                   &d),
                         -EINVAL);
        assert_error_contains(ctx, "node device XML:2: <bus> is '4294967296'");

        assert_int_equal(parse_str(ctx, "<device><name>x</name><capability type='bogus'/></device>", &d),
                         -EINVAL);
        assert_error_contains(ctx, "unknown device capability type 'bogus'");

        assert_int_equal(parse_str(ctx,
                                   "<device><name>x</name><parent wwnn='2000f4e9d4eb02c9'/>"
                                   "<capability type='scsi_host'/></device>",
                                   &d),
                         -EINVAL);
        assert_error_contains(ctx, "wwnn= and wwpn= together");

        assert_int_equal(parse_str(ctx,
                                   "<device><name>x</name><capability type='mdev'>"
                                   "<type id='t'/><uuid>not-a-uuid</uuid></capability></device>",
                                   &d),
                         -EINVAL);
        assert_error_contains(ctx, "'not-a-uuid' is not a UUID");

        assert_int_equal(parse_str(ctx,
                                   "<device><name>x</name><capability type='net'><interface>e</interface>"
                                   "<link state='sideways'/></capability></device>",
                                   &d),
                         -EINVAL);
        assert_error_contains(ctx, "link state 'sideways'");
        assert_null(d);
}

/* What the parser normalises: upper-case UUIDs, 0x on WWNs, virsh's <feature> lines. */
static void test_normalise(void **state) {
        struct hd_context *ctx = *state;
        _cleanup_(hd_device_freep) struct hd_device *d = NULL, *n = NULL;
        _cleanup_free_ char *out = NULL, *out2 = NULL;

        assert_int_equal(parse_str(ctx,
                                   "<device><name>x</name><parent wwnn='0x2000F4E9D4EB02C9' wwpn='0x2001f4e9d4eb02c9'/>"
                                   "<capability type='mdev'><type id='t'/>"
                                   "<uuid>D069D01936EA41118F0A8C9A70E21366</uuid></capability></device>",
                                   &d),
                         0);
        assert_string_equal(d->parent_wwnn, "2000F4E9D4EB02C9");
        assert_string_equal(d->parent_wwpn, "2001f4e9d4eb02c9");
        assert_string_equal(d->caps->mdev.uuid, "d069d019-36ea-4111-8f0a-8c9a70e21366");
        assert_int_equal(d->caps->mdev.iommu_group, -1);

        /* What virsh prints on this host parses; the features fall away (doc/libvirt-differences.md). */
        assert_int_equal(parse_str(ctx,
                                   "<device>\n  <name>net_lo_00_00_00_00_00_00</name>\n"
                                   "  <path>/sys/devices/virtual/net/lo</path>\n  <parent>computer</parent>\n"
                                   "  <capability type='net'>\n    <interface>lo</interface>\n"
                                   "    <address>00:00:00:00:00:00</address>\n"
                                   "    <link speed='4294967295' state='unknown'/>\n"
                                   "    <feature name='rx'/>\n    <capability type='80203'/>\n"
                                   "  </capability>\n</device>\n",
                                   &n),
                         0);
        assert_int_equal(n->caps->net.speed, 4294967295u);
        assert_string_equal(n->sysname, "lo");
        n->caps->net.speed = 0;
        assert_int_equal(hd_device_to_xml(ctx, n, &out), 0);
        assert_null(strstr(out, "feature"));
        assert_non_null(strstr(out, "    <link state='unknown'/>\n"));
        (void)out2;
}

/* A device NAME with one capability of TYPE (*RET_CAP), made as the inventory makes them. */
static struct hd_device *device_by_hand(const char *name, enum hd_cap_type type, struct hd_cap **ret_cap) {
        struct hd_device *d = calloc(1, sizeof(*d));
        struct hd_cap *c;

        assert_non_null(d);
        d->name = strdup(name);
        c = hd_device_add_cap(d, type);
        assert_non_null(c);
        if (ret_cap)
                *ret_cap = c;
        return d;
}

/* Built by hand, as the inventory builds them: without DMI, the schema's mandatory <uuid> is the nil UUID. */
static void test_print_absent(void **state) {
        struct hd_context *ctx = *state;
        _cleanup_(hd_device_freep) struct hd_device *d = device_by_hand("computer", HD_CAP_SYSTEM, NULL);
        _cleanup_free_ char *out = NULL, *out2 = NULL;
        struct hd_cap *c;

        assert_int_equal(hd_device_to_xml(ctx, d, &out), 0);
        assert_string_equal(out, "<device>\n"
                                 "  <name>computer</name>\n"
                                 "  <capability type='system'>\n"
                                 "    <hardware>\n"
                                 "      <uuid>00000000-0000-0000-0000-000000000000</uuid>\n"
                                 "    </hardware>\n"
                                 "    <firmware>\n"
                                 "    </firmware>\n"
                                 "  </capability>\n"
                                 "</device>\n");

        /* Attribute values keep quotes, tabs and newlines through a round trip. */
        c = hd_device_add_cap(d, HD_CAP_MDEV);
        assert_non_null(c);
        c->mdev.type = strdup("it's");
        c->mdev.iommu_group = -1;
        c->mdev.attrs = calloc(1, sizeof(*c->mdev.attrs));
        c->mdev.n_attrs = 1;
        c->mdev.attrs[0].name = strdup("a\tb");
        c->mdev.attrs[0].value = strdup("x\n'y' & \"z\" <w>");
        free(out);
        out = NULL;
        assert_int_equal(hd_device_to_xml(ctx, d, &out), 0);
        assert_non_null(strstr(out, "<type id='it&apos;s'/>"));
        assert_non_null(strstr(out, "<attr name='a&#9;b' value='x&#10;&apos;y&apos; &amp; &quot;z&quot; &lt;w&gt;'/>"));
        {
                _cleanup_(hd_device_freep) struct hd_device *back = NULL;
                assert_int_equal(parse_str(ctx, out, &back), 0);
                assert_string_equal(back->caps->next->mdev.attrs[0].value, "x\n'y' & \"z\" <w>");
                assert_string_equal(back->caps->next->mdev.attrs[0].name, "a\tb");
                assert_int_equal(hd_device_to_xml(ctx, back, &out2), 0);
                assert_string_equal(out, out2);
        }
}

static json_object *jget(json_object *o, const char *path) {
        _cleanup_free_ char *copy = strdup(path);
        char *save = NULL;

        for (char *k = strtok_r(copy, ".", &save); k && o; k = strtok_r(NULL, ".", &save)) {
                char *end;
                long idx = strtol(k, &end, 10);
                if (*end == 0 && json_object_is_type(o, json_type_array))
                        o = json_object_array_get_idx(o, (size_t)idx);
                else if (!json_object_object_get_ex(o, k, &o))
                        o = NULL;
        }
        return o;
}

static const char *jstr(json_object *o, const char *path) {
        json_object *v = jget(o, path);
        return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static int64_t jint(json_object *o, const char *path) {
        json_object *v = jget(o, path);
        assert_non_null(v);
        assert_true(json_object_is_type(v, json_type_int));
        return json_object_get_int64(v);
}

static json_object *json_of_file(struct hd_context *ctx, const char *folder, const char *file) {
        _cleanup_free_ char *path = strdupf("%s/%s/%s", data_dir(), folder, file);
        _cleanup_free_ char *in = NULL, *js = NULL;
        _cleanup_(hd_device_freep) struct hd_device *d = NULL;
        json_object *o;
        size_t len;

        in = read_file(path, &len);
        assert_non_null(in);
        assert_int_equal(hd_device_from_xml(ctx, in, len, &d), 0);
        assert_int_equal(hd_device_to_json(ctx, d, &js), 0);
        assert_true(strlen(js) > 0 && js[strlen(js) - 1] == '\n');
        o = json_tokener_parse(js);
        assert_non_null(o);
        return o;
}

static void test_json_pci(void **state) {
        json_object *o = json_of_file(*state, "nodedevxml", "pci_0000_3b_00_0_sriov_pf.xml");
        json_object *v;

        assert_string_equal(jstr(o, "name"), "pci_0000_3b_00_0");
        assert_string_equal(jstr(o, "path"), "/sys/devices/pci0000:3a/0000:3a:00.0/0000:3b:00.0");
        assert_string_equal(jstr(o, "parent"), "pci_0000_3a_00_0");
        assert_string_equal(jstr(o, "driver"), "igb");
        assert_int_equal(json_object_array_length(jget(o, "devnodes")), 0);
        assert_string_equal(jstr(o, "capabilities.0.type"), "pci");
        assert_string_equal(jstr(o, "capabilities.0.class"), "0x020000");
        assert_int_equal(jint(o, "capabilities.0.domain"), 0);
        assert_int_equal(jint(o, "capabilities.0.bus"), 59);
        assert_int_equal(jint(o, "capabilities.0.slot"), 0);
        assert_string_equal(jstr(o, "capabilities.0.vendor.id"), "0x8086");
        assert_string_equal(jstr(o, "capabilities.0.vendor.name"), "Intel Corporation");
        assert_string_equal(jstr(o, "capabilities.0.product.id"), "0x10c9");
        assert_int_equal(jint(o, "capabilities.0.iommu_group.number"), 41);
        assert_string_equal(jstr(o, "capabilities.0.iommu_group.addresses.0"), "0000:3b:00.0");
        assert_int_equal(jint(o, "capabilities.0.numa_node"), 0);
        assert_int_equal(jint(o, "capabilities.0.virt_functions.max_count"), 7);
        assert_string_equal(jstr(o, "capabilities.0.virt_functions.addresses.1"), "0000:3b:10.2");
        v = jget(o, "capabilities.0.pci_express.link_cap.speed");
        assert_non_null(v);
        assert_true(json_object_is_type(v, json_type_double));
        assert_true(json_object_get_double(v) == 2.5);
        assert_int_equal(jint(o, "capabilities.0.pci_express.link_cap.width"), 4);
        assert_int_equal(jint(o, "capabilities.0.pci_express.link_cap.port"), 0);
        assert_null(jget(o, "capabilities.0.pci_express.link_sta.port"));
        assert_null(jget(o, "capabilities.0.phys_function"));
        assert_null(jget(o, "capabilities.0.bridge"));
        assert_null(jget(o, "capabilities.0.mdev_types"));
        json_object_put(o);

        o = json_of_file(*state, "nodedevxml", "pci_0000_5e_00_0_sriov_zero_vfs.xml");
        assert_int_equal(jint(o, "capabilities.0.pci_express.link_sta.speed"), 8);
        assert_int_equal(json_object_array_length(jget(o, "capabilities.0.virt_functions.addresses")), 0);
        json_object_put(o);

        /* What libvirt keeps, kept: no <class> (no invented 0x000000), an empty virt_functions, wide numbers. */
        o = json_of_file(*state, "nodedevxml", "pci_0000_04_00_0_no_class.xml");
        assert_null(jget(o, "capabilities.0.class"));
        json_object_put(o);
        o = json_of_file(*state, "nodedevxml", "pci_0000_3b_00_1_sriov_empty.xml");
        assert_null(jget(o, "capabilities.0.virt_functions.max_count"));
        assert_int_equal(json_object_array_length(jget(o, "capabilities.0.virt_functions.addresses")), 0);
        json_object_put(o);
        o = json_of_file(*state, "nodedevxml", "pci_wide_bus_numbers.xml");
        assert_int_equal(jint(o, "capabilities.0.bus"), 4294967295);
        assert_int_equal(jint(o, "capabilities.0.function"), 4294967295);
        json_object_put(o);

        o = json_of_file(*state, "nodedevxml", "pci_0000_00_02_0_mdev_types.xml");
        assert_string_equal(jstr(o, "capabilities.0.mdev_types.1.id"), "i915-GVTg_V5_8");
        assert_string_equal(jstr(o, "capabilities.0.mdev_types.1.device_api"), "vfio-pci");
        assert_int_equal(jint(o, "capabilities.0.mdev_types.0.available_instances"), 2);
        assert_null(jget(o, "capabilities.0.pci_express"));
        assert_null(jget(o, "capabilities.0.numa_node"));
        json_object_put(o);
}

static void test_json_others(void **state) {
        json_object *o = json_of_file(*state, "nodedevxml", "mdev_b1ae8bf6_38b0_4c81_9d44_78ce3f520496_ap.xml");

        assert_string_equal(jstr(o, "capabilities.0.type"), "mdev");
        assert_string_equal(jstr(o, "capabilities.0.mdev_type"), "vfio_ap-passthrough");
        assert_string_equal(jstr(o, "capabilities.0.uuid"), "b1ae8bf6-38b0-4c81-9d44-78ce3f520496");
        assert_string_equal(jstr(o, "capabilities.0.parent_addr"), "matrix");
        assert_int_equal(jint(o, "capabilities.0.iommu_group"), 4);
        assert_string_equal(jstr(o, "capabilities.0.attributes.1.name"), "assign_domain");
        assert_string_equal(jstr(o, "capabilities.0.attributes.1.value"), "0x0047");
        assert_true(json_object_is_type(jget(o, "capabilities.0.active"), json_type_boolean));
        json_object_put(o);

        o = json_of_file(*state, "nodedevxml", "block_sr0_removable.xml");
        assert_string_equal(jstr(o, "devnodes.0.type"), "dev");
        assert_string_equal(jstr(o, "devnodes.1.path"), "/dev/cdrom");
        assert_string_equal(jstr(o, "capabilities.0.block"), "/dev/sr0");
        assert_true(json_object_get_boolean(jget(o, "capabilities.0.removable.media_available")));
        assert_int_equal(jint(o, "capabilities.0.removable.media_size"), 4169138176);
        assert_int_equal(jint(o, "capabilities.0.num_blocks"), 2035712);
        assert_null(jget(o, "capabilities.0.size"));
        json_object_put(o);

        o = json_of_file(*state, "nodedevxml", "scsi_host5_fc_host.xml");
        assert_int_equal(jint(o, "capabilities.0.host"), 5);
        assert_string_equal(jstr(o, "capabilities.0.fc_host.fabric_wwn"), "2001547feebe79c1");
        assert_int_equal(jint(o, "capabilities.0.vport_ops.max_vports"), 255);
        json_object_put(o);

        o = json_of_file(*state, "nodedevxml-create", "vhba_parent_wwn.xml");
        assert_null(jget(o, "name"));
        assert_null(jget(o, "capabilities.0.host"));
        assert_string_equal(jstr(o, "parent_wwnn"), "2000f4e9d4eb02c9");
        json_object_put(o);

        o = json_of_file(*state, "nodedevxml", "net_wlp3s0_80211.xml");
        assert_string_equal(jstr(o, "capabilities.0.interface"), "wlp3s0");
        assert_string_equal(jstr(o, "capabilities.0.state"), "dormant");
        assert_string_equal(jstr(o, "capabilities.0.subcapability"), "80211");
        assert_null(jget(o, "capabilities.0.speed"));
        json_object_put(o);
}

static int setup(void **state) {
        struct hd_context *ctx;
        if (hd_context_new(&ctx) < 0)
                return -1;
        *state = ctx;
        return 0;
}

static int teardown(void **state) {
        hd_context_free(*state);
        return 0;
}

/* A model made by hand may hold any double for a link speed: only libvirt's speeds are printed. */
static void test_link_speeds(void **state) {
        struct hd_context *ctx = *state;
        struct hd_cap *c;
        _cleanup_(hd_device_freep) struct hd_device *d = device_by_hand("pci_0000_00_01_0", HD_CAP_PCI, &c);
        _cleanup_free_ char *xml = NULL, *js = NULL;

        c->pci.iommu_group = c->pci.numa_node = -1;
        c->pci.is_express = true;
        c->pci.link_cap = (struct hd_pcie_link){ .present = true, .port = -1, .speed = 1e300, .width = 4 };
        c->pci.link_sta = (struct hd_pcie_link){ .present = true, .port = -1, .speed = INFINITY, .width = 4 };
        assert_int_equal(hd_device_to_json(ctx, d, &js), 0);
        assert_null(strstr(js, "speed"));
        assert_int_equal(hd_device_to_xml(ctx, d, &xml), 0);
        assert_null(strstr(xml, "speed="));
        free(js);
        free(xml);
        c->pci.link_cap.speed = 2.5;
        c->pci.link_sta.speed = 8;
        assert_int_equal(hd_device_to_json(ctx, d, &js), 0);
        assert_non_null(strstr(js, "\"speed\": 2.5"));
        assert_non_null(strstr(js, "\"speed\": 8,"));
        assert_int_equal(hd_device_to_xml(ctx, d, &xml), 0);
        assert_non_null(strstr(xml, "<link validity='sta' speed='8' width='4'/>"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_round_trip_create),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_invalid),
                cmocka_unit_test(test_normalise),
                cmocka_unit_test(test_print_absent),
                cmocka_unit_test(test_json_pci),
                cmocka_unit_test(test_json_others),
                cmocka_unit_test(test_link_speeds),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
