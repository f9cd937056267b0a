import t, { type Test } from 'tap';
import { openRepositories } from '../../../src/data/index.js';
import { silentLogger } from '../../../src/log.js';
import { answerStarCode } from '../../../src/pbx/call/star-code-call.js';
import { parseAgentCode } from '../../../src/pbx/rules/star-codes.js';
import { createDirectory, createForwardingStore } from '../../../src/pbx/stores.js';

function setup(t: Test) {
  const repos = openRepositories({ dataDir: t.testdir(), logger: silentLogger() });
  t.teardown(() => repos.close());
  for (const n of ['101', '102']) repos.extensions.add({ number: n, displayName: `Ext ${n}`, sipPassword: `secret-${n}-long` });
  repos.queues.add({ number: '30', overflow: '101', members: ['101'] });
  repos.queues.add({ number: '31', overflow: '101', members: ['101'] });
  const logger = silentLogger();
  const deps = {
    forwarding: createForwardingStore({ forwarding: repos.forwarding, logger }),
    directory: createDirectory({ extensions: repos.extensions, queues: repos.queues }),
    logger,
    queueAgents: {
      pause: (ext: string) => repos.queues.setPaused(ext, true),
      resume: (ext: string) => repos.queues.setPaused(ext, false),
    },
  };
  const sent: Array<{ status: number; reason: string | undefined; warning: string | undefined }> = [];
  const res = {
    send(status: number, reason?: unknown, opts?: { headers?: Record<string, string> }) {
      sent.push({ status, reason: typeof reason === 'string' ? reason : undefined, warning: opts?.headers?.['Warning'] });
    },
  };
  return { repos, deps, sent, res };
}

t.test('parseAgentCode: *46 pause, *47 resume, "#" ignored, anything else is not one', async (t) => {
  t.equal(parseAgentCode('*46'), 'pause');
  t.equal(parseAgentCode('*47#'), 'resume');
  t.equal(parseAgentCode('*4630'), undefined);
  t.equal(parseAgentCode('46'), undefined);
});

t.test('*46 pauses the agent in all its queues, *47 resumes; the phone is told which', async (t) => {
  const { repos, deps, sent, res } = setup(t);
  t.ok(answerStarCode(deps, '101', '*46', res));
  t.same(sent.pop(), { status: 603, reason: 'Agent Paused', warning: '399 hookflash "101 paused in queues 30, 31"' });
  t.same(repos.queues.list().map((q) => q.members[0]!.paused), [true, true]);
  t.ok(answerStarCode(deps, '101', '*47', res));
  t.same(sent.pop(), { status: 603, reason: 'Agent Resumed', warning: '399 hookflash "101 resumed in queues 30, 31"' });
  t.same(repos.queues.list().map((q) => q.members[0]!.paused), [false, false]);
  t.ok(answerStarCode(deps, '102', '*46', res));
  t.same(sent.pop(), { status: 484, reason: 'Address Incomplete', warning: '399 hookflash "102 is not an agent of any queue (*46)"' });
  t.notOk(answerStarCode(deps, '101', '30', res), 'a queue number is routed normally');
  t.ok(answerStarCode(deps, '102', '*7230', res), 'forwarding to a queue still works');
  t.same(sent.pop()?.status, 603);
  const { queueAgents: _unused, ...withoutQueues } = deps;
  t.notOk(answerStarCode(withoutQueues, '101', '*46', res), 'without queue agents the code is not handled here');
});
