import t, { type Test } from 'tap';
import { writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyseWav } from '../../helpers/audio.js';
import { silentLogger } from '../../../src/log.js';
import type { Repositories } from '../../../src/data/types.js';
import {
  createMailComposer, createOutboxWorker, createSmtpTransport, createVoicemailStore, type BackoffConfig, type OutboxWorker,
} from '../../../src/pbx/voicemail/index.js';
import { eventually, freePort, openTestRepos, startSmtpSink, toneWav } from './fixtures/mail-helpers.js';

const FAST: BackoffConfig = { initialMs: 40, maxMs: 200, factor: 2, maxAttempts: 50 };
// 2026-11-22 08:30:05 UTC = 09:30:05 in Warsaw (CET, UTC+1).
const RECEIVED_AT = Date.UTC(2026, 10, 22, 8, 30, 5);

function setup(t: Test, smtpPort: number, backoff = FAST) {
  const dataDir = t.testdir();
  const repos = openTestRepos(dataDir);
  const logger = silentLogger();
  const transport = createSmtpTransport({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, connectionTimeoutMs: 2000 }, logger);
  const composer = createMailComposer({ from: 'Hookflash <voicemail@office.example>', timeZone: 'Europe/Warsaw' });
  const workers: OutboxWorker[] = [];
  const newWorker = (r: Repositories = repos) => {
    const w = createOutboxWorker({ repos: r, transport, composer, dataDir, logger, backoff, pollMs: 100 });
    workers.push(w);
    return w;
  };
  const store = createVoicemailStore({ repos, dataDir, logger });
  t.teardown(async () => {
    for (const w of workers) await w.stop();
    transport.close();
    repos.close();
  });
  return { dataDir, repos, store, newWorker };
}

t.test('a deposited message reaches every recipient with the WAV attached (Polish and English)', async (t) => {
  const sink = await startSmtpSink();
  t.teardown(() => sink.close());
  const { repos, store, newWorker, dataDir } = setup(t, sink.port);
  repos.mailboxes.add({ box: '102', name: 'Anna Nowak', language: 'pl', emails: ['anna@example.com', 'szef@example.com'] });
  repos.mailboxes.add({ box: '500', name: 'Sales', language: 'en', emails: ['sales@example.com'] });
  const worker = newWorker();
  worker.start();

  const pl = await store.deposit({ box: '102', callerNumber: '0048221234567', callerName: 'Jan Kowalski', wavBuffer: toneWav(440, 3000), durationMs: 3000, receivedAt: RECEIVED_AT });
  const en = await store.deposit({ box: '500', callerNumber: '103', callerName: null, wavBuffer: toneWav(440, 2000), durationMs: 2000, receivedAt: RECEIVED_AT });
  t.equal(pl.outbox.length, 2, 'one outbox row per recipient');
  t.equal(en.outbox.length, 1);
  await worker.kick();
  const mails = await sink.waitFor(3);
  t.equal(mails.length, 3);

  const byRecipient = new Map(mails.map((m) => [m.to.join(','), m]));
  t.same([...byRecipient.keys()].sort(), ['anna@example.com', 'sales@example.com', 'szef@example.com'], 'one e-mail per recipient, alone in its envelope');
  for (const to of ['anna@example.com', 'szef@example.com']) {
    const mail = byRecipient.get(to)!.parsed;
    t.equal(mail.subject, 'Nowa wiadomość głosowa od Jan Kowalski (0048221234567), 3 s');
    t.match(mail.text, /skrzynce 102 \(Anna Nowak\)/);
    t.match(mail.text, /Dzwoniący: Jan Kowalski <0048221234567>/);
    t.match(mail.text, /Kiedy: +22\.11\.2026 09:30:05 \(Europe\/Warsaw\)/, 'local time of the configured zone');
    t.match(mail.text, /Długość: +3 s/);
    t.equal(mail.attachments.length, 1);
    const att = mail.attachments[0]!;
    t.equal(att.filename, 'voicemail-102-20261122-093005.wav');
    t.equal(att.contentType, 'audio/wav');
    const file = join(dataDir, `received-${to}.wav`);
    writeFileSync(file, att.content);
    const audio = analyseWav(file);
    t.equal(audio.sampleRate, 8000);
    t.equal(audio.channels, 1);
    t.ok(Math.abs(audio.durationMs - 3000) <= 20, `duration ${audio.durationMs} ms ≈ 3000 ms`);
    t.ok(Math.abs(audio.dominantHz - 440) <= 10, `dominant ${audio.dominantHz} Hz ≈ 440 Hz`);
  }
  const english = byRecipient.get('sales@example.com')!.parsed;
  t.equal(english.subject, 'New voicemail from 103, 2 s');
  t.match(english.text, /Caller: +103\n/);
  t.match(english.text, /When: +2026-11-22 09:30:05 \(Europe\/Warsaw\)/);
  t.match(english.text, /Duration: 2 s/);
  t.equal(english.attachments[0]!.filename, 'voicemail-500-20261122-093005.wav');

  const rows = repos.mailOutbox.list();
  t.same(rows.map((r) => r.status), ['sent', 'sent', 'sent'], 'marked sent once accepted');
  t.ok(rows.every((r) => r.attempts === 1 && r.sentAt !== null));
  t.ok(existsSync(pl.path) && existsSync(en.path), 'files are kept (default retention: keep)');
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(sink.received.length, 3, 'nothing is sent twice');
});

