/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mediated devices through the kernel emulator: types, create/remove, definitions in mdevctl's format, autostart. */
#include <sys/stat.h>

#include "created-test.h"
#include "hostdev/mdev.h"
#include "mdev/mdev-internal.h"

#define U1 "11111111-2222-3333-4444-555555555555"
#define U2 "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
#define U3 "0b2c3d4e-0000-4000-8000-000000000003"
#define MTTY "sys/devices/virtual/mtty/mtty"

static void test_types(void **state) {
        struct created *c = created_open();
        struct hd_mdev_parent *p = NULL;
        size_t n = 0;

        assert_ok(c, hd_mdev_parents(c->ctx, NULL, &p, &n));
        assert_int_equal(n, 2);
        assert_string_equal(p[0].name, "0000:00:02.0");
        assert_string_equal(p[0].device, "pci_0000_00_02_0");
        assert_int_equal(p[0].n_types, 1);
        assert_string_equal(p[0].types[0].id, "nvidia-35");
        assert_int_equal(p[0].types[0].available_instances, 4);
        assert_string_equal(p[1].name, "mtty");
        assert_int_equal(p[1].n_types, 2);
        assert_string_equal(p[1].types[0].id, "mtty-1");
        assert_string_equal(p[1].types[0].name, "Single port serial");
        assert_string_equal(p[1].types[1].device_api, "vfio-pci");
        hd_mdev_parent_list_free(p, n);

        /* A parent by libvirt's name or its short PCI address. */
        assert_ok(c, hd_mdev_parents(c->ctx, "pci_0000_00_02_0", &p, &n));
        assert_int_equal(n, 1);
        assert_string_equal(p[0].name, "0000:00:02.0");
        hd_mdev_parent_list_free(p, n);
        assert_ok(c, hd_mdev_parents(c->ctx, "00:02.0", &p, &n));
        assert_int_equal(n, 1);
        hd_mdev_parent_list_free(p, n);
        assert_fails(c, hd_mdev_parents(c->ctx, "0000:00:05.0", &p, &n), -ENODEV);
        assert_non_null(strstr(hd_context_last_error(c->ctx), "mtty"));
        created_close(c);
}

static void test_create_remove(void **state) {
        struct created *c = created_open();
        struct hd_mdev *list = NULL;
        size_t n = 0;
        char u[37];

        assert_ok(c, hd_mdev_create(c->ctx, "mtty", "mtty-2", U1, NULL, 0, u));
        assert_string_equal(u, U1);
        assert_true(emu_exists(c->e, "sys/bus/mdev/devices/" U1));
        assert_file(c, MTTY "/mdev_supported_types/mtty-2/available_instances", "0");
        assert_ok(c, hd_mdev_list(c->ctx, HD_MDEV_LIST_ACTIVE, &list, &n));
        assert_int_equal(n, 1);
        assert_string_equal(list[0].uuid, U1);
        assert_string_equal(list[0].parent, "mtty");
        assert_string_equal(list[0].type, "mtty-2");
        assert_true(list[0].active);
        assert_false(list[0].defined);
        hd_mdev_list_free(list, n);

        /* The inventory sees it as libvirt names it. */
        {
                struct hd_device *d = NULL;
                assert_ok(c, hd_device_lookup(c->ctx, U1, &d));
                assert_string_equal(d->name, "mdev_" "11111111_2222_3333_4444_555555555555_mtty");
                hd_device_free(d);
        }

        /* No instance left, then a taken UUID on another type. */
        assert_fails(c, hd_mdev_create(c->ctx, "mtty", "mtty-2", U2, NULL, 0, u), -ENOSPC);
        assert_false(emu_exists(c->e, "sys/bus/mdev/devices/" U2));
        assert_fails(c, hd_mdev_create(c->ctx, "mtty", "mtty-1", U1, NULL, 0, u), -EEXIST);
        assert_file(c, MTTY "/mdev_supported_types/mtty-1/available_instances", "2");

        assert_ok(c, hd_mdev_remove(c->ctx, U1));
        assert_false(emu_exists(c->e, "sys/bus/mdev/devices/" U1));
        assert_file(c, MTTY "/mdev_supported_types/mtty-2/available_instances", "1");
        assert_fails(c, hd_mdev_remove(c->ctx, U1), -ENOENT);

        /* A UUID made up when none is given; upper case taken as lower. */
        assert_ok(c, hd_mdev_create(c->ctx, "mtty", "mtty-1", NULL, NULL, 0, u));
        assert_true(hd_uuid_is_valid(u));
        assert_ok(c, hd_mdev_create(c->ctx, "mtty", "mtty-1", "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE", NULL, 0, u));
        assert_string_equal(u, U2);
        assert_file(c, MTTY "/mdev_supported_types/mtty-1/available_instances", "0");
        created_close(c);
}

