import t from 'tap';
import { pickAgents, type AgentCandidate } from '../../../src/pbx/queue/strategy.js';

const agent = (extension: string, order: number, extra: Partial<AgentCandidate> = {}): AgentCandidate =>
  ({ extension, order, lastCallEndedAt: null, callsTaken: 0, available: true, ...extra });

t.test('ring-all rings every free agent, skipping busy/paused ones (available=false)', async (t) => {
  const members = [agent('101', 1), agent('102', 2, { available: false }), agent('103', 3)];
  t.same(pickAgents('ring-all', members), ['101', '103']);
  t.same(pickAgents('ring-all', members.map((m) => ({ ...m, available: false }))), [], 'nobody free: nobody rung');
});

t.test('round-robin continues after the agent offered the previous call', async (t) => {
  const members = [agent('101', 1), agent('102', 2), agent('103', 3)];
  const order: string[] = [];
  let last: string | undefined;
  for (let call = 0; call < 4; call++) {
    const [next] = pickAgents('round-robin', members, last === undefined ? {} : { lastOffered: last });
    order.push(next!);
    last = next;
  }
  t.same(order, ['101', '102', '103', '101']);
  t.same(pickAgents('round-robin', [agent('101', 1), agent('102', 2, { available: false }), agent('103', 3)], { lastOffered: '101' }), ['103'],
    'a busy agent is skipped but the rotation keeps going');
  t.same(pickAgents('round-robin', members, { lastOffered: 'gone' }), ['101'], 'an unknown last agent starts from the top');
});

t.test('least-recent picks the agent idle longest; never-called first; ties by order', async (t) => {
  const members = [agent('101', 1, { lastCallEndedAt: 5000 }), agent('102', 2, { lastCallEndedAt: 1000 }), agent('103', 3, { lastCallEndedAt: 3000 })];
  t.same(pickAgents('least-recent', members), ['102']);
  t.same(pickAgents('least-recent', [...members, agent('104', 4)]), ['104']);
  t.same(pickAgents('least-recent', [agent('101', 2, { lastCallEndedAt: 7 }), agent('102', 1, { lastCallEndedAt: 7 })]), ['102']);
  t.same(pickAgents('least-recent', members, { tried: new Set(['102']) }), ['103'], 'an agent already tried this round is skipped');
});

t.test('fewest-calls picks the agent with the fewest calls taken; skips unavailable', async (t) => {
  const members = [agent('101', 1, { callsTaken: 4 }), agent('102', 2, { callsTaken: 1, available: false }), agent('103', 3, { callsTaken: 2 })];
  t.same(pickAgents('fewest-calls', members), ['103']);
  t.same(pickAgents('fewest-calls', members, { tried: new Set(['103']) }), ['101']);
  t.same(pickAgents('fewest-calls', members, { tried: new Set(['101', '103']) }), ['103'], 'everyone tried: a new round starts');
});
