import type { Migration } from './types.js';

/**
 * Web UI and API: users, login sessions, API tokens, one-time setup links and the audit log.
 * Secrets are stored only as hashes: scrypt for passwords (guessable), SHA-256 for session
 * ids, API tokens and setup links (256-bit random, so a fast hash is enough).
 */
export const migration003: Migration = {
  version: 3,
  name: 'web',
  up(db) {
    db.exec(`
      CREATE TABLE users (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        name           TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role           TEXT NOT NULL CHECK (role IN ('admin', 'installer')),
        password_hash  TEXT NOT NULL,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL
      );

      CREATE TABLE sessions (
        id_hash       TEXT PRIMARY KEY,
        user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token    TEXT NOT NULL,
        created_at    INTEGER NOT NULL,             -- epoch ms
        last_seen_at  INTEGER NOT NULL              -- epoch ms; idle timeout counts from here
      );
      CREATE INDEX sessions_user ON sessions(user_id);

      CREATE TABLE api_tokens (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        name          TEXT NOT NULL,
        token_hash    TEXT NOT NULL UNIQUE,
        created_by    TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        last_used_at  TEXT,
        revoked_at    TEXT
      );

      CREATE TABLE setup_links (
        token_hash  TEXT PRIMARY KEY,
        expires_at  INTEGER NOT NULL                -- epoch ms
      );

      CREATE TABLE audit_log (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        at      TEXT NOT NULL,
        actor   TEXT NOT NULL,                      -- "user:anna", "token:ci", "setup", "cli"
        action  TEXT NOT NULL,                      -- "extension.create", "device.update", …
        target  TEXT,
        before  TEXT,                               -- JSON, secrets already redacted
        after   TEXT
      );
      CREATE INDEX audit_log_at ON audit_log(at);
    `);
  },
};
