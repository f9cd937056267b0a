/**
 * Message-waiting indication (RFC 3842) through the PBX: extension 101 has two phones, one
 * SUBSCRIBEd to message-summary and one only registered. A voicemail left by a real call turns
 * both lamps on (in-dialog NOTIFY and unsolicited NOTIFY); listening by phone turns them off.
 * Someone else's mailbox cannot be subscribed to.
 */
import t from 'tap';
import { join } from 'node:path';
import { parseMessageSummary } from '../../src/pbx/mwi/index.js';
import { startCallStack } from '../helpers/pbx/calls.js';
import { createMediaUa, type ReceivedRequest } from '../helpers/pbx/media-ua.js';
import { fastVoicemailConfig, toneSamples, writeShortPrompts } from '../helpers/pbx/voicemail.js';
import { testEngine, waitFor } from '../media/fixtures/endpoints.js';

const summaryOf = (r: ReceivedRequest) => parseMessageSummary(r.body);
const isMwi = (r: ReceivedRequest) => r.method === 'NOTIFY' && /^Event:\s*message-summary/im.test(r.text);

t.test('SUBSCRIBE → NOTIFY no; a deposit → NOTIFY yes (subscribed and unsolicited); listening → no', async (t) => {
  const engine = testEngine();
  t.teardown(() => engine.close());
  const prompts = await writeShortPrompts(join(t.testdir(), 'prompts'));
  const cs = await startCallStack(t, {
    extensions: ['101', '102'],
    voicemail: { engine, config: fastVoicemailConfig(prompts, { minMessageMs: 300, digitTimeoutMs: 300 }) },
  });
  const { repos } = cs.stack;
  repos.mailboxes.add({ box: '101', name: 'Anna', language: 'en', extension: '101' });
  cs.setForwarding('101', { always: { kind: 'voicemail', box: '101' } });

  const desk = await createMediaUa(t, cs.sipPort, '101', 'secret-101', engine);     // subscribes
  const handset = await createMediaUa(t, cs.sipPort, '101', 'secret-101', engine);  // only registered
  t.equal(await handset.register(600), 200, 'handset registered');

  const sub = await desk.subscribe('101', 'message-summary', 600);
  t.ok(sub.status === 200 || sub.status === 202, `SUBSCRIBE accepted (${sub.status})`);
  const initial = await desk.waitFor((r) => isMwi(r) && r.callId === sub.callId);
  t.same(summaryOf(initial), { waiting: false, new: 0, old: 0 }, 'first NOTIFY: no messages');
  t.match(initial.text, /Subscription-State:\s*active/i);
  t.equal(cs.mwi!.subscriptions(), 1);

  // 102 leaves a message (the PBX answers for 101's voicemail).
  const caller = await createMediaUa(t, cs.sipPort, '102', 'secret-102', engine);
  const { dialog, endpoint } = await caller.call('101');
  await endpoint.play([{ silenceMs: 600 }, { samples: toneSamples(800, 440) }]).done;
  endpoint.sendDtmf('#');
  await caller.waitFor((r) => r.method === 'BYE' && r.callId === dialog.callId, 8_000);
  await endpoint.close();
  t.equal(repos.voicemailMessages.counts('101').new, 1, 'message stored');

  const lit = await desk.waitFor((r) => isMwi(r) && r.callId === sub.callId && summaryOf(r)?.waiting === true);
  t.same(summaryOf(lit), { waiting: true, new: 1, old: 0 }, 'subscribed phone: lamp on');
  const unsolicited = await handset.waitFor((r) => isMwi(r) && summaryOf(r)?.waiting === true);
  t.same(summaryOf(unsolicited), { waiting: true, new: 1, old: 0 }, 'registered phone: unsolicited NOTIFY');
  t.notOk(desk.received.some((r) => isMwi(r) && r.callId !== sub.callId), 'the subscribed phone gets no unsolicited copy');

  // 101 listens (no PIN): the message is heard, the lamps go off.
  const listen = await desk.call('*97');
  await desk.waitFor((r) => r.method === 'BYE' && r.callId === listen.dialog.callId, 8_000);
  await listen.endpoint.close();
  const off = await desk.waitFor((r) => isMwi(r) && r.callId === sub.callId && summaryOf(r)?.waiting === false && summaryOf(r)?.old === 1);
  t.same(summaryOf(off), { waiting: false, new: 0, old: 1 }, 'lamp off after listening');
  await handset.waitFor((r) => isMwi(r) && summaryOf(r)?.waiting === false, 5_000);

  const intruder = await createMediaUa(t, cs.sipPort, '102', 'secret-102', engine);
  t.equal((await intruder.subscribe('101', 'message-summary', 600)).status, 404, "102 cannot watch 101's mailbox");
  t.equal((await intruder.subscribe('102', 'presence', 600)).status, 489, 'other events are refused');
  t.equal(await cs.settled(), 0);
  await waitFor(() => engine.stats().openEndpoints === 0, 3_000, 'media ports released');
});
