/**
 * Writes what the pipeline observed — sightings, provisioning-log lines, served
 * snapshots — in one SQLite transaction per event-loop turn instead of one per row, and
 * (when given the database file) on a worker thread with its own connection, so a boot
 * storm's writes do not compete with serving. Every request is still recorded.
 * `flush()` resolves once everything queued so far is committed (tests await it before
 * reading; shutdown awaits close()).
 */
import { Worker } from 'node:worker_threads';
import type {
  Mac, NewProvisioningLogEntry, NewSighting, Repositories,
} from '../data/types.js';
import type { Logger } from '../log.js';
import { fingerprintSecrets } from './diff.js';
import { extractParams } from './xml.js';

export interface ActivityRecorder {
  sighting(s: NewSighting): void;
  served(e: NewProvisioningLogEntry): void;
  /** The served body; its parameter map is extracted off the request path (writer thread). */
  snapshot(s: PendingSnapshot): void;
  /** Resolves when everything recorded so far is committed. */
  flush(): Promise<void>;
  /** Flushes, then stops the worker; later records are written in-thread at once. */
  close(): Promise<void>;
}

export interface PendingSnapshot {
  mac: Mac;
  body: string;
  at: string;
}

export interface ActivityBatch {
  sightings: NewSighting[];
  served: NewProvisioningLogEntry[];
  snapshots: PendingSnapshot[];
}

type Repos = Pick<Repositories, 'sightings' | 'provisioningLog' | 'servedSnapshots' | 'transaction'>;

/** One transaction for a batch (used by the writer thread and the in-thread fallback). */
export function writeBatch(repos: Repos, batch: ActivityBatch): void {
  repos.transaction(() => {
    for (const s of batch.sightings) repos.sightings.record(s);
    for (const e of batch.served) repos.provisioningLog.append(e);
    // Secrets are stored as fingerprints: a diff still tells changed from unchanged.
    for (const s of batch.snapshots) {
      repos.servedSnapshots.save({ mac: s.mac, params: fingerprintSecrets(extractParams(s.body)), at: s.at });
    }
  });
}

export type WorkerReply =
  | { type: 'done'; seq: number }
  | { type: 'failed'; seq: number; error: string }
  | { type: 'closed' };

/** Above this many queued rows the queue is sent at once rather than at the end of the turn. */
const MAX_QUEUED = 2_000;
/** Rows handed to the worker but not yet committed; beyond this we write in-thread (backpressure). */
const MAX_IN_FLIGHT = 50_000;
/** How long close() waits for the writer thread to finish before terminating it. */
const CLOSE_WAIT_MS = 10_000;

