import t from 'tap';
import { createCallRouter, describeStep, type CallRouterDeps, type CallStep } from '../../../src/pbx/rules/plan.js';
import { compileSchedule } from '../../../src/pbx/rules/schedule.js';
import type { Destination, EntryNumber, ForwardingRules } from '../../../src/pbx/types.js';

const ext = (number: string): Destination => ({ kind: 'extension', number });
const vm = (box: string): Destination => ({ kind: 'voicemail', box });
const weekdays = ['08:00-16:00'];
const officeHours = compileSchedule({
  name: 'office', weekly: { monday: weekdays, tuesday: weekdays, wednesday: weekdays, thursday: weekdays, friday: weekdays },
});

function world(opts: {
  rules?: Record<string, ForwardingRules>;
  entries?: EntryNumber[];
  now?: string;
  extra?: Partial<CallRouterDeps>;
} = {}) {
  const extensions = new Set(['10', '11', '12', '102', ...Array.from({ length: 20 }, (_, i) => String(20 + i))]);
  const queues = new Set(['500']);
  const mailboxes = new Set(['10', '102']);
  const rules = new Map(Object.entries(opts.rules ?? {}));
  const entries = new Map((opts.entries ?? []).map((e) => [e.number, e]));
  let now = Date.parse(opts.now ?? '2026-03-02T10:00:00+01:00'); // a Monday, in office hours
  const router = createCallRouter({
    forwarding: { getForwarding: (n) => rules.get(n) },
    schedules: { getEntry: (n) => entries.get(n) },
    directory: { isExtension: (n) => extensions.has(n), isQueue: (n) => queues.has(n), isMailbox: (b) => mailboxes.has(b) },
    clock: () => now,
    available: { voicemail: true, queues: true },
    ...opts.extra,
  });
  return { router, rules, setNow: (iso: string) => { now = Date.parse(iso); } };
}

/** Runs a call through outcomes and returns every step it took. */
function walk(router: ReturnType<typeof world>['router'], dialled: string, outcomes: Parameters<typeof router.nextStep>[1][]): CallStep[] {
  const steps = [router.firstStep(dialled)];
  for (const outcome of outcomes) steps.push(router.nextStep(steps[steps.length - 1]!, outcome));
  return steps;
}

t.test('an extension without rules rings for the default time; unhappy outcomes end with their status', async (t) => {
  const { router } = world();
  const ring = router.firstStep('10');
  t.same(ring, { kind: 'ring', extension: '10', timeoutS: 30, cause: 'dialled', path: ['10'] });
  t.same(router.nextStep(ring, 'answered'), { kind: 'answered', path: ['10'] });
  t.match(router.nextStep(ring, 'busy'), { kind: 'reject', status: 486, reason: 'extension 10 is busy', warn: false });
  t.match(router.nextStep(ring, 'no-answer'), { kind: 'reject', status: 480, reason: 'extension 10 did not answer within 30 s' });
  t.match(router.nextStep(ring, 'unavailable'), { kind: 'reject', status: 480, reason: 'extension 10 is not registered' });
  t.match(router.nextStep(ring, 'failed'), { kind: 'reject', status: 480, reason: 'extension 10 could not take the call' });
});

t.test('102: ring 20 s, then voicemail on busy or no answer', async (t) => {
  const { router } = world({ rules: { '102': { busy: vm('102'), noAnswer: { after: 20, to: vm('102') } } } });
  const ring = router.firstStep('102');
  t.same(ring, { kind: 'ring', extension: '102', timeoutS: 20, cause: 'dialled', path: ['102'], onBusy: vm('102'), onNoAnswer: vm('102') });
  t.equal(describeStep(ring), 'ring extension 102 for 20 s; busy → voicemail 102; no answer → voicemail 102');
  t.same(router.nextStep(ring, 'busy'), { kind: 'voicemail', box: '102', cause: 'busy', path: ['102'] });
  t.same(router.nextStep(ring, 'no-answer'), { kind: 'voicemail', box: '102', cause: 'no-answer', path: ['102'] });
  t.match(router.nextStep(ring, 'unavailable'), { kind: 'reject', status: 480 }, 'no unavailable rule');
});

