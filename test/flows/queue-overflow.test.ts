/**
 * Overflow destinations other than voicemail, and position announcements: after the max wait a
 * caller moves on to another queue (keeping the queue's media, no extra re-INVITE) or to an
 * extension rung like an agent (that answers, is busy, or does not answer); a queue loop is
 * refused; callers hear their position.
 */
import t from 'tap';
import { createScriptedUa } from '../helpers/pbx/scripted-ua.js';
import { password } from '../helpers/pbx/calls.js';
import { startQueueStack } from '../helpers/pbx/queue-stack.js';
import { describeSipp } from '../helpers/sip/sipp.js';

const EMPTY = { legs: 0, waiting: 0, endpoints: 0, ports: 0 };

t.test('max wait in queue 30 → queue 31, whose agent answers', async (t) => {
  const qs = await startQueueStack(t, {
    extensions: ['100', '101', '102'],
    queues: [
      { number: '31', overflow: '100', members: ['102'] },
      { number: '30', ringTimeoutS: 60, maxWaitS: 10, overflow: 'queue:31', members: ['101'] },
    ],
  });
  const slow = await qs.sippPhone(t, '101', 'uas-cancelled.xml');
  const answers = await qs.sippPhone(t, '102', 'uas-basic.xml');
  const ua = await createScriptedUa(t, qs.sipPort, '100', password('100'));
  const dialog = await ua.invite('30');
  t.match(await qs.waitEvent('overflow', 5000), { queue: '30', to: 'queue 31', reason: 'max-wait' });
  t.match(await qs.waitEvent('joined', 5000, (e) => e.queue === '31'), { caller: '100', position: 1 });
  t.match(await qs.waitEvent('connected', 5000), { queue: '31', caller: '100', agent: '102' });
  t.equal(ua.received.filter((r) => r.method === 'INVITE').length, 1, 'one re-INVITE: towards the agent (the queue media was kept)');
  t.equal(await ua.request(dialog, 'BYE', []), 200);
  t.equal((await slow.done).successful, 1, `101 was CANCELled: ${describeSipp(await slow.done)}`);
  t.equal((await answers.done).successful, 1);
  t.same(await qs.settled(), EMPTY);
  t.equal(qs.stack.repos.queues.get('31')!.members[0]!.callsTaken, 1);
  t.match(qs.stack.repos.cdr.list(), [{ callee: '30', disposition: 'answered' }], "the next queue's agent answered");
});

t.test('max wait → extension 104 (not an agent) answers and talks to the caller', async (t) => {
  const qs = await startQueueStack(t, {
    extensions: ['100', '101', '104'],
    queues: [{ number: '30', ringTimeoutS: 60, maxWaitS: 10, overflow: 'extension:104', members: ['101'] }],
  });
  await qs.sippPhone(t, '101', 'uas-cancelled.xml');
  const extension = await qs.sippPhone(t, '104', 'uas-basic.xml');
  const ua = await createScriptedUa(t, qs.sipPort, '100', password('100'));
  const dialog = await ua.invite('30');
  t.match(await qs.waitEvent('overflow', 5000), { to: 'extension 104', reason: 'max-wait' });
  t.match(await qs.waitEvent('connected', 5000), { caller: '100', agent: '104' });
  await ua.waitFor((r) => r.method === 'INVITE' && r.callId === dialog.callId, 5000);
  t.equal(await ua.request(dialog, 'BYE', []), 200);
  t.equal((await extension.done).successful, 1, describeSipp(await extension.done));
  t.same(await qs.settled(), EMPTY);
  t.same(qs.stack.repos.queues.get('30')!.members.map((m) => m.callsTaken), [0], 'the overflow extension is no agent');
  t.match(qs.stack.repos.cdr.list(), [{ callee: '30', disposition: 'answered' }], 'the overflow extension answered');
});

