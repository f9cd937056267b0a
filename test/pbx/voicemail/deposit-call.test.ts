import t, { type Test } from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openRepositories } from '../../../src/data/index.js';
import { silentLogger } from '../../../src/log.js';
import { runDeposit } from '../../../src/pbx/voicemail/deposit-call.js';
import { createVoicemailStore } from '../../../src/pbx/voicemail/store.js';
import { createVoicemailCalls } from '../../../src/pbx/voicemail/calls.js';
import { analyseWav } from '../../helpers/audio.js';
import { fastVoicemailConfig, toneSamples, writeShortPrompts } from '../../helpers/pbx/voicemail.js';
import { connectedPair, sleep, testEngine, waitFor } from '../../media/fixtures/endpoints.js';

const engine = testEngine();
t.teardown(() => engine.close());

async function setup(t: Test) {
  const dir = t.testdir();
  const dataDir = join(dir, 'data');
  const repos = openRepositories({ dataDir, logger: silentLogger() });
  t.teardown(() => repos.close());
  repos.extensions.add({ number: '101', displayName: 'Anna', sipPassword: 'secret-101' });
  const mailbox = repos.mailboxes.add({ box: '101', name: 'Anna', language: 'en', emails: ['a@example.com', 'b@example.com'], extension: '101' });
  const deposited: number[] = [];
  const store = createVoicemailStore({ repos, dataDir, logger: silentLogger(), onDeposit: (m) => deposited.push(m.id) });
  const config = fastVoicemailConfig(await writeShortPrompts(join(dir, 'prompts')));
  const [phone, pbxSide] = await connectedPair(engine);
  t.teardown(async () => { await phone.close(); await pbxSide.close(); });
  return { dataDir, repos, mailbox, store, config, phone, pbxSide, deposited };
}

t.test('greeting, beep, recording ended by #: stored with caller, duration, one outbox row per recipient', async (t) => {
  const { dataDir, repos, mailbox, store, config, phone, pbxSide, deposited } = await setup(t);
  const heard: string[] = [];
  const flow = runDeposit(pbxSide, mailbox, { number: '102', displayName: 'Bob' }, { store, dataDir, config, logger: silentLogger(), clock: () => 1_700_000_000_000 });
  // The phone speaks: 0.5 s of silence (greeting + beep run meanwhile), then 1.5 s of 440 Hz, then '#'.
  const sink = phone.addAudioSink((pcm) => { if (pcm.some((s) => Math.abs(s) > 500)) heard.push('x'); });
  await phone.play([{ silenceMs: 500 }, { samples: toneSamples(1500, 440) }]).done;
  t.ok(phone.sendDtmf('#'), 'DTMF negotiated');
  const outcome = await flow;
  sink();
  t.equal(outcome.kind, 'stored', JSON.stringify(outcome));
  if (outcome.kind !== 'stored') return;
  t.equal(outcome.endedBy, 'dtmf');
  t.ok(outcome.durationMs >= 1500 && outcome.durationMs <= 2300, `recorded ${outcome.durationMs} ms`);
  t.ok(heard.length > 0, 'the caller heard the greeting and beep');
  const message = repos.voicemailMessages.get(outcome.messageId)!;
  t.match(message, { box: '101', callerNumber: '102', callerName: 'Bob', receivedAt: 1_700_000_000_000, durationMs: outcome.durationMs, heardAt: null });
  t.same(repos.mailOutbox.list({ messageId: message.id }).map((r) => r.recipient).sort(), ['a@example.com', 'b@example.com']);
  t.same(deposited, [message.id], 'onDeposit (MWI, outbox kick) called once');
  const wav = analyseWav(store.pathOf(message));
  t.equal(wav.dominantHz, 440, 'the message is the caller\'s tone');
  t.ok(wav.activeMs >= 1400 && wav.activeMs <= 1600, `tone ~1.5 s in the file (${wav.activeMs} ms)`);
  t.same(readdirSync(join(dataDir, 'voicemail', '.recording')), [], 'no temporary recording left behind');
});

t.test('a recording shorter than the minimum is discarded: no row, no mail, no file', async (t) => {
  const { dataDir, repos, mailbox, store, config, phone, pbxSide, deposited } = await setup(t);
  const flow = runDeposit(pbxSide, mailbox, { number: '102' }, { store, dataDir, config: { ...config, minMessageMs: 1000 }, logger: silentLogger() });
  await phone.play([{ silenceMs: 350 }, { samples: toneSamples(300, 440) }]).done;
  await pbxSide.close();   // the caller hangs up
  const outcome = await flow;
  t.equal(outcome.kind, 'too-short', JSON.stringify(outcome));
  t.same(repos.voicemailMessages.listForBox('101'), []);
  t.same(repos.mailOutbox.list(), []);
  t.same(deposited, []);
  t.notOk(existsSync(join(dataDir, 'voicemail', '101')), 'nothing stored for the box');
  t.same(readdirSync(join(dataDir, 'voicemail', '.recording')), []);
});

t.test('silence ends the recording; hanging up during the greeting leaves nothing', async (t) => {
  const { dataDir, repos, mailbox, store, config, phone, pbxSide } = await setup(t);
  const flow = runDeposit(pbxSide, mailbox, { number: '103' }, { store, dataDir, config: { ...config, silenceMs: 600 }, logger: silentLogger() });
  await phone.play([{ silenceMs: 400 }, { samples: toneSamples(1200, 600) }]).done;
  // the phone now sends silence (nothing playing): the recording ends on its own
  const outcome = await flow;
  t.equal(outcome.kind, 'stored', JSON.stringify(outcome));
  if (outcome.kind === 'stored') {
    t.equal(outcome.endedBy, 'silence');
    t.equal(analyseWav(store.pathOf(repos.voicemailMessages.get(outcome.messageId)!)).dominantHz, 600);
  }

  const [phone2, pbx2] = await connectedPair(engine);
  t.teardown(async () => { await phone2.close(); await pbx2.close(); });
  const early = runDeposit(pbx2, mailbox, { number: '104' }, { store, dataDir, config: { ...config }, logger: silentLogger() });
  await sleep(50);
  await pbx2.close();
  t.same(await early, { kind: 'hung-up-early' });
  t.equal(repos.voicemailMessages.listForBox('101').length, 1, 'only the first message');
  void phone;
});

t.test('an unknown box is refused with 480 before anything is answered', async (t) => {
  const { dataDir, repos, store, config } = await setup(t);
  const calls = createVoicemailCalls({
    srf: { createUAS: () => Promise.reject(new Error('must not answer')) }, engine, repos, store, dataDir, config, logger: silentLogger(),
  });
  const before = engine.stats().openEndpoints;
  const result = await calls.deposit.take({ kind: 'leg', leg: undefined as never }, {
    caller: { number: '102' }, step: { kind: 'voicemail', box: '555', cause: 'no-answer', path: ['101'] },
    callRecordId: undefined, logger: silentLogger(), switchboard: undefined as never, dialler: undefined as never,
  });
  t.same(result, { kind: 'refused', status: 480, reason: 'voicemail box 555 does not exist' });
  await waitFor(() => engine.stats().openEndpoints === before, 500, 'no endpoint opened');
});
