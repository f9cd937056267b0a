/**
 * Leaving a voicemail through the whole composed server (src/app.ts from a config): baresip
 * (a real SIP client) calls extension 101, which is not registered and forwards to voicemail
 * 101; after the greeting and beep it plays a known tone and hangs up. The in-process SMTP
 * server must receive exactly one e-mail per recipient, each with a WAV whose tone duration
 * and frequency match what baresip sent.
 */
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { openRepositories } from '../../src/data/index.js';
import { startHookflash } from '../../src/app.js';
import { encodeWav, writeWav } from '../../src/media/index.js';
import { startBaresip } from '../helpers/sip/baresip.js';
import { analyseWav } from '../helpers/audio.js';
import { toneSamples } from '../helpers/pbx/voicemail.js';
import { startSmtpSink } from '../pbx/voicemail/fixtures/mail-helpers.js';
import { randomPortRange } from '../media/fixtures/endpoints.js';

const TONE_HZ = 440;
const TONE_MS = 3000;

t.test('a caller leaves a voicemail: one e-mail per recipient with the WAV of what was said', async (t) => {
  const dir = t.testdir();
  const dataDir = join(dir, 'data');
  const seed = openRepositories({ dataDir, logger: silentLogger() });
  seed.extensions.add({ number: '101', displayName: 'Anna Nowak', sipPassword: 'secret-101-pw' });
  seed.extensions.add({ number: '102', displayName: 'Bob', sipPassword: 'secret-102-pw' });
  const toVoicemail = { kind: 'voicemail', box: '101' };
  seed.forwarding.set('101', { unavailable: toVoicemail, noAnswer: { after: 5, to: toVoicemail } });
  seed.mailboxes.add({ box: '101', name: 'Anna Nowak', language: 'en', extension: '101', emails: ['anna@example.com', 'office@example.com'] });
  // A short own greeting keeps the test quick (the default prompt lasts 5 s).
  mkdirSync(join(dataDir, 'greetings'), { recursive: true });
  await writeWav(join(dataDir, 'greetings', '101.wav'), toneSamples(300, 300, 0.1));
  seed.mailboxes.update('101', { greetingFile: 'greetings/101.wav' });
  seed.close();

  const smtp = await startSmtpSink();
  t.teardown(() => smtp.close());
  const config = loadConfig({
    env: {
      HOOKFLASH_DATA_DIR: dataDir, HOOKFLASH_PUBLIC_HOST: '127.0.0.1', HOOKFLASH_HTTP_PORT: '0', HOOKFLASH_TFTP_PORT: '0',
      HOOKFLASH_SIP_PORT: '0', HOOKFLASH_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    },
    overrides: {
      sip: { host: '127.0.0.1', controlPort: 0 },
      media: { host: '127.0.0.1', portRange: randomPortRange(100) },
      pbx: { voicemail: { maxMessageS: 30, minMessageS: 1, silenceS: 3 } },
    },
  });
  const running = await startHookflash(config, { logger: silentLogger() });
  t.teardown(() => running.stop());
  const sipPort = running.ports.sip!;

  const caller = await startBaresip({
    user: '102', register: { registrar: `127.0.0.1:${sipPort}`, password: 'secret-102-pw' }, teardown: (fn) => t.teardown(fn),
  });
  await caller.waitEvent('REGISTER_OK', 10_000);
  // What baresip says: 1.5 s of silence (greeting and beep run meanwhile), the tone, then EOF (baresip hangs up).
  writeFileSync(join(caller.dir, 'prompt.wav'), encodeWav(new Int16Array([...new Int16Array(1500 * 8), ...toneSamples(TONE_MS, TONE_HZ, 0.3)])));
  const dialled = await caller.dial(`sip:101@127.0.0.1:${sipPort}`);
  t.ok(dialled.ok, 'baresip dialled');
  await caller.waitEvent('CALL_ESTABLISHED', 10_000);
  await caller.waitEvent('CALL_CLOSED', 15_000);

  const mails = await smtp.waitFor(2, 20_000);
  await new Promise((r) => setTimeout(r, 500));
  t.equal(smtp.received.length, 2, 'exactly two e-mails');
  t.same(mails.map((m) => m.to).flat().sort(), ['anna@example.com', 'office@example.com'], 'one per recipient');
  for (const mail of mails) {
    const wavs = mail.parsed.attachments.filter((a) => /\.wav$/i.test(a.filename ?? '') || /wav/.test(a.contentType));
    t.equal(wavs.length, 1, `${mail.to[0]}: one WAV attached`);
    const file = join(dir, `${mail.to[0]}.wav`);
    writeFileSync(file, wavs[0]!.content);
    const analysis = analyseWav(file);
    t.ok(Math.abs(analysis.dominantHz - TONE_HZ) <= TONE_HZ * 0.05, `${mail.to[0]}: dominant ${analysis.dominantHz} Hz ≈ ${TONE_HZ} Hz`);
    t.ok(Math.abs(analysis.activeMs - TONE_MS) <= 500, `${mail.to[0]}: tone lasts ${analysis.activeMs} ms ≈ ${TONE_MS} ms`);
    t.match(mail.parsed.text ?? '', /102/, 'the mail names the caller');
  }

  await running.stop();
  const check = openRepositories({ dataDir, logger: silentLogger() });
  t.teardown(() => check.close());
  const [message] = check.voicemailMessages.listForBox('101');
  t.match(message, { box: '101', callerNumber: '102' }, 'message stored with its caller');
  t.ok(message!.durationMs >= TONE_MS, `stored duration ${message!.durationMs} ms covers the tone`);
  const [record] = check.cdr.list({ callee: '101' });
  t.match(JSON.stringify(record?.events ?? []), /"kind":"voicemail"/, 'the call record says voicemail');
  t.match(record, { caller: '102', disposition: 'voicemail' }, 'the call ended in a voicemail deposit, not answered by 101');
  t.not(record?.answeredAt, null, 'answered by voicemail');
});
