import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from './fixtures/run-cli.js';
import { silentLogger } from '../../src/log.js';
import { analyseWav } from '../helpers/audio.js';
import { createVoicemailStore, verifyPin } from '../../src/pbx/voicemail/index.js';
import { openTestRepos, toneWav } from '../pbx/voicemail/fixtures/mail-helpers.js';

t.test('mailbox add / list / remove; the PIN is hashed and never shown', async (t) => {
  const dir = t.testdir();
  t.equal((await cli(dir, ['extension', 'add', '102', '--name', 'Anna', '--password', 'secret-Passw0rd'])).code, 0);
  const add = await cli(dir, ['mailbox', 'add', '102', '--name', 'Anna Nowak', '--email', 'anna@example.com', '--email', 'boss@example.com', '--pin', '4321', '--extension', '102']);
  t.equal(add.code, 0, add.stderr);
  t.equal(add.stdout, 'mailbox 102 added (Anna Nowak, pl, 2 recipient(s))\n');
  const dept = await cli(dir, ['mailbox', 'add', '500', '--name', 'Sales', '--language', 'en']);
  t.match(dept.stdout, /mailbox 500 added \(Sales, en, 0 recipient\(s\)\)\nnote: no --email given/);

  const repos = openTestRepos(dir);
  const stored = repos.mailboxes.get('102')!;
  repos.close();
  t.notMatch(stored.pinHash, /4321/);
  t.equal(await verifyPin('4321', stored.pinHash!), true, 'the stored hash verifies the PIN');

  const list = await cli(dir, ['mailbox', 'list']);
  t.equal(list.code, 0);
  t.match(list.stdout, /BOX\s+NAME\s+LANG\s+EXTENSION\s+PIN\s+GREETING\s+EMAILS/);
  t.match(list.stdout, /102\s+Anna Nowak\s+pl\s+102\s+set\s+default\s+anna@example.com, boss@example.com/);
  t.match(list.stdout, /500\s+Sales\s+en\s+-\s+-\s+default\s+-/);
  const json = await cli(dir, ['mailbox', 'list', '--json']);
  t.notMatch(json.stdout, /scrypt|pinHash/, 'no hash in JSON output either');
  t.same(JSON.parse(json.stdout).map((m: { box: string; pinSet: boolean }) => [m.box, m.pinSet]), [['102', true], ['500', false]]);

  const badPin = await cli(dir, ['mailbox', 'add', '600', '--name', 'X', '--pin', '12']);
  t.equal(badPin.code, 1);
  t.equal(badPin.stderr, 'error: PIN must be 4–10 digits\n');
  const badLang = await cli(dir, ['mailbox', 'add', '600', '--name', 'X', '--language', 'de']);
  t.equal(badLang.code, 2, 'an unknown language is a usage error');

  t.equal((await cli(dir, ['mailbox', 'remove', '500'])).stdout, 'mailbox 500 removed\n');
  const gone = await cli(dir, ['mailbox', 'remove', '500']);
  t.equal(gone.code, 1);
  t.equal(gone.stderr, 'error: mailbox 500 does not exist\n');
});

t.test('mailbox greeting converts 44.1 kHz stereo to 8 kHz mono and refuses what is not audio', async (t) => {
  const dir = t.testdir();
  await cli(dir, ['mailbox', 'add', '102', '--name', 'Anna']);
  writeFileSync(join(dir, 'hi.wav'), toneWav(440, 1000, 44_100, 2));
  const ok = await cli(dir, ['mailbox', 'greeting', '102', 'hi.wav']);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /greeting of mailbox 102 stored: .*greetings\/102\.wav \(1\.0 s, converted from 44100 Hz, 2 channels to 8000 Hz mono\)/);
  const audio = analyseWav(join(dir, 'greetings', '102.wav'));
  t.same([audio.sampleRate, audio.channels], [8000, 1]);
  t.ok(Math.abs(audio.durationMs - 1000) <= 20, `duration ${audio.durationMs} ms`);
  t.ok(Math.abs(audio.dominantHz - 440) <= 10, `dominant ${audio.dominantHz} Hz`);
  const repos = openTestRepos(dir);
  t.equal(repos.mailboxes.get('102')!.greetingFile, 'greetings/102.wav');
  repos.close();

  writeFileSync(join(dir, 'notes.txt'), 'this is not audio');
  const bad = await cli(dir, ['mailbox', 'greeting', '102', 'notes.txt']);
  t.equal(bad.code, 1);
  t.equal(bad.stderr, 'error: notes.txt: not a WAV file (RIFF header missing): upload a WAV, PCM 8–48 kHz, mono or stereo; it is converted to 8 kHz mono\n', 'says what is wrong and what is needed');
  const missing = await cli(dir, ['mailbox', 'greeting', '102', 'nope.wav']);
  t.match(missing.stderr, /nope\.wav: cannot read the greeting \(ENOENT\)/);
  const noBox = await cli(dir, ['mailbox', 'greeting', '999', 'hi.wav']);
  t.equal(noBox.stderr, 'error: mailbox 999 does not exist\n');
});