static void test_bad_input(void **state) {
        struct created *c = created_open();
        struct hd_mdev_attr bad = { .name = (char *)"../../evil", .value = (char *)"1" };
        char u[37];

        assert_fails(c, hd_mdev_create(c->ctx, "mtty", "mtty-2", "not-a-uuid", NULL, 0, u), -EINVAL);
        assert_fails(c, hd_mdev_create(c->ctx, "mtty", "mtty-2", U1 "0", NULL, 0, u), -EINVAL);
        assert_fails(c, hd_mdev_create(c->ctx, "mtty", "mtty-9", U1, NULL, 0, u), -ENOENT);
        assert_non_null(strstr(hd_context_last_error(c->ctx), "mtty-9"));
        assert_fails(c, hd_mdev_create(c->ctx, "mtty", "../mtty-2", U1, NULL, 0, u), -ENOENT);
        assert_fails(c, hd_mdev_create(c->ctx, "nosuch", "mtty-2", U1, NULL, 0, u), -ENODEV);
        assert_fails(c, hd_mdev_create(c->ctx, "mtty", "mtty-2", U1, &bad, 1, u), -EINVAL);
        /* Nothing half-made: no instance, no instance used. */
        assert_false(emu_exists(c->e, "sys/bus/mdev/devices/" U1));
        assert_file(c, MTTY "/mdev_supported_types/mtty-2/available_instances", "1");
        created_close(c);
}

static void test_attributes(void **state) {
        struct created *c = created_open();
        struct hd_mdev_attr attrs[] = { { (char *)"speed", (char *)"9600" }, { (char *)"color", (char *)"red" } };
        char *const *log;
        char u[37];
        int speed_at = -1, color_at = -1;

        assert_ok(c, hd_mdev_create(c->ctx, "mtty", "mtty-1", U1, attrs, 2, u));
        assert_file(c, MTTY "/" U1 "/speed", "9600");
        assert_file(c, MTTY "/" U1 "/color", "red");
        /* Written in the order given. */
        log = emu_log(c->e);
        for (int i = 0; log && log[i]; i++) {
                if (strstr(log[i], U1 "/speed 9600"))
                        speed_at = i;
                if (strstr(log[i], U1 "/color red"))
                        color_at = i;
        }
        assert_true(speed_at >= 0 && color_at > speed_at);
        assert_ok(c, hd_mdev_remove(c->ctx, U1));

        /* The second attribute fails: the instance is removed again. */
        emu_fail_path(c->e, "*/color", EINVAL, 1);
        assert_fails(c, hd_mdev_create(c->ctx, "mtty", "mtty-1", U1, attrs, 2, u), -EINVAL);
        assert_non_null(strstr(hd_context_last_error(c->ctx), "color=red"));
        assert_non_null(strstr(hd_context_last_error(c->ctx), "removed again"));
        assert_false(emu_exists(c->e, "sys/bus/mdev/devices/" U1));
        assert_false(emu_exists(c->e, MTTY "/" U1));
        assert_file(c, MTTY "/mdev_supported_types/mtty-1/available_instances", "2");

        /* An attribute the vendor driver does not have: the same. */
        attrs[1].name = (char *)"nosuch";
        assert_fails(c, hd_mdev_create(c->ctx, "mtty", "mtty-1", U1, attrs, 2, u), -ENOENT);
        assert_false(emu_exists(c->e, "sys/bus/mdev/devices/" U1));
        created_close(c);
}

/* What mdevctl 1.2.0 writes for `define -u U1 -p mtty -t mtty-2 -a` then `modify --addattr=foo --value=bar`. */
static const char MDEVCTL_JSON[] = "{\n  \"mdev_type\": \"mtty-2\",\n  \"start\": \"auto\",\n  \"attrs\": [\n"
                                   "    {\n      \"foo\": \"bar\"\n    }\n  ]\n}";
