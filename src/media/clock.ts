import { performance } from 'node:perf_hooks';

/** A stream the clock drives: called once per ptime with nothing to compute but its next frame. */
export interface ClockedStream {
  readonly ptimeMs: number;
  onFrame(): void;
}

interface Entry {
  stream: ClockedStream;
  dueAt: number;
  lastSentAt: number;
}

export interface MediaClockStats {
  streams: number;
  ticks: number;
  /** Frames dropped because the loop fell more than a few frames behind (overload). */
  skippedFrames: number;
  /** How late ticks ran against their grid time, in ms (0.25 ms resolution). */
  tickLateness: { p50: number; p95: number; max: number };
  /** |interval between a stream's consecutive sends − its ptime|, in ms: the pacing that phones see. */
  sendIntervalDeviation: { p50: number; p95: number; max: number };
}

const BUCKET_MS = 0.25;
const BUCKETS = 400; // up to 100 ms; anything later lands in the last bucket

/** Fixed-size millisecond histogram: constant memory however long the engine runs. */
function createHistogram() {
  const counts = new Uint32Array(BUCKETS);
  let max = 0;
  return {
    add(ms: number): void {
      counts[Math.min(BUCKETS - 1, Math.floor(ms / BUCKET_MS))]!++;
      if (ms > max) max = ms;
    },
    summary(): { p50: number; p95: number; max: number } {
      const total = counts.reduce((sum, n) => sum + n, 0);
      const percentile = (p: number): number => {
        if (total === 0) return 0;
        let seen = 0;
        for (let i = 0; i < BUCKETS; i++) {
          seen += counts[i]!;
          if (seen >= total * p) return Math.min(max, (i + 1) * BUCKET_MS);
        }
        return max;
      };
      return { p50: percentile(0.5), p95: percentile(0.95), max };
    },
    reset(): void {
      counts.fill(0);
      max = 0;
    },
  };
}

/** Frames a stream may catch up in one tick before we drop the backlog instead of bursting. */
const MAX_CATCH_UP_FRAMES = 3;

/**
 * One timer for every stream. Ticks land on a fixed grid (t0 + k·tickMs) corrected against
 * performance.now(), and every stream's send times sit on that grid, so hundreds of streams share
 * one wake-up and none of them accumulates drift. New streams are spread over the grid slots of
 * their ptime so sends do not all pile onto the same tick.
 */
export function createMediaClock(opts: { tickMs: number; spinLeadMs?: number }) {
  const tickMs = opts.tickMs;
  // setTimeout wakes up to a couple of ms late when the loop is busy; waking this much early and
  // finishing the wait with setImmediate turns (lets I/O run in between) lands ticks on the grid.
  // Costs at most spinLeadMs of polling per tick, only while streams exist. 0 = plain timer.
  const spinLeadMs = Math.max(0, Math.min(opts.spinLeadMs ?? 1.5, tickMs / 2));
  const entries = new Map<ClockedStream, Entry>();
  let timer: NodeJS.Timeout | null = null;
  let origin = 0;
  let tickIndex = 0;
  let ticks = 0;
  let skippedFrames = 0;
  /** Round-robin slot counters per ptime, so each ptime's streams spread over its own slots. */
  const placed = new Map<number, number>();
  const lateness = createHistogram();
  const sendDeviation = createHistogram();

  function gridTime(index: number): number {
    return origin + index * tickMs;
  }

  let spinning: NodeJS.Immediate | null = null;

  function schedule(): void {
    const now = performance.now();
    tickIndex = Math.max(tickIndex + 1, Math.ceil((now - origin) / tickMs));
    timer = setTimeout(awaitGrid, Math.max(0, gridTime(tickIndex) - now - spinLeadMs));
  }

  /** Finishes the wait for the grid time in setImmediate steps (bounded by spinLeadMs). */
  function awaitGrid(): void {
    timer = null;
    spinning = null;
    if (entries.size === 0) return;
    // 0.05 ms early is as good as on time: one tick's work takes longer than that.
    if (performance.now() >= gridTime(tickIndex) - 0.05) {
      tick();
      return;
    }
    spinning = setImmediate(awaitGrid);
  }

  function tick(): void {
    ticks++;
    const now = performance.now();
    lateness.add(Math.max(0, now - gridTime(tickIndex)));
    // Half a tick of tolerance: Node may fire up to ~1 ms early against performance.now().
    const horizon = now + tickMs / 2;
    for (const entry of entries.values()) {
      let sent = 0;
      while (entry.dueAt <= horizon && sent < MAX_CATCH_UP_FRAMES) {
        // One tick's sends take well under a millisecond: the tick time stands for each of them.
        if (entry.lastSentAt > 0) sendDeviation.add(Math.abs(now - entry.lastSentAt - entry.stream.ptimeMs));
        entry.lastSentAt = now;
        entry.dueAt += entry.stream.ptimeMs;
        sent++;
        entry.stream.onFrame();
      }
      if (entry.dueAt <= horizon) {
        const behind = Math.ceil((horizon - entry.dueAt) / entry.stream.ptimeMs);
        skippedFrames += behind;
        entry.dueAt += behind * entry.stream.ptimeMs;
      }
    }
    if (entries.size > 0) schedule();
  }

  function stop(): void {
    if (timer !== null) clearTimeout(timer);
    if (spinning !== null) clearImmediate(spinning);
    timer = null;
    spinning = null;
  }

  return {
    add(stream: ClockedStream): void {
      if (entries.has(stream)) return;
      const now = performance.now();
      if (entries.size === 0 && timer === null && spinning === null) {
        origin = now;
        tickIndex = 0;
      }
      const slots = Math.max(1, Math.round(stream.ptimeMs / tickMs));
      const count = placed.get(stream.ptimeMs) ?? 0;
      placed.set(stream.ptimeMs, count + 1);
      const slot = count % slots;
      const nextTick = Math.ceil((now - origin) / tickMs) + 1;
      entries.set(stream, { stream, dueAt: gridTime(nextTick + slot), lastSentAt: 0 });
      if (timer === null && spinning === null) schedule();
    },
    remove(stream: ClockedStream): void {
      entries.delete(stream);
      if (entries.size === 0) stop();
    },
    has(stream: ClockedStream): boolean {
      return entries.has(stream);
    },
    stats(): MediaClockStats {
      return { streams: entries.size, ticks, skippedFrames, tickLateness: lateness.summary(), sendIntervalDeviation: sendDeviation.summary() };
    },
    resetStats(): void {
      lateness.reset();
      sendDeviation.reset();
      skippedFrames = 0;
    },
    close(): void {
      entries.clear();
      stop();
    },
  };
}

export type MediaClock = ReturnType<typeof createMediaClock>;
