/**
 * A real user agent nobody here wrote (baresip) against the embedded SIP server running two
 * small drachtio-srf apps: a digest registrar with an in-memory location map and a B2BUA
 * (with blind transfer). baresip registers, calls, is called, hangs up and transfers; we
 * assert on its ctrl_tcp events and on the audio each side recorded.
 */
import t from 'tap';
import { startEmbeddedServer, delay, type SrfApp, type Teardownable } from '../helpers/srf.js';
import { startBaresip, type Baresip } from '../helpers/sip/baresip.js';
import { installRegistrar, type RegistrarApp } from '../helpers/sip-apps/registrar.js';
import { installB2bua, type B2buaApp } from '../helpers/sip-apps/b2bua.js';
import { analyseWav } from '../helpers/audio.js';

const USERS = { alice: 'alice-secret', bob: 'bob-secret', carol: 'carol-secret' };

async function pbx(t: Teardownable & { teardown(fn: () => unknown): void }) {
  const es = await startEmbeddedServer(t);
  let registrar!: RegistrarApp;
  let b2bua!: B2buaApp;
  await es.connectApp((srf: SrfApp) => {
    registrar = installRegistrar(srf, { users: USERS });
    b2bua = installB2bua(srf, { route: (user) => registrar.lookup(user) });
  });
  const phone = async (user: keyof typeof USERS, toneHz: number, autoAnswer: boolean): Promise<Baresip> => {
    const ua = await startBaresip({
      user, toneHz, autoAnswer,
      register: { registrar: `127.0.0.1:${es.sipPort}`, password: USERS[user] },
      teardown: (fn) => t.teardown(fn),
    });
    await ua.waitEvent('REGISTER_OK', 15_000);
    return ua;
  };
  return { es, registrar: () => registrar, b2bua: () => b2bua, phone };
}

/** The received-audio dump of a finished call, analysed. */
function heard(ua: Baresip) {
  const wavs = ua.recordedWavs().received;
  if (wavs.length === 0) throw new Error(`${ua.user} recorded no audio`);
  return analyseWav(wavs[wavs.length - 1]!);
}

async function settled(es: { server: { stats(): { core: { dialogs: number } } } }, ms = 5000): Promise<number> {
  const deadline = Date.now() + ms;
  while (es.server.stats().core.dialogs !== 0 && Date.now() < deadline) await delay(100);
  return es.server.stats().core.dialogs;
}

t.test('baresip registers with digest auth; a wrong password is refused', async (t) => {
  const { es, registrar, phone } = await pbx(t);
  const alice = await phone('alice', 440, false);
  t.equal(registrar().counts.challenged >= 1, true, 'the first REGISTER was challenged (401)');
  t.match(registrar().lookup('alice'), new RegExp(`^sip:alice[^@]*@127\\.0\\.0\\.1:${alice.sipPort}(;|$)`), "the location map holds alice's contact");
  const mallory = await startBaresip({
    user: 'bob', register: { registrar: `127.0.0.1:${es.sipPort}`, password: 'wrong' }, teardown: (fn) => t.teardown(fn),
  });
  await mallory.waitEvent('REGISTER_FAIL', 15_000);
  t.equal(registrar().lookup('bob'), undefined, 'no binding for a failed registration');
  t.ok(registrar().counts.rejected >= 1, 'the registrar answered 403');
});

t.test('alice calls bob through the B2BUA, both hear each other, alice hangs up', async (t) => {
  const { es, b2bua, phone } = await pbx(t);
  const alice = await phone('alice', 440, false);
  const bob = await phone('bob', 1000, true);
  t.ok((await alice.dial(`sip:bob@127.0.0.1:${es.sipPort}`)).ok, 'dial accepted');
  const atBob = await bob.waitEvent('CALL_ESTABLISHED', 15_000);
  t.match(atBob.peeruri, /^sip:alice@/, 'bob sees alice calling');
  await alice.waitEvent('CALL_ESTABLISHED', 15_000);
  t.equal(es.server.stats().core.dialogs, 2, 'two dialogs in the server: A leg and B leg');
  await delay(2000);
  await alice.hangup();
  await alice.waitEvent('CALL_CLOSED', 10_000);
  await bob.waitEvent('CALL_CLOSED', 10_000);
  t.equal(b2bua().counts.bridged, 1);
  t.equal(await settled(es), 0, 'both dialogs are gone');
  const bobHeard = heard(bob);
  const aliceHeard = heard(alice);
  t.ok(bobHeard.rms > 0.05, `bob's recording is not silent (rms ${bobHeard.rms.toFixed(3)}, ${bobHeard.durationMs} ms)`);
  t.equal(bobHeard.dominantHz, 440, "bob heard alice's 440 Hz");
  t.ok(aliceHeard.rms > 0.05, `alice's recording is not silent (rms ${aliceHeard.rms.toFixed(3)})`);
  t.equal(aliceHeard.dominantHz, 1000, "alice heard bob's 1000 Hz");
});

