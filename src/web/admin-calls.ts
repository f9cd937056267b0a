/** The call log (CDR) page: filters by extension, date range and disposition, 50 rows a page. */
import type { FastifyInstance } from 'fastify';
import { DISPOSITIONS } from '../data/repositories/cdr.js';
import type { CallDisposition, CallRecord, CdrFilter } from '../data/types.js';
import { ValidationError } from '../errors.js';
import { startOfLocalDay } from '../util/zoned-time.js';
import { expectedError, page, sendPage, type WebContext } from './context.js';
import { PAGE_SIZE, pageNumber, pager } from './paging.js';

// One list for the filter, the API schema and the repository: a new disposition shows up everywhere.
export { DISPOSITIONS };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PARTY = /^[\w.+*#@-]{1,64}$/;

export interface CallQuery { extension?: string; from?: string; to?: string; disposition?: string; page?: string }

/** "YYYY-MM-DD" → its day number (days since 1970-01-01), or a ValidationError naming the field. */
function checkDate(value: string, field: string): number {
  const probe = new Date(`${value}T00:00:00Z`);
  if (!DATE.test(value) || Number.isNaN(+probe) || probe.toISOString().slice(0, 10) !== value) {
    throw new ValidationError(`${field} ${JSON.stringify(value)} is not a date as YYYY-MM-DD`, field);
  }
  return Math.round(+probe / 86_400_000);
}

/**
 * Query parameters → repository filter. Dates are whole days on the office's clock (`timeZone`,
 * the one pages show times in), "to" inclusive: "calls on the 22nd" means the 22nd in Warsaw,
 * not from 01:00 local time.
 */
export function callFilter(q: CallQuery, timeZone = 'UTC'): Omit<CdrFilter, 'limit' | 'offset'> {
  const filter: Omit<CdrFilter, 'limit' | 'offset'> = {};
  const extension = q.extension?.trim();
  if (extension) {
    if (!PARTY.test(extension)) throw new ValidationError(`extension ${JSON.stringify(extension)} is not a number or SIP user`, 'extension');
    filter.party = extension;
  }
  const dayStart = (day: number) => new Date(startOfLocalDay(day, timeZone)).toISOString();
  if (q.from?.trim()) filter.since = dayStart(checkDate(q.from.trim(), 'from'));
  if (q.to?.trim()) filter.until = dayStart(checkDate(q.to.trim(), 'to') + 1);
  if (filter.since && filter.until && filter.since >= filter.until) throw new ValidationError('"from" is after "to"', 'from');
  if (q.disposition?.trim()) {
    const d = q.disposition.trim() as CallDisposition;
    if (!DISPOSITIONS.includes(d)) throw new ValidationError(`disposition ${JSON.stringify(d)} is not one of ${DISPOSITIONS.join(', ')}`, 'disposition');
    filter.disposition = d;
  }
  return filter;
}

/**
 * The badge colour of a result, as a call centre reads it: answered is good; a message left is
 * neutral (the caller was heard); a caller who gave up waiting, or a call that broke, is bad;
 * the rest (busy, no answer, unavailable, cancelled) is a warning.
 */
export function dispositionTone(d: CallDisposition | null): 'ok' | 'neutral' | 'warn' | 'bad' | null {
  switch (d) {
    case null: return null;
    case 'answered': return 'ok';
    case 'voicemail': return 'neutral';
    case 'abandoned': case 'failed': return 'bad';
    default: return 'warn';
  }
}

export function callView(c: CallRecord) {
  const talkS = c.answeredAt && c.endedAt ? Math.round((Date.parse(c.endedAt) - Date.parse(c.answeredAt)) / 1000) : null;
  return { ...c, talkS, eventKinds: c.events.map((e) => e.kind).join(', ') };
}

export function registerCallPages(admin: FastifyInstance, ctx: WebContext): void {
  admin.get<{ Querystring: CallQuery }>('/calls', async (request, reply) => {
    const q = request.query ?? {};
    const form = { extension: q.extension ?? '', from: q.from ?? '', to: q.to ?? '', disposition: q.disposition ?? '' };
    const dispositions = DISPOSITIONS.map((d) => ({ value: d, selected: d === form.disposition }));
    const shown = { form, dispositions, timeZone: ctx.options.timeZone };
    try {
      const filter = callFilter(q, ctx.options.timeZone);
      const n = pageNumber(q.page);
      const total = ctx.repos.cdr.count(filter);
      const calls = ctx.repos.cdr.list({ ...filter, limit: PAGE_SIZE, offset: (n - 1) * PAGE_SIZE })
        .map((c) => ({ ...callView(c), tone: dispositionTone(c.disposition) }));
      return sendPage(ctx, reply, 'calls', page(request, 'Call log', 'calls', {
        ...shown, calls, pager: pager('/admin/calls', n, { total, query: form }),
      }));
    } catch (err) {
      const e = expectedError(err);
      return sendPage(ctx, reply, 'calls', page(request, 'Call log', 'calls', { ...shown, calls: [], error: e.message, field: e.field }), e.status);
    }
  });
}
