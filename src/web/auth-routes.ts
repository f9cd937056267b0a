/** Login, logout and the one-time first-admin setup page. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkUserName } from '../data/repositories/users.js';
import { ValidationError } from '../errors.js';
import { parseCookies, serializeCookie } from './cookies.js';
import { actorOf, expectedError, isSecure, page, sendPage, setSessionCookie, type WebContext } from './context.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.js';
import { randomToken, sha256, SESSION_COOKIE } from './sessions.js';

/** Forms shown before login carry a double-submit token: this cookie plus a hidden field. */
export const FORM_CSRF_COOKIE = 'hf_form';
export const MIN_USER_PASSWORD = 10;

/** Sets (or reuses) the pre-login CSRF cookie; returns the token for the hidden field. */
function preLoginCsrf(ctx: WebContext, request: FastifyRequest, reply: FastifyReply): string {
  const existing = parseCookies(request.headers.cookie)[FORM_CSRF_COOKIE];
  const token = existing && existing.length >= 32 ? existing : randomToken();
  reply.header('set-cookie', serializeCookie(FORM_CSRF_COOKIE, token, { secure: isSecure(ctx, request) }));
  return token;
}

/** Only same-site paths: an open redirect after login would help phishing. */
function safeNext(next: unknown, fallback: string): string {
  return typeof next === 'string' && /^\/[a-z]/i.test(next) && !next.startsWith('//') ? next : fallback;
}

export function checkNewPassword(password: unknown): string {
  const pw = String(password ?? '');
  if ([...pw].length < MIN_USER_PASSWORD) throw new ValidationError(`the password needs at least ${MIN_USER_PASSWORD} characters`, 'password');
  if (pw.length > 256) throw new ValidationError('the password may have at most 256 characters', 'password');
  return pw;
}

export function registerAuthRoutes(web: FastifyInstance, ctx: WebContext): void {
  const { repos } = ctx;

  web.get('/', async (request, reply) => {
    const role = request.webAuth?.user.role;
    return reply.redirect(role === 'installer' ? '/installer' : role === 'admin' ? '/admin' : '/login', 303);
  });

  web.get<{ Querystring: { next?: string } }>('/login', async (request, reply) => {
    if (request.webAuth) return reply.redirect(request.webAuth.user.role === 'admin' ? '/admin' : '/installer', 303);
    const csrf = preLoginCsrf(ctx, request, reply);
    return sendPage(ctx, reply, 'login', { ...page(request, 'Log in', 'login'), csrf, next: request.query.next ?? '' });
  });

  web.post<{ Body: { name?: string; password?: string; next?: string } }>('/login', async (request, reply) => {
    const name = String(request.body?.name ?? '').trim();
    const password = String(request.body?.password ?? '');
    const csrf = parseCookies(request.headers.cookie)[FORM_CSRF_COOKIE] ?? '';
    const again = (message: string, status: number) =>
      sendPage(ctx, reply, 'login', { ...page(request, 'Log in', 'login'), csrf, next: request.body?.next ?? '', name, error: message }, status);

    const wait = ctx.limiter.retryAfterMs(request.ip, name);
    if (wait > 0) {
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      return again(`Too many failed logins. Try again in ${Math.ceil(wait / 1000)} seconds.`, 429);
    }
    const user = name ? repos.users.getByName(name) : undefined;
    // Verify against a dummy hash for unknown names so timing does not reveal which names exist.
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash(ctx.options.scryptCost)));
    if (!user || !ok) {
      ctx.limiter.recordFailure(request.ip, name);
      ctx.deps.logger.warn({ ip: request.ip, name }, 'failed web login');
      return again('Wrong user name or password.', 401);
    }
    ctx.limiter.recordSuccess(name);
    const { cookieValue } = ctx.sessions.start(user.id);
    setSessionCookie(ctx, request, reply, cookieValue);
    ctx.audit.record(`user:${user.name}`, 'session.login', user.name);
    return reply.redirect(safeNext(request.body?.next, user.role === 'admin' ? '/admin' : '/installer'), 303);
  });

  web.post('/logout', async (request, reply) => {
    if (request.webAuth) ctx.audit.record(actorOf(request), 'session.logout', request.webAuth.user.name);
    ctx.sessions.end(parseCookies(request.headers.cookie)[SESSION_COOKIE]);
    setSessionCookie(ctx, request, reply, null);
    return reply.redirect('/login', 303);
  });

  web.get<{ Params: { token: string } }>('/setup/:token', async (request, reply) => {
    const csrf = preLoginCsrf(ctx, request, reply);
    return sendPage(ctx, reply, 'setup', { ...page(request, 'Create the first admin', 'setup'), csrf, token: request.params.token });
  });

  web.post<{ Params: { token: string }; Body: { name?: string; password?: string } }>('/setup/:token', async (request, reply) => {
    const csrf = parseCookies(request.headers.cookie)[FORM_CSRF_COOKIE] ?? '';
    const name = String(request.body?.name ?? '');
    const fail = (message: string, field: string | undefined, status: number) =>
      sendPage(ctx, reply, 'setup', { ...page(request, 'Create the first admin', 'setup'), csrf, token: request.params.token, name, error: message, field }, status);
    if (repos.users.countByRole('admin') > 0) return fail('An admin account already exists; log in instead.', undefined, 410);
    let checkedName: string;
    let password: string;
    try {
      checkedName = checkUserName(name);
      password = checkNewPassword(request.body?.password);
    } catch (err) {
      const e = expectedError(err);
      return fail(e.message, e.field, e.status);
    }
    // Consumed only once the input is valid, so a typo does not burn the link.
    if (!repos.setupLinks.consume(sha256(request.params.token), ctx.now())) {
      return fail('This setup link is unknown, used or expired. Restart `hookflash serve` to print a new one.', undefined, 410);
    }
    const user = repos.users.add({ name: checkedName, role: 'admin', passwordHash: await hashPassword(password, ctx.options.scryptCost) });
    repos.setupLinks.clear();
    ctx.audit.record('setup', 'user.create', user.name, undefined, { name: user.name, role: user.role, password });
    const { cookieValue } = ctx.sessions.start(user.id);
    setSessionCookie(ctx, request, reply, cookieValue);
    return reply.redirect('/admin', 303);
  });
}
