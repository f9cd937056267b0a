import { ValidationError } from '../errors.js';

/**
 * SPA firmware has no IANA database: it takes a fixed offset (`Time_Zone`, "GMT+01:00") and a
 * DST rule (`Daylight_Saving_Time_Rule`, start=<month>/<day>/<weekday>/<hour>;end=…;save=<h>,
 * weekday 1=Mon…7=Sun, day -1 = last such weekday of the month, day 8 with a weekday = first
 * one on or after the 8th). Start/end hours are local wall-clock times.
 */
export interface SpaTimeZone {
  timeZone: string;
  /** null = the zone has no daylight saving time. */
  dstRule: string | null;
}

// EU: last Sunday of March 01:00 UTC → last Sunday of October 01:00 UTC, expressed locally.
const EU_WET = 'start=3/-1/7/1;end=10/-1/7/2;save=1';
const EU_CET = 'start=3/-1/7/2;end=10/-1/7/3;save=1';
const EU_EET = 'start=3/-1/7/3;end=10/-1/7/4;save=1';
// US/Canada: second Sunday of March 02:00 → first Sunday of November 02:00.
const US = 'start=3/8/7/2;end=11/1/7/2;save=1';

const ZONES: Record<string, SpaTimeZone> = {
  'UTC': { timeZone: 'GMT+00:00', dstRule: null },
  'Etc/UTC': { timeZone: 'GMT+00:00', dstRule: null },
  'Europe/London': { timeZone: 'GMT+00:00', dstRule: EU_WET },
  'Europe/Dublin': { timeZone: 'GMT+00:00', dstRule: EU_WET },
  'Europe/Lisbon': { timeZone: 'GMT+00:00', dstRule: EU_WET },
  'Europe/Warsaw': { timeZone: 'GMT+01:00', dstRule: EU_CET },
  'Europe/Berlin': { timeZone: 'GMT+01:00', dstRule: EU_CET },
  'Europe/Prague': { timeZone: 'GMT+01:00', dstRule: EU_CET },
  'Europe/Bratislava': { timeZone: 'GMT+01:00', dstRule: EU_CET },
  'Europe/Vienna': { timeZone: 'GMT+01:00', dstRule: EU_CET },
  'Europe/Paris': { timeZone: 'GMT+01:00', dstRule: EU_CET },
  'Europe/Brussels': { timeZone: 'GMT+01:00', dstRule: EU_CET },
  'Europe/Amsterdam': { timeZone: 'GMT+01:00', dstRule: EU_CET },
  'Europe/Madrid': { timeZone: 'GMT+01:00', dstRule: EU_CET },
  'Europe/Rome': { timeZone: 'GMT+01:00', dstRule: EU_CET },
  'Europe/Zurich': { timeZone: 'GMT+01:00', dstRule: EU_CET },
  'Europe/Stockholm': { timeZone: 'GMT+01:00', dstRule: EU_CET },
  'Europe/Copenhagen': { timeZone: 'GMT+01:00', dstRule: EU_CET },
  'Europe/Oslo': { timeZone: 'GMT+01:00', dstRule: EU_CET },
  'Europe/Budapest': { timeZone: 'GMT+01:00', dstRule: EU_CET },
  'Europe/Helsinki': { timeZone: 'GMT+02:00', dstRule: EU_EET },
  'Europe/Kyiv': { timeZone: 'GMT+02:00', dstRule: EU_EET },
  'Europe/Kiev': { timeZone: 'GMT+02:00', dstRule: EU_EET },
  'Europe/Vilnius': { timeZone: 'GMT+02:00', dstRule: EU_EET },
  'Europe/Riga': { timeZone: 'GMT+02:00', dstRule: EU_EET },
  'Europe/Tallinn': { timeZone: 'GMT+02:00', dstRule: EU_EET },
  'Europe/Bucharest': { timeZone: 'GMT+02:00', dstRule: EU_EET },
  'Europe/Sofia': { timeZone: 'GMT+02:00', dstRule: EU_EET },
  'Europe/Athens': { timeZone: 'GMT+02:00', dstRule: EU_EET },
  'Europe/Istanbul': { timeZone: 'GMT+03:00', dstRule: null },
  'Europe/Minsk': { timeZone: 'GMT+03:00', dstRule: null },
  'Europe/Moscow': { timeZone: 'GMT+03:00', dstRule: null },
  'America/New_York': { timeZone: 'GMT-05:00', dstRule: US },
  'America/Toronto': { timeZone: 'GMT-05:00', dstRule: US },
  'America/Chicago': { timeZone: 'GMT-06:00', dstRule: US },
  'America/Denver': { timeZone: 'GMT-07:00', dstRule: US },
  'America/Phoenix': { timeZone: 'GMT-07:00', dstRule: null },
  'America/Los_Angeles': { timeZone: 'GMT-08:00', dstRule: US },
  'Asia/Tokyo': { timeZone: 'GMT+09:00', dstRule: null },
  'Asia/Shanghai': { timeZone: 'GMT+08:00', dstRule: null },
};

export function knownTimeZones(): string[] {
  return Object.keys(ZONES);
}

/** Maps an IANA zone to SPA settings; unknown zones are a ValidationError naming the setting. */
export function spaTimeZone(iana: string, field = 'timezone'): SpaTimeZone {
  const zone = Object.hasOwn(ZONES, iana) ? ZONES[iana] : undefined;
  if (!zone) {
    throw new ValidationError(
      `time zone "${iana}" (${field}) is not in the SPA time-zone table; use one of: ${knownTimeZones().join(', ')}`,
      field,
    );
  }
  return zone;
}
