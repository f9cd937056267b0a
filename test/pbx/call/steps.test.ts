/** The per-call step loop with the real router, fake ringing and a fake clock. */
import t from 'tap';
import { silentLogger } from '../../../src/log.js';
import { createCallRouter, type RingStep } from '../../../src/pbx/rules/plan.js';
import { runSteps } from '../../../src/pbx/call/steps.js';
import type { RingResult } from '../../../src/pbx/call/fork.js';
import type { SrfDialog } from '../../../src/pbx/call/srf-call-types.js';
import type { ForwardingRules } from '../../../src/pbx/types.js';

const dialog = { id: 'd1' } as unknown as SrfDialog;

function setup(rules: Record<string, ForwardingRules>, answers: Record<string, RingResult>, voicemail = false) {
  const router = createCallRouter({
    ...(voicemail ? { available: { voicemail: true, queues: false } } : {}),
    forwarding: { getForwarding: (ext) => rules[ext] },
    schedules: { getEntry: () => undefined },
    directory: { isExtension: (n) => ['101', '102', '103'].includes(n), isQueue: () => false, isMailbox: () => true },
    clock: () => Date.parse('2026-11-23T10:00:00Z'),
    defaultRingTimeoutS: 20,
  });
  const rung: RingStep[] = [];
  const ring = async (step: RingStep): Promise<RingResult> => {
    rung.push(step);
    return answers[step.extension] ?? { kind: 'unavailable' };
  };
  return { router, rung, ring };
}

t.test('answer on the first ring ends the plan with the dialog', async (t) => {
  const { router, ring, rung } = setup({}, { '102': { kind: 'answered', dialog } });
  const end = await runSteps(router.firstStep('102'), { router, ring, logger: silentLogger() });
  t.match(end, { kind: 'answered', step: { extension: '102' } });
  t.equal(rung.length, 1);
});

t.test('busy → forward → no answer → caller gets 480 and the record says no-answer', async (t) => {
  const { router, ring, rung } = setup(
    { '102': { busy: { kind: 'extension', number: '103' } }, '103': { noAnswer: { after: 7, to: { kind: 'hangup' } } } },
    { '102': { kind: 'busy', status: 486 }, '103': { kind: 'no-answer' } },
  );
  const steps: string[] = [];
  const end = await runSteps(router.firstStep('102'), {
    router, ring, logger: silentLogger(), onStep: (step) => steps.push(step.kind),
  });
  t.same(rung.map((s) => [s.extension, s.timeoutS]), [['102', 20], ['103', 7]], 'each ring step carries its ring time');
  t.same(steps, ['ring', 'ring', 'reject']);
  t.match(end, { kind: 'ended', status: 480, disposition: 'no-answer' });
});

t.test('cancelled ringing ends with 487 / cancelled and rings nothing else', async (t) => {
  const { router, ring, rung } = setup({ '102': { noAnswer: { after: 5, to: { kind: 'extension', number: '103' } } } },
    { '102': { kind: 'cancelled' } });
  const end = await runSteps(router.firstStep('102'), { router, ring, logger: silentLogger() });
  t.match(end, { kind: 'ended', status: 487, disposition: 'cancelled' });
  t.equal(rung.length, 1);
});

t.test('unavailable without a rule is 480 unavailable; a loop is 482 with the path', async (t) => {
  const a = setup({}, {});
  t.match(await runSteps(a.router.firstStep('102'), { router: a.router, ring: a.ring, logger: silentLogger() }),
    { kind: 'ended', status: 480, disposition: 'unavailable' });
  const b = setup({ '102': { always: { kind: 'extension', number: '103' } }, '103': { busy: { kind: 'extension', number: '102' } } },
    { '103': { kind: 'busy', status: 486 } });
  const end = await runSteps(b.router.firstStep('102'), { router: b.router, ring: b.ring, logger: silentLogger() });
  t.match(end, { kind: 'ended', status: 482, disposition: 'failed', reason: /102 → 103 → 102/ });
});

t.test('voicemail destinations (not available yet) end in 480, not a crash', async (t) => {
  const { router, ring } = setup({ '102': { busy: { kind: 'voicemail', box: '102' } } }, { '102': { kind: 'busy', status: 486 } });
  const end = await runSteps(router.firstStep('102'), { router, ring, logger: silentLogger() });
  t.match(end, { kind: 'ended', status: 480, disposition: 'busy', reason: /voicemail/ });
});

t.test('with voicemail available, a handoff hands the call over; without a taker it counts as unavailable', async (t) => {
  const rules = { '102': { noAnswer: { after: 5, to: { kind: 'voicemail' as const, box: '102' } } } };
  const { router, ring } = setup(rules, { '102': { kind: 'no-answer' } }, true);
  const asked: string[] = [];
  const end = await runSteps(router.firstStep('102'), {
    router, ring, logger: silentLogger(), handoff: (step) => { asked.push(step.kind); return true; },
  });
  t.same(end, { kind: 'handoff', step: { kind: 'voicemail', box: '102', cause: 'no-answer', path: ['102'] } });
  t.same(asked, ['voicemail']);

  const refused = await runSteps(router.firstStep('102'), { router, ring, logger: silentLogger(), handoff: () => false });
  t.match(refused, { kind: 'ended', status: 480, reason: /voicemail 102 could not take the call/ });
  const absent = await runSteps(router.firstStep('102'), { router, ring, logger: silentLogger() });
  t.match(absent, { kind: 'ended', status: 480 }, 'no handoff given: today\'s behaviour');
});
