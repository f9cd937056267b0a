import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../errors.js';
import type { DeviceModel, FirmwareImage, RangeSeconds } from './model-types.js';

const DEFAULT_WITHOUT_SECRETS_TEMPLATE = 'devices/without-secrets.xml.hbs';

/**
 * The repository root: the nearest directory above this module holding our package.json.
 * Walking up (instead of a fixed "../../") makes the same code work from src/ under tsx/tap
 * and from dist/src/ after tsc, where the root is one level further up.
 */
export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        if ((JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'hookflash') return dir;
      } catch {
        // an unreadable package.json elsewhere is not ours; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the hookflash package.json above ${from}`);
    dir = parent;
  }
}

export function defaultFirmwareProfilesDir(): string {
  return join(findRepoRoot(), 'firmware-profiles');
}

/** Reads every <id>.json in dir; each is validated and its errors name the file and the field. */
export function loadDeviceModels(dir: string = defaultFirmwareProfilesDir()): Map<string, DeviceModel> {
  const models = new Map<string, DeviceModel>();
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  for (const file of files) {
    const path = join(dir, file);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new ValidationError(`${path}: not valid JSON (${(err as Error).message})`, path);
    }
    const model = parseDeviceModel(raw, path);
    const expectedId = file.slice(0, -'.json'.length);
    if (model.id !== expectedId) {
      throw new ValidationError(`${path}: field "id" is "${model.id}" but the file name says "${expectedId}"`, 'id');
    }
    models.set(model.id, model);
  }
  if (models.size === 0) throw new ValidationError(`${dir}: no device model files (*.json) found`, dir);
  return models;
}

/** The model whose bootstrapFiles contain file (case-insensitive), e.g. "SPA303.cfg" → spa303. */
export function modelForBootstrapFile(models: Map<string, DeviceModel>, file: string): DeviceModel | undefined {
  const wanted = file.replace(/^\/+/, '').toLowerCase();
  for (const model of models.values()) {
    if (model.bootstrapFiles.some((f) => f.toLowerCase() === wanted)) return model;
  }
  return undefined;
}

export interface UserAgentMatch {
  model: DeviceModel;
  firmware: string | null;
  /** 12 lowercase hex digits, when the User-Agent carries it. */
  mac: string | null;
}

const compiledPatterns = new WeakMap<DeviceModel, RegExp[]>();

/** Matches an HTTP User-Agent against every model's userAgentPatterns. */
export function matchUserAgent(models: Map<string, DeviceModel>, userAgent: string): UserAgentMatch | undefined {
  for (const model of models.values()) {
    let patterns = compiledPatterns.get(model);
    if (!patterns) {
      patterns = model.userAgentPatterns.map((p) => new RegExp(p, 'i'));
      compiledPatterns.set(model, patterns);
    }
    for (const re of patterns) {
      const m = re.exec(userAgent);
      if (!m) continue;
      const mac = m.groups?.mac;
      return {
        model,
        firmware: m.groups?.firmware?.trim() || null,
        mac: mac && /^[0-9a-f]{12}$/i.test(mac) ? mac.toLowerCase() : null,
      };
    }
  }
  return undefined;
}

// ---- validation -------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function fail(path: string, field: string, problem: string): never {
  throw new ValidationError(`${path}: field "${field}" ${problem}`, field);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Obj, key: string, path: string, field = key): string {
  const v = o[key];
  if (typeof v !== 'string' || v.trim() === '') fail(path, field, 'must be a non-empty string');
  return v;
}

function int(o: Obj, key: string, path: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(path, key, `must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})`);
  }
  return v;
}

function seconds(v: unknown, path: string, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(path, field, `must be a number of seconds (got ${JSON.stringify(v)})`);
  return v;
}

function range(v: unknown, path: string, field: string): RangeSeconds {
  if (!isObj(v)) fail(path, field, 'must be an object {"min": seconds, "max": seconds}');
  const r = { min: seconds(v.min, path, `${field}.min`), max: seconds(v.max, path, `${field}.max`) };
  if (r.min > r.max) fail(path, field, `has min ${r.min} above max ${r.max}`);
  return r;
}

const SAFE_FILE = /^[A-Za-z0-9][A-Za-z0-9._()+-]*$/;

function parseFirmware(v: unknown, path: string): FirmwareImage[] {
  if (!Array.isArray(v)) fail(path, 'firmware', 'must be an array of {"version", "file"} (may be empty)');
  return v.map((item, i) => {
    const field = `firmware[${i}]`;
    if (!isObj(item)) fail(path, field, 'must be an object {"version", "file"}');
    const version = str(item, 'version', path, `${field}.version`);
    const file = str(item, 'file', path, `${field}.file`);
    if (!SAFE_FILE.test(file) || file.includes('..')) fail(path, `${field}.file`, `"${file}" is not a plain file name`);
    return { version, file };
  });
}

