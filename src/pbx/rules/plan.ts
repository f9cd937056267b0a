/**
 * The router: turns a dialled number and the rules (business hours, forwarding) into call
 * steps, one at a time. The per-call object runs a step, reports its outcome, and asks for the
 * next one:
 *
 *   firstStep('102') → { kind: 'ring', extension: '102', timeoutS: 20,
 *                        onBusy: voicemail 102, onNoAnswer: voicemail 102 }
 *   nextStep(that, 'busy') → { kind: 'voicemail', box: '102', cause: 'busy' }
 *
 * Steps are plain values (easy to log and test). Each carries the path of numbers followed
 * so far, which is how forwarding loops (10 → 12 → 10) are caught however they arise.
 * Expanding the whole tree up front would grow with every branch; resolving on demand also
 * picks up forwarding changed while a call rings.
 */
import type { Destination, DirectoryLookup, ForwardingStore, ScheduleStore } from '../types.js';
import { describeDestination } from './forwarding.js';
import { isOpen } from './schedule.js';

export type StepOutcome = 'answered' | 'busy' | 'no-answer' | 'unavailable' | 'failed';

/** Why a step was reached: logs, and the voicemail greeting (busy vs unavailable). */
export type StepCause = 'dialled' | 'always' | 'busy' | 'no-answer' | 'unavailable' | 'in-hours' | 'after-hours';

export interface RingStep {
  kind: 'ring';
  extension: string;
  timeoutS: number;
  cause: StepCause;
  /** Numbers followed to get here, ending with `extension`. */
  path: string[];
  /** Where the unhappy outcomes go; absent = the call ends with the matching status. */
  onBusy?: Destination;
  onNoAnswer?: Destination;
  /** Also used for 'failed': a phone that cannot take the call is, to the caller, unreachable. */
  onUnavailable?: Destination;
}

export type CallStep =
  | RingStep
  | { kind: 'queue'; number: string; cause: StepCause; path: string[] }
  | { kind: 'voicemail'; box: string; cause: StepCause; path: string[] }
  /** End the call with `status`. `warn`: a configuration problem the call logs at warn level. */
  | { kind: 'reject'; status: 404 | 480 | 486; reason: string; warn: boolean; path: string[] }
  /** Forwarding went round in a circle (482) or too deep (480); the call logs `reason`. */
  | { kind: 'loop'; status: 482 | 480; reason: string; path: string[] }
  | { kind: 'answered'; path: string[] };

export interface CallRouterDeps {
  forwarding: Pick<ForwardingStore, 'getForwarding'>;
  schedules: ScheduleStore;
  directory: DirectoryLookup;
  clock: () => number;
  /** Ring time when the extension has no no-answer forward. */
  defaultRingTimeoutS?: number;
  /** Most numbers one call may pass through. */
  maxDepth?: number;
  /** Features that exist yet; until then such destinations answer 480 with a clear reason. */
  available?: { voicemail: boolean; queues: boolean };
}

export interface CallRouter {
  firstStep(dialled: string): CallStep;
  nextStep(step: CallStep, outcome: StepOutcome): CallStep;
}

