import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseWav, makeToneWav } from '../helpers/audio.js';
import { connectedPair, sleep, testEngine, waitFor } from './fixtures/endpoints.js';
import { bridge } from '../../src/media/bridge.js';

const engine = testEngine();
t.teardown(() => engine.close());

t.test('bridge relays audio both ways, transcoding PCMU↔PCMA across ptimes', async (t) => {
  const dir = t.testdir();
  writeFileSync(join(dir, 'caller.wav'), makeToneWav({ hz: 500, durationMs: 600 }));
  writeFileSync(join(dir, 'agent.wav'), makeToneWav({ hz: 1200, durationMs: 600 }));
  // caller phone ↔ [callerLeg | engine | agentLeg] ↔ agent phone
  const [callerPhone, callerLeg] = await connectedPair(engine, { codec: 'PCMU', ptimeMs: 20 });
  const [agentPhone, agentLeg] = await connectedPair(engine, { codec: 'PCMA', ptimeMs: 30 });
  const link = bridge(callerLeg, agentLeg);
  const heardByAgent = agentPhone.record({ file: join(dir, 'agent-heard.wav'), maxDurationMs: 5000 });
  const heardByCaller = callerPhone.record({ file: join(dir, 'caller-heard.wav'), maxDurationMs: 5000 });
  await Promise.all([callerPhone.play(join(dir, 'caller.wav')).done, agentPhone.play(join(dir, 'agent.wav')).done]);
  await sleep(200);
  await Promise.all([agentPhone.close(), callerPhone.close()]);
  const agentHeard = analyseWav((await heardByAgent).file);
  const callerHeard = analyseWav((await heardByCaller).file);
  t.equal(agentHeard.dominantHz, 500, 'agent hears the caller');
  t.equal(callerHeard.dominantHz, 1200, 'caller hears the agent');
  t.ok(agentHeard.activeMs >= 450, `caller audio mostly arrives (${agentHeard.activeMs} ms)`);
  t.ok(callerHeard.activeMs >= 450, `agent audio mostly arrives (${callerHeard.activeMs} ms)`);
  t.ok(link.active);
  await Promise.all([callerLeg.close(), agentLeg.close()]);
  t.notOk(link.active, 'closing a leg ends the bridge');
});

t.test('bridge relays DTMF both ways and unbridge stops relaying', async (t) => {
  const [callerPhone, callerLeg] = await connectedPair(engine);
  const [agentPhone, agentLeg] = await connectedPair(engine, { codec: 'PCMA' });
  const link = bridge(callerLeg, agentLeg);
  const atAgent: string[] = [];
  const atCaller: string[] = [];
  agentPhone.on('dtmf', (d) => atAgent.push(d));
  callerPhone.on('dtmf', (d) => atCaller.push(d));
  callerPhone.sendDtmf('4');
  agentPhone.sendDtmf('8');
  await waitFor(() => atAgent.length === 1 && atCaller.length === 1, 4000, 'relayed digits');
  callerLeg.injectDtmf('*'); // arrived at the PBX by SIP INFO on the caller's leg
  await waitFor(() => atAgent.length === 2, 4000, 'relayed INFO digit');
  t.same(atAgent, ['4', '*']);
  t.same(atCaller, ['8']);
  link.unbridge();
  t.notOk(link.active);
  callerPhone.sendDtmf('1');
  await sleep(400);
  t.same(atAgent, ['4', '*'], 'no relay after unbridge');
  t.throws(() => bridge(callerLeg, callerLeg), /itself/);
  await Promise.all([callerPhone, callerLeg, agentPhone, agentLeg].map((e) => e.close()));
  t.throws(() => bridge(callerLeg, agentLeg), /is closed/);
});
