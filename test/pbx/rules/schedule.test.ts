import t from 'tap';
import { compileSchedule, isOpen, nextChange, type ScheduleInput } from '../../../src/pbx/rules/schedule.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const weekdays = ['08:00-16:00'];
const office = compileSchedule({
  name: 'office',
  weekly: { monday: weekdays, tuesday: weekdays, wednesday: weekdays, thursday: weekdays, friday: weekdays },
});

t.test('defaults to Europe/Warsaw and is open exactly from the start to (not including) the end', async (t) => {
  t.equal(office.timeZone, 'Europe/Warsaw');
  // Monday 2 March 2026, CET (+01:00)
  t.equal(isOpen(office, at('2026-03-02T07:59:59+01:00')), false);
  t.equal(isOpen(office, at('2026-03-02T08:00:00+01:00')), true);
  t.equal(isOpen(office, new Date('2026-03-02T15:59:59+01:00')), true, 'accepts a Date');
  t.equal(isOpen(office, at('2026-03-02T16:00:00+01:00')), false);
  t.equal(isOpen(office, at('2026-03-07T10:00:00+01:00')), false, 'Saturday has no intervals');
  t.equal(isOpen(office, at('2026-03-02T07:30:00Z')), true, '07:30 UTC is 08:30 in Warsaw');
});

t.test('an interval crossing midnight belongs to the day it starts on', async (t) => {
  const nights = compileSchedule({ name: 'nights', weekly: { friday: ['22:00-06:00'] } });
  t.equal(isOpen(nights, at('2026-03-06T21:59:00+01:00')), false);
  t.equal(isOpen(nights, at('2026-03-06T22:00:00+01:00')), true);
  t.equal(isOpen(nights, at('2026-03-07T00:00:00+01:00')), true, 'midnight itself');
  t.equal(isOpen(nights, at('2026-03-07T05:59:00+01:00')), true, 'Saturday early morning');
  t.equal(isOpen(nights, at('2026-03-07T06:00:00+01:00')), false);
  t.equal(isOpen(nights, at('2026-03-06T03:00:00+01:00')), false, 'Friday early morning belongs to Thursday');
  t.same(nextChange(nights, at('2026-03-06T12:00:00+01:00')), { at: at('2026-03-06T22:00:00+01:00'), open: true });
  t.same(nextChange(nights, at('2026-03-06T23:00:00+01:00')), { at: at('2026-03-07T06:00:00+01:00'), open: false });

  const wholeDay = compileSchedule({ name: 'sat', weekly: { saturday: ['00:00-24:00'] } });
  t.equal(isOpen(wholeDay, at('2026-03-07T23:59:59+01:00')), true);
  t.equal(isOpen(wholeDay, at('2026-03-08T00:00:00+01:00')), false, '24:00 ends at midnight');
});

t.test('holidays replace their day: closed, or their own intervals; dated entries win over yearly ones', async (t) => {
  const s = compileSchedule({
    name: 'office',
    weekly: { monday: weekdays, tuesday: weekdays, wednesday: weekdays, thursday: weekdays, friday: weekdays },
    holidays: [
      { date: '12-24', name: 'Wigilia' },
      { date: '2026-12-24', intervals: ['08:00-12:00'] },
      { date: '12-25', name: 'Boże Narodzenie' },
    ],
  });
  t.equal(isOpen(s, at('2026-12-24T11:00:00+01:00')), true, 'short day in 2026');
  t.equal(isOpen(s, at('2026-12-24T13:00:00+01:00')), false);
  t.equal(isOpen(s, at('2025-12-24T11:00:00+01:00')), false, 'yearly closed on other years (a Wednesday)');
  t.equal(isOpen(s, at('2026-12-25T10:00:00+01:00')), false, 'a Friday holiday');
  t.equal(isOpen(s, at('2026-12-28T10:00:00+01:00')), true, 'back to normal on Monday');
  t.same(nextChange(s, at('2026-12-24T12:30:00+01:00')), { at: at('2026-12-28T08:00:00+01:00'), open: true },
    'skips the holiday and the weekend');
});

t.test('a holiday does not cut the previous night short, and closes its own night', async (t) => {
  const input: ScheduleInput = { name: 'n', weekly: { friday: ['22:00-06:00'], saturday: ['22:00-06:00'] } };
  const saturdayOff = compileSchedule({ ...input, holidays: [{ date: '2026-03-07' }] });
  t.equal(isOpen(saturdayOff, at('2026-03-07T05:00:00+01:00')), true, "Friday's night runs into the Saturday holiday");
  t.equal(isOpen(saturdayOff, at('2026-03-07T23:00:00+01:00')), false, "the holiday's own night is closed");
  t.equal(isOpen(saturdayOff, at('2026-03-08T05:00:00+01:00')), false);
  const fridayOff = compileSchedule({ ...input, holidays: [{ date: '2026-03-06' }] });
  t.equal(isOpen(fridayOff, at('2026-03-07T05:00:00+01:00')), false);
});

t.test('wall-clock hours hold on both sides of the DST changes in Europe/Warsaw', async (t) => {
  // Spring: Sunday 29 March 2026, 02:00 CET -> 03:00 CEST.
  t.equal(isOpen(office, at('2026-03-27T07:30:00Z')), true, 'Friday 08:30 CET');
  t.equal(isOpen(office, at('2026-03-30T06:30:00Z')), true, 'Monday 08:30 CEST');
  t.equal(isOpen(office, at('2026-03-30T06:59:00Z')), true);
  t.equal(isOpen(office, at('2026-03-30T05:59:00Z')), false, 'Monday 07:59 CEST');
  t.same(nextChange(office, at('2026-03-27T16:00:00+01:00')), { at: at('2026-03-30T08:00:00+02:00'), open: true });
  // Autumn: Sunday 25 October 2026, 03:00 CEST -> 02:00 CET.
  t.same(nextChange(office, at('2026-10-23T17:00:00+02:00')), { at: at('2026-10-26T08:00:00+01:00'), open: true });
  t.same(nextChange(office, at('2026-10-26T09:00:00+01:00')), { at: at('2026-10-26T16:00:00+01:00'), open: false });
});

