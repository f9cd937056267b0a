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
import type { MediaDestinations } from './call/destinations.js';
import type { MediaEngine } from '../media/index.js';
import { createMwi, type Mwi, type MwiSrf } from './mwi/index.js';
import type { VoicemailCallConfig } from './voicemail/call-config.js';
import { createVoicemailCalls, type VoicemailCalls } from './voicemail/calls.js';
import { createVoicemailStore } from './voicemail/store.js';
import { createQueueService, type QueueService } from './queue/index.js';
import type { CallHandling } from './invite.js';

/**
 * The PBX's own media: voicemail calls (deposit, listening by phone), MWI and call queues.
 * Absent = voicemail and queue destinations answer 480.
 */
export interface PbxVoicemail {
  engine: MediaEngine;
  dataDir: string;
  accessNumber: string;
  call: VoicemailCallConfig;
  /** After a message is stored (kick the e-mail outbox). */
  onDeposit?: () => void;
}

export interface DrachtioTarget {
  host: string;
  port: number;
  secret: string;
}

export interface RunningPbx {
  pbx: Pbx;
  voicemail: VoicemailCalls | null;
  mwi: Mwi | null;
  /** Call queues (live state for the web UI, agent pause/resume); null without media. */
  queues: QueueService | null;
  /** Calls in progress, for dashboards. */
  activeCalls(): number;
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
  voicemail?: PbxVoicemail;
  /** Milliseconds one configured ring second lasts (tests shorten ringing). */
  ringSecondMs?: number;
}

export async function startPbx(deps: StartPbxDeps): Promise<RunningPbx> {
  const log = deps.logger.child({ part: 'pbx' });
  const srf = new Srf();
  // Handlers are installed before connect so the server learns every route at authentication.
  const pbx = createPbx({ srf: srf as unknown as PbxSrf, repos: deps.repos, config: deps.config, logger: deps.logger });
  const vm = deps.voicemail;
  let mwi: Mwi | null = null;
  let voicemail: VoicemailCalls | null = null;
  const destinations: MediaDestinations = {};
  // Extensions, queues and mailboxes come from their tables (src/pbx/stores.ts createDirectory).
  const directory = pbx.directory;
  if (vm !== undefined) {
    const mwiNow = createMwi({
      srf: srf as unknown as MwiSrf, findContacts: pbx.findContacts, guard: pbx.guard, extensions: deps.repos.extensions,
      mailboxes: deps.repos.mailboxes, counts: (box) => deps.repos.voicemailMessages.counts(box), host: pbx.realm, logger: log,
    });
    mwi = mwiNow;
    const store = createVoicemailStore({
      repos: deps.repos, dataDir: vm.dataDir, logger: log,
      onDeposit: (message) => {
        mwiNow.changed(message.box);
        vm.onDeposit?.();
      },
    });
    voicemail = createVoicemailCalls({
      srf: srf as unknown as CallSrf, engine: vm.engine, repos: deps.repos, store, dataDir: vm.dataDir,
      config: vm.call, logger: log, onChange: (box) => mwiNow.changed(box),
    });
    destinations.voicemail = voicemail.deposit;
  }
  let calls: CallHandling | undefined;
  let queues: QueueService | null = null;
  if (vm !== undefined) {
    const queueService = createQueueService({
      srf: srf as unknown as CallSrf, engine: vm.engine, queues: deps.repos.queues, findContacts: pbx.findContacts, logger: log,
      ...(voicemail !== null ? { voicemail: voicemail.deposit } : {}),
      // An agent talking on an ordinary call (not one the queue put through) is busy too.
      isBusy: (extension) => calls?.switchboard.isOnCall(extension) ?? false,
    });
    queues = queueService;
    destinations.queue = queueService.destination;
    destinations.replace = queueService.replace;
  }
  calls = installCallHandling({
    srf: srf as unknown as CallSrf,
    router: createCallRouter({
      forwarding: pbx.forwarding, schedules: pbx.schedules, directory, clock: Date.now,
      available: { voicemail: vm !== undefined, queues: queues !== null },
    }),
    findContacts: pbx.findContacts,
    guard: pbx.guard,
    extensions: deps.repos.extensions,
    forwarding: pbx.forwarding,
    directory,
    cdr: deps.repos.cdr,
    logger: log,
    destinations,
    ...(voicemail !== null && vm !== undefined ? { voicemailAccess: { number: vm.accessNumber, destination: voicemail.listen } } : {}),
    ...(queues !== null ? { queueAgents: { pause: (e: string) => queues!.pause(e), resume: (e: string) => queues!.resume(e) } } : {}),
    ...(deps.ringSecondMs !== undefined ? { config: { ringSecondMs: deps.ringSecondMs } } : {}),
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
    queues?.stop();
    mwi?.stop();
    pbx.stop();
    srf.disconnect();
    throw err;
  });

  return {
    pbx,
    voicemail,
    mwi,
    queues,
    activeCalls: () => calls?.activeCalls() ?? 0,
    async stop() {
      queues?.stop();
      mwi?.stop();
      pbx.stop();
      srf.disconnect();
    },
  };
}

export type { Repositories };
