import t from 'tap';
import { resolveHookFlash, validateHookFlash } from '../../src/provisioning/hook-flash.js';
import { models } from './content-fixtures.js';

const spa112 = models.get('spa112')!;
const spa303 = models.get('spa303')!;
const none = { hookFlashPreset: null, hookFlashMin: null, hookFlashMax: null };

t.test('defaults, presets and overrides', async (t) => {
  t.same(resolveHookFlash(spa112, none), { min: 0.1, max: 0.9 });
  t.same(resolveHookFlash(spa112, { ...none, hookFlashPreset: 'default' }), { min: 0.1, max: 0.9 });
  t.same(resolveHookFlash(spa112, { ...none, hookFlashPreset: 'europe-100ms' }), { min: 0.1, max: 0.4 });
  t.same(resolveHookFlash(spa112, { ...none, hookFlashMin: 0.4, hookFlashMax: 1.6 }), { min: 0.4, max: 1.6 }, 'range bounds are allowed');
  for (const [name, p] of Object.entries(spa112.hookFlash!.presets)) {
    t.ok(p.description.length > 10, `preset ${name} is described`);
    t.same(resolveHookFlash(spa112, { ...none, hookFlashPreset: name }), { min: p.min, max: p.max });
  }
});

t.test('validation errors say what was wrong', async (t) => {
  t.throws(() => resolveHookFlash(spa112, { ...none, hookFlashMin: 0.05 }),
    { name: 'ValidationError', field: 'hookFlashMin', message: /minimum 0\.05 s is outside the spa112 range 0\.1–0\.4 s/ });
  t.throws(() => resolveHookFlash(spa112, { ...none, hookFlashMin: 0.5 }), { field: 'hookFlashMin', message: /0\.1–0\.4/ });
  t.throws(() => resolveHookFlash(spa112, { ...none, hookFlashMax: 0.3 }),
    { field: 'hookFlashMax', message: /maximum 0\.3 s is outside the spa112 range 0\.4–1\.6 s/ });
  t.throws(() => resolveHookFlash(spa112, { ...none, hookFlashMax: 1.7 }), { name: 'ValidationError', field: 'hookFlashMax' }, 'max above range');
  t.throws(() => resolveHookFlash(spa112, { ...none, hookFlashMin: 0.4, hookFlashMax: 0.4 }),
    { field: 'hookFlashMin', message: /minimum 0\.4 s must be below the maximum 0\.4 s/ });
  t.throws(() => resolveHookFlash(spa112, { ...none, hookFlashPreset: 'rotary' }),
    { field: 'hookFlashPreset', message: /unknown hook-flash preset "rotary".*default, europe-100ms/ });
  t.throws(() => resolveHookFlash(spa112, { ...none, hookFlashPreset: 'toString' }), { message: /unknown hook-flash preset/ }, 'no prototype keys');
  t.throws(() => resolveHookFlash(spa112, { ...none, hookFlashMin: Number.NaN }), { message: /must be a number/ });
  t.throws(() => resolveHookFlash(spa303, none), { name: 'ValidationError', message: /spa303 has no hook-flash timers/ });
});

t.test('validateHookFlash accepts phones without timers', async (t) => {
  t.doesNotThrow(() => validateHookFlash(spa303, none));
  t.throws(() => validateHookFlash(spa303, { ...none, hookFlashPreset: 'default' }), { message: /spa303 has no hook-flash timers/ });
  t.doesNotThrow(() => validateHookFlash(spa112, { ...none, hookFlashPreset: 'long-600ms' }));
  t.throws(() => validateHookFlash(spa112, { ...none, hookFlashMax: 9 }), { name: 'ValidationError', field: 'hookFlashMax' }, 'max far above range');
});
