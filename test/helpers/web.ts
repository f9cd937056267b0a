/**
 * A real web stack for tests: SQLite in a temp dir, the real models, renderer, provisioning
 * pipeline and routes, plus the web plugin — all on one fastify instance, driven by inject
 * (or listening on 127.0.0.1:0 for the browser test). Cheap scrypt so logins are fast.
 */
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import { registerProvisioningRoutes } from '../../src/provisioning/http-routes.js';
import { silentLogger } from '../../src/log.js';
import { registerWebRoutes, type WebOptions, type RegistrationsFor } from '../../src/web/index.js';
import { hashPassword, type ScryptCost } from '../../src/web/passwords.js';
import type { UserRole } from '../../src/data/types.js';
import { createProvisioningStack, type ProvisioningStack, type TestContext } from './provisioning.js';

export const TEST_SCRYPT: ScryptCost = { N: 1024, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery';

export interface WebStack extends ProvisioningStack {
  app: FastifyInstance;
  clock: { now: number };
  addUser(name: string, role: UserRole): Promise<void>;
}

export async function buildWebStack(
  t: TestContext,
  opts: { options?: Partial<WebOptions>; registrationsFor?: RegistrationsFor; httpPort?: number } = {},
): Promise<WebStack> {
  const stack = createProvisioningStack(t, { httpPort: opts.httpPort ?? 8080 });
  const clock = { now: Date.now() };
  const app = Fastify({ logger: false });
  registerProvisioningRoutes(app, { service: stack.service, config: stack.config, logger: silentLogger() });
  await registerWebRoutes(app, {
    repos: stack.repos, models: stack.models, renderer: stack.renderer, config: stack.config, logger: silentLogger(),
    clock: () => clock.now,
    options: { scryptCost: TEST_SCRYPT, ...opts.options },
    ...(opts.registrationsFor ? { registrationsFor: opts.registrationsFor } : {}),
  });
  t.teardown(() => app.close());
  return {
    ...stack, app, clock,
    async addUser(name, role) {
      stack.repos.users.add({ name, role, passwordHash: await hashPassword(PASSWORD, TEST_SCRYPT) });
    },
  };
}

export function cookieFrom(res: LightMyRequestResponse, name: string): string | undefined {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  for (const c of list) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(c);
    if (m) return decodeURIComponent(m[1]!);
  }
  return undefined;
}

export function csrfIn(html: string): string {
  const m = /name="_csrf" value="([^"]*)"/.exec(html);
  if (!m) throw new Error('no CSRF field in page');
  return m[1]!;
}

export const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export interface Browser {
  cookie: string;
  csrf: string;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, fields: Record<string, string>, csrf?: string | null): Promise<LightMyRequestResponse>;
}

/** Logs in through the real form and returns a cookie-carrying client. */
export async function login(app: FastifyInstance, name: string, password = PASSWORD, ip = '127.0.0.1'): Promise<LightMyRequestResponse & { session?: Browser }> {
  const page = await app.inject({ method: 'GET', url: '/login', remoteAddress: ip });
  const formCookie = cookieFrom(page, 'hf_form')!;
  const res = await app.inject({
    method: 'POST', url: '/login', remoteAddress: ip, headers: { ...FORM, cookie: `hf_form=${formCookie}` },
    payload: form({ name, password, _csrf: csrfIn(page.body) }),
  });
  const session = cookieFrom(res, 'hf_session');
  if (!session) return res;
  const cookie = `hf_session=${session}`;
  const landing = await app.inject({ method: 'GET', url: res.headers.location as string, headers: { cookie } });
  const browser: Browser = {
    cookie,
    csrf: csrfIn(landing.body),
    get: (url) => app.inject({ method: 'GET', url, headers: { cookie } }),
    post: (url, fields, csrf) => app.inject({
      method: 'POST', url, headers: { ...FORM, cookie },
      payload: form(csrf === null ? fields : { ...fields, _csrf: csrf ?? browser.csrf }),
    }),
  };
  return Object.assign(res, { session: browser });
}
