import t from 'tap';
import { buildDialPlan, validateDialPlan } from '../../src/provisioning/dial-plan.js';
import { knownRegions, regionParamsFor, regionPreset } from '../../src/provisioning/regions.js';
import { knownTimeZones, spaTimeZone } from '../../src/provisioning/timezones.js';
import { models } from './content-fixtures.js';

t.test('every time zone in the table has SPA-formatted values', async (t) => {
  const rule = /^start=\d{1,2}\/-?\d{1,2}\/[0-7]\/\d{1,2};end=\d{1,2}\/-?\d{1,2}\/[0-7]\/\d{1,2};save=1$/;
  for (const zone of knownTimeZones()) {
    const z = spaTimeZone(zone);
    t.match(z.timeZone, /^GMT[+-]\d{2}:00$/, `${zone} offset`);
    if (z.dstRule !== null) t.match(z.dstRule, rule, `${zone} DST rule`);
  }
  t.same(spaTimeZone('Europe/Warsaw'), { timeZone: 'GMT+01:00', dstRule: 'start=3/-1/7/2;end=10/-1/7/3;save=1' });
  t.same(spaTimeZone('Europe/London'), { timeZone: 'GMT+00:00', dstRule: 'start=3/-1/7/1;end=10/-1/7/2;save=1' });
  t.throws(() => spaTimeZone('toString'), { name: 'ValidationError' }, 'no prototype keys');
});

t.test('regional presets', async (t) => {
  t.same(knownRegions().map((r) => r.id).sort(), ['pl', 'us']);
  const pl = regionPreset('pl');
  const names = (model: string) => regionParamsFor(pl, models.get(model)!).map((p) => p.name);
  t.ok(names('spa112').includes('Caller_ID_Method'));
  t.notOk(names('spa303').includes('Caller_ID_Method'));
  for (const preset of knownRegions()) {
    t.same(preset.params.map((p) => p.name).sort(), pl.params.map((p) => p.name).sort(),
      `${preset.id} writes the same names as pl, so switching presets overwrites every value`);
    for (const p of preset.params.filter((x) => /Tone$/.test(x.name))) t.match(p.value, /^\d+@-?\d+(,\d+@-?\d+)?;/, `${preset.id} ${p.name}`);
  }
  for (const p of pl.params.filter((x) => /Tone$/.test(x.name))) t.match(p.value, /^425@/, `pl ${p.name} is 425 Hz`);
});

t.test('dial plan', async (t) => {
  t.equal(buildDialPlan({ voicemailNumber: '*97', extras: [] }), '(*72xx|*72xxx|*72xxxx|*73S0|*xx|*xxx|*xxxx|xx|xxx|xxxx|*97)');
  t.equal(buildDialPlan({ voicemailNumber: 'xx', extras: ['xxx'] }), '(*72xx|*72xxx|*72xxxx|*73S0|*xx|*xxx|*xxxx|xx|xxx|xxxx)', 'no duplicates');
  t.throws(() => buildDialPlan({ voicemailNumber: '<script>', extras: [] }), { name: 'ValidationError', field: 'voicemailNumber' });
  t.equal(validateDialPlan(' (xx|*xx) '), '(xx|*xx)');
  t.throws(() => validateDialPlan('()'), { message: /must look like/ });
  t.throws(() => validateDialPlan('(xx|a)'), { message: /"a"/ });
});