static const char MDEVCTL_JSON_EMPTY[] = "{\n  \"mdev_type\": \"mtty-2\",\n  \"start\": \"manual\",\n  \"attrs\": []\n}";

static void test_json(void **state) {
        struct hd_mdev m = { 0 };
        struct hd_mdev_attr two[] = { { (char *)"a\"b", (char *)"x/y\\z\n" }, { (char *)"n", (char *)"1" } };
        struct hd_mdev back = { 0 };
        char *s = NULL, *why = NULL;

        m.type = (char *)"mtty-2";
        m.autostart = true;
        m.attrs = (struct hd_mdev_attr[]){ { (char *)"foo", (char *)"bar" } };
        m.n_attrs = 1;
        assert_int_equal(mdev_json_format(&m, &s), 0);
        assert_string_equal(s, MDEVCTL_JSON);
        free(s);
        m.autostart = false;
        m.n_attrs = 0;
        assert_int_equal(mdev_json_format(&m, &s), 0);
        assert_string_equal(s, MDEVCTL_JSON_EMPTY);
        free(s);

        /* Round trip with characters JSON escapes, order kept. */
        m.attrs = two;
        m.n_attrs = 2;
        assert_int_equal(mdev_json_format(&m, &s), 0);
        assert_int_equal(mdev_json_parse(s, &back, &why), 0);
        free(s);
        assert_string_equal(back.type, "mtty-2");
        assert_false(back.autostart);
        assert_int_equal(back.n_attrs, 2);
        assert_string_equal(back.attrs[0].name, "a\"b");
        assert_string_equal(back.attrs[0].value, "x/y\\z\n");
        assert_string_equal(back.attrs[1].name, "n");

        /* What mdevctl refuses, refused. */
        assert_int_equal(mdev_json_parse("{\"mdev_type\": \"x\"}", &back, &why), -EINVAL);
        free(why);
        assert_int_equal(mdev_json_parse("{\"mdev_type\": \"x\", \"start\": \"auto\", \"attrs\": [{\"a\": \"1\", \"b\": \"2\"}]}",
                                                     &back, &why),
                         -EINVAL);
        free(why);
        assert_int_equal(mdev_json_parse("[1,2", &back, &why), -EINVAL);
        free(why);
        /* Unknown members are ignored, null attrs is none. */
        assert_int_equal(mdev_json_parse("{\"mdev_type\": \"y\", \"start\": \"auto\", \"attrs\": null, \"x\": 1}",
                                                     &back, &why),
                         0);
        assert_string_equal(back.type, "y");
        assert_true(back.autostart);
        assert_int_equal(back.n_attrs, 0);
        free(back.type);
        free(back.attrs);
}

