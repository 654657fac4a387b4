/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vHBAs through the kernel emulator: vport_create/vport_delete, parents by name, WWNs or fabric, WWN checks. */
#include "created-test.h"
#include "hostdev/npiv.h"
#include "manager/store.h"

#define HBA "sys/devices/pci0000:00/0000:00:06.0/host5"

static void test_wwn(void **state) {
        char w[17];

        assert_int_equal(hd_wwn_normalize("0x20000000C9831B4B", w), 0);
        assert_string_equal(w, "20000000c9831b4b");
        assert_int_equal(hd_wwn_normalize("20000000c9831b4b", w), 0);
        assert_int_equal(hd_wwn_normalize("20000000c9831b4", w), -EINVAL);
        assert_int_equal(hd_wwn_normalize("20000000c9831b4bb", w), -EINVAL);
        assert_int_equal(hd_wwn_normalize("2000-000c9831b4b", w), -EINVAL);
        assert_int_equal(hd_wwn_normalize("0x", w), -EINVAL);
        assert_int_equal(hd_wwn_normalize(NULL, w), -EINVAL);
        assert_int_equal(hd_wwn_generate(w), 0);
        assert_int_equal(strlen(w), 16);
        assert_true(strncmp(w, "5001a4a", 7) == 0);
        assert_int_equal(hd_wwn_normalize(w, w), 0);
}

static void test_create_destroy(void **state) {
        struct created *c = created_open();
        struct hd_vhba_spec s = { .parent = "scsi_host5", .wwnn = "0x2001001a4a000001", .wwpn = "1001001a4a000001" };
        struct hd_vhba v = { 0 };
        struct hd_device *d = NULL;

        assert_ok(c, hd_vhba_create(c->ctx, &s, 2000, &v));
        assert_string_equal(v.name, "scsi_host0");
        assert_string_equal(v.parent, "scsi_host5");
        assert_string_equal(v.wwnn, "2001001a4a000001");
        assert_string_equal(v.wwpn, "1001001a4a000001");
        /* Written as the kernel takes it: "WWPN:WWNN". */
        assert_file(c, HBA "/fc_host/host5/npiv_vports_inuse", "1");
        assert_file(c, HBA "/vport-5:0-0/fc_vports/vport-5:0-0/port_name", "0x1001001a4a000001");
        assert_file(c, "sys/class/fc_host/host0/node_name", "0x2001001a4a000001");
        /* The inventory finds it by name and by "WWNN,WWPN", under its HBA. */
        assert_ok(c, hd_device_lookup(c->ctx, "2001001a4a000001,1001001a4a000001", &d));
        assert_string_equal(d->name, "scsi_host0");
        assert_string_equal(d->parent_name, "scsi_host5");
        hd_device_free(d);
        hd_vhba_clear(&v);

        /* The same WWPN again is taken. */
        assert_fails(c, hd_vhba_create(c->ctx, &s, 2000, &v), -EEXIST);

        /* Generated names; the second vport fills the HBA. */
        s.wwnn = s.wwpn = NULL;
        assert_ok(c, hd_vhba_create(c->ctx, &s, 2000, &v));
        assert_string_equal(v.name, "scsi_host1");
        assert_true(strncmp(v.wwpn, "5001a4a", 7) == 0);
        hd_vhba_clear(&v);
        assert_fails(c, hd_vhba_create(c->ctx, &s, 2000, &v), -ENOSPC);
        assert_non_null(strstr(hd_context_last_error(c->ctx), "all 2 vports"));

        /* Destroy by name and by WWNs; a physical port is not destroyed. */
        assert_ok(c, hd_vhba_destroy(c->ctx, "scsi_host0", 2000));
        assert_false(emu_exists(c->e, "sys/class/fc_host/host0"));
        assert_false(emu_exists(c->e, HBA "/vport-5:0-0"));
        assert_file(c, HBA "/fc_host/host5/npiv_vports_inuse", "1");
        {
                char nn[17], pn[17];
                _cleanup_free_ char *n = created_read(c, "sys/class/fc_host/host1/node_name"),
                                    *p = created_read(c, "sys/class/fc_host/host1/port_name");
                _cleanup_free_ char *spec = NULL;
                assert_int_equal(hd_wwn_normalize(n, nn), 0);
                assert_int_equal(hd_wwn_normalize(p, pn), 0);
                spec = strdupf("%s,%s", nn, pn);
                assert_ok(c, hd_vhba_destroy(c->ctx, spec, 2000));
        }
        assert_file(c, HBA "/fc_host/host5/npiv_vports_inuse", "0");
        assert_fails(c, hd_vhba_destroy(c->ctx, "scsi_host5", 2000), -EINVAL);
        assert_fails(c, hd_vhba_destroy(c->ctx, "scsi_host0", 2000), -ENODEV);
        created_close(c);
}

