/** startOfLocalDay: the first instant of a local calendar day, across DST changes and gaps. */
import t from 'tap';
import { startOfLocalDay, wallClock } from '../../../src/pbx/rules/zoned-time.js';

const dayOf = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);
const start = (iso: string, zone: string) => new Date(startOfLocalDay(dayOf(iso), zone)).toISOString();

t.test('local midnight in winter and summer time', async (t) => {
  t.equal(start('2026-11-22', 'Europe/Warsaw'), '2026-11-21T23:00:00.000Z', 'CET: UTC+1');
  t.equal(start('2026-07-01', 'Europe/Warsaw'), '2026-06-30T22:00:00.000Z', 'CEST: UTC+2');
  t.equal(start('2026-11-22', 'UTC'), '2026-11-22T00:00:00.000Z');
  t.equal(start('2026-11-22', 'America/New_York'), '2026-11-22T05:00:00.000Z');
});

t.test('days on which the clocks change', async (t) => {
  // Warsaw changes at 02:00/03:00: midnight itself is ordinary, the day is 23 or 25 hours long.
  t.equal(start('2026-03-29', 'Europe/Warsaw'), '2026-03-28T23:00:00.000Z');
  t.equal(start('2026-03-30', 'Europe/Warsaw'), '2026-03-29T22:00:00.000Z', 'the spring day has 23 hours');
  t.equal(start('2026-10-25', 'Europe/Warsaw'), '2026-10-24T22:00:00.000Z');
  t.equal(start('2026-10-26', 'Europe/Warsaw'), '2026-10-25T23:00:00.000Z', 'the autumn day has 25 hours');
  // Havana springs forward at midnight: 00:00 on 8 March never happens, the day starts at 01:00.
  const havana = startOfLocalDay(dayOf('2026-03-08'), 'America/Havana');
  t.equal(new Date(havana).toISOString(), '2026-03-08T05:00:00.000Z');
  t.equal(wallClock(havana, 'America/Havana').isoDate, '2026-03-08');
  t.equal(wallClock(havana - 1000, 'America/Havana').isoDate, '2026-03-07', 'a second earlier is still the day before');
});
