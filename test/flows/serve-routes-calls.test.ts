/**
 * The composition root wires the PBX for real: an extension calling through `startHookflash`
 * is authenticated (407), routed by the call plan (unregistered → 480, unknown → 404), and its
 * star codes change forwarding in the database — the same paths the helper stacks test, but
 * assembled by src/app.ts from the config.
 */
import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { openRepositories } from '../../src/data/index.js';
import type { Repositories } from '../../src/data/types.js';
import { startHookflash } from '../../src/app.js';
import { scriptedInvite } from '../helpers/pbx/calls.js';

const PASSWORDS: Record<string, string> = { '101': 'secret-101-pw', '102': 'secret-102-pw' };

/** Seeds a data dir (extensions 101 and 102, plus what `more` adds), then starts the composed server on it. */
async function startComposed(t: Test, more: (repos: Repositories) => void = () => undefined) {
  const dataDir = join(t.testdir(), 'data');
  const seed = openRepositories({ dataDir, logger: silentLogger() });
  for (const [number, sipPassword] of Object.entries(PASSWORDS)) {
    seed.extensions.add({ number, displayName: `Ext ${number}`, sipPassword });
  }
  more(seed);
  seed.close();
  const config = loadConfig({
    env: { HOOKFLASH_DATA_DIR: dataDir, HOOKFLASH_PUBLIC_HOST: '127.0.0.1', HOOKFLASH_HTTP_PORT: '0', HOOKFLASH_TFTP_PORT: '0', HOOKFLASH_SIP_PORT: '0' },
    overrides: { sip: { host: '127.0.0.1', controlPort: 0 } },
  });
  const running = await startHookflash(config, { logger: silentLogger() });
  t.teardown(() => running.stop());
  const sipPort = running.ports.sip!;
  return { dataDir, running, sipPort };
}

t.test('calls through the composed server are authenticated, routed and can set forwarding', async (t) => {
  const { dataDir, running, sipPort } = await startComposed(t);
  t.type(sipPort, 'number');

  const unregistered = await scriptedInvite(t, sipPort, '101', '102', { password: PASSWORDS['101'] });
  t.equal(unregistered.status, 480, 'extension 102 has no binding: unavailable');

  const unknown = await scriptedInvite(t, sipPort, '101', '555', { password: PASSWORDS['101'] });
  t.equal(unknown.status, 404, 'no such number');

  const wrong = await scriptedInvite(t, sipPort, '101', '102', { password: 'not-the-password' });
  t.equal(wrong.status, 407, 'a wrong password is challenged again');

  const starCode = await scriptedInvite(t, sipPort, '101', '*72102', { password: PASSWORDS['101'] });
  t.equal(starCode.status, 603, 'star codes answer with their result');
  t.match(starCode.header('Warning') ?? '', /102/);

  await running.stop();
  const check = openRepositories({ dataDir, logger: silentLogger() });
  t.teardown(() => check.close());
  t.match(JSON.stringify(check.forwarding.get('101') ?? null), /102/, '*72102 stored an unconditional forward to 102');
});

t.test('the composed server routes a queue with nobody to answer to voicemail, lets agents pause, and shows the queue live', async (t) => {
  const token = 'hf_test-token-for-the-live-queue-view';
  const { running, sipPort } = await startComposed(t, (seed) => {
    seed.mailboxes.add({ box: '500', name: 'Office', language: 'en', emails: [] });
    seed.queues.add({ number: '30', name: 'Sales', overflow: 'voicemail:500', members: ['102'] });
    seed.apiTokens.add({ name: 'test', tokenHash: createHash('sha256').update(token).digest('hex'), createdBy: 'test' });
    seed.devices.add({ mac: '00:11:22:33:44:aa', model: 'spa303', lines: ['102'] });
    // 00:30 on 22 November 2024 in Warsaw (the default provisioning.timezone), 23:30 UTC on the 21st.
    const night = seed.cdr.start({ callId: 'night-call', caller: '101', callee: '102', at: '2024-11-21T23:30:00.000Z' });
    seed.cdr.end(night.id, 'answered', '2024-11-21T23:31:00.000Z');
  });

  // 102, the only member, has no phone registered: nobody can answer, so the queue overflows at
  // once to voicemail 500, which answers with the PBX's own media.
  const toQueue = await scriptedInvite(t, sipPort, '101', '30', { password: PASSWORDS['101'] });
  t.equal(toQueue.status, 200, 'the queue overflowed to voicemail, which answered');
  t.match(toQueue.text, /m=audio \d+ RTP\/AVP/, 'answered with SDP from the media engine');

  const paused = await scriptedInvite(t, sipPort, '102', '*46', { password: PASSWORDS['102'] });
  t.equal(paused.status, 603, 'the agent pause code answers with its result');
  t.match(paused.header('Warning') ?? paused.text, /30/, 'naming the queue');

  const live = await fetch(`http://127.0.0.1:${running.ports.http}/api/queues/live`, { headers: { authorization: `Bearer ${token}` } });
  t.equal(live.status, 200);
  const body = await live.json() as unknown;
  const queues = (Array.isArray(body) ? body : (body as { queues: unknown[] }).queues) as Array<{ number: string; agents: Array<{ extension: string; state: string }> }>;
  const sales = queues.find((q) => q.number === '30');
  t.ok(sales, 'queue 30 is in the live view');
  t.same(sales?.agents.map((a) => [a.extension, a.state]), [['102', 'paused']], 'its agent shows as paused');

  // "Resync now" reaches the running PBX (not "the PBX is not running", 503): 102 has no phone.
  const resync = await fetch(`http://127.0.0.1:${running.ports.http}/api/devices/00:11:22:33:44:aa/resync`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}',
  });
  t.equal(resync.status, 409, 'the PBX answered: no registered phone to resync');
  t.match(await resync.text(), /No registered phone/);

  // The call log's days are the office's days: the composed server passes its time zone on.
  const callsOn = async (day: string) => {
    const res = await fetch(`http://127.0.0.1:${running.ports.http}/api/calls?from=${day}&to=${day}`, { headers: { authorization: `Bearer ${token}` } });
    return ((await res.json()) as { calls: Array<{ callId: string }> }).calls.map((c) => c.callId);
  };
  t.same(await callsOn('2024-11-22'), ['night-call'], 'a call at 00:30 Warsaw time is on the 22nd');
  t.same(await callsOn('2024-11-21'), [], 'not on the 21st, as a UTC day would have it');
});
