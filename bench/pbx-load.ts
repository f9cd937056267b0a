/**
 * "PBX on drachtio-srf" under load: the real PBX app (src/pbx) on the embedded SIP server with
 * a real SQLite database holding 10,000 extensions (test/helpers/pbx/stack.ts, calls.ts).
 *
 *   (a) authenticated REGISTERs per second, each SIPp call a different extension
 *       (REGISTER → 401 → REGISTER with digest → 200), rates 250/500/1000/1500;
 *   (b) authenticated calls per second extension → extension: 4,000 distinct callers each answer
 *       the 407; the callee (9000) is a registered SIPp UAS answering 200, then BYE; rates 50/100/200;
 *   (c) transfers (REFER → NOTIFY 200): measured by bench/pbx-transfer.ts.
 *
 *   npx tsx bench/pbx-load.ts      (BENCH_STEP_SECONDS=5 BENCH_REGISTER_RATES=… BENCH_CALL_RATES=…;
 *                                   BENCH_DEBUG=1 prints SIPp errors, BENCH_TRACE=<file> logs the call messages)
 *
 * Extension numbers: the validator (src/data/validate.ts) accepts 2–4 digits, leading zeros
 * included, so the 10,000 extensions are "0000"…"9999". Calls use 1000…9999 only.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fmt, freePort, header, percentile, startSippBench, type SippBenchResult } from './sip-common.js';
import { UAS_SCENARIO } from './sip-calls.js';
import { startPbxStack, type PbxStack } from '../test/helpers/pbx/stack.js';
import { startCallStack } from '../test/helpers/pbx/calls.js';

const STEP_SECONDS = Number(process.env['BENCH_STEP_SECONDS'] ?? 5);
const REGISTER_RATES = (process.env['BENCH_REGISTER_RATES'] ?? '250,500,1000,1500').split(',').map(Number);
const CALL_RATES = (process.env['BENCH_CALL_RATES'] ?? '50,100,200').split(',').map(Number);
const EXTENSIONS = 10_000;
const CALLERS = { first: 1000, count: 4000 };   // 1000…4999
/**
 * Every call dials extension 9000, registered from the SIPp UAS port (it answers calls concurrently):
 * SIPp 3.6.1 digests one URI per run (-auth_uri), and the PBX checks it against the Request-URI.
 */
const CALLEE = 9000;
const GOAL_REGISTER = 1000;
const GOAL_CALLS = 200;
const GOAL_FAIL_PCT = 0.1;

const scenarioDir = fileURLToPath(new URL('./scenarios/', import.meta.url));
const REGISTER_SCENARIO = readFileSync(`${scenarioDir}pbx-register.xml`, 'utf8');
const CALL_SCENARIO = readFileSync(`${scenarioDir}pbx-call-uac.xml`, 'utf8');

const ext = (n: number): string => String(n % EXTENSIONS).padStart(4, '0');
const secret = (number: string): string => `bench-${number}`;
const auth = (number: string): string => `[authentication username=${number} password=${secret(number)}]`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

/** 10,000 extensions in one SQLite transaction; returns the time it took. */
function seed(stack: PbxStack): number {
  const started = Date.now();
  stack.repos.transaction(() => {
    for (let i = 0; i < EXTENSIONS; i++) {
      const number = ext(i);
      if (stack.repos.extensions.get(number) === undefined) {
        stack.repos.extensions.add({ number, displayName: `Bench ${number}`, sipPassword: secret(number) });
      }
    }
  });
  return Date.now() - started;
}

/** SEQUENTIAL injection file: extension;[authentication …][;callee]. */
function registerCsv(from: number, count: number): string {
  const lines = ['SEQUENTIAL'];
  for (let i = 0; i < count; i++) { const n = ext(from + i); lines.push(`${n};${auth(n)}`); }
  return `${lines.join('\n')}\n`;
}

function callCsv(offset: number, count: number): string {
  const lines = ['SEQUENTIAL'];
  for (let i = 0; i < count; i++) {
    const caller = String(CALLERS.first + ((offset + i) % CALLERS.count));
    const callee = String(CALLEE);
    lines.push(`${caller};${auth(caller)};${callee}`);
  }
  return `${lines.join('\n')}\n`;
}

interface Step { rate: number; calls: number; r: SippBenchResult; failPct: number; achieved: number }

function measure(rate: number, calls: number, r: SippBenchResult): Step {
  const total = r.successful + r.failed;
  const failPct = (100 * (r.failed + Math.max(0, calls - total))) / calls;
  return { rate, calls, r, failPct, achieved: r.successful / (r.durationMs / 1000) };
}

