/**
 * Shared by the SIP benchmarks: the embedded server (RFC 3261 default timers) + the small
 * drachtio-srf apps from test/helpers/sip-apps, in this process or in their own
 * (`--app-process`), SIPp runs with per-request response times (-trace_rtt), percentiles,
 * CPU per operation and the markdown header.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { machine } from './provisioning-common.js';
import { startEmbeddedServer, type EmbeddedServer, type SrfApp } from '../test/helpers/srf.js';
import { installRegistrar, type RegistrarApp } from '../test/helpers/sip-apps/registrar.js';
import { installB2bua, type B2buaApp } from '../test/helpers/sip-apps/b2bua.js';
import { freePort } from '../test/helpers/ports.js';

export { machine, freePort };

/** Child processes (SIPp, app child) to kill if the benchmark exits early. */
const running = new Set<() => void>();
process.once('exit', () => { for (const kill of running) kill(); });

export const RFC_TIMERS = { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 };

/** Where the drachtio-srf apps run: in this process with the server, or in their own process. */
export type AppMode = 'inline' | 'child';

/** `--app-process` or BENCH_APP=child (BENCH_APP=split is accepted as an older spelling). */
export function appModeFromArgs(argv: string[] = process.argv.slice(2)): AppMode {
  const env = process.env['BENCH_APP'];
  return argv.includes('--app-process') || env === 'child' || env === 'split' ? 'child' : 'inline';
}

export interface AppStats {
  bindings: number;
  /** Cumulative user + system CPU of the app's process (µs); same as the server's when inline. */
  cpuUs: number;
  rss: number;
  heapUsed: number;
}

export interface Pbx {
  mode: AppMode;
  es: EmbeddedServer;
  /** Only inline: the registrar and B2BUA objects themselves. */
  registrar: RegistrarApp | null;
  b2bua: B2buaApp | null;
  /** Numbers from the app side (asks the child process when there is one). */
  appStats(): Promise<AppStats>;
  stop(): Promise<void>;
}

/** Users u0…uN with password pw0…pwN. */
export const benchPassword = (user: string): string | undefined => (/^u\d+$/.test(user) ? `pw${user.slice(1)}` : undefined);

/** Cumulative user + system CPU of this process in µs. */
export function cpuNowUs(): number {
  const c = process.cpuUsage();
  return c.user + c.system;
}

/**
 * The embedded server in this process (RFC timers) with the registrar + B2BUA apps either in
 * this process too (`inline`) or in a child process (`child`, bench/sip-app-child.ts).
 * `routeTo` fixes the B2BUA's target; otherwise it routes to the registered contact.
 */
export async function startPbx(mode: AppMode = 'inline', routeTo?: string): Promise<Pbx> {
  const teardowns: Array<() => unknown> = [];
  const stopAll = async () => { for (const fn of teardowns.reverse()) await fn(); };
  const es = await startEmbeddedServer({ teardown: (fn) => teardowns.push(fn) }, { sip: { timers: RFC_TIMERS } });
  if (mode === 'inline') {
    let registrar!: RegistrarApp;
    let b2bua!: B2buaApp;
    await es.connectApp((srf: SrfApp) => {
      registrar = installRegistrar(srf, { users: benchPassword, maxTrackedNonces: 200_000 });
      b2bua = installB2bua(srf, { route: (user) => routeTo ?? registrar.lookup(user), log: false });
    });
    return {
      mode, es, registrar, b2bua,
      async appStats() {
        const m = process.memoryUsage();
        return { bindings: registrar.bindings.size, cpuUs: cpuNowUs(), rss: m.rss, heapUsed: m.heapUsed };
      },
      stop: stopAll,
    };
  }
  try {
    const child = await startAppChild(es, routeTo);
    teardowns.push(() => child.stop());
    return { mode, es, registrar: null, b2bua: null, appStats: () => child.stats(), stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

interface AppChild {
  stats(): Promise<AppStats>;
  stop(): Promise<void>;
}

async function startAppChild(es: EmbeddedServer, routeTo: string | undefined): Promise<AppChild> {
  const here = new URL('.', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'sip-app-child.ts')], {
    cwd: join(here, '..'),
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: process.env['BENCH_APP_NODE_OPTIONS'] ?? '', BENCH_CONTROL_PORT: String(es.controlPort),
      BENCH_SECRET: es.secret, BENCH_ROUTE: routeTo ?? '' },
  });
  const kill = (): void => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  running.add(kill);
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line.startsWith('{')) lines.push(line);
    }
    for (const w of waiters.splice(0)) w();
  });
  const nextLine = (ms: number): Promise<string> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app child: no answer within ${ms} ms`)), ms);
    const check = () => {
      const line = lines.shift();
      if (line !== undefined) { clearTimeout(timer); resolve(line); return; }
      if (child.exitCode !== null) { clearTimeout(timer); reject(new Error(`app child exited with ${child.exitCode}`)); return; }
      waiters.push(check);
    };
    child.once('exit', () => { for (const w of waiters.splice(0)) w(); });
    check();
  });
  try {
    await nextLine(30_000);   // {"ready":true}
  } catch (err) {
    kill();
    running.delete(kill);
    throw err;
  }
  return {
    async stats() {
      child.stdin.write('stats\n');
      return JSON.parse(await nextLine(10_000)) as AppStats;
    },
    async stop() {
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
