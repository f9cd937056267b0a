import t from 'tap';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../../src/log.js';
import type { Repositories } from '../../../src/data/types.js';
import { createVoicemailStore, outboxProblems, hashPin, verifyPin } from '../../../src/pbx/voicemail/index.js';
import { openTestRepos, toneWav } from './fixtures/mail-helpers.js';

const filesUnder = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : []);

t.test('deposit writes the WAV under voicemail/<box>/ and the rows in one go', async (t) => {
  const dataDir = t.testdir();
  const repos = openTestRepos(dataDir);
  t.teardown(() => repos.close());
  repos.mailboxes.add({ box: '102', name: 'Anna', emails: ['a@example.com', 'b@example.com'] });
  const deposited: number[] = [];
  const store = createVoicemailStore({ repos, dataDir, logger: silentLogger(), clock: { now: () => 1_000 }, onDeposit: (m) => deposited.push(m.id) });
  const source = join(dataDir, 'recording.wav');
  writeFileSync(source, toneWav(440, 1000));
  const { message, outbox, path } = await store.deposit({ box: '102', callerNumber: '103', callerName: 'Łucja Żak', wavPath: source, durationMs: 1000, receivedAt: new Date(5_000) });
  t.match(message.file, /^voicemail\/102\/19700101-000005-[0-9a-f]{8}\.wav$/);
  t.equal(path, join(dataDir, message.file));
  t.same(readFileSync(path), readFileSync(source), 'the recording is stored byte for byte');
  t.same({ ...message, id: 0, file: '' }, { id: 0, box: '102', file: '', callerNumber: '103', callerName: 'Łucja Żak', receivedAt: 5_000, durationMs: 1000, createdAt: 1_000, heardAt: null });
  t.same(outbox.map((o) => [o.recipient, o.status, o.nextAttemptAt]), [['a@example.com', 'pending', 1_000], ['b@example.com', 'pending', 1_000]]);
  t.same(deposited, [message.id], 'onDeposit told after commit');
  t.same(filesUnder(join(dataDir, 'voicemail', '102')).filter((f) => f.endsWith('.part')), [], 'no temp file left');
});

t.test('a failure between file and rows leaves nothing half-written', async (t) => {
  const dataDir = t.testdir();
  const repos = openTestRepos(dataDir);
  t.teardown(() => repos.close());
  repos.mailboxes.add({ box: '102', name: 'Anna', emails: ['a@example.com', 'b@example.com'] });
  let enqueued = 0;
  // The second recipient's row fails: the message row and the first outbox row must roll back.
  const failing: Repositories = {
    ...repos,
    mailOutbox: {
      ...repos.mailOutbox,
      enqueue(messageId, recipient, at) {
        if (++enqueued === 2) throw new Error('disk I/O error (simulated)');
        return repos.mailOutbox.enqueue(messageId, recipient, at);
      },
    },
  };
  const store = createVoicemailStore({ repos: failing, dataDir, logger: silentLogger() });
  await t.rejects(store.deposit({ box: '102', callerNumber: '103', wavBuffer: toneWav(440, 500), durationMs: 500 }), /disk I\/O error/);
  t.equal(enqueued, 2, 'the failure happened after the first row was written');
  t.same(repos.voicemailMessages.listForBox('102'), [], 'no message row');
  t.same(repos.mailOutbox.list(), [], 'no outbox row');
  t.same(filesUnder(join(dataDir, 'voicemail', '102')), [], 'no file, not even a temp file');
});

t.test('bad input is refused clearly and stores nothing', async (t) => {
  const dataDir = t.testdir();
  const repos = openTestRepos(dataDir);
  t.teardown(() => repos.close());
  repos.mailboxes.add({ box: '102', name: 'Anna', emails: ['a@example.com'] });
  const store = createVoicemailStore({ repos, dataDir, logger: silentLogger() });
  await t.rejects(store.deposit({ box: '999', callerNumber: '103', wavBuffer: toneWav(440, 100), durationMs: 100 }), { message: 'mailbox 999 does not exist' });
  await t.rejects(store.deposit({ box: '102', callerNumber: '103', wavBuffer: Buffer.from('not audio at all, just some text to be long enough for a header'), durationMs: 100 }), /not a WAV file/);
  await t.rejects(store.deposit({ box: '102', callerNumber: '103', wavPath: join(dataDir, 'missing.wav'), durationMs: 100 }), /missing\.wav: cannot read the recording \(ENOENT\)/);
  await t.rejects(store.deposit({ box: '102', callerNumber: '103', wavBuffer: toneWav(440, 100), durationMs: -5 }), /durationMs -5 is not a non-negative number/);
  t.same(repos.voicemailMessages.listForBox('102'), []);
  t.same(filesUnder(join(dataDir, 'voicemail', '102')), [], 'the refused deposit left no file');
});

