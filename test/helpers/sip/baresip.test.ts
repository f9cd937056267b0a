/**
 * Proves the baresip harness against things written here: a raw UDP registrar (digest,
 * qop=auth) and a second baresip. Audio is checked in the WAV dumps baresip wrote.
 */
import t from 'tap';
import { startBaresip } from './baresip.js';
import { startRegistrar } from './registrar.js';
import { analyseWav } from '../audio.js';

t.test('registers with digest auth (qop=auth) against a raw registrar', async (t) => {
  const registrar = await startRegistrar({ alice: 'alicepw' });
  t.teardown(() => registrar.close());
  const alice = await startBaresip({ user: 'alice', register: { registrar: `127.0.0.1:${registrar.port}`, password: 'alicepw' }, teardown: (fn) => t.teardown(fn) });
  const ok = await alice.waitEvent('REGISTER_OK', 10_000);
  t.match(ok.accountaor, /sip:alice@127\.0\.0\.1/);
  t.same(registrar.events.slice(0, 2).map((e) => e.kind), ['challenged', 'registered'], 'challenged first, then accepted');
  t.match(registrar.events[1]!.detail, /qop=auth contacts=<sip:alice[^@]*@127\.0\.0\.1:\d+/, 'credentials used qop=auth; contact is on 127.0.0.1');
});

t.test('a wrong password is refused and reported', async (t) => {
  const registrar = await startRegistrar({ alice: 'alicepw' });
  t.teardown(() => registrar.close());
  const alice = await startBaresip({ user: 'alice', register: { registrar: `127.0.0.1:${registrar.port}`, password: 'nope' }, teardown: (fn) => t.teardown(fn) });
  await alice.waitEvent('REGISTER_FAIL', 10_000);
  t.ok(registrar.events.some((e) => e.kind === 'rejected' && e.detail === 'wrong response'));
  t.notOk(registrar.events.some((e) => e.kind === 'registered'));
});

t.test('two instances call each other directly; each hears the other', async (t) => {
  const alice = await startBaresip({ user: 'alice', toneHz: 440, teardown: (fn) => t.teardown(fn) });
  const bob = await startBaresip({ user: 'bob', toneHz: 1000, autoAnswer: true, teardown: (fn) => t.teardown(fn) });
  t.ok((await alice.dial(bob.uri)).ok, 'dial accepted');
  const incoming = await bob.waitEvent('CALL_ESTABLISHED', 10_000);
  t.equal(incoming.peeruri, alice.uri, 'bob sees alice as the caller');
  await alice.waitEvent('CALL_ESTABLISHED', 10_000);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await alice.hangup();
  await bob.waitEvent('CALL_CLOSED', 5000);
  await alice.waitEvent('CALL_CLOSED', 5000);

  const heardByBob = bob.recordedWavs().received;
  const heardByAlice = alice.recordedWavs().received;
  t.equal(heardByBob.length, 1, 'bob dumped the received audio');
  t.equal(heardByAlice.length, 1, 'alice dumped the received audio');
  const bobHeard = analyseWav(heardByBob[0]!);
  const aliceHeard = analyseWav(heardByAlice[0]!);
  t.ok(bobHeard.durationMs >= 1500, `bob recorded ${bobHeard.durationMs} ms`);
  t.ok(bobHeard.rms > 0.05, `bob's recording is not silent (rms ${bobHeard.rms.toFixed(3)})`);
  t.equal(bobHeard.dominantHz, 440, "bob heard alice's 440 Hz tone");
  t.ok(aliceHeard.rms > 0.05, `alice's recording is not silent (rms ${aliceHeard.rms.toFixed(3)})`);
  t.equal(aliceHeard.dominantHz, 1000, "alice heard bob's 1000 Hz tone");
});

t.test('an incoming call can be answered by command, and stop() ends the process', async (t) => {
  const alice = await startBaresip({ user: 'alice', teardown: (fn) => t.teardown(fn) });
  const carol = await startBaresip({ user: 'carol', teardown: (fn) => t.teardown(fn) });
  await alice.dial(carol.uri);
  await carol.waitEvent('CALL_INCOMING', 10_000);
  t.ok((await carol.answer()).ok, 'accept');
  await alice.waitEvent('CALL_ESTABLISHED', 10_000);
  await carol.hangup();
  await alice.waitEvent('CALL_CLOSED', 5000);
  await carol.stop();
  await t.rejects(carol.command('listcalls', undefined, 500), 'a stopped instance no longer answers');
});

t.test('blind transfer: the callee transfers the caller to a third instance', async (t) => {
  const alice = await startBaresip({ user: 'alice', teardown: (fn) => t.teardown(fn) });
  const bob = await startBaresip({ user: 'bob', autoAnswer: true, teardown: (fn) => t.teardown(fn) });
  const carol = await startBaresip({ user: 'carol', autoAnswer: true, teardown: (fn) => t.teardown(fn) });
  await alice.dial(bob.uri);
  await bob.waitEvent('CALL_ESTABLISHED', 10_000);
  await alice.waitEvent('CALL_ESTABLISHED', 10_000);
  t.ok((await bob.transfer(carol.uri)).ok, 'transfer command accepted');
  const atCarol = await carol.waitEvent('CALL_ESTABLISHED', 10_000);
  t.equal(atCarol.peeruri, alice.uri, 'carol is now talking to alice');
  await bob.waitEvent('CALL_CLOSED', 10_000);
  await alice.hangup();
  await carol.waitEvent('CALL_CLOSED', 10_000);
});
