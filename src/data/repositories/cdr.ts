import type { Db } from '../db.js';
import type { CallDisposition, CallEvent, CallRecord, CdrFilter, CdrRepository } from '../types.js';
import { NotFoundError, ValidationError } from '../../errors.js';

interface CdrRow {
  id: number;
  call_id: string;
  caller: string;
  callee: string;
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  disposition: CallDisposition | null;
  events: string;
}

/** Every disposition a call record may end with (the cdr table's CHECK constraint, migration 007). */
export const DISPOSITIONS: readonly CallDisposition[] = [
  'answered', 'voicemail', 'abandoned', 'busy', 'no-answer', 'unavailable', 'cancelled', 'failed',
];
const MAX_EVENTS = 100;
const MAX_PARTY = 128;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

const toRecord = (row: CdrRow): CallRecord => ({
  id: row.id,
  callId: row.call_id,
  caller: row.caller,
  callee: row.callee,
  startedAt: row.started_at,
  answeredAt: row.answered_at,
  endedAt: row.ended_at,
  disposition: row.disposition,
  events: JSON.parse(row.events) as CallEvent[],
});

function checkTime(value: string | undefined, field: string): string {
  if (value === undefined) return new Date().toISOString();
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    throw new ValidationError(`call record: ${field} ${JSON.stringify(value)} is not an ISO 8601 time`, field);
  }
  return new Date(value).toISOString();
}

function checkParty(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_PARTY) {
    throw new ValidationError(`call record: ${field} must be 1–${MAX_PARTY} characters, got ${JSON.stringify(value)}`, field);
  }
  return value.trim();
}

export function createCdrRepository(db: Db): CdrRepository {
  const insert = db.prepare(
    'INSERT INTO cdr (call_id, caller, callee, started_at) VALUES (@callId, @caller, @callee, @at)',
  );
  const selectOne = db.prepare<[number], CdrRow>('SELECT * FROM cdr WHERE id = ?');
  // Only the first answer counts: a re-answer after a transfer is an event, not the answer time.
  const setAnswered = db.prepare('UPDATE cdr SET answered_at = COALESCE(answered_at, ?) WHERE id = ?');
  const setEnded = db.prepare('UPDATE cdr SET ended_at = ?, disposition = ? WHERE id = ?');
  const setEvents = db.prepare('UPDATE cdr SET events = ? WHERE id = ?');
  const FILTER = `(@party IS NULL OR caller = @party OR callee = @party)
       AND (@caller IS NULL OR caller = @caller) AND (@callee IS NULL OR callee = @callee)
       AND (@since IS NULL OR started_at >= @since) AND (@until IS NULL OR started_at < @until)
       AND (@disposition IS NULL OR disposition = @disposition)`;
  const selectFiltered = db.prepare<Record<string, unknown>, CdrRow>(
    `SELECT * FROM cdr WHERE ${FILTER} ORDER BY started_at DESC, id DESC LIMIT @limit OFFSET @offset`,
  );
  const countFiltered = db.prepare<Record<string, unknown>, { n: number }>(`SELECT COUNT(*) AS n FROM cdr WHERE ${FILTER}`);

  function filterParams(filter: Omit<CdrFilter, 'limit' | 'offset'>) {
    if (filter.disposition !== undefined && !DISPOSITIONS.includes(filter.disposition)) {
      throw new ValidationError(`call records: disposition ${JSON.stringify(filter.disposition)} is not one of ${DISPOSITIONS.join(', ')}`, 'disposition');
    }
    return {
      party: filter.party ?? null,
      caller: filter.caller ?? null,
      callee: filter.callee ?? null,
      since: filter.since === undefined ? null : checkTime(filter.since, 'since'),
      until: filter.until === undefined ? null : checkTime(filter.until, 'until'),
      disposition: filter.disposition ?? null,
    };
  }

  function existing(id: number): CdrRow {
    const row = selectOne.get(id);
    if (!row) throw new NotFoundError(`call record ${id} does not exist`, 'id');
    return row;
  }

  return {
    start(call) {
      const row = {
        callId: checkParty(call.callId, 'callId'),
        caller: checkParty(call.caller, 'caller'),
        callee: checkParty(call.callee, 'callee'),
        at: checkTime(call.at, 'at'),
      };
      const id = Number(insert.run(row).lastInsertRowid);
      return toRecord(existing(id));
    },
    answer(id, at) {
      existing(id);
      setAnswered.run(checkTime(at, 'at'), id);
    },
    end(id, disposition, at) {
      if (!DISPOSITIONS.includes(disposition)) {
        throw new ValidationError(`call record: disposition ${JSON.stringify(disposition)} is not one of ${DISPOSITIONS.join(', ')}`, 'disposition');
      }
      existing(id);
      setEnded.run(checkTime(at, 'at'), disposition, id);
    },
    addEvent(id, event) {
      if (typeof event?.kind !== 'string' || event.kind === '') {
        throw new ValidationError('call record: event kind is missing', 'kind');
      }
      const row = existing(id);
      const events = JSON.parse(row.events) as CallEvent[];
      // Bounded: a loop of transfers must not grow one row without limit.
      if (events.length >= MAX_EVENTS) return;
      events.push({ ...event, kind: event.kind, at: checkTime(event.at, 'at') });
      setEvents.run(JSON.stringify(events), id);
    },
    get(id) {
      const row = selectOne.get(id);
      return row ? toRecord(row) : undefined;
    },
    list(filter: CdrFilter = {}) {
      const limit = filter.limit ?? DEFAULT_LIMIT;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        throw new ValidationError(`call records: limit must be 1–${MAX_LIMIT}, got ${JSON.stringify(filter.limit)}`, 'limit');
      }
      const offset = filter.offset ?? 0;
      if (!Number.isInteger(offset) || offset < 0) {
        throw new ValidationError(`call records: offset must be a whole number from 0, got ${JSON.stringify(filter.offset)}`, 'offset');
      }
      const { limit: _l, offset: _o, ...rest } = filter;
      return selectFiltered.all({ ...filterParams(rest), limit, offset }).map(toRecord);
    },
    count(filter = {}) {
      return countFiltered.get(filterParams(filter))!.n;
    },
  };
}