static void test_define_lifecycle(void **state) {
        struct created *c = created_open();
        struct hd_mdev_attr attrs[] = { { (char *)"speed", (char *)"9600" } };
        struct hd_mdev def = { .uuid = U1, .parent = (char *)"mtty", .type = (char *)"mtty-1", .attrs = attrs,
                               .n_attrs = 1, .autostart = false };
        struct hd_mdev *m = NULL, *list = NULL;
        size_t n = 0;
        char u[37];

        assert_ok(c, hd_mdev_define(c->ctx, &def, u));
        assert_string_equal(u, U1);
        assert_file(c, "etc/mdevctl.d/mtty/" U1,
                    "{\n  \"mdev_type\": \"mtty-1\",\n  \"start\": \"manual\",\n  \"attrs\": [\n    {\n"
                    "      \"speed\": \"9600\"\n    }\n  ]\n}");
        assert_fails(c, hd_mdev_define(c->ctx, &def, u), -EEXIST);
        assert_ok(c, hd_mdev_get(c->ctx, U1, NULL, &m));
        assert_true(m->defined);
        assert_false(m->active);
        assert_string_equal(m->type, "mtty-1");
        hd_mdev_free(m);

        /* start writes the definition's attributes; start again is EALREADY. */
        assert_ok(c, hd_mdev_start(c->ctx, U1, NULL));
        assert_file(c, MTTY "/" U1 "/speed", "9600");
        assert_fails(c, hd_mdev_start(c->ctx, U1, "mtty"), -EALREADY);
        assert_ok(c, hd_mdev_list(c->ctx, HD_MDEV_LIST_DEFINED, &list, &n));
        assert_int_equal(n, 1);
        assert_true(list[0].active && list[0].defined);
        hd_mdev_list_free(list, n);
        assert_ok(c, hd_mdev_stop(c->ctx, U1));
        assert_false(emu_exists(c->e, "sys/bus/mdev/devices/" U1));
        assert_fails(c, hd_mdev_stop(c->ctx, U1), -EALREADY);
        /* What prepare and release do with a guest's mdev. */
        {
                bool started = true;
                assert_ok(c, hd_mdev_ensure_running(c->ctx, U1, &started));
                assert_true(started);
                assert_true(emu_exists(c->e, "sys/bus/mdev/devices/" U1));
                assert_ok(c, hd_mdev_ensure_running(c->ctx, U1, &started));
                assert_false(started);
                assert_ok(c, hd_mdev_stop(c->ctx, U1));
                assert_fails(c, hd_mdev_ensure_running(c->ctx, U3, &started), -ENOENT);
        }


        /* autostart and modify change the file only. */
        assert_ok(c, hd_mdev_set_autostart(c->ctx, U1, NULL, true));
        {
                struct hd_mdev_change ch = { .type = "mtty-2", .autostart = -1, .add_name = "color",
                                             .add_value = "blue", .add_index = 0, .del_index = -1 };
                assert_ok(c, hd_mdev_modify(c->ctx, U1, "mtty", &ch));
        }
        assert_file(c, "etc/mdevctl.d/mtty/" U1,
                    "{\n  \"mdev_type\": \"mtty-2\",\n  \"start\": \"auto\",\n  \"attrs\": [\n    {\n"
                    "      \"color\": \"blue\"\n    },\n    {\n      \"speed\": \"9600\"\n    }\n  ]\n}");
        {
                struct hd_mdev_change ch = { .autostart = -1, .del = true, .del_index = 1, .add_index = -1 };
                assert_ok(c, hd_mdev_modify(c->ctx, U1, NULL, &ch));
                ch.del_index = 5;
                assert_fails(c, hd_mdev_modify(c->ctx, U1, NULL, &ch), -EINVAL);
                ch = (struct hd_mdev_change){ .type = "nope", .autostart = -1, .add_index = -1, .del_index = -1 };
                assert_fails(c, hd_mdev_modify(c->ctx, U1, NULL, &ch), -ENOENT);
        }
        assert_ok(c, hd_mdev_get(c->ctx, U1, NULL, &m));
        assert_string_equal(m->type, "mtty-2");
        assert_true(m->autostart);
        assert_int_equal(m->n_attrs, 1);
        assert_string_equal(m->attrs[0].name, "color");
        hd_mdev_free(m);

        assert_ok(c, hd_mdev_undefine(c->ctx, U1, NULL));
        assert_false(emu_exists(c->e, "etc/mdevctl.d/mtty/" U1));
        assert_fails(c, hd_mdev_get(c->ctx, U1, NULL, &m), -ENOENT);
        assert_fails(c, hd_mdev_undefine(c->ctx, U1, NULL), -ENOENT);
        assert_fails(c, hd_mdev_start(c->ctx, U1, NULL), -ENOENT);
        created_close(c);
}

