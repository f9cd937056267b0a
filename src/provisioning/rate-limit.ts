/**
 * Brute-force brake for provisioning: an address that collects `max` not-found answers
 * (unknown MAC, wrong token, probing names) within `windowSeconds` is refused for
 * `blockSeconds`. MACs are printed on the box and tokens are guessable only by volume,
 * so volume is what this limits. Memory stays bounded: at most `maxTracked` addresses
 * are remembered; when full, expired entries go first, then the oldest.
 */
import type { Logger } from '../log.js';
import { addressKey } from './allow-list.js';

export interface NotFoundLimitOptions {
  /** Not-found answers allowed per window; reaching it starts a block. 0 disables the limiter. */
  max: number;
  windowSeconds: number;
  blockSeconds: number;
  /** Cap on remembered addresses (default 10,000). */
  maxTracked?: number;
  /** Clock in milliseconds; tests pass their own. */
  now?: () => number;
  logger: Logger;
}

export type LimitCheck = { blocked: false } | { blocked: true; retryAfterSeconds: number };

export interface NotFoundLimiter {
  check(ip: string): LimitCheck;
  /** Counts one not-found answer for ip; returns true when this miss started a block. */
  recordMiss(ip: string): boolean;
  /** Addresses currently remembered (for tests and diagnostics). */
  trackedCount(): number;
}

interface Entry {
  windowStartedAt: number;
  misses: number;
  blockedUntil: number; // 0 = not blocked
}

const DEFAULT_MAX_TRACKED = 10_000;

export function createNotFoundLimiter(opts: NotFoundLimitOptions): NotFoundLimiter {
  const now = opts.now ?? Date.now;
  const windowMs = opts.windowSeconds * 1000;
  const blockMs = opts.blockSeconds * 1000;
  const maxTracked = Math.max(1, opts.maxTracked ?? DEFAULT_MAX_TRACKED);
  const entries = new Map<string, Entry>();
  const enabled = opts.max > 0;

  function isExpired(entry: Entry, at: number): boolean {
    return entry.blockedUntil > 0 ? at >= entry.blockedUntil : at - entry.windowStartedAt >= windowMs;
  }

  function makeRoom(at: number): void {
    for (const [key, entry] of entries) {
      if (isExpired(entry, at)) entries.delete(key);
    }
    // Still full: forget the oldest address (Map keeps insertion order).
    while (entries.size >= maxTracked) {
      const oldest = entries.keys().next().value as string;
      entries.delete(oldest);
    }
  }

  return {
    check(ip) {
      // Fast path: nobody has missed recently (the normal state), so nobody is blocked.
      if (!enabled || entries.size === 0) return { blocked: false };
      const key = addressKey(ip);
      const entry = entries.get(key);
      if (!entry || entry.blockedUntil === 0) return { blocked: false };
      const at = now();
      if (at >= entry.blockedUntil) {
        entries.delete(key);
        opts.logger.info({ ip: key }, 'provisioning block expired');
        return { blocked: false };
      }
      return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil((entry.blockedUntil - at) / 1000)) };
    },

    recordMiss(ip) {
      if (!enabled) return false;
      const key = addressKey(ip);
      const at = now();
      let entry = entries.get(key);
      if (entry && isExpired(entry, at)) {
        entries.delete(key);
        entry = undefined;
      }
      if (!entry) {
        if (entries.size >= maxTracked) makeRoom(at);
        entry = { windowStartedAt: at, misses: 0, blockedUntil: 0 };
        entries.set(key, entry);
      }
      if (entry.blockedUntil > 0) return false;
      entry.misses += 1;
      if (entry.misses < opts.max) return false;
      entry.blockedUntil = at + blockMs;
      // One line per block, not one per refused request.
      opts.logger.warn(
        { ip: key, misses: entry.misses, windowSeconds: opts.windowSeconds, blockSeconds: opts.blockSeconds },
        'too many not-found provisioning requests; address blocked',
      );
      return true;
    },

    trackedCount: () => entries.size,
  };
}
