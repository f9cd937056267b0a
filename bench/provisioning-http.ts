/**
 * HTTP provisioning throughput: per-MAC profiles from the pipeline (sighting + log per
 * request) vs the same bytes as static files (@fastify/static), 1,000 devices,
 * 50 connections, alternating runs in one session. Prints a markdown block.
 *
 *   npx tsx bench/provisioning-http.ts            (BENCH_SECONDS=10 BENCH_ROUNDS=2 BENCH_DEVICES=1000)
 */
import { autocannon, machine, startBenchServer } from './provisioning-common.js';


const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const devices = Number(process.env.BENCH_DEVICES ?? 1000);
const connections = 50;

const server = await startBenchServer(devices);
const { httpPort, macs } = server.ready;

interface Run { kind: 'dynamic' | 'static'; rps: number; p50: number; p99: number; non2xx: number; errors: number }

async function run(kind: Run['kind'], amount?: number): Promise<Run> {
  let i = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${httpPort}`,
    connections,
    ...(amount ? { amount } : { duration: seconds }),
    headers: { 'user-agent': 'Cisco/SPA303-7.6.2c (0011223344AA)(CCQ12345678)' },
    requests: [{
      method: 'GET',
      setupRequest: (req) => {
        const mac = macs[i++ % macs.length]!;
        // The UA MAC must match the path MAC (the pipeline refuses mismatches): send the device's own.
        return { ...req, path: kind === 'dynamic' ? `/spa/${mac}.xml` : `/static/spa/${mac}.xml`, headers: { ...req.headers, 'user-agent': `Cisco/SPA303-7.6.2c (${mac.toUpperCase()})(CCQ12345678)` } };
      },
    }],
  });
  return { kind, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

// Warm-up: one cold pass over every device (first render + served snapshot per device, the
// boot-storm case), then the same for the static files (page cache), then 2 s of JIT warm-up.
const coldStart = performance.now();
const cold = await run('dynamic', macs.length);
const coldSeconds = (performance.now() - coldStart) / 1000;
await run('static', macs.length);
await autocannon({ url: `http://127.0.0.1:${httpPort}/spa/${macs[0]}.xml`, connections: 10, duration: 2 });
await autocannon({ url: `http://127.0.0.1:${httpPort}/static/spa/${macs[0]}.xml`, connections: 10, duration: 2 });

const runs: Run[] = [];
for (let r = 0; r < rounds; r++) {
  runs.push(await run('dynamic'));
  runs.push(await run('static'));
}
const stats = await server.stats();
await server.stop();

const mean = (kind: Run['kind']) => {
  const xs = runs.filter((x) => x.kind === kind).map((x) => x.rps);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};
const dynamic = mean('dynamic');
const stat = mean('static');
const ratio = dynamic / stat;

console.log(`### HTTP per-MAC profiles vs static files

- command: \`npx tsx bench/provisioning-http.ts\` (BENCH_SECONDS=${seconds}, BENCH_ROUNDS=${rounds}, BENCH_DEVICES=${devices})
- machine: ${machine()}
- date: ${new Date().toISOString()}
- setup: ${devices} devices in SQLite (WAL), ${connections} connections, ${seconds} s per run after a cold pass and warm-up, runs alternate dynamic/static; production settings (2 s device cache, writer thread); each request cycles to the next device's MAC; server in its own process (bench/provisioning-server.ts), autocannon in this one

| run | kind | req/s | p50 ms | p99 ms | non-2xx | errors |
|---|---|---:|---:|---:|---:|---:|
${runs.map((x, i) => `| ${i + 1} | ${x.kind} | ${x.rps.toFixed(0)} | ${x.p50} | ${x.p99} | ${x.non2xx} | ${x.errors} |`).join('\n')}

- cold pass (first request of each of the ${macs.length} devices: render + served snapshot): ${coldSeconds.toFixed(2)} s, ${cold.rps.toFixed(0)} req/s, p99 ${cold.p99} ms, non-2xx ${cold.non2xx}
- mean dynamic ${dynamic.toFixed(0)} req/s, static ${stat.toFixed(0)} req/s: **ratio ${ratio.toFixed(2)}×** (goal ≥ 0.80×)
- every dynamic request recorded a sighting and a provisioning-log line: ${stats.sightings} sightings, ${stats.logEntries} log rows in total (row ids; includes warm-up)
- server peak RSS ${stats.maxRssMiB} MiB (current ${stats.rssMiB} MiB)
`);
