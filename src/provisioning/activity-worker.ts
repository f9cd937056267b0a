/**
 * Worker thread that writes provisioning activity (sightings, log lines, snapshots) on
 * its own SQLite connection, so the request path only queues rows. One transaction per
 * batch; each batch is acknowledged (or reported failed) by its sequence number.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openRepositories } from '../data/index.js';
import { silentLogger } from '../log.js';
import { writeBatch, type ActivityBatch, type WorkerReply } from './activity.js';

const port = parentPort;
if (!port) throw new Error('activity-worker.ts runs only as a worker thread');

const repos = openRepositories({ file: (workerData as { file: string }).file, logger: silentLogger() });

port.on('message', (message: { type: 'batch'; seq: number; batch: ActivityBatch } | { type: 'close' }) => {
  if (message.type === 'close') {
    repos.close();
    port.postMessage({ type: 'closed' } satisfies WorkerReply);
    return;
  }
  const { seq, batch } = message;
  try {
    writeBatch(repos, batch);
    port.postMessage({ type: 'done', seq } satisfies WorkerReply);
  } catch (err) {
    port.postMessage({ type: 'failed', seq, error: (err as Error).message ?? String(err) } satisfies WorkerReply);
  }
});
