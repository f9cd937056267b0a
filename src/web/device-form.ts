/**
 * Turns a device form (admin page or installer page) into a checked NewDevice, using the same
 * model rules as the CLI (src/provisioning/device-rules.ts) so every door refuses the same input.
 */
import { ValidationError } from '../errors.js';
import type { FunctionKey, NewDevice } from '../data/types.js';
import type { DeviceModel } from '../provisioning/model-types.js';
import { validateDeviceForModel } from '../provisioning/device-rules.js';
import { parseMac } from '../util/mac.js';

export interface DeviceForm {
  mac?: string;
  model?: string;
  label?: string;
  line1?: string;
  line2?: string;
  line3?: string;
  /** One key per line or ";"-separated: "<key>:<extension>[:<label>]". */
  blf?: string;
  speedDial?: string;
  hookFlashPreset?: string;
  hookFlashMin?: string;
  hookFlashMax?: string;
  /** Regional preset id; '' = the settings default. */
  region?: string;
}

export const MAX_FORM_LINES = 3;

function parseKeys(text: string | undefined, kind: FunctionKey['kind'], field: string): FunctionKey[] {
  const keys: FunctionKey[] = [];
  for (const item of String(text ?? '').split(/[;\n]/).map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d{1,2})\s*:\s*([^:]+?)\s*(?::(.*))?$/.exec(item);
    if (!m) throw new ValidationError(`"${item}" is not a key: write <key>:<${kind === 'blf' ? 'extension' : 'number'}>[:<label>], e.g. 3:102:Reception`, field);
    const label = m[3]?.trim();
    keys.push({ key: Number(m[1]), kind, target: m[2]!, ...(label ? { label } : {}) });
  }
  return keys;
}

function optionalSeconds(value: string | undefined, field: string): number | null {
  const text = String(value ?? '').trim().replace(',', '.');
  if (text === '') return null;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new ValidationError(`"${text}" is not a number of seconds`, field);
  return n;
}

/** Throws ValidationError naming the field; mac is checked unless `mac` is given (edit). */
export function parseDeviceForm(form: DeviceForm, models: Map<string, DeviceModel>, mac?: string): NewDevice {
  const checkedMac = mac ?? parseMac(String(form.mac ?? ''));
  const modelId = String(form.model ?? '').trim().toLowerCase();
  const model = models.get(modelId);
  if (!model) throw new ValidationError(`choose a model (known: ${[...models.keys()].join(', ')})`, 'model');
  const lines = [form.line1, form.line2, form.line3].map((l) => String(l ?? '').trim()).filter(Boolean);
  const unit = model.kind === 'ata' ? 'port' : 'line';
  if (lines.length === 0) throw new ValidationError(`choose an extension for ${unit} 1`, 'line1');
  const device: NewDevice & Required<Pick<NewDevice, 'functionKeys' | 'hookFlashPreset' | 'hookFlashMin' | 'hookFlashMax' | 'region'>> = {
    mac: checkedMac,
    model: model.id,
    label: String(form.label ?? '').trim(),
    lines,
    functionKeys: [...parseKeys(form.blf, 'blf', 'blf'), ...parseKeys(form.speedDial, 'speeddial', 'speedDial')],
    hookFlashPreset: model.hookFlash && form.hookFlashPreset ? form.hookFlashPreset : null,
    hookFlashMin: model.hookFlash ? optionalSeconds(form.hookFlashMin, 'hookFlashMin') : null,
    hookFlashMax: model.hookFlash ? optionalSeconds(form.hookFlashMax, 'hookFlashMax') : null,
    region: String(form.region ?? '').trim() || null,
  };
  validateDeviceForModel(model, device);
  return device;
}

/** The form values that show an existing device. */
export function deviceToForm(d: NewDevice): DeviceForm {
  const keys = (kind: FunctionKey['kind']) =>
    (d.functionKeys ?? []).filter((k) => k.kind === kind).map((k) => `${k.key}:${k.target}${k.label ? `:${k.label}` : ''}`).join('; ');
  return {
    mac: d.mac, model: d.model, label: d.label ?? '', line1: d.lines[0] ?? '', line2: d.lines[1] ?? '', line3: d.lines[2] ?? '',
    blf: keys('blf'), speedDial: keys('speeddial'), hookFlashPreset: d.hookFlashPreset ?? '',
    hookFlashMin: d.hookFlashMin === null || d.hookFlashMin === undefined ? '' : String(d.hookFlashMin),
    hookFlashMax: d.hookFlashMax === null || d.hookFlashMax === undefined ? '' : String(d.hookFlashMax),
    region: d.region ?? '',
  };
}
