/** The parts of server.stats() that must return to their idle values after any load. */
import type { SipServer, SipServerStats } from '../../../src/sip/server.js';

export interface IdleState {
  dialogs: number;
  inboundTransactions: number;
  outboundTransactions: number;
  serverTransactions: number;
  clientTransactions: number;
  pending2xx: number;
  openConnections: number;
}

export function idle(s: SipServerStats): IdleState {
  return {
    dialogs: s.core.dialogs,
    inboundTransactions: s.core.inboundTransactions,
    outboundTransactions: s.core.outboundTransactions,
    serverTransactions: s.transactions?.serverTransactions ?? 0,
    clientTransactions: s.transactions?.clientTransactions ?? 0,
    pending2xx: s.transactions?.pending2xx ?? 0,
    openConnections: s.transport?.openConnections ?? 0,
  };
}

/** Polls (every 100 ms, at most `ms`) until every idle counter is 0; returns the last reading. */
export async function waitForIdle(server: Pick<SipServer, 'stats'>, ms: number, baseline?: IdleState): Promise<IdleState> {
  const target = baseline ?? { dialogs: 0, inboundTransactions: 0, outboundTransactions: 0, serverTransactions: 0, clientTransactions: 0, pending2xx: 0, openConnections: 0 };
  const deadline = Date.now() + ms;
  let now = idle(server.stats());
  while (Date.now() < deadline && JSON.stringify(now) !== JSON.stringify(target)) {
    await new Promise((r) => setTimeout(r, 100));
    now = idle(server.stats());
  }
  return now;
}