static void test_parents(void **state) {
        struct created *c = created_open();
        struct hd_vhba_spec s = { .parent_wwnn = "20000000c9000001", .parent_wwpn = "0x10000000c9000001" };
        struct hd_vhba v = { 0 };

        assert_ok(c, hd_vhba_create(c->ctx, &s, 2000, &v));
        assert_string_equal(v.parent, "scsi_host5");
        hd_vhba_clear(&v);
        s = (struct hd_vhba_spec){ .parent_fabric_wwn = "2002000573de9a81" };
        assert_ok(c, hd_vhba_create(c->ctx, &s, 2000, &v));
        assert_string_equal(v.parent, "scsi_host5");
        hd_vhba_clear(&v);
        /* No parent named: the HBA with a vport free; now there is none. */
        s = (struct hd_vhba_spec){ 0 };
        assert_fails(c, hd_vhba_create(c->ctx, &s, 2000, &v), -ENODEV);
        s = (struct hd_vhba_spec){ .parent_fabric_wwn = "1111111111111111" };
        assert_fails(c, hd_vhba_create(c->ctx, &s, 2000, &v), -ENODEV);
        s = (struct hd_vhba_spec){ .parent_wwnn = "20000000c9000009", .parent_wwpn = "10000000c9000009" };
        assert_fails(c, hd_vhba_create(c->ctx, &s, 2000, &v), -ENODEV);
        created_close(c);
}

static void test_bad_input(void **state) {
        struct created *c = created_open();
        struct hd_vhba_spec s = { .parent = "scsi_host8" };
        struct hd_vhba v = { 0 };

        /* An HBA without NPIV, a host that is not FC, one that does not exist. */
        assert_fails(c, hd_vhba_create(c->ctx, &s, 2000, &v), -EOPNOTSUPP);
        assert_non_null(strstr(hd_context_last_error(c->ctx), "NPIV"));
        s.parent = "scsi_host42";
        assert_fails(c, hd_vhba_create(c->ctx, &s, 2000, &v), -ENODEV);
        /* Malformed WWNs, one name without the other. */
        s = (struct hd_vhba_spec){ .parent = "host5", .wwnn = "xyz", .wwpn = "1001001a4a000001" };
        assert_fails(c, hd_vhba_create(c->ctx, &s, 2000, &v), -EINVAL);
        s.wwnn = "2001001a4a000001";
        s.wwpn = "1001001a4a00000";
        assert_fails(c, hd_vhba_create(c->ctx, &s, 2000, &v), -EINVAL);
        s.wwpn = NULL;
        assert_fails(c, hd_vhba_create(c->ctx, &s, 2000, &v), -EINVAL);
        s = (struct hd_vhba_spec){ .parent_wwnn = "20000000c9000001" };
        assert_fails(c, hd_vhba_create(c->ctx, &s, 2000, &v), -EINVAL);
        /* Nothing made. */
        assert_file(c, HBA "/fc_host/host5/npiv_vports_inuse", "0");
        assert_false(emu_exists(c->e, HBA "/vport-5:0-0"));
        created_close(c);
}

static void test_timeout_cleans_up(void **state) {
        struct created *c = created_open();
        struct hd_vhba_spec s = { .parent = "scsi_host5", .wwnn = "2001001a4a000001", .wwpn = "1001001a4a000001" };
        struct hd_vhba v = { 0 };

        /* A refused vport_create leaves nothing; the message names the HBA. */
        emu_ext_fail_path("*/vport_create", NULL, EIO, 1);
        assert_fails(c, hd_vhba_create(c->ctx, &s, 2000, &v), -EIO);
        assert_non_null(strstr(hd_context_last_error(c->ctx), "scsi_host5"));
        assert_file(c, HBA "/fc_host/host5/npiv_vports_inuse", "0");

        /* The kernel takes the vport but no SCSI host comes: bounded wait, and the vport is deleted again. */
        emu_ext_vport_lazy(true);
        assert_fails(c, hd_vhba_create(c->ctx, &s, 300, &v), -ETIMEDOUT);
        assert_non_null(strstr(hd_context_last_error(c->ctx), "deleted again"));
        assert_file(c, HBA "/fc_host/host5/npiv_vports_inuse", "0");
        assert_false(emu_exists(c->e, HBA "/vport-5:0-0"));
        created_close(c);
}

