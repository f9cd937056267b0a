/**
 * Listening to voicemail by phone through the PBX: extension 101 dials the access number,
 * keys its PIN (RFC 4733), hears "you have 2 new messages", deletes the first with 7 and skips
 * the second with # sent as SIP INFO; the PBX says goodbye and hangs up. The database and the
 * files afterwards say exactly that, and no media port is left open.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../src/log.js';
import { createOffer, encodeWav } from '../../src/media/index.js';
import { hashPin } from '../../src/pbx/voicemail/pin.js';
import { createVoicemailStore } from '../../src/pbx/voicemail/store.js';
import { startCallStack } from '../helpers/pbx/calls.js';
import { createMediaUa } from '../helpers/pbx/media-ua.js';
import { fastVoicemailConfig, toneSamples, writeShortPrompts } from '../helpers/pbx/voicemail.js';
import { testEngine, waitFor } from '../media/fixtures/endpoints.js';

t.test('PIN, 7 deletes, # next, goodbye: the mailbox afterwards', async (t) => {
  const engine = testEngine();
  t.teardown(() => engine.close());
  const prompts = await writeShortPrompts(join(t.testdir(), 'prompts'));
  const cs = await startCallStack(t, {
    extensions: ['101', '102'],
    voicemail: { engine, config: fastVoicemailConfig(prompts, { digitTimeoutMs: 4000 }), accessNumber: '*97' },
  });
  const { repos, dataDir } = cs.stack;
  repos.mailboxes.add({ box: '101', name: 'Anna', language: 'en', extension: '101', emails: ['anna@example.com'], pinHash: await hashPin('2468') });
  const store = createVoicemailStore({ repos, dataDir, logger: silentLogger() });
  const messages = [];
  for (const [i, caller] of ['102', '555123'].entries()) {
    const { message, outbox } = await store.deposit({
      box: '101', callerNumber: caller, durationMs: 400, receivedAt: 1_000 + i, wavBuffer: encodeWav(toneSamples(400, 500)),
    });
    for (const row of outbox) repos.mailOutbox.markSent(row.id, 2_000);
    messages.push(message);
  }
  const [first, second] = messages as [typeof messages[0], typeof messages[0]];

  const phone = await createMediaUa(t, cs.sipPort, '101', 'secret-101', engine);
  const { dialog, endpoint } = await phone.call('*97');
  t.ok(endpoint.sendDtmf('2468#'), 'PIN sent as RFC 4733 events');
  await waitFor(() => repos.voicemailMessages.get(first.id)?.heardAt != null, 10_000, 'first message played');
  t.ok(endpoint.sendDtmf('7'), '7 sent');
  await waitFor(() => repos.voicemailMessages.get(first.id) === undefined, 6_000, 'first message deleted');
  await waitFor(() => repos.voicemailMessages.get(second.id)?.heardAt != null, 10_000, 'second message played');
  t.equal(await phone.request(dialog, 'INFO', [], 'Signal=#\r\nDuration=160\r\n', 'application/dtmf-relay'), 200, '# sent as SIP INFO');
  await phone.waitFor((r) => r.method === 'BYE' && r.callId === dialog.callId, 8_000);
  t.pass('the PBX said goodbye and hung up');

  t.equal(repos.voicemailMessages.get(first.id), undefined, 'deleted message row gone');
  t.notOk(existsSync(store.pathOf(first)), 'deleted message file gone');
  t.ok(existsSync(store.pathOf(second)), 'the other message stays');
  t.same(repos.voicemailMessages.counts('101'), { new: 0, old: 1 });
  t.equal(await cs.settled(), 0, 'no call legs left');
  await endpoint.close();
  await waitFor(() => engine.stats().openEndpoints === 0 && engine.stats().portsInUse === 0, 3_000, 'media ports released');
  const [record] = repos.cdr.list({ callee: '*97' });
  t.match(record, { caller: '101', disposition: 'answered' });
  t.match(JSON.stringify(record?.events), /"kind":"voicemail"/);
});

t.test('a wrong PIN three times: goodbye and nothing changes; no mailbox: 404', async (t) => {
  const engine = testEngine();
  t.teardown(() => engine.close());
  const prompts = await writeShortPrompts(join(t.testdir(), 'prompts'));
  const cs = await startCallStack(t, {
    extensions: ['101', '102'],
    voicemail: { engine, config: fastVoicemailConfig(prompts, { digitTimeoutMs: 2000, pinAttempts: 3 }) },
  });
  const { repos, dataDir } = cs.stack;
  repos.mailboxes.add({ box: '101', name: 'Anna', language: 'en', extension: '101', pinHash: await hashPin('2468') });
  const store = createVoicemailStore({ repos, dataDir, logger: silentLogger() });
  await store.deposit({ box: '101', callerNumber: '102', durationMs: 400, wavBuffer: encodeWav(toneSamples(400, 500)) });

  const phone = await createMediaUa(t, cs.sipPort, '101', 'secret-101', engine);
  const { dialog, endpoint } = await phone.call('*97');
  // Hold from the phone (re-INVITE, sendonly): the PBX's media answers it itself.
  const hold = createOffer({ address: '127.0.0.1', port: endpoint.local.port, sessionId: 9, sessionVersion: 2 }, { direction: 'sendonly' });
  t.equal(await phone.request(dialog, 'INVITE', [], hold), 200, 'hold re-INVITE answered');
  t.match(phone.lastResponse(), /a=recvonly/, 'answered from the media endpoint: recvonly');
  const resume = createOffer({ address: '127.0.0.1', port: endpoint.local.port, sessionId: 9, sessionVersion: 3 });
  t.equal(await phone.request(dialog, 'INVITE', [], resume), 200, 'resume answered');
  t.match(phone.lastResponse(), /a=sendrecv/);
  for (const guess of ['1111#', '2222#', '3333#']) {
    endpoint.sendDtmf(guess);
    await new Promise((r) => setTimeout(r, 900));
  }
  await phone.waitFor((r) => r.method === 'BYE' && r.callId === dialog.callId, 8_000);
  t.same(repos.voicemailMessages.counts('101'), { new: 1, old: 0 }, 'nothing heard');
  await endpoint.close();

  const other = await createMediaUa(t, cs.sipPort, '102', 'secret-102', engine);
  await t.rejects(other.call('*97'), /404/, 'an extension without a mailbox gets 404');
  t.equal(await cs.settled(), 0);
  await waitFor(() => engine.stats().openEndpoints === 0, 3_000, 'media ports released');
});