t.test('mailbox outbox shows pending and failed rows; retry requeues; remove refused while undelivered', async (t) => {
  const dir = t.testdir();
  await cli(dir, ['mailbox', 'add', '102', '--name', 'Anna', '--email', 'a@example.com', '--email', 'b@example.com', '--email', 'c@example.com']);
  t.equal((await cli(dir, ['mailbox', 'outbox'])).stdout, 'nothing pending or failed: every voicemail e-mail was accepted\n');
  const repos = openTestRepos(dir);
  const store = createVoicemailStore({ repos, dataDir: dir, logger: silentLogger(), clock: { now: () => Date.UTC(2026, 10, 22, 9) } });
  const { outbox } = await store.deposit({ box: '102', callerNumber: '103', wavBuffer: toneWav(440, 200), durationMs: 200 });
  const [a, b, c] = outbox.map((o) => o.id) as [number, number, number];
  repos.mailOutbox.beginAttempt(a, 0);
  repos.mailOutbox.markSent(a, 1);
  repos.mailOutbox.beginAttempt(b, 0);
  repos.mailOutbox.markFailed(b, '550: no such mailbox here');
  repos.mailOutbox.beginAttempt(c, 0);
  repos.mailOutbox.markRetry(c, 'ECONNECTION: connect ECONNREFUSED 127.0.0.1:25', Date.UTC(2026, 10, 22, 9, 5));
  repos.close();

  const list = await cli(dir, ['mailbox', 'outbox']);
  t.equal(list.code, 0);
  t.match(list.stdout, /ID\s+MESSAGE\s+RECIPIENT\s+STATUS\s+ATTEMPTS\s+NEXT ATTEMPT\s+LAST ERROR/);
  t.match(list.stdout, new RegExp(`${b}\\s+1\\s+b@example.com\\s+failed \\(permanent\\)\\s+1\\s+-\\s+550: no such mailbox here`));
  t.match(list.stdout, new RegExp(`${c}\\s+1\\s+c@example.com\\s+pending\\s+1\\s+2026-11-22T09:05:00Z\\s+ECONNECTION`));
  t.notMatch(list.stdout, /a@example.com/, 'sent rows only with --all');
  t.match((await cli(dir, ['mailbox', 'outbox', '--all'])).stdout, /a@example.com\s+sent/);

  const removeRefused = await cli(dir, ['mailbox', 'remove', '102']);
  t.equal(removeRefused.code, 1);
  t.match(removeRefused.stderr, /mailbox 102 still has 2 undelivered e-mail\(s\)/);

  const sent = await cli(dir, ['mailbox', 'retry', String(a)]);
  t.equal(sent.code, 1);
  t.match(sent.stderr, /already accepted by the mail server; it is not sent twice/);
  t.equal((await cli(dir, ['mailbox', 'retry', 'x1'])).stderr, 'error: "x1" is not an outbox id or "all"\n');
  t.equal((await cli(dir, ['mailbox', 'retry', '999'])).stderr, 'error: outbox row 999 does not exist\n');
  const one = await cli(dir, ['mailbox', 'retry', String(b)]);
  t.match(one.stdout, /^1 e-mail\(s\) queued for delivery/);
  const all = await cli(dir, ['mailbox', 'retry', 'all']);
  t.match(all.stdout, /^2 e-mail\(s\) queued/);
  const after = openTestRepos(dir);
  t.same(after.mailOutbox.list().map((r) => [r.recipient, r.status, r.attempts]), [['a@example.com', 'sent', 1], ['b@example.com', 'pending', 0], ['c@example.com', 'pending', 0]]);
  t.ok(after.mailOutbox.due(Date.now(), 10).length === 2, 'both due now');
  after.close();
});
