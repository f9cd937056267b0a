/**
 * The bundled SIP server: UDP/TCP SIP on `sip.host:sip.port` and the drachtio control
 * port on `sip.controlHost:sip.controlPort`, so unmodified drachtio-srf apps (our PBX or
 * any other) can drive it. Nothing listens until start().
 */
import type { Config } from '../config-types.js';
import type { Logger } from '../log.js';
import { createControlServer } from './control/control-server.js';
import { loadOrCreateControlSecret } from './control/secret.js';
import type { ControlServer } from './control/types.js';
import { createSipCore, type SipCore, type SipCoreStats } from './core/core.js';
import { createTransactionLayer } from './transaction/index.js';
import type { TransactionLayer, TransactionStats } from './transaction/types.js';
import { createTransportLayer } from './transport/index.js';
import type { TransportLayer, TransportStats } from './transport/types.js';

export interface SipServerOptions {
  sip: Config['sip'];
  publicHost: string;
  dataDir: string;
  logger: Logger;
}

export interface SipServerStats {
  apps: number;
  core: SipCoreStats;
  transport: TransportStats | null;
  transactions: TransactionStats | null;
}

export interface SipServer {
  start(): Promise<{ sipPort: number; controlPort: number; secret: string }>;
  stop(): Promise<void>;
  stats(): SipServerStats;
}

interface Running {
  transport: TransportLayer;
  transactions: TransactionLayer;
  core: SipCore;
  control: ControlServer;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function createSipServer(opts: SipServerOptions): SipServer {
  const { sip, logger } = opts;
  let running: Running | null = null;

  async function start(): Promise<{ sipPort: number; controlPort: number; secret: string }> {
    if (running) throw new Error('SIP server already started');
    const secret = loadOrCreateControlSecret(opts.dataDir);
    const transport = createTransportLayer({
      host: sip.host,
      port: sip.port,
      limits: { maxMessageBytes: sip.maxMessageBytes, maxHeaders: sip.maxHeaders },
      logger: logger.child({ layer: 'transport' }),
      advertisedHost: opts.publicHost,
    });
    await transport.start();
    const transactions = createTransactionLayer({ transport, timers: sip.timers, logger: logger.child({ layer: 'transaction' }) });
    let control: ControlServer | null = null;
    const core = createSipCore({
      transport,
      transactions,
      timers: sip.timers,
      logger: logger.child({ layer: 'core' }),
      apps: {
        findApp: (id) => control?.findApp(id),
        pickApp: (verb) => control?.pickApp(verb) ?? null,
      },
    });
    const listeners = () => transport.listeners();
    control = createControlServer({
      host: sip.controlHost,
      port: sip.controlPort,
      secret,
      hostports: () => listeners().map((l) => `${l.protocol}/${hostPort(opts.publicHost, l.port)}`).join(','),
      localHostports: () => listeners().map((l) => `${l.protocol}/${hostPort(l.address, l.port)}`).join(','),
      logger: logger.child({ layer: 'control' }),
      handlers: {
        onSipCommand: (app, cmd) => core.onAppSipCommand(app, cmd),
        onAppGone: (app) => core.onAppGone(app),
      },
    });
    let controlPort: number;
    try {
      controlPort = (await control.start()).port;
    } catch (err) {
      core.stop();
      transactions.stop();
      await transport.stop();
      throw err;
    }
    running = { transport, transactions, core, control };
    const sipPort = listeners()[0]?.port ?? sip.port;
    logger.info({ sipPort, controlPort, controlHost: sip.controlHost }, 'SIP server started');
    return { sipPort, controlPort, secret };
  }

  async function stop(): Promise<void> {
    if (!running) return;
    const { transport, transactions, core, control } = running;
    running = null;
    await control.stop();
    core.stop();
    transactions.stop();
    await transport.stop();
  }

  return {
    start,
    stop,
    stats: () => ({
      apps: running ? running.control.apps().filter((a) => a.authenticated).length : 0,
      core: running ? running.core.stats() : { dialogs: 0, inboundTransactions: 0, outboundTransactions: 0 },
      transport: running ? running.transport.stats() : null,
      transactions: running ? running.transactions.stats() : null,
    }),
  };
}
