/**
 * REGISTER with digest challenge/response per second: SIPp (UDP, 127.0.0.1) → embedded
 * server → drachtio-srf registrar app (test/helpers/sip-apps/registrar.ts), all users
 * distinct (u0…). The rate steps up until failures reach 0.1% or SIPp cannot keep the rate.
 *
 *   npx tsx bench/sip-register.ts            (BENCH_STEP_SECONDS=5 BENCH_RATES=500,1000,…)
 *   npx tsx bench/sip-register.ts --app-process   (registrar app in its own process)
 */
import { pathToFileURL } from 'node:url';
import { appModeFromArgs, cpuNowUs, fmt, header, percentile, startPbx, startSippBench } from './sip-common.js';

const STEP_SECONDS = Number(process.env['BENCH_STEP_SECONDS'] ?? 5);
const RATES = (process.env['BENCH_RATES'] ?? '250,500,1000,1500,2000,2500,3000,4000').split(',').map(Number);

// rtd 1: REGISTER → 401; rtd 2: REGISTER with credentials → 200.
export const REGISTER_SCENARIO = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register-digest">
  <send retrans="500" start_rtd="1"><![CDATA[
REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[field0]@[remote_ip]:[remote_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[field0]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 REGISTER
Contact: <sip:[field0]@[local_ip]:[local_port]>
Expires: 3600
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="401" auth="true" rtd="1"/>
  <send retrans="500" start_rtd="2"><![CDATA[
REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[field0]@[remote_ip]:[remote_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[field0]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 2 REGISTER
Contact: <sip:[field0]@[local_ip]:[local_port]>
[field1]
Expires: 3600
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200" rtd="2"/>
</scenario>
`;

export function usersCsv(count: number, offset = 0): string {
  const lines = ['SEQUENTIAL'];
  for (let i = 0; i < count; i++) lines.push(`u${offset + i};[authentication username=u${offset + i} password=pw${offset + i}]`);
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const mode = appModeFromArgs();
  const out = [header(`SIP REGISTER (digest) throughput (${mode === 'inline' ? 'server + app in one process' : 'app in its own process'})`,
    `npx tsx bench/sip-register.ts${mode === 'inline' ? '' : ' --app-process'}`)];
  const pbx = await startPbx(mode);
  const rows: string[] = [];
  let best: { rate: number; achieved: number; p99: number } | null = null;
  try {
    // Warm-up (JIT, first allocations), not reported.
    await (await startSippBench({ scenario: REGISTER_SCENARIO, remote: `127.0.0.1:${pbx.es.sipPort}`, rate: 200, calls: 600,
      limit: 200, inf: usersCsv(600, 1_000_000), timeoutMs: 30_000 })).done;
    let offset = 0;
    for (const rate of RATES) {
      const calls = rate * STEP_SECONDS;
      const cpu0 = { server: cpuNowUs(), app: mode === 'child' ? (await pbx.appStats()).cpuUs : 0 };
      const run = await startSippBench({
        scenario: REGISTER_SCENARIO, remote: `127.0.0.1:${pbx.es.sipPort}`, rate, calls, limit: Math.max(200, rate),
        inf: usersCsv(calls, offset), timeoutMs: (STEP_SECONDS + 30) * 1000,
      });
      const r = await run.done;
      const serverUs = cpuNowUs() - cpu0.server;
      const appUs = mode === 'child' ? (await pbx.appStats()).cpuUs - cpu0.app : 0;
      const perOk = (us: number) => fmt(us / Math.max(1, r.successful), 0);
      if (process.env['BENCH_DEBUG']) process.stderr.write(`${r.errors}\n${r.stderr}\n`);
      offset += calls;
      const total = r.successful + r.failed;
      const failPct = total === 0 ? 100 : (100 * (r.failed + (calls - total))) / calls;
      const achieved = r.successful / (r.durationMs / 1000);
      const p99a = percentile(r.rtt.get('1') ?? [], 99);
      const p99b = percentile(r.rtt.get('2') ?? [], 99);
      const p50b = percentile(r.rtt.get('2') ?? [], 50);
      rows.push(`| ${rate} | ${calls} | ${r.successful} | ${r.failed} | ${fmt(failPct, 3)} | ${fmt(achieved, 0)} | ${r.retransmissions} | ${fmt(p99a)} | ${fmt(p50b)} | ${fmt(p99b)} | ${perOk(serverUs)} | ${mode === 'child' ? perOk(appUs) : '–'} |`);
      process.stderr.write(`${rows[rows.length - 1]}\n`);
      const ok = failPct < 0.1 && achieved >= 0.8 * rate && p99b < 50;
      if (ok) best = { rate, achieved, p99: p99b };
      if (failPct >= 0.1 || achieved < 0.8 * rate) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    await pbx.stop();
  }
  out.push(`| target REGISTER/s | attempted | ok | failed | fail % | achieved /s | retrans | p99 401 ms | p50 200 ms | p99 200 ms | ${mode === 'inline' ? 'server + app' : 'server'} CPU µs/op | app CPU µs/op |`);
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  out.push(...rows);
  out.push('');
  out.push(best === null
    ? '**Max sustained (< 0.1% failures, ≥ 80% of target (achieved = ok / wall time incl. SIPp start-up), p99 < 50 ms): none of the tested rates** — goal ≥ 2,000/s missed.'
    : `**Max sustained (< 0.1% failures, ≥ 80% of target (achieved = ok / wall time incl. SIPp start-up), p99 < 50 ms): ${best.rate} REGISTER/s** (achieved ${fmt(best.achieved, 0)}/s, p99 ${fmt(best.p99)} ms) — goal ≥ 2,000/s ${best.rate >= 2000 ? 'met' : 'missed'}.`);
  out.push('');
  out.push('One "call" = REGISTER → 401 → REGISTER with credentials → 200 (two transactions through server and app). Response times from SIPp -trace_rtt. CPU µs/op = process.cpuUsage() over the step / ok.');
  process.stdout.write(`${out.join('\n')}\n`);
}

// Run only as the entry point (bench/sip-memory.ts imports the scenarios from here).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
  process.exit(0);
}
