/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The persistent settings' files: /etc/hostdev/{pci,sriov}/ADDRESS below the context's root, written atomically. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "context-internal.h"
#include "hostdev/device.h"
#include "persist-internal.h"
#include "sysfs/confine.h"
#include "util/strutil.h"

#define PERSIST_DIR "etc/hostdev"

static const char *kind_folder(enum hd_persist_kind kind) {
        return kind == HD_PERSIST_PCI ? "pci" : "sriov";
}

void hd_persist_done(struct hd_persist *p) {
        if (p) {
                free(p->driver);
                p->driver = NULL;
        }
}

char *hd_persist_dir(struct hd_context *ctx, enum hd_persist_kind kind) {
        const char *root = hd_context_get_sysroot(ctx);
        return strdupf("%s/" PERSIST_DIR "/%s", streq(root, "/") ? "" : root, kind_folder(kind));
}

/*
 * KIND's folder, entered below the root one folder at a time and never
 * through a link (as a tree's mdev definitions and state are): a tree's
 * settings stay in the tree. Made when CREATE.
 */
static int kind_open(struct hd_context *ctx, enum hd_persist_kind kind, bool create) {
        _cleanup_free_ char *rel = strdupf(PERSIST_DIR "/%s", kind_folder(kind));
        if (!rel)
                return -ENOMEM;
        return confine_mkdirs(ctx->root_fd, rel, create ? 0755 : 0);
}

/*
 * ADDR as the canonical name its file has; -EINVAL (said) for anything else,
 * a '/' or '..' above all. FOUND: ADDR is a file's name found in the folder
 * (a person named it), else a device given to a setter.
 */
static int file_name(struct hd_context *ctx, enum hd_persist_kind kind, const char *addr, bool found,
                     char name[static 20]) {
        struct hd_pci_addr a;
        _cleanup_free_ char *dir = NULL;

        if (addr && strlen(addr) < 20 && hd_pci_addr_parse(addr, &a) >= 0) {
                hd_pci_addr_format(&a, name);
                return 0;
        }
        if (!found)
                return hd_error(ctx, -EINVAL, "'%s' is not a PCI address (0000:01:00.0)", addr ? addr : "");
        dir = hd_persist_dir(ctx, kind);
        return hd_error(ctx, -EINVAL,
                        "%s/%s: '%s' is not a PCI address (0000:01:00.0), which is all a file there may be named; "
                        "rename or remove it",
                        dir ? dir : PERSIST_DIR, addr ? addr : "", addr ? addr : "");
}

