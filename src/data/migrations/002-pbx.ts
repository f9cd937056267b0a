import type { Migration } from './types.js';

/**
 * PBX state: registered contacts (bindings), per-extension forwarding, entry numbers routed
 * by business hours, and call detail records. Bindings live here rather than in memory so a
 * restart does not make every phone unreachable until it re-registers (up to an hour).
 */
export const migration002: Migration = {
  version: 2,
  name: 'pbx',
  up(db) {
    db.exec(`
      CREATE TABLE registrations (
        id                INTEGER PRIMARY KEY AUTOINCREMENT,
        extension         TEXT NOT NULL REFERENCES extensions(number) ON DELETE CASCADE,
        contact           TEXT NOT NULL,             -- the Contact URI as the phone sent it
        expires_at        INTEGER NOT NULL,          -- epoch ms; rows past it are dead
        call_id           TEXT NOT NULL,             -- Call-ID + CSeq order refreshes (RFC 3261 §10.3)
        cseq              INTEGER NOT NULL,
        received_address  TEXT NOT NULL,             -- where the REGISTER really came from (NAT)
        received_port     INTEGER NOT NULL,
        transport         TEXT NOT NULL,             -- udp | tcp | tls | ws | wss
        user_agent        TEXT,
        instance_id       TEXT,                      -- +sip.instance (RFC 5626), when sent
        registered_at     INTEGER NOT NULL,          -- epoch ms of the latest refresh
        UNIQUE (extension, contact)
      );
      CREATE INDEX registrations_expiry ON registrations(expires_at);

      CREATE TABLE forwarding (
        extension   TEXT PRIMARY KEY REFERENCES extensions(number) ON DELETE CASCADE,
        rules       TEXT NOT NULL,                   -- JSON ForwardingRules, validated by the PBX
        updated_at  TEXT NOT NULL
      );

      CREATE TABLE entry_numbers (
        number      TEXT PRIMARY KEY,
        definition  TEXT NOT NULL,                   -- JSON {schedule, inHours, afterHours}
        updated_at  TEXT NOT NULL
      );

      CREATE TABLE cdr (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        call_id      TEXT NOT NULL,
        caller       TEXT NOT NULL,
        callee       TEXT NOT NULL,
        started_at   TEXT NOT NULL,
        answered_at  TEXT,
        ended_at     TEXT,
        disposition  TEXT CHECK (disposition IN ('answered', 'busy', 'no-answer', 'unavailable', 'cancelled', 'failed')),
        events       TEXT NOT NULL DEFAULT '[]'      -- JSON list of transfer/forward events
      );
      CREATE INDEX cdr_started ON cdr(started_at);
      CREATE INDEX cdr_caller ON cdr(caller, started_at);
      CREATE INDEX cdr_callee ON cdr(callee, started_at);
    `);
  },
};
