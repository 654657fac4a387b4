/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The persistent settings' text, apart from the files, so a unit test can feed it anything. */
#pragma once

#include "hostdev/persist.h"

/* The largest file read: a few lines are all any setting needs. */
#define PERSIST_MAX 4096

/*
 * TEXT as a file of KIND into *RET (its addr left alone): 0, or -EINVAL with
 * *RET_WHY saying which line and what is wrong ("line 2: unknown key ...").
 */
int persist_parse(const char *text, enum hd_persist_kind kind, struct hd_persist *ret, char **ret_why);
/* The file's text for P, with a comment saying what wrote it and what reads it. */
char *persist_format(enum hd_persist_kind kind, const struct hd_persist *p);
