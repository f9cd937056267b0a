/**
 * Ringing one or more agents for one waiting caller: every agent's phones are rung in parallel
 * (each agent through the ordinary fork, so all its registered phones ring), offering the
 * caller's SDP. The first answer wins and every other agent's INVITE is CANCELled; an answer
 * that races in after that is hung up by the fork. Ends as a value: the winner, or null.
 */
import type { Logger } from '../../log.js';
import { ringContacts, type RingResult, type Timers } from '../call/fork.js';
import type { CallSrf, SrfDialog } from '../call/srf-call-types.js';
import type { FindContacts } from '../registrar/contacts.js';

export interface AgentAnswer {
  agent: string;
  dialog: SrfDialog;
}

export interface RingAgentsRequest {
  agents: string[];
  sdp: string;
  caller: { number: string; displayName?: string };
  timeoutMs: number;
  signal: AbortSignal;
  onOutcome?: (agent: string, result: Exclude<RingResult, { kind: 'answered' }>) => void;
}

export function ringAgents(
  deps: { srf: CallSrf; findContacts: FindContacts; logger: Logger; timers: Timers },
  request: RingAgentsRequest,
): Promise<AgentAnswer | null> {
  const { agents, signal } = request;
  if (agents.length === 0 || signal.aborted) return Promise.resolve(null);
  return new Promise((resolve) => {
    let pending = agents.length;
    let settled = false;
    const controllers = agents.map(() => new AbortController());
    const abortAll = (): void => { for (const c of controllers) c.abort(); };
    const finish = (answer: AgentAnswer | null): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(answer);
    };
    const onAbort = (): void => abortAll();
    signal.addEventListener('abort', onAbort);
    agents.forEach((agent, i) => {
      ringContacts(deps.srf, {
        contacts: deps.findContacts(agent),
        sdp: request.sdp,
        caller: request.caller,
        timeoutMs: request.timeoutMs,
        signal: controllers[i]!.signal,
      }, deps.logger, deps.timers).then((result) => {
        pending--;
        if (result.kind === 'answered') {
          if (settled || signal.aborted) {
            void result.dialog.destroy().catch(() => undefined);
          } else {
            controllers.forEach((c, j) => { if (j !== i) c.abort(); });
            finish({ agent, dialog: result.dialog });
          }
        } else {
          request.onOutcome?.(agent, result);
        }
        if (pending === 0) finish(null);
      }, (err: unknown) => {
        // ringContacts reports outcomes as values; this is a bug guard, never a crash.
        pending--;
        deps.logger.error({ err, agent }, 'ringing a queue agent failed unexpectedly');
        if (pending === 0) finish(null);
      });
    });
  });
}
