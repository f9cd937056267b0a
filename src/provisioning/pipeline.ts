/**
 * The provisioning pipeline, one for every transport (HTTP and TFTP only translate):
 * gate (allow-list, rate limit, file-name check) → identify → record sighting → look up
 * → render → log. Outcomes are values (`ProvisioningResult`); nothing here throws for
 * bad input.
 *
 * Secrets flow: the MAC is printed on the box, so it is no credential. The plain per-MAC
 * URL hands out secrets (and a Profile_Rule naming the device's random token) only until
 * the device has fetched through that secret URL; after that it serves the profile
 * without secrets until an admin reopens the window (repos.devices.reopen).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Config } from '../config-types.js';
import type { DeviceReport, Mac, Repositories, Transport } from '../data/types.js';
import type { Logger } from '../log.js';
import { databasePath } from '../data/index.js';
import { createActivityRecorder } from './activity.js';
import { createAllowList } from './allow-list.js';
import { createDeviceCache } from './device-cache.js';
import { checkRequestedName } from './file-names.js';
import { createFirmwareStore } from './firmware.js';
import { createIdentifier, type Identification, type Models } from './identify.js';
import { createNotFoundLimiter } from './rate-limit.js';
import { createReportHandler, type ReportRequest, type ReportResult } from './report-handler.js';
import type { ProfileRenderer, RenderedProfile } from './render.js';

export interface ProvisioningRequest {
  transport: Transport;
  /** Path as requested: `/spa303.cfg`, `spa303.cfg` (TFTP), `/spa/0011223344aa.xml` … */
  file: string;
  userAgent: string | null;
  ip: string;
}

export type ProvisioningResult =
  | { kind: 'profile'; body: Buffer; contentType: string; withSecrets: boolean }
  | { kind: 'firmware'; path: string; size: number; file: string }
  | { kind: 'not-found'; reason: string }
  | { kind: 'forbidden'; reason: string }
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  | { kind: 'error'; reason: string };

export interface ProvisioningService {
  handle(request: ProvisioningRequest): Promise<ProvisioningResult>;
  handleReport(request: ReportRequest): Promise<ReportResult>;
  /** Resolves once queued sightings/log lines are committed (they are batched per event-loop turn). */
  flush(): Promise<void>;
  /** Flushes and stops the writer thread; await it on shutdown before closing the repositories. */
  close(): Promise<void>;
}

export interface ProvisioningServiceDeps {
  repos: Repositories;
  renderer: Pick<ProfileRenderer, 'renderBootstrap' | 'renderDevice'>;
  models: Models;
  config: Pick<Config, 'provisioning' | 'dataDir'>;
  logger: Logger;
  firmwareDir: string;
  /** Clock for the rate limiter and the device cache (ms); tests pass their own. */
  now?: () => number;
  /** How long device + extension lookups are reused (default 2000 ms; 0 = always read). */
  deviceCacheMs?: number;
  /**
   * Write sightings/log lines on a worker thread with its own connection to
   * <dataDir>/hookflash.sqlite (default true). false = in the calling thread.
   */
  writerThread?: boolean;
}

