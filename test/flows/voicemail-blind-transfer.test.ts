/**
 * A blind transfer to a number that goes to voicemail: 102 (scripted) talks to 101 (baresip,
 * playing a 440 Hz tone) and REFERs it to 103, which forwards everything to voicemail 103.
 * 101's answered leg is re-INVITEd towards the PBX's media, 102 gets NOTIFY 200 and is let go,
 * and what 101 says after the beep becomes a message in box 103 with 101 as the caller.
 */
import t from 'tap';
import { join } from 'node:path';
import { startBaresip } from '../helpers/sip/baresip.js';
import { delay } from '../helpers/srf.js';
import { password, startCallStack } from '../helpers/pbx/calls.js';
import { createScriptedUa } from '../helpers/pbx/scripted-ua.js';
import { fastVoicemailConfig, writeShortPrompts } from '../helpers/pbx/voicemail.js';
import { analyseWav } from '../helpers/audio.js';
import { testEngine, waitFor } from '../media/fixtures/endpoints.js';

t.test('blind transfer into voicemail: the transferee leaves a message', async (t) => {
  const engine = testEngine();
  t.teardown(() => engine.close());
  const prompts = await writeShortPrompts(join(t.testdir(), 'prompts'));
  const cs = await startCallStack(t, {
    extensions: ['101', '102', '103'],
    voicemail: { engine, config: fastVoicemailConfig(prompts, { minMessageMs: 500, silenceMs: 5000 }) },
  });
  const { repos } = cs.stack;
  repos.mailboxes.add({ box: '103', name: 'Cezary', language: 'en', extension: '103' });
  cs.setForwarding('103', { always: { kind: 'voicemail', box: '103' } });

  const transferee = await startBaresip({
    user: '101', toneHz: 440, audioSeconds: 4, autoAnswer: true,
    register: { registrar: `127.0.0.1:${cs.sipPort}`, password: password('101'), regint: 600 },
    teardown: (fn) => t.teardown(fn),
  });
  await transferee.waitEvent('REGISTER_OK', 15_000);
  const transferor = await createScriptedUa(t, cs.sipPort, '102', password('102'));
  const call = await transferor.invite('101');
  await transferee.waitEvent('CALL_ESTABLISHED', 15_000);
  await delay(300);
  const status = await transferor.request(call, 'REFER', [`Refer-To: <sip:103@127.0.0.1:${cs.sipPort}>`, 'Referred-By: <sip:102@127.0.0.1>']);
  t.equal(status, 202, 'REFER accepted');
  await transferor.waitFor((r) => r.method === 'NOTIFY' && r.callId === call.callId && r.text.includes('SIP/2.0 200'), 10_000);
  t.pass('transferor told the transfer worked');
  await transferor.waitFor((r) => r.method === 'BYE' && r.callId === call.callId, 5_000);
  t.pass('transferor released');

  // baresip hangs up at the end of its 4 s of audio; the recording ends with it.
  await transferee.waitEvent('CALL_CLOSED', 15_000);
  await waitFor(() => repos.voicemailMessages.listForBox('103').length === 1, 8_000, 'message stored');
  const [message] = repos.voicemailMessages.listForBox('103');
  t.match(message, { box: '103', callerNumber: '101' });
  const wav = analyseWav(join(cs.stack.dataDir, message!.file));
  t.equal(wav.dominantHz, 440, "the message is the transferee's tone");
  t.ok(wav.activeMs >= 1500, `several seconds of it (${wav.activeMs} ms)`);
  t.equal(await cs.settled(), 0, 'no call legs left');
  await waitFor(() => engine.stats().openEndpoints === 0, 3_000, 'media port released');
  const [record] = repos.cdr.list({ callee: '101' });
  t.match(JSON.stringify(record?.events), /"destination":\{"kind":"voicemail","box":"103"/, 'the call record says where the transfer went');
  t.equal(record?.disposition, 'voicemail', 'transferred into voicemail: the call ended there');
});
