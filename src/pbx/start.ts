/**
 * Starts the PBX as what it is: a drachtio-srf application. It connects to whichever drachtio
 * control port it is given — the bundled SIP server's or a real drachtio-server's — and cannot
 * tell them apart. Nothing here listens; the only socket is the outbound control connection.
 */
import Srf from 'drachtio-srf';
import type { Logger } from '../log.js';
import type { Repositories } from '../data/types.js';
import { createPbx, type Pbx, type PbxDeps } from './app.js';
import type { PbxSrf } from './srf-types.js';
import { installCallHandling } from './invite.js';
import { createCallRouter } from './rules/plan.js';
import type { CallSrf } from './call/srf-call-types.js';

export interface DrachtioTarget {
  host: string;
  port: number;
  secret: string;
}

export interface RunningPbx {
  pbx: Pbx;
  stop(): Promise<void>;
}

export interface StartPbxDeps {
  server: DrachtioTarget;
  repos: Repositories;
  config: PbxDeps['config'];
  logger: Logger;
  /** How long to wait for the first successful connect before giving up. */
  connectTimeoutMs?: number;
  /** Further handlers to install on the same srf app before it connects (calls, voicemail…). */
  install?: (srf: PbxSrf, pbx: Pbx) => void;
}

export async function startPbx(deps: StartPbxDeps): Promise<RunningPbx> {
  const log = deps.logger.child({ part: 'pbx' });
  const srf = new Srf();
  // Handlers are installed before connect so the server learns every route at authentication.
  const pbx = createPbx({ srf: srf as unknown as PbxSrf, repos: deps.repos, config: deps.config, logger: deps.logger });
  installCallHandling({
    srf: srf as unknown as CallSrf,
    router: createCallRouter({ forwarding: pbx.forwarding, schedules: pbx.schedules, directory: pbx.directory, clock: Date.now }),
    findContacts: pbx.findContacts,
    guard: pbx.guard,
    extensions: deps.repos.extensions,
    forwarding: pbx.forwarding,
    directory: pbx.directory,
    cdr: deps.repos.cdr,
    logger: log,
  });
  deps.install?.(srf as unknown as PbxSrf, pbx);

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no answer from the drachtio control port ${deps.server.host}:${deps.server.port} within ${deps.connectTimeoutMs ?? 10_000} ms`));
    }, deps.connectTimeoutMs ?? 10_000);
    srf.once('connect', (err: unknown, hostport: string) => {
      clearTimeout(timer);
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else {
        log.info({ hostport }, 'PBX connected to the SIP server');
        resolve();
      }
    });
    // srf reconnects by itself after a drop; errors are logged rather than thrown at the process.
    srf.on('error', (err: Error) => log.warn({ err: err.message }, 'drachtio connection error'));
    srf.connect({ host: deps.server.host, port: deps.server.port, secret: deps.server.secret });
  }).catch((err: unknown) => {
    pbx.stop();
    srf.disconnect();
    throw err;
  });

  return {
    pbx,
    async stop() {
      pbx.stop();
      srf.disconnect();
    },
  };
}

export type { Repositories };
