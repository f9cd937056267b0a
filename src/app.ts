/**
 * The composition root: builds every part of Hookflash from one validated config and
 * starts its listeners. Nothing else in the code base listens on a port by itself, and
 * nothing listens at import time: `startHookflash` is the only entry (src/cli `serve`
 * calls it; tests call it with port 0 everywhere).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from './config-types.js';
import type { Logger } from './log.js';
import { openRepositories } from './data/index.js';
import { loadDeviceModels } from './provisioning/models.js';
import { createProfileRenderer } from './provisioning/render.js';
import { createProvisioningService } from './provisioning/pipeline.js';
import { registerProvisioningRoutes } from './provisioning/http-routes.js';
import { createTftpServer } from './provisioning/tftp-server.js';
import { createSipServer } from './sip/server.js';

export interface RunningHookflash {
  /** Bound ports (null when that part could not start or is disabled). */
  ports: { http: number | null; tftp: number | null; sip: number | null; sipControl: number | null };
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

  try {
    const models = loadDeviceModels();
    const renderer = createProfileRenderer({
      models,
      env: {
        publicHost: config.publicHost,
        httpPort: config.http.port,
        sipPort: config.sip.port,
        sipDomain: config.sip.domain,
        provisioning: config.provisioning,
        settings: repos.settings.all(),
      },
    });
    const provisioning = createProvisioningService({
      repos, renderer, models, config, firmwareDir, logger: log.child({ part: 'provisioning' }),
    });

    const http = await startHttp(config, log, (app) =>
      registerProvisioningRoutes(app, { service: provisioning, config, logger: log.child({ part: 'http' }) }),
    );
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

    if (config.sip.enabled && config.sip.server === 'embedded') {
      const sip = createSipServer({
        sip: config.sip, publicHost: config.publicHost, dataDir: config.dataDir, logger: log.child({ part: 'sip' }),
      });
      try {
        const bound = await sip.start();
        ports.sip = bound.sipPort;
        ports.sipControl = bound.controlPort;
        started.push({ name: 'sip', stop: () => sip.stop() });
      } catch (err) {
        log.error({ port: config.sip.port, err: describe(err) },
          `SIP server not started: ${describe(err)} (set HOOKFLASH_SIP_PORT to a free port)`);
      }
    }
  } catch (err) {
    await stopAll(started, log);
    throw err;
  }

  log.info({ ports, publicHost: config.publicHost, dataDir: config.dataDir }, 'hookflash started');
  let stopping: Promise<void> | null = null;
  return {
    ports,
    stop: () => (stopping ??= stopAll(started, log)),
  };
}

async function startHttp(
  config: Config, log: Logger, register: (app: FastifyInstance) => Promise<void> | void,
): Promise<{ app: FastifyInstance; port: number } | null> {
  const app = Fastify({ loggerInstance: log.child({ part: 'http' }) as FastifyBaseLogger, disableRequestLogging: true, trustProxy: false });
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
