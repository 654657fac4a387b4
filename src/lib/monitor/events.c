/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel events to hostdev events: re-read the one device an event names, remember it, queue what to report. */
#include <search.h>
#include <string.h>

#include "hostdev/inventory.h"
#include "inventory/probe.h"
#include "monitor-internal.h"
#include "sysfs/sysfs.h"

_Static_assert(_HD_CAP_MAX <= 32, "struct mon_record.caps holds one bit per capability");

static const char *const action_table[_HD_EVENT_MAX] = {
#define X(id, str) [HD_EVENT_##id] = str,
        HD_EVENT_ACTIONS(X)
#undef X
};

const char *hd_event_action_to_string(enum hd_event_action a) {
        return a >= 0 && a < _HD_EVENT_MAX ? action_table[a] : NULL;
}

enum hd_event_action hd_event_action_from_string(const char *s) {
        for (int i = 0; s && i < _HD_EVENT_MAX; i++)
                if (streq(action_table[i], s))
                        return (enum hd_event_action)i;
        return _HD_EVENT_INVALID;
}

bool hd_event_has_cap(const struct hd_event *e, enum hd_cap_type type) {
        /* Every event the library hands out is the head of a struct mon_event. */
        const struct mon_event *me = (const struct mon_event *)e;
        return e && type >= 0 && type < _HD_CAP_MAX && (me->caps & (1u << type));
}

static uint32_t caps_of(const struct hd_device *d) {
        uint32_t caps = 0;
        for (int t = 0; t < _HD_CAP_MAX; t++)
                if (hd_device_has_cap(d, (enum hd_cap_type)t))
                        caps |= 1u << t;
        return caps;
}

/* ---- records, by sysfs path ---- */

static int cmp_record(const void *a, const void *b) {
        return strcmp(((const struct mon_record *)a)->path, ((const struct mon_record *)b)->path);
}

static void record_free(void *p) {
        struct mon_record *r = p;
        if (!r)
                return;
        free(r->path);
        free(r->name);
        free(r->driver);
        free(r);
}

static struct mon_record *record_find(struct hd_monitor *m, const char *path) {
        struct mon_record key = { .path = (char *)path };
        void *node = tfind(&key, &m->records, cmp_record);
        return node ? *(struct mon_record **)node : NULL;
}

static void record_delete(struct hd_monitor *m, struct mon_record *r) {
        if (tdelete(r, &m->records, cmp_record))
                m->n_records--;
        record_free(r);
}

/* Remember D (a new record, or the one at its path brought up to date). */
static int record_update(struct hd_monitor *m, const struct hd_device *d, struct mon_record **ret) {
        struct mon_record *r = record_find(m, d->sysfs_path);
        char *name = strdup(d->name), *driver = strdup_or_null(d->driver);

        if (!name || (d->driver && !driver)) {
                free(name);
                free(driver);
                return -ENOMEM;
        }
        if (!r) {
                void *node;
                r = calloc(1, sizeof(*r));
                if (!r || !(r->path = strdup(d->sysfs_path))) {
                        free(r);
                        free(name);
                        free(driver);
                        return -ENOMEM;
                }
                node = tsearch(r, &m->records, cmp_record);
                if (!node) {
                        free(name);
                        free(driver);
                        record_free(r);
                        return -ENOMEM;
                }
                m->n_records++;
        }
        free(r->name);
        free(r->driver);
        r->name = name;
        r->driver = driver;
        r->cap = hd_device_main_cap(d);
        r->caps = caps_of(d);
        r->generation = m->generation;
        if (ret)
                *ret = r;
        return 0;
}

/* ---- the queue ---- */

static void event_done(struct mon_event *e) {
        free(e->name);
        free(e->old_name);
        free(e->driver);
        free(e->path);
        hd_device_free(e->dev);
        *e = (struct mon_event){ 0 };
}

