import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openRepositories } from '../../../src/data/index.js';
import { encodeWav } from '../../../src/media/index.js';
import { silentLogger } from '../../../src/log.js';
import { runListen } from '../../../src/pbx/voicemail/listen-call.js';
import { defaultPromptsDir, newMessagesWord } from '../../../src/pbx/voicemail/call-config.js';
import { hashPin } from '../../../src/pbx/voicemail/pin.js';
import { createVoicemailStore } from '../../../src/pbx/voicemail/store.js';
import { fastVoicemailConfig, toneSamples, writeShortPrompts } from '../../helpers/pbx/voicemail.js';
import { connectedPair, testEngine, waitFor } from '../../media/fixtures/endpoints.js';

const engine = testEngine();
t.teardown(() => engine.close());

async function setup(t: Test, pin: string | null, delivered = true) {
  const dir = t.testdir();
  const dataDir = join(dir, 'data');
  const repos = openRepositories({ dataDir, logger: silentLogger() });
  t.teardown(() => repos.close());
  repos.extensions.add({ number: '101', displayName: 'Anna', sipPassword: 'secret-101' });
  const mailbox = repos.mailboxes.add({
    box: '101', name: 'Anna', language: 'en', emails: ['a@example.com'], extension: '101', pinHash: pin === null ? null : await hashPin(pin),
  });
  const store = createVoicemailStore({ repos, dataDir, logger: silentLogger() });
  const messages = [];
  for (const [i, caller] of ['102', '103'].entries()) {
    const { message, outbox } = await store.deposit({
      box: '101', callerNumber: caller, durationMs: 400, receivedAt: 1000 + i, wavBuffer: encodeWav(toneSamples(400, 500 + i * 100)),
    });
    messages.push(message);
    if (delivered) for (const row of outbox) repos.mailOutbox.markSent(row.id, 2000);
  }
  const config = fastVoicemailConfig(await writeShortPrompts(join(dir, 'prompts')), { digitTimeoutMs: 3000 });
  const [phone, pbxSide] = await connectedPair(engine);
  t.teardown(async () => { await phone.close(); await pbxSide.close(); });
  const changes: string[] = [];
  const deps = { repos, pathOf: store.pathOf, config, logger: silentLogger(), onChange: (box: string) => changes.push(box) };
  return { repos, store, mailbox, messages, phone, pbxSide, deps, changes };
}

t.test('PIN, "you have 2", 7 deletes the first, # skips to the end: DB and files follow', async (t) => {
  const { repos, store, mailbox, messages, phone, pbxSide, deps, changes } = await setup(t, '4321');
  const [first, second] = messages as [typeof messages[0], typeof messages[0]];
  t.same(repos.voicemailMessages.counts('101'), { new: 2, old: 0 });
  const flow = runListen(pbxSide, mailbox, deps);
  phone.sendDtmf('4321#');
  await waitFor(() => repos.voicemailMessages.get(first.id)?.heardAt != null, 8000, 'first message played');
  phone.sendDtmf('7');
  await waitFor(() => repos.voicemailMessages.get(first.id) === undefined, 5000, 'first message deleted');
  await waitFor(() => repos.voicemailMessages.get(second.id)?.heardAt != null, 8000, 'second message played');
  phone.sendDtmf('#');
  const outcome = await flow;
  t.same(outcome, { kind: 'done', heard: 2, deleted: 1, kept: 0 });
  t.notOk(existsSync(store.pathOf(first)), 'the deleted message\'s file is gone');
  t.ok(existsSync(store.pathOf(second)), 'the kept one stays');
  t.same(repos.voicemailMessages.counts('101'), { new: 0, old: 1 });
  t.same(repos.voicemailMessages.listNew('101'), []);
  t.ok(changes.length >= 1 && changes.every((b) => b === '101'), 'MWI told about the change');
});

t.test('three wrong PINs: goodbye, nothing heard', async (t) => {
  const { repos, mailbox, phone, pbxSide, deps } = await setup(t, '4321');
  const flow = runListen(pbxSide, mailbox, deps);
  phone.sendDtmf('1111#');
  await new Promise((r) => setTimeout(r, 700));
  phone.sendDtmf('2222#');
  await new Promise((r) => setTimeout(r, 700));
  phone.sendDtmf('3333#');
  t.same(await flow, { kind: 'wrong-pin' });
  t.same(repos.voicemailMessages.counts('101'), { new: 2, old: 0 });
});

t.test('no PIN: straight in; a message whose e-mail is pending is never deleted', async (t) => {
  // the e-mails are not delivered yet (outbox rows pending)
  const { repos, store, mailbox, messages, phone, pbxSide, deps } = await setup(t, null, false);
  const first = messages[0]!;
  const flow = runListen(pbxSide, mailbox, { ...deps, config: { ...deps.config, digitTimeoutMs: 800 } });
  await waitFor(() => repos.voicemailMessages.get(first.id)?.heardAt != null, 8000, 'first message played');
  phone.sendDtmf('7');
  const outcome = await flow;
  t.same(outcome, { kind: 'done', heard: 2, deleted: 0, kept: 1 });
  t.ok(repos.voicemailMessages.get(first.id), 'row kept');
  t.ok(existsSync(store.pathOf(first)), 'file kept');
});

t.test('hanging up mid-message ends the flow at once', async (t) => {
  const { repos, mailbox, pbxSide, deps } = await setup(t, null);
  const flow = runListen(pbxSide, mailbox, deps);
  await new Promise((r) => setTimeout(r, 150));
  await pbxSide.close();
  const outcome = await flow;
  t.equal(outcome.kind, 'hangup');
  t.ok(repos.voicemailMessages.counts('101').new >= 1, 'unheard messages stay new');
});

t.test('"you have N new messages" uses the grammatical form of the count', async (t) => {
  const pl = (n: number) => newMessagesWord('pl', n);
  t.equal(pl(1), 'new-message', '1 nową wiadomość');
  t.same([2, 3, 4, 22, 34, 102].map(pl), Array(6).fill('new-messages-few'), '2–4, 22, 34, 102 nowe wiadomości');
  t.same([0, 5, 11, 12, 13, 14, 25, 112].map(pl), Array(8).fill('new-messages'), '5+, 11–14, 112 nowych wiadomości');
  t.equal(newMessagesWord('en', 1), 'new-message');
  t.same([2, 3, 12, 22].map((n) => newMessagesWord('en', n)), Array(4).fill('new-messages'), 'English: one form for all but 1');
  for (const language of ['pl', 'en'] as const) {
    for (const name of ['new-message', 'new-messages-few', 'new-messages'] as const) {
      t.ok(existsSync(join(defaultPromptsDir(), language, `${name}.wav`)), `${language}/${name}.wav ships`);
    }
  }
});
