/** Dates and durations as people read them in voicemail e-mails and file names. */
import type { MailboxLanguage } from '../../data/types.js';

function partsOf(instant: number, timeZone: string): Record<string, string> {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = p.value;
  return parts;
}

/** "20261122-093005": sortable, safe in file names, local to the configured zone. */
export function compactStamp(instant: number, timeZone: string): string {
  const p = partsOf(instant, timeZone);
  return `${p.year}${p.month}${p.day}-${p.hour}${p.minute}${p.second}`;
}

/** "22.11.2026 09:30:05" (pl) or "2026-11-22 09:30:05" (en), in the configured zone. */
export function formatWhen(instant: number, timeZone: string, language: MailboxLanguage): string {
  const p = partsOf(instant, timeZone);
  const time = `${p.hour}:${p.minute}:${p.second}`;
  return language === 'pl' ? `${p.day}.${p.month}.${p.year} ${time}` : `${p.year}-${p.month}-${p.day} ${time}`;
}

/** "1 min 05 s" / "42 s"; the same in both languages (the units are shared). */
export function formatDuration(durationMs: number): string {
  const seconds = Math.max(0, Math.round(durationMs / 1000));
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}
