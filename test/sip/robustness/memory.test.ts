/**
 * 10,000 bad messages into a running embedded server (with a drachtio-srf app), measured in a
 * child `node --expose-gc` so heap can be compared after real garbage collection: afterwards
 * transactions, dialogs and connections are back at zero and the heap is back near baseline.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');

function runChild(ms: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, 'flood-child.ts')], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOOKFLASH_FLOOD_CHILD: '1', FLOOD_TOTAL: '10000', FLOOD_TCP: '1000' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { if (stderr.length < 100_000) stderr += d.toString(); });
    const killer = setTimeout(() => child.kill('SIGKILL'), ms);
    t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
    child.on('close', (code) => { clearTimeout(killer); resolve({ code, stdout, stderr }); });
  });
}

t.test('10,000 bad messages: no crash, state and heap back to baseline', { timeout: 200_000 }, async (t) => {
  const { code, stdout, stderr } = await runChild(180_000);
  t.equal(code, 0, `the flooded process exited cleanly: ${stderr.slice(-2000)}`);
  const line = stdout.trim().split('\n').pop() ?? '';
  const r = JSON.parse(line) as {
    total: number; floodMs: number; optionsStatus: number | null; warmIdle: Record<string, number>; afterIdle: Record<string, number>;
    baselineHeap: number; afterHeap: number; baselineRss: number; peakRss: number; afterRss: number; apps: number;
    transport: { parseErrors: number; badRequestsAnswered: number; received: number };
  };
  const zero = { dialogs: 0, inboundTransactions: 0, outboundTransactions: 0, serverTransactions: 0, clientTransactions: 0, pending2xx: 0, openConnections: 0 };
  t.same(r.warmIdle, zero, 'idle after the warm-up');
  t.same(r.afterIdle, zero, 'transactions, dialogs, 2xx retransmissions and TCP connections back to zero');
  t.equal(r.optionsStatus, 200, 'a valid OPTIONS after the flood is answered by the app');
  t.equal(r.apps, 1, 'the app is still connected');
  t.ok(r.transport.parseErrors > 2000, `the flood was mostly rejected by the parser (${r.transport.parseErrors} parse errors)`);
  const growth = r.afterHeap - r.baselineHeap;
  t.ok(growth < 8 * 1024 * 1024, `heap after gc within 8 MB of baseline: ${(r.baselineHeap / 1048576).toFixed(1)} → ${(r.afterHeap / 1048576).toFixed(1)} MB`);
  t.comment(`flood of ${r.total} took ${r.floodMs} ms; RSS ${(r.baselineRss / 1048576).toFixed(0)} → peak ${(r.peakRss / 1048576).toFixed(0)} → ${(r.afterRss / 1048576).toFixed(0)} MB`);
});