t.test('SMTP down: the message is kept, retried with backoff, delivered once the server is back', async (t) => {
  const port = await freePort('tcp');
  const { repos, store, newWorker } = setup(t, port);
  repos.mailboxes.add({ box: '102', name: 'Anna', language: 'en', emails: ['anna@example.com', 'bob@example.com'] });
  const worker = newWorker();
  worker.start();
  const { message, path } = await store.deposit({ box: '102', callerNumber: '103', wavBuffer: toneWav(440, 1000), durationMs: 1000 });
  await worker.kick();
  await eventually(() => repos.mailOutbox.list().every((r) => r.attempts >= 3), 10_000, 'three attempts');
  const pending = repos.mailOutbox.list({ messageId: message.id });
  t.ok(pending.every((r) => r.status === 'pending'), 'still pending, not given up');
  t.match(pending[0]!.lastError, /ECONNECTION|ECONNREFUSED/, 'the last error is visible');
  t.ok(pending[0]!.nextAttemptAt > pending[0]!.createdAt, 'a next attempt is scheduled');
  t.ok(existsSync(path), 'the recording is kept while undelivered');

  const sink = await startSmtpSink({ port });
  t.teardown(() => sink.close());
  await sink.waitFor(2);
  await eventually(() => repos.mailOutbox.list().every((r) => r.status === 'sent'), 5000, 'rows marked sent');
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.same(sink.received.map((m) => m.to[0]).sort(), ['anna@example.com', 'bob@example.com'], 'each recipient exactly once');
});

t.test('a 5xx for one recipient fails that row permanently; the other is delivered', async (t) => {
  const sink = await startSmtpSink({ reject550: ['gone@example.com'] });
  t.teardown(() => sink.close());
  const { repos, store, newWorker } = setup(t, sink.port);
  repos.mailboxes.add({ box: '500', name: 'Sales', emails: ['gone@example.com', 'sales@example.com'] });
  const worker = newWorker();
  const { path } = await store.deposit({ box: '500', callerNumber: '103', wavBuffer: toneWav(440, 500), durationMs: 500 });
  await worker.kick();
  const rows = new Map(repos.mailOutbox.list().map((r) => [r.recipient, r]));
  t.equal(rows.get('sales@example.com')!.status, 'sent');
  const gone = rows.get('gone@example.com')!;
  t.equal(gone.status, 'failed', 'permanent after one attempt');
  t.equal(gone.attempts, 1);
  t.match(gone.lastError, /^550: .*no such mailbox here/);
  t.same(sink.received.map((m) => m.to), [['sales@example.com']]);
  t.ok(existsSync(path), 'kept: not every recipient accepted it');
});

