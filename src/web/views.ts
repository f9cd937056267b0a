/**
 * Server-rendered pages: every templates/web/*.hbs compiled once at start, rendered inside
 * layout.hbs. Handlebars escapes {{values}}, so user input (names, labels) is safe in HTML.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { findRepoRoot } from '../provisioning/models.js';
import { formatMac } from '../util/mac.js';
import { formatZoned } from '../util/zoned-time.js';

export interface PageContext {
  title: string;
  user?: { name: string; role: string } | null;
  csrf?: string;
  /** Which nav entry is current. */
  nav?: string;
  [key: string]: unknown;
}

export interface Views {
  render(name: string, data: PageContext): string;
}

/**
 * "2026-11-22 07:29:50 CET" in a <time datetime> element, on the office's clock (the configured
 * time zone, as on the phones): raw ISO strings ("…T06:29:50.104Z") are hard to read, wrap badly
 * in narrow table cells, and a UTC clock is an hour or two off for the people reading it. The
 * datetime attribute keeps the exact instant. Accepts ISO strings and epoch ms.
 */
export function formatTime(v: unknown, timeZone = 'UTC'): { iso: string; text: string } | null {
  const ms = typeof v === 'number' ? v : typeof v === 'string' && v ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) return null;
  return { iso: new Date(ms).toISOString(), text: formatZoned(ms, timeZone) };
}

function timeElement(hb: typeof Handlebars, v: unknown, timeZone: string): Handlebars.SafeString | string {
  const t = formatTime(v, timeZone);
  if (!t) return typeof v === 'string' ? v : '';
  // Date and time each stay on one line: a narrow table cell wraps between them only.
  const [day, clock] = [t.text.slice(0, 10), t.text.slice(11)];
  return new hb.SafeString(`<time datetime="${t.iso}"><span class="nowrap">${day}</span> <span class="nowrap">${clock}</span></time>`);
}

export interface ViewOptions {
  templatesDir?: string;
  /** IANA zone the {{time}} helper shows instants in (default UTC). */
  timeZone?: string;
}

export function createViews(opts: ViewOptions = {}): Views {
  const templatesDir = opts.templatesDir ?? join(findRepoRoot(), 'templates', 'web');
  const timeZone = opts.timeZone ?? 'UTC';
  const hb = Handlebars.create();
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('macColon', (m: unknown) => (typeof m === 'string' && m ? formatMac(m) : ''));
  hb.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ', ') : ''));
  hb.registerHelper('json', (v: unknown) => JSON.stringify(v));
  hb.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
  hb.registerHelper('inc', (n: unknown) => Number(n) + 1);
  hb.registerHelper('time', (v: unknown) => timeElement(hb, v, timeZone));
  hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  const pages = new Map<string, Handlebars.TemplateDelegate>();
  for (const file of readdirSync(templatesDir).filter((f) => f.endsWith('.hbs'))) {
    const source = readFileSync(join(templatesDir, file), 'utf8');
    const name = basename(file, '.hbs');
    if (name.startsWith('_')) hb.registerPartial(name.slice(1), source);
    else pages.set(name, hb.compile(source, { strict: false, preventIndent: true }));
  }
  const layout = pages.get('layout');
  if (!layout) throw new Error(`${templatesDir}/layout.hbs is missing`);
  return {
    render(name, data) {
      const page = pages.get(name);
      if (!page) throw new Error(`no web template ${name}.hbs`);
      const isAdmin = data.user?.role === 'admin';
      return layout({ ...data, isAdmin, body: new hb.SafeString(page({ ...data, isAdmin })) });
    },
  };
}
