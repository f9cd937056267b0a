/**
 * RSS of the server + app process (embedded server and drachtio-srf registrar/B2BUA apps in
 * this process) holding 5,000 registrations and 500 established calls (1,000 dialogs).
 * SIPp registers u0…u4999 with digest auth, then places 500 long-hold calls (-d) through the
 * B2BUA to a SIPp uas; RSS is read while they are all up, then everything is torn down.
 *
 *   npx tsx bench/sip-memory.ts              (BENCH_REGISTRATIONS=5000 BENCH_CALLS=500)
 *   node --expose-gc --import tsx bench/sip-memory.ts   (adds heap after gc)
 */
import { fmt, header, startPbx, startSippBench } from './sip-common.js';
import { REGISTER_SCENARIO, usersCsv } from './sip-register.js';
import { UAC_SCENARIO, startUas } from './sip-calls.js';

const REGISTRATIONS = Number(process.env['BENCH_REGISTRATIONS'] ?? 5000);
const CALLS = Number(process.env['BENCH_CALLS'] ?? 500);
const HOLD_MS = Number(process.env['BENCH_HOLD_MS'] ?? 120_000);

const mib = (bytes: number): string => (bytes / 1048576).toFixed(1);
const gc = (globalThis as { gc?: () => void }).gc;
async function snapshot(): Promise<{ rss: number; heap: number }> {
  if (gc !== undefined) for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 20)); }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

async function main(): Promise<void> {
  const out = [header(`SIP memory: ${REGISTRATIONS} registrations + ${CALLS} established calls`, 'npx tsx bench/sip-memory.ts')];
  const uas = await startUas(10 * 60_000);
  const pbx = await startPbx(() => `sip:callee@127.0.0.1:${uas.localPort}`);
  const rows: string[] = [];
  let holding: Awaited<ReturnType<typeof startSippBench>> | null = null;
  let verdict = '';
  try {
    const idle = await snapshot();
    const txns = (): number => {
      const t = pbx.es.server.stats().transactions;
      return (t?.serverTransactions ?? 0) + (t?.clientTransactions ?? 0);
    };
    rows.push(`| idle (server + apps started) | ${mib(idle.rss)} | ${mib(idle.heap)} | 0 | 0 | ${txns()} |`);
    const reg = await (await startSippBench({
      scenario: REGISTER_SCENARIO, remote: `127.0.0.1:${pbx.es.sipPort}`, rate: 500, calls: REGISTRATIONS, limit: 500,
      inf: usersCsv(REGISTRATIONS), timeoutMs: (REGISTRATIONS / 500 + 60) * 1000,
    })).done;
    const afterReg = await snapshot();
    rows.push(`| ${pbx.registrar.bindings.size} registrations (${reg.failed} failed) | ${mib(afterReg.rss)} | ${mib(afterReg.heap)} | ${pbx.registrar.bindings.size} | ${pbx.es.server.stats().core.dialogs} | ${txns()} |`);
    holding = await startSippBench({
      scenario: UAC_SCENARIO, remote: `127.0.0.1:${pbx.es.sipPort}`, rate: 100, calls: CALLS, limit: CALLS,
      extra: ['-s', 'callee', '-d', String(HOLD_MS)], timeoutMs: HOLD_MS + 120_000,
    });
    const deadline = Date.now() + 60_000;
    while (pbx.es.server.stats().core.dialogs < 2 * CALLS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1000));
    const up = await snapshot();
    const dialogs = pbx.es.server.stats().core.dialogs;
    rows.push(`| + ${dialogs / 2} established calls (${dialogs} dialogs) | **${mib(up.rss)}** | ${mib(up.heap)} | ${pbx.registrar.bindings.size} | ${dialogs} | ${txns()} |`);
    verdict = dialogs < 2 * CALLS
      ? `**Only ${dialogs / 2} of ${CALLS} calls came up within 60 s.**`
      : `**RSS with ${pbx.registrar.bindings.size} registrations and ${dialogs / 2} calls: ${mib(up.rss)} MiB = ${(up.rss / 1e6).toFixed(0)} MB** — goal < 250 MB ${up.rss < 250 * 1e6 ? 'met' : 'missed'}.`;
  } finally {
    holding?.kill();
    await pbx.stop();
    uas.kill();
  }
  out.push(`| state | RSS MiB | heap used MiB${gc === undefined ? ' (no gc)' : ' (after gc)'} | bindings | dialogs | open transactions |`);
  out.push('|---|---:|---:|---:|---:|---:|');
  out.push(...rows);
  out.push('');
  out.push(verdict);
  out.push('');
  out.push('One process holds the embedded server and both drachtio-srf apps (they talk over the loopback control connection), so RSS covers server + app. SIPp runs in separate processes.');
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
process.exit(0);
