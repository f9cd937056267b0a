/**
 * `hookflash import`: turns a CSV file into a plan of writes, validating EVERY row first.
 * Nothing here writes: the command applies the plan in one transaction only when it has no
 * errors, so a bad file never leaves half an office provisioned.
 */
import { parse } from 'csv-parse/sync';
import { HookflashError } from '../../errors.js';
import type { FunctionKey, NewDevice, Repositories } from '../../data/types.js';
import type { DeviceModel } from '../../provisioning/model-types.js';
import { parseMac, formatMac } from '../../util/mac.js';
import { checkDisplayName, checkEmails, checkExtensionNumber, checkLabel, checkRegion, checkSipPassword } from '../../data/validate.js';
import { checkDeviceAgainstModel, parseHookFlashSpec, parseKeySpec, splitList } from '../device-rules.js';

export const IMPORT_COLUMNS = [
  'type', 'number', 'name', 'password', 'email',
  'mac', 'model', 'lines', 'label', 'blf', 'speed_dial', 'hook_flash_preset', 'hook_flash', 'region',
] as const;
type Column = (typeof IMPORT_COLUMNS)[number];

const EXTENSION_COLUMNS: readonly Column[] = ['number', 'name', 'password', 'email'];
const DEVICE_COLUMNS: readonly Column[] = ['mac', 'model', 'lines', 'label', 'blf', 'speed_dial', 'hook_flash_preset', 'hook_flash', 'region'];

/** Bounds what one import may hold: a typo'd path to a huge file must not eat the machine. */
export const MAX_IMPORT_ROWS = 50_000;

export interface PlannedExtension {
  line: number;
  number: string;
  displayName: string;
  /** Undefined: generate one (new extension) or keep the current one (--update). */
  sipPassword?: string;
  emails: string[];
  exists: boolean;
}

export interface PlannedDevice {
  line: number;
  device: NewDevice & { functionKeys: FunctionKey[] };
  exists: boolean;
}

export interface ImportPlan {
  extensions: PlannedExtension[];
  devices: PlannedDevice[];
  /** "line 7: …", in file order; empty when the plan may be applied. */
  errors: string[];
}

export interface PlanDeps {
  repos: Repositories;
  models: Map<string, DeviceModel>;
  /** Existing numbers/MACs are updated instead of reported as conflicts. */
  update: boolean;
}

type Row = Partial<Record<Column, string>>;

function normaliseHeader(h: string): string {
  return h.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

function messageOf(err: unknown): string {
  return err instanceof HookflashError || err instanceof Error ? err.message : String(err);
}

export function planImport(text: string, deps: PlanDeps): ImportPlan {
  const plan: ImportPlan = { extensions: [], devices: [], errors: [] };
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    const e = err as { lines?: number; message: string };
    plan.errors.push(`line ${e.lines ?? '?'}: the file is not valid CSV: ${e.message}`);
    return plan;
  }
  if (records.length === 0) {
    plan.errors.push('line 1: the file is empty; expected a header row such as: type,number,name,password,email,mac,model,lines,label');
    return plan;
  }
  if (records.length - 1 > MAX_IMPORT_ROWS) {
    plan.errors.push(`the file has ${records.length - 1} rows; at most ${MAX_IMPORT_ROWS} can be imported at once`);
    return plan;
  }

  const header = records[0]!.record.map(normaliseHeader);
  const headerErrors: string[] = [];
  header.forEach((h, i) => {
    if (!(IMPORT_COLUMNS as readonly string[]).includes(h)) {
      headerErrors.push(`line 1: column ${i + 1} ${JSON.stringify(records[0]!.record[i])} is not known (known columns: ${IMPORT_COLUMNS.join(', ')})`);
    } else if (header.indexOf(h) !== i) {
      headerErrors.push(`line 1: column ${JSON.stringify(h)} appears twice`);
    }
  });
  if (!header.includes('type')) headerErrors.push('line 1: the header has no "type" column (each row is "extension" or "device")');
  if (headerErrors.length > 0) {
    plan.errors.push(...headerErrors);
    return plan;
  }

  const rows = records.slice(1).map(({ record, info }) => {
    // csv-parse reports the line a record ends on; count back over quoted newlines.
    const line = info.lines - record.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0);
    const row: Row = {};
    header.forEach((h, i) => {
      const v = record[i];
      if (v !== undefined && v !== '') row[h as Column] = v;
    });
    return { line, row, width: record.length };
  });

  // First pass: every extension the file defines, so devices may reference rows further down.
  const extensionLines = new Map<string, number>();
  for (const { row } of rows) {
    if (row.type?.toLowerCase() !== 'extension' || !row.number) continue;
    const n = row.number.trim();
    if (!extensionLines.has(n)) extensionLines.set(n, -1);
  }

  const macLines = new Map<string, number>();
  for (const { line, row, width } of rows) {
    const at = `line ${line}`;
    try {
      if (width !== header.length) {
        throw new Error(`has ${width} fields but the header has ${header.length} (quote values that contain commas)`);
      }
      const type = row.type?.toLowerCase();
      if (type === 'extension') {
        rejectForeign(row, DEVICE_COLUMNS, 'extension');
        plan.extensions.push(planExtension(line, row, extensionLines, deps));
      } else if (type === 'device') {
        rejectForeign(row, EXTENSION_COLUMNS, 'device');
        plan.devices.push(planDevice(line, row, macLines, extensionLines, deps));
      } else {
        throw new Error(`type ${JSON.stringify(row.type ?? '')} is not allowed: expected "extension" or "device"`);
      }
    } catch (err) {
      plan.errors.push(`${at}: ${messageOf(err)}`);
    }
  }
  return plan;
}

