/**
 * What the PBX can tell the web UI about right now (active calls, queues). The web layer only
 * reads these through optional providers in WebOptions; the composition root wires the real
 * ones, and without them the pages say "not available" instead of showing made-up zeros.
 */

/** `offline`: a member with no registered phone (cannot be rung). */
export type QueueAgentState = 'idle' | 'ringing' | 'busy' | 'paused' | 'wrap-up' | 'offline';

export interface QueueLiveState {
  number: string;
  name: string;
  /** Callers waiting, oldest first; `since` is ISO 8601 or epoch ms. */
  waiting: Array<{ caller: string; since: string | number }>;
  longestWaitS: number;
  agents: Array<{ extension: string; state: QueueAgentState; callsTaken: number }>;
}

export interface CallsLiveState {
  activeCalls: number;
}

/** The providers, each optional: a provider that throws is reported as "not available". */
export interface LiveStateProviders {
  calls?: () => CallsLiveState;
  queues?: () => QueueLiveState[];
}

export function readCalls(p: LiveStateProviders): CallsLiveState | null {
  try {
    return p.calls ? p.calls() : null;
  } catch {
    return null;
  }
}

export function readQueues(p: LiveStateProviders): QueueLiveState[] | null {
  try {
    return p.queues ? p.queues() : null;
  } catch {
    return null;
  }
}
