/**
 * Shared by the provisioning benchmarks: machine description, seeding N devices, and the
 * child-process protocol of bench/provisioning-server.ts (one JSON object per line).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Repositories } from '../src/data/types.js';

export function machine(): string {
  let cpu = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) cpu = line.split(':')[1]!.trim();
  } catch {
    // not Linux: os.cpus() is good enough
  }
  const ramGiB = (totalmem() / 1024 ** 3).toFixed(1);
  return `${cpus().length} cores (nproc), ${cpu}, ${ramGiB} GiB RAM, Node ${process.version}, ${process.platform}`;
}

export const deviceMac = (i: number): string => `00aa${i.toString(16).padStart(8, '0')}`;

/**
 * n devices: even ones SPA303 with two lines, odd ones SPA112 with one port. Extension
 * numbers are 4 digits starting at 2000 (the schema allows 2–4 digits).
 */
export function seedDevices(repos: Repositories, n: number): string[] {
  const macs: string[] = [];
  let next = 2000;
  repos.transaction(() => {
    for (let i = 0; i < n; i++) {
      const spa303 = i % 2 === 0;
      const lines: string[] = [];
      for (let l = 0; l < (spa303 ? 2 : 1); l++) {
        const number = String(next++);
        repos.extensions.add({ number, displayName: `User ${number}`, sipPassword: `secret-${number}-pw` });
        lines.push(number);
      }
      const mac = deviceMac(i);
      repos.devices.add({ mac, model: spa303 ? 'spa303' : 'spa112', label: `Desk ${i}`, lines });
      macs.push(mac);
    }
  });
  return macs;
}

export interface ServerReady { httpPort: number; tftpPort: number; macs: string[] }
export interface ServerStats { maxRssMiB: number; rssMiB: number; sightings: number; logEntries: number }

export interface BenchServer {
  ready: ServerReady;
  stats(): Promise<ServerStats>;
  stop(): Promise<void>;
}

/** BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server process. */
function extraNodeArgs(): string[] {
  return (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

/** Starts bench/provisioning-server.ts in its own process, so load generator and server do not share an event loop. */
export async function startBenchServer(devices: number): Promise<BenchServer> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'provisioning-server.ts');
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [...extraNodeArgs(), '--import', 'tsx', script, String(devices)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  const lines = createInterface({ input: child.stdout });
  const waiting: Array<(value: unknown) => void> = [];
  lines.on('line', (line) => {
    if (!line.startsWith('{')) return;
    waiting.shift()?.(JSON.parse(line));
  });
  const next = <T>(): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('bench server did not answer within 120 s')), 120_000);
      waiting.push((v) => {
        clearTimeout(timer);
        resolve(v as T);
      });
    });
  const ready = await next<ServerReady>();
  return {
    ready,
    async stats() {
      const answer = next<ServerStats>();
      child.stdin.write('stats\n');
      return answer;
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end('exit\n');
      await exited;
    },
  };
}

/** The slice of autocannon's (untyped) API used here. */
export interface AutocannonRequest { path: string; headers?: Record<string, string>; method?: string }
export interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
export type Autocannon = (opts: {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  headers?: Record<string, string>;
  requests?: Array<{ method: string; setupRequest: (req: AutocannonRequest) => AutocannonRequest }>;
}) => Promise<AutocannonResult>;
export const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
