/**
 * The Queues page: the live view (waiting callers, longest wait, agents) refreshed by polling
 * /admin/queues/live, and CRUD for queues and their members (repos.queues).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { QUEUE_DEFAULTS, QUEUE_STRATEGIES, type NewQueue, type Queue, type QueueOverflow } from '../data/types.js';
import { ValidationError } from '../errors.js';
import { actorOf, expectedError, page, sendPage, type WebContext } from './context.js';
import { readQueues } from './live-state.js';

type Form = Record<string, string | undefined>;

export function overflowText(o: QueueOverflow): string {
  return o.kind === 'voicemail' ? `voicemail:${o.box}` : `${o.kind}:${o.number}`;
}

function seconds(form: Form, field: string): number | undefined {
  const text = (form[field] ?? '').trim();
  if (text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new ValidationError(`${field} ${JSON.stringify(text)} is not whole seconds`, field);
  return n;
}

/** Form → repository input (the repository validates ranges, members and the overflow target). */
export function queueFromForm(form: Form): NewQueue {
  const announce = (form.announcePositionS ?? '').trim();
  const out: NewQueue = {
    number: (form.number ?? '').trim(), name: (form.name ?? '').trim(), overflow: (form.overflow ?? '').trim(),
    ...(form.strategy ? { strategy: form.strategy as NewQueue['strategy'] } : {}),
    ...(form.language ? { language: form.language as NewQueue['language'] } : {}),
    announcePositionS: announce === '' ? null : (seconds(form, 'announcePositionS') ?? null),
  };
  for (const f of ['ringTimeoutS', 'wrapUpS', 'maxWaitS'] as const) {
    const v = seconds(form, f);
    if (v !== undefined) out[f] = v;
  }
  const members = (form.members ?? '').split(/[\s,;]+/).filter(Boolean);
  if (members.length) out.members = members;
  return out;
}

export function queueToForm(q: Queue): Form {
  return {
    number: q.number, name: q.name, strategy: q.strategy, language: q.language, overflow: overflowText(q.overflow),
    ringTimeoutS: String(q.ringTimeoutS), wrapUpS: String(q.wrapUpS), maxWaitS: String(q.maxWaitS),
    announcePositionS: q.announcePositionS === null ? '' : String(q.announcePositionS),
  };
}

export function liveQueues(ctx: WebContext) {
  const queues = readQueues(ctx.options);
  return { available: queues !== null, queues: queues ?? [] };
}

