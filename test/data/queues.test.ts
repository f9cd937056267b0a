import t, { type Test } from 'tap';
import { openRepositories } from '../../src/data/index.js';
import { silentLogger } from '../../src/log.js';
import { createDirectory } from '../../src/pbx/stores.js';

function open(t: Test) {
  const repos = openRepositories({ dataDir: t.testdir(), logger: silentLogger() });
  t.teardown(() => repos.close());
  for (const n of ['101', '102', '103']) repos.extensions.add({ number: n, displayName: `Ext ${n}`, sipPassword: `secret-${n}-long` });
  repos.mailboxes.add({ box: '500', name: 'Sales' });
  return repos;
}

t.test('queues: add with defaults, members in order, get/list, the directory knows them', async (t) => {
  const repos = open(t);
  const q = repos.queues.add({ number: '30', overflow: '500', members: ['102', '101'] });
  t.match(q, {
    number: '30', name: 'Queue 30', strategy: 'ring-all', ringTimeoutS: 15, wrapUpS: 5, maxWaitS: 60, announcePositionS: null,
    language: 'pl', overflow: { kind: 'voicemail', box: '500' },
  });
  t.same(q.members.map((m) => [m.extension, m.order, m.paused, m.callsTaken, m.lastCallEndedAt]), [['102', 1, false, 0, null], ['101', 2, false, 0, null]]);
  const q31 = repos.queues.add({ number: '31', name: 'Support', strategy: 'round-robin', overflow: 'queue:30', announcePositionS: 30, language: 'en', maxWaitS: 120 });
  t.same(q31.overflow, { kind: 'queue', number: '30' });
  t.same(repos.queues.list().map((x) => x.number), ['30', '31']);
  const dir = createDirectory({ extensions: repos.extensions, queues: repos.queues });
  t.ok(dir.isQueue('30'));
  t.notOk(dir.isQueue('101'));
  t.notOk(createDirectory({ extensions: repos.extensions }).isQueue('30'), 'without the repository no number is a queue');
});

t.test('queues: validation errors say what was wrong', async (t) => {
  const repos = open(t);
  t.throws(() => repos.queues.add({ number: '3', overflow: '500' }), /number "3" is not a queue number \(expected 2–6 digits/);
  t.throws(() => repos.queues.add({ number: '101', overflow: '500' }), /queue number 101 is already extension 101/);
  t.throws(() => repos.queues.add({ number: '500', overflow: '101' }), /queue number 500 is already voicemail box 500/);
  t.throws(() => repos.queues.add({ number: '30', overflow: '500', strategy: 'random' as 'ring-all' }),
    /strategy "random" is not a queue strategy \(expected one of ring-all, round-robin, least-recent, fewest-calls\)/);
  t.throws(() => repos.queues.add({ number: '30', overflow: '500', members: ['101', '109'] }), /members\[1\]: extension 109 does not exist/);
  t.throws(() => repos.queues.add({ number: '30', overflow: '500', members: ['101', '101'] }), /extension 101 is listed twice/);
  t.throws(() => repos.queues.add({ number: '30', overflow: '500', ringTimeoutS: 0 }), /ringTimeoutS 0 is not allowed: expected whole seconds from 1 to 300/);
  t.throws(() => repos.queues.add({ number: '30', overflow: '500', maxWaitS: 1.5 }), /maxWaitS 1.5 is not allowed/);
  t.throws(() => repos.queues.add({ number: '30', overflow: '500', language: 'de' as 'pl' }), /language "de" is not supported/);
  t.throws(() => repos.queues.add({ number: '30', overflow: '600' }), /overflow: voicemail box 600 does not exist/);
  t.throws(() => repos.queues.add({ number: '30', overflow: 'extension:109' }), /overflow: extension 109 does not exist/);
  t.throws(() => repos.queues.add({ number: '30', overflow: 'queue:30' }), /queue 30 cannot overflow to itself/);
  t.throws(() => repos.queues.add({ number: '30', overflow: 'queue:31' }), /overflow: queue 31 does not exist/);
  t.throws(() => repos.queues.add({ number: '30', overflow: 'mars' }), /overflow "mars" is not a destination/);
  t.throws(() => repos.queues.add({ number: '30' } as never), /overflow is required/);
  t.equal(repos.queues.list().length, 0, 'nothing was written');
  repos.queues.add({ number: '30', overflow: '500' });
  t.throws(() => repos.queues.add({ number: '30', overflow: '500' }), { message: 'queue 30 already exists' });
  t.throws(() => repos.queues.update('39', { name: 'x' }), { message: 'queue 39 does not exist' });
});

t.test('queues: members, pause/resume, statistics, update, remove', async (t) => {
  const repos = open(t);
  repos.queues.add({ number: '30', overflow: '500', members: ['101'] });
  repos.queues.add({ number: '31', overflow: 'queue:30', members: ['101', '102'] });
  t.same(repos.queues.addMember('30', '103').members.map((m) => m.extension), ['101', '103']);
  t.same(repos.queues.addMember('30', '102', 1).members.map((m) => [m.extension, m.order]), [['102', 1], ['101', 2], ['103', 3]]);
  t.same(repos.queues.addMember('30', '103', 1).members.map((m) => m.extension), ['103', '102', '101'], 'an existing member moves');
  t.throws(() => repos.queues.addMember('30', '109'), /extension 109 does not exist/);
  t.throws(() => repos.queues.addMember('39', '101'), { message: 'queue 39 does not exist' });
  t.same(repos.queues.queuesOf('101'), ['30', '31']);
  t.same(repos.queues.setPaused('101', true), ['30', '31'], 'pause in every queue of the agent');
  t.same(repos.queues.setPaused('101', false, '31'), ['31']);
  t.same(repos.queues.get('30')!.members.find((m) => m.extension === '101')!.paused, true);
  t.same(repos.queues.get('31')!.members.find((m) => m.extension === '101')!.paused, false);
  t.throws(() => repos.queues.setPaused('103', true, '31'), /extension 103 is not a member of queue 31/);
  repos.queues.recordCallTaken('30', '102');
  repos.queues.recordCallTaken('30', '102');
  repos.queues.recordCallEnded('30', '102', 123456);
  t.match(repos.queues.get('30')!.members.find((m) => m.extension === '102'), { callsTaken: 2, lastCallEndedAt: 123456 });
  t.ok(repos.queues.removeMember('30', '102'));
  t.notOk(repos.queues.removeMember('30', '102'));
  t.same(repos.queues.get('30')!.members.map((m) => [m.extension, m.order]), [['103', 1], ['101', 2]], 'renumbered');
  const updated = repos.queues.update('30', { strategy: 'fewest-calls', announcePositionS: 20, overflow: 'extension:103' });
  t.match(updated, { strategy: 'fewest-calls', announcePositionS: 20, overflow: { kind: 'extension', number: '103' }, maxWaitS: 60 });
  t.equal(repos.queues.update('30', { announcePositionS: null }).announcePositionS, null, 'announcements off again');
  t.throws(() => repos.queues.remove('30'), /queue 30 is the overflow of queue\(s\) 31/);
  repos.extensions.remove('103');
  t.same(repos.queues.get('30')!.members.map((m) => m.extension), ['101'], 'a removed extension leaves its queues');
  t.ok(repos.queues.remove('31'));
  t.ok(repos.queues.remove('30'));
  t.equal(repos.queues.list().length, 0);
});
