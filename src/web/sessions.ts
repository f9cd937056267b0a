/**
 * Login sessions: a random id in an HTTP-only cookie, stored only as its SHA-256 hash, with a
 * per-session CSRF token (synchroniser token) and an idle timeout counted from the last request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Repositories, Session, User } from '../data/types.js';

export const SESSION_COOKIE = 'hf_session';

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
export const randomToken = (): string => randomBytes(32).toString('base64url');

/** Constant-time string comparison (different lengths are simply unequal). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface ActiveSession {
  session: Session;
  user: User;
}

export interface SessionManager {
  /** Returns the cookie value (shown to the browser once, never stored). */
  start(userId: number): { cookieValue: string; session: Session };
  /** The live session for a cookie value, refreshed; null when absent, unknown or idle too long. */
  resolve(cookieValue: string | undefined): ActiveSession | null;
  end(cookieValue: string | undefined): void;
}

export function createSessionManager(deps: {
  repos: Pick<Repositories, 'sessions' | 'users'>; now: () => number; idleTimeoutMs: number;
}): SessionManager {
  const { repos, now, idleTimeoutMs } = deps;
  return {
    start(userId) {
      const cookieValue = randomToken();
      const at = now();
      // Logging in is a good moment to forget sessions that timed out long ago.
      repos.sessions.removeIdleSince(at - idleTimeoutMs);
      const session: Session = { idHash: sha256(cookieValue), userId, csrfToken: randomToken(), createdAt: at, lastSeenAt: at };
      repos.sessions.create(session);
      return { cookieValue, session };
    },
    resolve(cookieValue) {
      if (!cookieValue) return null;
      const idHash = sha256(cookieValue);
      const session = repos.sessions.get(idHash);
      if (!session) return null;
      const at = now();
      if (at - session.lastSeenAt > idleTimeoutMs) {
        repos.sessions.remove(idHash);
        return null;
      }
      const user = repos.users.get(session.userId);
      if (!user) return null;
      repos.sessions.touch(idHash, at);
      return { session: { ...session, lastSeenAt: at }, user };
    },
    end(cookieValue) {
      if (cookieValue) repos.sessions.remove(sha256(cookieValue));
    },
  };
}
