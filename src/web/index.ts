/**
 * The admin web UI, installer page and JSON API as one fastify plugin. The composition root
 * calls registerWebRoutes(app, deps) next to the provisioning routes; nothing here listens.
 *
 *   /login /logout /setup/:token   public (CSRF-protected forms)
 *   /admin/…                       admin sessions only
 *   /installer, /installer/status  installer or admin sessions
 *   /api/…                         API tokens (Authorization: Bearer)
 *   /assets/…                      CSS and the small scripts
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findRepoRoot } from '../provisioning/models.js';
import { createAuditWriter } from './audit.js';
import { parseCookies } from './cookies.js';
import { page, requireRole, sendPage, type WebContext, type WebDeps } from './context.js';
import { createLoginLimiter } from './login-limiter.js';
import { DEFAULT_WEB_OPTIONS } from './options.js';
import { createSessionManager, safeEqual, SESSION_COOKIE } from './sessions.js';
import { createViews } from './views.js';
import { FORM_CSRF_COOKIE, registerAuthRoutes } from './auth-routes.js';
import { registerAdminPages } from './admin-pages.js';
import { registerExtensionPages } from './admin-extensions.js';
import { registerDevicePages } from './admin-devices.js';
import { registerImportPage } from './admin-import.js';
import { registerUserPages } from './admin-users.js';
import { registerInstallerPages } from './installer.js';
import { registerApiRoutes } from './api.js';
import { registerPbxApiRoutes } from './api-pbx.js';
import { registerMailboxPages } from './admin-mailboxes.js';
import { registerEntryNumberPages } from './admin-entry-numbers.js';
import { registerCallPages } from './admin-calls.js';
import { registerQueuePages } from './admin-queues.js';

export type { WebDeps, RegistrationsFor } from './context.js';
export type { WebOptions } from './options.js';
export type { QueueLiveState, QueueAgentState, CallsLiveState } from './live-state.js';
export { ensureAdminSetupLink } from './setup-link.js';
export { registrationsFromRepository } from './device-status.js';
export { createDeviceResync, type DeviceResync, type ResyncResult } from './device-resync.js';

/** Forms may be a pasted CSV import; everything else is small. */
const FORM_BODY_LIMIT = 6 * 1024 * 1024;

export async function registerWebRoutes(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const now = deps.clock ?? Date.now;
  const options = { ...DEFAULT_WEB_OPTIONS, ...deps.options };
  const ctx: WebContext = {
    deps, repos: deps.repos, now, options,
    views: createViews({ timeZone: options.timeZone }),
    sessions: createSessionManager({ repos: deps.repos, now, idleTimeoutMs: options.idleTimeoutMs }),
    limiter: createLoginLimiter({ maxFailures: options.loginMaxFailures, windowMs: options.loginWindowMs, now }),
    audit: createAuditWriter(deps.repos.audit),
  };

  // Encapsulated: the form parser, hooks and error pages apply to web routes only, not to
  // the provisioning routes devices use.
  await app.register(async (web) => {
    await web.register(formbody, { bodyLimit: FORM_BODY_LIMIT });
    await web.register(fastifyStatic, { root: join(findRepoRoot(), 'src', 'web', 'assets'), prefix: '/assets/', decorateReply: false });
    web.decorateRequest('webAuth', null);

    // No inline scripts and no framing: a strict policy costs nothing here. no-referrer keeps
    // the setup-link token out of Referer headers.
    web.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'");
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('x-frame-options', 'DENY');
    });

    web.addHook('onRequest', async (request) => {
      if (request.url.startsWith('/api/') || request.url.startsWith('/assets/')) return;
      request.webAuth = ctx.sessions.resolve(parseCookies(request.headers.cookie)[SESSION_COOKIE]);
    });

    // The barcode decoder for browsers without BarcodeDetector, served from our own origin
    // (the CSP allows scripts from 'self' only, and installers may have no internet).
    let zxing: Buffer | null = null;
    web.get('/assets/vendor/zxing-browser.min.js', async (_request, reply) => {
      zxing ??= await readFile(join(findRepoRoot(), 'node_modules', '@zxing', 'browser', 'umd', 'zxing-browser.min.js'));
      return reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(zxing);
    });

    // CSRF on every form: the session's synchroniser token, or before login the
    // double-submit cookie set with the form. Uploads sent by script (a raw file body) carry
    // the session token in the X-CSRF-Token header instead.
    web.addHook('preHandler', async (request: FastifyRequest<{ Body: { _csrf?: unknown } }>, reply: FastifyReply) => {
      if (request.method !== 'POST' || request.url.startsWith('/api/')) return;
      const body = request.body && !Buffer.isBuffer(request.body) ? request.body : undefined;
      const header = request.webAuth ? request.headers['x-csrf-token'] : undefined;
      const sent = typeof body?._csrf === 'string' ? body._csrf : typeof header === 'string' ? header : '';
      const expected = request.webAuth?.session.csrfToken ?? parseCookies(request.headers.cookie)[FORM_CSRF_COOKIE] ?? '';
      if (!sent || !expected || !safeEqual(sent, expected)) {
        deps.logger.warn({ ip: request.ip, url: request.url }, 'form refused: CSRF token missing or wrong');
        return sendPage(ctx, reply, 'error', page(request, 'Form expired', '', {
          message: 'This form was not accepted (its security token was missing or out of date). Go back, reload the page and try again.',
          home: '/',
        }), 403);
      }
    });

    registerAuthRoutes(web, ctx);

    await web.register(async (admin) => {
      admin.addHook('onRequest', requireRole(ctx, ['admin']));
      registerAdminPages(admin, ctx);
      registerExtensionPages(admin, ctx);
      registerDevicePages(admin, ctx);
      registerImportPage(admin, ctx);
      registerUserPages(admin, ctx);
      registerMailboxPages(admin, ctx);
      registerEntryNumberPages(admin, ctx);
      registerCallPages(admin, ctx);
      registerQueuePages(admin, ctx);
    }, { prefix: '/admin' });

    await web.register(async (installer) => {
      installer.addHook('onRequest', requireRole(ctx, ['installer', 'admin']));
      registerInstallerPages(installer, ctx);
    });

    await web.register(async (api) => {
      api.setNotFoundHandler((request, reply) =>
        reply.code(404).send({ error: { message: `no API route ${request.method} ${request.url.split('?')[0]}`, code: 'HF_NOT_FOUND' } }));
      registerApiRoutes(api, ctx);
      registerPbxApiRoutes(api, ctx);
    }, { prefix: '/api' });
  });
}
