/**
 * Records and repository contracts of the web UI and API (users, sessions, API tokens,
 * setup links, audit log). Re-exported from types.ts.
 */

export type UserRole = 'admin' | 'installer';

export interface User {
  id: number;
  name: string;
  role: UserRole;
  /** scrypt hash string (src/web/passwords.ts format); never shown or logged. */
  passwordHash: string;
  createdAt: string;
  updatedAt: string;
}

export interface UserRepository {
  /** ConflictError when the name (case-insensitive) exists. */
  add(user: { name: string; role: UserRole; passwordHash: string }): User;
  get(id: number): User | undefined;
  getByName(name: string): User | undefined;
  list(): User[];
  countByRole(role: UserRole): number;
  setPasswordHash(id: number, passwordHash: string): void;
  /** NotFoundError when the user does not exist; ValidationError for a bad role. */
  setRole(id: number, role: UserRole): User;
  /** Deletes the user (sessions go with it); false when there was none. */
  remove(id: number): boolean;
}

export interface Session {
  idHash: string;
  userId: number;
  csrfToken: string;
  createdAt: number;   // epoch ms
  lastSeenAt: number;  // epoch ms
}

export interface SessionRepository {
  create(s: Session): void;
  get(idHash: string): Session | undefined;
  touch(idHash: string, at: number): void;
  remove(idHash: string): void;
  /** Deletes sessions idle since before `cutoff` (epoch ms); returns how many. */
  removeIdleSince(cutoff: number): number;
  /** Deletes every session of a user except `keepIdHash` (the caller's own, when given); returns how many. */
  removeForUser(userId: number, keepIdHash?: string): number;
}

export interface ApiToken {
  id: number;
  name: string;
  tokenHash: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface ApiTokenRepository {
  add(t: { name: string; tokenHash: string; createdBy: string }): ApiToken;
  /** Only tokens not revoked. */
  findActiveByHash(tokenHash: string): ApiToken | undefined;
  list(): ApiToken[];
  markUsed(id: number, at: string): void;
  revoke(id: number): boolean;
}

export interface SetupLinkRepository {
  add(tokenHash: string, expiresAt: number): void;
  /** True when an unexpired link with this hash existed; it is deleted either way (one use). */
  consume(tokenHash: string, now: number): boolean;
  /** Removes every link (after the first admin exists none may stay usable). */
  clear(): void;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  /** Already redacted by the writer. */
  before: unknown;
  after: unknown;
}

export interface AuditRepository {
  append(e: { actor: string; action: string; target?: string | null; before?: unknown; after?: unknown; at?: string }): AuditEntry;
  recent(limit: number): AuditEntry[];
}
