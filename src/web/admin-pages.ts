/** Read-mostly admin pages: dashboard, provisioning log, sightings, audit log, API tokens. */
import type { FastifyInstance } from 'fastify';
import { actorOf, page, sendPage, type WebContext } from './context.js';
import { randomToken, sha256 } from './sessions.js';
import { readCalls, readQueues } from './live-state.js';
import { outboxProblemsView } from './mailbox-view.js';
import { pageNumber, pager, slicePage } from './paging.js';

const PAGE_ROWS = 200;
const UNASSIGNED_COUNT_LIMIT = 500;
export const API_TOKEN_PREFIX = 'hf_';

/** One line per queue for the dashboard, or null when the PBX gives no live view. */
export function queueSummary(ctx: WebContext) {
  const queues = readQueues(ctx.options);
  return queues && queues.map((q) => ({
    number: q.number, name: q.name, waiting: q.waiting.length, longestWaitS: q.longestWaitS,
    agentsFree: q.agents.filter((a) => a.state === 'idle').length, agents: q.agents.length,
  }));
}

/** Devices whose every line has a live registration (the same rule as the status card). */
export function registeredDeviceCount(ctx: WebContext): number {
  const live = new Set(ctx.repos.registrations.allLive(ctx.now()).map((r) => r.extension));
  return ctx.repos.devices.list().filter((d) => d.lines.length > 0 && d.lines.every((n) => live.has(n))).length;
}

export function registerAdminPages(admin: FastifyInstance, ctx: WebContext): void {
  const { repos } = ctx;

  admin.get('/', async (request, reply) => {
    // Counted over a bounded list; the table shows the newest 20.
    const unassigned = repos.sightings.unassigned(UNASSIGNED_COUNT_LIMIT);
    return sendPage(ctx, reply, 'dashboard', page(request, 'Dashboard', 'dashboard', {
      unassigned: unassigned.slice(0, 20),
      recent: repos.provisioningLog.recent(15),
      counts: {
        devices: repos.devices.list().length,
        extensions: repos.extensions.list().length,
        // Live bindings kept by the PBX registrar: real data, 0 when nothing registered.
        registrations: repos.registrations.allLive(ctx.now()).length,
        registeredDevices: registeredDeviceCount(ctx),
        unassigned: unassigned.length >= UNASSIGNED_COUNT_LIMIT ? `${UNASSIGNED_COUNT_LIMIT}+` : String(unassigned.length),
      },
      calls: readCalls(ctx.options),
      queues: queueSummary(ctx),
      queuesLive: Boolean(ctx.options.queues),
      outboxProblems: outboxProblemsView(repos, ctx.now()).slice(0, 20),
    }));
  });

  admin.get<{ Querystring: { page?: string } }>('/provisioning-log', async (request, reply) => {
    const n = pageNumber(request.query.page);
    const { rows, hasMore } = slicePage((limit) => repos.provisioningLog.recent(limit), n);
    return sendPage(ctx, reply, 'provisioning-log', page(request, 'Provisioning log', 'log', {
      entries: rows, pager: pager('/admin/provisioning-log', n, { hasMore }),
    }));
  });

  admin.get<{ Querystring: { page?: string } }>('/sightings', async (request, reply) => {
    const assigned = new Set(repos.devices.list().map((d) => d.mac));
    const n = pageNumber(request.query.page);
    const { rows, hasMore } = slicePage((limit) => repos.sightings.recent(limit), n);
    const sightings = rows.map((s) => ({ ...s, assigned: s.mac !== null && assigned.has(s.mac) }));
    return sendPage(ctx, reply, 'sightings', page(request, 'Sightings', 'sightings', { sightings, pager: pager('/admin/sightings', n, { hasMore }) }));
  });

  admin.get('/audit', async (request, reply) =>
    sendPage(ctx, reply, 'audit', page(request, 'Audit log', 'audit', {
      entries: repos.audit.recent(PAGE_ROWS).map((e) => ({ ...e, beforeJson: e.before === null ? '' : JSON.stringify(e.before), afterJson: e.after === null ? '' : JSON.stringify(e.after) })),
    })));

  const tokensPage = (extra: Record<string, unknown> = {}) => ({ tokens: repos.apiTokens.list().map(({ tokenHash: _h, ...t }) => t), ...extra });

  admin.get('/api-tokens', async (request, reply) =>
    sendPage(ctx, reply, 'api-tokens', page(request, 'API tokens', 'tokens', tokensPage())));

  admin.post<{ Body: { name?: string } }>('/api-tokens', async (request, reply) => {
    const name = String(request.body?.name ?? '').trim();
    if (name.length < 1 || name.length > 64) {
      return sendPage(ctx, reply, 'api-tokens', page(request, 'API tokens', 'tokens', tokensPage({ error: 'Give the token a name (1–64 characters), e.g. "inventory script".', field: 'name' })), 400);
    }
    const token = API_TOKEN_PREFIX + randomToken();
    const saved = repos.apiTokens.add({ name, tokenHash: sha256(token), createdBy: request.webAuth!.user.name });
    ctx.audit.record(actorOf(request), 'api-token.create', String(saved.id), undefined, { name, token });
    return sendPage(ctx, reply, 'api-tokens', page(request, 'API tokens', 'tokens', tokensPage({
      shownOnce: { label: `API token "${name}"`, value: token },
    })));
  });

  admin.post<{ Params: { id: string } }>('/api-tokens/:id/revoke', async (request, reply) => {
    const ok = repos.apiTokens.revoke(Number(request.params.id));
    if (ok) ctx.audit.record(actorOf(request), 'api-token.revoke', request.params.id);
    return sendPage(ctx, reply, 'api-tokens', page(request, 'API tokens', 'tokens', tokensPage(ok ? { notice: 'Token revoked.' } : { error: 'No such active token.' })), ok ? 200 : 404);
  });
}