/* Queue an event; takes DEV (may be NULL), copies the strings. */
static int queue_push(struct hd_monitor *m, enum hd_event_action action, unsigned long long seqnum,
                      const char *name, const char *old_name, enum hd_cap_type cap, uint32_t caps,
                      const char *driver, const char *path, struct hd_device *dev) {
        struct mon_event *e;

        if (m->n == m->cap) {
                size_t ncap = m->cap ? m->cap * 2 : 64;
                struct mon_event *nq = realloc(m->queue, ncap * sizeof(*nq));
                if (!nq) {
                        hd_device_free(dev);
                        return -ENOMEM;
                }
                m->queue = nq;
                m->cap = ncap;
        }
        e = &m->queue[m->n];
        *e = (struct mon_event){ .caps = caps, .dev = dev };
        e->name = strdup_or_null(name);
        e->old_name = strdup_or_null(old_name);
        e->driver = strdup_or_null(driver);
        e->path = strdup_or_null(path);
        if ((name && !e->name) || (old_name && !e->old_name) || (driver && !e->driver) || (path && !e->path)) {
                event_done(e);
                return -ENOMEM;
        }
        e->ev = (struct hd_event){ .action = action, .seqnum = seqnum, .cap = cap };
        m->n++;
        return 0;
}

int monitor_pop(struct hd_monitor *m, const struct hd_event **ret) {
        struct mon_event *c = &m->current;

        event_done(c);
        if (m->head == m->n) {
                m->head = m->n = 0;
                return 0;
        }
        *c = m->queue[m->head++];
        if (m->head == m->n)
                m->head = m->n = 0;
        /* The strings moved with the struct; point the public view at them. */
        c->ev.name = c->name;
        c->ev.old_name = c->old_name;
        c->ev.driver = c->driver;
        c->ev.sysfs_path = c->path;
        c->ev.device = c->dev;
        *ret = &c->ev;
        return 1;
}

void monitor_state_free(struct hd_monitor *m) {
        tdestroy(m->records, record_free);
        m->records = NULL;
        m->n_records = 0;
        for (size_t i = m->head; i < m->n; i++)
                event_done(&m->queue[i]);
        free(m->queue);
        m->queue = NULL;
        m->head = m->n = m->cap = 0;
        event_done(&m->current);
}

/* ---- events ---- */

static bool subsystem_listed(const char *subsystem) {
        if (!subsystem)
                return true; /* not said: let the probe decide */
        for (size_t i = 0; hd_subsystems[i]; i++)
                if (streq(hd_subsystems[i]->subsystem, subsystem))
                        return true;
        return false;
}

/* "/devices/..." as the kernel gives it -> "/sys/devices/...", normalised. */
static int sysfs_path_of(const char *devpath, char **ret) {
        _cleanup_free_ char *p = NULL;
        if (!devpath || devpath[0] != '/')
                return -EINVAL;
        p = strdupf("/sys%s", devpath);
        if (!p)
                return -ENOMEM;
        return path_normalize(p, ret);
}

/* The parent's name from what the monitor knows: the nearest ancestor folder it remembers. */
static int set_parent(struct hd_monitor *m, struct hd_device *d) {
        _cleanup_free_ char *p = strdup(d->sysfs_path);
        const char *parent = "computer";
        char *slash;

        if (!p)
                return -ENOMEM;
        while ((slash = strrchr(p, '/')) && slash != p) {
                struct mon_record *a;
                *slash = 0;
                if ((a = record_find(m, p))) {
                        parent = a->name;
                        break;
                }
        }
        free(d->parent_name);
        d->parent_name = strdup(parent);
        return d->parent_name ? 0 : -ENOMEM;
}

/* Read the device at PATH now. 0 and *RET; -ENODEV/-ENOENT when hostdev lists no such device (now). */
static int reread(struct hd_monitor *m, const char *path, struct hd_device **ret) {
        struct hd_device *d = NULL;
        int r = hd_probe_device(m->ctx, path, &d);

        if (r < 0)
                return r == -ENOMEM ? r : -ENODEV;
        r = set_parent(m, d);
        if (r < 0) {
                hd_device_free(d);
                return r;
        }
        *ret = d;
        return 0;
}

static int feed_remove(struct hd_monitor *m, const char *path, unsigned long long seqnum) {
        struct mon_record *rec = record_find(m, path);
        int r;

        if (!rec)
                return 0; /* a device hostdev did not list */
        r = queue_push(m, HD_EVENT_REMOVE, seqnum, rec->name, NULL, rec->cap, rec->caps, rec->driver, rec->path,
                       NULL);
        record_delete(m, rec);
        return r;
}

