/**
 * First start without an admin: `hookflash serve` prints a one-time link to create one. Only
 * the hash is stored; the link works once and for a limited time (default 1 h).
 */
import type { Config } from '../config-types.js';
import type { Repositories } from '../data/types.js';
import { DEFAULT_WEB_OPTIONS } from './options.js';
import { randomToken, sha256 } from './sessions.js';

export interface SetupLinkDeps {
  repos: Pick<Repositories, 'users' | 'setupLinks'>;
  config: Pick<Config, 'publicHost' | 'http'>;
  clock?: () => number;
  ttlMs?: number;
  /** The real HTTP port when config says 0 (known only after listen). */
  httpPort?: number;
}

/** A fresh setup URL when no admin exists (older links stop working); null otherwise. */
export function ensureAdminSetupLink(deps: SetupLinkDeps): string | null {
  if (deps.repos.users.countByRole('admin') > 0) return null;
  const now = (deps.clock ?? Date.now)();
  const token = randomToken();
  deps.repos.setupLinks.clear();
  deps.repos.setupLinks.add(sha256(token), now + (deps.ttlMs ?? DEFAULT_WEB_OPTIONS.setupLinkTtlMs));
  const host = deps.config.publicHost.includes(':') ? `[${deps.config.publicHost}]` : deps.config.publicHost;
  return `http://${host}:${deps.httpPort ?? deps.config.http.port}/setup/${token}`;
}
