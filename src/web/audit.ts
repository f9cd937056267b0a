/**
 * Writes who changed what, with before/after, to the audit log. Secrets are redacted here,
 * before anything reaches the database: a changed secret shows as "[redacted, changed]".
 */
import type { AuditRepository } from '../data/types.js';

const SECRET_KEY = /password|secret|token|passwordhash|pin$/i;
export const REDACTED = '[redacted]';
export const REDACTED_CHANGED = '[redacted, changed]';

export function redact(value: unknown, other?: unknown): unknown {
  if (Array.isArray(value)) return value.map((v, i) => redact(v, Array.isArray(other) ? other[i] : undefined));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const otherObj = other && typeof other === 'object' ? (other as Record<string, unknown>) : undefined;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_KEY.test(k)) {
      out[k] = otherObj && k in otherObj && otherObj[k] !== v ? REDACTED_CHANGED : REDACTED;
    } else {
      out[k] = redact(v, otherObj?.[k]);
    }
  }
  return out;
}

export interface AuditWriter {
  record(actor: string, action: string, target: string | null, before?: unknown, after?: unknown): void;
}

export function createAuditWriter(repo: AuditRepository): AuditWriter {
  return {
    record(actor, action, target, before, after) {
      repo.append({
        actor, action, target,
        before: before === undefined ? null : redact(before),
        after: after === undefined ? null : redact(after, before),
      });
    },
  };
}
