import t from 'tap';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/log.js';
import {
  attachmentName, backoffDelay, classifySmtpError, createMailComposer, createSmtpTransport, describeSmtpUrl, resolveMailConfig, DEFAULT_BACKOFF,
} from '../../../src/pbx/voicemail/index.js';

t.test('mail config: defaults, HOOKFLASH_SMTP_URL, validation without quoting secrets', async (t) => {
  const defaults = resolveMailConfig();
  t.same([defaults.smtpUrl, defaults.timeZone, defaults.backoff], [null, 'Europe/Warsaw', DEFAULT_BACKOFF]);
  const fromEnv = resolveMailConfig({ backoff: { initialMs: 10 } }, { HOOKFLASH_SMTP_URL: 'smtp://user:S3cret@mail.example.com:587' });
  t.equal(fromEnv.smtpUrl, 'smtp://user:S3cret@mail.example.com:587');
  t.equal(fromEnv.backoff.initialMs, 10);
  t.equal(fromEnv.backoff.maxAttempts, DEFAULT_BACKOFF.maxAttempts);
  const messageOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return (err as Error).message;
    }
    return 'did not throw';
  };
  const badScheme = messageOf(() => resolveMailConfig({}, { HOOKFLASH_SMTP_URL: 'http://user:S3cret@mail.example.com' }));
  t.match(badScheme, /must start with smtp:\/\/ or smtps:\/\/ \(host mail\.example\.com\)/);
  t.notMatch(badScheme, /S3cret/);
  const notUrl = messageOf(() => resolveMailConfig({}, { HOOKFLASH_SMTP_URL: 'not a url S3cret' }));
  t.match(notUrl, /HOOKFLASH_SMTP_URL is not a URL/);
  t.notMatch(notUrl, /S3cret/);
  t.throws(() => resolveMailConfig({ timeZone: 'Mars/Olympus' }), /not an IANA time zone/);
  t.throws(() => resolveMailConfig({ backoff: { factor: 0 } }), /backoff\.factor must be a number ≥ 1/);
  t.equal(describeSmtpUrl('smtps://user:S3cret@mail.example.com:465'), 'smtps://mail.example.com:465');
});

t.test('the SMTP transport logs the host, never the password', async (t) => {
  let logged = '';
  const logger = createLogger({ level: 'debug', destination: new Writable({ write(chunk, _enc, cb) { logged += String(chunk); cb(); } }) });
  const transport = createSmtpTransport({ smtpUrl: 'smtp://anna:S3cret-pw@127.0.0.1:2525', connectionTimeoutMs: 1000 }, logger);
  transport.close();
  await new Promise((resolve) => setImmediate(resolve));
  t.match(logged, /"smtp":"smtp:\/\/127\.0\.0\.1:2525"/);
  t.notMatch(logged, /S3cret|anna/);
  t.throws(() => createSmtpTransport({ smtpUrl: null, connectionTimeoutMs: 1000 }, logger), /set HOOKFLASH_SMTP_URL/);
});

t.test('backoff grows by the factor up to the cap; SMTP errors are classified', async (t) => {
  const b = { initialMs: 100, maxMs: 1000, factor: 2, maxAttempts: 5 };
  t.same([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(b, n)), [100, 200, 400, 800, 1000, 1000]);
  t.same(classifySmtpError(Object.assign(new Error('x'), { responseCode: 550, response: '550 5.1.1 no such user' })), { permanent: true, text: '550: 550 5.1.1 no such user' });
  t.equal(classifySmtpError(Object.assign(new Error('x'), { responseCode: 452, response: '452 mailbox full' })).permanent, false);
  t.equal(classifySmtpError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNECTION' })).permanent, false);
  t.equal(classifySmtpError(Object.assign(new Error('Invalid login'), { code: 'EAUTH', responseCode: 535 })).permanent, false, 'our own bad credentials: keep the mail for when they are fixed');
});

t.test('composition: local time follows DST, long durations read as minutes, attachment named by box and time', async (t) => {
  const composer = createMailComposer({ from: 'voicemail@office.example', timeZone: 'Europe/Warsaw' });
  const summer = Date.UTC(2026, 6, 1, 22, 15, 0); // 00:15 on 2 July in Warsaw (CEST, UTC+2)
  const message = { id: 7, box: '500', file: 'voicemail/500/x.wav', callerNumber: '600700800', callerName: 'Łucja Żak', receivedAt: summer, durationMs: 65_400, createdAt: summer };
  const mail = composer.compose({ mailbox: { box: '500', name: 'Dział sprzedaży', language: 'pl' }, message, recipient: 'a@example.com', wavPath: '/tmp/x.wav', outboxId: 9 });
  t.equal(mail.subject, 'Nowa wiadomość głosowa od Łucja Żak (600700800), 1 min 05 s');
  t.match(String(mail.text), /skrzynce 500 \(Dział sprzedaży\)[\s\S]*Kiedy: +02\.07\.2026 00:15:00 \(Europe\/Warsaw\)[\s\S]*Długość: +1 min 05 s/);
  t.equal(mail.messageId, '<voicemail-7-9@office.example>');
  t.same(mail.attachments, [{ filename: 'voicemail-500-20260702-001500.wav', path: '/tmp/x.wav', contentType: 'audio/wav' }]);
  t.equal(attachmentName('102', Date.UTC(2026, 0, 5, 23, 59, 59), 'UTC'), 'voicemail-102-20260105-235959.wav');
});

t.test('voicemail call settings from the global config: seconds → ms, every key carried', async (t) => {
  const { fromPbxVoicemailConfig } = await import('../../../src/pbx/voicemail/index.js');
  const call = fromPbxVoicemailConfig({
    maxMessageS: 120, minMessageS: 2, silenceS: 7, silenceThresholdDb: -35, pinAttempts: 4, digitTimeoutS: 9,
  }, 'en');
  t.match(call, {
    maxMessageMs: 120_000, minMessageMs: 2000, silenceMs: 7000, silenceThresholdDb: -35, pinAttempts: 4, digitTimeoutMs: 9000, defaultLanguage: 'en',
  });
  t.match(call.promptsDir, /assets[/\\]prompts$/);
});
