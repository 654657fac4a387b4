/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Write a folder as a tar archive (ustar, with GNU long names), for recordings attached to bug reports. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "strutil.h"
#include "tar.h"

#define BLOCK 512

static int write_all(int fd, const void *buf, size_t len) {
        const char *p = buf;
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

static int write_padded(int fd, const void *data, size_t len) {
        static const char zero[BLOCK];
        int r = write_all(fd, data, len);
        if (r < 0 || len % BLOCK == 0)
                return r;
        return write_all(fd, zero, BLOCK - len % BLOCK);
}

static int write_header(int fd, const char *name, char type, mode_t mode, size_t size, const char *link) {
        char h[BLOCK];
        unsigned sum = 0;

        memset(h, 0, sizeof(h));
        /* Names that do not fit go first as a GNU long-name entry ('L'; 'K' for link targets). */
        if (strlen(name) >= 100) {
                int r = write_header(fd, "././@LongLink", 'L', 0644, strlen(name) + 1, NULL);
                if (r >= 0)
                        r = write_padded(fd, name, strlen(name) + 1);
                if (r < 0)
                        return r;
        }
        if (link && strlen(link) >= 100) {
                int r = write_header(fd, "././@LongLink", 'K', 0644, strlen(link) + 1, NULL);
                if (r >= 0)
                        r = write_padded(fd, link, strlen(link) + 1);
                if (r < 0)
                        return r;
        }
        strncpy(h, name, 99);
        snprintf(h + 100, 8, "%07o", (unsigned)(mode & 07777));
        snprintf(h + 108, 8, "%07o", 0);
        snprintf(h + 116, 8, "%07o", 0);
        {
                char num[32]; /* sizes here are far below 8 GiB: 11 octal digits always fit */
                snprintf(num, sizeof(num), "%011zo", size);
                memcpy(h + 124, num, 12);
        }
        snprintf(h + 136, 12, "%011o", 0);
        memset(h + 148, ' ', 8);
        h[156] = type;
        if (link)
                strncpy(h + 157, link, 99);
        memcpy(h + 257, "ustar  ", 8); /* GNU magic: "ustar  \0", which the long-name entries need */
        for (size_t i = 0; i < BLOCK; i++)
                sum += (unsigned char)h[i];
        snprintf(h + 148, 8, "%06o", sum);
        return write_all(fd, h, BLOCK);
}

static int add_file(int dirfd, const char *name, const char *path, const struct stat *st, int out_fd) {
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *buf = NULL;
        ssize_t n;
        int r;

        if (fd < 0)
                return -errno;
        buf = malloc((size_t)st->st_size + 1);
        if (!buf)
                return -ENOMEM;
        n = read(fd, buf, (size_t)st->st_size);
        if (n < 0)
                return -errno;
        r = write_header(out_fd, path, '0', st->st_mode, (size_t)n, NULL);
        return r < 0 ? r : write_padded(out_fd, buf, (size_t)n);
}

static int add_tree(int dirfd, const char *prefix, int out_fd) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        while ((de = readdir(d))) {
                _cleanup_free_ char *path = NULL;
                struct stat st;
                int r;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                path = *prefix ? strdupf("%s/%s", prefix, de->d_name) : strdup(de->d_name);
                if (!path)
                        return -ENOMEM;
                if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                if (S_ISLNK(st.st_mode)) {
                        char target[PATH_MAX];
                        ssize_t n = readlinkat(dirfd, de->d_name, target, sizeof(target) - 1);
                        if (n < 0)
                                return -errno;
                        target[n] = 0;
                        r = write_header(out_fd, path, '2', 0777, 0, target);
                } else if (S_ISDIR(st.st_mode)) {
                        _cleanup_close_ int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        _cleanup_free_ char *dname = strdupf("%s/", path);
                        if (sub < 0 || !dname)
                                return sub < 0 ? -errno : -ENOMEM;
                        r = write_header(out_fd, dname, '5', st.st_mode, 0, NULL);
                        if (r >= 0)
                                r = add_tree(sub, path, out_fd);
                } else if (S_ISREG(st.st_mode)) {
                        r = add_file(dirfd, de->d_name, path, &st, out_fd);
                } else
                        r = 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

int tar_write_tree(int src_fd, int out_fd) {
        static const char end[2 * BLOCK];
        int r = add_tree(src_fd, "", out_fd);
        return r < 0 ? r : write_all(out_fd, end, sizeof(end));
}
