/**
 * Completed non-INVITE server transactions over UDP (RFC 3261 §17.2.2, Timer J = 64·T1).
 *
 * In that state a transaction only has to re-send its final response to retransmitted requests.
 * At registrar rates (thousands of REGISTERs per second, each kept 32 s) holding the whole
 * transaction — parsed request, response object, a timer each — costs hundreds of megabytes, so
 * only the response bytes and destination are kept here. Every entry lives the same time, so
 * insertion order is expiry order: one FIFO and one timer serve them all.
 */
import type { Logger } from '../../log.js';
import type { Destination, TransportLayer } from '../transport/types.js';

/** What an entry keeps alive: only set when someone registered an onTerminated callback. */
export interface CompletedOwner {
  terminate(reason: 'completed' | 'stopped'): void;
}

interface Entry {
  key: string;
  bytes: Buffer;
  dest: Destination;
  expiresAt: number;
  owner: CompletedOwner | null;
}

export interface CompletedCache {
  add(key: string, bytes: Buffer, dest: Destination, owner: CompletedOwner | null): void;
  /** Re-sends the stored final response if `key` is a completed transaction; false otherwise. */
  absorb(key: string): boolean;
  /** Keep `owner` until the entry expires (so its onTerminated callbacks fire). */
  attach(key: string, owner: CompletedOwner): boolean;
  has(key: string): boolean;
  size(): number;
  clear(): void;
}

const COMPACT_AFTER = 1024;

export function createCompletedCache(deps: { ttlMs: number; transport: TransportLayer; logger: Logger }): CompletedCache {
  const { ttlMs, transport, logger } = deps;
  const entries = new Map<string, Entry>();
  let queue: Entry[] = [];
  let head = 0;
  let timer: NodeJS.Timeout | null = null;

  function schedule(): void {
    if (timer || head >= queue.length) return;
    timer = setTimeout(expire, Math.max(0, queue[head]!.expiresAt - Date.now()));
  }

  function expire(): void {
    timer = null;
    const now = Date.now();
    while (head < queue.length && queue[head]!.expiresAt <= now) {
      const entry = queue[head++]!;
      if (entries.get(entry.key) === entry) entries.delete(entry.key);
      entry.owner?.terminate('completed');
    }
    if (head >= COMPACT_AFTER && head * 2 >= queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    schedule();
  }

  return {
    add(key, bytes, dest, owner) {
      const entry: Entry = { key, bytes, dest, expiresAt: Date.now() + ttlMs, owner };
      entries.set(key, entry);
      queue.push(entry);
      schedule();
    },
    absorb(key) {
      const entry = entries.get(key);
      if (!entry) return false;
      transport.send(entry.bytes, entry.dest).catch((err: Error) => {
        logger.debug({ err: err.message }, 're-sending final response failed');
      });
      return true;
    },
    attach(key, owner) {
      const entry = entries.get(key);
      if (!entry) return false;
      entry.owner = owner;
      return true;
    },
    has: (key) => entries.has(key),
    size: () => entries.size,
    clear() {
      if (timer) clearTimeout(timer);
      timer = null;
      const owners = queue.slice(head).map((e) => e.owner);
      entries.clear();
      queue = [];
      head = 0;
      for (const owner of owners) owner?.terminate('stopped');
    },
  };
}
