/**
 * The per-call step loop: ask the router for a step, run it, report the outcome, repeat.
 * Ringing is injected (`ring`), so the loop is plain logic a unit test drives with fakes;
 * the SIP side lives in fork.ts and call.ts.
 */
import type { Logger } from '../../log.js';
import { describeStep, type CallRouter, type CallStep, type RingStep, type StepOutcome } from '../rules/plan.js';
import type { MediaStep } from './destinations.js';
import type { RingResult } from './fork.js';
import type { SrfDialog } from './srf-call-types.js';

/** The most steps one call may take; the router's maxDepth stops loops first, this is a backstop. */
export const MAX_STEPS = 32;

export type CallEnd =
  | { kind: 'answered'; dialog: SrfDialog; step: RingStep }
  /** Final status for the caller; `disposition` for the CDR. */
  | { kind: 'ended'; status: number; reason: string; disposition: 'busy' | 'no-answer' | 'unavailable' | 'failed' | 'cancelled' }
  /** The call goes to a media destination (voicemail, queue); the caller of runSteps hands it over. */
  | { kind: 'handoff'; step: MediaStep };

export interface StepRunnerDeps {
  router: CallRouter;
  ring: (step: RingStep) => Promise<RingResult>;
  logger: Logger;
  /** Called for every step taken (CDR events, logs). */
  onStep?: (step: CallStep, previous: { step: CallStep; outcome: StepOutcome } | undefined) => void;
  /** True when someone can take this queue/voicemail step; absent or false = treated as unavailable. */
  handoff?: (step: MediaStep) => boolean;
}

function outcomeOf(result: Exclude<RingResult, { kind: 'answered' | 'cancelled' }>): StepOutcome {
  return result.kind;
}

const dispositionOf = (outcome: StepOutcome | undefined): Extract<CallEnd, { kind: 'ended' }>['disposition'] =>
  outcome === undefined || outcome === 'answered' ? 'failed' : outcome;

/** Runs the call's plan from `first` until someone answers or the plan ends. */
export async function runSteps(first: CallStep, deps: StepRunnerDeps): Promise<CallEnd> {
  const { router, ring, logger } = deps;
  let step = first;
  let previous: { step: CallStep; outcome: StepOutcome } | undefined;
  for (let taken = 0; taken < MAX_STEPS; taken++) {
    deps.onStep?.(step, previous);
    switch (step.kind) {
      case 'reject':
        if (step.warn) logger.warn({ path: step.path, status: step.status }, `call cannot continue: ${step.reason}`);
        else logger.info({ path: step.path, status: step.status }, `call ends: ${step.reason}`);
        return { kind: 'ended', status: step.status, reason: step.reason, disposition: dispositionOf(previous?.outcome) };
      case 'loop':
        logger.warn({ path: step.path, status: step.status }, `call refused: ${step.reason}`);
        return { kind: 'ended', status: step.status, reason: step.reason, disposition: 'failed' };
      case 'answered':
        // The router only returns this after a ring step answered, which returns below first.
        return { kind: 'ended', status: 500, reason: 'answered step without a dialog', disposition: 'failed' };
      case 'queue':
      case 'voicemail': {
        if (deps.handoff?.(step) === true) {
          logger.info({ path: step.path }, describeStep(step));
          return { kind: 'handoff', step };
        }
        // Nobody here can answer it (the router rejects them while unavailable); report and move on.
        logger.warn({ path: step.path }, `${describeStep(step)}: not implemented in call handling yet`);
        previous = { step, outcome: 'unavailable' };
        step = router.nextStep(step, 'unavailable');
        continue;
      }
      case 'ring': {
        logger.info({ path: step.path }, describeStep(step));
        const result = await ring(step);
        if (result.kind === 'answered') return { kind: 'answered', dialog: result.dialog, step };
        if (result.kind === 'cancelled') {
          return { kind: 'ended', status: 487, reason: 'caller hung up', disposition: 'cancelled' };
        }
        const outcome = outcomeOf(result);
        logger.info({ path: step.path, outcome }, `extension ${step.extension}: ${outcome}`);
        previous = { step, outcome };
        step = router.nextStep(step, outcome);
        continue;
      }
    }
  }
  logger.error({ path: step.path }, `call gave up after ${MAX_STEPS} steps`);
  return { kind: 'ended', status: 480, reason: `more than ${MAX_STEPS} steps`, disposition: 'failed' };
}
