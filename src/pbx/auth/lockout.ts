/**
 * Brute-force protection for SIP authentication: after `maxFailures` failed authentications
 * from one address within `windowMs`, that address is refused (403) for `blockMs`.
 */
import { ConfigError } from '../../errors.js';
import type { Logger } from '../../log.js';

export interface LockoutDeps {
  maxFailures: number;
  windowMs: number;
  blockMs: number;
  clock: () => number;
  logger: Logger;
  /** Upper bound of addresses remembered; the oldest are forgotten first. */
  maxTracked: number;
}

export interface Lockout {
  isBlocked(ip: string): boolean;
  /** Records a failed authentication; returns true when this failure started a block. */
  recordFailure(ip: string): boolean;
  /** A successful authentication clears the address's failures (not an active block). */
  recordSuccess(ip: string): void;
  /** Addresses remembered right now (for tests and metrics). */
  tracked(): number;
}

interface AddressState {
  /** Times of recent failures, oldest first; never longer than maxFailures. */
  failures: number[];
  blockedUntil: number;
}

export function createLockout(deps: LockoutDeps): Lockout {
  const { maxFailures, windowMs, blockMs, clock, logger, maxTracked } = deps;
  for (const [name, value] of Object.entries({ maxFailures, windowMs, blockMs, maxTracked })) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new ConfigError(`lockout: ${name} must be a positive number, got ${String(value)}`, name);
    }
  }
  // Map order = least recently touched first (entries are re-inserted on every touch).
  const addresses = new Map<string, AddressState>();

  function isIdle(state: AddressState, now: number): boolean {
    return state.blockedUntil <= now && state.failures.every((at) => at <= now - windowMs);
  }

  function makeRoom(now: number): void {
    for (const [ip, state] of addresses) {
      if (isIdle(state, now)) addresses.delete(ip);
    }
    // Still full: forget the least recently touched addresses. Preferring ones that are not
    // blocked keeps blocks in force; only a flood of blocked addresses can push one out.
    // Frees a tenth at once so a flood of new addresses does not pay for a sweep on every one.
    const target = Math.min(maxTracked - 1, Math.floor(maxTracked * 0.9));
    if (addresses.size <= target) return;
    const ordered = [...addresses].sort(([, a], [, b]) => Number(a.blockedUntil > now) - Number(b.blockedUntil > now));
    for (const [ip] of ordered) {
      if (addresses.size <= target) break;
      addresses.delete(ip);
    }
  }

  function isBlocked(ip: string): boolean {
    const state = addresses.get(ip);
    if (state === undefined) return false;
    const now = clock();
    if (state.blockedUntil > now) return true;
    if (isIdle(state, now)) addresses.delete(ip);
    return false;
  }

  function recordFailure(ip: string): boolean {
    const now = clock();
    let state = addresses.get(ip);
    if (state !== undefined && state.blockedUntil > now) return false;
    if (state === undefined) {
      if (addresses.size >= maxTracked) makeRoom(now);
      state = { failures: [], blockedUntil: 0 };
    }
    addresses.delete(ip);
    addresses.set(ip, state);
    state.failures = state.failures.filter((at) => at > now - windowMs);
    state.failures.push(now);
    if (state.failures.length < maxFailures) return false;
    state.failures = [];
    state.blockedUntil = now + blockMs;
    logger.warn(
      { ip, failures: maxFailures, windowSeconds: windowMs / 1000, blockSeconds: blockMs / 1000 },
      `SIP auth: ${maxFailures} failed authentications from ${ip} within ${windowMs / 1000} s; refusing it with 403 for ${blockMs / 1000} s`,
    );
    return true;
  }

  function recordSuccess(ip: string): void {
    const state = addresses.get(ip);
    if (state !== undefined && state.blockedUntil <= clock()) addresses.delete(ip);
  }

  return { isBlocked, recordFailure, recordSuccess, tracked: () => addresses.size };
}
