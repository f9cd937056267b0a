/** startOfLocalDay (the first instant of a local day, across DST changes and gaps) and formatZoned. */
import t from 'tap';
import { formatZoned, startOfLocalDay, wallClock } from '../../src/util/zoned-time.js';

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

t.test('formatZoned: local wall time with the zone\'s short name', async (t) => {
  t.equal(formatZoned(Date.UTC(2026, 10, 22, 6, 29, 50), 'Europe/Warsaw'), '2026-11-22 07:29:50 CET');
  t.equal(formatZoned(Date.UTC(2026, 6, 1, 0, 0, 5), 'Europe/Warsaw'), '2026-07-01 02:00:05 CEST');
  t.equal(formatZoned(Date.UTC(2026, 10, 22, 6, 29, 50), 'UTC'), '2026-11-22 06:29:50 UTC');
  t.equal(formatZoned(Date.UTC(2026, 2, 8, 5, 0, 0), 'America/Havana'), '2026-03-08 01:00:00 GMT-4', 'no abbreviation: the offset');
});
