import t, { type Test } from 'tap';
import { openRepositories } from '../../src/data/index.js';
import { silentLogger } from '../../src/log.js';

function open(t: Test) {
  const repos = openRepositories({ dataDir: t.testdir(), logger: silentLogger() });
  t.teardown(() => repos.close());
  return repos;
}

t.test('mailboxes: add, validate, update, remove; PINs only as hashes', async (t) => {
  const repos = open(t);
  repos.extensions.add({ number: '102', displayName: 'Anna', sipPassword: 'secret-Passw0rd' });
  const box = repos.mailboxes.add({ box: '102', name: 'Anna Nowak', emails: ['a@example.com', 'A@example.com'], extension: '102' });
  t.same({ ...box, createdAt: '', updatedAt: '' }, {
    box: '102', name: 'Anna Nowak', language: 'pl', pinHash: null, emails: ['a@example.com'], extension: '102', greetingFile: null, createdAt: '', updatedAt: '',
  }, 'defaults: Polish, no PIN, duplicate address dropped');
  t.throws(() => repos.mailboxes.add({ box: '102', name: 'Again' }), { message: 'mailbox 102 already exists' });
  t.throws(() => repos.mailboxes.add({ box: '1', name: 'X' }), /mailbox "1" is not a mailbox number \(expected 2–6 digits/);
  t.throws(() => repos.mailboxes.add({ box: '500', name: 'X', language: 'de' as 'pl' }), /language "de" is not supported/);
  t.throws(() => repos.mailboxes.add({ box: '500', name: 'X', emails: ['nope'] }), /is not an e-mail address/);
  t.throws(() => repos.mailboxes.add({ box: '500', name: 'X', extension: '109' }), /extension 109 does not exist/);
  t.throws(() => repos.mailboxes.add({ box: '500', name: 'X', pinHash: '1234' }), /pinHash must be a scrypt hash/, 'a clear PIN is never stored');
  const sales = repos.mailboxes.add({ box: '500', name: 'Sales', language: 'en' });
  t.equal(sales.extension, null, 'a department mailbox has no extension');
  const updated = repos.mailboxes.update('500', { emails: ['s@example.com'], greetingFile: 'greetings/500.wav', pinHash: 'scrypt$1$1$1$x$y' });
  t.same([updated.emails, updated.greetingFile, updated.pinHash, updated.name], [['s@example.com'], 'greetings/500.wav', 'scrypt$1$1$1$x$y', 'Sales']);
  t.throws(() => repos.mailboxes.update('501', { name: 'X' }), { message: 'mailbox 501 does not exist' });
  t.same(repos.mailboxes.list().map((m) => m.box), ['102', '500']);
  repos.extensions.remove('102');
  t.equal(repos.mailboxes.get('102')!.extension, null, 'removing the extension keeps the mailbox');
  t.equal(repos.mailboxes.remove('500'), true);
  t.equal(repos.mailboxes.remove('500'), false);
});

t.test('outbox: one row per recipient, attempts, retry scheduling, retry of failed rows', async (t) => {
  const repos = open(t);
  repos.mailboxes.add({ box: '102', name: 'Anna', emails: ['a@example.com'] });
  const message = repos.voicemailMessages.add({ box: '102', file: 'voicemail/102/x.wav', callerNumber: '103', callerName: null, receivedAt: 1, durationMs: 1000, createdAt: 1 });
  const a = repos.mailOutbox.enqueue(message.id, 'a@example.com', 100);
  const b = repos.mailOutbox.enqueue(message.id, 'b@example.com', 100);
  t.throws(() => repos.mailOutbox.enqueue(message.id, 'a@example.com', 100), /already exists/, 'never a second row for the same recipient');
  t.same(repos.mailOutbox.due(99, 10), [], 'nothing due before its time');
  t.same(repos.mailOutbox.due(100, 10).map((r) => r.id), [a.id, b.id]);
  t.equal(repos.mailOutbox.nextDueAt(), 100);

  const attempt = repos.mailOutbox.beginAttempt(a.id, 500);
  t.same([attempt.attempts, attempt.nextAttemptAt], [1, 500], 'attempt counted before sending, retry pre-scheduled');
  t.same(repos.mailOutbox.due(200, 10).map((r) => r.id), [b.id], 'a row being attempted is not due again at once');
  repos.mailOutbox.markSent(a.id, 150);
  t.throws(() => repos.mailOutbox.beginAttempt(a.id, 900), /is not pending/, 'a sent row is never attempted again');
  repos.mailOutbox.beginAttempt(b.id, 500);
  repos.mailOutbox.markRetry(b.id, 'x'.repeat(2000), 300);
  t.equal(repos.mailOutbox.get(b.id)!.lastError!.length, 500, 'long SMTP replies are clipped');
  t.equal(repos.mailOutbox.nextDueAt(), 300);
  repos.mailOutbox.markFailed(b.id, '550 no such user');
  t.equal(repos.mailOutbox.nextDueAt(), null);
  t.equal(repos.mailOutbox.undeliveredForBox('102'), 1);
  t.same(repos.mailOutbox.list({ statuses: ['failed'] }).map((r) => r.recipient), ['b@example.com']);

  t.equal(repos.mailOutbox.retry('all', 1000), 1, 'sent rows are not retried');
  const retried = repos.mailOutbox.get(b.id)!;
  t.same([retried.status, retried.attempts, retried.nextAttemptAt, retried.lastError], ['pending', 0, 1000, '550 no such user'], 'last error kept for the record');
  t.equal(repos.mailOutbox.retry(a.id, 1000), 0);
  t.equal(repos.mailOutbox.get(a.id)!.status, 'sent');

  t.same(repos.voicemailMessages.deliveredBefore(10).map((m) => m.id), [], 'a message with an unsent row is not deliverable-deletable');
  t.equal(repos.voicemailMessages.remove(message.id), true);
  t.same(repos.mailOutbox.list(), [], 'outbox rows go with their message');
});
