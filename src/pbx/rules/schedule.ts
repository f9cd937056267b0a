/**
 * Business hours: a weekly schedule of open intervals in a time zone, with holiday exceptions.
 *
 * An interval belongs to the day it starts on: "friday 22:00-06:00" keeps Saturday 05:00
 * open even if Saturday is a holiday, and a holiday on Friday closes that whole night. A
 * holiday replaces its day's weekly intervals (none given = closed all day). Times are local
 * wall-clock times, so "08:00" means 08:00 in winter and in summer.
 */
import { ValidationError } from '../../errors.js';
import { instantsAt, isKnownTimeZone, isoDateOf, offsetChangesAround, utcOffsetMs, wallClock, weekdayOf } from '../../util/zoned-time.js';

export const DEFAULT_TIME_ZONE = 'Europe/Warsaw';

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** As stored and edited: `{ monday: ['08:00-16:00'], … }`. */
export interface ScheduleInput {
  name: string;
  /** IANA zone; default Europe/Warsaw. */
  timeZone?: string;
  weekly: Partial<Record<Weekday, string[]>>;
  /** `date` is "YYYY-MM-DD" (that day only) or "MM-DD" (every year); a dated entry wins. */
  holidays?: Array<{ date: string; name?: string; intervals?: string[] }>;
}

/** A validated schedule; build one with compileSchedule(). */
export interface Schedule {
  readonly name: string;
  readonly timeZone: string;
  /** Index 0 = Sunday. */
  readonly weekly: readonly (readonly Interval[])[];
  /** Keyed by "YYYY-MM-DD" or "MM-DD". */
  readonly holidays: ReadonlyMap<string, readonly Interval[]>;
}

/** Minutes from the owning day's midnight; `end` above 1440 runs into the next day. */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

