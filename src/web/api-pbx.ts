/**
 * JSON API for the PBX parts of the admin UI: forwarding, voicemail boxes (greetings and
 * messages as audio), entry numbers, the call log, queues (and their live view), users and a
 * dashboard summary. Same conventions as api.ts: Bearer tokens, a schema on every route,
 * unknown fields refused, errors as {"error": {"message", "field", "code"}}.
 */
import type { FastifyInstance } from 'fastify';
import type { Mailbox, NewQueue, QueuePatch } from '../data/types.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { checkForwardingRules } from '../pbx/rules/forwarding.js';
import type { WebContext } from './context.js';
import { apiCommon } from './api-common.js';
import { callFilter, callView, DISPOSITIONS } from './admin-calls.js';
import { audioPath, GREETING_BODY_LIMIT, mailboxService, sendWav, storeGreeting } from './admin-mailboxes.js';
import { liveQueues } from './admin-queues.js';
import { publicUser, userAdmin } from './admin-users.js';
import { entryRow, saveEntryNumber } from './entry-number-form.js';
import { saveForwarding } from './forwarding-form.js';
import { readCalls } from './live-state.js';
import { messageView, outboxProblemsView, publicMailbox } from './mailbox-view.js';
import { queueSummary, registeredDeviceCount } from './admin-pages.js';

const str = (max = 256) => ({ type: 'string', maxLength: max }) as const;
const closed = <P extends Record<string, unknown>>(properties: P) =>
  ({ type: 'object', properties, propertyNames: { enum: Object.keys(properties) } }) as const;
const secondsField = (min: number, max: number) => ({ type: 'integer', minimum: min, maximum: max }) as const;

const destination = { ...closed({ kind: { enum: ['extension', 'voicemail', 'queue', 'hangup'] }, number: str(6), box: str(6) }), required: ['kind'] } as const;
const forwardingBody = closed({
  always: destination, busy: destination, unavailable: destination,
  noAnswer: { ...closed({ after: { type: 'integer' }, to: destination }), required: ['after', 'to'] },
});
const mailboxBody = closed({
  box: str(6), name: str(64), language: { enum: ['pl', 'en'] }, extension: { type: ['string', 'null'], maxLength: 4 },
  emails: { type: 'array', maxItems: 20, items: str(254) }, pin: { type: ['string', 'null'], maxLength: 10 },
});
const scheduleBody = {
  ...closed({
    name: str(64), timeZone: str(64),
    weekly: { type: 'object', maxProperties: 7, additionalProperties: { type: 'array', maxItems: 24, items: str(16) } },
    holidays: { type: 'array', maxItems: 400, items: closed({ date: str(10), name: str(64), intervals: { type: 'array', maxItems: 24, items: str(16) } }) },
  }),
  required: ['name', 'weekly'],
} as const;
const entryBody = { ...closed({ schedule: scheduleBody, inHours: destination, afterHours: destination }), required: ['schedule', 'inHours', 'afterHours'] } as const;
const callsQuery = {
  type: 'object',
  properties: {
    extension: str(64), from: str(10), to: str(10), disposition: { enum: DISPOSITIONS as unknown as string[] },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
  },
} as const;
const queueBody = closed({
  number: str(6), name: str(64), strategy: { enum: ['ring-all', 'round-robin', 'least-recent', 'fewest-calls'] },
  ringTimeoutS: secondsField(1, 3600), wrapUpS: secondsField(0, 3600), maxWaitS: secondsField(1, 86_400),
  announcePositionS: { type: ['integer', 'null'], minimum: 1, maximum: 3600 }, language: { enum: ['pl', 'en'] },
  overflow: { anyOf: [str(32), destination] }, members: { type: 'array', maxItems: 100, items: str(4) },
});
const param = (name: string, max = 6) => ({ type: 'object', required: [name], properties: { [name]: str(max) } }) as const;
const twoParams = (a: string, b: string) => ({ type: 'object', required: [a, b], properties: { [a]: str(6), [b]: str(12) } }) as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;
const userPatch = { ...closed({ role: { enum: ['admin', 'installer'] } }), required: ['role'] } as const;