static void test_define_more(void **state) {
        struct created *c = created_open();
        struct hd_mdev def = { .uuid = U2, .parent = (char *)"pci_0000_00_09_0", .type = (char *)"nvidia-99" };
        struct hd_mdev *m = NULL;
        char u[37];

        /* A parent that is not there yet: stored under its address, and start says why it cannot. */
        assert_ok(c, hd_mdev_define(c->ctx, &def, u));
        assert_true(emu_exists(c->e, "etc/mdevctl.d/0000:00:09.0/" U2));
        assert_fails(c, hd_mdev_start(c->ctx, U2, NULL), -ENODEV);

        /* The same UUID on a second parent: a lookup without the parent is ambiguous. */
        def.parent = (char *)"mtty";
        def.type = (char *)"mtty-9";
        assert_fails(c, hd_mdev_define(c->ctx, &def, u), -ENOENT); /* unknown type of a present parent */
        def.type = (char *)"mtty-1";
        assert_ok(c, hd_mdev_define(c->ctx, &def, u));
        assert_fails(c, hd_mdev_get(c->ctx, U2, NULL, &m), -ENOTUNIQ);
        assert_ok(c, hd_mdev_get(c->ctx, U2, "mtty", &m));
        hd_mdev_free(m);

        /* Defining a running instance takes its parent and type. */
        assert_ok(c, hd_mdev_create(c->ctx, "mtty", "mtty-2", U3, NULL, 0, u));
        def = (struct hd_mdev){ .uuid = U3 };
        assert_ok(c, hd_mdev_define(c->ctx, &def, u));
        assert_ok(c, hd_mdev_get(c->ctx, U3, NULL, &m));
        assert_true(m->active && m->defined);
        assert_string_equal(m->type, "mtty-2");
        hd_mdev_free(m);

        /* No type and not running; a malformed UUID. */
        def = (struct hd_mdev){ .parent = (char *)"mtty" };
        assert_fails(c, hd_mdev_define(c->ctx, &def, u), -EINVAL);
        def = (struct hd_mdev){ .uuid = "zz", .parent = (char *)"mtty", .type = (char *)"mtty-1" };
        assert_fails(c, hd_mdev_define(c->ctx, &def, u), -EINVAL);

        /* A definition file that is not mdevctl's JSON: left out of lists, named by a lookup. */
        {
                _cleanup_free_ char *p = strdupf("%s/etc/mdevctl.d/mtty/%s", emu_root(c->e), U1);
                FILE *f = fopen(p, "w");
                assert_non_null(f);
                fputs("{broken", f);
                fclose(f);
        }
        assert_fails(c, hd_mdev_get(c->ctx, U1, "mtty", &m), -EINVAL);
        assert_non_null(strstr(hd_context_last_error(c->ctx), U1));
        created_close(c);
}

static void test_define_xml(void **state) {
        struct created *c = created_open();
        static const char xml[] = "<device>\n  <parent>pci_0000_00_02_0</parent>\n  <capability type='mdev'>\n"
                                  "    <type id='nvidia-35'/>\n    <uuid>" U3 "</uuid>\n"
                                  "    <attr name='framebuffer' value='1024'/>\n  </capability>\n</device>\n";
        static const char noparent[] = "<device><capability type='mdev'><type id='nvidia-35'/></capability></device>";
        static const char vhba[] = "<device><parent>scsi_host5</parent><capability type='scsi_host'>"
                                   "<capability type='fc_host'/></capability></device>";
        struct hd_mdev *m = NULL;
        char u[37];

        assert_ok(c, hd_mdev_define_xml(c->ctx, xml, sizeof(xml) - 1, u));
        assert_string_equal(u, U3);
        assert_ok(c, hd_mdev_get(c->ctx, U3, NULL, &m));
        assert_string_equal(m->parent, "0000:00:02.0");
        assert_string_equal(m->type, "nvidia-35");
        assert_int_equal(m->n_attrs, 1);
        assert_string_equal(m->attrs[0].value, "1024");
        hd_mdev_free(m);
        assert_fails(c, hd_mdev_define_xml(c->ctx, noparent, sizeof(noparent) - 1, u), -EINVAL);
        assert_fails(c, hd_mdev_define_xml(c->ctx, vhba, sizeof(vhba) - 1, u), -EOPNOTSUPP);
        created_close(c);
}

struct seen {
        int ok, failed;
};

static void report(void *userdata, const struct hd_mdev *m, int error, const char *message) {
        struct seen *s = userdata;
        if (error < 0)
                s->failed++;
        else
                s->ok++;
}