export function registerQueuePages(admin: FastifyInstance, ctx: WebContext): void {
  const { repos } = ctx;
  const choices = (form: Form) => ({
    strategies: QUEUE_STRATEGIES.map((s) => ({ value: s, selected: s === (form.strategy ?? QUEUE_DEFAULTS.strategy) })),
    extensions: repos.extensions.list().map((e) => ({ number: e.number, displayName: e.displayName })),
  });

  function listPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) {
    const form = (extra.form as Form | undefined) ?? {
      ringTimeoutS: String(QUEUE_DEFAULTS.ringTimeoutS), wrapUpS: String(QUEUE_DEFAULTS.wrapUpS), maxWaitS: String(QUEUE_DEFAULTS.maxWaitS), language: 'pl',
    };
    const queues = repos.queues.list().map((q) => ({ ...q, overflowText: overflowText(q.overflow), memberList: q.members.map((m) => m.extension).join(', ') }));
    return sendPage(ctx, reply, 'queues', page(request, 'Queues', 'queues', {
      queues, live: liveQueues(ctx), pollMs: ctx.options.queuePollMs, ...choices(form), ...extra, form,
    }), status);
  }

  function editPage(request: FastifyRequest, reply: FastifyReply, q: Queue, extra: Record<string, unknown> = {}, status = 200) {
    const form = (extra.form as Form | undefined) ?? queueToForm(q);
    return sendPage(ctx, reply, 'queue-edit', page(request, `Queue ${q.number}`, 'queues', { queue: q, ...choices(form), ...extra, form }), status);
  }
  const notFound = (request: FastifyRequest, reply: FastifyReply, number: string) => listPage(request, reply, { error: `Queue ${number} does not exist.` }, 404);

  admin.get('/queues', async (request, reply) => listPage(request, reply));
  admin.get('/queues/live', async (_request, reply) => reply.header('cache-control', 'no-store').send(liveQueues(ctx)));

  admin.post<{ Body: Form }>('/queues', async (request, reply) => {
    const form = request.body ?? {};
    try {
      const q = repos.queues.add(queueFromForm(form));
      ctx.audit.record(actorOf(request), 'queue.create', q.number, undefined, q);
      return reply.redirect(`/admin/queues/${q.number}`, 303);
    } catch (err) {
      const e = expectedError(err);
      return listPage(request, reply, { error: e.message, field: e.field, form }, e.status);
    }
  });

  admin.get<{ Params: { number: string } }>('/queues/:number', async (request, reply) => {
    const q = repos.queues.get(request.params.number);
    return q ? editPage(request, reply, q) : notFound(request, reply, request.params.number);
  });

  admin.post<{ Params: { number: string }; Body: Form }>('/queues/:number', async (request, reply) => {
    const before = repos.queues.get(request.params.number);
    if (!before) return notFound(request, reply, request.params.number);
    const form = { ...(request.body ?? {}), number: before.number };
    try {
      const { number: _n, members: _m, ...patch } = queueFromForm(form);
      const after = repos.queues.update(before.number, patch);
      ctx.audit.record(actorOf(request), 'queue.update', after.number, before, after);
      return editPage(request, reply, after, { notice: 'Saved.' });
    } catch (err) {
      const e = expectedError(err);
      return editPage(request, reply, before, { error: e.message, field: e.field, form }, e.status);
    }
  });

  admin.post<{ Params: { number: string }; Body: { extension?: string; order?: string } }>('/queues/:number/members', async (request, reply) => {
    const before = repos.queues.get(request.params.number);
    if (!before) return notFound(request, reply, request.params.number);
    try {
      const order = request.body?.order ? Number(request.body.order) : undefined;
      const after = repos.queues.addMember(before.number, String(request.body?.extension ?? ''), order);
      ctx.audit.record(actorOf(request), 'queue.member-add', after.number, { members: before.members.map((m) => m.extension) }, { members: after.members.map((m) => m.extension) });
      return editPage(request, reply, after, { notice: `Extension ${request.body?.extension} is a member.` });
    } catch (err) {
      const e = expectedError(err);
      return editPage(request, reply, before, { error: e.message, field: e.field === 'members' ? 'extension' : e.field }, e.status);
    }
  });

  admin.post<{ Params: { number: string; ext: string } }>('/queues/:number/members/:ext/delete', async (request, reply) => {
    const before = repos.queues.get(request.params.number);
    if (!before) return notFound(request, reply, request.params.number);
    const removed = repos.queues.removeMember(before.number, request.params.ext);
    const after = repos.queues.get(before.number)!;
    if (removed) ctx.audit.record(actorOf(request), 'queue.member-remove', after.number, { members: before.members.map((m) => m.extension) }, { members: after.members.map((m) => m.extension) });
    return editPage(request, reply, after, removed ? { notice: `Extension ${request.params.ext} removed.` } : { error: `Extension ${request.params.ext} is not a member.` }, removed ? 200 : 404);
  });

  admin.post<{ Params: { number: string } }>('/queues/:number/delete', async (request, reply) => {
    const before = repos.queues.get(request.params.number);
    if (!before) return notFound(request, reply, request.params.number);
    repos.queues.remove(before.number);
    ctx.audit.record(actorOf(request), 'queue.delete', before.number, before, undefined);
    return listPage(request, reply, { notice: `Queue ${before.number} deleted.` });
  });
}
