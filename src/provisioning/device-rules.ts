import { ValidationError } from '../errors.js';
import type { Device } from '../data/types.js';
import { validateHookFlash } from './hook-flash.js';
import type { DeviceModel } from './model-types.js';
import { regionPreset } from './regions.js';

export type DeviceLayout = Pick<Device, 'lines' | 'functionKeys' | 'hookFlashPreset' | 'hookFlashMin' | 'hookFlashMax' | 'region'>;

/**
 * Checks a device against what its model can do, for the CLI and admin forms: line count,
 * function keys on real keys not used as lines, no duplicate keys, hook-flash timers and region.
 * The renderer is forgiving (a function key on a line key is dropped, the line wins); this is
 * where the user hears about it.
 */
export function validateDeviceForModel(model: DeviceModel, device: DeviceLayout): void {
  if (device.lines.length > model.lines) {
    throw new ValidationError(`${model.id} has ${model.lines} line(s); ${device.lines.length} extensions given`, 'lines');
  }
  const seenLines = new Set<string>();
  for (const number of device.lines) {
    if (number === '') continue;
    if (seenLines.has(number)) throw new ValidationError(`extension ${number} is on more than one line of this device`, 'lines');
    seenLines.add(number);
  }
  const seenKeys = new Set<number>();
  for (const fk of device.functionKeys) {
    if (model.lineKeys === 0) {
      throw new ValidationError(`${model.id} has no keys for BLF or speed dial (function key ${fk.key})`, 'functionKeys');
    }
    if (!Number.isInteger(fk.key) || fk.key < 1 || fk.key > model.lineKeys) {
      throw new ValidationError(`function key ${fk.key} does not exist on ${model.id} (keys 1–${model.lineKeys})`, 'functionKeys');
    }
    if (seenKeys.has(fk.key)) throw new ValidationError(`function key ${fk.key} is defined twice`, 'functionKeys');
    seenKeys.add(fk.key);
    const line = device.lines[fk.key - 1];
    if (line !== undefined && line !== '') {
      throw new ValidationError(`key ${fk.key} already shows line ${fk.key} (extension ${line}); pick a key not used by a line`, 'functionKeys');
    }
    if (fk.kind !== 'blf' && fk.kind !== 'speeddial') {
      throw new ValidationError(`function key ${fk.key}: kind must be "blf" or "speeddial"`, 'functionKeys');
    }
    if (!/^[0-9*#]{1,32}$/.test(fk.target)) {
      throw new ValidationError(`function key ${fk.key}: target "${fk.target}" must be digits, * or #`, 'functionKeys');
    }
  }
  validateHookFlash(model, device);
  if (device.region !== null) regionPreset(device.region, 'region');
}
