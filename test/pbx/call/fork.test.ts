/**
 * The parallel fork's decisions with a scripted srf and fake timers: first answer wins and
 * the rest are cancelled, the ring timer means no-answer, the caller's CANCEL cancels all,
 * failures combine to busy > no-answer > failed.
 */
import t from 'tap';
import { silentLogger } from '../../../src/log.js';
import { ringContacts, outcomeOfStatus, type Timers } from '../../../src/pbx/call/fork.js';
import type { CallSrf, SrfDialog } from '../../../src/pbx/call/srf-call-types.js';
import type { ReachableContact } from '../../../src/pbx/registrar/contacts.js';

const contact = (n: number): ReachableContact => ({
  extension: '102', uri: `sip:102@10.0.0.${n}`, proxy: `sip:127.0.0.1:${5000 + n};transport=udp`,
  transport: 'udp', expiresAt: 0, userAgent: null, instanceId: null,
});

function fakeTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  const timers: Timers = {
    setTimeout: (fn) => { pending.set(++next, fn); return next; },
    clearTimeout: (h) => { pending.delete(h as number); },
  };
  return { timers, fire: () => { for (const [id, fn] of [...pending]) { pending.delete(id); fn(); } }, pending };
}

function scriptedSrf() {
  const legs: Array<{ uri: string; proxy?: string; from?: string; cancelled: number; answer(d: SrfDialog): void; fail(status: number): void }> = [];
  const srf = {
    createUAC(uri, opts, progress) {
      return new Promise<SrfDialog>((resolve, reject) => {
        const leg = {
          uri, proxy: opts.proxy, from: `${opts.callingName}/${opts.callingNumber}`, cancelled: 0,
          answer: resolve, fail: (status: number) => reject(Object.assign(new Error('failed'), { status })),
        };
        legs.push(leg);
        progress.cbRequest?.(null, { cancel: () => { leg.cancelled++; leg.fail(487); } });
      });
    },
  } as Partial<CallSrf> as CallSrf;
  return { srf, legs };
}

const dialog = (id: string): SrfDialog & { destroyed: number } => {
  const d = { id, destroyed: 0, destroy: async () => { d.destroyed++; } };
  return d as unknown as SrfDialog & { destroyed: number };
};

t.test('no contacts: unavailable without sending anything', async (t) => {
  const { srf, legs } = scriptedSrf();
  t.same(await ringContacts(srf, { contacts: [], sdp: 'v=0', caller: { number: '101' }, timeoutMs: 1000 }, silentLogger()), { kind: 'unavailable' });
  t.equal(legs.length, 0);
});

t.test('every contact rings at once via its proxy; the first answer wins, the others are cancelled', async (t) => {
  const { srf, legs } = scriptedSrf();
  const { timers, pending } = fakeTimers();
  const result = ringContacts(srf, {
    contacts: [contact(1), contact(2), contact(3)], sdp: 'v=0', caller: { number: '101', displayName: 'Anna' }, timeoutMs: 20_000,
  }, silentLogger(), timers);
  t.same(legs.map((l) => l.proxy), ['sip:127.0.0.1:5001;transport=udp', 'sip:127.0.0.1:5002;transport=udp', 'sip:127.0.0.1:5003;transport=udp']);
  t.same(legs.map((l) => l.from), ['Anna/101', 'Anna/101', 'Anna/101'], 'caller id on every leg');
  const winner = dialog('w');
  legs[1]!.answer(winner);
  t.same(await result, { kind: 'answered', dialog: winner });
  t.same(legs.map((l) => l.cancelled), [1, 0, 1]);
  t.equal(pending.size, 0, 'ring timer cleared');
});

t.test('the ring timer fires: no-answer, every leg cancelled', async (t) => {
  const { srf, legs } = scriptedSrf();
  const { timers, fire } = fakeTimers();
  const result = ringContacts(srf, { contacts: [contact(1), contact(2)], sdp: 'v=0', caller: { number: '101' }, timeoutMs: 5000 }, silentLogger(), timers);
  fire();
  t.same(await result, { kind: 'no-answer' });
  t.same(legs.map((l) => l.cancelled), [1, 1]);
});

t.test("the caller's CANCEL cancels all legs; an answer racing in afterwards is hung up", async (t) => {
  const { srf, legs } = scriptedSrf();
  const { timers } = fakeTimers();
  const abort = new AbortController();
  const late = dialog('late');
  // a leg whose CANCEL loses the race to its 200
  const result = ringContacts(srf, { contacts: [contact(1)], sdp: 'v=0', caller: { number: '101' }, timeoutMs: 5000, signal: abort.signal }, silentLogger(), timers);
  const leg = legs[0]!;
  leg.fail = () => undefined;
  abort.abort();
  t.same(await result, { kind: 'cancelled' });
  leg.answer(late);
  await new Promise((r) => setImmediate(r));
  t.equal(late.destroyed, 1, 'the late answer got a BYE');
});

t.test('all legs fail: busy beats no-answer beats failed', async (t) => {
  const { srf, legs } = scriptedSrf();
  const result = ringContacts(srf, { contacts: [contact(1), contact(2), contact(3)], sdp: 'v=0', caller: { number: '101' }, timeoutMs: 5000 }, silentLogger(), fakeTimers().timers);
  legs[0]!.fail(404);
  legs[1]!.fail(486);
  legs[2]!.fail(480);
  t.same(await result, { kind: 'busy', status: 486 });
  t.same(outcomeOfStatus(600), { kind: 'busy', status: 600 });
  t.same(outcomeOfStatus(408), { kind: 'no-answer' });
  t.same(outcomeOfStatus(503), { kind: 'failed', status: 503 });
});