export function createActivityRecorder(opts: {
  repos: Repos;
  logger: Logger;
  /** The SQLite file: enables the writer thread. Without it rows are written in-thread. */
  databaseFile?: string;
}): ActivityRecorder {
  const { repos, logger } = opts;
  let queue: ActivityBatch = emptyBatch();
  // One snapshot per MAC is kept; only the latest of a turn matters.
  let snapshots = new Map<string, PendingSnapshot>();
  let scheduled: NodeJS.Immediate | null = null;
  let closed = false;

  let worker: Worker | null = opts.databaseFile ? startWorker(opts.databaseFile) : null;
  let nextSeq = 1;
  let doneSeq = 0;
  let inFlightRows = 0;
  const inFlight = new Map<number, { rows: number; batch: ActivityBatch }>();
  const waiters: Array<{ seq: number; resolve: () => void }> = [];

  function startWorker(file: string): Worker | null {
    try {
      // Under tsx/tap this module is .ts, after tsc it is .js; the worker sits beside it.
      const w = fromTypeScriptSource() ? startSourceWorker(file) : new Worker(new URL('./activity-worker.js', import.meta.url), { workerData: { file } });
      // Idle, the thread must not keep the process alive; holdWhileBusy() refs it while
      // rows are in flight, so a process that ends on its own still commits them.
      w.unref();
      w.on('message', onReply);
      w.on('error', (err) => {
        logger.error({ err }, 'activity writer thread failed; writing in-thread from now on');
        abandonWorker();
      });
      w.on('exit', (code) => {
        if (worker && !closed) {
          logger.error({ code }, 'activity writer thread exited; writing in-thread from now on');
          abandonWorker();
        }
      });
      return w;
    } catch (err) {
      logger.warn({ err }, 'could not start the activity writer thread; writing in-thread');
      return null;
    }
  }

  function onReply(reply: WorkerReply): void {
    if (reply.type === 'closed') return;
    if (reply.type === 'failed') {
      logger.error({ error: reply.error, rows: inFlight.get(reply.seq)?.rows }, 'could not record provisioning activity');
    }
    inFlightRows -= inFlight.get(reply.seq)?.rows ?? 0;
    inFlight.delete(reply.seq);
    doneSeq = Math.max(doneSeq, reply.seq);
    releaseWaiters();
    holdWhileBusy();
  }

  /**
   * An unref'd worker does not keep the event loop alive: if everything else has closed (as at
   * shutdown) while a batch is in flight, the process would exit with the batch uncommitted and
   * close() never resolving. Ref the thread exactly while it owes us an answer.
   */
  function holdWhileBusy(): void {
    if (!worker) return;
    if (inFlight.size > 0 || waiters.length > 0) worker.ref();
    else worker.unref();
  }

  function releaseWaiters(): void {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.seq <= doneSeq) waiters.splice(i, 1)[0]!.resolve();
    }
  }

  function abandonWorker(): void {
    worker = null;
    // Batches the thread never acknowledged are written here instead: nothing is lost.
    for (const { batch } of inFlight.values()) writeInThread(batch);
    inFlight.clear();
    inFlightRows = 0;
    doneSeq = nextSeq - 1;
    releaseWaiters();
  }

  function writeInThread(batch: ActivityBatch): void {
    try {
      writeBatch(repos, batch);
    } catch (err) {
      // The transaction rolled back as a whole: no half-written batch. Say how much was lost.
      logger.error(
        { err, sightings: batch.sightings.length, logEntries: batch.served.length, snapshots: batch.snapshots.length },
        'could not record provisioning activity',
      );
    }
  }

  function queued(): number {
    return queue.sightings.length + queue.served.length + snapshots.size;
  }

  /** Hands the queue over; returns the sequence number to wait for (0 = nothing pending). */
  function dispatch(): number {
    if (scheduled) {
      clearImmediate(scheduled);
      scheduled = null;
    }
    const rows = queued();
    if (rows === 0) return nextSeq - 1;
    const batch = { ...queue, snapshots: [...snapshots.values()] };
    queue = emptyBatch();
    snapshots = new Map();
    if (!worker || inFlightRows + rows > MAX_IN_FLIGHT) {
      writeInThread(batch);
      return 0;
    }
    const seq = nextSeq++;
    inFlight.set(seq, { rows, batch });
    inFlightRows += rows;
    worker.postMessage({ type: 'batch', seq, batch });
    holdWhileBusy();
    return seq;
  }

  function waitFor(seq: number): Promise<void> {
    if (seq <= doneSeq || !worker) return Promise.resolve();
    return new Promise((resolve) => {
      waiters.push({ seq, resolve });
      holdWhileBusy();
    });
  }

  function schedule(): void {
    if (closed || queued() >= MAX_QUEUED) {
      dispatch();
      return;
    }
    scheduled ??= setImmediate(dispatch);
  }

  return {
    sighting(s) {
      queue.sightings.push({ ...s, at: s.at ?? new Date().toISOString() });
      schedule();
    },
    served(e) {
      queue.served.push({ ...e, at: e.at ?? new Date().toISOString() });
      schedule();
    },
    snapshot(s) {
      snapshots.set(s.mac, s);
      schedule();
    },
    flush() {
      return waitFor(dispatch());
    },
    async close() {
      await waitFor(dispatch());
      closed = true;
      const w = worker;
      worker = null;
      if (w) {
        // Ref'd until it exits: at shutdown nothing else may be left to keep the loop alive,
        // and an unref'd thread still starting up would let the process end mid-close.
        w.ref();
        await new Promise<void>((resolve) => {
          // A thread that never answers (wedged, or its module failed to load) is ended
          // rather than left to hold up shutdown; everything it acknowledged is committed.
          const deadline = setTimeout(() => {
            logger.warn({ waitedMs: CLOSE_WAIT_MS }, 'activity writer thread did not close; terminating it');
            void w.terminate();
          }, CLOSE_WAIT_MS);
          w.once('exit', () => { clearTimeout(deadline); resolve(); });
          w.on('message', (reply: WorkerReply) => {
            if (reply.type === 'closed') void w.terminate();
          });
          w.postMessage({ type: 'close' });
        });
      }
    },
  };
}

/** Running from .ts (tsx, tap) rather than from compiled .js. */
function fromTypeScriptSource(): boolean {
  return import.meta.url.endsWith('.ts');
}

/**
 * Loader hooks do not follow a worker thread, so under tsx/tap the worker is a tiny script
 * that registers tsx's loader and then imports the .ts worker module.
 */
function startSourceWorker(file: string): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./activity-worker.ts', import.meta.url).href;
  const script = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(script, { eval: true, workerData: { file } });
}

function emptyBatch(): ActivityBatch {
  return { sightings: [], served: [], snapshots: [] };
}
