import type { Db } from '../db.js';
import {
  QUEUE_DEFAULTS, QUEUE_STRATEGIES, type NewQueue, type Queue, type QueueLanguage, type QueueMember, type QueueOverflow,
  type QueuePatch, type QueueRepository, type QueueStrategy,
} from '../queue-types.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { checkDisplayName, checkExtensionNumber } from '../validate.js';
import { mapConstraintError } from '../sqlite-errors.js';

interface QueueRow {
  number: string; name: string; strategy: QueueStrategy; ring_timeout_s: number; wrap_up_s: number; max_wait_s: number;
  announce_position_s: number | null; language: QueueLanguage; overflow: string; created_at: string; updated_at: string;
}
interface MemberRow {
  queue: string; extension: string; position: number; paused: number; last_call_ended_at: number | null; calls_taken: number;
}

/** Queue numbers share the dial plan with extensions (2–4 digits) and department mailboxes (up to 6). */
const QUEUE_NUMBER = /^\d{2,6}$/;
export const MAX_QUEUE_MEMBERS = 100;

export function checkQueueNumber(value: unknown, field = 'number'): string {
  const text = typeof value === 'string' ? value.trim() : String(value);
  if (!QUEUE_NUMBER.test(text)) {
    throw new ValidationError(`${field} ${JSON.stringify(value)} is not a queue number (expected 2–6 digits, e.g. "30")`, field);
  }
  return text;
}

export function checkStrategy(value: unknown): QueueStrategy {
  if (!QUEUE_STRATEGIES.includes(value as QueueStrategy)) {
    throw new ValidationError(`strategy ${JSON.stringify(value)} is not a queue strategy (expected one of ${QUEUE_STRATEGIES.join(', ')})`, 'strategy');
  }
  return value as QueueStrategy;
}

function checkSeconds(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`${field} ${JSON.stringify(value)} is not allowed: expected whole seconds from ${min} to ${max}`, field);
  }
  return value;
}

function checkLanguage(value: unknown): QueueLanguage {
  if (value !== 'pl' && value !== 'en') throw new ValidationError(`language ${JSON.stringify(value)} is not supported (expected "pl" or "en")`, 'language');
  return value;
}

/** "500" and "voicemail:500" mean a voicemail box; "extension:101", "queue:31" the others. */
export function parseOverflow(value: unknown): QueueOverflow {
  if (typeof value === 'string') {
    const text = value.trim();
    const match = /^(?:(voicemail|extension|queue):)?(\d+)$/.exec(text);
    if (!match) {
      throw new ValidationError(`overflow ${JSON.stringify(value)} is not a destination (expected a voicemail box like "500", "voicemail:500", "extension:101" or "queue:31")`, 'overflow');
    }
    const kind = (match[1] ?? 'voicemail') as QueueOverflow['kind'];
    return kind === 'voicemail' ? { kind, box: match[2]! } : { kind, number: match[2]! };
  }
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o['kind'] === 'voicemail' && typeof o['box'] === 'string') return parseOverflow(`voicemail:${o['box']}`);
    if ((o['kind'] === 'extension' || o['kind'] === 'queue') && typeof o['number'] === 'string') return parseOverflow(`${o['kind']}:${o['number']}`);
  }
  throw new ValidationError(`overflow ${JSON.stringify(value)} is not a destination (expected {kind: "voicemail", box} or {kind: "extension"|"queue", number})`, 'overflow');
}

export function describeOverflow(o: QueueOverflow): string {
  return o.kind === 'voicemail' ? `voicemail ${o.box}` : `${o.kind} ${o.number}`;
}

const toMember = (r: MemberRow): QueueMember => ({
  extension: r.extension, order: r.position, paused: r.paused === 1, lastCallEndedAt: r.last_call_ended_at, callsTaken: r.calls_taken,
});

