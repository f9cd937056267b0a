/**
 * The composition root: builds every part of Hookflash from one validated config and
 * starts its listeners. Nothing else in the code base listens on a port by itself, and
 * nothing listens at import time: `startHookflash` is the only entry (src/cli `serve`
 * calls it; tests call it with port 0 everywhere).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from './config-types.js';
import type { Logger } from './log.js';
import { openRepositories } from './data/index.js';
import { loadDeviceModels } from './provisioning/models.js';
import { createProfileRenderer } from './provisioning/render.js';
import { renderEnvFromConfig } from './provisioning/render-env.js';
import { createProvisioningService } from './provisioning/pipeline.js';
import { registerProvisioningRoutes } from './provisioning/http-routes.js';
import { createTftpServer } from './provisioning/tftp-server.js';
import { createSipServer } from './sip/server.js';
import { startPbx, type DrachtioTarget, type RunningPbx } from './pbx/start.js';
import { startVoicemailDelivery } from './pbx/voicemail/delivery.js';
import { fromPbxVoicemailConfig } from './pbx/voicemail/call-config.js';
import { createMediaEngine } from './media/index.js';
import { registerWebRoutes, ensureAdminSetupLink, registrationsFromRepository, createDeviceResync, type DeviceResync, type QueueLiveState } from './web/index.js';
import type { RequestingSrf } from './pbx/srf-types.js';

export interface RunningHookflash {
  /** Bound ports (null when that part could not start or is disabled). */
  ports: { http: number | null; tftp: number | null; sip: number | null; sipControl: number | null };
  /** One-time admin setup link when no admin exists yet (a secret: print it, never log it). */
  setupUrl: string | null;
  stop(): Promise<void>;
}

interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

export async function startHookflash(config: Config, opts: { logger: Logger }): Promise<RunningHookflash> {
  const log = opts.logger;
  mkdirSync(config.dataDir, { recursive: true });
  const firmwareDir = join(config.dataDir, 'firmware');
  mkdirSync(firmwareDir, { recursive: true });

  // Started parts in start order; stopped in reverse so nothing outlives what it uses.
  const started: Stoppable[] = [];
  const ports: RunningHookflash['ports'] = { http: null, tftp: null, sip: null, sipControl: null };

  const repos = openRepositories({ dataDir: config.dataDir, logger: log.child({ part: 'data' }) });
  started.push({ name: 'data', stop: async () => repos.close() });
  let runningPbx: RunningPbx | null = null;
  // "Resync now" in the web UI sends the NOTIFY through the PBX's srf app (set once it runs).
  let deviceResync: DeviceResync | null = null;
  const requirePbx = (): RunningPbx => {
    if (runningPbx === null) throw new Error('the PBX is not running');
    return runningPbx;
  };

  try {
    const models = loadDeviceModels();
    const renderer = createProfileRenderer({ models, env: renderEnvFromConfig(config, repos.settings.all()) });
    const provisioning = createProvisioningService({
      repos, renderer, models, config, firmwareDir, logger: log.child({ part: 'provisioning' }),
    });
    // Its activity writer thread must flush before the repositories close (stopped in reverse order).
    started.push({ name: 'provisioning', stop: () => provisioning.close() });

    const http = await startHttp(config, log, async (app) => {
      await registerProvisioningRoutes(app, { service: provisioning, config, logger: log.child({ part: 'http' }) });
      await registerWebRoutes(app, {
        repos, models, renderer, config, logger: log.child({ part: 'web' }),
        registrationsFor: registrationsFromRepository(repos),
        // The PBX starts after HTTP: the dashboard asks at request time, and a PBX that is not
        // (yet) running shows as "not available" (the web treats a throwing provider so).
        options: {
          // Pages show times on the office's clock, the zone the phones are provisioned with.
          timeZone: config.provisioning.timezone,
          calls: () => ({ activeCalls: requirePbx().activeCalls() }),
          queues: () => webQueueState(requirePbx()),
          ...(config.pbx.enabled ? {
            resync: (mac: string) => {
              if (deviceResync === null) throw new Error('the PBX is not running');
              return deviceResync(mac);
            },
          } : {}),
        },
      });
    });
    if (http) {
      ports.http = http.port;
      started.push({ name: 'http', stop: () => http.app.close() });
    }

    if (config.tftp.enabled) {
      const tftp = createTftpServer({
        service: provisioning, host: config.tftp.host, port: config.tftp.port, logger: log.child({ part: 'tftp' }),
      });
      const result = await tftp.start();
      if (result.ok) {
        ports.tftp = result.port;
        started.push({ name: 'tftp', stop: () => tftp.stop() });
      } else {
        // One clear line, then keep serving everything else (issue: TFTP 69 without root).
        log.error({ port: config.tftp.port }, `TFTP not started: ${result.error}`);
      }
    }

    let drachtio: DrachtioTarget | null = config.sip.server === 'embedded' ? null : config.sip.server;
    if (config.sip.enabled && config.sip.server === 'embedded') {
      const sip = createSipServer({
        sip: config.sip, publicHost: config.publicHost, dataDir: config.dataDir, logger: log.child({ part: 'sip' }),
      });
      try {
        const bound = await sip.start();
        ports.sip = bound.sipPort;
        ports.sipControl = bound.controlPort;
        started.push({ name: 'sip', stop: () => sip.stop() });
        drachtio = { host: config.sip.controlHost, port: bound.controlPort, secret: bound.secret };
      } catch (err) {
        log.error({ port: config.sip.port, err: describe(err) },
          `SIP server not started: ${describe(err)} (set HOOKFLASH_SIP_PORT to a free port)`);
      }
    }

    const delivery = startVoicemailDelivery({
      repos, dataDir: config.dataDir, mail: config.mail, timeZone: config.provisioning.timezone, logger: log,
    });
    if (delivery) started.push({ name: 'mail', stop: () => delivery.stop() });

    if (config.pbx.enabled && drachtio) {
      // The PBX's own media (voicemail prompts and recordings); stopped after the PBX (reverse order).
      const engine = createMediaEngine({
        host: config.media.host ?? config.publicHost, portRange: config.media.portRange, logger: log.child({ part: 'media' }),
      });
      started.push({ name: 'media', stop: () => engine.close() });
      try {
        const pbx = await startPbx({
          server: drachtio, repos, logger: log,
          install: (srf, running) => {
            deviceResync = createDeviceResync({
              srf: srf as unknown as RequestingSrf, findContacts: running.findContacts, devices: repos.devices, logger: log.child({ part: 'web' }),
            });
          },
          config: { publicHost: config.publicHost, sip: { domain: config.sip.domain }, pbx: config.pbx },
          voicemail: {
            engine, dataDir: config.dataDir, accessNumber: config.pbx.voicemail.accessNumber,
            call: fromPbxVoicemailConfig(config.pbx.voicemail, config.media.language),
            ...(delivery ? { onDeposit: () => void delivery.worker.kick().catch(() => undefined) } : {}),
          },
        });
        started.push({ name: 'pbx', stop: async () => { runningPbx = null; deviceResync = null; await pbx.stop(); } });
        runningPbx = pbx;
      } catch (err) {
        log.error({ err: describe(err) }, `PBX not started: ${describe(err)}`);
      }
    }
  } catch (err) {
    await stopAll(started, log);
    throw err;
  }
  const setupUrl = ports.http === null ? null : ensureAdminSetupLink({ repos, config, httpPort: ports.http });

  log.info({ ports, publicHost: config.publicHost, dataDir: config.dataDir }, 'hookflash started');
  let stopping: Promise<void> | null = null;
  return {
    ports,
    setupUrl,
    stop: () => (stopping ??= stopAll(started, log)),
  };
}

