import t from 'tap';
import { checkEntryNumber } from '../../../src/pbx/rules/entry-numbers.js';
import { isOpen } from '../../../src/pbx/rules/schedule.js';

t.test('a valid entry number comes back with its schedule compiled', async (t) => {
  const entry = checkEntryNumber({
    number: '100',
    schedule: { name: 'office', weekly: { monday: ['08:00-16:00'] } },
    inHours: { kind: 'extension', number: '10' },
    afterHours: { kind: 'voicemail', box: '10' },
  });
  t.equal(entry.number, '100');
  t.equal(entry.schedule.timeZone, 'Europe/Warsaw');
  t.equal(isOpen(entry.schedule, Date.parse('2026-03-02T09:00:00+01:00')), true);
  t.same(entry.afterHours, { kind: 'voicemail', box: '10' });
});

t.test('errors name the entry number and the part that is wrong', async (t) => {
  const schedule = { name: 'office', weekly: {} };
  t.throws(() => checkEntryNumber({ number: 'main', schedule, inHours: { kind: 'hangup' }, afterHours: { kind: 'hangup' } }),
    { message: 'entry number: number "main" is not a number of 2–6 digits' });
  t.throws(() => checkEntryNumber({ number: '100', schedule, inHours: { kind: 'hangup' } }),
    { message: 'entry number 100: afterHours: destination kind undefined is not one of extension, queue, voicemail, hangup' });
  t.throws(() => checkEntryNumber({ number: '100', schedule: { name: 'office', weekly: { monday: ['8-16'] } }, inHours: { kind: 'hangup' }, afterHours: { kind: 'hangup' } }),
    { message: 'schedule "office": monday interval "8-16" is not HH:MM-HH:MM' });
});
