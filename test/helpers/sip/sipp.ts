/**
 * Runs SIPp (Debian sip-tester) with a scenario from test/sip/sipp/, bounded in time, on
 * 127.0.0.1 only, and reports what happened: exit code, successful/failed call counts,
 * per-message counts (incl. retransmissions), unexpected-message log and stderr.
 * Each run gets its own temp dir so parallel test files never share trace files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, copyFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename, isAbsolute, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canBind, freePort } from '../ports.js';

export const SIPP_BINARY = '/usr/bin/sipp';
export const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'sip', 'sipp');

export interface SippOptions {
  /** File name in test/sip/sipp/ (e.g. "uac-basic.xml") or an absolute path. */
  scenario: string;
  /** host:port to send to (UAC scenarios); omit for UAS scenarios. */
  remote?: string;
  /** Local SIP port; a free one is picked when omitted (see result.localPort). */
  localPort?: number;
  transport?: 'udp' | 'tcp';
  /** -m: stop after this many calls (default 1). */
  calls?: number;
  /** -r: calls per second (default 10). */
  rate?: number;
  /** -l: max simultaneous calls. */
  limit?: number;
  /** -s: user part of the Request-URI / [service] (default "service"). */
  service?: string;
  /** -au / -ap for [authentication]. */
  authUser?: string;
  authPassword?: string;
  /** -key name value pairs, usable as [name] in scenarios. */
  keys?: Record<string, string>;
  /** Hard wall-clock limit; SIPp is told the same via -timeout and killed if it overruns. */
  timeoutMs?: number;
  extraArgs?: string[];
  /** Register cleanup with the test (tap's t.teardown). */
  teardown?: (fn: () => void | Promise<void>) => void;
}

export interface SippResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  successful: number;
  failed: number;
  /** Columns of the -trace_counts file, e.g. { "3_200_Recv": 1, "3_200_RecvRetrans": 2 }. */
  counts: Record<string, number>;
  stderr: string;
  stdout: string;
  /** Unexpected messages and errors SIPp logged (-trace_err). */
  errors: string;
  /** Every message sent and received (-trace_msg), for failure diagnosis. */
  messages: string;
  localPort: number;
  durationMs: number;
}

export interface SippRun {
  localPort: number;
  done: Promise<SippResult>;
  /** Kills SIPp (idempotent) and waits for the result. */
  stop(): Promise<SippResult>;
}

export { freePort } from '../ports.js';

const OUTPUT_CAP = 1 << 20;

function capped(chunks: Buffer[], chunk: Buffer, size: { n: number }): void {
  if (size.n >= OUTPUT_CAP) return;
  chunks.push(chunk);
  size.n += chunk.length;
}

/** Last data row of a ';'-separated SIPp CSV as name → number. */
function readCsv(path: string): Record<string, number> {
  if (!existsSync(path)) return {};
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim().length > 0);
  if (lines.length < 2) return {};
  const names = lines[0]!.split(';');
  const values = lines[lines.length - 1]!.split(';');
  const out: Record<string, number> = {};
  names.forEach((name, i) => {
    const value = Number(values[i]);
    if (name.length > 0 && Number.isFinite(value)) out[name] = value;
  });
  return out;
}

function readIfExists(dir: string, suffix: string): string {
  const file = readdirSync(dir).find((f) => f.endsWith(suffix));
  return file === undefined ? '' : readFileSync(join(dir, file), 'utf8').slice(0, OUTPUT_CAP);
}