t.test('a 4xx is temporary: retried until maxAttempts, then failed with the reason', async (t) => {
  const sink = await startSmtpSink({ reject451: ['grey@example.com'] });
  t.teardown(() => sink.close());
  const { repos, store, newWorker } = setup(t, sink.port, { initialMs: 10, maxMs: 20, factor: 2, maxAttempts: 3 });
  repos.mailboxes.add({ box: '500', name: 'Sales', emails: ['grey@example.com'] });
  const worker = newWorker();
  worker.start();
  await store.deposit({ box: '500', callerNumber: '103', wavBuffer: toneWav(440, 500), durationMs: 500 });
  await eventually(() => repos.mailOutbox.list()[0]!.status === 'failed', 5000, 'failed after retries');
  const row = repos.mailOutbox.list()[0]!;
  t.equal(row.attempts, 3);
  t.match(row.lastError, /^gave up after 3 attempts: 451/);
  t.equal(sink.received.length, 0);
});

t.test('a restart resumes from the table: a new worker on a reopened database delivers what was pending', async (t) => {
  const sink = await startSmtpSink();
  t.teardown(() => sink.close());
  const { repos, store, newWorker, dataDir } = setup(t, sink.port);
  repos.mailboxes.add({ box: '102', name: 'Anna', emails: ['anna@example.com'] });
  await store.deposit({ box: '102', callerNumber: '103', wavBuffer: toneWav(440, 500), durationMs: 500 });
  t.equal(sink.received.length, 0, 'no worker ran before the "crash"');
  repos.close();

  const reopened = openTestRepos(dataDir);
  t.teardown(() => reopened.close());
  newWorker(reopened).start();
  await sink.waitFor(1);
  await eventually(() => reopened.mailOutbox.list()[0]!.status === 'sent', 5000, 'sent after restart');
  t.equal(readdirSync(join(dataDir, 'voicemail', '102')).length, 1);
});

t.test('the at-least-once edge: a crash after SMTP acceptance but before "sent" is recorded re-sends once, same Message-ID', async (t) => {
  const sink = await startSmtpSink();
  t.teardown(() => sink.close());
  const { repos, store, newWorker } = setup(t, sink.port);
  repos.mailboxes.add({ box: '102', name: 'Anna', emails: ['anna@example.com'] });
  await store.deposit({ box: '102', callerNumber: '103', wavBuffer: toneWav(440, 300), durationMs: 300 });
  // The process "dies" exactly between the server's 250 and our UPDATE: markSent never lands.
  const crashing: Repositories = { ...repos, mailOutbox: { ...repos.mailOutbox, markSent: () => { throw new Error('process killed (simulated)'); } } };
  await newWorker(crashing).kick();
  await sink.waitFor(1);
  const row = repos.mailOutbox.list()[0]!;
  t.same([row.status, row.attempts], ['pending', 1], 'the attempt was recorded before sending, the acceptance was not');

  newWorker().start(); // the restarted process picks the row up once its pre-scheduled retry is due
  await eventually(() => repos.mailOutbox.list()[0]!.status === 'sent', 5000, 'sent after restart');
  t.equal(sink.received.length, 2, 'the recipient got a second copy: delivery is at-least-once, never lost');
  t.equal(sink.received[0]!.parsed.messageId, sink.received[1]!.parsed.messageId, 'both copies carry the same Message-ID');
  t.match(sink.received[0]!.parsed.messageId, /^<voicemail-\d+-\d+@office\.example>$/);
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(sink.received.length, 2, 'and no third');
});
