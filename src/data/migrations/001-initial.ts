import type { Migration } from './types.js';

/** Provisioning foundation: extensions, devices, and what devices did on the network. */
export const migration001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE extensions (
        number        TEXT PRIMARY KEY,
        display_name  TEXT NOT NULL,
        sip_password  TEXT NOT NULL,
        emails        TEXT NOT NULL DEFAULT '[]',   -- JSON array of addresses, in order
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      );

      CREATE TABLE devices (
        mac                   TEXT PRIMARY KEY,     -- 12 lowercase hex digits
        model                 TEXT NOT NULL,
        label                 TEXT NOT NULL DEFAULT '',
        hook_flash_preset     TEXT,
        hook_flash_min        REAL,
        hook_flash_max        REAL,
        region                TEXT,
        admin_password        TEXT NOT NULL,
        provisioning_token    TEXT NOT NULL UNIQUE,
        secret_url_confirmed  INTEGER NOT NULL DEFAULT 0,
        created_at            TEXT NOT NULL,
        updated_at            TEXT NOT NULL
      );

      -- RESTRICT: removing an extension a device still uses must fail, not leave a phone
      -- provisioned with a line that no longer exists.
      CREATE TABLE device_lines (
        mac        TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
        position   INTEGER NOT NULL,                 -- 1-based line / port
        extension  TEXT NOT NULL REFERENCES extensions(number) ON DELETE RESTRICT,
        PRIMARY KEY (mac, position)
      );
      CREATE INDEX device_lines_extension ON device_lines(extension);

      CREATE TABLE function_keys (
        mac     TEXT NOT NULL REFERENCES devices(mac) ON DELETE CASCADE,
        key     INTEGER NOT NULL,
        kind    TEXT NOT NULL CHECK (kind IN ('blf', 'speeddial')),
        target  TEXT NOT NULL,
        label   TEXT,
        PRIMARY KEY (mac, key)
      );

      CREATE TABLE sightings (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        mac         TEXT,
        model       TEXT,
        firmware    TEXT,
        ip          TEXT NOT NULL,
        user_agent  TEXT,
        file        TEXT NOT NULL,
        transport   TEXT NOT NULL CHECK (transport IN ('http', 'tftp')),
        at          TEXT NOT NULL
      );
      CREATE INDEX sightings_mac ON sightings(mac, id);

      CREATE TABLE provisioning_log (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        mac          TEXT,
        file         TEXT NOT NULL,
        body_sha256  TEXT NOT NULL,
        client_ip    TEXT NOT NULL,
        transport    TEXT NOT NULL CHECK (transport IN ('http', 'tftp')),
        at           TEXT NOT NULL
      );
      CREATE INDEX provisioning_log_mac ON provisioning_log(mac, id);

      CREATE TABLE served_snapshots (
        mac     TEXT PRIMARY KEY,
        params  TEXT NOT NULL,                      -- JSON object name -> value
        at      TEXT NOT NULL
      );

      CREATE TABLE device_reports (
        mac          TEXT PRIMARY KEY,              -- only the latest upload matters
        firmware     TEXT,
        params       TEXT NOT NULL,                 -- JSON object name -> value
        received_at  TEXT NOT NULL
      );

      CREATE TABLE settings (
        key    TEXT PRIMARY KEY,
        value  TEXT NOT NULL                        -- JSON
      );
    `);
  },
};
