/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Write a folder as a tar archive (ustar, with GNU long names), for recordings attached to bug reports. */
#pragma once

/* Archive everything below SRC_FD into OUT_FD: folders, regular files and symbolic links. */
int tar_write_tree(int src_fd, int out_fd);
