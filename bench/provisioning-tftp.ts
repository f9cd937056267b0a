/**
 * TFTP boot storm: N devices (default 500) at once, each fetching its bootstrap file and
 * then its per-MAC profile over real UDP on 127.0.0.1, as after a power cut. Clients are
 * the `tftp` package's client in this process (one UDP socket, hence one source port,
 * per transfer); the server runs in its own process with 1,000 devices in SQLite.
 *
 *   npx tsx bench/provisioning-tftp.ts            (BENCH_STORM=500 BENCH_DEVICES=1000)
 */
import { createRequire } from 'node:module';
import { machine, startBenchServer } from './provisioning-common.js';

interface TftpClient { createGetStream(remote: string): NodeJS.ReadableStream }
const tftp = createRequire(import.meta.url)('tftp') as { createClient(o: object): TftpClient };

const storm = Number(process.env.BENCH_STORM ?? 500);
const devices = Number(process.env.BENCH_DEVICES ?? 1000);
const server = await startBenchServer(devices);
const { tftpPort, macs } = server.ready;
// The package's client defaults: 3 s retransmission timeout, 3 retries.
const client = tftp.createClient({ host: '127.0.0.1', port: tftpPort });

function get(remote: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    client.createGetStream(remote)
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
}

interface Outcome { ok: boolean; error?: string; ms: number }

async function boot(i: number): Promise<Outcome> {
  const started = performance.now();
  const mac = macs[i]!;
  const model = i % 2 === 0 ? 'spa303' : 'spa112';
  let stage = 'bootstrap';
  try {
    const bootstrap = await get(`/${model}.cfg`);
    stage = 'per-MAC profile';
    if (!bootstrap.includes('<Profile_Rule>')) throw new Error('bootstrap without Profile_Rule');
    const profile = await get(`/spa/${mac}.xml`);
    if (!profile.includes(`<User_ID_1_>`)) throw new Error('per-MAC profile without lines');
    return { ok: true, ms: performance.now() - started };
  } catch (err) {
    return { ok: false, error: `${stage}: ${(err as Error).message}`, ms: performance.now() - started };
  }
}

const started = performance.now();
const outcomes = await Promise.all(Array.from({ length: storm }, (_, i) => boot(i)));
const totalSeconds = (performance.now() - started) / 1000;
const stats = await server.stats();
await server.stop();

const failures = outcomes.filter((o) => !o.ok);
const times = outcomes.map((o) => o.ms).sort((a, b) => a - b);
const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!.toFixed(0);
const errorKinds = [...new Set(failures.map((f) => f.error))].slice(0, 5).join('; ') || 'none';

console.log(`### TFTP boot storm

- command: \`npx tsx bench/provisioning-tftp.ts\` (BENCH_STORM=${storm}, BENCH_DEVICES=${devices})
- machine: ${machine()}
- date: ${new Date().toISOString()}
- setup: ${storm} simulated devices start together; each does RRQ /spa303.cfg or /spa112.cfg, then RRQ /spa/<mac>.xml (2 transfers each, ${storm * 2} in all) with the \`tftp\` package client (options blksize 1468, windowsize 4; 3 s retransmit, 3 retries), one UDP socket per transfer; server (pipeline + TFTP, ${devices} devices in SQLite) in its own process; cold start (no profile rendered before)

| devices | transfers | total time | failures | per-device p50 | p95 | max |
|---:|---:|---:|---:|---:|---:|---:|
| ${storm} | ${storm * 2} | ${totalSeconds.toFixed(2)} s | ${failures.length} | ${pct(50)} ms | ${pct(95)} ms | ${pct(100)} ms |

- goal: < 5 s, 0 failures — ${totalSeconds < 5 && failures.length === 0 ? 'met' : 'NOT met'}; errors: ${errorKinds}
- recorded: ${stats.sightings} sightings, ${stats.logEntries} provisioning-log rows (one each per transfer)
- server peak RSS ${stats.maxRssMiB} MiB (HTTP + TFTP provisioning process with ${devices} devices, bench/provisioning-server.ts — not \`hookflash serve\`)
`);