function debug(r: SippBenchResult): void {
  if (process.env['BENCH_DEBUG']) process.stderr.write(`${r.errors}\n${r.stderr}\n`);
}

async function registerBench(out: string[]): Promise<Step[]> {
  const t = new Teardowns();
  const steps: Step[] = [];
  try {
    const stack = await startPbxStack(t, { extensions: [] });
    const seedMs = seed(stack);
    process.stderr.write(`seeded ${EXTENSIONS} extensions in ${seedMs} ms\n`);
    out.push(`Database: ${EXTENSIONS.toLocaleString('en')} extensions "0000"…"9999" seeded in one transaction (${seedMs} ms); default lock-out (10 failures / 60 s per address).`, '');
    const remote = `127.0.0.1:${stack.sut.sipPort}`;
    // Warm-up (JIT, first allocations), not reported.
    debug(await (await startSippBench({ scenario: REGISTER_SCENARIO, remote, rate: 200, calls: 400, limit: 200,
      inf: registerCsv(0, 400), timeoutMs: 20_000 })).done);
    let offset = 400;
    for (const rate of REGISTER_RATES) {
      const calls = rate * STEP_SECONDS;
      const r = await (await startSippBench({ scenario: REGISTER_SCENARIO, remote, rate, calls, limit: Math.max(200, rate),
        inf: registerCsv(offset, calls), timeoutMs: (STEP_SECONDS + 20) * 1000 })).done;
      debug(r);
      offset += calls;
      const step = measure(rate, calls, r);
      steps.push(step);
      process.stderr.write(`REGISTER ${rate}/s: ok ${r.successful} failed ${r.failed} achieved ${fmt(step.achieved, 0)}/s\n`);
      if (step.achieved < 0.5 * rate) break;   // far past saturation: higher steps tell nothing new
      await sleep(1000);
    }
  } finally {
    await t.run();
  }
  return steps;
}

async function callBench(out: string[]): Promise<Step[]> {
  const t = new Teardowns();
  const steps: Step[] = [];
  try {
    const cs = await startCallStack(t, { extensions: [] });
    const seedMs = seed(cs.stack);
    const remote = `127.0.0.1:${cs.sipPort}`;
    // The callees register from the port the UAS will then listen on (bindings keep the source address).
    const port = await freePort('udp');
    const reg = await (await startSippBench({ scenario: REGISTER_SCENARIO, remote, localPort: port, rate: 10,
      calls: 1, inf: registerCsv(CALLEE, 1), timeoutMs: 20_000 })).done;
    debug(reg);
    if (reg.successful !== 1) throw new Error(`registering the callee ${CALLEE} failed\n${reg.errors}`);
    const uas = await startSippBench({ scenario: UAS_SCENARIO, localPort: port, rate: 1, calls: 10_000_000, timeoutMs: 5 * 60_000 });
    t.teardown(() => uas.kill());
    await sleep(500);   // let SIPp bind its port
    out.push(`Calls: second stack (startCallStack), ${EXTENSIONS.toLocaleString('en')} extensions seeded (${seedMs} ms), 4,000 distinct callers 1000…4999 (each answers its own 407), all dialling extension 9000 = one registered SIPp UAS answering concurrently (SIPp 3.6.1 digests a single -auth_uri per run, so the callee cannot vary per call).`, '');
    const uac = (rate: number, calls: number, offset: number) => startSippBench({
      scenario: CALL_SCENARIO, remote, rate, calls, limit: Math.max(200, rate * 2),
      inf: callCsv(offset, calls), timeoutMs: (calls / rate + 20) * 1000,
      // SIPp 3.6.1 digests the URI sip:<remote> unless told (-auth_uri); the PBX checks it against the Request-URI.
      extra: ['-auth_uri', `${CALLEE}@${remote}`, ...(process.env['BENCH_TRACE'] ? ['-trace_msg', '-message_file', process.env['BENCH_TRACE']] : [])],
    });
    debug(await (await uac(25, 75, 0)).done);   // warm-up, not reported
    await cs.settled(5000);
    let offset = 75;
    for (const rate of CALL_RATES) {
      const calls = rate * STEP_SECONDS;
      const r = await (await uac(rate, calls, offset)).done;
      debug(r);
      offset += calls;
      const step = measure(rate, calls, r);
      steps.push(step);
      process.stderr.write(`calls ${rate}/s: ok ${r.successful} failed ${r.failed} achieved ${fmt(step.achieved, 0)}/s\n`);
      if (step.achieved < 0.5 * rate) break;
      await cs.settled(10_000);
      await sleep(500);
    }
  } finally {
    await t.run();
  }
  return steps;
}

