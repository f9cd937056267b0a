/**
 * Counts failed logins per client IP and per user name in a sliding window. Both keys:
 * per-IP stops one guesser trying many names, per-name stops many IPs guessing one account.
 */
export interface LoginLimiterOptions {
  maxFailures: number;
  windowMs: number;
  now: () => number;
}

export interface LoginLimiter {
  /** Milliseconds until a new attempt is allowed; 0 = allowed now. */
  retryAfterMs(ip: string, name: string): number;
  recordFailure(ip: string, name: string): void;
  /** A successful login clears the name's failures (not the IP's). */
  recordSuccess(name: string): void;
}

const MAX_KEYS = 10_000;

export function createLoginLimiter(opts: LoginLimiterOptions): LoginLimiter {
  const failures = new Map<string, number[]>();
  const keys = (ip: string, name: string) => [`ip:${ip}`, `name:${name.trim().toLowerCase()}`];

  function live(key: string): number[] {
    const cutoff = opts.now() - opts.windowMs;
    const list = (failures.get(key) ?? []).filter((at) => at > cutoff);
    if (list.length === 0) failures.delete(key);
    else failures.set(key, list);
    return list;
  }

  /** Bounds memory under a spray of distinct names: drop keys whose failures all expired. */
  function prune(): void {
    if (failures.size < MAX_KEYS) return;
    for (const key of [...failures.keys()]) live(key);
  }

  return {
    retryAfterMs(ip, name) {
      let wait = 0;
      for (const key of keys(ip, name)) {
        const list = live(key);
        if (list.length >= opts.maxFailures) wait = Math.max(wait, list[list.length - opts.maxFailures]! + opts.windowMs - opts.now());
      }
      return wait;
    },
    recordFailure(ip, name) {
      prune();
      for (const key of keys(ip, name)) failures.set(key, [...live(key), opts.now()]);
    },
    recordSuccess(name) {
      failures.delete(keys('', name)[1]!);
    },
  };
}