export async function startSipp(opts: SippOptions): Promise<SippRun> {
  const transport = opts.transport ?? 'udp';
  const localPort = opts.localPort ?? (await freePort(transport));
  const mediaPort = await freePort('udp');
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const dir = mkdtempSync(join(tmpdir(), 'hookflash-sipp-'));
  // SIPp writes its trace files next to the scenario, so run a private copy of it.
  const source = isAbsolute(opts.scenario) ? opts.scenario : join(SCENARIO_DIR, opts.scenario);
  const scenario = join(dir, basename(source));
  copyFileSync(source, scenario);

  const args = [
    '-sf', scenario, '-i', '127.0.0.1', '-p', String(localPort), '-mp', String(mediaPort),
    '-t', transport === 'tcp' ? 't1' : 'u1',
    '-m', String(opts.calls ?? 1), '-r', String(opts.rate ?? 10),
    '-nostdin', '-timeout', `${Math.ceil(timeoutMs / 1000)}s`, '-timeout_error',
    '-trace_stat', '-stf', join(dir, 'stat.csv'), '-fd', '1',
    '-trace_counts', '-trace_err', '-error_file', join(dir, 'errors.log'),
    '-trace_msg', '-message_file', join(dir, 'messages.log'),
  ];
  // Over TCP the peer closing its connection after the last message would otherwise mark a
  // call that is only lingering in <timewait> as failed.
  if (transport === 'tcp') args.push('-reconnect_close', 'false');
  if (opts.limit !== undefined) args.push('-l', String(opts.limit));
  if (opts.service !== undefined) args.push('-s', opts.service);
  if (opts.authUser !== undefined) args.push('-au', opts.authUser);
  if (opts.authPassword !== undefined) args.push('-ap', opts.authPassword);
  for (const [name, value] of Object.entries(opts.keys ?? {})) args.push('-key', name, value);
  args.push(...(opts.extraArgs ?? []));
  if (opts.remote !== undefined) args.push(opts.remote);

  const started = Date.now();
  const child: ChildProcess = spawn(SIPP_BINARY, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const outSize = { n: 0 };
  const errSize = { n: 0 };
  child.stdout!.on('data', (c: Buffer) => capped(out, c, outSize));
  child.stderr!.on('data', (c: Buffer) => capped(err, c, errSize));

  let timedOut = false;
  // SIPp's own -timeout should fire first; this is the backstop for a wedged process.
  const killer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs + 5000);

  const done = new Promise<SippResult>((resolve) => {
    child.once('error', (error) => {
      err.push(Buffer.from(`spawn failed: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      const stats = readCsv(join(dir, 'stat.csv'));
      const result: SippResult = {
        exitCode: code,
        signal,
        timedOut,
        successful: stats['SuccessfulCall(C)'] ?? 0,
        failed: stats['FailedCall(C)'] ?? 0,
        counts: readCsv(join(dir, readdirSync(dir).find((f) => f.endsWith('_counts.csv')) ?? 'none')),
        stderr: Buffer.concat(err).toString('utf8'),
        stdout: Buffer.concat(out).toString('utf8'),
        errors: readIfExists(dir, 'errors.log'),
        messages: readIfExists(dir, 'messages.log'),
        localPort,
        durationMs: Date.now() - started,
      };
      rmSync(dir, { recursive: true, force: true });
      resolve(result);
    });
  });

  const stop = async (): Promise<SippResult> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return done;
  };
  opts.teardown?.(async () => {
    await stop();
  });
  // A UAS must be listening before anyone sends to it: wait until SIPp holds its port.
  if (opts.remote === undefined) await waitUntilBound(localPort, transport, done);
  return { localPort, done, stop };
}

async function waitUntilBound(port: number, kind: 'udp' | 'tcp', exited: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited.then(() => { gone = true; });
  for (let i = 0; i < 100 && !gone; i++) {
    if (!(await canBind(port, kind))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts SIPp and waits for it to finish (or be killed at the time limit). */
export async function runSipp(opts: SippOptions): Promise<SippResult> {
  return (await startSipp(opts)).done;
}

/** One line per outcome, for assertion messages. */
export function describeSipp(result: SippResult): string {
  return `exit=${result.exitCode} signal=${result.signal} ok=${result.successful} failed=${result.failed}` +
    `${result.timedOut ? ' TIMED OUT' : ''}\n${result.stderr.slice(0, 2000)}\n${result.errors.slice(0, 2000)}`;
}
