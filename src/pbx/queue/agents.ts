/**
 * What the queues know about agents beyond the database: who is ringing for a queue caller,
 * who is on a queue call (the agent's leg on the switchboard), when each agent's last queue
 * call ended (wrap-up). One agent is one person, so this is shared by every queue.
 */
import type { Logger } from '../../log.js';
import type { Queue, QueueMember, QueueRepository } from '../../data/queue-types.js';
import type { Leg } from '../call/switchboard.js';
import type { FindContacts } from '../registrar/contacts.js';
import type { AgentCandidate } from './strategy.js';
import type { AgentState } from './types.js';

export interface AgentBoard {
  state(queue: Queue, member: QueueMember): AgentState;
  candidates(queue: Queue): AgentCandidate[];
  /** Someone can take calls eventually: a member that is not paused and has a registered phone. */
  anyoneCanTake(queue: Queue): boolean;
  ringing(agents: string[], delta: 1 | -1): void;
  /** The agent answered a call of `queue`; `watch` more dialogs whose end ends the agent's call. */
  callStarted(queue: string, agent: string, agentLeg: Leg, callerLeg: Leg): void;
  /** Notices agent legs that ended without an event (released by a transfer); true if any did. */
  refresh(): boolean;
}

export function createAgentBoard(deps: {
  queues: QueueRepository;
  findContacts: FindContacts;
  isBusy?: (extension: string) => boolean;
  now: () => number;
  secondMs: number;
  logger: Logger;
  onFree: (queue: string, agent: string) => void;
}): AgentBoard {
  const ringingFor = new Map<string, number>();
  const calls = new Map<string, { queue: string; leg: Leg }>();
  const lastEnded = new Map<string, number>();

  function ended(agent: string, leg: Leg): void {
    const call = calls.get(agent);
    if (call === undefined || call.leg !== leg) return;
    calls.delete(agent);
    const at = deps.now();
    lastEnded.set(agent, at);
    try {
      deps.queues.recordCallEnded(call.queue, agent, at);
    } catch (err) {
      deps.logger.error({ err, agent }, 'queue: could not record the end of an agent call');
    }
    deps.logger.info({ queue: call.queue, agent }, `queue ${call.queue}: agent ${agent}'s call ended`);
    deps.onFree(call.queue, agent);
  }

  function onCall(agent: string): boolean {
    const call = calls.get(agent);
    if (call !== undefined && (call.leg.gone || !call.leg.dialog.connected)) ended(agent, call.leg);
    return calls.has(agent);
  }

  function state(queue: Queue, member: QueueMember): AgentState {
    const ext = member.extension;
    if (member.paused) return 'paused';
    if (onCall(ext) || deps.isBusy?.(ext) === true) return 'busy';
    if ((ringingFor.get(ext) ?? 0) > 0) return 'ringing';
    const last = Math.max(lastEnded.get(ext) ?? -Infinity, member.lastCallEndedAt ?? -Infinity);
    if (deps.now() < last + queue.wrapUpS * deps.secondMs) return 'wrap-up';
    if (deps.findContacts(ext).length === 0) return 'offline';
    return 'idle';
  }

  return {
    state,
    candidates: (queue) => queue.members.map((m) => ({
      extension: m.extension, order: m.order, lastCallEndedAt: m.lastCallEndedAt, callsTaken: m.callsTaken,
      available: state(queue, m) === 'idle',
    })),
    anyoneCanTake: (queue) => queue.members.some((m) => !m.paused && deps.findContacts(m.extension).length > 0),
    ringing(agents, delta) {
      for (const a of agents) {
        const n = (ringingFor.get(a) ?? 0) + delta;
        if (n > 0) ringingFor.set(a, n);
        else ringingFor.delete(a);
      }
    },
    callStarted(queue, agent, agentLeg, callerLeg) {
      calls.set(agent, { queue, leg: agentLeg });
      try {
        deps.queues.recordCallTaken(queue, agent);
      } catch (err) {
        deps.logger.error({ err, agent }, 'queue: could not count an agent call');
      }
      // Either side's BYE ends the agent's call; a leg released by the PBX is noticed by refresh().
      agentLeg.dialog.on('destroy', () => ended(agent, agentLeg));
      callerLeg.dialog.on('destroy', () => ended(agent, agentLeg));
    },
    refresh() {
      let any = false;
      for (const [agent, call] of [...calls]) {
        if (call.leg.gone || !call.leg.dialog.connected) {
          ended(agent, call.leg);
          any = true;
        }
      }
      return any;
    },
  };
}
