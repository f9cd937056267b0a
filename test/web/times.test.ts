/**
 * Times on the admin pages are on the office's clock (WebOptions.timeZone, which `hookflash
 * serve` sets from provisioning.timezone), and call-log dates mean whole local days.
 */
import t from 'tap';
import { formatTime } from '../../src/web/views.js';
import { callFilter } from '../../src/web/admin-calls.js';
import { buildWebStack, login } from '../helpers/web.js';

t.test('formatTime: local date, time and zone name; UTC by default', async (t) => {
  t.same(formatTime('2026-03-01T10:20:30.000Z'), { iso: '2026-03-01T10:20:30.000Z', text: '2026-03-01 10:20:30 UTC' });
  t.equal(formatTime('2026-03-01T10:20:30Z', 'Europe/Warsaw')?.text, '2026-03-01 11:20:30 CET');
  t.equal(formatTime(Date.UTC(2026, 6, 1, 10, 20, 30), 'Europe/Warsaw')?.text, '2026-07-01 12:20:30 CEST', 'summer time');
  t.equal(formatTime('2026-11-21T23:30:00Z', 'Europe/Warsaw')?.text, '2026-11-22 00:30:00 CET', 'the local date, not the UTC one');
  t.equal(formatTime('not a time', 'Europe/Warsaw'), null);
});

t.test('callFilter: from/to are whole days in the given zone, "to" inclusive', async (t) => {
  t.same(callFilter({ from: '2026-11-22', to: '2026-11-22' }, 'Europe/Warsaw'),
    { since: '2026-11-21T23:00:00.000Z', until: '2026-11-22T23:00:00.000Z' });
  t.same(callFilter({ from: '2026-11-22', to: '2026-11-22' }),
    { since: '2026-11-22T00:00:00.000Z', until: '2026-11-23T00:00:00.000Z' }, 'UTC without a zone');
  t.same(callFilter({ from: '2026-10-25', to: '2026-10-25' }, 'Europe/Warsaw'),
    { since: '2026-10-24T22:00:00.000Z', until: '2026-10-25T23:00:00.000Z' }, 'the 25-hour day the clocks go back');
  t.throws(() => callFilter({ from: '2026-02-30' }, 'Europe/Warsaw'), /from "2026-02-30" is not a date as YYYY-MM-DD/);
});

t.test('call log page in Europe/Warsaw: local times shown, a call at 00:30 local is on that local day', async (t) => {
  const s = await buildWebStack(t, { options: { timeZone: 'Europe/Warsaw' } });
  await s.addUser('anna', 'admin');
  const admin = (await login(s.app, 'anna')).session!;
  // 23:30 UTC on the 21st is 00:30 on the 22nd in Warsaw; 22:30 UTC is still the 21st there.
  for (const [callId, at] of [['just-after-midnight', '2026-11-21T23:30:00.000Z'], ['late-evening', '2026-11-21T22:30:00.000Z']] as const) {
    const c = s.repos.cdr.start({ callId, caller: '101', callee: '102', at });
    s.repos.cdr.end(c.id, 'answered', at);
  }
  const on22 = await admin.get('/admin/calls?from=2026-11-22&to=2026-11-22');
  t.equal(on22.statusCode, 200);
  t.equal((on22.body.match(/<tr><td><time /g) ?? []).length, 1, 'one call on the 22nd, local time');
  t.match(on22.body, /<label for="from">From \(day, Europe\/Warsaw\)<\/label>/, 'the filter says which days it means');
  t.match(on22.body, /<time datetime="2026-11-21T23:30:00.000Z"><span class="nowrap">2026-11-22<\/span> <span class="nowrap">00:30:00 CET<\/span><\/time>/);
  const on21 = await admin.get('/admin/calls?from=2026-11-21&to=2026-11-21');
  t.equal((on21.body.match(/<tr><td><time /g) ?? []).length, 1, 'and one on the 21st');
  t.match(on21.body, /23:30:00 CET/, 'the 22:30 UTC call, shown at 23:30 local');
});
