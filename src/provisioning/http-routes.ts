/**
 * HTTP transport for provisioning: the same files as TFTP plus Report_Rule uploads.
 * Handlers only translate between fastify and the pipeline's result values.
 *
 * Routes (scheme in urls.ts):
 *   GET  /<model>.cfg, /<mac>.xml, /spa<mac>.xml   bootstrap and tolerant per-MAC names
 *   GET  /spa/<mac>.xml                            per-MAC profile (plain URL)
 *   GET  /spa/d/<token>/<mac>.xml                  per-device secret profile
 *   GET  /firmware/<file>                          firmware image (streamed)
 *   POST /spa/r/<token>/<mac>.xml                  Report_Rule upload (running config XML)
 */
import { createReadStream } from 'node:fs';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config-types.js';
import type { Logger } from '../log.js';
import type { ProvisioningResult, ProvisioningService } from './pipeline.js';
import type { ReportResult } from './report-handler.js';

export interface ProvisioningRoutesDeps {
  service: Pick<ProvisioningService, 'handle' | 'handleReport'>;
  config: Pick<Config, 'provisioning'>;
  logger: Logger;
}

/** Devices poll every few minutes; fastify's per-request lines would drown everything else. */
const ROUTE_LOG_LEVEL = 'warn';

export function registerProvisioningRoutes(fastify: FastifyInstance, deps: ProvisioningRoutesDeps): void {
  const { service, logger } = deps;
  const maxReportBytes = deps.config.provisioning.maxReportBytes;

  // An encapsulated scope, so the raw-body parser below applies to these routes only.
  void fastify.register(async (scope) => {
    async function serveFile(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
      const result = await service.handle({
        transport: 'http',
        file: pathOf(request.url),
        userAgent: request.headers['user-agent'] ?? null,
        ip: request.ip,
      });
      return sendResult(reply, result);
    }

    const get = { logLevel: ROUTE_LOG_LEVEL } as const;
    // Root-level names: bootstrap (spa303.cfg) and the per-MAC names other servers use.
    scope.get('/:file(^[^/]+\\.(?:[cC][fF][gG]|[xX][mM][lL])$)', get, serveFile);
    scope.get('/spa/:file', get, serveFile);
    scope.get('/spa/d/:token/:file', get, serveFile);
    scope.get('/firmware/:file', get, serveFile);

    // SPA firmware posts its XML as text/xml, as a form, or with no content type at all:
    // take every body as raw bytes so our own checks (size, DOCTYPE, XML) give the answer.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxReportBytes }, (_req, body, done) => {
      done(null, body);
    });
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
        logger.warn({ ip: request.ip, limit: maxReportBytes }, 'report upload too large');
        return reply.code(413).type('text/plain').send(`Report larger than ${maxReportBytes} bytes\n`);
      }
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) logger.error({ err: error, url: pathOf(request.url) }, 'provisioning route failed');
      return reply.code(status).type('text/plain').send(status === 500 ? 'Internal Server Error\n' : `${error.message}\n`);
    });

    scope.post<{ Params: { token: string; file: string } }>(
      '/spa/r/:token/:file',
      { logLevel: ROUTE_LOG_LEVEL, bodyLimit: maxReportBytes },
      async (request, reply) => {
        const match = /^([0-9A-Fa-f]{12})\.xml$/.exec(request.params.file);
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const result = await service.handleReport({
          mac: match?.[1] ?? request.params.file,
          token: request.params.token,
          ip: request.ip,
          userAgent: request.headers['user-agent'] ?? null,
          body,
          contentType: request.headers['content-type'] ?? null,
        });
        return sendReportResult(reply, result);
      },
    );
  });
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q >= 0 ? url.slice(0, q) : url;
}

function sendResult(reply: FastifyReply, result: ProvisioningResult): FastifyReply {
  switch (result.kind) {
    case 'profile':
      return reply.code(200).header('content-type', result.contentType).header('cache-control', 'no-store').send(result.body);
    case 'firmware':
      return reply
        .code(200)
        .header('content-type', 'application/octet-stream')
        .header('content-length', result.size)
        .send(createReadStream(result.path));
    case 'not-found':
    case 'forbidden':
    case 'rate-limited':
      return sendRefusal(reply, result);
    case 'error':
      return reply.code(500).type('text/plain').send(`Server error: ${result.reason}\n`);
  }
}

/** The refusals profile requests and report uploads share: same status codes, same texts. */
type Refusal =
  | { kind: 'not-found' }
  | { kind: 'forbidden'; reason: string }
  | { kind: 'rate-limited'; retryAfterSeconds: number };

function sendRefusal(reply: FastifyReply, refusal: Refusal): FastifyReply {
  switch (refusal.kind) {
    case 'not-found':
      return reply.code(404).type('text/plain').send('Not Found\n');
    case 'forbidden':
      return reply.code(403).type('text/plain').send(`Forbidden: ${refusal.reason}\n`);
    case 'rate-limited':
      return reply
        .code(429)
        .header('retry-after', String(refusal.retryAfterSeconds))
        .type('text/plain')
        .send(`Too many failed requests; retry in ${refusal.retryAfterSeconds} s\n`);
  }
}

function sendReportResult(reply: FastifyReply, result: ReportResult): FastifyReply {
  switch (result.kind) {
    case 'saved':
      return reply.code(200).type('text/plain').send(`Report saved (${result.paramCount} parameters)\n`);
    case 'not-found':
    case 'forbidden':
    case 'rate-limited':
      return sendRefusal(reply, result);
    case 'rejected':
      return reply.code(result.status).type('text/plain').send(`${result.reason}\n`);
  }
}
