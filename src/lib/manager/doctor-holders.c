/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* check: the processes that have a device's vfio group, vfio cdev or DRM nodes open, from /proc/PID/fd. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "doctor.h"
#include "sysfs/sysfs.h"
#include "util/strutil.h"

struct scan {
        struct hd_context *ctx;
        char *const *nodes;
        struct holder *v;
        size_t n;
        unsigned hidden;
        int self; /* this process, on the live root: it opens nothing of a device, but be sure */
        const char *pid;
};

static bool all_digits(const char *s) {
        return *s && strspn(s, "0123456789") == strlen(s);
}

static int add_holder(struct scan *sc, const char *node) {
        struct holder *nv;
        _cleanup_free_ char *comm = NULL, *cpath = NULL;

        for (size_t i = 0; i < sc->n; i++)
                if (sc->v[i].pid == atoi(sc->pid) && streq(sc->v[i].node, node))
                        return 0; /* the same node open twice */
        nv = realloc(sc->v, (sc->n + 1) * sizeof(*nv));
        if (!nv)
                return -ENOMEM;
        sc->v = nv;
        nv = &sc->v[sc->n++];
        *nv = (struct holder){ .pid = atoi(sc->pid) };
        snprintf(nv->node, sizeof(nv->node), "%s", node);
        /* Documentation/filesystems/proc.rst: comm, the command name (15 characters at most). */
        cpath = strdupf("/proc/%s/comm", sc->pid);
        if (!cpath)
                return -ENOMEM;
        if (sysfs_read(sc->ctx, cpath, &comm) >= 0)
                snprintf(nv->comm, sizeof(nv->comm), "%s", comm);
        else
                snprintf(nv->comm, sizeof(nv->comm), "?");
        return 0;
}

/* One fd link: its text as the kernel wrote it ("/dev/vfio/12"); never followed. */
static int one_fd(const char *name, unsigned char type, void *userdata) {
        struct scan *sc = userdata;
        _cleanup_free_ char *link = strdupf("/proc/%s/fd/%s", sc->pid, name), *target = NULL;
        (void)type;

        if (!link)
                return -ENOMEM;
        if (sysfs_readlink_at(sc->ctx->root_fd, link + 1, &target) < 0)
                return 0; /* closed meanwhile */
        /* A node ending in '/' stands for every node below it (what `hostdev record` keeps). */
        for (char *const *n = sc->nodes; *n; n++)
                if (streq(target, *n) || (endswith(*n, "/") && startswith(target, *n)))
                        return add_holder(sc, target);
        return 0;
}

static int one_process(const char *name, unsigned char type, void *userdata) {
        struct scan *sc = userdata;
        _cleanup_free_ char *fds = NULL;
        int r;
        (void)type;

        if (!all_digits(name) || atoi(name) == sc->self)
                return 0;
        fds = strdupf("proc/%s/fd", name);
        if (!fds)
                return -ENOMEM;
        sc->pid = name;
        r = sysfs_list_at(sc->ctx->root_fd, fds, one_fd, sc);
        if (r == -EACCES || r == -EPERM)
                sc->hidden++; /* another user's process, and this reader is not root */
        else if (r == -ENOMEM)
                return r;
        return 0; /* a process that ended meanwhile has nothing open */
}

static int cmp_holder(const void *a, const void *b) {
        const struct holder *x = a, *y = b;
        return x->pid != y->pid ? (x->pid < y->pid ? -1 : 1) : strcmp(x->node, y->node);
}

int holders_find(struct hd_context *ctx, char *const *nodes, struct holder **ret, size_t *ret_n,
                 unsigned *ret_hidden) {
        struct scan sc = { .ctx = ctx, .nodes = nodes, .self = -1 };
        int r;

        if (streq(hd_context_get_sysroot(ctx), "/"))
                sc.self = (int)getpid();
        r = sysfs_list_at(ctx->root_fd, "proc", one_process, &sc);
        if (r < 0 && r != -ENOENT && r != -ENOTDIR) {
                free(sc.v);
                return r;
        }
        if (sc.n > 1)
                qsort(sc.v, sc.n, sizeof(*sc.v), cmp_holder); /* by pid, whatever order /proc lists them in */
        *ret = sc.v;
        *ret_n = sc.n;
        if (ret_hidden)
                *ret_hidden = sc.hidden;
        return r < 0 ? -ENOENT : 0;
}

/* The vfio cdev's node: vfio-dev/vfioN names /dev/vfio/devices/vfioN (Documentation/driver-api/vfio.rst). */
static int add_cdev(const char *name, unsigned char type, void *userdata) {
        (void)type;
        if (!startswith(name, "vfio"))
                return 0;
        return strv_push(userdata, strdupf("/dev/vfio/devices/%s", name));
}

