/**
 * Run by memory.test.ts as `node --expose-gc --import tsx flood-child.ts`: an embedded server
 * with a drachtio-srf app takes 10,000 bad messages (UDP and TCP), then we wait for its
 * transactions to expire and compare heap (after global.gc) and open state with the baseline.
 * Prints one JSON line on stdout and exits by itself.
 */
import { mutations } from '../../helpers/sip/corpus.js';
import { startEmbeddedServer, type SrfReq, type SrfRes } from '../../helpers/srf.js';
import { callIdOf, options, statusOf, tcpExchange, udpCollector, viaToUs } from './wire.js';
import { idle, waitForIdle } from './idle.js';

const TOTAL = Number(process.env['FLOOD_TOTAL'] ?? 10_000);
const TCP_SHARE = Number(process.env['FLOOD_TCP'] ?? 1_000);

const gc = (globalThis as { gc?: () => void }).gc;
if (process.env['HOOKFLASH_FLOOD_CHILD'] !== '1' || gc === undefined) {
  // Picked up directly (e.g. `npx tap test/sip/robustness`): this is memory.test.ts's child.
  process.stdout.write('1..0 # SKIP run by memory.test.ts under node --expose-gc\n');
  process.exit(0);
}
const heap = async (): Promise<number> => {
  for (let i = 0; i < 3; i++) { gc!(); await new Promise((r) => setTimeout(r, 20)); }
  return process.memoryUsage().heapUsed;
};

const teardowns: Array<() => unknown> = [];
const es = await startEmbeddedServer({ teardown: (fn) => teardowns.push(fn) });
await es.connectApp((srf) => srf.options((_req: SrfReq, res: SrfRes) => res.send(200)));
const udp = await udpCollector();

async function flood(seed: number, total: number, tcp: number): Promise<void> {
  const list = mutations(seed, total);
  for (let i = 0; i < total - tcp; i++) {
    await udp.send(viaToUs(list[i]!.data, udp.port), es.sipPort);
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5));
    if (i % 1000 === 999) udp.replies.length = 0;   // keep the collector itself flat
  }
  let next = total - tcp;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const m = list[next++]!;
      await tcpExchange(es.sipPort, (p) => [viaToUs(m.data, p, 'TCP')], { ms: 3000, halfClose: true });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  udp.replies.length = 0;
}

// Warm-up: JIT, parser caches, first-use allocations are not leaks.
await flood(1, 1000, 100);
const warmIdle = await waitForIdle(es.server, 20_000);
const baselineHeap = await heap();
const baselineRss = process.memoryUsage().rss;

const started = Date.now();
await flood(2, TOTAL, TCP_SHARE);
const floodMs = Date.now() - started;
const peakRss = process.memoryUsage().rss;
await udp.send(options('after-flood', udp.port, 'UDP'), es.sipPort);
const reply = await udp.waitFor((r) => callIdOf(r) === 'after-flood', 5000);
const afterIdle = await waitForIdle(es.server, 20_000);
const afterHeap = await heap();
const stats = es.server.stats();

process.stdout.write(`${JSON.stringify({
  total: TOTAL, tcp: TCP_SHARE, floodMs,
  warmIdle, afterIdle,
  optionsStatus: reply === null ? null : statusOf(reply),
  baselineHeap, afterHeap, baselineRss, peakRss, afterRss: process.memoryUsage().rss,
  apps: stats.apps,
  transport: stats.transport,
})}\n`);
udp.close();
for (const fn of teardowns.reverse()) await fn();
process.exit(0);
