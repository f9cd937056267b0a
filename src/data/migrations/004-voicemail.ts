import type { Migration } from './types.js';

/**
 * Voicemail: mailboxes, stored messages and the e-mail outbox. The outbox has one row per
 * (message, recipient) so a delivery can be retried, failed or marked sent for each recipient
 * on its own, and the UNIQUE pair makes a second row for the same recipient impossible.
 * Messages carry the mailbox number without a foreign key: removing a mailbox keeps its
 * history and never deletes a recording nobody has received yet.
 */
export const migration004: Migration = {
  version: 4,
  name: 'voicemail',
  up(db) {
    db.exec(`
      CREATE TABLE mailboxes (
        box            TEXT PRIMARY KEY,            -- 2–6 digits, e.g. "102" or "500"
        name           TEXT NOT NULL,
        language       TEXT NOT NULL CHECK (language IN ('pl', 'en')),
        pin_hash       TEXT,                        -- scrypt, never the PIN itself
        emails         TEXT NOT NULL DEFAULT '[]',  -- JSON list of recipients
        extension      TEXT REFERENCES extensions(number) ON DELETE SET NULL,
        greeting_file  TEXT,                        -- relative to dataDir, e.g. "greetings/102.wav"
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL
      );

      CREATE TABLE voicemail_messages (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        box            TEXT NOT NULL,
        file           TEXT NOT NULL UNIQUE,        -- relative to dataDir
        caller_number  TEXT NOT NULL,
        caller_name    TEXT,
        received_at    INTEGER NOT NULL,            -- epoch ms (hang-up)
        duration_ms    INTEGER NOT NULL,
        created_at     INTEGER NOT NULL
      );
      CREATE INDEX voicemail_messages_box ON voicemail_messages(box, received_at);

      CREATE TABLE mail_outbox (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id       INTEGER NOT NULL REFERENCES voicemail_messages(id) ON DELETE CASCADE,
        recipient        TEXT NOT NULL,
        status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
        attempts         INTEGER NOT NULL DEFAULT 0,
        next_attempt_at  INTEGER NOT NULL,          -- epoch ms
        last_error       TEXT,
        created_at       INTEGER NOT NULL,
        sent_at          INTEGER,
        UNIQUE (message_id, recipient)
      );
      CREATE INDEX mail_outbox_due ON mail_outbox(status, next_attempt_at);
    `);
  },
};
