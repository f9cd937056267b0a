/** What every web route file receives, plus the request-level auth helpers they share. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config-types.js';
import type { Repositories, UserRole } from '../data/types.js';
import type { Logger } from '../log.js';
import type { DeviceModel } from '../provisioning/model-types.js';
import type { ProfileRenderer } from '../provisioning/render.js';
import { HookflashError } from '../errors.js';
import type { AuditWriter } from './audit.js';
import { serializeCookie } from './cookies.js';
import type { LoginLimiter } from './login-limiter.js';
import type { WebOptions } from './options.js';
import { SESSION_COOKIE, type ActiveSession, type SessionManager } from './sessions.js';
import type { PageContext, Views } from './views.js';

/** Live registration state of a device's lines, when the PBX can tell. */
export type RegistrationsFor = (mac: string) => { registered: boolean; detail?: string | null } | null;

export interface WebDeps {
  repos: Repositories;
  models: Map<string, DeviceModel>;
  renderer: Pick<ProfileRenderer, 'renderDevice'>;
  /** dataDir (optional) is where greetings and voicemail WAVs live; without it audio upload/playback is off. */
  config: Pick<Config, 'publicHost' | 'http'> & Partial<Pick<Config, 'dataDir'>>;
  logger: Logger;
  /** Epoch ms; tests pass their own to move time. */
  clock?: () => number;
  registrationsFor?: RegistrationsFor;
  options?: Partial<WebOptions>;
}

export interface WebContext {
  deps: WebDeps;
  repos: Repositories;
  now: () => number;
  options: WebOptions;
  views: Views;
  sessions: SessionManager;
  limiter: LoginLimiter;
  audit: AuditWriter;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in session (web UI routes), or null. */
    webAuth: ActiveSession | null;
  }
}

export function isSecure(ctx: WebContext, request: FastifyRequest): boolean {
  return ctx.options.secureCookies === 'auto' ? request.protocol === 'https' : ctx.options.secureCookies;
}

export function setSessionCookie(ctx: WebContext, request: FastifyRequest, reply: FastifyReply, value: string | null): void {
  reply.header('set-cookie', serializeCookie(SESSION_COOKIE, value ?? '', {
    secure: isSecure(ctx, request), ...(value === null ? { maxAge: 0 } : {}),
  }));
}

/** Common page data: who is logged in and the CSRF token every form carries. */
export function page(request: FastifyRequest, title: string, nav: string, extra: Record<string, unknown> = {}): PageContext {
  const auth = request.webAuth;
  return { title, nav, user: auth ? { name: auth.user.name, role: auth.user.role } : null, csrf: auth?.session.csrfToken ?? '', ...extra };
}

export function sendPage(ctx: WebContext, reply: FastifyReply, name: string, data: PageContext, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(ctx.views.render(name, data));
}

/** "user:anna" for the audit log. */
export function actorOf(request: FastifyRequest): string {
  return request.webAuth ? `user:${request.webAuth.user.name}` : 'anonymous';
}

/** onRequest hook: only these roles pass; others get the login page or a 403. */
export function requireRole(ctx: WebContext, roles: UserRole[]) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const auth = request.webAuth;
    const wantsJson = request.url.includes('/status') || (request.headers.accept ?? '').startsWith('application/json');
    if (!auth) {
      if (wantsJson) return reply.code(401).send({ error: { message: 'log in first (session missing or expired)', code: 'HF_UNAUTHENTICATED' } });
      return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    }
    if (!roles.includes(auth.user.role)) {
      if (wantsJson) return reply.code(403).send({ error: { message: 'this needs an admin account', code: 'HF_FORBIDDEN' } });
      return sendPage(ctx, reply, 'error', page(request, 'Not allowed', '', {
        message: `Your account (${auth.user.role}) cannot open this page.`, home: auth.user.role === 'installer' ? '/installer' : '/admin',
      }), 403);
    }
  };
}

/** Message + field of an expected error (bad input, conflict); rethrows anything else. */
export function expectedError(err: unknown): { message: string; field: string | undefined; status: number } {
  if (err instanceof HookflashError) return { message: err.message, field: err.field, status: err.status };
  throw err;
}
