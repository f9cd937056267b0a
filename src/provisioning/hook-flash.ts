import { ValidationError } from '../errors.js';
import type { Device } from '../data/types.js';
import type { DeviceModel } from './model-types.js';

export type HookFlashSettings = Pick<Device, 'hookFlashPreset' | 'hookFlashMin' | 'hookFlashMax'>;

function fmt(n: number): string {
  return `${n} s`;
}

/**
 * The hook-flash timers a device gets: its named preset (or the model default), with explicit
 * hookFlashMin / hookFlashMax overriding either bound. Throws ValidationError when the model
 * has no hook-flash timers, the preset is unknown, a value is outside the model's range, or
 * min is not below max — the CLI calls this to validate `device add`.
 */
export function resolveHookFlash(model: DeviceModel, device: HookFlashSettings): { min: number; max: number } {
  const hf = model.hookFlash;
  if (!hf) {
    throw new ValidationError(`model ${model.id} has no hook-flash timers (only analog adapters have them)`, 'hookFlashPreset');
  }
  let base = hf.defaults;
  if (device.hookFlashPreset !== null && device.hookFlashPreset !== undefined) {
    const preset = hf.presets[device.hookFlashPreset];
    if (!preset || !Object.hasOwn(hf.presets, device.hookFlashPreset)) {
      throw new ValidationError(
        `unknown hook-flash preset "${device.hookFlashPreset}" for ${model.id}; known presets: ${Object.keys(hf.presets).join(', ')}`,
        'hookFlashPreset',
      );
    }
    base = preset;
  }
  const min = device.hookFlashMin ?? base.min;
  const max = device.hookFlashMax ?? base.max;
  for (const [value, field] of [[min, 'hookFlashMin'], [max, 'hookFlashMax']] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ValidationError(`hook-flash ${field === 'hookFlashMin' ? 'minimum' : 'maximum'} must be a number of seconds`, field);
    }
  }
  if (min < hf.min.min || min > hf.min.max) {
    throw new ValidationError(
      `hook-flash minimum ${fmt(min)} is outside the ${model.id} range ${hf.min.min}–${hf.min.max} s (Hook_Flash_Timer_Min)`,
      'hookFlashMin',
    );
  }
  if (max < hf.max.min || max > hf.max.max) {
    throw new ValidationError(
      `hook-flash maximum ${fmt(max)} is outside the ${model.id} range ${hf.max.min}–${hf.max.max} s (Hook_Flash_Timer_Max)`,
      'hookFlashMax',
    );
  }
  if (min >= max) {
    throw new ValidationError(`hook-flash minimum ${fmt(min)} must be below the maximum ${fmt(max)}`, 'hookFlashMin');
  }
  return { min, max };
}

/**
 * Validation for any model: a model without hook-flash timers accepts a device that sets none,
 * and rejects one that sets any; a model with timers resolves them.
 */
export function validateHookFlash(model: DeviceModel, device: HookFlashSettings): void {
  const setsAny = device.hookFlashPreset != null || device.hookFlashMin != null || device.hookFlashMax != null;
  if (!model.hookFlash && !setsAny) return;
  resolveHookFlash(model, device);
}