async function startHttp(
  config: Config, log: Logger, register: (app: FastifyInstance) => Promise<void> | void,
): Promise<{ app: FastifyInstance; port: number } | null> {
  const app = Fastify({
    loggerInstance: log.child({ part: 'http' }) as FastifyBaseLogger,
    // Devices poll profiles all day: one line per request would drown the log. The pipeline
    // logs what matters (sightings, served profiles, rate-limit blocks) itself.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
  });
  await register(app);
  try {
    await app.listen({ host: config.http.host, port: config.http.port });
  } catch (err) {
    await app.close();
    log.error({ port: config.http.port }, `HTTP not started: ${describe(err)} (set HOOKFLASH_HTTP_PORT to a free port)`);
    return null;
  }
  const address = app.server.address();
  return { app, port: typeof address === 'object' && address ? address.port : config.http.port };
}

async function stopAll(started: Stoppable[], log: Logger): Promise<void> {
  for (const part of [...started].reverse()) {
    try {
      log.debug({ part: part.name }, 'stopping');
      await part.stop();
    } catch (err) {
      log.warn({ part: part.name, err: describe(err) }, 'error while stopping');
    }
  }
  started.length = 0;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/** The queue service's live state in the shape the web UI shows (no queues without media). */
function webQueueState(pbx: RunningPbx): QueueLiveState[] {
  if (pbx.queues === null) throw new Error('queues need the media engine, which is not running');
  return pbx.queues.liveState().map((q) => ({
    number: q.number,
    name: q.name,
    waiting: q.waiting.map((w) => ({ caller: w.displayName ? `${w.caller} (${w.displayName})` : w.caller, since: w.since })),
    longestWaitS: q.longestWaitS,
    agents: q.agents.map((a) => ({ extension: a.extension, state: a.state, callsTaken: a.callsTaken })),
  }));
}
