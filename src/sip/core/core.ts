/**
 * The SIP core: glue between the transaction layer, the dialogs and the apps on the
 * control port. Knows the drachtio rules, nothing about any particular app.
 */
import type { Logger } from '../../log.js';
import type { AppConnection, AppSipCommand } from '../control/types.js';
import { createDialogStore } from '../dialog/dialog-store.js';
import type { TransactionLayer } from '../transaction/types.js';
import type { TransportLayer } from '../transport/types.js';
import { onAppSipCommand } from './app-requests.js';
import type { CoreContext, CoreTimers } from './context.js';
import { onNetworkRequest } from './network-requests.js';
import { createOutboundTable } from './outbound-table.js';
import { forgetTcpFlows } from './registrations.js';

export interface AppDirectory {
  findApp(appId: string): AppConnection | undefined;
  pickApp(verb: string): AppConnection | null;
}

export interface SipCoreDeps {
  transport: TransportLayer;
  transactions: TransactionLayer;
  timers: CoreTimers;
  apps: AppDirectory;
  logger: Logger;
}

export interface SipCoreStats {
  dialogs: number;
  inboundTransactions: number;
  outboundTransactions: number;
}

export interface SipCore {
  onAppSipCommand(app: AppConnection, cmd: AppSipCommand): void;
  /** Routes go with the connection; dialogs and transactions stay (§4.8). */
  onAppGone(app: AppConnection): void;
  stats(): SipCoreStats;
  /** Clears every timer the core owns. */
  stop(): void;
}

export function createSipCore(deps: SipCoreDeps): SipCore {
  const ctx: CoreContext = {
    logger: deps.logger,
    transport: deps.transport,
    transactions: deps.transactions,
    dialogs: createDialogStore(),
    timers: deps.timers,
    inbound: new Map(),
    inboundByServerTx: new Map(),
    outbound: createOutboundTable(),
    acksExpected: new Map(),
    registeredFlows: new Map(),
    timerSet: new Set(),
    findApp: (id) => deps.apps.findApp(id),
    pickApp: (verb) => deps.apps.pickApp(verb),
    selfFor: (dest) => deps.transport.sentBy(dest),
  };
  let stopped = false;

  deps.transactions.onRequest((req, rc) => {
    if (stopped) return;
    try {
      onNetworkRequest(ctx, req, rc);
    } catch (err) {
      // One bad request must not take the server down; the transaction times out on its own.
      ctx.logger.error({ err, method: req.method }, 'sip core: failed handling a network request');
    }
  });
  deps.transport.onConnectionClosed((connectionId) => forgetTcpFlows(ctx, connectionId));

  return {
    onAppSipCommand(app, cmd) {
      if (stopped) return;
      onAppSipCommand(ctx, app, cmd);
    },
    onAppGone(app) {
      ctx.logger.info({ app: app.id }, 'sip core: app gone; its dialogs now answer 481');
    },
    stats: () => ({
      dialogs: ctx.dialogs.size(),
      inboundTransactions: ctx.inbound.size,
      outboundTransactions: ctx.outbound.size,
    }),
    stop() {
      stopped = true;
      for (const timer of ctx.timerSet) clearTimeout(timer);
      ctx.timerSet.clear();
      for (const waiting of ctx.acksExpected.values()) waiting.handle.stop();
      ctx.acksExpected.clear();
    },
  };
}