function parseHookFlash(v: unknown, path: string): DeviceModel['hookFlash'] {
  if (v === undefined) return undefined;
  if (!isObj(v)) fail(path, 'hookFlash', 'must be an object');
  const min = range(v.min, path, 'hookFlash.min');
  const max = range(v.max, path, 'hookFlash.max');
  const within = (value: { min: number; max: number }, field: string) => {
    if (value.min < min.min || value.min > min.max) fail(path, `${field}.min`, `${value.min} is outside ${min.min}–${min.max} s`);
    if (value.max < max.min || value.max > max.max) fail(path, `${field}.max`, `${value.max} is outside ${max.min}–${max.max} s`);
    if (value.min >= value.max) fail(path, field, `min ${value.min} must be below max ${value.max}`);
  };
  if (!isObj(v.defaults)) fail(path, 'hookFlash.defaults', 'must be an object {"min", "max"}');
  const defaults = { min: seconds(v.defaults.min, path, 'hookFlash.defaults.min'), max: seconds(v.defaults.max, path, 'hookFlash.defaults.max') };
  within(defaults, 'hookFlash.defaults');
  if (!isObj(v.presets)) fail(path, 'hookFlash.presets', 'must be an object of named presets');
  const presets: Record<string, { min: number; max: number; description: string }> = {};
  for (const [name, p] of Object.entries(v.presets)) {
    const field = `hookFlash.presets.${name}`;
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) fail(path, field, 'name must be lowercase letters, digits and dashes');
    if (!isObj(p)) fail(path, field, 'must be an object {"min", "max", "description"}');
    const preset = {
      min: seconds(p.min, path, `${field}.min`),
      max: seconds(p.max, path, `${field}.max`),
      description: str(p, 'description', path, `${field}.description`),
    };
    within(preset, field);
    presets[name] = preset;
  }
  return { min, max, defaults, presets };
}

/** Validates one parsed model file; `path` only labels the errors. */
export function parseDeviceModel(raw: unknown, path: string): DeviceModel {
  if (!isObj(raw)) fail(path, '(root)', 'must be a JSON object');
  const id = str(raw, 'id', path);
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(id)) fail(path, 'id', `"${id}" must be lowercase letters, digits, "-" or "_"`);
  const kind = raw.kind;
  if (kind !== 'phone' && kind !== 'ata') fail(path, 'kind', `must be "phone" or "ata" (got ${JSON.stringify(kind)})`);

  const patterns = raw.userAgentPatterns;
  if (!Array.isArray(patterns) || patterns.length === 0) fail(path, 'userAgentPatterns', 'must be a non-empty array of regex strings');
  patterns.forEach((p, i) => {
    if (typeof p !== 'string') fail(path, `userAgentPatterns[${i}]`, 'must be a string');
    try {
      new RegExp(p, 'i');
    } catch (err) {
      fail(path, `userAgentPatterns[${i}]`, `is not a valid regular expression: ${(err as Error).message}`);
    }
  });

  const bootstrapFiles = raw.bootstrapFiles;
  if (!Array.isArray(bootstrapFiles) || bootstrapFiles.length === 0) fail(path, 'bootstrapFiles', 'must be a non-empty array of file names');
  bootstrapFiles.forEach((f, i) => {
    if (typeof f !== 'string' || !SAFE_FILE.test(f)) fail(path, `bootstrapFiles[${i}]`, 'must be a plain file name such as "spa303.cfg"');
  });

  if (!isObj(raw.templates)) fail(path, 'templates', 'must be an object {"bootstrap", "device"}');
  const templates = {
    bootstrap: str(raw.templates, 'bootstrap', path, 'templates.bootstrap'),
    device: str(raw.templates, 'device', path, 'templates.device'),
    withoutSecrets: raw.templates.withoutSecrets === undefined
      ? DEFAULT_WITHOUT_SECRETS_TEMPLATE
      : str(raw.templates, 'withoutSecrets', path, 'templates.withoutSecrets'),
  };
  for (const [k, t] of Object.entries(templates)) {
    if (t.includes('..') || t.startsWith('/')) fail(path, `templates.${k}`, 'must be a path inside templates/');
  }

  const paramsReference = raw.paramsReference === undefined ? undefined : str(raw, 'paramsReference', path);
  const model: DeviceModel = {
    id,
    name: str(raw, 'name', path),
    kind,
    userAgentPatterns: patterns as string[],
    bootstrapFiles: (bootstrapFiles as string[]).map((f) => f.toLowerCase()),
    lines: int(raw, 'lines', path, 1, 12),
    lineKeys: int(raw, 'lineKeys', path, 0, 12),
    templates,
    firmware: parseFirmware(raw.firmware, path),
    ...(paramsReference !== undefined ? { paramsReference } : {}),
  };
  const hookFlash = parseHookFlash(raw.hookFlash, path);
  if (hookFlash) model.hookFlash = hookFlash;
  return Object.freeze(model);
}
