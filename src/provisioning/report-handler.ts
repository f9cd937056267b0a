/**
 * Report_Rule upload handling: checks the caller (allow-list, rate limit, token) before
 * reading the body, parses it (reports.ts), and saves one DeviceReport only when every
 * check passed.
 */
import type { DeviceReport, Mac, Repositories } from '../data/types.js';
import type { Logger } from '../log.js';
import type { ActivityRecorder } from './activity.js';
import type { AllowList } from './allow-list.js';
import type { Identifier } from './identify.js';
import type { NotFoundLimiter } from './rate-limit.js';
import { parseReport } from './reports.js';

export interface ReportRequest {
  mac: string;
  token: string;
  ip: string;
  userAgent: string | null;
  body: Buffer;
  contentType: string | null;
}

export type ReportResult =
  | { kind: 'saved'; mac: Mac; firmware: string | null; paramCount: number }
  | { kind: 'not-found'; reason: string }
  | { kind: 'forbidden'; reason: string }
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  | { kind: 'rejected'; status: 400 | 413; reason: string };

export interface ReportHandlerDeps {
  repos: Pick<Repositories, 'devices' | 'reports'>;
  logger: Logger;
  identifier: Identifier;
  allowList: AllowList;
  limiter: NotFoundLimiter;
  recorder: ActivityRecorder;
  maxReportBytes: number;
  /** Called after a report was saved (the pipeline refreshes its firmware cache). */
  onSaved?: (report: DeviceReport) => void;
}

const MAC = /^[0-9a-f]{12}$/i;

export function createReportHandler(deps: ReportHandlerDeps): { handle(request: ReportRequest): Promise<ReportResult> } {
  const { repos, logger, limiter } = deps;
  return {
    async handle(request) {
      if (!deps.allowList.allows(request.ip)) {
        return { kind: 'forbidden', reason: 'client address is not in provisioning.allowCidrs' };
      }
      const limit = limiter.check(request.ip);
      if (limit.blocked) return { kind: 'rate-limited', retryAfterSeconds: limit.retryAfterSeconds };

      const agent = deps.identifier.parseUserAgent(request.userAgent);
      const mac = MAC.test(request.mac) ? request.mac.toLowerCase() : null;
      deps.recorder.sighting({
        mac: agent?.mac ?? mac, model: agent?.modelId ?? null, firmware: agent?.firmware ?? null,
        ip: request.ip, userAgent: request.userAgent,
        file: `/spa/r/…/${mac ?? 'invalid'}.xml`, transport: 'http',
      });

      const device = mac ? repos.devices.getByToken(request.token) : undefined;
      if (!mac || !device || device.mac !== mac) {
        limiter.recordMiss(request.ip);
        logger.warn({ mac, ip: request.ip }, 'report upload with a wrong token or MAC');
        return { kind: 'not-found', reason: 'unknown token or MAC' };
      }

      const parsed = await parseReport(request.body, { maxBytes: deps.maxReportBytes });
      if (!parsed.ok) {
        logger.warn({ mac, ip: request.ip, status: parsed.status, reason: parsed.reason }, 'report upload rejected');
        return { kind: 'rejected', status: parsed.status, reason: parsed.reason };
      }
      const firmware = parsed.firmware ?? agent?.firmware ?? null;
      const report: DeviceReport = { mac, firmware, params: parsed.params, receivedAt: new Date().toISOString() };
      repos.reports.save(report);
      deps.onSaved?.(report);
      const paramCount = Object.keys(parsed.params).length;
      logger.info({ mac, firmware, paramCount, ip: request.ip }, 'device report saved');
      return { kind: 'saved', mac, firmware, paramCount };
    },
  };
}
