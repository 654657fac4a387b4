/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hd_manager_prepare_pid, hd_manager_hold_pid: a hold that lasts as long as a process. */
#include <string.h>

#include "prepare.h"
#include "proc-start.h"
#include "util/strutil.h"

/* PID's start time, or -ESRCH with a message naming it. */
static int holder_start(struct hd_context *ctx, int pid, int64_t *ret) {
        int r;

        if (pid <= 0)
                return hd_error(ctx, -EINVAL, "%d is no process id: a hold is tied to a running process", pid);
        r = proc_start_time(ctx, pid, ret);
        if (r == -ESRCH)
                return hd_error(ctx, r, "there is no process %d (no /proc/%d/stat, or it has exited): a hold is "
                                "tied to a running process; give the pid of the one that uses the devices", pid, pid);
        if (r < 0 && r != -ENOMEM)
                return hd_error(ctx, r, "/proc/%d/stat cannot be read (%s): the hold cannot be tied to process %d",
                                pid, strerror(-r), pid);
        return r;
}

static int tie(struct hd_store *s, const struct hd_owner *owner, int64_t pid, int64_t start) {
        int r = store_begin(s);
        if (r < 0)
                return r;
        r = store_hold_tie(s, owner, pid, start);
        if (r >= 0)
                r = store_commit(s);
        if (r < 0)
                store_rollback(s);
        return r;
}

int hd_manager_prepare_pid(struct hd_context *ctx, const struct hd_owner *owner, const struct hd_domain_def *def,
                           unsigned flags, int pid, char ***ret_skipped) {
        _cleanup_close_ int lock = -1;
        _cleanup_store_ struct hd_store *s = NULL;
        char **skipped = NULL;
        int64_t start = 0;
        int r;

        hd_error_clear(ctx);
        if (ret_skipped)
                *ret_skipped = NULL;
        r = owner_check(ctx, owner);
        if (r < 0)
                return r;
        if (!def)
                return hd_error(ctx, -EINVAL, "no domain to prepare");
        /* Before anything is taken: a hold for a process that is not there would be given back at once. */
        r = holder_start(ctx, pid, &start);
        if (r < 0)
                return r;
        r = manager_begin(ctx, &lock, &s);
        if (r < 0)
                return r;
        r = manager_prepare_locked(ctx, s, owner, def, flags, &skipped);
        if (r < 0)
                return r;
        /* Under the same lock: no other hostdev sees the hold before it is tied. */
        r = tie(s, owner, pid, start);
        if (r < 0) {
                _cleanup_free_ char *why = strdup_or_null(hd_context_last_error(ctx));
                hd_strv_free(skipped);
                (void)manager_release_locked(ctx, s, owner, NULL, flags);
                return hd_error(ctx, r, "the devices could not be tied to process %d (%s); they are given back", pid,
                                why ? why : strerror(-r));
        }
        if (ret_skipped)
                *ret_skipped = skipped;
        else
                hd_strv_free(skipped);
        return 0;
}

int hd_manager_hold_pid(struct hd_context *ctx, const struct hd_owner *owner, int pid) {
        _cleanup_close_ int lock = -1;
        _cleanup_store_ struct hd_store *s = NULL;
        struct hd_active *rows = NULL;
        size_t n = 0;
        int64_t start = 0;
        int r;

        hd_error_clear(ctx);
        r = owner_check(ctx, owner);
        if (r < 0)
                return r;
        if (pid != 0 && (r = holder_start(ctx, pid, &start)) < 0)
                return r;
        r = manager_begin_owner(ctx, owner, &lock, &s);
        if (r < 0)
                return r;
        r = store_owner_devices(s, owner, &rows, &n);
        hd_active_list_free(rows, n);
        if (r < 0)
                return r;
        if (n == 0)
                return hd_error(ctx, -ENOENT, "%s:%s holds nothing to tie to a process; prepare its devices first",
                                owner->driver, owner->domain);
        return tie(s, owner, pid, start);
}
