/**
 * Wall-clock arithmetic in an IANA time zone using only Intl (no tz database of our own).
 * Local dates are "day numbers" (days since 1970-01-01 on the local calendar), so stepping a
 * day never meets a DST gap; only converting a wall time back to an instant has to.
 */

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export interface WallClock {
  /** Local calendar date as days since 1970-01-01. */
  dayNumber: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Minutes since local midnight, 0…1439. */
  minuteOfDay: number;
  /** "YYYY-MM-DD" of the local date. */
  isoDate: string;
}

/** Intl formatters are costly to build: one per zone (and purpose), kept. */
function memoFormatter(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = cache.get(timeZone);
  if (f === undefined) {
    f = make();
    cache.set(timeZone, f);
  }
  return f;
}

const numericFormatters = new Map<string, Intl.DateTimeFormat>();
const labelledFormatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  return memoFormatter(numericFormatters, timeZone, () => new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric',
  }));
}

/**
 * "2026-11-22 07:29:50 CET": an instant on the local clock of `timeZone`, with the zone's short
 * name (en-GB: "CET"/"CEST" for Europe/Warsaw, "UTC"; "GMT-5" where a zone has no abbreviation).
 */
export function formatZoned(instant: number, timeZone: string): string {
  const formatter = memoFormatter(labelledFormatters, timeZone, () => new Intl.DateTimeFormat('en-GB', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short',
  }));
  const p: Record<string, string> = {};
  for (const part of formatter.formatToParts(instant)) if (part.type !== 'literal') p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
}

export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local wall time of an instant as if it were UTC, in ms (seconds precision). */
function wallMs(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour! % 24, parts.minute!, parts.second!);
}

/** Local time minus UTC at an instant, in ms (e.g. +3_600_000 for CET). */
export function utcOffsetMs(instant: number, timeZone: string): number {
  return wallMs(instant, timeZone) - Math.floor(instant / 1000) * 1000;
}

export function wallClock(instant: number, timeZone: string): WallClock {
  const wall = wallMs(instant, timeZone);
  const dayNumber = Math.floor(wall / DAY_MS);
  return {
    dayNumber,
    weekday: weekdayOf(dayNumber),
    minuteOfDay: Math.floor((wall - dayNumber * DAY_MS) / MINUTE_MS),
    isoDate: isoDateOf(dayNumber),
  };
}

export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

export function isoDateOf(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Every instant whose local wall time is `minuteOfDay` on local day `dayNumber`: one normally,
 * none inside a spring-forward gap, two inside an autumn fall-back overlap (earlier first).
 */
export function instantsAt(dayNumber: number, minuteOfDay: number, timeZone: string): number[] {
  const wall = dayNumber * DAY_MS + minuteOfDay * MINUTE_MS;
  // The offsets in force a day either side cover both sides of any transition near this time.
  const offsets = new Set([utcOffsetMs(wall - DAY_MS, timeZone), utcOffsetMs(wall + DAY_MS, timeZone)]);
  const found = new Set<number>();
  for (const offset of offsets) {
    const instant = wall - offset;
    if (wallMs(instant, timeZone) === wall) found.add(instant);
  }
  return [...found].sort((a, b) => a - b);
}

/** Instants around local day `dayNumber` at which the UTC offset changes (DST starts or ends). */
export function offsetChangesAround(dayNumber: number, timeZone: string): number[] {
  // Wide enough for any zone's offset (−12 h … +14 h); a change is found at most once here.
  let lo = dayNumber * DAY_MS - 14 * 3_600_000;
  let hi = (dayNumber + 1) * DAY_MS + 12 * 3_600_000;
  const before = utcOffsetMs(lo, timeZone);
  if (before === utcOffsetMs(hi, timeZone)) return [];
  // Offsets change on whole minutes, so a binary search to the minute finds the exact instant.
  while (hi - lo > MINUTE_MS) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
    if (utcOffsetMs(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return [hi];
}

/**
 * The first instant of local day `dayNumber`: local midnight, or where midnight falls in a
 * spring-forward gap (zones that change at 00:00), the moment the clocks jump.
 */
export function startOfLocalDay(dayNumber: number, timeZone: string): number {
  const midnight = instantsAt(dayNumber, 0, timeZone);
  if (midnight.length > 0) return midnight[0]!;
  const jump = offsetChangesAround(dayNumber, timeZone).find((at) => wallClock(at, timeZone).dayNumber === dayNumber);
  // Unreachable for real zones (a day always has a first instant); UTC midnight is a safe floor.
  return jump ?? dayNumber * DAY_MS;
}
