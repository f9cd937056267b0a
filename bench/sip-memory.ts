/**
 * RSS of the server + app process (embedded server and drachtio-srf registrar/B2BUA apps in
 * this process) holding 5,000 registrations and 500 established calls (1,000 dialogs).
 * SIPp registers u0…u4999 with digest auth, then places 500 long-hold calls (-d) through the
 * B2BUA to a SIPp uas; RSS is read while they are all up, then everything is torn down.
 *
 *   npx tsx bench/sip-memory.ts              (BENCH_REGISTRATIONS=5000 BENCH_CALLS=500)
 *   node --expose-gc --import tsx bench/sip-memory.ts   (adds heap after gc)
 *   npx tsx bench/sip-memory.ts --app-process   (apps in their own process: RSS of each + sum)
 */
import { appModeFromArgs, header, startPbx, startSippBench, type AppStats } from './sip-common.js';
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
  const mode = appModeFromArgs();
  const inline = mode === 'inline';
  const out = [header(`SIP memory: ${REGISTRATIONS} registrations + ${CALLS} established calls (${inline ? 'server + apps in one process' : 'apps in their own process'})`,
    `npx tsx bench/sip-memory.ts${inline ? '' : ' --app-process'}`)];
  const uas = await startUas(10 * 60_000);
  const pbx = await startPbx(mode, `sip:callee@127.0.0.1:${uas.localPort}`);
  const rows: string[] = [];
  let holding: Awaited<ReturnType<typeof startSippBench>> | null = null;
  let verdict = '';
  /** Server process snapshot plus the app's (the same process when inline). */
  const both = async (): Promise<{ server: { rss: number; heap: number }; app: AppStats }> => {
    const server = await snapshot();
    return { server, app: await pbx.appStats() };
  };
  const line = (state: string, s: { server: { rss: number; heap: number }; app: AppStats }, bold = false) => {
    const b = (text: string) => (bold ? `**${text}**` : text);
    const core = pbx.es.server.stats();
    const t = core.transactions;
    const txns = (t?.serverTransactions ?? 0) + (t?.clientTransactions ?? 0);
    return inline
      ? `| ${state} | ${b(mib(s.server.rss))} | ${mib(s.server.heap)} | ${s.app.bindings} | ${core.core.dialogs} | ${txns} |`
      : `| ${state} | ${mib(s.server.rss)} | ${mib(s.app.rss)} | ${b(mib(s.server.rss + s.app.rss))} | ${mib(s.server.heap)} | ${mib(s.app.heapUsed)} | ${s.app.bindings} | ${core.core.dialogs} | ${txns} |`;
  };
  try {
    rows.push(line('idle (server + apps started)', await both()));
    const reg = await (await startSippBench({
      scenario: REGISTER_SCENARIO, remote: `127.0.0.1:${pbx.es.sipPort}`, rate: 500, calls: REGISTRATIONS, limit: 500,
      inf: usersCsv(REGISTRATIONS), timeoutMs: (REGISTRATIONS / 500 + 60) * 1000,
    })).done;
    const afterReg = await both();
    rows.push(line(`${afterReg.app.bindings} registrations (${reg.failed} failed)`, afterReg));
    holding = await startSippBench({
      scenario: UAC_SCENARIO, remote: `127.0.0.1:${pbx.es.sipPort}`, rate: 100, calls: CALLS, limit: CALLS,
      extra: ['-s', 'callee', '-d', String(HOLD_MS)], timeoutMs: HOLD_MS + 120_000,
    });
    const deadline = Date.now() + 60_000;
    while (pbx.es.server.stats().core.dialogs < 2 * CALLS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1000));
    const up = await both();
    const dialogs = pbx.es.server.stats().core.dialogs;
    rows.push(line(`+ ${dialogs / 2} established calls (${dialogs} dialogs)`, up, true));
    const rss = inline ? up.server.rss : up.server.rss + up.app.rss;
    verdict = dialogs < 2 * CALLS
      ? `**Only ${dialogs / 2} of ${CALLS} calls came up within 60 s.**`
      : `**RSS with ${up.app.bindings} registrations and ${dialogs / 2} calls: ${mib(rss)} MiB = ${(rss / 1e6).toFixed(0)} MB${inline ? '' : ' (server + app processes)'}** — goal < 250 MB ${rss < 250 * 1e6 ? 'met' : 'missed'}.`;
  } finally {
    holding?.kill();
    await pbx.stop();
    uas.kill();
  }
  const heapNote = gc === undefined ? ' (no gc)' : ' (after gc)';
  if (inline) {
    out.push(`| state | RSS MiB | heap used MiB${heapNote} | bindings | dialogs | open transactions |`);
    out.push('|---|---:|---:|---:|---:|---:|');
  } else {
    out.push(`| state | server RSS MiB | app RSS MiB | sum MiB | server heap MiB${heapNote} | app heap MiB (no gc) | bindings | dialogs | open transactions |`);
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  }
  out.push(...rows);
  out.push('');
  out.push(verdict);
  out.push('');
  out.push(inline
    ? 'One process holds the embedded server and both drachtio-srf apps (they talk over the loopback control connection), so RSS covers server + app. SIPp runs in separate processes.'
    : 'The embedded server runs in the benchmark process, the drachtio-srf apps in a child process (bench/sip-app-child.ts); the sum is the deployment\'s footprint. SIPp runs in separate processes.');
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
process.exit(0);