export function createProvisioningService(deps: ProvisioningServiceDeps): ProvisioningService {
  const { repos, renderer, logger } = deps;
  const settings = deps.config.provisioning;
  const allowList = createAllowList(settings.allowCidrs);
  const limiter = createNotFoundLimiter({ ...settings.notFoundLimit, logger, ...(deps.now ? { now: deps.now } : {}) });
  const identifier = createIdentifier(deps.models);
  const firmware = createFirmwareStore({ models: deps.models, firmwareDir: deps.firmwareDir });
  // The writer thread opens <dataDir>/hookflash.sqlite itself; if repos were opened on
  // another file (tests, :memory:) there is nothing to share, so rows stay in-thread.
  const databaseFile = databasePath({ dataDir: deps.config.dataDir });
  const useWriterThread = deps.writerThread !== false && existsSync(databaseFile);
  const recorder = createActivityRecorder({ repos, logger, ...(useWriterThread ? { databaseFile } : {}) });
  const devices = createDeviceCache({ repos, ttlMs: deps.deviceCacheMs ?? 2000, ...(deps.now ? { now: deps.now } : {}) });
  // Per MAC: the hash of the last full profile whose parameters were saved as the served
  // snapshot. Re-serving identical bytes needs no new snapshot (and no parsing of the body).
  const snapshotHashes = new Map<Mac, string>();
  // Per MAC: the firmware of the last report (all the renderer reads from it, for
  // Upgrade_Rule). Reports change only through handleReport below, which refreshes this.
  const reportCache = new Map<Mac, DeviceReport | null>();

  function latestReport(mac: Mac): DeviceReport | null {
    let report = reportCache.get(mac);
    if (report === undefined) {
      const stored = repos.reports.latest(mac);
      report = stored ? { mac, firmware: stored.firmware, params: {}, receivedAt: stored.receivedAt } : null;
      reportCache.set(mac, report);
    }
    return report;
  }

  /** A 404 that counts toward the brute-force limit. */
  function miss(request: ProvisioningRequest, reason: string): ProvisioningResult {
    limiter.recordMiss(request.ip);
    logger.debug({ ip: request.ip, transport: request.transport, reason }, 'provisioning not found');
    return { kind: 'not-found', reason };
  }

  interface Produced {
    body: Buffer;
    sha256: string;
    rendered: RenderedProfile;
  }

  /** Renders (or reuses a render memoised on the device-cache entry) and hashes once. */
  function produce(memo: Map<string, unknown> | null, key: string, render: () => RenderedProfile): Produced {
    const hit = memo?.get(key) as Produced | undefined;
    if (hit) return hit;
    const rendered = render();
    const body = Buffer.from(rendered.body, 'utf8');
    const produced = { body, sha256: createHash('sha256').update(body).digest('hex'), rendered };
    memo?.set(key, produced);
    return produced;
  }

  // Bootstrap files depend on nothing but the renderer: memoised for the device-cache lifetime.
  const bootstrapMemo = new Map<string, { expiresAt: number; memo: Map<string, unknown> }>();
  const cacheMs = deps.deviceCacheMs ?? 2000;
  const clock = deps.now ?? Date.now;
  function bootstrapSlot(modelId: string): Map<string, unknown> | null {
    if (cacheMs <= 0) return null;
    const at = clock();
    let slot = bootstrapMemo.get(modelId);
    if (!slot || at >= slot.expiresAt) {
      slot = { expiresAt: at + cacheMs, memo: new Map() };
      bootstrapMemo.set(modelId, slot);
    }
    return slot.memo;
  }

  function serve(
    request: ProvisioningRequest,
    id: Identification,
    mac: Mac | null,
    memo: Map<string, unknown> | null,
    variant: string,
    render: () => RenderedProfile,
    opts: { snapshot: boolean; withSecrets: boolean },
  ): ProvisioningResult {
    let produced: Produced;
    try {
      produced = produce(memo, variant, render);
    } catch (err) {
      logger.error({ err, mac, file: id.displayFile }, 'profile could not be rendered');
      return { kind: 'error', reason: 'profile could not be rendered' };
    }
    const { body, sha256 } = produced;
    recorder.served({ mac, file: id.displayFile, bodySha256: sha256, clientIp: request.ip, transport: request.transport });
    if (opts.snapshot && mac && snapshotHashes.get(mac) !== sha256) {
      if (snapshotHashes.size >= 100_000) snapshotHashes.clear();
      snapshotHashes.set(mac, sha256);
      recorder.snapshot({ mac, body: produced.rendered.body, at: new Date().toISOString() });
    }
    return { kind: 'profile', body, contentType: produced.rendered.contentType, withSecrets: opts.withSecrets };
  }

  async function handle(request: ProvisioningRequest): Promise<ProvisioningResult> {
    if (!allowList.allows(request.ip)) {
      logger.debug({ ip: request.ip, transport: request.transport }, 'provisioning refused: address not allowed');
      return { kind: 'forbidden', reason: 'client address is not in provisioning.allowCidrs' };
    }
    const limit = limiter.check(request.ip);
    if (limit.blocked) return { kind: 'rate-limited', retryAfterSeconds: limit.retryAfterSeconds };

    const name = checkRequestedName(request.file);
    if (!name.ok) {
      recorder.sighting({
        mac: null, model: null, firmware: null, ip: request.ip, userAgent: request.userAgent,
        file: printable(request.file), transport: request.transport,
      });
      limiter.recordMiss(request.ip);
      logger.warn({ ip: request.ip, transport: request.transport, file: printable(request.file), reason: name.reason }, 'provisioning request refused');
      return { kind: 'forbidden', reason: name.reason };
    }

    const id = identifier.identify(request.file, request.userAgent);
    recorder.sighting({
      mac: id.mac, model: id.modelId, firmware: id.firmware, ip: request.ip,
      userAgent: request.userAgent, file: id.displayFile, transport: request.transport,
    });
    const target = id.target;

    if (id.macMismatch) {
      limiter.recordMiss(request.ip);
      logger.warn({ ip: request.ip, ...id.macMismatch, file: id.displayFile }, 'User-Agent MAC differs from the MAC in the path');
      return { kind: 'forbidden', reason: `User-Agent names MAC ${id.macMismatch.userAgent}, the path asks for ${id.macMismatch.path}` };
    }

    switch (target.kind) {
      case 'bootstrap':
        return serve(request, id, id.mac, bootstrapSlot(target.modelId), 'bootstrap', () => renderer.renderBootstrap(target.modelId), {
          snapshot: false, withSecrets: false,
        });

      case 'plain': {
        const entry = devices.byMac(target.mac);
        if (!entry) return miss(request, `no device with MAC ${target.mac}`);
        const { device, extensions, memo } = entry;
        if (device.secretUrlConfirmed) {
          logger.info({ mac: device.mac, ip: request.ip }, 'plain MAC URL used after the secret URL: serving without secrets');
          return serve(request, id, device.mac, memo, 'without-secrets', () => renderer.renderDevice(device, extensions, { withoutSecrets: true }), {
            snapshot: false, withSecrets: false,
          });
        }
        return serve(request, id, device.mac, memo, 'full', () => renderer.renderDevice(device, extensions, { report: latestReport(device.mac) }), {
          snapshot: true, withSecrets: true,
        });
      }

      case 'secret': {
        const entry = devices.byToken(target.token);
        if (!entry || entry.device.mac !== target.mac) {
          logger.warn({ mac: target.mac, ip: request.ip }, 'secret profile URL with a wrong token');
          return miss(request, 'unknown token or MAC');
        }
        if (!entry.device.secretUrlConfirmed) {
          repos.devices.update(entry.device.mac, { secretUrlConfirmed: true });
          devices.invalidate(entry.device.mac);
          logger.info({ mac: entry.device.mac, ip: request.ip }, 'device moved to its secret profile URL; plain URL no longer serves secrets');
        }
        // The full profile does not depend on the confirmation flag: the memo stays valid.
        const { device, extensions, memo } = entry;
        return serve(request, id, device.mac, memo, 'full', () => renderer.renderDevice(device, extensions, { report: latestReport(device.mac) }), {
          snapshot: true, withSecrets: true,
        });
      }

      case 'firmware': {
        const found = await firmware.find(target.file);
        if (!found.found) return miss(request, found.reason);
        logger.info({ file: found.file, mac: id.mac, ip: request.ip, transport: request.transport }, 'serving firmware');
        return { kind: 'firmware', path: found.path, size: found.size, file: found.file };
      }

      case 'report':
        return miss(request, 'report URLs accept uploads (HTTP POST) only');

      case 'unknown':
        return miss(request, `unknown provisioning file ${id.displayFile}`);
    }
  }

  const reports = createReportHandler({
    repos, logger, identifier, allowList, limiter, recorder,
    maxReportBytes: settings.maxReportBytes,
    onSaved: (report) => {
      reportCache.set(report.mac, { ...report, params: {} });
      // The report's firmware decides Upgrade_Rule: profiles rendered before it are stale.
      devices.invalidate(report.mac);
    },
  });

  return {
    handle,
    handleReport: reports.handle,
    flush: () => recorder.flush(),
    close: () => recorder.close(),
  };
}

/** Names from the network may hold NUL and friends: store and log them escaped. */
function printable(name: string): string {
  return JSON.stringify(name.slice(0, 256)).slice(1, -1);
}
