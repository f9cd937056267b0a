import type { Db } from '../db.js';
import type { Device, DevicePatch, DeviceRepository, FunctionKey, Mac, NewDevice } from '../types.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { parseMac } from '../../util/mac.js';
import { mapConstraintError } from '../sqlite-errors.js';
import { generatePassword, generateToken } from '../../util/secrets.js';
import {
  checkExtensionNumber, checkLabel, checkModelId, checkOptionalSeconds, checkRegion,
} from '../validate.js';

interface DeviceRow {
  mac: string;
  model: string;
  label: string;
  hook_flash_preset: string | null;
  hook_flash_min: number | null;
  hook_flash_max: number | null;
  region: string | null;
  admin_password: string;
  provisioning_token: string;
  secret_url_confirmed: number;
  created_at: string;
  updated_at: string;
}
interface LineRow { mac: string; position: number; extension: string }
interface KeyRow { mac: string; key: number; kind: 'blf' | 'speeddial'; target: string; label: string | null }

const MAX_LINES = 32;
const MAX_KEY = 64;
const ADMIN_PASSWORD_LENGTH = 20;
const DIAL_STRING = /^[0-9*#+]{1,32}$/;

/** The validated, storable shape of a device's editable fields. */
interface DeviceFields {
  model: string;
  label: string;
  lines: string[];
  functionKeys: FunctionKey[];
  hookFlashPreset: string | null;
  hookFlashMin: number | null;
  hookFlashMax: number | null;
  region: string | null;
}

export function createDeviceRepository(db: Db): DeviceRepository {
  const insert = db.prepare(
    `INSERT INTO devices (mac, model, label, hook_flash_preset, hook_flash_min, hook_flash_max, region,
       admin_password, provisioning_token, secret_url_confirmed, created_at, updated_at)
     VALUES (@mac, @model, @label, @hookFlashPreset, @hookFlashMin, @hookFlashMax, @region,
       @adminPassword, @provisioningToken, 0, @now, @now)`,
  );
  const updateRow = db.prepare(
    `UPDATE devices SET model = @model, label = @label, hook_flash_preset = @hookFlashPreset,
       hook_flash_min = @hookFlashMin, hook_flash_max = @hookFlashMax, region = @region,
       admin_password = @adminPassword, provisioning_token = @provisioningToken,
       secret_url_confirmed = @secretUrlConfirmed, updated_at = @now
     WHERE mac = @mac`,
  );
  const selectOne = db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE mac = ?');
  const selectByToken = db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE provisioning_token = ?');
  const selectAll = db.prepare<[], DeviceRow>('SELECT * FROM devices ORDER BY mac');
  const deleteRow = db.prepare('DELETE FROM devices WHERE mac = ?');
  const linesOf = db.prepare<[string], LineRow>('SELECT * FROM device_lines WHERE mac = ? ORDER BY position');
  const allLines = db.prepare<[], LineRow>('SELECT * FROM device_lines ORDER BY mac, position');
  const keysOf = db.prepare<[string], KeyRow>('SELECT * FROM function_keys WHERE mac = ? ORDER BY key');
  const allKeys = db.prepare<[], KeyRow>('SELECT * FROM function_keys ORDER BY mac, key');
  const clearLines = db.prepare('DELETE FROM device_lines WHERE mac = ?');
  const clearKeys = db.prepare('DELETE FROM function_keys WHERE mac = ?');
  const insertLine = db.prepare('INSERT INTO device_lines (mac, position, extension) VALUES (?, ?, ?)');
  const insertKey = db.prepare(
    'INSERT INTO function_keys (mac, key, kind, target, label) VALUES (?, ?, ?, ?, ?)',
  );
  const extensionExists = db.prepare<[string], { n: number }>('SELECT 1 AS n FROM extensions WHERE number = ?');

  function toDevice(row: DeviceRow, lines: LineRow[], keys: KeyRow[]): Device {
    return {
      mac: row.mac,
      model: row.model,
      label: row.label,
      lines: lines.map((l) => l.extension),
      functionKeys: keys.map((k) => ({
        key: k.key, kind: k.kind, target: k.target, ...(k.label === null ? {} : { label: k.label }),
      })),
      hookFlashPreset: row.hook_flash_preset,
      hookFlashMin: row.hook_flash_min,
      hookFlashMax: row.hook_flash_max,
      region: row.region,
      adminPassword: row.admin_password,
      provisioningToken: row.provisioning_token,
      secretUrlConfirmed: row.secret_url_confirmed === 1,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  function load(row: DeviceRow | undefined): Device | undefined {
    return row ? toDevice(row, linesOf.all(row.mac), keysOf.all(row.mac)) : undefined;
  }

  function checkLines(value: unknown): string[] {
    if (!Array.isArray(value)) throw new ValidationError('lines must be a list of extension numbers', 'lines');
    if (value.length > MAX_LINES) throw new ValidationError(`lines: at most ${MAX_LINES} lines`, 'lines');
    return value.map((ext, i) => {
      const field = `line ${i + 1}`;
      const number = checkExtensionNumber(ext, field);
      if (!extensionExists.get(number)) {
        throw new ValidationError(`${field}: extension ${number} does not exist; add it first`, field);
      }
      return number;
    });
  }

  function checkFunctionKeys(value: unknown, lineCount: number): FunctionKey[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw new ValidationError('functionKeys must be a list', 'functionKeys');
    const seen = new Set<number>();
    return value.map((raw: Partial<FunctionKey>, i) => {
      const field = `functionKeys[${i}]`;
      const key = raw?.key;
      if (typeof key !== 'number' || !Number.isInteger(key) || key < 1 || key > MAX_KEY) {
        throw new ValidationError(`${field}: key ${JSON.stringify(key)} is not allowed: expected 1–${MAX_KEY}`, field);
      }
      // Keys 1..lines.length carry the lines themselves (SPA303 line keys).
      if (key <= lineCount) throw new ValidationError(`${field}: key ${key} is already used by line ${key}`, field);
      if (seen.has(key)) throw new ValidationError(`${field}: key ${key} is assigned twice`, field);
      seen.add(key);
      if (raw.kind !== 'blf' && raw.kind !== 'speeddial') {
        throw new ValidationError(`${field}: kind ${JSON.stringify(raw.kind)} is not allowed: expected "blf" or "speeddial"`, field);
      }
      const target = typeof raw.target === 'string' ? raw.target.trim() : '';
      if (raw.kind === 'blf') checkExtensionNumber(target, `${field}.target`);
      else if (!DIAL_STRING.test(target)) {
        throw new ValidationError(`${field}: target ${JSON.stringify(raw.target)} is not a dial string (digits, *, #, +)`, field);
      }
      const label = raw.label === undefined ? undefined : checkLabel(raw.label, `${field}.label`);
      return { key, kind: raw.kind, target, ...(label ? { label } : {}) };
    });
  }

  function checkFields(input: Partial<DeviceFields> & { model?: unknown }, current?: Device): DeviceFields {
    const lines = input.lines === undefined ? current?.lines ?? [] : checkLines(input.lines);
    const fields: DeviceFields = {
      model: input.model === undefined && current ? current.model : checkModelId(input.model),
      label: input.label === undefined ? current?.label ?? '' : checkLabel(input.label),
      lines,
      functionKeys:
        input.functionKeys === undefined
          ? checkFunctionKeys(current?.functionKeys ?? [], lines.length)
          : checkFunctionKeys(input.functionKeys, lines.length),
      hookFlashPreset: pick(input.hookFlashPreset, current?.hookFlashPreset, (v) => {
        if (typeof v !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,31}$/i.test(v)) {
          throw new ValidationError(`hookFlashPreset ${JSON.stringify(v)} is not a preset name`, 'hookFlashPreset');
        }
        return v;
      }),
      hookFlashMin: pick(input.hookFlashMin, current?.hookFlashMin, (v) => checkOptionalSeconds(v, 'hookFlashMin')),
      hookFlashMax: pick(input.hookFlashMax, current?.hookFlashMax, (v) => checkOptionalSeconds(v, 'hookFlashMax')),
      region: pick(input.region, current?.region, (v) => checkRegion(v)),
    };
    if ((fields.hookFlashMin === null) !== (fields.hookFlashMax === null)) {
      throw new ValidationError('hook flash: give both min and max, or neither', 'hookFlashMin');
    }
    if (fields.hookFlashMin !== null && fields.hookFlashMax !== null && fields.hookFlashMin >= fields.hookFlashMax) {
      throw new ValidationError(
        `hook flash: min ${fields.hookFlashMin} s must be less than max ${fields.hookFlashMax} s`, 'hookFlashMin',
      );
    }
    return fields;
  }

  function writeChildren(mac: Mac, fields: DeviceFields): void {
    clearLines.run(mac);
    clearKeys.run(mac);
    fields.lines.forEach((ext, i) => insertLine.run(mac, i + 1, ext));
    for (const k of fields.functionKeys) insertKey.run(mac, k.key, k.kind, k.target, k.label ?? null);
  }

  const addTx = db.transaction((mac: Mac, fields: DeviceFields) => {
    insert.run({
      mac,
      ...fields,
      adminPassword: generatePassword(ADMIN_PASSWORD_LENGTH),
      provisioningToken: generateToken(),
      now: new Date().toISOString(),
    });
    writeChildren(mac, fields);
  });

  const updateTx = db.transaction((mac: Mac, fields: DeviceFields, row: Record<string, unknown>) => {
    updateRow.run({ mac, ...fields, ...row, now: new Date().toISOString() });
    writeChildren(mac, fields);
  });

  function getOrThrow(mac: Mac): Device {
    const key = parseMac(mac);
    const device = load(selectOne.get(key));
    if (!device) throw new NotFoundError(`device ${key} does not exist`, 'mac');
    return device;
  }

  function update(mac: Mac, patch: DevicePatch): Device {
    const current = getOrThrow(mac);
    const fields = checkFields(patch, current);
    const token = patch.provisioningToken ?? current.provisioningToken;
    if (token.length < 16) throw new ValidationError('provisioningToken must be at least 16 characters', 'provisioningToken');
    const adminPassword = patch.adminPassword ?? current.adminPassword;
    if (adminPassword.length < 8) throw new ValidationError('adminPassword must be at least 8 characters', 'adminPassword');
    const owner = selectByToken.get(token);
    if (owner && owner.mac !== current.mac) throw new ConflictError('provisioningToken is already in use', 'provisioningToken');
    try {
      updateTx(current.mac, fields, {
        provisioningToken: token,
        adminPassword,
        secretUrlConfirmed: (patch.secretUrlConfirmed ?? current.secretUrlConfirmed) ? 1 : 0,
      });
    } catch (err) {
      throw mapConstraintError(err, `device ${current.mac}`);
    }
    return getOrThrow(current.mac);
  }

  return {
    add(device: NewDevice): Device {
      const mac = parseMac(device.mac);
      if (selectOne.get(mac)) throw new ConflictError(`device ${mac} already exists`, 'mac');
      const fields = checkFields(device);
      try {
        addTx(mac, fields);
      } catch (err) {
        throw mapConstraintError(err, `device ${mac}`);
      }
      return load(selectOne.get(mac))!;
    },

    get(mac: Mac): Device | undefined {
      let key: string;
      try {
        key = parseMac(mac);
      } catch {
        return undefined;
      }
      return load(selectOne.get(key));
    },

    getByToken(token: string): Device | undefined {
      if (typeof token !== 'string' || token.length === 0) return undefined;
      return load(selectByToken.get(token));
    },

    list(): Device[] {
      const lines = groupBy(allLines.all());
      const keys = groupBy(allKeys.all());
      return selectAll.all().map((row) => toDevice(row, lines.get(row.mac) ?? [], keys.get(row.mac) ?? []));
    },

    update,

    remove(mac: Mac): boolean {
      let key: string;
      try {
        key = parseMac(mac);
      } catch {
        return false;
      }
      return deleteRow.run(key).changes > 0;
    },

    reopen(mac: Mac): Device {
      return update(mac, { secretUrlConfirmed: false });
    },
  };
}

function pick<T>(value: unknown, current: T | null | undefined, check: (v: unknown) => T | null): T | null {
  if (value === undefined) return current ?? null;
  if (value === null) return null;
  return check(value);
}

function groupBy<R extends { mac: string }>(rows: R[]): Map<string, R[]> {
  const out = new Map<string, R[]>();
  for (const r of rows) {
    const list = out.get(r.mac);
    if (list) list.push(r);
    else out.set(r.mac, [r]);
  }
  return out;
}
