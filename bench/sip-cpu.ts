/**
 * CPU per operation of the SIP server + apps: a fixed number of REGISTER round trips
 * (REGISTER → 401 → REGISTER → 200) and of calls through the B2BUA (INVITE/100/180/200/ACK,
 * BYE/200 on both legs), at a rate well below saturation, measured with process.cpuUsage()
 * deltas. CPU time per operation barely moves with other load on the machine, unlike
 * throughput, so this is the number to compare before/after a change.
 *
 *   npx tsx bench/sip-cpu.ts                     (server + apps in this process)
 *   npx tsx bench/sip-cpu.ts --app-process       (apps in their own process; both reported)
 *   BENCH_REGISTERS=3000 BENCH_REGISTER_RATE=300 BENCH_CALLS=1000 BENCH_CALL_RATE=100
 */
import { cpuNowUs, appModeFromArgs, fmt, header, startPbx, startSippBench, type Pbx } from './sip-common.js';
import { REGISTER_SCENARIO, usersCsv } from './sip-register.js';
import { UAC_SCENARIO, startUas } from './sip-calls.js';

const REGISTERS = Number(process.env['BENCH_REGISTERS'] ?? 3000);
const REGISTER_RATE = Number(process.env['BENCH_REGISTER_RATE'] ?? 300);
const CALLS = Number(process.env['BENCH_CALLS'] ?? 1000);
const CALL_RATE = Number(process.env['BENCH_CALL_RATE'] ?? 100);

interface Sample { ok: number; failed: number; serverUs: number; appUs: number | null }

/** Runs `work` and returns the CPU both sides spent on it. */
async function measure(pbx: Pbx, work: () => Promise<{ ok: number; failed: number }>): Promise<Sample> {
  const server0 = cpuNowUs();
  const app0 = pbx.mode === 'child' ? (await pbx.appStats()).cpuUs : 0;
  const r = await work();
  const serverUs = cpuNowUs() - server0;
  const appUs = pbx.mode === 'child' ? (await pbx.appStats()).cpuUs - app0 : null;
  return { ...r, serverUs, appUs };
}

function row(what: string, s: Sample, inline: boolean): string {
  const per = (us: number) => fmt(us / Math.max(1, s.ok), 0);
  const total = s.serverUs + (s.appUs ?? 0);
  return inline
    ? `| ${what} | ${s.ok} | ${s.failed} | ${per(s.serverUs)} |`
    : `| ${what} | ${s.ok} | ${s.failed} | ${per(s.serverUs)} | ${per(s.appUs ?? 0)} | ${per(total)} |`;
}

async function main(): Promise<void> {
  const mode = appModeFromArgs();
  const inline = mode === 'inline';
  const out = [header(`SIP CPU per operation (${inline ? 'server + apps in one process' : 'apps in their own process'})`,
    `npx tsx bench/sip-cpu.ts${inline ? '' : ' --app-process'}`)];
  const uas = await startUas(10 * 60_000);
  const pbx = await startPbx(mode, `sip:callee@127.0.0.1:${uas.localPort}`);
  const rows: string[] = [];
  const register = (calls: number, offset: number) => async () => {
    const r = await (await startSippBench({
      scenario: REGISTER_SCENARIO, remote: `127.0.0.1:${pbx.es.sipPort}`, rate: REGISTER_RATE, calls, limit: 200,
      inf: usersCsv(calls, offset), timeoutMs: (calls / REGISTER_RATE + 30) * 1000,
    })).done;
    return { ok: r.successful, failed: r.failed + (calls - r.successful - r.failed) };
  };
  const call = (calls: number) => async () => {
    const r = await (await startSippBench({
      scenario: UAC_SCENARIO, remote: `127.0.0.1:${pbx.es.sipPort}`, rate: CALL_RATE, calls, limit: 200,
      extra: ['-s', 'callee', '-d', '0'], timeoutMs: (calls / CALL_RATE + 30) * 1000,
    })).done;
    return { ok: r.successful, failed: r.failed + (calls - r.successful - r.failed) };
  };
  try {
    // Warm-up (JIT, first allocations), not reported.
    await register(300, 1_000_000)();
    await call(100)();
    const reg = await measure(pbx, register(REGISTERS, 0));
    rows.push(row(`REGISTER round trip (${REGISTER_RATE}/s)`, reg, inline));
    process.stderr.write(`${rows[rows.length - 1]}\n`);
    const calls = await measure(pbx, call(CALLS));
    rows.push(row(`call (${CALL_RATE}/s)`, calls, inline));
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  } finally {
    await pbx.stop();
    uas.kill();
  }
  out.push(inline ? '| operation | ok | failed | CPU µs per op (server + apps) |' : '| operation | ok | failed | server CPU µs/op | app CPU µs/op | total µs/op |');
  out.push(inline ? '|---|---:|---:|---:|' : '|---|---:|---:|---:|---:|---:|');
  out.push(...rows);
  out.push('');
  out.push('CPU = user + system time from process.cpuUsage() over the measured run, divided by successful operations (SIPp runs in separate processes and is not counted).');
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
process.exit(0);