t.test('until voicemail and queues exist, such destinations answer 480 with a reason worth a warning', async (t) => {
  const { router } = world({
    rules: { '102': { busy: vm('102'), unavailable: { kind: 'queue', number: '500' } } },
    extra: { available: { voicemail: false, queues: false } },
  });
  const ring = router.firstStep('102');
  t.match(router.nextStep(ring, 'busy'), {
    kind: 'reject', status: 480, warn: true, reason: 'voicemail 102 cannot answer: voicemail is not available yet (reached via 102, busy)',
  });
  t.match(router.nextStep(ring, 'unavailable'), { kind: 'reject', status: 480, warn: true, reason: /queue 500 cannot answer: queues are not available yet/ });
  t.match(router.firstStep('500'), { kind: 'reject', status: 480, warn: true, reason: /queues are not available yet/ });
});

t.test('unconditional forwards are followed without ringing, across extensions', async (t) => {
  const { router } = world({ rules: { '10': { always: ext('11') }, '11': { always: ext('12') }, '12': { noAnswer: { after: 15, to: vm('10') } } } });
  const ring = router.firstStep('10');
  t.same(ring, { kind: 'ring', extension: '12', timeoutS: 15, cause: 'always', path: ['10', '11', '12'], onNoAnswer: vm('10') });
  t.same(router.nextStep(ring, 'no-answer'), { kind: 'voicemail', box: '10', cause: 'no-answer', path: ['10', '11', '12'] });
  t.same(walk(router, '11', ['answered']).map((s) => s.kind), ['ring', 'answered']);
});

t.test('unavailable (and failed) go to the unavailable destination', async (t) => {
  const { router } = world({ rules: { '10': { unavailable: ext('12') } } });
  const ring = router.firstStep('10');
  t.match(router.nextStep(ring, 'unavailable'), { kind: 'ring', extension: '12', cause: 'unavailable', path: ['10', '12'] });
  t.match(router.nextStep(ring, 'failed'), { kind: 'ring', extension: '12', cause: 'unavailable' });
});

t.test('an entry number routes by business hours before anything else', async (t) => {
  const entry: EntryNumber = { number: '100', schedule: officeHours, inHours: ext('10'), afterHours: vm('10') };
  const { router, setNow } = world({ entries: [entry] });
  t.match(router.firstStep('100'), { kind: 'ring', extension: '10', cause: 'in-hours', path: ['100', '10'] });
  setNow('2026-03-02T16:00:00+01:00');
  t.same(router.firstStep('100'), { kind: 'voicemail', box: '10', cause: 'after-hours', path: ['100'] });
  setNow('2026-03-07T10:00:00+01:00'); // Saturday
  t.match(router.firstStep('100'), { kind: 'voicemail', cause: 'after-hours' });
  const closedEntry: EntryNumber = { ...entry, number: '101', afterHours: { kind: 'hangup' } };
  const closed = world({ entries: [closedEntry], now: '2026-03-07T10:00:00+01:00' });
  t.match(closed.router.firstStep('101'), { kind: 'reject', status: 480, warn: false, reason: /rule says hang up/ });
});