export function createCallRouter(deps: CallRouterDeps): CallRouter {
  const { forwarding, schedules, directory, clock } = deps;
  const defaultRingTimeoutS = deps.defaultRingTimeoutS ?? 30;
  const maxDepth = deps.maxDepth ?? 10;
  const available = deps.available ?? { voicemail: false, queues: false };

  const reject = (status: 404 | 480 | 486, reason: string, warn: boolean, path: string[]): CallStep =>
    ({ kind: 'reject', status, reason, warn, path });

  function resolve(destination: Destination, path: string[], cause: StepCause): CallStep {
    const via = path.length > 0 ? ` (reached via ${path.join(' → ')}, ${cause})` : '';
    switch (destination.kind) {
      case 'hangup':
        return reject(480, `rule says hang up${via}`, false, path);
      case 'voicemail':
        if (!available.voicemail) {
          return reject(480, `voicemail ${destination.box} cannot answer: voicemail is not available yet${via}`, true, path);
        }
        if (!directory.isMailbox(destination.box)) {
          return reject(480, `voicemail box ${destination.box} does not exist${via}`, true, path);
        }
        return { kind: 'voicemail', box: destination.box, cause, path };
      case 'queue':
        return resolveQueue(destination.number, path, cause, via);
      case 'extension':
        return resolveNumber(destination.number, path, cause);
    }
  }

  function resolveQueue(number: string, path: string[], cause: StepCause, via: string): CallStep {
    if (!available.queues) return reject(480, `queue ${number} cannot answer: queues are not available yet${via}`, true, path);
    if (!directory.isQueue(number)) return reject(480, `queue ${number} does not exist${via}`, true, path);
    return { kind: 'queue', number, cause, path };
  }

  /** A number: an entry number (business hours), an extension (forwarding), or a queue. */
  function resolveNumber(number: string, path: string[], cause: StepCause): CallStep {
    const followed = [...path, number];
    if (path.includes(number)) {
      return { kind: 'loop', status: 482, reason: `forwarding loop: ${followed.join(' → ')}`, path: followed };
    }
    if (path.length >= maxDepth) {
      return {
        kind: 'loop', status: 480, path: followed,
        reason: `forwarding deeper than ${maxDepth} numbers: ${followed.join(' → ')}`,
      };
    }
    const entry = schedules.getEntry(number);
    if (entry !== undefined) {
      const open = isOpen(entry.schedule, clock());
      return resolve(open ? entry.inHours : entry.afterHours, followed, open ? 'in-hours' : 'after-hours');
    }
    if (!directory.isExtension(number)) {
      if (directory.isQueue(number)) {
        const via = path.length > 0 ? ` (reached via ${path.join(' → ')}, ${cause})` : '';
        return resolveQueue(number, path, cause, via);
      }
      return path.length === 0
        ? reject(404, `${number} is not a number here`, false, path)
        : reject(480, `forward to ${number}, which is not an extension, queue or entry number (reached via ${path.join(' → ')}, ${cause})`, true, path);
    }
    const rules = forwarding.getForwarding(number) ?? {};
    if (rules.always) return resolve(rules.always, followed, 'always');
    return {
      kind: 'ring',
      extension: number,
      timeoutS: rules.noAnswer?.after ?? defaultRingTimeoutS,
      cause,
      path: followed,
      ...(rules.busy ? { onBusy: rules.busy } : {}),
      ...(rules.noAnswer ? { onNoAnswer: rules.noAnswer.to } : {}),
      ...(rules.unavailable ? { onUnavailable: rules.unavailable } : {}),
    };
  }

  function firstStep(dialled: string): CallStep {
    return resolveNumber(dialled, [], 'dialled');
  }

  function nextStep(step: CallStep, outcome: StepOutcome): CallStep {
    if (step.kind === 'reject' || step.kind === 'loop' || step.kind === 'answered') {
      throw new Error(`nextStep: a "${step.kind}" step ends the call and has no next step`);
    }
    if (outcome === 'answered') return { kind: 'answered', path: step.path };
    if (step.kind !== 'ring') {
      const what = step.kind === 'queue' ? `queue ${step.number}` : `voicemail ${step.box}`;
      return reject(480, `${what} could not take the call (${outcome})`, true, step.path);
    }
    const ext = `extension ${step.extension}`;
    switch (outcome) {
      case 'busy':
        return step.onBusy ? resolve(step.onBusy, step.path, 'busy') : reject(486, `${ext} is busy`, false, step.path);
      case 'no-answer':
        return step.onNoAnswer
          ? resolve(step.onNoAnswer, step.path, 'no-answer')
          : reject(480, `${ext} did not answer within ${step.timeoutS} s`, false, step.path);
      case 'unavailable':
      case 'failed':
        return step.onUnavailable
          ? resolve(step.onUnavailable, step.path, 'unavailable')
          : reject(480, outcome === 'unavailable' ? `${ext} is not registered` : `${ext} could not take the call`, false, step.path);
    }
  }

  return { firstStep, nextStep };
}

/** One log-friendly line: "ring extension 102 for 20 s; busy → voicemail 102; no answer → voicemail 102". */
export function describeStep(step: CallStep): string {
  switch (step.kind) {
    case 'ring': {
      const parts = [`ring extension ${step.extension} for ${step.timeoutS} s`];
      if (step.onBusy) parts.push(`busy → ${describeDestination(step.onBusy)}`);
      if (step.onNoAnswer) parts.push(`no answer → ${describeDestination(step.onNoAnswer)}`);
      if (step.onUnavailable) parts.push(`unavailable → ${describeDestination(step.onUnavailable)}`);
      return parts.join('; ');
    }
    case 'queue': return `queue ${step.number} (${step.cause})`;
    case 'voicemail': return `voicemail ${step.box} (${step.cause})`;
    case 'reject': return `reject ${step.status}: ${step.reason}`;
    case 'loop': return `reject ${step.status}: ${step.reason}`;
    case 'answered': return `answered (${step.path.join(' → ')})`;
  }
}
