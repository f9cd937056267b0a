/**
 * The drachtio-srf apps of the SIP benchmarks (registrar + B2BUA) in their own process, as a
 * real deployment runs them (`--app-process` / BENCH_APP=child): the embedded server stays in
 * the benchmark process and this child connects to its control port, so server and app each
 * get an event loop and a core.
 *
 * Env: BENCH_CONTROL_PORT, BENCH_SECRET, BENCH_ROUTE (optional fixed B2BUA target URI).
 * Prints `{"ready":true}` once connected; each stdin line `stats` is answered with one JSON
 * line (bindings, CPU µs, RSS, heap). Exits when stdin closes or on SIGTERM.
 */
import { createInterface } from 'node:readline';
import type { EventEmitter } from 'node:events';
import Srf from 'drachtio-srf';
import type { SrfApp } from '../test/helpers/srf.js';
import { installRegistrar } from '../test/helpers/sip-apps/registrar.js';
import { installB2bua } from '../test/helpers/sip-apps/b2bua.js';

const controlPort = Number(process.env['BENCH_CONTROL_PORT']);
const secret = process.env['BENCH_SECRET'] ?? '';
const route = process.env['BENCH_ROUTE'] || undefined;
if (!Number.isInteger(controlPort) || controlPort <= 0) {
  process.stderr.write('sip-app-child: BENCH_CONTROL_PORT must be a port number\n');
  process.exit(2);
}

const benchPassword = (user: string): string | undefined => (/^u\d+$/.test(user) ? `pw${user.slice(1)}` : undefined);
const srf: SrfApp = new Srf();
const registrar = installRegistrar(srf, { users: benchPassword, maxTrackedNonces: 200_000 });
installB2bua(srf, { route: (user) => route ?? registrar.lookup(user), log: false });

await new Promise<void>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('sip-app-child: no connection to the control port within 10 s')), 10_000);
  (srf as unknown as EventEmitter).once('connect', (err: Error | null) => {
    clearTimeout(timer);
    if (err) reject(err); else resolve();
  });
  srf.connect({ host: '127.0.0.1', port: controlPort, secret });
});
// srf sends its `route` commands right after authenticating; let them land.
await new Promise((resolve) => setTimeout(resolve, 100));
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  try { srf.disconnect(); } catch { /* already gone */ }
  setTimeout(() => process.exit(0), 50).unref();
};
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() !== 'stats') return;
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({
    bindings: registrar.bindings.size, cpuUs: cpu.user + cpu.system, rss: mem.rss, heapUsed: mem.heapUsed,
  })}\n`);
});
lines.on('close', stop);
process.once('SIGTERM', stop);
