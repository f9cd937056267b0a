/**
 * Destinations and forwarding rules as HTML form fields and back. The rules themselves are
 * validated by src/pbx/rules (checkForwardingRules); here the web layer adds what only it can
 * check cheaply: that a named extension, mailbox or queue exists.
 */
import type { Repositories } from '../data/types.js';
import { ValidationError } from '../errors.js';
import { checkForwardingRules, describeDestination } from '../pbx/rules/forwarding.js';
import type { Destination, ForwardingRules } from '../pbx/types.js';

export const DESTINATION_KINDS = ['extension', 'voicemail', 'queue', 'hangup'] as const;
export const CONDITIONS = ['always', 'busy', 'noAnswer', 'unavailable'] as const;
export type Condition = (typeof CONDITIONS)[number];

export const CONDITION_LABELS: Record<Condition, string> = {
  always: 'Always (the phone does not ring)',
  busy: 'When busy',
  noAnswer: 'When not answered',
  unavailable: 'When unavailable (not registered)',
};

type Form = Record<string, unknown>;
const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** Form kind + target → a destination object for the validator; '' or 'none' → undefined. */
export function destinationFromForm(kind: unknown, target: unknown): Record<string, unknown> | undefined {
  const k = text(kind);
  if (k === '' || k === 'none') return undefined;
  if (k === 'hangup') return { kind: 'hangup' };
  if (k === 'voicemail') return { kind: 'voicemail', box: text(target) };
  return { kind: k, number: text(target) };
}

export function destinationToForm(d: Destination | undefined): { kind: string; target: string } {
  if (!d) return { kind: 'none', target: '' };
  if (d.kind === 'hangup') return { kind: 'hangup', target: '' };
  return { kind: d.kind, target: d.kind === 'voicemail' ? d.box : d.number };
}

/** Fields: <cond>Kind, <cond>Target for each condition, plus noAnswerAfter (seconds). */
export function forwardingFromForm(form: Form): Record<string, unknown> {
  const rules: Record<string, unknown> = {};
  for (const c of CONDITIONS) {
    const dest = destinationFromForm(form[`${c}Kind`], form[`${c}Target`]);
    if (!dest) continue;
    if (c === 'noAnswer') {
      const after = text(form.noAnswerAfter);
      rules.noAnswer = { after: after === '' ? undefined : Number(after), to: dest };
    } else {
      rules[c] = dest;
    }
  }
  return rules;
}

export function forwardingToForm(rules: ForwardingRules | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of CONDITIONS) {
    const d = c === 'noAnswer' ? rules?.noAnswer?.to : rules?.[c];
    const f = destinationToForm(d);
    out[`${c}Kind`] = f.kind;
    out[`${c}Target`] = f.target;
  }
  out.noAnswerAfter = rules?.noAnswer ? String(rules.noAnswer.after) : '20';
  return out;
}

/** One line per rule for lists: "busy → voicemail 102". */
export function describeForwarding(rules: ForwardingRules | undefined): string[] {
  if (!rules) return [];
  const lines: string[] = [];
  if (rules.always) lines.push(`always → ${describeDestination(rules.always)}`);
  if (rules.busy) lines.push(`busy → ${describeDestination(rules.busy)}`);
  if (rules.noAnswer) lines.push(`no answer after ${rules.noAnswer.after} s → ${describeDestination(rules.noAnswer.to)}`);
  if (rules.unavailable) lines.push(`unavailable → ${describeDestination(rules.unavailable)}`);
  return lines;
}

type Lookup = Pick<Repositories, 'extensions' | 'mailboxes'> & { queues?: { get(number: string): unknown } };

/** A destination that names something missing is refused now, not when a caller hits it. */
export function checkDestinationExists(repos: Lookup, d: Destination, where: string, field: string): void {
  if (d.kind === 'extension' && !repos.extensions.get(d.number)) {
    throw new ValidationError(`${where}: extension ${d.number} does not exist`, field);
  }
  // Every extension owns the mailbox of its number, so an extension number is a valid box too.
  if (d.kind === 'voicemail' && !repos.mailboxes.get(d.box) && !repos.extensions.get(d.box)) {
    throw new ValidationError(`${where}: mailbox ${d.box} does not exist`, field);
  }
  if (d.kind === 'queue' && repos.queues && !repos.queues.get(d.number)) {
    throw new ValidationError(`${where}: queue ${d.number} does not exist`, field);
  }
}

/** Which form field an error from checkForwardingRules is about. */
export function forwardingErrorField(field: string | undefined, message: string): string {
  const f = field ?? '';
  if (f === 'noAnswer.after') return 'noAnswerAfter';
  for (const c of CONDITIONS) {
    if (f === c || f.endsWith(`: ${c}`) || f.endsWith(`: ${c}.to`) || message.includes(`: ${c}`)) return `${c}Target`;
  }
  return 'alwaysTarget';
}

/** Validates (format, then existence) and stores; returns the stored rules. */
export function saveForwarding(repos: Lookup & Pick<Repositories, 'forwarding'>, extension: string, raw: unknown): ForwardingRules {
  const rules = checkForwardingRules(raw, extension);
  const where = `forwarding of extension ${extension}`;
  for (const c of CONDITIONS) {
    const d = c === 'noAnswer' ? rules.noAnswer?.to : rules[c];
    if (!d) continue;
    if (d.kind === 'extension' && d.number === extension) {
      throw new ValidationError(`${where}: ${c}: cannot forward extension ${extension} to itself`, c);
    }
    checkDestinationExists(repos, d, `${where}: ${c}`, c);
  }
  repos.forwarding.set(extension, rules as Record<string, unknown>);
  return rules;
}