export function createQueueRepository(db: Db): QueueRepository {
  const insert = db.prepare(
    `INSERT INTO queues (number, name, strategy, ring_timeout_s, wrap_up_s, max_wait_s, announce_position_s, language, overflow, created_at, updated_at)
     VALUES (@number, @name, @strategy, @ringTimeoutS, @wrapUpS, @maxWaitS, @announcePositionS, @language, @overflow, @now, @now)`,
  );
  const save = db.prepare(
    `UPDATE queues SET name = @name, strategy = @strategy, ring_timeout_s = @ringTimeoutS, wrap_up_s = @wrapUpS, max_wait_s = @maxWaitS,
       announce_position_s = @announcePositionS, language = @language, overflow = @overflow, updated_at = @now WHERE number = @number`,
  );
  const byNumber = db.prepare<[string], QueueRow>('SELECT * FROM queues WHERE number = ?');
  const all = db.prepare<[], QueueRow>('SELECT * FROM queues ORDER BY CAST(number AS INTEGER), number');
  const deleteOne = db.prepare('DELETE FROM queues WHERE number = ?');
  const membersOf = db.prepare<[string], MemberRow>('SELECT * FROM queue_members WHERE queue = ? ORDER BY position, extension');
  const insertMember = db.prepare('INSERT INTO queue_members (queue, extension, position) VALUES (?, ?, ?)');
  const deleteMember = db.prepare('DELETE FROM queue_members WHERE queue = ? AND extension = ?');
  const setPosition = db.prepare('UPDATE queue_members SET position = ? WHERE queue = ? AND extension = ?');
  const pauseIn = db.prepare('UPDATE queue_members SET paused = ? WHERE queue = ? AND extension = ?');
  const queuesOfExt = db.prepare<[string], { queue: string }>('SELECT queue FROM queue_members WHERE extension = ? ORDER BY CAST(queue AS INTEGER), queue');
  const taken = db.prepare('UPDATE queue_members SET calls_taken = calls_taken + 1 WHERE queue = ? AND extension = ?');
  const ended = db.prepare('UPDATE queue_members SET last_call_ended_at = ? WHERE queue = ? AND extension = ?');
  const extensionExists = db.prepare<[string], { number: string }>('SELECT number FROM extensions WHERE number = ?');
  const mailboxExists = db.prepare<[string], { box: string }>('SELECT box FROM mailboxes WHERE box = ?');
  const entryExists = db.prepare<[string], { number: string }>('SELECT number FROM entry_numbers WHERE number = ?');

  const toQueue = (r: QueueRow): Queue => ({
    number: r.number, name: r.name, strategy: r.strategy, ringTimeoutS: r.ring_timeout_s, wrapUpS: r.wrap_up_s,
    maxWaitS: r.max_wait_s, announcePositionS: r.announce_position_s, language: r.language,
    overflow: JSON.parse(r.overflow) as QueueOverflow, members: membersOf.all(r.number).map(toMember),
    createdAt: r.created_at, updatedAt: r.updated_at,
  });

  function checkFreeNumber(number: string): void {
    if (extensionExists.get(number)) throw new ValidationError(`queue number ${number} is already extension ${number}; pick a number no extension uses`, 'number');
    if (mailboxExists.get(number)) throw new ValidationError(`queue number ${number} is already voicemail box ${number}; pick another number`, 'number');
    if (entryExists.get(number)) throw new ValidationError(`queue number ${number} is already an entry number; pick another number`, 'number');
  }

  function checkMemberExtension(value: unknown, field: string): string {
    const number = checkExtensionNumber(value, field);
    if (!extensionExists.get(number)) throw new ValidationError(`${field}: extension ${number} does not exist (add it first: hookflash extension add ${number})`, field);
    return number;
  }

  /** The overflow target must exist now; a queue overflowing to itself would never end. */
  function checkOverflow(value: unknown, self: string): QueueOverflow {
    if (value === undefined || value === null) {
      throw new ValidationError('overflow is required: a voicemail box (e.g. "500"), "extension:101" or "queue:31"', 'overflow');
    }
    const o = parseOverflow(value);
    if (o.kind === 'voicemail' && !mailboxExists.get(o.box) && !extensionExists.get(o.box)) {
      throw new ValidationError(`overflow: voicemail box ${o.box} does not exist`, 'overflow');
    }
    if (o.kind === 'extension' && !extensionExists.get(o.number)) throw new ValidationError(`overflow: extension ${o.number} does not exist`, 'overflow');
    if (o.kind === 'queue') {
      if (o.number === self) throw new ValidationError(`overflow: queue ${self} cannot overflow to itself`, 'overflow');
      if (!byNumber.get(o.number)) throw new ValidationError(`overflow: queue ${o.number} does not exist`, 'overflow');
    }
    return o;
  }

  function fields(number: string, q: QueuePatch, current?: Queue) {
    return {
      number,
      name: q.name !== undefined ? checkDisplayName(q.name, 'name') : current?.name ?? `Queue ${number}`,
      strategy: q.strategy !== undefined ? checkStrategy(q.strategy) : current?.strategy ?? QUEUE_DEFAULTS.strategy,
      ringTimeoutS: q.ringTimeoutS !== undefined ? checkSeconds(q.ringTimeoutS, 'ringTimeoutS', 1, 300) : current?.ringTimeoutS ?? QUEUE_DEFAULTS.ringTimeoutS,
      wrapUpS: q.wrapUpS !== undefined ? checkSeconds(q.wrapUpS, 'wrapUpS', 0, 600) : current?.wrapUpS ?? QUEUE_DEFAULTS.wrapUpS,
      maxWaitS: q.maxWaitS !== undefined ? checkSeconds(q.maxWaitS, 'maxWaitS', 1, 3600) : current?.maxWaitS ?? QUEUE_DEFAULTS.maxWaitS,
      announcePositionS: q.announcePositionS !== undefined
        ? (q.announcePositionS === null ? null : checkSeconds(q.announcePositionS, 'announcePositionS', 10, 600))
        : current?.announcePositionS ?? QUEUE_DEFAULTS.announcePositionS,
      language: q.language !== undefined ? checkLanguage(q.language) : current?.language ?? QUEUE_DEFAULTS.language,
      overflow: JSON.stringify(q.overflow !== undefined || current === undefined ? checkOverflow(q.overflow, number) : current.overflow),
      now: new Date().toISOString(),
    };
  }

  function get(number: string): Queue | undefined {
    const r = byNumber.get(String(number).trim());
    return r ? toQueue(r) : undefined;
  }

  function requireQueue(number: string): Queue {
    const q = get(number);
    if (!q) throw new NotFoundError(`queue ${number} does not exist`, 'queue');
    return q;
  }

  /** Rewrites positions 1..n in the given order. */
  function renumber(queue: string, extensions: string[]): void {
    extensions.forEach((ext, i) => setPosition.run(i + 1, queue, ext));
  }

  return {
    add(q) {
      const number = checkQueueNumber(q?.number);
      if (byNumber.get(number)) throw new ConflictError(`queue ${number} already exists`, 'number');
      checkFreeNumber(number);
      const row = fields(number, q);
      const members = (q.members ?? []).map((m, i) => checkMemberExtension(m, `members[${i}]`));
      if (members.length > MAX_QUEUE_MEMBERS) throw new ValidationError(`members: at most ${MAX_QUEUE_MEMBERS} per queue`, 'members');
      const duplicate = members.find((m, i) => members.indexOf(m) !== i);
      if (duplicate !== undefined) throw new ValidationError(`members: extension ${duplicate} is listed twice`, 'members');
      try {
        db.transaction(() => {
          insert.run(row);
          members.forEach((ext, i) => insertMember.run(number, ext, i + 1));
        })();
      } catch (err) {
        throw mapConstraintError(err, `queue ${number}`);
      }
      return get(number)!;
    },
    get,
    list: () => all.all().map(toQueue),
    update(number, patch) {
      const current = requireQueue(number);
      save.run(fields(current.number, patch, current));
      return get(current.number)!;
    },
    remove(number) {
      const key = String(number).trim();
      const referring = all.all().filter((r) => {
        const o = JSON.parse(r.overflow) as QueueOverflow;
        return o.kind === 'queue' && o.number === key && r.number !== key;
      });
      if (referring.length > 0) {
        throw new ConflictError(`queue ${key} is the overflow of queue(s) ${referring.map((r) => r.number).join(', ')}; change their overflow first`, 'number');
      }
      return deleteOne.run(key).changes > 0;
    },
    addMember(queue, extension, order) {
      const q = requireQueue(queue);
      const ext = checkMemberExtension(extension, 'extension');
      const others = q.members.map((m) => m.extension).filter((e) => e !== ext);
      if (others.length >= MAX_QUEUE_MEMBERS) throw new ValidationError(`queue ${q.number} already has ${MAX_QUEUE_MEMBERS} members`, 'extension');
      if (order !== undefined && (!Number.isInteger(order) || order < 1)) {
        throw new ValidationError(`order ${JSON.stringify(order)} is not allowed: expected a position from 1`, 'order');
      }
      const at = Math.min(order ?? others.length + 1, others.length + 1) - 1;
      const next = [...others.slice(0, at), ext, ...others.slice(at)];
      db.transaction(() => {
        if (!q.members.some((m) => m.extension === ext)) insertMember.run(q.number, ext, next.length);
        renumber(q.number, next);
      })();
      return get(q.number)!;
    },
    removeMember(queue, extension) {
      const q = requireQueue(queue);
      const key = String(extension).trim();
      return db.transaction(() => {
        const removed = deleteMember.run(q.number, key).changes > 0;
        if (removed) renumber(q.number, q.members.map((m) => m.extension).filter((e) => e !== key));
        return removed;
      })();
    },
    setPaused(extension, paused, queue) {
      const ext = String(extension).trim();
      const mine = queuesOfExt.all(ext).map((r) => r.queue);
      if (queue !== undefined) {
        const q = requireQueue(queue);
        if (!mine.includes(q.number)) throw new ValidationError(`extension ${ext} is not a member of queue ${q.number}`, 'extension');
        pauseIn.run(paused ? 1 : 0, q.number, ext);
        return [q.number];
      }
      db.transaction(() => { for (const q of mine) pauseIn.run(paused ? 1 : 0, q, ext); })();
      return mine;
    },
    queuesOf: (extension) => queuesOfExt.all(String(extension).trim()).map((r) => r.queue),
    recordCallTaken(queue, extension) { taken.run(queue, extension); },
    recordCallEnded(queue, extension, at) { ended.run(Math.trunc(at), queue, extension); },
  };
}
