/**
 * Time to accept: from VoicemailStore.deposit() (the caller hung up, the recording is complete)
 * until the SMTP server has accepted the e-mail. Real parts only: SQLite in a temp dir, the real
 * store, composer, outbox worker and nodemailer transport, and an in-process smtp-server on
 * 127.0.0.1 that parses each message. Goal: p95 < 2 s.
 *
 *   npx tsx bench/voicemail-mail.ts      knobs: BENCH_DEPOSITS (50), BENCH_SECONDS (30: recording length)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../src/log.js';
import { createMailComposer, createOutboxWorker, createSmtpTransport, createVoicemailStore } from '../src/pbx/voicemail/index.js';
import { openTestRepos, startSmtpSink, toneWav } from '../test/pbx/voicemail/fixtures/mail-helpers.js';
import { machine } from './provisioning-common.js';

const deposits = Number(process.env.BENCH_DEPOSITS ?? 50);
const seconds = Number(process.env.BENCH_SECONDS ?? 30);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hookflash-bench-vm-'));
  const sink = await startSmtpSink();
  const logger = silentLogger();
  const repos = openTestRepos(dataDir);
  repos.mailboxes.add({ box: '102', name: 'Bench', language: 'pl', emails: ['anna@example.com', 'boss@example.com'] });
  const transport = createSmtpTransport({ smtpUrl: `smtp://127.0.0.1:${sink.port}`, connectionTimeoutMs: 5000 }, logger);
  const composer = createMailComposer({ from: 'Hookflash <voicemail@office.example>', timeZone: 'Europe/Warsaw' });
  const worker = createOutboxWorker({
    repos, transport, composer, dataDir, logger, backoff: { initialMs: 1000, maxMs: 10_000, factor: 2, maxAttempts: 5 },
  });
  // As the PBX will wire it: every committed deposit kicks the worker.
  const store = createVoicemailStore({ repos, dataDir, logger, onDeposit: () => void worker.kick() });
  worker.start();
  const wav = toneWav(440, seconds * 1000);
  const recipients = 2;
  const latencies: number[] = [];
  try {
    for (let i = 0; i < deposits; i++) {
      const before = sink.received.length;
      const start = performance.now();
      await store.deposit({ box: '102', callerNumber: '0048221234567', callerName: 'Jan Kowalski', wavBuffer: wav, durationMs: seconds * 1000 });
      await sink.waitFor(before + recipients, 30_000);
      latencies.push(performance.now() - start); // both recipients' servers accepted
    }
  } finally {
    await worker.stop();
    transport.close();
    repos.close();
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const ms = (v: number) => v.toFixed(0);
  const p95 = percentile(sorted, 95);
  console.log([
    '### Voicemail: deposit → SMTP acceptance',
    '',
    `- command: \`npx tsx bench/voicemail-mail.ts\` (BENCH_DEPOSITS=${deposits}, BENCH_SECONDS=${seconds})`,
    `- machine: ${machine()}`,
    `- date: ${new Date().toISOString()}`,
    `- setup: ${deposits} deposits one after another, each a ${seconds} s 8 kHz WAV (${(wav.length / 1024).toFixed(0)} KiB) to a mailbox with ${recipients} recipients; ` +
      'SQLite (WAL) in a temp dir, real store + outbox worker (kicked on deposit) + nodemailer, in-process smtp-server + mailparser on 127.0.0.1; time until the last recipient\'s copy was accepted and parsed',
    '',
    '| deposits | p50 ms | p95 ms | max ms | goal |',
    '|---:|---:|---:|---:|---|',
    `| ${deposits} | ${ms(percentile(sorted, 50))} | ${ms(p95)} | ${ms(sorted.at(-1)!)} | p95 < 2000 ms: ${p95 < 2000 ? 'met' : 'NOT met'} |`,
  ].join('\n'));
}

await main();
