/**
 * A round-robin queue over three SIPp agents: three callers in a row are each connected to the
 * next agent in turn (101, 102, 103), the caller's leg re-INVITEd with the agent's SDP.
 */
import t from 'tap';
import { createScriptedUa } from '../helpers/pbx/scripted-ua.js';
import { password } from '../helpers/pbx/calls.js';
import { startQueueStack } from '../helpers/pbx/queue-stack.js';
import { describeSipp } from '../helpers/sip/sipp.js';

t.test('round-robin: three calls go to 101, 102, 103 in turn', async (t) => {
  const qs = await startQueueStack(t, {
    extensions: ['100', '101', '102', '103'],
    queues: [{ number: '30', strategy: 'round-robin', wrapUpS: 0, ringTimeoutS: 50, overflow: '100', members: ['101', '102', '103'] }],
  });
  const agents = await Promise.all(['101', '102', '103'].map((ext) => qs.sippPhone(t, ext, 'uas-basic.xml')));
  const connectedTo: string[] = [];
  for (let call = 0; call < 3; call++) {
    const ua = await createScriptedUa(t, qs.sipPort, '100', password('100'));
    const dialog = await ua.invite('30');
    const connected = await qs.waitEvent('connected', 10_000, (e) => !connectedTo.includes(e.agent));
    connectedTo.push(connected.agent);
    const reinvite = await ua.waitFor((r) => r.method === 'INVITE' && r.callId === dialog.callId, 5000);
    t.match(reinvite, /m=audio \d+ RTP\/AVP/, `call ${call + 1}: the caller's leg was re-INVITEd towards the agent`);
    t.equal(await ua.request(dialog, 'BYE', []), 200, `call ${call + 1}: caller hangs up`);
    ua.close();
    const left = await qs.settled();
    t.same(left, { legs: 0, waiting: 0, endpoints: 0, ports: 0 }, `call ${call + 1}: nothing left behind`);
  }
  t.same(connectedTo, ['101', '102', '103'], 'round-robin order');
  for (const [i, run] of agents.entries()) {
    const result = await run.done;
    t.equal(result.successful, 1, `agent ${101 + i} took exactly one call: ${describeSipp(result)}`);
  }
  const stats = qs.stack.repos.queues.get('30')!.members.map((m) => [m.extension, m.callsTaken, m.lastCallEndedAt !== null]);
  t.same(stats, [['101', 1, true], ['102', 1, true], ['103', 1, true]], 'calls taken and call ends recorded per agent');
  t.same(qs.stack.repos.cdr.list().map((r) => r.disposition), ['answered', 'answered', 'answered']);
});
