/** Sessions, API tokens, setup links and the audit log: the web UI's access records. */
import type { Db } from '../db.js';
import type {
  ApiToken, ApiTokenRepository, AuditEntry, AuditRepository, Session, SessionRepository, SetupLinkRepository,
} from '../web-types.js';

interface SessionRow { id_hash: string; user_id: number; csrf_token: string; created_at: number; last_seen_at: number }

export function createSessionRepository(db: Db): SessionRepository {
  const insert = db.prepare(
    'INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)',
  );
  const one = db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id_hash = ?');
  const touch = db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?');
  const del = db.prepare('DELETE FROM sessions WHERE id_hash = ?');
  const delIdle = db.prepare('DELETE FROM sessions WHERE last_seen_at < ?');
  const delUser = db.prepare('DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?');
  return {
    create(s: Session) {
      insert.run(s.idHash, s.userId, s.csrfToken, s.createdAt, s.lastSeenAt);
    },
    get(idHash) {
      const r = one.get(idHash);
      return r ? { idHash: r.id_hash, userId: r.user_id, csrfToken: r.csrf_token, createdAt: r.created_at, lastSeenAt: r.last_seen_at } : undefined;
    },
    touch(idHash, at) {
      touch.run(at, idHash);
    },
    remove(idHash) {
      del.run(idHash);
    },
    removeIdleSince: (cutoff) => delIdle.run(cutoff).changes,
    // '' never matches a stored hash (hex), so without keepIdHash every session goes.
    removeForUser: (userId, keepIdHash) => delUser.run(userId, keepIdHash ?? '').changes,
  };
}

interface TokenRow {
  id: number; name: string; token_hash: string; created_by: string; created_at: string; last_used_at: string | null; revoked_at: string | null;
}

function toToken(r: TokenRow): ApiToken {
  return {
    id: r.id, name: r.name, tokenHash: r.token_hash, createdBy: r.created_by,
    createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at,
  };
}

export function createApiTokenRepository(db: Db): ApiTokenRepository {
  const insert = db.prepare('INSERT INTO api_tokens (name, token_hash, created_by, created_at) VALUES (?, ?, ?, ?)');
  const byId = db.prepare<[number], TokenRow>('SELECT * FROM api_tokens WHERE id = ?');
  const active = db.prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL');
  const all = db.prepare<[], TokenRow>('SELECT * FROM api_tokens ORDER BY id');
  const used = db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?');
  const revoke = db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  return {
    add({ name, tokenHash, createdBy }) {
      const id = Number(insert.run(name, tokenHash, createdBy, new Date().toISOString()).lastInsertRowid);
      return toToken(byId.get(id)!);
    },
    findActiveByHash(hash) {
      const r = active.get(hash);
      return r ? toToken(r) : undefined;
    },
    list: () => all.all().map(toToken),
    markUsed(id, at) {
      used.run(at, id);
    },
    revoke: (id) => revoke.run(new Date().toISOString(), id).changes > 0,
  };
}

export function createSetupLinkRepository(db: Db): SetupLinkRepository {
  const insert = db.prepare('INSERT INTO setup_links (token_hash, expires_at) VALUES (?, ?)');
  const one = db.prepare<[string], { expires_at: number }>('SELECT expires_at FROM setup_links WHERE token_hash = ?');
  const del = db.prepare('DELETE FROM setup_links WHERE token_hash = ?');
  const clear = db.prepare('DELETE FROM setup_links');
  return {
    add(hash, expiresAt) {
      insert.run(hash, expiresAt);
    },
    consume(hash, now) {
      const row = one.get(hash);
      if (!row) return false;
      del.run(hash);
      return row.expires_at > now;
    },
    clear() {
      clear.run();
    },
  };
}

interface AuditRow { id: number; at: string; actor: string; action: string; target: string | null; before: string | null; after: string | null }

function toAudit(r: AuditRow): AuditEntry {
  return {
    id: r.id, at: r.at, actor: r.actor, action: r.action, target: r.target,
    before: r.before === null ? null : JSON.parse(r.before), after: r.after === null ? null : JSON.parse(r.after),
  };
}

export function createAuditRepository(db: Db): AuditRepository {
  const insert = db.prepare('INSERT INTO audit_log (at, actor, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)');
  const byId = db.prepare<[number], AuditRow>('SELECT * FROM audit_log WHERE id = ?');
  const recent = db.prepare<[number], AuditRow>('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?');
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  return {
    append(e) {
      const id = Number(insert.run(e.at ?? new Date().toISOString(), e.actor, e.action, e.target ?? null, json(e.before), json(e.after)).lastInsertRowid);
      return toAudit(byId.get(id)!);
    },
    recent: (limit) => recent.all(limit).map(toAudit),
  };
}