int holders_vfio_nodes(struct hd_context *ctx, const struct pci_dev *d, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;
        int r;
        (void)ctx;

        if (d->iommu_group >= 0 && (r = strv_push(&v, strdupf("/dev/vfio/%d", d->iommu_group))) < 0)
                return r;
        r = sysfs_list_at(d->dirfd, "vfio-dev", add_cdev, &v);
        if (r == -ENOMEM)
                return r;
        if (!v && !(v = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}

/* The DRM nodes of a GPU: drm/cardN and drm/renderDN name /dev/dri/cardN ... (sysfs-class-drm). */
static int add_drm(const char *name, unsigned char type, void *userdata) {
        (void)type;
        if (!startswith(name, "card") && !startswith(name, "renderD"))
                return 0;
        if (strchr(name, '-'))
                return 0; /* a connector (card0-HDMI-A-1), not a node */
        return strv_push(userdata, strdupf("/dev/dri/%s", name));
}

char *words_holder(const char *addr, const struct holder *h) {
        return strdupf("%s: pid %d (%s) has %s open", addr, h->pid, h->comm, h->node);
}

int refuse_vfio_holders(struct hd_context *ctx, const struct pci_dev *d) {
        _cleanup_strv_free_ char **nodes = NULL;
        _cleanup_free_ struct holder *hs = NULL;
        _cleanup_free_ char *text = NULL;
        size_t n = 0;
        int r = holders_vfio_nodes(ctx, d, &nodes);

        if (r < 0)
                return r;
        if (!nodes[0])
                return 0;
        r = holders_find(ctx, nodes, &hs, &n, NULL);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || n == 0)
                return 0; /* no /proc to look in: nobody to name */
        text = words_holder(d->addr, &hs[0]);
        if (!text)
                return -ENOMEM;
        return hd_error(ctx, -EBUSY, "%s; %s", text, REMEDY_HOLDER);
}

int holders_device_nodes(struct hd_context *ctx, const struct pci_dev *d, char ***ret) {
        _cleanup_strv_free_ char **nodes = NULL;
        int r = holders_vfio_nodes(ctx, d, &nodes);

        if (r < 0)
                return r;
        /* On its host driver, a GPU's DRM nodes matter: unbinding the driver waits for them, or breaks them. */
        if (d->driver && !pci_driver_is_stub(d->driver)) {
                r = sysfs_list_at(d->dirfd, "drm", add_drm, &nodes);
                if (r == -ENOMEM)
                        return r;
                strv_sort(nodes);
        }
        *ret = TAKE_PTR(nodes);
        return 0;
}

int doctor_holders(struct doctor *dc) {
        const struct pci_dev *d = dc->d;
        _cleanup_strv_free_ char **nodes = NULL;
        _cleanup_free_ struct holder *hs = NULL;
        struct report_meta meta = { .source = "/proc/*/fd" };
        size_t n = 0;
        unsigned hidden = 0;
        int r = holders_device_nodes(dc->ctx, d, &nodes);

        if (r < 0)
                return r;
        if (!nodes[0])
                return 0;
        r = holders_find(dc->ctx, nodes, &hs, &n, &hidden);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return report_addm(dc->rep, &meta, HD_REPORT_INFO, "process", NULL,
                                   "no /proc to tell which processes have %s open", nodes[0]);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *text = words_holder(d->addr, &hs[i]);
                bool vfio = startswith(hs[i].node, "/dev/vfio/");
                if (!text)
                        return -ENOMEM;
                r = vfio ? report_addm(dc->rep, &meta, HD_REPORT_FAIL, "process", REMEDY_HOLDER, "%s", text)
                         : report_addm(dc->rep, &meta, HD_REPORT_WARN, "process",
                                       "stop it (a display server: systemctl stop display-manager) before "
                                       "detaching, or unbinding its driver waits for it",
                                       "%s, a node of its host driver %s", text, d->driver);
                if (r < 0)
                        return r;
        }
        if (hidden)
                r = report_addm(dc->rep, &meta, HD_REPORT_WARN, "process", "run hostdev check as root to see them all",
                                "%u processes of other users could not be looked at: one of them may have %s open",
                                hidden, nodes[0]);
        else if (n == 0)
                r = report_addm(dc->rep, &meta, HD_REPORT_OK, "process", NULL, "no process has %s%s open",
                                nodes[0], nodes[1] ? " or its other nodes" : "");
        return r;
}