function rejectForeign(row: Row, columns: readonly Column[], type: string): void {
  const used = columns.filter((c) => row[c] !== undefined);
  if (used.length > 0) throw new Error(`column(s) ${used.join(', ')} do not apply to ${type} rows; leave them empty`);
}

function planExtension(line: number, row: Row, extensionLines: Map<string, number>, deps: PlanDeps): PlannedExtension {
  const number = checkExtensionNumber(row.number ?? '', 'number');
  const first = extensionLines.get(number);
  if (first !== undefined && first !== -1) throw new Error(`extension ${number} is already defined on line ${first}`);
  extensionLines.set(number, line);
  const displayName = checkDisplayName(row.name ?? '', 'name');
  const sipPassword = row.password === undefined ? undefined : checkSipPassword(row.password, 'password');
  const emails = checkEmails(splitList(row.email ?? '', /;/), 'email');
  const exists = deps.repos.extensions.get(number) !== undefined;
  if (exists && !deps.update) throw new Error(`extension ${number} already exists (use --update to change existing entries)`);
  return { line, number, displayName, sipPassword, emails, exists };
}

function planDevice(
  line: number, row: Row, macLines: Map<string, number>, extensionLines: Map<string, number>, deps: PlanDeps,
): PlannedDevice {
  if (!row.mac) throw new Error('mac is empty');
  const mac = parseMac(row.mac);
  const first = macLines.get(mac);
  if (first !== undefined) throw new Error(`device ${formatMac(mac)} is already defined on line ${first}`);
  macLines.set(mac, line);
  if (!row.model) throw new Error(`model is empty (known models: ${[...deps.models.keys()].join(', ')})`);
  const lines = splitList(row.lines ?? '').map((n, i) => checkExtensionNumber(n, `lines item ${i + 1}`));
  for (const n of lines) {
    if (!extensionLines.has(n) && !deps.repos.extensions.get(n)) {
      throw new Error(`lines: extension ${n} does not exist and is not defined in this file`);
    }
  }
  const functionKeys = [
    ...splitList(row.blf ?? '', /;/).map((s) => parseKeySpec(s, 'blf')),
    ...splitList(row.speed_dial ?? '', /;/).map((s) => parseKeySpec(s, 'speeddial')),
  ];
  const hookFlash = row.hook_flash ? parseHookFlashSpec(row.hook_flash.replace(';', ',')) : undefined;
  const device = {
    mac,
    model: row.model.trim().toLowerCase(),
    label: checkLabel(row.label ?? ''),
    lines,
    functionKeys,
    hookFlashPreset: row.hook_flash_preset ?? null,
    hookFlashMin: hookFlash?.min ?? null,
    hookFlashMax: hookFlash?.max ?? null,
    region: checkRegion(row.region ?? null),
  };
  checkDeviceAgainstModel(deps.models, device);
  const exists = deps.repos.devices.get(mac) !== undefined;
  if (exists && !deps.update) throw new Error(`device ${formatMac(mac)} already exists (use --update to change existing entries)`);
  return { line, device, exists };
}
