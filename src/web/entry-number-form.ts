/**
 * Entry numbers (business-hours routing) as form fields and back, plus the "open now, next
 * change at …" line. Validation is src/pbx/rules (checkEntryNumber → compileSchedule).
 */
import type { Repositories, StoredEntryNumber } from '../data/types.js';
import { ConflictError } from '../errors.js';
import { checkEntryNumber } from '../pbx/rules/entry-numbers.js';
import { DEFAULT_TIME_ZONE, isOpen, nextChange, WEEKDAYS, type ScheduleInput } from '../pbx/rules/schedule.js';
import { describeDestination } from '../pbx/rules/forwarding.js';
import type { Destination, EntryNumber } from '../pbx/types.js';
import { checkDestinationExists, destinationFromForm, destinationToForm } from './forwarding-form.js';

/** Monday first, as people read a week. */
export const WEEK_ORDER = [...WEEKDAYS.slice(1), WEEKDAYS[0]] as const;
const INTERVAL_TOKEN = /^\d{2}:\d{2}-\d{2}:\d{2}$/;

type Form = Record<string, unknown>;
const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** "2026-12-24 08:00-12:00 Christmas Eve" → { date, intervals, name }; "12-25 Christmas" → closed all day. */
export function parseHolidayLines(value: unknown): ScheduleInput['holidays'] {
  return text(value).split(/\r?\n/).map((l) => l.trim()).filter(Boolean).slice(0, 400).map((line) => {
    const [date = '', ...rest] = line.split(/\s+/);
    const intervals = rest.filter((t) => INTERVAL_TOKEN.test(t.replace(/,$/, ''))).map((t) => t.replace(/,$/, ''));
    const name = rest.filter((t) => !INTERVAL_TOKEN.test(t.replace(/,$/, ''))).join(' ');
    return { date, ...(intervals.length ? { intervals } : {}), ...(name ? { name } : {}) };
  });
}

export function holidayLines(holidays: ScheduleInput['holidays']): string {
  return (holidays ?? []).map((h) => [h.date, ...(h.intervals ?? []), h.name ?? ''].join(' ').trim()).join('\n');
}

/** The raw input for checkEntryNumber, built from the form. */
export function entryNumberFromForm(form: Form): Record<string, unknown> {
  const weekly: Record<string, string[]> = {};
  for (const day of WEEKDAYS) {
    const list = text(form[`hours_${day}`]).split(/[\s,;]+/).filter(Boolean);
    if (list.length) weekly[day] = list;
  }
  return {
    number: text(form.number),
    schedule: { name: text(form.name), timeZone: text(form.timeZone) || DEFAULT_TIME_ZONE, weekly, holidays: parseHolidayLines(form.holidays) },
    inHours: destinationFromForm(form.inHoursKind, form.inHoursTarget),
    afterHours: destinationFromForm(form.afterHoursKind, form.afterHoursTarget),
  };
}

export function entryNumberToForm(stored: StoredEntryNumber): Record<string, string> {
  const def = stored.definition as { schedule?: Partial<ScheduleInput>; inHours?: Destination; afterHours?: Destination };
  const s = def.schedule ?? {};
  const form: Record<string, string> = {
    number: stored.number, name: String(s.name ?? ''), timeZone: String(s.timeZone ?? DEFAULT_TIME_ZONE),
    holidays: holidayLines(Array.isArray(s.holidays) ? s.holidays : []),
  };
  for (const day of WEEKDAYS) form[`hours_${day}`] = (s.weekly?.[day] ?? []).join(', ');
  const inH = destinationToForm(def.inHours);
  const afterH = destinationToForm(def.afterHours);
  Object.assign(form, { inHoursKind: inH.kind, inHoursTarget: inH.target, afterHoursKind: afterH.kind, afterHoursTarget: afterH.target });
  return form;
}

/** Which form field an entry-number error is about. */
export function entryErrorField(field: string | undefined, message: string): string {
  const f = field ?? '';
  if (f.startsWith('weekly.')) return `hours_${f.slice(7)}`;
  if (f.startsWith('holidays')) return 'holidays';
  if (f.endsWith('inHours') || message.includes(': inHours')) return 'inHoursTarget';
  if (f.endsWith('afterHours') || message.includes(': afterHours')) return 'afterHoursTarget';
  if (f === 'name' || f === 'timeZone' || f === 'number') return f;
  return 'number';
}

type Lookup = Pick<Repositories, 'extensions' | 'mailboxes' | 'entryNumbers'> & { queues?: { get(number: string): unknown } };

/** Validates everything (schedule compiled, destinations exist) and stores; returns the compiled entry. */
export function saveEntryNumber(repos: Lookup, raw: Record<string, unknown>, opts: { creating: boolean }): { entry: EntryNumber; stored: StoredEntryNumber } {
  const entry = checkEntryNumber(raw);
  if (opts.creating && repos.entryNumbers.get(entry.number)) throw new ConflictError(`entry number ${entry.number} already exists`, 'number');
  checkDestinationExists(repos, entry.inHours, `entry number ${entry.number}: inHours`, 'inHours');
  checkDestinationExists(repos, entry.afterHours, `entry number ${entry.number}: afterHours`, 'afterHours');
  const { number: _n, ...definition } = raw;
  return { entry, stored: repos.entryNumbers.save(entry.number, definition) };
}

/** "Mon 22 Nov 08:00" in the schedule's own zone. */
export function formatLocal(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('weekday')} ${get('day')} ${get('month')} ${get('hour')}:${get('minute')}`;
}

export interface EntryStatus {
  open: boolean;
  /** e.g. "closed now, opens Mon 23 Nov 08:00 (Europe/Warsaw)". */
  text: string;
  nextChangeAt: string | null;
}

export function entryStatus(entry: EntryNumber, now: number): EntryStatus {
  const open = isOpen(entry.schedule, now);
  const next = nextChange(entry.schedule, now);
  const zone = entry.schedule.timeZone;
  const head = open ? 'open now' : 'closed now';
  const tail = next ? `, ${next.open ? 'opens' : 'closes'} ${formatLocal(next.at, zone)} (${zone})` : open ? ', always open' : ', no opening hours within a year';
  return { open, text: head + tail, nextChangeAt: next ? new Date(next.at).toISOString() : null };
}

/** List row: the compiled entry and its status, or the reason the stored one is unusable. */
export function entryRow(stored: StoredEntryNumber, now: number) {
  try {
    const entry = checkEntryNumber({ ...stored.definition, number: stored.number });
    return {
      number: stored.number, name: entry.schedule.name, timeZone: entry.schedule.timeZone, status: entryStatus(entry, now),
      inHours: describeDestination(entry.inHours), afterHours: describeDestination(entry.afterHours), invalid: null,
    };
  } catch (err) {
    return { number: stored.number, name: '', timeZone: '', status: null, inHours: '', afterHours: '', invalid: (err as Error).message };
  }
}