export function registerPbxApiRoutes(api: FastifyInstance, ctx: WebContext): void {
  const { repos } = ctx;
  const { audit, extension } = apiCommon(ctx);
  const mailbox = (box: string): Mailbox => {
    const m = repos.mailboxes.get(box);
    if (!m) throw new NotFoundError(`voicemail box ${box} does not exist`, 'box');
    return m;
  };
  const queue = (number: string) => {
    const q = repos.queues.get(number);
    if (!q) throw new NotFoundError(`queue ${number} does not exist`, 'number');
    return q;
  };

  /* ---- forwarding ---- */
  const stored = (number: string) => {
    const raw = repos.forwarding.get(number);
    return raw ? checkForwardingRules(raw, number) : {};
  };
  api.get<{ Params: { number: string } }>('/extensions/:number/forwarding', { schema: { params: param('number', 4) } }, async (request) =>
    ({ forwarding: stored(extension(request.params.number).number) }));
  api.put<{ Params: { number: string }; Body: Record<string, unknown> }>('/extensions/:number/forwarding',
    { schema: { params: param('number', 4), body: forwardingBody } }, async (request) => {
      const ext = extension(request.params.number);
      const before = repos.forwarding.get(ext.number) ?? {};
      const after = saveForwarding(repos, ext.number, request.body);
      audit(request, 'extension.forwarding', ext.number, before, after);
      return { forwarding: after };
    });

  /* ---- voicemail boxes ---- */
  type MailboxBody = { box?: string; name?: string; language?: Mailbox['language']; extension?: string | null; emails?: string[]; pin?: string | null };
  const service = mailboxService(ctx);
  api.addContentTypeParser(/^(?:audio\/[\w.+-]+|application\/octet-stream)\s*(?:;|$)/, { parseAs: 'buffer', bodyLimit: GREETING_BODY_LIMIT }, (_r, body, done) => done(null, body));

  api.get('/mailboxes', async () => ({ mailboxes: repos.mailboxes.list().map(publicMailbox) }));
  api.get<{ Params: { box: string } }>('/mailboxes/:box', { schema: { params: param('box') } }, async (request) => {
    const m = mailbox(request.params.box);
    return {
      mailbox: publicMailbox(m),
      messages: repos.voicemailMessages.listForBox(m.box, 100).map((msg) => messageView(repos, msg)),
    };
  });
  api.post<{ Body: MailboxBody }>('/mailboxes', { schema: { body: { ...mailboxBody, required: ['box', 'name'] } } }, async (request, reply) => {
    const b = request.body;
    const m = await service.add({
      box: b.box!, name: b.name!, emails: b.emails ?? [], language: b.language ?? 'pl', extension: b.extension ?? null,
      ...(typeof b.pin === 'string' ? { pin: b.pin } : {}),
    });
    audit(request, 'mailbox.create', m.box, undefined, publicMailbox(m));
    return reply.code(201).send({ mailbox: publicMailbox(m) });
  });
  api.patch<{ Params: { box: string }; Body: MailboxBody }>('/mailboxes/:box', { schema: { params: param('box'), body: mailboxBody } }, async (request) => {
    const before = mailbox(request.params.box);
    const { box: _box, pin, ...patch } = request.body;
    let after = Object.keys(patch).length ? repos.mailboxes.update(before.box, patch) : before;
    if (pin !== undefined) after = await service.setPin(before.box, pin);
    audit(request, 'mailbox.update', after.box, publicMailbox(before), publicMailbox(after));
    return { mailbox: publicMailbox(after) };
  });
  api.delete<{ Params: { box: string } }>('/mailboxes/:box', { schema: { params: param('box') } }, async (request, reply) => {
    const before = mailbox(request.params.box);
    await service.remove(before.box);
    audit(request, 'mailbox.delete', before.box, publicMailbox(before));
    return reply.code(204).send();
  });
  api.put<{ Params: { box: string } }>('/mailboxes/:box/greeting', { schema: { params: param('box') } }, async (request) => {
    const before = mailbox(request.params.box);
    const result = await storeGreeting(ctx, before.box, request.body, request.headers['x-file-name']);
    audit(request, 'mailbox.greeting', before.box, publicMailbox(before), publicMailbox(result.mailbox));
    return { mailbox: publicMailbox(result.mailbox), durationMs: Math.round(result.info.durationMs), converted: result.info.converted };
  });
  api.get<{ Params: { box: string } }>('/mailboxes/:box/greeting', { schema: { params: param('box') } }, async (request, reply) => {
    const path = await audioPath(ctx, mailbox(request.params.box).greetingFile);
    if (!path) throw new NotFoundError(`voicemail box ${request.params.box} has no greeting of its own`, 'box');
    return sendWav(reply, path);
  });
  api.get<{ Params: { box: string; id: string } }>('/mailboxes/:box/messages/:id/audio', { schema: { params: twoParams('box', 'id') } }, async (request, reply) => {
    const message = repos.voicemailMessages.get(Number(request.params.id));
    const path = message && message.box === request.params.box ? await audioPath(ctx, message.file) : null;
    if (!path) throw new NotFoundError(`no message ${request.params.id} in voicemail box ${request.params.box}`, 'id');
    return sendWav(reply, path);
  });
  api.get('/voicemail/problems', async () => ({ problems: outboxProblemsView(repos, ctx.now()) }));

  /* ---- entry numbers ---- */
  api.get('/entry-numbers', async () => ({ entryNumbers: repos.entryNumbers.list().map((e) => ({ ...entryRow(e, ctx.now()), definition: e.definition })) }));
  api.get<{ Params: { number: string } }>('/entry-numbers/:number', { schema: { params: param('number') } }, async (request) => {
    const e = repos.entryNumbers.get(request.params.number);
    if (!e) throw new NotFoundError(`entry number ${request.params.number} does not exist`, 'number');
    return { entryNumber: { ...entryRow(e, ctx.now()), definition: e.definition } };
  });
  api.put<{ Params: { number: string }; Body: Record<string, unknown> }>('/entry-numbers/:number', { schema: { params: param('number'), body: entryBody } }, async (request, reply) => {
    const before = repos.entryNumbers.get(request.params.number);
    const { stored: saved } = saveEntryNumber(repos, { ...request.body, number: request.params.number }, { creating: false });
    audit(request, before ? 'entry-number.update' : 'entry-number.create', saved.number, before?.definition, saved.definition);
    return reply.code(before ? 200 : 201).send({ entryNumber: { ...entryRow(saved, ctx.now()), definition: saved.definition } });
  });
  api.delete<{ Params: { number: string } }>('/entry-numbers/:number', { schema: { params: param('number') } }, async (request, reply) => {
    const before = repos.entryNumbers.get(request.params.number);
    if (!before) throw new NotFoundError(`entry number ${request.params.number} does not exist`, 'number');
    repos.entryNumbers.remove(before.number);
    audit(request, 'entry-number.delete', before.number, before.definition);
    return reply.code(204).send();
  });

  /* ---- call log ---- */
  api.get<{ Querystring: { extension?: string; from?: string; to?: string; disposition?: string; limit: number; offset: number } }>('/calls',
    { schema: { querystring: callsQuery } }, async (request) => {
      const { limit, offset, ...q } = request.query;
      const filter = callFilter(q, ctx.options.timeZone);
      return { total: repos.cdr.count(filter), calls: repos.cdr.list({ ...filter, limit, offset }).map(callView) };
    });

  /* ---- queues ---- */
  api.get('/queues', async () => ({ queues: repos.queues.list() }));
  api.get('/queues/live', async () => liveQueues(ctx));
  api.get<{ Params: { number: string } }>('/queues/:number', { schema: { params: param('number') } }, async (request) => ({ queue: queue(request.params.number) }));
  api.post<{ Body: NewQueue }>('/queues', { schema: { body: { ...queueBody, required: ['number', 'overflow'] } } }, async (request, reply) => {
    const q = repos.queues.add(request.body);
    audit(request, 'queue.create', q.number, undefined, q);
    return reply.code(201).send({ queue: q });
  });
  api.patch<{ Params: { number: string }; Body: QueuePatch & { number?: string; members?: string[] } }>('/queues/:number',
    { schema: { params: param('number'), body: queueBody } }, async (request) => {
      const before = queue(request.params.number);
      const { number: _n, members, ...patch } = request.body;
      if (members !== undefined) throw new ValidationError('members are changed with POST/DELETE /api/queues/:number/members', 'members');
      const after = repos.queues.update(before.number, patch);
      audit(request, 'queue.update', after.number, before, after);
      return { queue: after };
    });
  api.delete<{ Params: { number: string } }>('/queues/:number', { schema: { params: param('number') } }, async (request, reply) => {
    const before = queue(request.params.number);
    repos.queues.remove(before.number);
    audit(request, 'queue.delete', before.number, before);
    return reply.code(204).send();
  });
  api.post<{ Params: { number: string }; Body: { extension: string; order?: number } }>('/queues/:number/members', {
    schema: { params: param('number'), body: { ...closed({ extension: str(4), order: { type: 'integer', minimum: 1, maximum: 100 } }), required: ['extension'] } },
  }, async (request, reply) => {
    const before = queue(request.params.number);
    const after = repos.queues.addMember(before.number, request.body.extension, request.body.order);
    audit(request, 'queue.member-add', after.number, { members: before.members.map((m) => m.extension) }, { members: after.members.map((m) => m.extension) });
    return reply.code(201).send({ queue: after });
  });
  api.delete<{ Params: { number: string; ext: string } }>('/queues/:number/members/:ext', { schema: { params: twoParams('number', 'ext') } }, async (request, reply) => {
    const before = queue(request.params.number);
    if (!repos.queues.removeMember(before.number, request.params.ext)) {
      throw new NotFoundError(`extension ${request.params.ext} is not a member of queue ${before.number}`, 'ext');
    }
    audit(request, 'queue.member-remove', before.number, { members: before.members.map((m) => m.extension) });
    return reply.code(204).send();
  });

  /* ---- users (an API token acts for no user: the last-admin rule still holds) ---- */
  const users = userAdmin(ctx);
  api.get('/users', async () => ({ users: repos.users.list().map(publicUser) }));
  api.patch<{ Params: { id: number }; Body: { role: 'admin' | 'installer' } }>('/users/:id', { schema: { params: idParams, body: userPatch } }, async (request) => {
    const { before, after } = users.setRole(request.params.id, request.body.role, null);
    audit(request, 'user.role', after.name, { role: before.role }, { role: after.role });
    return { user: publicUser(after) };
  });
  api.post<{ Params: { id: number } }>('/users/:id/reset-password', { schema: { params: idParams } }, async (request) => {
    const { user, password } = await users.resetPassword(request.params.id);
    audit(request, 'user.reset-password', user.name, { password: '' }, { password });
    return { user: publicUser(user), password };
  });
  api.delete<{ Params: { id: number } }>('/users/:id', { schema: { params: idParams } }, async (request, reply) => {
    const user = users.remove(request.params.id, null);
    audit(request, 'user.delete', user.name, { name: user.name, role: user.role });
    return reply.code(204).send();
  });

  /* ---- dashboard ---- */
  api.get('/dashboard', async () => ({
    devices: repos.devices.list().length,
    extensions: repos.extensions.list().length,
    registrations: repos.registrations.allLive(ctx.now()).length,
    registeredDevices: registeredDeviceCount(ctx),
    activeCalls: readCalls(ctx.options)?.activeCalls ?? null,
    queues: queueSummary(ctx),
    voicemailProblems: outboxProblemsView(repos, ctx.now()),
    unassignedDevices: repos.sightings.unassigned(20),
  }));
}
