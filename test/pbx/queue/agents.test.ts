import t from 'tap';
import { silentLogger } from '../../../src/log.js';
import type { Queue, QueueMember, QueueRepository } from '../../../src/data/queue-types.js';
import type { Leg } from '../../../src/pbx/call/switchboard.js';
import { createAgentBoard } from '../../../src/pbx/queue/agents.js';

const member = (extension: string, order: number, extra: Partial<QueueMember> = {}): QueueMember =>
  ({ extension, order, paused: false, lastCallEndedAt: null, callsTaken: 0, ...extra });

const queue = (members: QueueMember[], wrapUpS = 5): Queue => ({
  number: '30', name: 'Q', strategy: 'ring-all', ringTimeoutS: 15, wrapUpS, maxWaitS: 60, announcePositionS: null,
  language: 'en', overflow: { kind: 'voicemail', box: '500' }, members, createdAt: '', updatedAt: '',
});

/** A leg whose dialog emits 'destroy' when the test says so. */
function fakeLeg(party: string) {
  const listeners: Array<() => void> = [];
  const leg = {
    party, gone: false, partner: null, handedOver: false, refers: 0, callRecordId: undefined,
    dialog: { connected: true, on: (event: string, fn: () => void) => { if (event === 'destroy') listeners.push(fn); } },
  } as unknown as Leg;
  return { leg, bye: () => { (leg.dialog as { connected: boolean }).connected = false; for (const fn of listeners) fn(); } };
}

t.test('agent states: paused, offline, ringing, busy, wrap-up on a fake clock, idle again', async (t) => {
  let clock = 1_000_000;
  const recorded: string[] = [];
  const freed: string[] = [];
  const repo = {
    recordCallTaken: (q: string, a: string) => recorded.push(`taken ${q} ${a}`),
    recordCallEnded: (q: string, a: string, at: number) => recorded.push(`ended ${q} ${a} ${at}`),
  } as unknown as QueueRepository;
  const registered = new Set(['101', '102', '103']);
  const busyElsewhere = new Set<string>();
  const board = createAgentBoard({
    queues: repo, logger: silentLogger(), now: () => clock, secondMs: 1000,
    findContacts: (ext) => (registered.has(ext) ? [{ uri: `sip:${ext}@x`, proxy: 'sip:x' }] as never : []),
    isBusy: (ext) => busyElsewhere.has(ext),
    onFree: (q, a) => freed.push(`${q}:${a}`),
  });
  const q = queue([member('101', 1), member('102', 2, { paused: true }), member('103', 3), member('104', 4)]);
  const states = () => q.members.map((m) => board.state(q, m));
  t.same(states(), ['idle', 'paused', 'idle', 'offline']);
  t.ok(board.anyoneCanTake(q));
  t.notOk(board.anyoneCanTake(queue([member('102', 1, { paused: true }), member('104', 2)])), 'paused and unregistered agents cannot take calls');

  board.ringing(['101', '103'], 1);
  t.same(states(), ['ringing', 'paused', 'ringing', 'offline']);
  board.ringing(['101', '103'], -1);
  busyElsewhere.add('103');
  t.same(states().slice(2), ['busy', 'offline'], 'on a call that is not from the queue');
  busyElsewhere.clear();

  const call = fakeLeg('101');
  const callerLeg = fakeLeg('100');
  board.callStarted('30', '101', call.leg, callerLeg.leg);
  t.equal(board.state(q, q.members[0]!), 'busy');
  t.same(board.candidates(q).map((c) => c.available), [false, false, true, false], 'only 103 may be rung');
  clock += 60_000;
  call.bye();
  t.same(recorded, ['taken 30 101', 'ended 30 101 1060000']);
  t.same(freed, ['30:101']);
  t.equal(board.state(q, q.members[0]!), 'wrap-up');
  clock += 4999;
  t.equal(board.state(q, q.members[0]!), 'wrap-up', 'still resting 1 ms before the 5 s wrap-up ends');
  clock += 1;
  t.equal(board.state(q, q.members[0]!), 'idle');
  callerLeg.bye();
  t.equal(recorded.length, 2, 'the end is recorded once');
});

t.test('an agent leg released without a BYE event (a transfer) is noticed by refresh()', async (t) => {
  const clock = 5000;
  const board = createAgentBoard({
    queues: { recordCallTaken() {}, recordCallEnded() {} } as unknown as QueueRepository,
    logger: silentLogger(), now: () => clock, secondMs: 1000,
    findContacts: () => [{ uri: 'sip:x', proxy: 'sip:x' }] as never, onFree() {},
  });
  const q = queue([member('101', 1, { lastCallEndedAt: 1000 })], 0);
  const call = fakeLeg('101');
  board.callStarted('30', '101', call.leg, fakeLeg('100').leg);
  t.equal(board.state(q, q.members[0]!), 'busy');
  (call.leg as { gone: boolean }).gone = true;
  t.equal(board.refresh(), true);
  t.equal(board.state(q, q.members[0]!), 'idle', 'no wrap-up configured: free at once');
});