t.test('bob calls alice, alice answers by command, bob is hung up on by alice', async (t) => {
  const { es, phone } = await pbx(t);
  const alice = await phone('alice', 440, false);
  const bob = await phone('bob', 1000, false);
  await bob.dial(`sip:alice@127.0.0.1:${es.sipPort}`);
  const incoming = await alice.waitEvent('CALL_INCOMING', 15_000);
  t.match(incoming.peeruri, /^sip:bob@/, 'alice sees bob calling');
  t.ok((await alice.answer()).ok, 'accept');
  await bob.waitEvent('CALL_ESTABLISHED', 15_000);
  await alice.waitEvent('CALL_ESTABLISHED', 15_000);
  await delay(1500);
  await alice.hangup();
  await bob.waitEvent('CALL_CLOSED', 10_000);
  await alice.waitEvent('CALL_CLOSED', 10_000);
  t.equal(await settled(es), 0, 'no dialog left');
  const aliceHeard = heard(alice);
  t.ok(aliceHeard.rms > 0.05, `alice heard something (rms ${aliceHeard.rms.toFixed(3)})`);
  t.equal(aliceHeard.dominantHz, 1000, "alice heard bob's 1000 Hz");
  t.equal(heard(bob).dominantHz, 440, "bob heard alice's 440 Hz");
});

t.test('calling an unregistered user fails cleanly', async (t) => {
  const { es, phone } = await pbx(t);
  const alice = await phone('alice', 440, false);
  await alice.dial(`sip:carol@127.0.0.1:${es.sipPort}`);
  const closed = await alice.waitEvent('CALL_CLOSED', 10_000);
  t.match(String(closed.param), /404/, `alice's call closed with 404 (${closed.param})`);
  t.equal(await settled(es), 0);
});

t.test('blind transfer: bob transfers alice to carol via REFER', async (t) => {
  const { es, b2bua, phone } = await pbx(t);
  const alice = await phone('alice', 440, false);
  const bob = await phone('bob', 1000, true);
  const carol = await phone('carol', 700, true);
  await alice.dial(`sip:bob@127.0.0.1:${es.sipPort}`);
  await bob.waitEvent('CALL_ESTABLISHED', 15_000);
  await alice.waitEvent('CALL_ESTABLISHED', 15_000);
  await delay(500);
  t.ok((await bob.transfer(`sip:carol@127.0.0.1:${es.sipPort}`)).ok, 'bob: transfer command accepted');
  const atCarol = await carol.waitEvent('CALL_ESTABLISHED', 15_000);
  t.match(atCarol.peeruri, /^sip:/, `carol has a call (${atCarol.peeruri})`);
  await bob.waitEvent('CALL_CLOSED', 15_000);
  t.same(b2bua().events.filter((e) => e.kind === 'refer' || e.kind === 'transferred').map((e) => e.kind), ['refer', 'transferred']);
  await delay(2000);
  t.notOk(alice.events.some((e) => e.type === 'CALL_CLOSED'), "alice's call survived the transfer");
  await alice.hangup();
  await alice.waitEvent('CALL_CLOSED', 10_000);
  await carol.waitEvent('CALL_CLOSED', 10_000);
  t.equal(await settled(es), 0, 'no dialog left');
  const carolHeard = heard(carol);
  t.ok(carolHeard.rms > 0.05, `carol's recording is not silent (rms ${carolHeard.rms.toFixed(3)}, ${carolHeard.durationMs} ms)`);
  t.equal(carolHeard.dominantHz, 440, 'carol heard alice (re-bridged media)');
});
