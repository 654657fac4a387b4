/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Remove a folder we made ourselves, with everything in it (never follows links). */
#pragma once

int rm_rf(const char *path);
