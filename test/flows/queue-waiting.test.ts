/**
 * What happens while a caller waits in a queue: overflow to voicemail after the (shortened)
 * max wait, the caller hanging up (every agent INVITE CANCELled, no leg, endpoint or port
 * left), a paused agent never rung, and nobody available at all (overflow at once). The call
 * log says how each ended: voicemail, abandoned, answered (when the agent answered).
 */
import t from 'tap';
import { join } from 'node:path';
import type { Arrival, DestinationContext, MediaDestination } from '../../src/pbx/call/destinations.js';
import { createScriptedUa } from '../helpers/pbx/scripted-ua.js';
import { password } from '../helpers/pbx/calls.js';
import { startQueueStack } from '../helpers/pbx/queue-stack.js';
import { describeSipp } from '../helpers/sip/sipp.js';
import { delay } from '../helpers/srf.js';
import { fastVoicemailConfig, writeShortPrompts } from '../helpers/pbx/voicemail.js';
import { waitFor } from '../media/fixtures/endpoints.js';

type Taken = { arrival: Arrival['kind']; box: string; cause: string; caller: string; legUp: boolean };

/** What a voicemail destination was given, in the form the tests compare. */
function describeTake(arrival: Arrival, ctx: DestinationContext): Taken {
  const legUp = arrival.kind === 'leg' && !arrival.leg.gone && arrival.leg.dialog.connected && arrival.leg.partner === null;
  return { arrival: arrival.kind, box: ctx.step.kind === 'voicemail' ? ctx.step.box : '?', cause: ctx.step.cause, caller: ctx.caller.number, legUp };
}

/** Stands in for the voicemail destination: records what it was given and hangs the caller up. */
function fakeVoicemail() {
  const taken: Taken[] = [];
  const destination: MediaDestination = {
    async take(arrival, ctx: DestinationContext) {
      taken.push(describeTake(arrival, ctx));
      if (arrival.kind === 'leg') ctx.switchboard.release(arrival.leg);
      else arrival.res.send(480);
      return { kind: 'taken' };
    },
  };
  return { destination, taken };
}

t.test('max wait reached while the agent rings: the agent is CANCELled and the caller handed to voicemail 500', async (t) => {
  const taken: Taken[] = [];
  const prompts = await writeShortPrompts(join(t.testdir(), 'prompts'));
  const qs = await startQueueStack(t, {
    extensions: ['100', '101'],
    // The real deposit flow, watched: the call log must say the call ended in voicemail.
    realVoicemail: {
      config: fastVoicemailConfig(prompts),
      watch: (deposit) => ({ take: (arrival, ctx) => { taken.push(describeTake(arrival, ctx)); return deposit.take(arrival, ctx); } }),
    },
    queues: [{ number: '30', ringTimeoutS: 60, maxWaitS: 15, overflow: '500', members: ['101'] }],
  });
  const agent = await qs.sippPhone(t, '101', 'uas-cancelled.xml');
  const ua = await createScriptedUa(t, qs.sipPort, '100', password('100'));
  const started = Date.now();
  const dialog = await ua.invite('30');
  await qs.waitEvent('ringing', 5000, (e) => e.agents.includes('101'));
  const overflow = await qs.waitEvent('overflow', 5000);
  const waited = Date.now() - started;
  t.match(overflow, { queue: '30', caller: '100', to: 'voicemail 500', reason: 'max-wait' });
  t.ok(waited >= 1400 && waited < 4000, `overflow after the 1.5 s max wait (${waited} ms)`);
  await ua.waitFor((r) => r.method === 'INVITE' && r.callId === dialog.callId, 5000);
  t.same(taken, [{ arrival: 'leg', box: '500', cause: 'no-answer', caller: '100', legUp: true }], 'voicemail got the answered leg, unpartnered');
  await waitFor(() => qs.voicemailCalls!.active() === 1, 3000, 'the deposit flow runs');
  await delay(300);
  t.equal(await ua.request(dialog, 'BYE', []), 200, 'the caller hangs up in voicemail');
  const result = await agent.done;
  t.equal(result.successful, 1, `the ringing agent was CANCELled: ${describeSipp(result)}`);
  await qs.voicemailCalls!.idle();
  t.same(await qs.settled(), { legs: 0, waiting: 0, endpoints: 0, ports: 0 });
  const [record] = qs.stack.repos.cdr.list();
  t.match(record, { caller: '100', callee: '30', disposition: 'voicemail' }, 'the call log says voicemail, not answered');
  const answeredAfterMs = Date.parse(record!.answeredAt ?? '') - Date.parse(record!.startedAt);
  t.ok(answeredAfterMs >= 1000, `answered when voicemail took it, not when the queue music started (${answeredAfterMs} ms)`);
});

