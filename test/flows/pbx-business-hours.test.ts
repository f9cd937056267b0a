/**
 * Business hours on an entry number, end to end: a SIPp phone as extension 101 dials the
 * office number 20; in office hours the day desk (102) answers, after hours and on a holiday
 * the night desk (103) does. The PBX's clock is the stack's clock, set to Warsaw local times.
 */
import t, { type Test } from 'tap';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeSipp, runSipp } from '../helpers/sip/sipp.js';
import { password, startCallStack, type CallStack } from '../helpers/pbx/calls.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const scenario = (name: string) => join(HERE, '..', 'pbx', 'call', 'sipp', name);

function call(cs: CallStack, dialled: string) {
  return runSipp({
    scenario: scenario('uac-auth-call.xml'), remote: `127.0.0.1:${cs.sipPort}`, service: dialled,
    authUser: '101', authPassword: password('101'),
    keys: { caller: '101', caller_name: 'Anna Nowak' }, timeoutMs: 20_000,
    extraArgs: ['-auth_uri', `${dialled}@127.0.0.1:${cs.sipPort}`],
  });
}

/** Moves the PBX clock to an instant (the stack's clock only moves by offsets). */
function setClock(cs: CallStack, iso: string): void {
  cs.stack.advance(Date.parse(iso) - cs.stack.now());
}

/** Registers `desk` (answering), calls 20, and checks that desk answered. */
async function expectAnsweredBy(t: Test, cs: CallStack, desk: string): Promise<void> {
  const phone = await cs.sippPhone(t, desk, scenario('uas-answer.xml'));
  const caller = await call(cs, '20');
  t.equal(caller.exitCode, 0, `caller connected: ${describeSipp(caller)}`);
  const answered = await phone.done;
  t.equal(answered.exitCode, 0, `${desk} answered the call to 20: ${describeSipp(answered)}`);
  t.equal(await cs.settled(), 0, 'no call legs left');
}

t.test('entry number 20 rings the day desk in hours and the night desk after hours and on holidays', async (t) => {
  const cs = await startCallStack(t, { extensions: ['101', '102', '103'] });
  cs.stack.pbx.schedules.saveEntry({
    number: '20',
    schedule: {
      name: 'office',
      timeZone: 'Europe/Warsaw',
      weekly: { monday: ['08:00-16:00'], tuesday: ['08:00-16:00'], wednesday: ['08:00-16:00'], thursday: ['08:00-16:00'], friday: ['08:00-16:00'] },
      holidays: [{ date: '12-25', name: 'Boże Narodzenie' }],
    },
    inHours: { kind: 'extension', number: '102' },
    afterHours: { kind: 'extension', number: '103' },
  });

  setClock(cs, '2026-11-23T09:00:00Z'); // Monday 10:00 in Warsaw (CET, UTC+1)
  await t.test('Monday 10:00: in hours', (t) => expectAnsweredBy(t, cs, '102'));

  setClock(cs, '2026-11-23T19:00:00Z'); // Monday 20:00 in Warsaw
  await t.test('Monday 20:00: after hours', (t) => expectAnsweredBy(t, cs, '103'));

  setClock(cs, '2026-12-25T09:00:00Z'); // Friday 25 December, 10:00: a holiday
  await t.test('Christmas Day 10:00: holiday', (t) => expectAnsweredBy(t, cs, '103'));

  const records = cs.stack.repos.cdr.list();
  t.equal(records.length, 3, 'one call record per call');
  t.ok(records.every((r) => r.disposition === 'answered'), 'all three answered');
});
