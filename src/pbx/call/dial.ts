/**
 * Dialling a number through the router: the step loop (steps.ts) with ringing done by the
 * parallel fork (fork.ts). Used for a new call and again for the new leg of a blind transfer,
 * so a transfer target's forwarding applies exactly as for a direct call.
 */
import type { Logger } from '../../log.js';
import type { FindContacts } from '../registrar/contacts.js';
import type { CallRouter, CallStep, StepOutcome } from '../rules/plan.js';
import type { MediaStep } from './destinations.js';
import { ringContacts, realTimers, type Timers } from './fork.js';
import type { CallSrf, SipResponseLike } from './srf-call-types.js';
import { runSteps, type CallEnd } from './steps.js';

export interface DiallerDeps {
  srf: CallSrf;
  router: CallRouter;
  findContacts: FindContacts;
  logger: Logger;
  /** Milliseconds one configured ring second lasts: 1000 in service, less in tests. */
  ringSecondMs: number;
  timers?: Timers;
}

export interface DialRequest {
  dialled: string;
  sdp: string;
  caller: { number: string; displayName?: string };
  signal?: AbortSignal;
  onProvisional?: (res: SipResponseLike) => void;
  onStep?: (step: CallStep, previous: { step: CallStep; outcome: StepOutcome } | undefined) => void;
  logger?: Logger;
  /** Whether a queue/voicemail step can be handed to a media destination (steps.ts). */
  handoff?: (step: MediaStep) => boolean;
}

export interface Dialler {
  dial(request: DialRequest): Promise<CallEnd>;
}

export function createDialler(deps: DiallerDeps): Dialler {
  const timers = deps.timers ?? realTimers;
  return {
    dial(request) {
      const logger = request.logger ?? deps.logger;
      return runSteps(deps.router.firstStep(request.dialled), {
        router: deps.router,
        logger,
        ...(request.onStep ? { onStep: request.onStep } : {}),
        ...(request.handoff ? { handoff: request.handoff } : {}),
        ring: (step) => ringContacts(deps.srf, {
          contacts: deps.findContacts(step.extension),
          sdp: request.sdp,
          caller: request.caller,
          timeoutMs: step.timeoutS * deps.ringSecondMs,
          ...(request.onProvisional ? { onProvisional: request.onProvisional } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
        }, logger, timers),
      });
    },
  };
}