static void test_create_xml(void **state) {
        struct created *c = created_open();
        static const char xml[] = "<device>\n  <parent>scsi_host5</parent>\n  <capability type='scsi_host'>\n"
                                  "    <capability type='fc_host'>\n      <wwnn>2001001a4a000002</wwnn>\n"
                                  "      <wwpn>1001001a4a000002</wwpn>\n    </capability>\n  </capability>\n</device>\n";
        static const char byfabric[] = "<device><parent fabric_wwn='2002000573de9a81'/><capability type='scsi_host'>"
                                       "<capability type='fc_host'/></capability></device>";
        static const char notfc[] = "<device><parent>scsi_host5</parent><capability type='scsi_host'/></device>";
        struct hd_vhba v = { 0 };

        assert_ok(c, hd_vhba_create_xml(c->ctx, xml, sizeof(xml) - 1, 2000, &v));
        assert_string_equal(v.name, "scsi_host0");
        assert_string_equal(v.wwpn, "1001001a4a000002");
        hd_vhba_clear(&v);
        assert_ok(c, hd_vhba_create_xml(c->ctx, byfabric, sizeof(byfabric) - 1, 2000, &v));
        assert_string_equal(v.parent, "scsi_host5");
        hd_vhba_clear(&v);
        assert_fails(c, hd_vhba_create_xml(c->ctx, notfc, sizeof(notfc) - 1, 2000, &v), -EOPNOTSUPP);
        created_close(c);
}

/* A vHBA takes its LUNs with it: never while a guest holds one (and 10:0:0:0 is not 1:0:0:0's). */
static void test_destroy_held(void **state) {
        struct created *c = created_open();
        struct hd_vhba_spec s = { .parent = "scsi_host5", .wwnn = "0x2001001a4a000001", .wwpn = "1001001a4a000001" };
        struct hd_vhba v = { 0 };
        struct hd_store *st = NULL;
        struct hd_active *rec = store_record_new(STORE_SCSI, "0:0:0:0", STORE_HELD);
        struct hd_active *other = store_record_new(STORE_SCSI, "10:0:0:0", STORE_HELD);

        assert_ok(c, hd_vhba_create(c->ctx, &s, 2000, &v));
        assert_string_equal(v.name, "scsi_host0");
        rec->owner_driver = strdup("qemu");
        rec->owner_domain = strdup("vm1");
        assert_int_equal(store_open(c->ctx, 0, &st), 0);
        assert_int_equal(store_device_add(st, other, 0), 0);
        assert_int_equal(store_device_add(st, rec, 0), 0);
        assert_fails(c, hd_vhba_destroy(c->ctx, "scsi_host0", 2000), -EBUSY);
        assert_non_null(strstr(hd_context_last_error(c->ctx),
                               "scsi_host0 (its SCSI LUN 0:0:0:0) is held by qemu:vm1"));
        assert_non_null(strstr(hd_context_last_error(c->ctx), "hostdev release --owner qemu:vm1"));
        assert_true(emu_exists(c->e, "sys/class/fc_host/host0"));
        assert_int_equal(store_device_delete(st, STORE_SCSI, "0:0:0:0"), 0);
        assert_ok(c, hd_vhba_destroy(c->ctx, "scsi_host0", 2000));
        store_close(st);
        hd_active_free(rec);
        hd_active_free(other);
        hd_vhba_clear(&v);
        created_close(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_wwn),       cmocka_unit_test(test_create_destroy),
                cmocka_unit_test(test_parents),   cmocka_unit_test(test_bad_input),
                cmocka_unit_test(test_timeout_cleans_up), cmocka_unit_test(test_create_xml),
                cmocka_unit_test(test_destroy_held),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