for (const [scenario, disposition, how] of [
  ['uas-busy.xml', 'busy', 'is busy (486)'],
  ['uas-cancelled.xml', 'no-answer', 'rings without answering until the ring timeout'],
] as const) {
  t.test(`max wait → extension 104 ${how}: the caller is released and the call log says ${disposition}`, async (t) => {
    const qs = await startQueueStack(t, {
      extensions: ['100', '101', '104'],
      queues: [{ number: '30', ringTimeoutS: 60, maxWaitS: 10, overflow: 'extension:104', members: ['101'] }],
    });
    await qs.sippPhone(t, '101', 'uas-cancelled.xml');
    const extension = await qs.sippPhone(t, '104', scenario);
    const ua = await createScriptedUa(t, qs.sipPort, '100', password('100'));
    const dialog = await ua.invite('30');
    t.match(await qs.waitEvent('overflow', 5000), { to: 'extension 104', reason: 'max-wait' });
    // The caller was answered by the queue (music), so ending the call is a BYE to them.
    await ua.waitFor((r) => r.method === 'BYE' && r.callId === dialog.callId, 8000);
    t.equal((await extension.done).successful, 1, describeSipp(await extension.done));
    t.same(await qs.settled(), EMPTY, 'no legs, endpoints or ports left');
    t.match(qs.stack.repos.cdr.list(), [{ caller: '100', callee: '30', disposition }]);
    t.type(qs.stack.repos.cdr.list()[0]!.endedAt, 'string', 'the call record is closed');
    t.same(qs.stack.repos.queues.get('30')!.members.map((m) => m.callsTaken), [0], 'no agent took it');
  });
}

t.test('queues overflowing into each other with nobody available: refused (482), nothing answered', async (t) => {
  const qs = await startQueueStack(t, {
    extensions: ['100', '101', '102'],
    queues: [{ number: '30', overflow: '101', members: ['101'] }, { number: '31', overflow: 'queue:30', members: ['102'] }],
  });
  qs.stack.repos.queues.update('30', { overflow: 'queue:31' });
  const ua = await createScriptedUa(t, qs.sipPort, '100', password('100'));
  await t.rejects(ua.invite('30'), /482/);
  t.same(qs.events.map((e) => e.kind === 'overflow' && `${e.queue}→${e.to}`), ['30→queue 31', '31→queue 30']);
  t.same(await qs.settled(), EMPTY);
  t.match(qs.stack.repos.cdr.list(), [{ callee: '30', disposition: 'failed', answeredAt: null }]);
});

t.test('position announcements: each caller hears their own position', async (t) => {
  const qs = await startQueueStack(t, {
    extensions: ['100', '101', '105'],
    queues: [{ number: '30', ringTimeoutS: 300, maxWaitS: 600, announcePositionS: 10, overflow: '101', members: ['101'] }],
  });
  const agent = await qs.sippPhone(t, '101', 'uas-cancelled.xml');
  const first = await createScriptedUa(t, qs.sipPort, '100', password('100'));
  const second = await createScriptedUa(t, qs.sipPort, '105', password('105'));
  const d1 = await first.invite('30');
  const d2 = await second.invite('30');
  t.match(await qs.waitEvent('announced', 5000, (e) => e.caller === '100'), { position: 1 });
  t.match(await qs.waitEvent('announced', 5000, (e) => e.caller === '105'), { position: 2 });
  const live = qs.queues.liveState()[0]!;
  t.same(live.waiting.map((w) => [w.caller, w.ringing]), [['100', true], ['105', false]], 'the first caller rings the only agent; the second waits');
  t.ok(live.longestWaitMs >= 1000 && live.longestWaitS === Math.floor(live.longestWaitMs / 1000));
  t.equal(await first.request(d1, 'BYE', []), 200);
  await qs.waitEvent('abandoned', 5000);
  t.equal((await agent.done).successful, 1, 'the agent ringing for the first caller was CANCELled');
  t.equal(await second.request(d2, 'BYE', []), 200);
  t.same(await qs.settled(), EMPTY);
  t.same(qs.stack.repos.cdr.list().map((r) => [r.caller, r.disposition, r.answeredAt]), [['105', 'abandoned', null], ['100', 'abandoned', null]],
    'both callers hung up waiting: abandoned');
});
