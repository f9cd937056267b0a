/**
 * Checks that need the device model (from firmware-profiles/): shared by `device add` and
 * `import`, so both accept and refuse exactly the same devices. Storage-level rules (MAC
 * syntax, existing extensions, duplicates) stay in the repositories.
 */
import { ValidationError } from '../errors.js';
import type { FunctionKey } from '../data/types.js';
import type { DeviceModel } from '../provisioning/model-types.js';
import { validateHookFlash } from '../provisioning/hook-flash.js';

export interface DeviceModelInput {
  model: string;
  lines: string[];
  functionKeys?: FunctionKey[];
  hookFlashPreset?: string | null;
  hookFlashMin?: number | null;
  hookFlashMax?: number | null;
}

export function lookupModel(models: Map<string, DeviceModel>, id: string): DeviceModel {
  const model = models.get(String(id).trim().toLowerCase());
  if (!model) {
    throw new ValidationError(`model ${JSON.stringify(id)} is not known (known models: ${[...models.keys()].join(', ')})`, 'model');
  }
  return model;
}

/** Returns the model the device uses; throws ValidationError naming the first problem. */
export function checkDeviceAgainstModel(models: Map<string, DeviceModel>, input: DeviceModelInput): DeviceModel {
  const model = lookupModel(models, input.model);
  const unit = model.kind === 'ata' ? 'ports' : 'lines';
  if (input.lines.length === 0) throw new ValidationError(`a device needs at least one line (${model.id} has ${model.lines} ${unit})`, 'lines');
  if (input.lines.length > model.lines) {
    throw new ValidationError(
      `${model.id} has ${model.lines} ${unit}, but ${input.lines.length} lines were given (${input.lines.join(', ')})`, 'lines',
    );
  }
  for (const key of input.functionKeys ?? []) {
    if (key.key > model.lineKeys) {
      throw new ValidationError(
        model.lineKeys === 0
          ? `${model.id} has no line keys, so key ${key.key} (${key.kind} ${key.target}) cannot be set`
          : `${model.id} has ${model.lineKeys} line keys; key ${key.key} (${key.kind} ${key.target}) does not exist`,
        'functionKeys',
      );
    }
    if (key.key <= input.lines.length) {
      throw new ValidationError(`key ${key.key} is already used by line ${key.key} (${input.lines[key.key - 1]})`, 'functionKeys');
    }
  }
  validateHookFlash(model, {
    hookFlashPreset: input.hookFlashPreset ?? null,
    hookFlashMin: input.hookFlashMin ?? null,
    hookFlashMax: input.hookFlashMax ?? null,
  });
  return model;
}

/** "3:102" or "3:102:Boss" → a function key; throws ValidationError with the expected form. */
export function parseKeySpec(spec: string, kind: FunctionKey['kind']): FunctionKey {
  const m = /^\s*(\d{1,2})\s*:\s*([^:]+?)\s*(?::(.*))?$/.exec(spec);
  if (!m) {
    throw new ValidationError(
      `${kind} ${JSON.stringify(spec)} is not allowed: expected <key>:<${kind === 'blf' ? 'extension' : 'number'}>[:<label>], e.g. 3:102:Reception`,
      kind,
    );
  }
  const label = m[3]?.trim();
  return { key: Number(m[1]), kind, target: m[2]!, ...(label ? { label } : {}) };
}

/** "0.1,0.9" → {min, max} seconds. */
export function parseHookFlashSpec(spec: string): { min: number; max: number } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*$/.exec(spec);
  if (!m) throw new ValidationError(`hook flash ${JSON.stringify(spec)} is not allowed: expected <min>,<max> in seconds, e.g. 0.1,0.9`, 'hookFlash');
  return { min: Number(m[1]), max: Number(m[2]) };
}

/** "102,103" or "102;103" → ["102", "103"] (empty items dropped). */
export function splitList(value: string, separator: RegExp = /[,;]/): string[] {
  return value.split(separator).map((s) => s.trim()).filter((s) => s !== '');
}
