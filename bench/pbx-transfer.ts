/**
 * Transfer completion under load: the real PBX (src/pbx, test/helpers/pbx/calls.ts) on the
 * embedded SIP server with a real SQLite file, three SIPp processes on 127.0.0.1:
 *
 *   A (bench/scenarios/pbx-transfer-caller.xml, extension 101, the rate generator) calls B,
 *   B (pbx-transfer-transferor.xml, extension 102, registered from its port) answers and
 *     REFERs A to 103 (blind); its rtd "xfer" times REFER sent → NOTIFY sipfrag 200 received,
 *   C (pbx-transfer-target.xml, extension 103, registered) answers the transferred call;
 *   A takes the PBX's re-INVITE (joined to C), then hangs up.
 *
 *   npx tsx bench/pbx-transfer.ts      (BENCH_RATE=20 transfers/s, BENCH_SECONDS=30; BENCH_DEBUG=1 prints SIPp errors)
 *
 * Goal (issue 4): p99 REFER → NOTIFY 200 under 200 ms at 20 transfers/s, no failures.
 */
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { fmt, header, percentile, startSippBench, type SippBenchResult } from './sip-common.js';
import { password, startCallStack } from '../test/helpers/pbx/calls.js';
import { registerForHandoff } from '../test/helpers/pbx/register-client.js';

const RATE = Number(process.env['BENCH_RATE'] ?? 20);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 30);
const GOAL_P99_MS = 200;
const scenarioDir = fileURLToPath(new URL('./scenarios/', import.meta.url));
const scenario = (name: string): string => readFileSync(`${scenarioDir}${name}`, 'utf8');

class Teardowns {
  private fns: Array<() => unknown> = [];
  teardown(fn: () => unknown): void { this.fns.push(fn); }
  async run(): Promise<void> {
    for (const fn of this.fns.reverse()) {
      try { await fn(); } catch (error) { process.stderr.write(`teardown: ${String(error)}\n`); }
    }
    this.fns = [];
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function debug(label: string, r: SippBenchResult): void {
  if (process.env['BENCH_DEBUG']) process.stderr.write(`--- ${label}: exit ${r.exitCode}\n${r.errors}\n${r.stderr}\n`);
}

async function main(): Promise<void> {
  if (!(RATE > 0 && SECONDS > 0 && RATE * SECONDS <= 10_000)) throw new Error('BENCH_RATE and BENCH_SECONDS must be positive, at most 10,000 transfers in all');
  const bound = setTimeout(() => { process.stderr.write('pbx-transfer: time bound reached, aborting\n'); process.exit(2); }, (SECONDS + 120) * 1000);
  bound.unref();
  const t = new Teardowns();
  const out = [header(`PBX transfer completion (REFER → NOTIFY 200) at ${RATE}/s`, `BENCH_RATE=${RATE} BENCH_SECONDS=${SECONDS} npx tsx bench/pbx-transfer.ts`)];
  try {
    const cs = await startCallStack(t, { extensions: ['101', '102', '103'] });
    const pbx = `127.0.0.1:${cs.sipPort}`;
    const registeredPort = async (ext: string): Promise<number> => {
      const port = await registerForHandoff(t, cs.sipPort, ext, password(ext), 3600);
      return port;
    };
    const calls = Math.round(RATE * SECONDS);
    const timeoutMs = (SECONDS + 30) * 1000;
    const target = await startSippBench({
      scenario: scenario('pbx-transfer-target.xml'), localPort: await registeredPort('103'), rate: 1, calls, timeoutMs,
    });
    t.teardown(() => target.kill());
    const transferor = await startSippBench({
      scenario: scenario('pbx-transfer-transferor.xml'), localPort: await registeredPort('102'), rate: 1, calls, timeoutMs,
      extra: ['-key', 'user', '102', '-key', 'pbx', pbx, '-key', 'target', '103'],
    });
    t.teardown(() => transferor.kill());
    await sleep(500);   // let both SIPp UAS bind their ports
    const caller = await startSippBench({
      scenario: scenario('pbx-transfer-caller.xml'), remote: pbx, rate: RATE, calls, limit: Math.max(50, RATE * 5), timeoutMs,
      // SIPp 3.6.1 digests one URI per run; every call dials 102, so that is the URI.
      extra: ['-key', 'caller', '101', '-key', 'callee', '102', '-au', '101', '-ap', password('101'), '-auth_uri', `102@${pbx}`],
    });
    t.teardown(() => caller.kill());
    const a = await caller.done;
    debug('caller A', a);
    const b = await transferor.done;
    debug('transferor B', b);
    const c = await target.done;   // C exits after its last call's BYE (bounded by timeoutMs)
    debug('target C', c);
    const times = b.rtt.get('xfer') ?? [];
    const records = cs.stack.repos.cdr.list({ limit: Math.min(10_000, calls) });
    const completed = records.filter((r) => r.events.some((e) => e.kind === 'transfer' && e['result'] === 'completed')).length;
    const failedTransfers = records.filter((r) => r.events.some((e) => e.kind === 'transfer' && e['result'] === 'failed')).length;
    const p99 = percentile(times, 99);
    out.push(
      `Setup: startCallStack (embedded SIP server + PBX drachtio-srf apps in this process, SQLite in a temp dir); SIPp A (101) calls B (102) at ${RATE}/s for ${SECONDS} s (${calls} calls); B answers, waits 100 ms, REFERs A to 103 (SIPp C, answers at once); A takes the re-INVITE, hangs up after 200 ms.`,
      '',
      '| attempted | A ok | A failed | B ok | B failed | C ok | transfers completed (CDR) | failed (CDR) | timed | p50 ms | p95 ms | p99 ms | max ms |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      `| ${calls} | ${a.successful} | ${a.failed} | ${b.successful} | ${b.failed} | ${c.successful} | ${completed} | ${failedTransfers} | ${times.length} | ${fmt(percentile(times, 50))} | ${fmt(percentile(times, 95))} | ${fmt(p99)} | ${fmt(times.length ? Math.max(...times) : NaN)} |`,
      '',
      `**Goal p99 < ${GOAL_P99_MS} ms at ${RATE}/s with no failures: ${times.length > 0 && p99 < GOAL_P99_MS && b.failed === 0 && a.failed === 0 && times.length === calls ? 'MET' : 'MISSED'}**`,
      '',
    );
    if (a.failed + b.failed > 0 && !process.env['BENCH_DEBUG']) out.push('(failures: rerun with BENCH_DEBUG=1 for SIPp error logs)', '');
  } finally {
    await t.run();
    clearTimeout(bound);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`pbx-transfer: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
