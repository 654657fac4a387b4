/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Notes every path the sysfs layer touches, so `hostdev record` copies exactly those. */
#pragma once

#include "context-internal.h"

enum recorder_kind {
        REC_FILE, /* an attribute that was read: copy its bytes */
        REC_LINK, /* a link that was read: copy the link itself */
        REC_DIR,  /* a folder that was opened: make it, and the links on the way */
        REC_LIST, /* a folder that was listed: make it with its links and sub-folders */
};

struct recorder;

int recorder_new(struct recorder **ret);
void recorder_free(struct recorder *r);

/*
 * While a recorder is active on this thread, the sysfs layer notes what it
 * touches. The sysfs functions take a directory handle, not the context,
 * so the active recorder is per thread, set only for the span of one
 * hd_record() call.
 */
void recorder_activate(struct recorder *r, int root_fd);
void recorder_deactivate(void);
/* Called by the sysfs layer: NAME relative to DIRFD. */
void recorder_note(int dirfd, const char *name, enum recorder_kind kind);

/* Copy what was noted from below ROOT_FD into DEST_FD (an empty folder). */
int recorder_copy(struct recorder *r, int root_fd, int dest_fd);