static int feed_move(struct hd_monitor *m, const char *path, const char *devpath_old, unsigned long long seqnum) {
        _cleanup_free_ char *old_path = NULL, *old_name = NULL, *old_driver = NULL;
        struct mon_record *rec = NULL;
        struct hd_device *d = NULL;
        enum hd_cap_type old_cap = _HD_CAP_INVALID;
        uint32_t old_caps = 0;
        int r;

        if (devpath_old && sysfs_path_of(devpath_old, &old_path) == -ENOMEM)
                return -ENOMEM;
        if (old_path && (rec = record_find(m, old_path))) {
                old_name = TAKE_PTR(rec->name);
                old_driver = TAKE_PTR(rec->driver);
                old_cap = rec->cap;
                old_caps = rec->caps;
                record_delete(m, rec);
        }
        r = reread(m, path, &d);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                /* Renamed into something hostdev does not list: for hostdev's purposes, gone. */
                return old_name ? queue_push(m, HD_EVENT_REMOVE, seqnum, old_name, NULL, old_cap, old_caps,
                                             old_driver, old_path, NULL)
                                : 0;
        r = record_update(m, d, NULL);
        if (r < 0) {
                hd_device_free(d);
                return r;
        }
        return queue_push(m, HD_EVENT_MOVE, seqnum, d->name, old_name, hd_device_main_cap(d), caps_of(d), d->driver,
                          d->sysfs_path, d);
}

/* add, change, bind, unbind: the device is read again and remembered as it is now. */
static int feed_present(struct hd_monitor *m, enum hd_event_action action, const char *path, const char *driver,
                        unsigned long long seqnum) {
        _cleanup_free_ char *old_driver = NULL;
        struct mon_record *rec = record_find(m, path);
        struct hd_device *d = NULL;
        const char *told;
        int r;

        /* The kernel sends unbind after the driver let go: only the monitor still knows which one it was. */
        if (rec && rec->driver && !(old_driver = strdup(rec->driver)))
                return -ENOMEM;
        r = reread(m, path, &d);
        if (r == -ENOMEM)
                return r;
        if (r < 0 && rec) {
                /*
                 * Gone before the monitor got to the event (a VF unbound as
                 * sriov_numvfs drops): the kernel said it, so it is told
                 * from memory, and its remove follows.
                 */
                if (action == HD_EVENT_UNBIND) {
                        told = old_driver ? old_driver : driver;
                        free(rec->driver);
                        rec->driver = NULL;
                } else if (action == HD_EVENT_BIND) {
                        char *now = strdup_or_null(driver);
                        if (driver && !now)
                                return -ENOMEM;
                        free(rec->driver);
                        rec->driver = now;
                        told = driver;
                } else
                        told = rec->driver;
                return queue_push(m, action, seqnum, rec->name, NULL, rec->cap, rec->caps, told, rec->path, NULL);
        }
        if (r < 0)
                return 0; /* not a device hostdev lists, or gone before it was ever seen */
        r = record_update(m, d, NULL);
        if (r < 0) {
                hd_device_free(d);
                return r;
        }
        if (action == HD_EVENT_UNBIND)
                told = old_driver ? old_driver : driver;
        else if (action == HD_EVENT_BIND)
                told = driver ? driver : d->driver;
        else
                told = d->driver;
        return queue_push(m, action, seqnum, d->name, NULL, hd_device_main_cap(d), caps_of(d), told, d->sysfs_path, d);
}

int monitor_feed(struct hd_monitor *m, const char *action, const char *devpath, const char *devpath_old,
                 const char *subsystem, const char *driver, unsigned long long seqnum) {
        _cleanup_free_ char *path = NULL;
        enum hd_event_action a = hd_event_action_from_string(action);
        int r;

        /* online, offline and actions to come are not about devices coming and going. */
        if (a < 0 || a == HD_EVENT_OVERFLOW || !subsystem_listed(subsystem))
                return 0;
        r = sysfs_path_of(devpath, &path);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        switch (a) {
        case HD_EVENT_REMOVE:
                return feed_remove(m, path, seqnum);
        case HD_EVENT_MOVE:
                return feed_move(m, path, devpath_old, seqnum);
        default:
                return feed_present(m, a, path, driver, seqnum);
        }
}

