import type { Migration } from './types.js';

/**
 * Two more call dispositions: 'voicemail' (the call ended in a voicemail deposit) and
 * 'abandoned' (the caller hung up while waiting in a queue). SQLite cannot alter a CHECK
 * constraint, so the table is rebuilt the way its documentation prescribes: new table, copy,
 * drop, rename, indexes again — all inside the migration's transaction. Ids are copied as
 * they are (nothing references cdr rows today, but the web UI and API hand ids out), and the
 * AUTOINCREMENT high-water mark is carried over so an id of a deleted row is never reused.
 * The list is spelled out here, not imported: a shipped migration must never change.
 */
export const migration007: Migration = {
  version: 7,
  name: 'cdr-dispositions',
  up(db) {
    const lastId = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'cdr'").get()?.seq;
    db.exec(`
      CREATE TABLE cdr_new (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        call_id      TEXT NOT NULL,
        caller       TEXT NOT NULL,
        callee       TEXT NOT NULL,
        started_at   TEXT NOT NULL,
        answered_at  TEXT,
        ended_at     TEXT,
        disposition  TEXT CHECK (disposition IN ('answered', 'busy', 'no-answer', 'unavailable', 'cancelled', 'failed', 'voicemail', 'abandoned')),
        events       TEXT NOT NULL DEFAULT '[]'      -- JSON list of transfer/forward/destination events
      );
      INSERT INTO cdr_new (id, call_id, caller, callee, started_at, answered_at, ended_at, disposition, events)
        SELECT id, call_id, caller, callee, started_at, answered_at, ended_at, disposition, events FROM cdr;
      DROP TABLE cdr;
      ALTER TABLE cdr_new RENAME TO cdr;
      CREATE INDEX cdr_started ON cdr(started_at);
      CREATE INDEX cdr_caller ON cdr(caller, started_at);
      CREATE INDEX cdr_callee ON cdr(callee, started_at);
    `);
    if (lastId !== undefined) {
      // The rename carries cdr_new's counter (the highest copied id); the old one may be higher.
      const updated = db.prepare("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'cdr'").run(lastId).changes;
      if (updated === 0) db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('cdr', ?)").run(lastId);
    }
    // Nothing references cdr today; if a later schema adds such a table, a rebuild that broke it must fail here.
    const broken = db.pragma('foreign_key_check') as unknown[];
    if (broken.length > 0) throw new Error(`rebuilding cdr left ${broken.length} broken foreign key reference(s)`);
  },
};
