import t from 'tap';
import { validateDeviceForModel } from '../../src/provisioning/device-rules.js';
import { models, spa112, spa303 } from './content-fixtures.js';

const m303 = models.get('spa303')!;
const m112 = models.get('spa112')!;

t.test('valid layouts pass', async (t) => {
  t.doesNotThrow(() => validateDeviceForModel(m303, spa303()));
  t.doesNotThrow(() => validateDeviceForModel(m303, spa303({ lines: ['10'], functionKeys: [{ key: 2, kind: 'speeddial', target: '*97' }] })));
  t.doesNotThrow(() => validateDeviceForModel(m112, spa112({ lines: ['21', '102'], hookFlashPreset: 'long-600ms', region: 'us' })));
});

t.test('invalid layouts fail with the field and a clear reason', async (t) => {
  const cases: Array<[string, () => void, string, RegExp]> = [
    ['too many lines', () => validateDeviceForModel(m112, spa112({ lines: ['10', '11', '12'] })), 'lines', /spa112 has 2 line\(s\); 3 extensions given/],
    ['duplicate extension', () => validateDeviceForModel(m303, spa303({ lines: ['10', '10'] })), 'lines', /extension 10 is on more than one line/],
    ['key on a line', () => validateDeviceForModel(m303, spa303({ lines: ['10', '11'], functionKeys: [{ key: 2, kind: 'blf', target: '12' }] })),
      'functionKeys', /key 2 already shows line 2 \(extension 11\)/],
    ['key out of range', () => validateDeviceForModel(m303, spa303({ functionKeys: [{ key: 4, kind: 'blf', target: '12' }] })), 'functionKeys', /keys 1–3/],
    ['duplicate key', () => validateDeviceForModel(m303, spa303({ lines: ['10'], functionKeys: [{ key: 3, kind: 'blf', target: '12' }, { key: 3, kind: 'blf', target: '11' }] })),
      'functionKeys', /defined twice/],
    ['bad target', () => validateDeviceForModel(m303, spa303({ lines: ['10'], functionKeys: [{ key: 3, kind: 'blf', target: '12;x=1' }] })), 'functionKeys', /digits, \* or #/],
    ['keys on an ATA', () => validateDeviceForModel(m112, spa112({ functionKeys: [{ key: 1, kind: 'blf', target: '12' }] })), 'functionKeys', /spa112 has no keys/],
    ['hook flash', () => validateDeviceForModel(m112, spa112({ hookFlashMin: 0.5, hookFlashMax: 0.45 })), 'hookFlashMin', /0\.1–0\.4/],
    ['hook flash on a phone', () => validateDeviceForModel(m303, spa303({ hookFlashPreset: 'default' })), 'hookFlashPreset', /no hook-flash timers/],
    ['region', () => validateDeviceForModel(m303, spa303({ region: 'zz' })), 'region', /unknown region "zz"/],
  ];
  for (const [label, fn, field, message] of cases) t.throws(fn, { name: 'ValidationError', field, message }, label);
});
