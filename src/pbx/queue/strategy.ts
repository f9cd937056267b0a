/**
 * Which agents a waiting caller rings next, as plain data so it is unit-tested without SIP.
 * ring-all rings every available agent at once; the others ring one agent at a time:
 * round-robin continues after the agent offered the previous call (remembered per queue),
 * least-recent picks whoever finished a call longest ago (never = first), fewest-calls whoever
 * took the fewest. Ties go by the member order.
 */
import type { QueueStrategy } from '../../data/queue-types.js';

export interface AgentCandidate {
  extension: string;
  /** 1-based member order. */
  order: number;
  lastCallEndedAt: number | null;
  callsTaken: number;
  /** Registered, not paused, not on a call, not ringing for someone else, not in wrap-up. */
  available: boolean;
}

/**
 * The agents to ring now, or [] when none is free. `tried`: agents this caller already rang
 * without an answer in the current round (sequential strategies skip them until everyone
 * free has been tried once). `lastOffered`: the queue's round-robin memory.
 */
export function pickAgents(
  strategy: QueueStrategy,
  members: readonly AgentCandidate[],
  opts: { tried?: ReadonlySet<string>; lastOffered?: string } = {},
): string[] {
  const byOrder = [...members].sort((a, b) => a.order - b.order);
  const free = byOrder.filter((m) => m.available);
  if (free.length === 0) return [];
  if (strategy === 'ring-all') return free.map((m) => m.extension);
  const tried = opts.tried ?? new Set<string>();
  const untried = free.filter((m) => !tried.has(m.extension));
  const pool = untried.length > 0 ? untried : free;
  let ranked: AgentCandidate[];
  switch (strategy) {
    case 'round-robin': {
      // Rotate the full member list to start after the last agent offered a call, so a busy or
      // paused agent keeps its place in the rotation rather than resetting it.
      const last = opts.lastOffered === undefined ? -1 : byOrder.findIndex((m) => m.extension === opts.lastOffered);
      const rotated = [...byOrder.slice(last + 1), ...byOrder.slice(0, last + 1)];
      ranked = rotated.filter((m) => pool.includes(m));
      break;
    }
    case 'least-recent':
      ranked = [...pool].sort((a, b) => (a.lastCallEndedAt ?? -Infinity) - (b.lastCallEndedAt ?? -Infinity) || a.order - b.order);
      break;
    case 'fewest-calls':
      ranked = [...pool].sort((a, b) => a.callsTaken - b.callsTaken || a.order - b.order);
      break;
  }
  return ranked.length > 0 ? [ranked[0]!.extension] : [];
}
