/** Call records over a fake repository: one row per call, ended once, with its last leg. */
import t from 'tap';
import { silentLogger } from '../../../src/log.js';
import { createCallRecorder } from '../../../src/pbx/call/records.js';

function fakeCdr() {
  const log: string[] = [];
  let next = 0;
  return {
    log,
    cdr: {
      start: (call: { caller: string; callee: string }) => { log.push(`start ${call.caller}→${call.callee}`); return { id: ++next } as never; },
      answer: (id: number) => { log.push(`answer ${id}`); },
      end: (id: number, disposition: string) => { log.push(`end ${id} ${disposition}`); },
      addEvent: (id: number, event: { kind: string }) => { log.push(`event ${id} ${event.kind}`); },
    },
  };
}

t.test('a row ends with its last leg, exactly once; later events are dropped', async (t) => {
  const { cdr, log } = fakeCdr();
  const records = createCallRecorder({ cdr, logger: silentLogger() });
  const id = records.start({ callId: 'c', caller: '101', callee: '102' });
  records.answered(id);
  records.legUp(id);
  records.legUp(id);
  records.legUp(id);          // a transfer target joined
  records.event(id, { kind: 'transfer' });
  records.legDown(id);
  records.legDown(id);
  t.same(log, ['start 101→102', 'answer 1', 'event 1 transfer'], 'still one leg up');
  records.legDown(id);
  records.legDown(id);
  records.end(id, 'failed');
  records.event(id, { kind: 'late' });
  t.same(log.slice(3), ['end 1 answered']);
});

t.test('a failing repository never breaks the call', async (t) => {
  const records = createCallRecorder({
    cdr: { start: () => { throw new Error('disk full'); }, answer() {}, end() {}, addEvent() {} },
    logger: silentLogger(),
  });
  const id = records.start({ callId: 'c', caller: '101', callee: '102' });
  t.equal(id, undefined);
  t.doesNotThrow(() => { records.answered(id); records.legDown(id); records.end(id, 'busy'); });
});

t.test('a destination says how the call ends; the latest word wins, and only while the row is open', async (t) => {
  const { cdr, log } = fakeCdr();
  const records = createCallRecorder({ cdr, logger: silentLogger() });
  const queued = records.start({ callId: 'q', caller: '101', callee: '30' });
  records.legUp(queued);
  records.endsAs(queued, 'abandoned');     // waiting in the queue
  records.endsAs(queued, 'voicemail');     // overflowed to a mailbox
  records.legDown(queued);
  const agent = records.start({ callId: 'a', caller: '102', callee: '30' });
  records.legUp(agent);
  records.endsAs(agent, 'abandoned');
  records.endsAs(agent, 'answered');       // an agent took it
  records.legUp(agent);
  records.legDown(agent);
  records.legDown(agent);
  records.endsAs(agent, 'voicemail');      // too late: the row has ended
  const refused = records.start({ callId: 'r', caller: '103', callee: '30' });
  records.endsAs(refused, 'abandoned');
  records.end(refused, 'failed');          // an explicit end wins over the note
  t.same(log.filter((l) => l.startsWith('end')), ['end 1 voicemail', 'end 2 answered', 'end 3 failed']);
});
