/**
 * The embedded SIP server alone in a separate process for the SIP benchmarks
 * (BENCH_APP=split): prints `{"sipPort":…,"controlPort":…,"secret":…}` once listening; the
 * drachtio-srf apps connect from the benchmark process, so server and app use separate
 * cores. Exits when stdin closes or on SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/log.js';
import { createSipServer } from '../src/sip/server.js';
import { sipConfig } from '../test/helpers/srf.js';
import { RFC_TIMERS } from './sip-common.js';

const dataDir = mkdtempSync(join(tmpdir(), 'hookflash-sipbench-server-'));
const server = createSipServer({ sip: sipConfig({ timers: RFC_TIMERS }), publicHost: '127.0.0.1', dataDir, logger: silentLogger() });
const started = await server.start();
process.stdout.write(`${JSON.stringify(started)}\n`);
const stop = async (): Promise<void> => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', () => { void stop(); });
process.stdin.resume();
process.once('SIGTERM', () => { void stop(); });