t.test('forwarding loops are stopped with the path: direct, self, indirect, through an entry number', async (t) => {
  const direct = world({ rules: { '10': { always: ext('12') }, '12': { always: ext('10') } } });
  t.same(direct.router.firstStep('10'), { kind: 'loop', status: 482, reason: 'forwarding loop: 10 → 12 → 10', path: ['10', '12', '10'] });

  const self = world({ rules: { '10': { always: ext('10') } } });
  t.match(self.router.firstStep('10'), { kind: 'loop', status: 482, path: ['10', '10'] });

  const busyBack = world({ rules: { '10': { busy: ext('11') }, '11': { noAnswer: { after: 10, to: ext('12') } }, '12': { unavailable: ext('10') } } });
  const steps = walk(busyBack.router, '10', ['busy', 'no-answer', 'unavailable']);
  t.same(steps.map((s) => s.kind), ['ring', 'ring', 'ring', 'loop']);
  t.match(steps[3], { status: 482, path: ['10', '11', '12', '10'] });

  const entry: EntryNumber = { number: '100', schedule: officeHours, inHours: ext('10'), afterHours: ext('10') };
  const viaEntry = world({ entries: [entry], rules: { '10': { always: ext('100') } } });
  t.match(viaEntry.router.firstStep('100'), { kind: 'loop', status: 482, path: ['100', '10', '100'] });
});

t.test('a chain deeper than maxDepth stops with 480 even without a cycle', async (t) => {
  const rules: Record<string, ForwardingRules> = {};
  for (let n = 20; n < 39; n++) rules[String(n)] = { always: ext(String(n + 1)) };
  const { router } = world({ rules, extra: { maxDepth: 5 } });
  const step = router.firstStep('20');
  t.same(step, {
    kind: 'loop', status: 480, path: ['20', '21', '22', '23', '24', '25'],
    reason: 'forwarding deeper than 5 numbers: 20 → 21 → 22 → 23 → 24 → 25',
  });
  t.match(world({ rules }).router.firstStep('20'), { kind: 'loop', status: 480, path: { length: 11 } }, 'default depth 10');
});

t.test('unknown numbers: 404 when dialled, 480 + warning when a forward points there', async (t) => {
  const { router } = world({ rules: { '10': { busy: ext('77') }, '11': { busy: vm('11') } } });
  t.same(router.firstStep('77'), { kind: 'reject', status: 404, reason: '77 is not a number here', warn: false, path: [] });
  t.match(router.nextStep(router.firstStep('10'), 'busy'), {
    kind: 'reject', status: 480, warn: true, reason: 'forward to 77, which is not an extension, queue or entry number (reached via 10, busy)',
  });
  t.match(router.nextStep(router.firstStep('11'), 'busy'), { kind: 'reject', status: 480, warn: true, reason: /voicemail box 11 does not exist/ });
});

t.test('queues as destinations and as dialled numbers', async (t) => {
  const { router } = world({ rules: { '10': { always: { kind: 'queue', number: '500' } }, '11': { busy: ext('500') } } });
  t.same(router.firstStep('10'), { kind: 'queue', number: '500', cause: 'always', path: ['10'] });
  t.same(router.firstStep('500'), { kind: 'queue', number: '500', cause: 'dialled', path: [] });
  t.match(router.nextStep(router.firstStep('11'), 'busy'), { kind: 'queue', number: '500', cause: 'busy' });
  t.match(router.nextStep(router.firstStep('10'), 'failed'), { kind: 'reject', status: 480, reason: 'queue 500 could not take the call (failed)' });
});

t.test('rules are read when a step is resolved, so a change during ringing applies', async (t) => {
  const { router, rules } = world();
  const ring = router.firstStep('10');
  rules.set('10', { busy: vm('10') });
  t.match(router.nextStep(ring, 'busy'), { kind: 'reject', status: 486 }, 'the ring step carries the rules it was planned with');
  t.match(router.nextStep(router.firstStep('10'), 'busy'), { kind: 'voicemail', box: '10' });
});

t.test('terminal steps have no next step; describeStep words every kind', async (t) => {
  const { router } = world({ rules: { '10': { always: ext('10') } } });
  const loop = router.firstStep('10');
  t.throws(() => router.nextStep(loop, 'busy'), { message: /"loop" step ends the call/ });
  t.equal(describeStep(loop), 'reject 482: forwarding loop: 10 → 10');
  t.equal(describeStep({ kind: 'voicemail', box: '10', cause: 'busy', path: ['10'] }), 'voicemail 10 (busy)');
  t.equal(describeStep({ kind: 'answered', path: ['100', '10'] }), 'answered (100 → 10)');
});
