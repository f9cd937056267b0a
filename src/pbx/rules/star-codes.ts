/**
 * Forwarding star codes dialled by the phone user. The SPA303/SPA112 default codes
 * (Cfwd_All_Act_Code *72 …) are kept, but the provisioned profile blanks them on the device so
 * the dialled string reaches the PBX, which stores the rule and so applies it to every phone.
 */
import type { Destination, DirectoryLookup, ForwardCondition, ForwardingRules } from '../types.js';

export interface StarCode {
  code: string;
  condition: Exclude<ForwardCondition, 'unavailable'>;
  action: 'set' | 'clear';
  /** SPA dial-plan pattern that lets the code through, e.g. "*72xx." (a number of 2+ digits). */
  dialPlan: string;
  /** A dialled string the provisioned dial plan must send to the PBX unchanged. */
  example: string;
  description: string;
}

export const STAR_CODES: readonly StarCode[] = Object.freeze([
  { code: '*72', example: '*72102', condition: 'always', action: 'set', dialPlan: '*72xx.', description: 'forward all calls to <number>' },
  { code: '*73', example: '*73', condition: 'always', action: 'clear', dialPlan: '*73', description: 'stop forwarding all calls' },
  { code: '*90', example: '*9011', condition: 'busy', action: 'set', dialPlan: '*90xx.', description: 'forward when busy to <number>' },
  { code: '*91', example: '*91', condition: 'busy', action: 'clear', dialPlan: '*91', description: 'stop forwarding when busy' },
  { code: '*92', example: '*921002', condition: 'noAnswer', action: 'set', dialPlan: '*92xx.', description: 'forward when not answered to <number>' },
  { code: '*93', example: '*93', condition: 'noAnswer', action: 'clear', dialPlan: '*93', description: 'stop forwarding when not answered' },
] as const);

export type StarCodeResult =
  /** Not a forwarding star code: route the dialled number normally. */
  | { kind: 'none' }
  | { kind: 'set-forward'; condition: StarCode['condition']; to: Destination }
  | { kind: 'clear-forward'; condition: StarCode['condition'] }
  /** Refused; `reason` is short enough to say or show to the phone user. */
  | { kind: 'error'; code: string; reason: string };

export interface StarCodeContext {
  /** The extension that dialled. */
  caller: string;
  directory: DirectoryLookup;
}

/** Default ring time a *92 forward gets when the extension had no no-answer rule yet. */
export const DEFAULT_NO_ANSWER_S = 20;

export function parseStarCode(dialled: string, ctx: StarCodeContext): StarCodeResult {
  // Phones send the digits as dialled; a trailing "#" is the user's "send now" key.
  const digits = dialled.trim().replace(/#$/, '');
  const entry = STAR_CODES.find((c) => digits.startsWith(c.code));
  if (entry === undefined) return { kind: 'none' };
  const rest = digits.slice(entry.code.length);
  if (entry.action === 'clear') {
    if (rest !== '') return { kind: 'error', code: entry.code, reason: `${entry.code} takes no number after it` };
    return { kind: 'clear-forward', condition: entry.condition };
  }
  if (rest === '') return { kind: 'error', code: entry.code, reason: `dial ${entry.code} followed by the number to forward to` };
  if (!/^\d+$/.test(rest)) return { kind: 'error', code: entry.code, reason: `"${rest}" is not a number` };
  if (rest === ctx.caller) return { kind: 'error', code: entry.code, reason: `cannot forward ${ctx.caller} to itself` };
  if (ctx.directory.isExtension(rest)) return { kind: 'set-forward', condition: entry.condition, to: { kind: 'extension', number: rest } };
  if (ctx.directory.isQueue(rest)) return { kind: 'set-forward', condition: entry.condition, to: { kind: 'queue', number: rest } };
  return { kind: 'error', code: entry.code, reason: `${rest} is not an extension or queue here` };
}

/** The extension's rules after a star code; other conditions are left as they were. */
export function applyStarCode(
  rules: ForwardingRules,
  action: Extract<StarCodeResult, { kind: 'set-forward' | 'clear-forward' }>,
): ForwardingRules {
  const next: ForwardingRules = { ...rules };
  if (action.kind === 'clear-forward') {
    delete next[action.condition];
    return next;
  }
  if (action.condition === 'noAnswer') {
    next.noAnswer = { after: rules.noAnswer?.after ?? DEFAULT_NO_ANSWER_S, to: action.to };
  } else {
    next[action.condition] = action.to;
  }
  return next;
}

/**
 * The voicemail access number (the phones' Messages key dials it, "*97" by default): the
 * caller's own mailbox. A trailing "#" ("send now") is ignored like for the other codes.
 */
export function isVoicemailAccess(dialled: string, accessNumber: string): boolean {
  return accessNumber !== '' && dialled.trim().replace(/#$/, '') === accessNumber;
}

/** Queue agents pause and resume themselves in every queue they belong to. */
export const AGENT_CODES = Object.freeze({ pause: '*46', resume: '*47' } as const);

/** 'pause' / 'resume' when `dialled` is an agent code (a trailing "#" ignored), else undefined. */
export function parseAgentCode(dialled: string): 'pause' | 'resume' | undefined {
  const digits = dialled.trim().replace(/#$/, '');
  if (digits === AGENT_CODES.pause) return 'pause';
  if (digits === AGENT_CODES.resume) return 'resume';
  return undefined;
}
