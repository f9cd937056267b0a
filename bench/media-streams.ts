/**
 * How many concurrent G.711 streams one engine paces well: each engine endpoint plays a looping
 * tone to a peer socket and records what the peer sends back. The peers live in a child process
 * (its own event loop, like real phones), timestamp every arrival and echo it. A level passes when
 * the p95 of |send interval − ptime| stays within 2 ms and nothing is lost either way.
 *
 *   npx tsx bench/media-streams.ts [--levels 50,100,200,300,400] [--seconds 5]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createMediaEngine } from '../src/media/engine.js';
import type { MediaEndpoint } from '../src/media/endpoint.js';
import type { RecordResult } from '../src/media/recorder.js';
import { silentLogger } from '../src/log.js';

const PTIME_MS = 20;
const PORTS = { min: 42000, max: 43999 };
const PEER_BASE_PORT = 44000;

interface PeerReport {
  received: number;
  lostBySequence: number;
  deviations: number[];
}

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] ?? fallback : fallback;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

// ---- peer side (child process) ----
function runPeer(): void {
  let sockets: Socket[] = [];
  const stats: { last: number; lastSeq: number; received: number; lost: number; deviations: number[] }[] = [];
  process.on('message', async (msg: { cmd: string; count?: number; enginePorts?: number[] }) => {
    if (msg.cmd === 'open') {
      const count = msg.count!;
      sockets = await Promise.all(Array.from({ length: count }, (_, i) => new Promise<Socket>((resolve) => {
        const socket = createSocket('udp4');
        stats[i] = { last: -1, lastSeq: -1, received: 0, lost: 0, deviations: [] };
        socket.on('message', (datagram, rinfo) => {
          const now = performance.now();
          const s = stats[i]!;
          const seq = datagram.readUInt16BE(2);
          if (s.last >= 0) {
            s.deviations.push(Math.abs(now - s.last - PTIME_MS));
            const gap = (seq - s.lastSeq) & 0xffff;
            if (gap > 1 && gap < 0x8000) s.lost += gap - 1;
          }
          s.last = now;
          s.lastSeq = seq;
          s.received++;
          datagram.writeUInt32BE(0x5eed0000 + i, 8); // our own SSRC on the way back
          socket.send(datagram, rinfo.port, rinfo.address);
        });
        socket.bind(PEER_BASE_PORT + i, '127.0.0.1', () => resolve(socket));
      })));
      process.send!({ cmd: 'opened' });
    } else if (msg.cmd === 'report') {
      const report: PeerReport = { received: 0, lostBySequence: 0, deviations: [] };
      for (const s of stats) {
        report.received += s.received;
        report.lostBySequence += s.lost;
        // The first second includes start-up (prompt loading, ramp-up): measure steady state.
        for (const d of s.deviations.slice(50)) report.deviations.push(d);
      }
      report.deviations.sort((a, b) => a - b);
      const p = (q: number) => percentile(report.deviations, q);
      process.send!({ cmd: 'report', received: report.received, lost: report.lostBySequence, p50: p(50), p95: p(95), p99: p(99), max: report.deviations.at(-1) ?? NaN });
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
      sockets = [];
      stats.length = 0;
    } else if (msg.cmd === 'exit') {
      process.exit(0);
    }
  });
}

function request<T>(child: ChildProcess, message: object, reply: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (msg: { cmd: string }) => {
      if (msg.cmd === reply) { child.off('message', onMessage); resolve(msg as T); }
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

interface LevelResult { tickP95: number; tickMax: number; sendP50: number; sendP95: number; sendMax: number; streams: number; p50: number; p95: number; p99: number; max: number; sent: number; peerReceived: number; lost: number; recordedShortfallMs: number; cpuPercent: number; skipped: number }

async function runLevel(child: ChildProcess, streams: number, seconds: number, dir: string): Promise<LevelResult> {
  const engine = createMediaEngine({ host: '127.0.0.1', portRange: PORTS, logger: silentLogger(), rtpTimeoutMs: 60_000 });
  await request(child, { cmd: 'open', count: streams }, 'opened');
  const endpoints: MediaEndpoint[] = [];
  for (let i = 0; i < streams; i++) endpoints.push(await engine.openEndpoint());
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const recordings: Promise<RecordResult>[] = endpoints.map((endpoint, i) => {
    endpoint.setRemote({ payloadType: 0, codec: 'PCMU', ptimeMs: PTIME_MS, dtmfPayloadType: 101, direction: 'sendrecv', remote: { address: '127.0.0.1', port: PEER_BASE_PORT + i } });
    endpoint.play({ tone: 'ringback' }, { loop: true });
    return endpoint.record({ file: join(dir, `rec-${i}.wav`), maxDurationMs: (seconds + 10) * 1000 });
  });
  // Warm-up second (prompt synthesis, first packets, JIT) is not measured; the peer skips it too.
  await new Promise((r) => setTimeout(r, 1000));
  engine.resetClockStats();
  await new Promise((r) => setTimeout(r, (seconds - 1) * 1000));
  const clockStats = engine.stats();
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const sent = endpoints.reduce((sum, e) => sum + e.stats().packetsSent, 0);
  const skipped = clockStats.skippedFrames;
  // Stop sending (hold) before asking, so in-flight packets and echoes are counted on both sides.
  for (const endpoint of endpoints) endpoint.setRemote({ ...endpoint.negotiated!, direction: 'recvonly' });
  await new Promise((r) => setTimeout(r, 100));
  const peer = await request<{ received: number; lost: number; p50: number; p95: number; p99: number; max: number }>(child, { cmd: 'report' }, 'report');
  const sentAtReport = endpoints.reduce((sum, e) => sum + e.stats().packetsSent, 0);
  const echoedReceived = endpoints.reduce((sum, e) => sum + e.stats().packetsReceived, 0);
  await engine.close();
  const results = await Promise.all(recordings);
  // Recorded audio should cover every echoed packet: shortfall = lost on the way back or in the buffer.
  const recordedMs = results.reduce((sum, r) => sum + r.durationMs, 0);
  const recordedShortfallMs = Math.max(0, echoedReceived * PTIME_MS - recordedMs);
  return {
    tickP95: clockStats.tickLateness.p95, tickMax: clockStats.tickLateness.max,
    sendP50: clockStats.sendIntervalDeviation.p50, sendP95: clockStats.sendIntervalDeviation.p95, sendMax: clockStats.sendIntervalDeviation.max,
    streams, p50: peer.p50, p95: peer.p95, p99: peer.p99, max: peer.max, sent, peerReceived: peer.received,
    lost: peer.lost + Math.max(0, sentAtReport - peer.received) + Math.max(0, peer.received - echoedReceived),
    recordedShortfallMs,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
    skipped,
  };
}

async function main(): Promise<void> {
  const levels = arg('levels', '50,100,200,300,400').split(',').map(Number);
  const seconds = Number(arg('seconds', '5'));
  const child = fork(fileURLToPath(import.meta.url), ['--peer'], { execArgv: process.execArgv, stdio: 'inherit' });
  const loadAtStart = loadavg().map((l) => l.toFixed(2)).join(' ');
  const dir = mkdtempSync(join(tmpdir(), 'hookflash-bench-'));
  const rows: LevelResult[] = [];
  try {
    for (const streams of levels) {
      const row = await runLevel(child, streams, seconds, dir);
      rows.push(row);
      process.stderr.write(`streams=${streams} p95=${row.p95.toFixed(2)} ms lost=${row.lost}\n`);
    }
  } finally {
    child.send({ cmd: 'exit' });
    rmSync(dir, { recursive: true, force: true });
  }
  const cpuModel = cpus()[0]?.model ?? 'unknown';
  const mem = readFileSync('/proc/meminfo', 'utf8').match(/MemTotal:\s+(\d+)/)?.[1];
  const sendPass = (r: LevelResult) => r.sendP95 <= 2 && r.lost === 0 && r.recordedShortfallMs === 0 && r.skipped === 0;
  const arrivalPass = (r: LevelResult) => r.p95 <= 2 && r.lost === 0 && r.recordedShortfallMs === 0;
  const largest = (ok: (r: LevelResult) => boolean) => rows.filter(ok).map((r) => r.streams).reduce((a, b) => Math.max(a, b), 0) || 'none';
  console.log(`### Media engine: concurrent streams (ptime ${PTIME_MS} ms, PCMU, play + record each)\n`);
  console.log(`- command: \`npx tsx bench/media-streams.ts --levels ${levels.join(',')} --seconds ${seconds}\``);
  console.log(`- machine: ${cpus().length} cores (nproc), ${cpuModel}, ${mem ? Math.round(Number(mem) / 1024 / 1024) : Math.round(totalmem() / 2 ** 30)} GiB RAM, node ${process.version}`);
  console.log(`- date: ${new Date().toISOString()}; load average at start ${loadAtStart}, at end ${loadavg().map((l) => l.toFixed(2)).join(' ')} (the machine is shared)`);
  console.log(`- send dev = |interval between a stream's consecutive sends − ${PTIME_MS} ms| measured by the engine's clock; arrival dev = the same at the peer process (adds the peer's own scheduling); first second not measured`);
  console.log('- pass = send dev p95 ≤ 2 ms, nothing lost either way, recording complete, no frames dropped by the clock\n');
  console.log('| streams | send dev p50 / p95 / max ms | arrival dev p50 / p95 / max ms | packets sent | lost | recorded shortfall ms | engine CPU % of one core | clock skipped frames | pass |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|:---:|');
  for (const r of rows) {
    console.log(`| ${r.streams} | ${r.sendP50.toFixed(2)} / ${r.sendP95.toFixed(2)} / ${r.sendMax.toFixed(1)} | ${r.p50.toFixed(2)} / ${r.p95.toFixed(2)} / ${r.max.toFixed(1)} | ${r.sent} | ${r.lost} | ${r.recordedShortfallMs} | ${r.cpuPercent.toFixed(0)} | ${r.skipped} | ${sendPass(r) ? 'yes' : 'no'} |`);
  }
  console.log(`\nLargest passing N: ${largest(sendPass)} (by arrival spacing at the peer: ${largest(arrivalPass)})`);
}

if (process.argv.includes('--peer')) runPeer();
else await main();
