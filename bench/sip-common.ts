/**
 * Shared by the SIP benchmarks: the embedded server + the small drachtio-srf apps from
 * test/helpers/sip-apps in this process (RFC 3261 default timers), SIPp runs with per-request
 * response times (-trace_rtt), percentiles and the markdown header.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Srf from 'drachtio-srf';
import { machine } from './provisioning-common.js';
import { startEmbeddedServer, type EmbeddedServer, type SrfApp } from '../test/helpers/srf.js';
import { installRegistrar, type RegistrarApp } from '../test/helpers/sip-apps/registrar.js';
import { installB2bua, type B2buaApp } from '../test/helpers/sip-apps/b2bua.js';
import { freePort } from '../test/helpers/sip/sipp.js';

export { machine, freePort };

export const RFC_TIMERS = { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 };

export interface Pbx {
  es: EmbeddedServer;
  registrar: RegistrarApp;
  b2bua: B2buaApp;
  stop(): Promise<void>;
}

/** Users u0…uN with password pw0…pwN. */
export const benchPassword = (user: string): string | undefined => (/^u\d+$/.test(user) ? `pw${user.slice(1)}` : undefined);

export async function startPbx(route?: (user: string) => string | undefined): Promise<Pbx> {
  const teardowns: Array<() => unknown> = [];
  const es = await startEmbeddedServer({ teardown: (fn) => teardowns.push(fn) }, { sip: { timers: RFC_TIMERS } });
  let registrar!: RegistrarApp;
  let b2bua!: B2buaApp;
  await es.connectApp((srf: SrfApp) => {
    registrar = installRegistrar(srf, { users: benchPassword, maxTrackedNonces: 200_000 });
    b2bua = installB2bua(srf, { route: (user) => route?.(user) ?? registrar.lookup(user), log: false });
  });
  return {
    es, registrar, b2bua,
    async stop() { for (const fn of teardowns.reverse()) await fn(); },
  };
}

/**
 * The embedded server in a child process and the apps (registrar + B2BUA) in this one
 * (BENCH_APP=split), so server and app each get an event loop and a core.
 */
export async function startSplitPbx(route?: (user: string) => string | undefined): Promise<{ sipPort: number; b2bua: B2buaApp; stop(): Promise<void> }> {
  const here = new URL('.', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'sip-pbx-child.ts')], {
    cwd: join(here, '..'), stdio: ['pipe', 'pipe', 'inherit'],
  });
  const kill = (): void => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  running.add(kill);
  const info = await new Promise<{ sipPort: number; controlPort: number; secret: string }>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => { kill(); reject(new Error('server child did not start')); }, 30_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.startsWith('{') && l.endsWith('}'));
      if (line !== undefined) { clearTimeout(timer); resolve(JSON.parse(line) as { sipPort: number; controlPort: number; secret: string }); }
    });
  });
  const srf: SrfApp = new Srf();
  const registrar = installRegistrar(srf, { users: benchPassword, maxTrackedNonces: 200_000 });
  const b2bua = installB2bua(srf, { route: (user) => route?.(user) ?? registrar.lookup(user), log: false });
  await new Promise<void>((resolve, reject) => {
    (srf as { once(e: string, f: (err: Error | null) => void): void }).once('connect', (err) => (err ? reject(err) : resolve()));
    srf.connect({ host: '127.0.0.1', port: info.controlPort, secret: info.secret });
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    sipPort: info.sipPort,
    b2bua,
    async stop() {
      try { srf.disconnect(); } catch { /* gone */ }
      child.stdin.end();
      const timer = setTimeout(kill, 5000);
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('close', resolve)));
      clearTimeout(timer);
      running.delete(kill);
    },
  };
}

export interface SippBenchOptions {
  /** Scenario XML text (written to a private temp dir). */
  scenario: string;
  remote?: string;
  localPort?: number;
  rate: number;
  calls: number;
  limit?: number;
  /** CSV injection file contents (first line SEQUENTIAL). */
  inf?: string;
  extra?: string[];
  timeoutMs: number;
}