static void test_autostart(void **state) {
        struct created *c = created_open();
        struct hd_mdev a = { .uuid = U1, .parent = (char *)"mtty", .type = (char *)"mtty-1", .autostart = true };
        struct hd_mdev b = { .uuid = U2, .parent = (char *)"mtty", .type = (char *)"mtty-1", .autostart = false };
        struct hd_mdev g = { .uuid = U3, .parent = (char *)"0000:00:02.0", .type = (char *)"nvidia-35", .autostart = true };
        struct seen s = { 0 };
        char u[37];

        assert_ok(c, hd_mdev_define(c->ctx, &a, u));
        assert_ok(c, hd_mdev_define(c->ctx, &b, u));
        assert_ok(c, hd_mdev_define(c->ctx, &g, u));
        /* Only the parent asked for. */
        assert_int_equal(hd_mdev_start_autostart(c->ctx, "mtty", report, &s), 1);
        assert_true(emu_exists(c->e, "sys/bus/mdev/devices/" U1));
        assert_false(emu_exists(c->e, "sys/bus/mdev/devices/" U2));
        assert_false(emu_exists(c->e, "sys/bus/mdev/devices/" U3));
        /* All parents; the running one is left alone. */
        assert_int_equal(hd_mdev_start_autostart(c->ctx, NULL, report, &s), 1);
        assert_true(emu_exists(c->e, "sys/bus/mdev/devices/" U3));
        assert_int_equal(s.ok, 2);
        assert_int_equal(s.failed, 0);
        assert_int_equal(hd_mdev_start_autostart(c->ctx, NULL, report, &s), 0);
        /* An absent parent has nothing to start. */
        assert_int_equal(hd_mdev_start_autostart(c->ctx, "0000:00:09.0", report, &s), 0);

        /* One that fails does not stop the others. */
        assert_ok(c, hd_mdev_stop(c->ctx, U1));
        assert_ok(c, hd_mdev_stop(c->ctx, U3));
        emu_ext_fail_path("*/nvidia-35/create", NULL, EIO, 1);
        s = (struct seen){ 0 };
        assert_int_equal(hd_mdev_start_autostart(c->ctx, NULL, report, &s), -EIO);
        assert_int_equal(s.ok, 1);
        assert_int_equal(s.failed, 1);
        assert_true(emu_exists(c->e, "sys/bus/mdev/devices/" U1));
        created_close(c);
}

/*
 * An attribute is one file of the device's own folder, and never its
 * `remove`: "subsystem/devices/<other>/remove" removed another mdev, and
 * "remove" made autostart say "started" for a device that was gone. Refused
 * when defined, created or modified, and in a definition file someone else
 * wrote (mdevctl's JSON), which is then left out of lists and autostart.
 */
static void test_attribute_names(void **state) {
        struct created *c = created_open();
        static const char *const bad[] = { "subsystem/devices/" U2 "/remove", "remove", ".", "..", "", "a/b", "/speed" };
        struct hd_mdev def = { .uuid = U1, .parent = (char *)"mtty", .type = (char *)"mtty-1", .n_attrs = 1 };
        struct hd_mdev *m = NULL, *list = NULL;
        struct seen s = { 0 };
        size_t n = 0;
        char u[37];

        /* U2 runs: what the first name would remove. */
        assert_ok(c, hd_mdev_create(c->ctx, "mtty", "mtty-2", U2, NULL, 0, u));
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct hd_mdev_attr a = { (char *)bad[i], (char *)"1" };
                struct hd_mdev_change ch = { .autostart = -1, .add_name = bad[i], .add_value = "1", .add_index = -1,
                                             .del_index = -1 };
                def.attrs = &a;
                assert_fails(c, hd_mdev_define(c->ctx, &def, u), -EINVAL);
                assert_non_null(strstr(hd_context_last_error(c->ctx), "cannot name an attribute"));
                assert_fails(c, hd_mdev_create(c->ctx, "mtty", "mtty-1", U1, &a, 1, u), -EINVAL);
                def.n_attrs = 0;
                assert_ok(c, hd_mdev_define(c->ctx, &def, u));
                assert_fails(c, hd_mdev_modify(c->ctx, U1, NULL, &ch), -EINVAL);
                assert_ok(c, hd_mdev_undefine(c->ctx, U1, NULL));
                def.n_attrs = 1;
        }
        assert_true(emu_exists(c->e, "sys/bus/mdev/devices/" U2));
        assert_false(emu_exists(c->e, "sys/bus/mdev/devices/" U1));

        /* Written by someone else, to start at boot: never started, named when looked up. */
        for (size_t i = 0; i < 2; i++) {
                _cleanup_free_ char *dir = strdupf("%s/etc/mdevctl.d/mtty", emu_root(c->e)),
                                    *p = strdupf("%s/" U1, dir);
                FILE *f;
                (void)mkdir(dir, 0755);
                assert_non_null(f = fopen(p, "w"));
                fprintf(f, "{\"mdev_type\": \"mtty-1\", \"start\": \"auto\", \"attrs\": [{\"%s\": \"1\"}]}",
                        bad[i]);
                fclose(f);
                s = (struct seen){ 0 };
                assert_int_equal(hd_mdev_start_autostart(c->ctx, NULL, report, &s), 0);
                assert_int_equal(s.ok, 0);
                assert_false(emu_exists(c->e, "sys/bus/mdev/devices/" U1));
                assert_true(emu_exists(c->e, "sys/bus/mdev/devices/" U2));
                assert_fails(c, hd_mdev_get(c->ctx, U1, "mtty", &m), -EINVAL);
                assert_non_null(strstr(hd_context_last_error(c->ctx), p));
                assert_non_null(strstr(hd_context_last_error(c->ctx), bad[i]));
                assert_fails(c, hd_mdev_start(c->ctx, U1, "mtty"), -EINVAL);
                assert_ok(c, hd_mdev_list(c->ctx, HD_MDEV_LIST_DEFINED, &list, &n));
                for (size_t k = 0; k < n; k++)
                        assert_false(streq(list[k].uuid, U1));
                hd_mdev_list_free(list, n);
                assert_int_equal(unlink(p), 0);
        }
        created_close(c);
}