/* ---- reading the whole host: at the start, and again after an overflow ---- */

struct stale {
        struct mon_record **v;
        size_t n, cap;
        unsigned generation;
        bool oom;
};

static void collect_stale(const void *node, VISIT which, void *userdata) {
        struct mon_record *r = *(struct mon_record *const *)node;
        struct stale *s = userdata;

        if ((which != postorder && which != leaf) || r->generation == s->generation)
                return;
        if (s->n == s->cap) {
                size_t ncap = s->cap ? s->cap * 2 : 64;
                struct mon_record **nv = realloc(s->v, ncap * sizeof(*nv));
                if (!nv) {
                        s->oom = true;
                        return;
                }
                s->v = nv;
                s->cap = ncap;
        }
        s->v[s->n++] = r;
}

/* What changed between the remembered host and INV: queued as add, remove, bind, unbind. */
static int reconcile(struct hd_monitor *m, struct hd_inventory *inv) {
        struct stale st = { .generation = m->generation };
        int r = 0;

        for (size_t i = 0; i < hd_inventory_size(inv) && r >= 0; i++) {
                const struct hd_device *d = hd_inventory_at(inv, i);
                struct mon_record *rec;
                enum hd_cap_type cap = hd_device_main_cap(d);

                if (!d->sysfs_path)
                        continue; /* "computer", defined mdevs: no events of their own */
                rec = record_find(m, d->sysfs_path);
                if (!rec)
                        r = queue_push(m, HD_EVENT_ADD, 0, d->name, NULL, cap, caps_of(d), d->driver, d->sysfs_path,
                                       NULL);
                else if (!streq(rec->name, d->name)) {
                        r = queue_push(m, HD_EVENT_REMOVE, 0, rec->name, NULL, rec->cap, rec->caps, rec->driver,
                                       rec->path, NULL);
                        if (r >= 0)
                                r = queue_push(m, HD_EVENT_ADD, 0, d->name, NULL, cap, caps_of(d), d->driver,
                                               d->sysfs_path, NULL);
                } else if (!streq(rec->driver ? rec->driver : "", d->driver ? d->driver : "")) {
                        if (rec->driver)
                                r = queue_push(m, HD_EVENT_UNBIND, 0, d->name, NULL, cap, caps_of(d), rec->driver,
                                               d->sysfs_path, NULL);
                        if (r >= 0 && d->driver)
                                r = queue_push(m, HD_EVENT_BIND, 0, d->name, NULL, cap, caps_of(d), d->driver,
                                               d->sysfs_path, NULL);
                }
                if (r >= 0)
                        r = record_update(m, d, NULL);
        }
        if (r < 0)
                return r;
        twalk_r(m->records, collect_stale, &st);
        for (size_t i = 0; i < st.n && r >= 0; i++) {
                struct mon_record *rec = st.v[i];
                r = queue_push(m, HD_EVENT_REMOVE, 0, rec->name, NULL, rec->cap, rec->caps, rec->driver, rec->path,
                               NULL);
                record_delete(m, rec);
        }
        free(st.v);
        return st.oom ? -ENOMEM : r;
}

static int scan_host(struct hd_monitor *m, bool report) {
        struct hd_inventory *inv = NULL;
        int r;

        r = hd_inventory_scan(m->ctx, 0, &inv);
        if (r < 0)
                return r;
        m->generation++;
        if (report)
                r = reconcile(m, inv);
        else
                for (size_t i = 0; i < hd_inventory_size(inv) && r >= 0; i++)
                        if (hd_inventory_at(inv, i)->sysfs_path)
                                r = record_update(m, hd_inventory_at(inv, i), NULL);
        hd_inventory_free(inv);
        return r;
}

int monitor_load(struct hd_monitor *m) {
        return scan_host(m, false);
}

int monitor_resync(struct hd_monitor *m) {
        int r = queue_push(m, HD_EVENT_OVERFLOW, 0, NULL, NULL, _HD_CAP_INVALID, 0, NULL, NULL, NULL);
        if (r < 0)
                return r;
        return scan_host(m, true);
}
