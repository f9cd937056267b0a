/**
 * Calls per second through a createB2BUA app: SIPp uac → embedded server → drachtio-srf
 * B2BUA app (test/helpers/sip-apps/b2bua.ts) → embedded server → SIPp uas. Each call is
 * INVITE/100/180/200/ACK then BYE/200 on both legs. The rate steps up until failures reach
 * 0.1% or SIPp cannot keep the rate.
 *
 *   npx tsx bench/sip-calls.ts               (BENCH_STEP_SECONDS=5 BENCH_RATES=50,100,…)
 *   npx tsx bench/sip-calls.ts --app-process     (B2BUA app in its own process; BENCH_APP=child too)
 */
import { pathToFileURL } from 'node:url';
import {
  appModeFromArgs, cpuNowUs, fmt, freePort, header, percentile, startPbx, startSippBench, type SippHandle,
} from './sip-common.js';

const STEP_SECONDS = Number(process.env['BENCH_STEP_SECONDS'] ?? 5);
const RATES = (process.env['BENCH_RATES'] ?? '50,100,200,300,400,500,600').split(',').map(Number);

// rtd 1: INVITE → 200; rtd 2: BYE → 200. Pause between ACK and BYE from -d (ms).
export const UAC_SCENARIO = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uac-call">
  <send retrans="500" start_rtd="1"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:caller@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:caller@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000
]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="1" rrs="true"/>
  <send><![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:caller@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
[routes]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <pause/>
  <send retrans="500" start_rtd="2"><![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:caller@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
[routes]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200" rtd="2"/>
</scenario>
`;

export const UAS_SCENARIO = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uas-call">
  <recv request="INVITE" crlf="true"/>
  <send><![CDATA[
SIP/2.0 100 Trying
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <send><![CDATA[
SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:callee@[local_ip]:[local_port]>
Content-Length: 0

]]></send>
  <send retrans="500"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:callee@[local_ip]:[local_port]>
Content-Type: application/sdp
Content-Length: [len]

v=0
o=user2 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000
]]></send>
  <recv request="ACK" crlf="true"/>
  <recv request="BYE"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:callee@[local_ip]:[local_port]>
Content-Length: 0

]]></send>
</scenario>
`;

/** A SIPp callee answering every call routed to it, until kill(). */
export async function startUas(timeoutMs: number): Promise<SippHandle> {
  const port = await freePort('udp');
  const uas = await startSippBench({ scenario: UAS_SCENARIO, localPort: port, rate: 1, calls: 10_000_000, timeoutMs });
  await new Promise((resolve) => setTimeout(resolve, 500));   // let SIPp bind its port
  return uas;
}

async function main(): Promise<void> {
  const mode = appModeFromArgs();
  const out = [header(`SIP calls per second through a createB2BUA app (${mode === 'inline' ? 'server + app in one process' : 'app in its own process'})`,
    `npx tsx bench/sip-calls.ts${mode === 'inline' ? '' : ' --app-process'}`)];
  const uas = await startUas(15 * 60_000);
  const pbx = await startPbx(mode, `sip:callee@127.0.0.1:${uas.localPort}`);
  const dialogs = () => pbx.es.server.stats().core.dialogs;
  const rows: string[] = [];
  let best: { rate: number; achieved: number; p99: number } | null = null;
  const uac = (rate: number, calls: number) => startSippBench({
    scenario: UAC_SCENARIO, remote: `127.0.0.1:${pbx.es.sipPort}`, rate, calls, limit: Math.max(200, rate * 2),
    extra: ['-s', 'callee', '-d', '0'], timeoutMs: (calls / rate + 30) * 1000,
  });
  try {
    await (await uac(50, 150)).done;   // warm-up, not reported
    for (const rate of RATES) {
      const calls = rate * STEP_SECONDS;
      const cpu0 = { server: cpuNowUs(), app: mode === 'child' ? (await pbx.appStats()).cpuUs : 0 };
      const r = await (await uac(rate, calls)).done;
      const serverUs = cpuNowUs() - cpu0.server;
      const appUs = mode === 'child' ? (await pbx.appStats()).cpuUs - cpu0.app : 0;
      const perOk = (us: number) => fmt(us / Math.max(1, r.successful), 0);
      if (process.env['BENCH_DEBUG']) process.stderr.write(`${r.errors}\n${r.stderr}\n`);
      const total = r.successful + r.failed;
      const failPct = (100 * (r.failed + (calls - total))) / calls;
      const achieved = r.successful / (r.durationMs / 1000);
      const inv = r.rtt.get('1') ?? [];
      const bye = r.rtt.get('2') ?? [];
      rows.push(`| ${rate} | ${calls} | ${r.successful} | ${r.failed} | ${fmt(failPct, 3)} | ${fmt(achieved, 0)} | ${r.retransmissions} | ${fmt(percentile(inv, 50))} | ${fmt(percentile(inv, 99))} | ${fmt(percentile(bye, 99))} | ${perOk(serverUs)} | ${mode === 'child' ? perOk(appUs) : '–'} |`);
      process.stderr.write(`${rows[rows.length - 1]}\n`);
      const p99 = Math.max(percentile(inv, 99), percentile(bye, 99));
      if (failPct < 0.1 && achieved >= 0.8 * rate && p99 < 50) best = { rate, achieved, p99 };
      if (failPct >= 0.1 || achieved < 0.8 * rate) break;
      // let the previous step's dialogs and transactions finish
      for (let i = 0; i < 100 && dialogs() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await pbx.stop();
    uas.kill();
  }
  out.push(`| target calls/s | attempted | ok | failed | fail % | achieved /s | retrans | p50 INVITE→200 ms | p99 INVITE→200 ms | p99 BYE→200 ms | ${mode === 'inline' ? 'server + app' : 'server'} CPU µs/call | app CPU µs/call |`);
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  out.push(...rows);
  out.push('');
  out.push(best === null
    ? '**Max sustained (< 0.1% failures, ≥ 80% of target, p99 < 50 ms): none of the tested rates** — goal ≥ 300 calls/s missed.'
    : `**Max sustained (< 0.1% failures, ≥ 80% of target, p99 < 50 ms): ${best.rate} calls/s** (achieved ${fmt(best.achieved, 0)}/s, p99 ${fmt(best.p99)} ms) — goal ≥ 300/s ${best.rate >= 300 ? 'met' : 'missed'}.`);
  out.push('');
  out.push('Each call: SIPp uac → server → B2BUA app (createB2BUA) → server → SIPp uas; INVITE/100/180/200/ACK, BYE/200 on both legs, no hold time (-d 0). Response times from SIPp -trace_rtt at the caller; achieved = ok / wall time incl. SIPp start-up; CPU µs/call = process.cpuUsage() over the step / ok.');
  process.stdout.write(`${out.join('\n')}\n`);
}

// Run only as the entry point (bench/sip-memory.ts imports the scenarios from here).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
  process.exit(0);
}