export interface SippBenchResult {
  successful: number;
  failed: number;
  retransmissions: number;
  durationMs: number;
  /** rtd name → response times in ms. */
  rtt: Map<string, number[]>;
  exitCode: number | null;
  stderr: string;
  errors: string;
}

export interface SippHandle {
  localPort: number;
  done: Promise<SippBenchResult>;
  kill(): void;
}

function lastRow(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return {};
  const names = lines[0]!.split(';');
  const values = lines[lines.length - 1]!.split(';');
  return Object.fromEntries(names.map((n, i) => [n, values[i] ?? '']));
}

const running = new Set<() => void>();
process.once('exit', () => { for (const kill of running) kill(); });

export async function startSippBench(o: SippBenchOptions): Promise<SippHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'hookflash-sipbench-'));
  const scenario = join(dir, 'scenario.xml');
  writeFileSync(scenario, o.scenario);
  const localPort = o.localPort ?? await freePort('udp');
  const args = ['-sf', scenario, '-i', '127.0.0.1', '-p', String(localPort), '-mp', String(await freePort('udp')),
    '-t', 'u1', '-r', String(o.rate), '-m', String(o.calls), '-nostdin',
    '-timeout', `${Math.ceil(o.timeoutMs / 1000)}s`, '-max_recv_loops', '10000', '-max_sched_loops', '10000', '-buff_size', '4194304',
    '-trace_stat', '-stf', join(dir, 'stat.csv'), '-fd', '1', '-trace_rtt', '-rtt_freq', '1',
    '-trace_err', '-error_file', join(dir, 'errors.log')];
  if (o.limit !== undefined) args.push('-l', String(o.limit));
  if (o.inf !== undefined) { writeFileSync(join(dir, 'users.csv'), o.inf); args.push('-inf', join(dir, 'users.csv')); }
  args.push(...(o.extra ?? []));
  if (o.remote !== undefined) args.push(o.remote);
  const started = Date.now();
  const child = spawn('/usr/bin/sipp', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { if (stderr.length < 20_000) stderr += d.toString(); });
  const kill = (): void => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  running.add(kill);
  const killer = setTimeout(kill, o.timeoutMs + 10_000);
  const done = new Promise<SippBenchResult>((resolve) => {
    child.once('close', (code) => {
      clearTimeout(killer);
      running.delete(kill);
      const stat = lastRow(join(dir, 'stat.csv'));
      const rtt = new Map<string, number[]>();
      const rttFile = readdirSync(dir).find((f) => f.endsWith('_rtt.csv'));
      if (rttFile !== undefined) {
        for (const line of readFileSync(join(dir, rttFile), 'utf8').split('\n').slice(1)) {
          const [, ms, name] = line.split(';');
          if (name === undefined || ms === undefined || ms === '') continue;
          const list = rtt.get(name.trim()) ?? [];
          list.push(Number(ms));
          rtt.set(name.trim(), list);
        }
      }
      const errors = existsSync(join(dir, 'errors.log')) ? readFileSync(join(dir, 'errors.log'), 'utf8').slice(0, 4000) : '';
      rmSync(dir, { recursive: true, force: true });
      resolve({ errors,
        successful: Number(stat['SuccessfulCall(C)'] ?? 0),
        failed: Number(stat['FailedCall(C)'] ?? 0),
        retransmissions: Number(stat['Retransmissions(C)'] ?? 0),
        durationMs: Date.now() - started,
        rtt, exitCode: code, stderr,
      });
    });
  });
  return { localPort, done, kill };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function header(title: string, command: string): string {
  const [l1, l5, l15] = loadavg().map((v) => v.toFixed(2));
  return [
    `### ${title}`,
    '',
    `- command: \`${command}\``,
    `- machine: ${machine()}`,
    `- date: ${new Date().toISOString()}`,
    `- load average at start: ${l1} / ${l5} / ${l15} (1/5/15 min)`,
    '',
  ].join('\n');
}

export const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '–');