static int write_all(int fd, const char *s) {
        size_t len = strlen(s), off = 0;
        while (off < len) {
                ssize_t n = write(fd, s + off, len - off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                off += (size_t)n;
        }
        return 0;
}

static int persist_write(struct hd_context *ctx, enum hd_persist_kind kind, const char *addr, struct hd_persist *p) {
        _cleanup_free_ char *dir = hd_persist_dir(ctx, kind), *text = NULL, *tname = NULL;
        _cleanup_close_ int dfd = -1, fd = -1;
        int r;

        if (!dir)
                return -ENOMEM;
        r = file_name(ctx, kind, addr, false, p->addr);
        if (r < 0)
                return r;
        text = persist_format(kind, p);
        tname = strdupf(".%s.%d.tmp", p->addr, (int)getpid());
        if (!text || !tname)
                return -ENOMEM;
        dfd = kind_open(ctx, kind, true);
        if (dfd < 0)
                return hd_error(ctx, dfd, "cannot make %s: %s%s", dir, strerror(-dfd),
                                dfd == -ENOTDIR ? " (a link or a file on the way, which hostdev never follows)" : "");
        fd = openat(dfd, tname, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return hd_error(ctx, -errno, "cannot write %s/%s: %m", dir, tname);
        /* A reader (the boot's apply) sees the old file or the new one, never half of one. */
        r = write_all(fd, text);
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && renameat(dfd, tname, dfd, p->addr) < 0)
                r = -errno;
        if (r < 0) {
                (void)unlinkat(dfd, tname, 0);
                return hd_error(ctx, r, "cannot write %s/%s: %s", dir, p->addr, strerror(-r));
        }
        (void)fsync(dfd);
        return 0;
}

int hd_persist_set_driver(struct hd_context *ctx, const char *addr, const char *driver) {
        struct hd_persist p = { .driver = (char *)driver };
        _cleanup_free_ char *why = NULL, *text = NULL;
        struct hd_persist check = {};
        int r;

        hd_error_clear(ctx);
        /* What is written must read back: the driver's name goes through the parser. */
        text = strdupf("driver=%s\n", driver ? driver : "");
        if (!text)
                return -ENOMEM;
        r = persist_parse(text, HD_PERSIST_PCI, &check, &why);
        hd_persist_done(&check);
        if (r < 0)
                return r == -ENOMEM ? r : hd_error(ctx, r, "'%s' cannot be a driver's name", driver ? driver : "");
        return persist_write(ctx, HD_PERSIST_PCI, addr, &p);
}

int hd_persist_set_numvfs(struct hd_context *ctx, const char *addr, unsigned numvfs, int autoprobe) {
        struct hd_persist p = { .numvfs = numvfs, .autoprobe = autoprobe < 0 ? -1 : !!autoprobe };

        hd_error_clear(ctx);
        if (numvfs > 65535)
                return hd_error(ctx, -EINVAL, "%u is not a number of VFs (0 to 65535)", numvfs);
        return persist_write(ctx, HD_PERSIST_SRIOV, addr, &p);
}

int hd_persist_remove(struct hd_context *ctx, enum hd_persist_kind kind, const char *addr) {
        _cleanup_free_ char *dir = hd_persist_dir(ctx, kind);
        _cleanup_close_ int dfd = -1;
        char name[20];
        int r;

        hd_error_clear(ctx);
        if (!dir)
                return -ENOMEM;
        r = file_name(ctx, kind, addr, false, name);
        if (r < 0)
                return r;
        dfd = kind_open(ctx, kind, false);
        if (dfd == -ENOENT)
                return -ENOENT;
        if (dfd < 0)
                return hd_error(ctx, dfd, "cannot open %s: %s", dir, strerror(-dfd));
        if (unlinkat(dfd, name, 0) < 0) {
                r = -errno;
                return r == -ENOENT ? r : hd_error(ctx, r, "cannot remove %s/%s: %s", dir, name, strerror(-r));
        }
        (void)fsync(dfd);
        return 0;
}

static int read_at(int dfd, const char *name, char **ret) {
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        ssize_t n;

        if (fd < 0)
                return errno == ELOOP ? -ENOTDIR : -errno;
        buf = malloc(PERSIST_MAX + 2);
        if (!buf)
                return -ENOMEM;
        while (len <= PERSIST_MAX && (n = read(fd, buf + len, PERSIST_MAX + 1 - len)) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                len += (size_t)n;
        }
        if (len > PERSIST_MAX)
                return -EFBIG;
        buf[len] = 0;
        if (strlen(buf) != len)
                return -EBADMSG; /* a NUL: not text */
        *ret = TAKE_PTR(buf);
        return 0;
}

int hd_persist_get(struct hd_context *ctx, enum hd_persist_kind kind, const char *addr, struct hd_persist *ret) {
        _cleanup_free_ char *dir = hd_persist_dir(ctx, kind), *text = NULL, *why = NULL;
        _cleanup_close_ int dfd = -1;
        struct hd_persist p = {};
        int r;

        hd_error_clear(ctx);
        if (!dir)
                return -ENOMEM;
        r = file_name(ctx, kind, addr, true, p.addr);
        if (r < 0)
                return r;
        /* A file named by hand in another spelling (01:00.0) is refused: one device, one file. */
        if (!streq(p.addr, addr))
                return hd_error(ctx, -EINVAL, "%s/%s: a file there is named by the full address, %s; rename it", dir,
                                addr, p.addr);
        dfd = kind_open(ctx, kind, false);
        if (dfd == -ENOENT)
                return -ENOENT;
        if (dfd < 0)
                return hd_error(ctx, dfd, "cannot open %s: %s", dir, strerror(-dfd));
        r = read_at(dfd, p.addr, &text);
        if (r == -ENOENT || r == -ENOMEM)
                return r;
        if (r < 0)
                return hd_error(ctx, -EINVAL, "%s/%s: %s; fix or remove the file", dir, p.addr,
                                r == -EFBIG     ? "larger than any setting (4 KiB)"
                                : r == -EBADMSG ? "not text"
                                : r == -ENOTDIR ? "a link, which hostdev never follows"
                                                : strerror(-r));
        r = persist_parse(text, kind, &p, &why);
        if (r < 0)
                return r == -ENOMEM ? r : hd_error(ctx, r, "%s/%s: %s; fix or remove the file", dir, p.addr, why);
        *ret = p;
        return 0;
}

int hd_persist_list(struct hd_context *ctx, enum hd_persist_kind kind, char ***ret_names) {
        _cleanup_free_ char *dir = hd_persist_dir(ctx, kind);
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int dfd, r;

        hd_error_clear(ctx);
        if (!dir)
                return -ENOMEM;
        dfd = kind_open(ctx, kind, false);
        if (dfd == -ENOENT) {
                *ret_names = calloc(1, sizeof(char *));
                return *ret_names ? 0 : -ENOMEM;
        }
        if (dfd < 0)
                return hd_error(ctx, dfd, "cannot open %s: %s", dir, strerror(-dfd));
        d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return -ENOMEM;
        }
        names = calloc(1, sizeof(char *));
        if (!names)
                return -ENOMEM;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' && (r = strv_extend(&names, de->d_name)) < 0)
                        return r;
        strv_sort(names);
        *ret_names = TAKE_PTR(names);
        return 0;
}
