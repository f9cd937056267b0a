import { ValidationError } from '../errors.js';

/**
 * The SPA dial plan for our numbering: extensions of 2–4 digits, star codes handled by the PBX
 * (*72<ext> forward all, *73 cancel, and any other *xx / *xxx code), the voicemail number and
 * admin extras such as queue numbers or an outside-line prefix. The phone sends a number as
 * soon as it matches a pattern that cannot grow; shorter matches wait Interdigit_Short_Timer.
 */
export interface DialPlanOptions {
  voicemailNumber: string;
  /** Additional alternatives, e.g. ["700", "0xxxxxxxxx."]; validated by validateDialPlanElement. */
  extras: string[];
}

// Characters of the SPA dial-plan syntax: digits, x, * #, ranges, repetition, <a:b>
// substitution, ! block, S/L/P timers and their ":" and "," parameters.
const ELEMENT = /^[0-9xX*#.[\]<>:,!SLP-]+$/;

export function validateDialPlanElement(element: string, field = 'dialPlanExtras'): string {
  if (!ELEMENT.test(element) || element.length > 64) {
    throw new ValidationError(
      `dial-plan element "${element}" (${field}) may only use digits, x * # . [ ] - < > : , ! S L P and at most 64 characters`,
      field,
    );
  }
  return element;
}

export function validateDialPlan(plan: string, field = 'dialPlan'): string {
  const m = /^\((.*)\)$/.exec(plan.trim());
  if (!m || m[1]!.trim() === '') throw new ValidationError(`dial plan (${field}) must look like "(xx|xxx|*xx)"`, field);
  for (const part of m[1]!.split('|')) validateDialPlanElement(part.trim(), field);
  return plan.trim();
}

export function buildDialPlan(opts: DialPlanOptions): string {
  const alternatives = [
    // forward all to an extension, then cancel: the PBX implements both server-side
    '*72xx', '*72xxx', '*72xxxx', '*73S0',
    // any other star code goes to the PBX too
    '*xx', '*xxx', '*xxxx',
    // extensions and queues (2–4 digits)
    'xx', 'xxx', 'xxxx',
  ];
  const vm = opts.voicemailNumber.trim();
  if (vm !== '') alternatives.push(validateDialPlanElement(vm, 'voicemailNumber'));
  for (const extra of opts.extras) alternatives.push(validateDialPlanElement(extra.trim()));
  return `(${[...new Set(alternatives)].join('|')})`;
}
