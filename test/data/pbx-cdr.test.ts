import t, { type Test } from 'tap';
import { openRepositories } from '../../src/data/index.js';
import { silentLogger } from '../../src/log.js';

function open(t: Test) {
  const repos = openRepositories({ dataDir: t.testdir(), logger: silentLogger() });
  t.teardown(() => repos.close());
  return repos.cdr;
}

t.test('a call: start, answer, transfer event, end', async (t) => {
  const cdr = open(t);
  const call = cdr.start({ callId: 'abc', caller: '102', callee: '103', at: '2026-11-20T10:00:00Z' });
  t.equal(call.disposition, null);
  cdr.answer(call.id, '2026-11-20T10:00:05Z');
  cdr.answer(call.id, '2026-11-20T10:00:09Z');
  cdr.addEvent(call.id, { kind: 'transfer', mode: 'blind', to: '104', at: '2026-11-20T10:01:00Z' });
  cdr.end(call.id, 'answered', '2026-11-20T10:02:00Z');
  t.same(cdr.get(call.id), {
    id: call.id, callId: 'abc', caller: '102', callee: '103',
    startedAt: '2026-11-20T10:00:00.000Z', answeredAt: '2026-11-20T10:00:05.000Z', endedAt: '2026-11-20T10:02:00.000Z',
    disposition: 'answered', events: [{ kind: 'transfer', mode: 'blind', to: '104', at: '2026-11-20T10:01:00.000Z' }],
  }, 'the first answer counts; events kept in order');
});

t.test('list filters, newest first', async (t) => {
  const cdr = open(t);
  const a = cdr.start({ callId: 'a', caller: '102', callee: '103', at: '2026-11-20T10:00:00Z' });
  const b = cdr.start({ callId: 'b', caller: '104', callee: '102', at: '2026-11-20T11:00:00Z' });
  const c = cdr.start({ callId: 'c', caller: '104', callee: '105', at: '2026-11-21T09:00:00Z' });
  cdr.end(a.id, 'busy');
  cdr.end(b.id, 'no-answer');
  t.same(cdr.list().map((r) => r.callId), ['c', 'b', 'a']);
  t.same(cdr.list({ party: '102' }).map((r) => r.callId), ['b', 'a']);
  t.same(cdr.list({ caller: '104' }).map((r) => r.callId), ['c', 'b']);
  t.same(cdr.list({ callee: '105' }).map((r) => r.id), [c.id]);
  t.same(cdr.list({ since: '2026-11-20T10:30:00Z', until: '2026-11-21T00:00:00Z' }).map((r) => r.callId), ['b']);
  t.same(cdr.list({ disposition: 'busy' }).map((r) => r.callId), ['a']);
  t.same(cdr.list({ limit: 1 }).map((r) => r.callId), ['c']);
});

t.test('bad input gets clear errors', async (t) => {
  const cdr = open(t);
  t.throws(() => cdr.start({ callId: 'x', caller: '', callee: '103' }), { message: /caller must be 1–128 characters/ });
  t.throws(() => cdr.start({ callId: 'x', caller: '102', callee: '103', at: 'yesterday' }), { message: /at "yesterday" is not an ISO 8601 time/ });
  t.throws(() => cdr.answer(999), { message: 'call record 999 does not exist' });
  const call = cdr.start({ callId: 'x', caller: '102', callee: '103' });
  t.throws(() => cdr.end(call.id, 'lost' as 'busy'), { message: /disposition "lost" is not one of/ });
  t.throws(() => cdr.addEvent(call.id, { kind: '' }), { message: /event kind is missing/ });
  t.throws(() => cdr.list({ limit: 0 }), { message: /limit must be 1–10000/ });
  t.equal(cdr.get(call.id)!.disposition, null, 'refused changes left the record as it was');
});

t.test('events per call are bounded', async (t) => {
  const cdr = open(t);
  const call = cdr.start({ callId: 'loop', caller: '102', callee: '103' });
  for (let i = 0; i < 150; i++) cdr.addEvent(call.id, { kind: 'transfer', n: i });
  t.equal(cdr.get(call.id)!.events.length, 100);
});
