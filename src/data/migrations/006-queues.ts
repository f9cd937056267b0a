import type { Migration } from './types.js';

/**
 * Call queues and their members. A member row carries the agent's per-queue statistics
 * (last call ended, calls taken) the least-recent and fewest-calls strategies read; the
 * paused flag lives here too so a pause survives a restart. Removing an extension removes
 * its memberships (a queue must never ring a number that no longer exists).
 */
export const migration006: Migration = {
  version: 6,
  name: 'queues',
  up(db) {
    db.exec(`
      CREATE TABLE queues (
        number               TEXT PRIMARY KEY,      -- 2–6 digits, e.g. "30"
        name                 TEXT NOT NULL,
        strategy             TEXT NOT NULL CHECK (strategy IN ('ring-all', 'round-robin', 'least-recent', 'fewest-calls')),
        ring_timeout_s       INTEGER NOT NULL,      -- per agent (or per ring-all round)
        wrap_up_s            INTEGER NOT NULL,      -- rest after a call before the next one rings
        max_wait_s           INTEGER NOT NULL,      -- then the overflow destination
        announce_position_s  INTEGER,               -- NULL = no position announcements
        language             TEXT NOT NULL CHECK (language IN ('pl', 'en')),
        overflow             TEXT NOT NULL,         -- JSON {kind: voicemail|extension|queue, …}
        created_at           TEXT NOT NULL,
        updated_at           TEXT NOT NULL
      );

      CREATE TABLE queue_members (
        queue               TEXT NOT NULL REFERENCES queues(number) ON DELETE CASCADE,
        extension           TEXT NOT NULL REFERENCES extensions(number) ON DELETE CASCADE,
        position            INTEGER NOT NULL,       -- order within the queue (round-robin, ties)
        paused              INTEGER NOT NULL DEFAULT 0,
        last_call_ended_at  INTEGER,                -- epoch ms
        calls_taken         INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (queue, extension)
      );
      CREATE INDEX queue_members_extension ON queue_members(extension);
    `);
  },
};