function verdict(steps: Step[], goal: number, unit: string, p99: (s: Step) => number): { line: string; met: boolean } {
  const ok = steps.filter((s) => s.failPct < GOAL_FAIL_PCT && s.achieved >= 0.8 * s.rate);
  const best = ok.length === 0 ? null : ok.reduce((a, b) => (b.rate > a.rate ? b : a));
  const met = best !== null && best.rate >= goal;
  return {
    met,
    line: best === null
      ? `**Goal ≥ ${goal.toLocaleString('en')} ${unit} with < ${GOAL_FAIL_PCT}% failures: MISSED** — no tested rate had < ${GOAL_FAIL_PCT}% failures at ≥ 80% of target.`
      : `**Goal ≥ ${goal.toLocaleString('en')} ${unit} with < ${GOAL_FAIL_PCT}% failures: ${met ? 'MET' : 'MISSED'}** — highest clean step ${best.rate} ${unit} (achieved ${fmt(best.achieved, 0)}, p99 ${fmt(p99(best))} ms).`,
  };
}

async function main(): Promise<void> {
  const deadline = setTimeout(() => { process.stderr.write('pbx-load: 4-minute bound reached, aborting\n'); process.exit(2); }, 4 * 60_000);
  deadline.unref();
  const out = [header('PBX on drachtio-srf: authenticated REGISTER/s and calls/s (10,000 extensions)', 'npx tsx bench/pbx-load.ts')];

  out.push('#### (a) REGISTER with digest, a different extension per SIPp call', '');
  const reg = await registerBench(out);
  out.push('| target REGISTER/s | attempted | ok | failed | fail % | achieved /s | retrans | p99 REGISTER→401 ms | p50 auth REGISTER→200 ms | p99 auth REGISTER→200 ms |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of reg) {
    const a = s.r.rtt.get('1') ?? [];
    const b = s.r.rtt.get('2') ?? [];
    out.push(`| ${s.rate} | ${s.calls} | ${s.r.successful} | ${s.r.failed} | ${fmt(s.failPct, 3)} | ${fmt(s.achieved, 0)} | ${s.r.retransmissions} | ${fmt(percentile(a, 99))} | ${fmt(percentile(b, 50))} | ${fmt(percentile(b, 99))} |`);
  }
  const regVerdict = verdict(reg, GOAL_REGISTER, 'REGISTER/s', (s) => percentile(s.r.rtt.get('2') ?? [], 99));
  out.push('', regVerdict.line, '');

  await sleep(1000);
  out.push('#### (b) Calls extension → extension (INVITE → 407 → authenticated INVITE → 200 → ACK → 100 ms → BYE → 200)', '');
  const calls = await callBench(out);
  out.push('| target calls/s | attempted | ok | failed | fail % | achieved /s | retrans | p50 auth INVITE→200 ms | p99 auth INVITE→200 ms | p99 BYE→200 ms |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of calls) {
    const inv = s.r.rtt.get('1') ?? [];
    const bye = s.r.rtt.get('2') ?? [];
    out.push(`| ${s.rate} | ${s.calls} | ${s.r.successful} | ${s.r.failed} | ${fmt(s.failPct, 3)} | ${fmt(s.achieved, 0)} | ${s.r.retransmissions} | ${fmt(percentile(inv, 50))} | ${fmt(percentile(inv, 99))} | ${fmt(percentile(bye, 99))} |`);
  }
  const callVerdict = verdict(calls, GOAL_CALLS, 'calls/s', (s) => percentile(s.r.rtt.get('1') ?? [], 99));
  out.push('', callVerdict.line, '');

  out.push('#### (c) Transfer (REFER → NOTIFY 200)', '');
  out.push('Measured by `bench/pbx-transfer.ts` (SIPp transferor, REFER → NOTIFY 200 at 20/s).', '');

  out.push('#### Goals', '');
  out.push(`- ≥ ${GOAL_REGISTER.toLocaleString('en')} REGISTER/s, < ${GOAL_FAIL_PCT}% failures: **${regVerdict.met ? 'met' : 'missed'}**`);
  out.push(`- ≥ ${GOAL_CALLS} calls/s, < ${GOAL_FAIL_PCT}% failures: **${callVerdict.met ? 'met' : 'missed'}**`);
  out.push('- transfer REFER→NOTIFY 200 p99 < 200 ms at 20/s: see `bench/pbx-transfer.ts`');
  out.push('');
  out.push(`Each step runs ~${STEP_SECONDS} s of SIPp (UDP, 127.0.0.1) in the same 2 cores as the server + PBX; SIPp, server and PBX share the machine. ` +
    'achieved = ok / SIPp wall time incl. start-up and draining; fail % counts failed and never-completed calls. Response times from SIPp -trace_rtt.');
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
process.exit(0);