t.test('outboxProblems lists failed rows and rows pending too long', async (t) => {
  const dataDir = t.testdir();
  const repos = openTestRepos(dataDir);
  t.teardown(() => repos.close());
  repos.mailboxes.add({ box: '102', name: 'Anna', emails: ['ok@example.com', 'bad@example.com', 'slow@example.com'] });
  let now = 0;
  const store = createVoicemailStore({ repos, dataDir, logger: silentLogger(), clock: { now: () => now } });
  const { outbox } = await store.deposit({ box: '102', callerNumber: '103', wavBuffer: toneWav(440, 100), durationMs: 100 });
  const [ok, bad, slow] = outbox as [typeof outbox[0], typeof outbox[0], typeof outbox[0]];
  repos.mailOutbox.beginAttempt(ok.id, 10);
  repos.mailOutbox.markSent(ok.id, 5);
  repos.mailOutbox.beginAttempt(bad.id, 10);
  repos.mailOutbox.markFailed(bad.id, '550: no such user');
  repos.mailOutbox.beginAttempt(slow.id, 10);
  repos.mailOutbox.markRetry(slow.id, 'ECONNECTION: refused', 60_000);
  now = 60_000;
  t.same(outboxProblems(repos, { now, pendingOlderThanMs: 120_000 }).map((p) => [p.recipient, p.kind]), [['bad@example.com', 'failed']], 'young pending rows are not a problem yet');
  const problems = outboxProblems(repos, { now, pendingOlderThanMs: 30_000 });
  t.same(problems.map((p) => [p.recipient, p.kind, p.box, p.lastError]), [
    ['bad@example.com', 'failed', '102', '550: no such user'],
    ['slow@example.com', 'late', '102', 'ECONNECTION: refused'],
  ]);
});

t.test('retention deletes only messages every recipient accepted, and only when configured', async (t) => {
  const dataDir = t.testdir();
  const repos = openTestRepos(dataDir);
  t.teardown(() => repos.close());
  repos.mailboxes.add({ box: '102', name: 'Anna', emails: ['a@example.com'] });
  let now = 0;
  const clock = { now: () => now };
  const keep = createVoicemailStore({ repos, dataDir, logger: silentLogger(), clock });
  const store = createVoicemailStore({ repos, dataDir, logger: silentLogger(), clock, retentionDays: 1 });
  const delivered = await store.deposit({ box: '102', callerNumber: '103', wavBuffer: toneWav(440, 100), durationMs: 100, receivedAt: 0 });
  const undelivered = await store.deposit({ box: '102', callerNumber: '104', wavBuffer: toneWav(440, 100), durationMs: 100, receivedAt: 0 });
  repos.mailOutbox.beginAttempt(delivered.outbox[0]!.id, 10);
  repos.mailOutbox.markSent(delivered.outbox[0]!.id, 10);
  now = 2 * 86_400_000;
  t.equal(await keep.applyRetention(), 0, 'default: keep everything');
  t.equal(await store.applyRetention(), 1);
  t.notOk(existsSync(delivered.path), 'delivered message file deleted');
  t.notOk(repos.voicemailMessages.get(delivered.message.id));
  t.ok(existsSync(undelivered.path), 'undelivered message kept');
  t.ok(repos.voicemailMessages.get(undelivered.message.id));
});

t.test('PINs are stored as scrypt hashes and verify', async (t) => {
  const hash = await hashPin('4321');
  t.match(hash, /^scrypt\$16384\$8\$1\$/);
  t.notMatch(hash, /4321/);
  t.equal(await verifyPin('4321', hash), true);
  t.equal(await verifyPin('1234', hash), false);
  await t.rejects(hashPin('12'), /PIN must be 4–10 digits/);
});
