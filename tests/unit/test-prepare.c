/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Prepare and release a domain with every kind of device on the emulated VM host: round trips, refusals, races. */
#include <sys/wait.h>

#include "prepare-test.h"

static int setup(void **state) {
        *state = vm_new();
        return 0;
}

static int teardown(void **state) {
        vm_free(*state);
        return 0;
}

static void test_round_trip(void **state) {
        struct vm *v = *state;
        struct hd_domain_def *def = vm_parse(v->ctx, vm_domain_xml);
        char **skipped = NULL;

        vm_assert_pristine(v, "before");
        if (hd_manager_prepare(v->ctx, &vm_owner, def, 0, &skipped) < 0)
                fail_msg("prepare: %s", hd_context_last_error(v->ctx));
        assert_null(skipped);
        vm_assert_prepared(v, v->ctx, "prepared");
        if (hd_manager_release(v->ctx, &vm_owner, def, 0) < 0)
                fail_msg("release: %s", hd_context_last_error(v->ctx));
        vm_assert_pristine(v, "released");
        assert_int_equal(vm_records(v->ctx), 0);
        hd_domain_def_free(def);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
