/**
 * A real provisioning stack for tests: SQLite in a tap test dir, the real device models,
 * templates and renderer, the real pipeline, and (startProvisioningServers) real HTTP and
 * TFTP listeners on 127.0.0.1 port 0.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig, type DeepPartial } from '../../src/config.js';
import type { Config } from '../../src/config-types.js';
import { openRepositories } from '../../src/data/index.js';
import type { Device, Repositories } from '../../src/data/types.js';
import { createLogger, silentLogger, type Logger } from '../../src/log.js';
import { Writable } from 'node:stream';
import type { DeviceModel } from '../../src/provisioning/model-types.js';
import { loadDeviceModels } from '../../src/provisioning/models.js';
import { createProfileRenderer, type ProfileRenderer } from '../../src/provisioning/render.js';
import {
  createProvisioningService, type ProvisioningService,
} from '../../src/provisioning/pipeline.js';
import { registerProvisioningRoutes } from '../../src/provisioning/http-routes.js';
import { createTftpServer } from '../../src/provisioning/tftp-server.js';

/** The parts of a tap Test these helpers use. */
export interface TestContext {
  teardown(fn: () => unknown): void;
}

/**
 * A fresh data dir per stack, removed at teardown. Not t.testdir(): a test may build two
 * stacks or call t.testdir() itself, and both would share (and wipe) one directory.
 */
export function makeDataDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookflash-prov-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface StackOptions {
  config?: DeepPartial<Config>;
  /** The HTTP port profiles point devices at (Profile_Rule). */
  httpPort?: number;
  /** Rate-limiter clock. */
  now?: () => number;
  logger?: Logger;
  /**
   * Device-cache lifetime. Default 0 here (every request reads SQLite) so tests that edit
   * devices see the edit at once; flow tests use the cache the way production does.
   */
  deviceCacheMs?: number;
  /** Record activity on the writer thread (production default). Default false here: each thread start costs seconds on a busy machine. */
  writerThread?: boolean;
}

export interface ProvisioningStack {
  dataDir: string;
  firmwareDir: string;
  config: Config;
  repos: Repositories;
  models: Map<string, DeviceModel>;
  renderer: ProfileRenderer;
  service: ProvisioningService;
}

export function testConfig(dataDir: string, overrides: DeepPartial<Config> = {}): Config {
  return loadConfig({
    env: {},
    overrides: {
      ...overrides,
      dataDir,
      publicHost: '127.0.0.1',
      log: { level: 'silent' },
      http: { host: '127.0.0.1', port: 0, ...overrides.http },
      tftp: { enabled: true, host: '127.0.0.1', port: 0, ...overrides.tftp },
    },
  });
}

export function createProvisioningStack(t: TestContext, opts: StackOptions = {}): ProvisioningStack {
  const dataDir = makeDataDir(t);
  const firmwareDir = join(dataDir, 'firmware');
  mkdirSync(firmwareDir, { recursive: true });
  const logger = opts.logger ?? silentLogger();
  const config = testConfig(dataDir, opts.config);
  const repos = openRepositories({ dataDir, logger });
  const models = loadDeviceModels();
  const renderer = createProfileRenderer({
    models,
    env: {
      publicHost: config.publicHost,
      httpPort: opts.httpPort ?? 8080,
      sipPort: 5060,
      sipDomain: null,
      provisioning: config.provisioning,
      settings: repos.settings.all(),
    },
  });
  const service = createProvisioningService({
    repos, renderer, models, config, logger, firmwareDir,
    deviceCacheMs: opts.deviceCacheMs ?? 0,
    writerThread: opts.writerThread ?? false,
    ...(opts.now ? { now: opts.now } : {}),
  });
  t.teardown(async () => {
    await service.close();
    repos.close();
  });
  return { dataDir, firmwareDir, config, repos, models, renderer, service };
}

export interface RunningServers {
  stack: ProvisioningStack;
  app: FastifyInstance;
  httpPort: number;
  tftpPort: number;
  baseUrl: string;
}

/**
 * HTTP + TFTP on 127.0.0.1 port 0. Profiles must name the real HTTP port, which is known
 * only after listen: routes are registered with a service that delegates to the stack
 * built right after.
 */
export async function startProvisioningServers(t: TestContext, opts: StackOptions = {}): Promise<RunningServers> {
  let service: ProvisioningService | null = null;
  const delegate: Pick<ProvisioningService, 'handle' | 'handleReport'> = {
    handle: (r) => service!.handle(r),
    handleReport: (r) => service!.handleReport(r),
  };
  const logger = opts.logger ?? silentLogger();
  // Teardown must not wait out keep-alive connections (fastify's keepAliveTimeout is 72 s).
  const app = Fastify({ logger: false, forceCloseConnections: true });
  // The provisioning config slice only sets the report body limit here; the stack uses the same overrides.
  const routesConfig = testConfig('/nonexistent', opts.config);
  registerProvisioningRoutes(app, { service: delegate, config: routesConfig, logger });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const httpPort = typeof address === 'object' && address ? address.port : 0;
  t.teardown(() => app.close());

  const stack = createProvisioningStack(t, { ...opts, httpPort });
  service = stack.service;

  const tftp = createTftpServer({ service: delegate, host: '127.0.0.1', port: 0, logger, timeoutMs: 1000, retries: 2 });
  const started = await tftp.start();
  if (!started.ok) throw new Error(`TFTP did not start: ${started.error}`);
  t.teardown(() => tftp.stop());
  return { stack, app, httpPort, tftpPort: started.port, baseUrl: `http://127.0.0.1:${httpPort}` };
}

export interface SeededDevices {
  spa303: Device;
  spa112: Device;
}

export const SPA303_MAC = '0011223344aa';
export const SPA112_MAC = '88755a112233';

/** Three extensions, a SPA303 with two lines and a BLF key, a SPA112 with one port and a hook-flash preset. */
export function seedOffice(repos: Repositories): SeededDevices {
  repos.extensions.add({ number: '101', displayName: 'Łucja Żak', sipPassword: 'pw-101-secret' });
  repos.extensions.add({ number: '102', displayName: 'Bob Builder', sipPassword: 'pw-102-secret' });
  repos.extensions.add({ number: '201', displayName: 'Fax Kitchen', sipPassword: 'pw-201-secret' });
  const spa303 = repos.devices.add({
    mac: SPA303_MAC,
    model: 'spa303',
    label: 'Reception',
    lines: ['101', '102'],
    functionKeys: [{ key: 3, kind: 'blf', target: '201', label: 'Kitchen' }],
  });
  const spa112 = repos.devices.add({
    mac: SPA112_MAC,
    model: 'spa112',
    label: 'Kitchen ATA',
    lines: ['201'],
    hookFlashPreset: 'europe-270ms',
  });
  return { spa303, spa112 };
}

/** A real pino logger whose lines are kept for assertions. */
export function capturingLogger(level = 'debug'): { logger: Logger; lines: Array<Record<string, unknown>>; text: () => string } {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger({ level, destination }), lines, text: () => raw.join('\n') };
}
