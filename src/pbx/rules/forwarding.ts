/**
 * Validation and wording for destinations and per-extension forwarding rules: the admin UI,
 * the API and the data layer all accept rules through checkForwardingRules().
 */
import { ValidationError } from '../../errors.js';
import type { Destination, ForwardingRules } from '../types.js';

const NUMBER = /^\d{2,6}$/;
export const MIN_NO_ANSWER_S = 5;
export const MAX_NO_ANSWER_S = 300;

/** Human wording for logs and the UI: "extension 102", "voicemail 102", "hang up". */
export function describeDestination(d: Destination): string {
  switch (d.kind) {
    case 'extension': return `extension ${d.number}`;
    case 'queue': return `queue ${d.number}`;
    case 'voicemail': return `voicemail ${d.box}`;
    case 'hangup': return 'hang up';
  }
}

export function checkDestination(value: unknown, where: string): Destination {
  const d = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const numberField = (field: 'number' | 'box'): string => {
    const n = d[field];
    if (typeof n !== 'string' || !NUMBER.test(n)) {
      throw new ValidationError(`${where}: ${field} ${JSON.stringify(n)} is not a number of 2–6 digits`, where);
    }
    return n;
  };
  switch (d.kind) {
    case 'extension': return { kind: 'extension', number: numberField('number') };
    case 'queue': return { kind: 'queue', number: numberField('number') };
    case 'voicemail': return { kind: 'voicemail', box: numberField('box') };
    case 'hangup': return { kind: 'hangup' };
    default:
      throw new ValidationError(
        `${where}: destination kind ${JSON.stringify(d.kind)} is not one of extension, queue, voicemail, hangup`, where,
      );
  }
}

/** Validates rules for one extension; messages read "forwarding of extension 10: busy: …". */
export function checkForwardingRules(value: unknown, extension: string): ForwardingRules {
  const where = `forwarding of extension ${extension}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(`${where}: expected an object with always, busy, noAnswer, unavailable`);
  }
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!['always', 'busy', 'noAnswer', 'unavailable'].includes(key)) {
      throw new ValidationError(`${where}: unknown condition ${JSON.stringify(key)} (expected always, busy, noAnswer, unavailable)`, key);
    }
  }
  const rules: ForwardingRules = {};
  if (raw.always !== undefined) rules.always = checkDestination(raw.always, `${where}: always`);
  if (raw.busy !== undefined) rules.busy = checkDestination(raw.busy, `${where}: busy`);
  if (raw.unavailable !== undefined) rules.unavailable = checkDestination(raw.unavailable, `${where}: unavailable`);
  if (raw.noAnswer !== undefined) {
    const na = (typeof raw.noAnswer === 'object' && raw.noAnswer !== null ? raw.noAnswer : {}) as Record<string, unknown>;
    const after = na.after;
    if (typeof after !== 'number' || !Number.isInteger(after) || after < MIN_NO_ANSWER_S || after > MAX_NO_ANSWER_S) {
      throw new ValidationError(
        `${where}: noAnswer.after must be whole seconds from ${MIN_NO_ANSWER_S} to ${MAX_NO_ANSWER_S}, got ${JSON.stringify(after)}`,
        'noAnswer.after',
      );
    }
    rules.noAnswer = { after, to: checkDestination(na.to, `${where}: noAnswer.to`) };
  }
  return rules;
}