t.test('the caller hangs up while waiting: agents CANCELled, nothing left behind', async (t) => {
  const qs = await startQueueStack(t, {
    extensions: ['100', '101', '102'],
    queues: [{ number: '30', ringTimeoutS: 60, maxWaitS: 600, overflow: '500', members: ['101', '102'] }],
  });
  const agents = await Promise.all(['101', '102'].map((ext) => qs.sippPhone(t, ext, 'uas-cancelled.xml')));
  const ua = await createScriptedUa(t, qs.sipPort, '100', password('100'));
  const dialog = await ua.invite('30');
  await qs.waitEvent('ringing', 5000, (e) => e.agents.length === 2);
  t.equal(qs.queues.liveState()[0]!.waiting.length, 1, 'the live state shows the waiting caller');
  t.same(qs.queues.liveState()[0]!.agents.map((a) => a.state), ['ringing', 'ringing']);
  t.equal(qs.engine.stats().openEndpoints, 1, 'the queue holds one endpoint for the caller');
  t.equal(await ua.request(dialog, 'BYE', []), 200);
  const gone = await qs.waitEvent('abandoned', 5000);
  t.equal(gone.caller, '100');
  for (const run of agents) {
    const result = await run.done;
    t.equal(result.successful, 1, `agent INVITE CANCELled: ${describeSipp(result)}`);
  }
  t.same(await qs.settled(), { legs: 0, waiting: 0, endpoints: 0, ports: 0 }, 'no legs, endpoints or ports left');
  t.same(qs.queues.liveState()[0]!.waiting, []);
  t.match(qs.stack.repos.cdr.list()[0], { disposition: 'abandoned', answeredAt: null }, 'the caller gave up waiting: abandoned, never answered by anyone');
  t.not(qs.stack.repos.cdr.list()[0]?.endedAt, null);
});

t.test('a paused agent is skipped; resumed, it is rung again', async (t) => {
  const qs = await startQueueStack(t, {
    extensions: ['100', '101', '102'],
    queues: [{ number: '30', ringTimeoutS: 60, maxWaitS: 600, overflow: '500', members: ['101', '102'] }],
  });
  const paused = await qs.sippPhone(t, '101', 'uas-basic.xml');
  const other = await qs.sippPhone(t, '102', 'uas-cancelled.xml');
  t.same(qs.queues.pause('101'), ['30']);
  t.equal(qs.queues.liveState()[0]!.agents[0]!.state, 'paused');
  const ua = await createScriptedUa(t, qs.sipPort, '100', password('100'));
  const dialog = await ua.invite('30');
  const ringing = await qs.waitEvent('ringing', 5000);
  t.same(ringing.agents, ['102'], 'only the agent who is not paused rings');
  await delay(500);
  t.notOk(qs.events.some((e) => e.kind === 'ringing' && e.agents.includes('101')), '101 never rang while paused');
  t.same(qs.queues.resume('101'), ['30']);
  // 102 still rings (ring-all round of 6 s); the next round includes 101, which answers.
  qs.stack.repos.queues.update('30', { ringTimeoutS: 1 });
  const connected = await qs.waitEvent('connected', 10_000);
  t.equal(connected.agent, '101', 'resumed, 101 answers');
  t.equal(await ua.request(dialog, 'BYE', []), 200);
  t.equal((await paused.done).successful, 1);
  t.equal((await other.done).successful, 1, '102 was CANCELled');
  t.same(await qs.settled(), { legs: 0, waiting: 0, endpoints: 0, ports: 0 });
  const [record] = qs.stack.repos.cdr.list();
  t.equal(record?.disposition, 'answered', 'an agent took the call');
  const answeredAfterMs = Date.parse(record!.answeredAt ?? '') - Date.parse(record!.startedAt);
  t.ok(answeredAfterMs >= 500, `answered_at is when the agent answered, after the 500 ms pause (${answeredAfterMs} ms)`);
});

t.test('nobody can take calls: overflow at once, the INVITE goes to voicemail unanswered', async (t) => {
  const vm = fakeVoicemail();
  const qs = await startQueueStack(t, {
    extensions: ['100', '101'], voicemail: vm.destination,
    queues: [{ number: '30', overflow: '500', members: ['101'] }],
  });
  // 101 is a member but not registered.
  const ua = await createScriptedUa(t, qs.sipPort, '100', password('100'));
  await t.rejects(ua.invite('30'), /480/);
  t.same(vm.taken, [{ arrival: 'invite', box: '500', cause: 'unavailable', caller: '100', legUp: false }]);
  t.match(qs.events, [{ kind: 'overflow', reason: 'no-agents', to: 'voicemail 500' }]);
  t.same(await qs.settled(), { legs: 0, waiting: 0, endpoints: 0, ports: 0 });
});