t.test('on the spring-forward day an interval inside the gap opens when the clock jumps', async (t) => {
  const s = compileSchedule({ name: 'gap', weekly: { sunday: ['02:30-03:30'] } });
  t.equal(isOpen(s, at('2026-03-29T00:59:59Z')), false, '01:59:59 CET');
  t.equal(isOpen(s, at('2026-03-29T01:00:00Z')), true, '03:00 CEST, just after the jump over 02:30');
  t.same(nextChange(s, at('2026-03-29T00:00:00Z')), { at: at('2026-03-29T01:00:00Z'), open: true });
  t.same(nextChange(s, at('2026-03-29T01:00:00Z')), { at: at('2026-03-29T01:30:00Z'), open: false });

  const early = compileSchedule({ name: 'early', weekly: { sunday: ['01:00-04:00'] } });
  const opens = nextChange(early, at('2026-03-28T23:00:00Z'))!;
  const closes = nextChange(early, opens.at)!;
  t.equal(iso(opens.at), '2026-03-29T00:00:00.000Z');
  t.equal(iso(closes.at), '2026-03-29T02:00:00.000Z', 'three wall-clock hours are two real hours that night');
});

t.test('on the fall-back day a repeated wall time opens twice', async (t) => {
  const s = compileSchedule({ name: 'twice', weekly: { sunday: ['02:15-02:45'] } });
  const changes: string[] = [];
  let from = at('2026-10-25T00:00:00Z');
  for (let i = 0; i < 4; i++) {
    const next = nextChange(s, from)!;
    changes.push(`${iso(next.at)} ${next.open ? 'open' : 'closed'}`);
    from = next.at;
  }
  t.same(changes, [
    '2026-10-25T00:15:00.000Z open', '2026-10-25T00:45:00.000Z closed',
    '2026-10-25T01:15:00.000Z open', '2026-10-25T01:45:00.000Z closed',
  ]);
  const early = compileSchedule({ name: 'early', weekly: { sunday: ['01:00-04:00'] } });
  t.equal(isOpen(early, at('2026-10-25T02:59:00Z')), true, '03:59 CET');
  t.same(nextChange(early, at('2026-10-24T22:00:00Z')), { at: at('2026-10-24T23:00:00Z'), open: true });
  t.same(nextChange(early, at('2026-10-24T23:00:00Z')), { at: at('2026-10-25T03:00:00Z'), open: false }, 'four real hours');
});

t.test('other time zones', async (t) => {
  const ny = compileSchedule({ name: 'ny', timeZone: 'America/New_York', weekly: { monday: ['09:00-17:00'] } });
  t.equal(isOpen(ny, at('2026-03-02T14:00:00Z')), true, '09:00 EST');
  t.equal(isOpen(ny, at('2026-03-02T13:59:00Z')), false);
});

t.test('nextChange is null when the schedule never changes', async (t) => {
  t.equal(nextChange(compileSchedule({ name: 'closed', weekly: {} }), at('2026-01-01T00:00:00Z')), null);
  const all = ['00:00-24:00'];
  const always = compileSchedule({
    name: 'always', weekly: { monday: all, tuesday: all, wednesday: all, thursday: all, friday: all, saturday: all, sunday: all },
  });
  t.equal(nextChange(always, at('2026-01-01T00:00:00Z')), null);
});

t.test('invalid input is refused with a message naming the schedule and the value', async (t) => {
  const bad = (input: unknown, message: RegExp | string) =>
    t.throws(() => compileSchedule(input), typeof message === 'string' ? { message, name: 'ValidationError' } : { message });
  bad({ name: 'office', weekly: { monday: ['9:00-25:00'] } }, 'schedule "office": monday interval "9:00-25:00" is not HH:MM-HH:MM');
  bad({ name: 'office', weekly: { monday: ['08:00-24:01'] } }, /monday interval "08:00-24:01" is not HH:MM-HH:MM/);
  bad({ name: 'office', weekly: { monday: ['08:00-08:00'] } }, /monday interval "08:00-08:00" is empty/);
  bad({ name: 'office', weekly: { monday: '08:00-16:00' } }, /schedule "office": monday must be a list/);
  bad({ name: 'office', weekly: { Funday: [] } }, /schedule "office": unknown day "Funday" \(expected sunday, monday/);
  bad({ name: 'office', timeZone: 'Mars/Base', weekly: {} }, /schedule "office": time zone "Mars\/Base" is not a known IANA time zone/);
  bad({ name: 'office', weekly: {}, holidays: [{ date: '2026-02-30' }] }, /schedule "office": holiday #1: date "2026-02-30" is not a real date/);
  bad({ name: 'office', weekly: {}, holidays: [{ date: '24.12' }] }, /holiday #1: date "24.12"/);
  bad({ name: 'office', weekly: {}, holidays: [{ date: '12-24' }, { date: '12-24' }] }, /holiday 12-24 is listed twice/);
  bad({ name: 'office', weekly: {}, holidays: [{ date: '2026-12-24', intervals: ['x'] }] }, /holiday 2026-12-24 interval "x"/);
  bad({ weekly: {} }, /"name" must be a non-empty string/);
  bad({ name: 'office' }, /"weekly" must be an object/);
  t.doesNotThrow(() => compileSchedule({ name: 'leap', weekly: {}, holidays: [{ date: '02-29' }] }), 'yearly 02-29 is a real date');
});