const INTERVAL = /^([01]\d|2[0-3]):([0-5]\d)-(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;
const DATED = /^(\d{4})-(\d{2})-(\d{2})$/;
const YEARLY = /^(\d{2})-(\d{2})$/;
const MINUTES_PER_DAY = 1440;
/** How far nextChange looks ahead: past a year of holidays. */
const HORIZON_DAYS = 400;

/** Validates and compiles a schedule; every error names the schedule and the bad value. */
export function compileSchedule(input: unknown): Schedule {
  if (typeof input !== 'object' || input === null) throw new ValidationError('schedule: expected an object');
  const raw = input as Record<string, unknown>;
  if (typeof raw.name !== 'string' || raw.name.trim() === '') {
    throw new ValidationError('schedule: "name" must be a non-empty string', 'name');
  }
  const name = raw.name;
  const where = `schedule ${JSON.stringify(name)}`;
  const timeZone = raw.timeZone === undefined ? DEFAULT_TIME_ZONE : raw.timeZone;
  if (typeof timeZone !== 'string' || !isKnownTimeZone(timeZone)) {
    throw new ValidationError(`${where}: time zone ${JSON.stringify(timeZone)} is not a known IANA time zone (e.g. "Europe/Warsaw")`, 'timeZone');
  }
  if (typeof raw.weekly !== 'object' || raw.weekly === null || Array.isArray(raw.weekly)) {
    throw new ValidationError(`${where}: "weekly" must be an object of weekday → intervals`, 'weekly');
  }
  const weekly: Interval[][] = WEEKDAYS.map(() => []);
  for (const [day, list] of Object.entries(raw.weekly as Record<string, unknown>)) {
    const index = WEEKDAYS.indexOf(day as Weekday);
    if (index < 0) {
      throw new ValidationError(`${where}: unknown day ${JSON.stringify(day)} (expected ${WEEKDAYS.join(', ')})`, `weekly.${day}`);
    }
    weekly[index] = parseIntervals(list, `${where}: ${day}`, `weekly.${day}`);
  }
  const holidays = new Map<string, Interval[]>();
  const holidayList = raw.holidays ?? [];
  if (!Array.isArray(holidayList)) throw new ValidationError(`${where}: "holidays" must be a list`, 'holidays');
  holidayList.forEach((entry: unknown, i) => {
    const h = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const key = checkHolidayDate(h.date, `${where}: holiday #${i + 1}`);
    if (holidays.has(key)) throw new ValidationError(`${where}: holiday ${key} is listed twice`, `holidays.${i}`);
    holidays.set(key, h.intervals === undefined ? [] : parseIntervals(h.intervals, `${where}: holiday ${key}`, `holidays.${i}`));
  });
  return Object.freeze({ name, timeZone, weekly, holidays });
}

function parseIntervals(list: unknown, where: string, field: string): Interval[] {
  if (!Array.isArray(list)) throw new ValidationError(`${where} must be a list of "HH:MM-HH:MM" intervals`, field);
  return list.map((text: unknown) => {
    const m = typeof text === 'string' ? INTERVAL.exec(text.trim()) : null;
    if (!m) throw new ValidationError(`${where} interval ${JSON.stringify(text)} is not HH:MM-HH:MM`, field);
    const start = Number(m[1]) * 60 + Number(m[2]);
    let end = m[5] ? MINUTES_PER_DAY : Number(m[3]) * 60 + Number(m[4]);
    if (end === start) {
      throw new ValidationError(`${where} interval ${JSON.stringify(text)} is empty (use "00:00-24:00" for a whole day)`, field);
    }
    if (end < start) end += MINUTES_PER_DAY; // crosses midnight
    return { start, end };
  });
}

function checkHolidayDate(value: unknown, where: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  const dated = DATED.exec(text);
  const yearly = YEARLY.exec(text);
  const [year, month, day] = dated ? [Number(dated[1]), Number(dated[2]), Number(dated[3])]
    : yearly ? [2000 /* a leap year, so 02-29 is allowed */, Number(yearly[1]), Number(yearly[2])] : [0, 0, 0];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (month === 0 || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw new ValidationError(`${where}: date ${JSON.stringify(value)} is not a real date as YYYY-MM-DD (or MM-DD for every year)`, 'holidays');
  }
  return text;
}

/** The intervals owned by a local day: its holiday's, if it is one, else its weekday's. */
function intervalsOf(schedule: Schedule, dayNumber: number): readonly Interval[] {
  const iso = isoDateOf(dayNumber);
  return schedule.holidays.get(iso) ?? schedule.holidays.get(iso.slice(5)) ?? schedule.weekly[weekdayOf(dayNumber)]!;
}

export function isOpen(schedule: Schedule, instant: number | Date): boolean {
  const wall = wallClock(+instant, schedule.timeZone);
  const minute = wall.minuteOfDay;
  if (intervalsOf(schedule, wall.dayNumber).some((i) => i.start <= minute && minute < i.end)) return true;
  return intervalsOf(schedule, wall.dayNumber - 1).some((i) => minute < i.end - MINUTES_PER_DAY);
}

/**
 * The first instant after `instant` at which the schedule opens or closes, or null when it
 * does not change within about a year (always open, or never).
 */
export function nextChange(schedule: Schedule, instant: number | Date): { at: number; open: boolean } | null {
  const from = +instant;
  const openNow = isOpen(schedule, from);
  const firstDay = wallClock(from, schedule.timeZone).dayNumber - 1;
  // Openness only changes where the wall clock passes an interval boundary or jumps (DST);
  // between consecutive candidates it is constant, so the first candidate that differs wins.
  for (let chunk = firstDay; chunk < firstDay + HORIZON_DAYS; chunk += 7) {
    const candidates = new Set<number>();
    const offsetChanges = weekHasOffsetChange(chunk, schedule.timeZone);
    for (let day = chunk; day < chunk + 7; day++) {
      for (const minute of boundaryMinutes(schedule, day)) {
        for (const at of instantsAt(day, minute, schedule.timeZone)) candidates.add(at);
      }
      if (offsetChanges) for (const at of offsetChangesAround(day, schedule.timeZone)) candidates.add(at);
    }
    const sorted = [...candidates].filter((at) => at > from).sort((a, b) => a - b);
    for (const at of sorted) {
      const open = isOpen(schedule, at);
      if (open !== openNow) return { at, open };
    }
  }
  return null;
}

/** Cheap pre-check so the per-day search for DST changes runs only in the two weeks a year that have one. */
function weekHasOffsetChange(firstDay: number, timeZone: string): boolean {
  const DAY_MS = 86_400_000;
  return utcOffsetMs(firstDay * DAY_MS - DAY_MS, timeZone) !== utcOffsetMs((firstDay + 8) * DAY_MS, timeZone);
}

function boundaryMinutes(schedule: Schedule, dayNumber: number): Set<number> {
  const minutes = new Set<number>();
  for (const i of intervalsOf(schedule, dayNumber)) {
    minutes.add(i.start);
    if (i.end < MINUTES_PER_DAY) minutes.add(i.end);
  }
  for (const i of intervalsOf(schedule, dayNumber - 1)) {
    if (i.end >= MINUTES_PER_DAY) minutes.add(i.end - MINUTES_PER_DAY);
  }
  return minutes;
}
