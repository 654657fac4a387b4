/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state store's schema: its migrations, in order, and bringing a store up to this library's version. */
#include <errno.h>
#include <stdio.h>

#include "store.h"

/*
 * Migrations, in order: entry N brings the schema from version N to N+1.
 * Never edit a released entry; append a new one.
 */
static const char *const migrations[] = {
        "CREATE TABLE devices ("
        "  id INTEGER PRIMARY KEY,"
        "  kind TEXT NOT NULL CHECK (kind IN ('pci','usb','scsi','mdev','net_vf')),"
        "  key TEXT NOT NULL,"
        "  owner_driver TEXT, owner_domain TEXT, owner_uuid TEXT,"
        "  managed INTEGER NOT NULL DEFAULT 0,"
        "  orig_driver TEXT, stub_driver TEXT,"
        "  unbind_from_stub INTEGER NOT NULL DEFAULT 0,"
        "  remove_slot INTEGER NOT NULL DEFAULT 0,"
        "  reprobe INTEGER NOT NULL DEFAULT 0,"
        "  vf_mac TEXT, vf_vlan TEXT,"
        "  state TEXT NOT NULL CHECK (state IN ('busy','detached','held')),"
        "  op_id INTEGER,"
        "  holder TEXT,"
        "  created INTEGER NOT NULL, updated INTEGER NOT NULL,"
        "  UNIQUE (kind, key));"
        "CREATE TABLE ops ("
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  op TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,"
        "  data TEXT,"
        "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','undone','failed')),"
        "  pid INTEGER, holder TEXT,"
        "  started INTEGER NOT NULL, finished INTEGER);"
        "CREATE INDEX ops_open ON ops (status) WHERE status = 'open';"
        "CREATE TABLE journal ("
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  op_id INTEGER NOT NULL REFERENCES ops (id) ON DELETE CASCADE,"
        "  op TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,"
        "  step INTEGER NOT NULL,"
        "  action TEXT NOT NULL, undo TEXT NOT NULL,"
        "  status TEXT NOT NULL CHECK (status IN ('pending','done','failed')),"
        "  created INTEGER NOT NULL, updated INTEGER NOT NULL,"
        "  UNIQUE (op_id, step));",
        /* 2: what prepare and release keep per device, and the owners of shared SCSI LUNs. */
        "ALTER TABLE devices ADD COLUMN prev_state TEXT CHECK (prev_state IN ('detached'));"
        "ALTER TABLE devices ADD COLUMN orig_override TEXT;"
        "ALTER TABLE devices ADD COLUMN node TEXT;"
        "ALTER TABLE devices ADD COLUMN shareable INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE devices ADD COLUMN readonly INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE devices ADD COLUMN sgio TEXT;"
        "ALTER TABLE devices ADD COLUMN mdev_started INTEGER NOT NULL DEFAULT 0;"
        "CREATE INDEX devices_owner ON devices (owner_driver, owner_domain);"
        "CREATE TABLE sharers ("
        "  id INTEGER PRIMARY KEY,"
        "  kind TEXT NOT NULL, key TEXT NOT NULL,"
        "  owner_driver TEXT NOT NULL, owner_domain TEXT NOT NULL, owner_uuid TEXT,"
        "  readonly INTEGER NOT NULL DEFAULT 0,"
        "  op_id INTEGER,"
        "  created INTEGER NOT NULL,"
        "  UNIQUE (kind, key, owner_driver, owner_domain),"
        "  FOREIGN KEY (kind, key) REFERENCES devices (kind, key) ON DELETE CASCADE);",
        /* 3: a VF's saved spoof checking, trust and link state ("trust=off link=auto"), beside its MAC and VLAN. */
        "ALTER TABLE devices ADD COLUMN vf_flags TEXT;",
        /*
         * 4: a hold tied to a process (its pid and its start time, field 22 of
         * /proc/PID/stat, so a reused pid is not the holder), per device row
         * and per sharer; and what was given back from holders that died.
         */
        "ALTER TABLE devices ADD COLUMN holder_pid INTEGER;"
        "ALTER TABLE devices ADD COLUMN holder_start INTEGER;"
        "ALTER TABLE sharers ADD COLUMN holder_pid INTEGER;"
        "ALTER TABLE sharers ADD COLUMN holder_start INTEGER;"
        "CREATE TABLE reclaims ("
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  owner_driver TEXT NOT NULL, owner_domain TEXT NOT NULL, owner_uuid TEXT,"
        "  kind TEXT NOT NULL, key TEXT NOT NULL,"
        "  holder_pid INTEGER NOT NULL,"
        "  reclaimed INTEGER NOT NULL,"
        "  why TEXT NOT NULL);"
        "CREATE INDEX reclaims_when ON reclaims (reclaimed);",
        /* 5: a device another launcher prepared itself (libvirt, through its hook) and hostdev only records. */
        "ALTER TABLE devices ADD COLUMN claimed INTEGER NOT NULL DEFAULT 0;",
};

int store_schema_version(void) {
        return (int)ELEMENTSOF(migrations);
}

static int user_version(struct hd_store *s, int *ret) {
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_stmt(s, "PRAGMA user_version", &st), rc;
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_sql_error(s, rc, "reading the schema version");
        *ret = sqlite3_column_int(st, 0);
        return 0;
}

int store_migrate(struct hd_store *s) {
        int version = 0, r;

        /* The common case, a store at this version, takes no write lock. */
        r = user_version(s, &version);
        if (r < 0)
                return r;
        if (version == store_schema_version())
                return 0;
        /* Read it again under the write lock: two processes may start at once. */
        r = store_begin(s);
        if (r < 0)
                return r;
        r = user_version(s, &version);
        if (r < 0)
                goto fail;
        if (version > store_schema_version()) {
                r = hd_error(s->ctx, -EPROTO,
                             "state store %s has schema %d, this hostdev knows up to %d; use a newer hostdev",
                             s->path, version, store_schema_version());
                goto fail;
        }
        for (; version < store_schema_version(); version++) {
                char sql[64];
                r = store_exec(s, migrations[version], "migrating the schema");
                if (r < 0)
                        goto fail;
                snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
                r = store_exec(s, sql, "migrating the schema");
                if (r < 0)
                        goto fail;
        }
        return store_commit(s);
fail:
        store_rollback(s);
        return r;
}