static void test_inventory(void **state) {
        struct created *c = created_open();
        struct hd_mdev a = { .uuid = U1, .parent = (char *)"mtty", .type = (char *)"mtty-1", .autostart = true };
        struct hd_mdev g = { .uuid = U3, .parent = (char *)"0000:00:02.0", .type = (char *)"nvidia-35" };
        struct hd_inventory *inv = NULL;
        struct hd_device *d;
        struct hd_cap *cap;
        char u[37];
        char *xml = NULL;

        assert_ok(c, hd_mdev_define(c->ctx, &a, u));
        assert_ok(c, hd_mdev_define(c->ctx, &g, u));
        assert_ok(c, hd_mdev_create(c->ctx, "mtty", "mtty-2", U2, NULL, 0, u));

        assert_ok(c, hd_inventory_scan(c->ctx, 0, &inv));
        assert_null(hd_inventory_find(inv, "mdev_0b2c3d4e_0000_4000_8000_000000000003_0000_00_02_0"));
        assert_non_null(hd_inventory_find(inv, "mdev_aaaaaaaa_bbbb_cccc_dddd_eeeeeeeeeeee_mtty"));
        hd_inventory_free(inv);

        assert_ok(c, hd_inventory_scan(c->ctx, HD_SCAN_INACTIVE, &inv));
        d = hd_inventory_find(inv, "mdev_0b2c3d4e_0000_4000_8000_000000000003_0000_00_02_0");
        assert_non_null(d);
        assert_string_equal(d->parent_name, "pci_0000_00_02_0");
        assert_non_null(d->parent);
        cap = hd_device_get_cap(d, HD_CAP_MDEV);
        assert_non_null(cap);
        assert_false(cap->mdev.active);
        assert_false(cap->mdev.autostart);
        assert_string_equal(cap->mdev.type, "nvidia-35");
        assert_string_equal(cap->mdev.parent_addr, "0000:00:02.0");
        assert_ok(c, hd_device_to_xml(c->ctx, d, &xml));
        assert_non_null(strstr(xml, "<type id='nvidia-35'/>"));
        free(xml);
        d = hd_inventory_find(inv, "mdev_11111111_2222_3333_4444_555555555555_mtty");
        assert_non_null(d);
        assert_string_equal(d->parent_name, "computer"); /* mtty's class device is not a node device */
        assert_true(hd_device_get_cap(d, HD_CAP_MDEV)->mdev.autostart);
        /* The running one is listed once. */
        {
                size_t hits = 0;
                for (size_t i = 0; i < hd_inventory_size(inv); i++)
                        if (strstr(hd_inventory_at(inv, i)->name, "aaaaaaaa"))
                                hits++;
                assert_int_equal(hits, 1);
        }
        hd_inventory_free(inv);
        created_close(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_types),          cmocka_unit_test(test_create_remove),
                cmocka_unit_test(test_bad_input),      cmocka_unit_test(test_attributes),
                cmocka_unit_test(test_json),           cmocka_unit_test(test_define_lifecycle),
                cmocka_unit_test(test_define_more),    cmocka_unit_test(test_define_xml),
                cmocka_unit_test(test_autostart),      cmocka_unit_test(test_inventory),
                cmocka_unit_test(test_attribute_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
