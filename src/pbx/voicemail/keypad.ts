/**
 * Keys pressed during a voicemail call, and prompts the caller can interrupt with a key
 * (barge-in: who knows the menu need not sit through it). Every wait is bounded and ends at
 * once when the call's endpoint closes.
 */
import type { MediaEndpoint, PlaySource } from '../../media/index.js';

export interface Keypad {
  /** The next key, waiting at most `timeoutMs`; null on timeout or hang-up. */
  next(timeoutMs: number): Promise<string | null>;
  /** Keys up to (not including) `terminator`; null on timeout (per key) or hang-up. Bounded length. */
  collect(terminator: string, timeoutMs: number, maxLength?: number): Promise<string | null>;
  /** Plays `source`; a key pressed meanwhile stops it (the key stays queued for next()). */
  say(source: PlaySource): Promise<'finished' | 'interrupted' | 'hangup'>;
  /** Forgets keys pressed so far. */
  clear(): void;
  readonly hungUp: boolean;
  dispose(): void;
}

/** Keys kept while nobody reads them: bounds a phone flooding digits. */
const MAX_QUEUED = 32;

export function createKeypad(endpoint: MediaEndpoint): Keypad {
  const queue: string[] = [];
  const waiters = new Set<() => void>();
  let hungUp = endpoint.closed;
  const wake = () => { for (const w of [...waiters]) w(); };
  const onDigit = (digit: string) => {
    if (queue.length < MAX_QUEUED) queue.push(digit);
    wake();
  };
  const onClose = () => {
    hungUp = true;
    wake();
  };
  endpoint.on('dtmf', onDigit);
  endpoint.once('close', onClose);

  function next(timeoutMs: number): Promise<string | null> {
    if (queue.length > 0) return Promise.resolve(queue.shift()!);
    if (hungUp) return Promise.resolve(null);
    return new Promise((resolve) => {
      const done = (value: string | null) => {
        waiters.delete(check);
        clearTimeout(timer);
        resolve(value);
      };
      const check = () => {
        if (queue.length > 0) done(queue.shift()!);
        else if (hungUp) done(null);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      waiters.add(check);
    });
  }

  return {
    next,
    async collect(terminator, timeoutMs, maxLength = 20) {
      let keys = '';
      for (let i = 0; i <= maxLength; i++) {
        const key = await next(timeoutMs);
        if (key === null) return null;
        if (key === terminator) return keys;
        keys += key;
      }
      return keys;
    },
    async say(source) {
      if (hungUp) return 'hangup';
      if (queue.length > 0) return 'interrupted';
      const playback = endpoint.play(source);
      let interrupted = false;
      const check = () => {
        if (queue.length > 0 || hungUp) {
          interrupted = queue.length > 0;
          playback.stop();
        }
      };
      waiters.add(check);
      try {
        await playback.done;
      } finally {
        waiters.delete(check);
      }
      if (hungUp) return 'hangup';
      return interrupted ? 'interrupted' : 'finished';
    },
    clear: () => { queue.length = 0; },
    get hungUp() { return hungUp; },
    dispose() {
      endpoint.off('dtmf', onDigit);
      endpoint.off('close', onClose);
      waiters.clear();
    },
  };
}
