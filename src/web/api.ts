/**
 * JSON API under /api/: token authentication (Authorization: Bearer hf_…; tokens are created
 * by admins and stored hashed), a JSON schema on every route, errors as
 * {"error": {"message", "field", "code"}}.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Device, NewDevice } from '../data/types.js';
import { HookflashError, NotFoundError, ValidationError } from '../errors.js';
import { validateDeviceForModel } from '../provisioning/device-rules.js';
import { generatePassword } from '../util/secrets.js';
import { parseMac } from '../util/mac.js';
import type { WebContext } from './context.js';
import { apiCommon } from './api-common.js';
import { GENERATED_SIP_PASSWORD_LENGTH, publicExtension } from './admin-extensions.js';
import { publicDevice } from './admin-devices.js';
import { devicePreview } from './device-preview.js';
import { sha256 } from './sessions.js';
import { resyncDevice } from './device-resync.js';
import { pairWithDepartments, saveWithDepartments, type LineChoice } from '../provisioning/department-lines.js';

const apiLineChoices = (lines: string[], departments: string[] | undefined): LineChoice[] =>
  pairWithDepartments(lines, departments, 'departments', '""');

declare module 'fastify' {
  interface FastifyRequest {
    apiActor: string | null;
  }
}

const str = (max = 256) => ({ type: 'string', maxLength: max }) as const;
/**
 * Unknown fields are refused, not dropped: fastify's ajv removes additional properties
 * silently, which would turn a typo ("lable") into a quiet no-op. propertyNames is not affected.
 */
const closed = <P extends Record<string, unknown>>(properties: P) =>
  ({ type: 'object', properties, propertyNames: { enum: Object.keys(properties) } }) as const;
const extensionBody = closed({
  number: str(4), displayName: str(64), sipPassword: str(128), emails: { type: 'array', maxItems: 20, items: str(254) }, rotatePassword: { type: 'boolean' },
});
const functionKey = {
  ...closed({ key: { type: 'integer', minimum: 1, maximum: 99 }, kind: { enum: ['blf', 'speeddial'] }, target: str(32), label: str(64) }),
  required: ['key', 'kind', 'target'],
} as const;
const deviceBody = closed({
  mac: str(32), model: str(32), label: str(64), lines: { type: 'array', minItems: 1, maxItems: 8, items: str(4) },
  functionKeys: { type: 'array', maxItems: 99, items: functionKey },
  hookFlashPreset: { type: ['string', 'null'], maxLength: 64 }, hookFlashMin: { type: ['number', 'null'] }, hookFlashMax: { type: ['number', 'null'] },
  region: { type: ['string', 'null'], maxLength: 16 },
  // Per line, a department (queue number) whose agent the line's extension becomes; a line
  // given as "" with a department gets a new extension (as on the installer page).
  departments: { type: 'array', maxItems: 8, items: str(4) },
});
const numberParams = { type: 'object', required: ['number'], properties: { number: str(4) } } as const;
const macParams = { type: 'object', required: ['mac'], properties: { mac: str(32) } } as const;
const limitQuery = { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } } as const;

/** The field a schema error is about: "/lines/0" → "lines", missing property → its name. */
function fieldOf(error: FastifyError): string | undefined {
  const v = error.validation?.[0];
  if (!v) return undefined;
  const params = v.params as { missingProperty?: string; propertyName?: string };
  // ajv puts the offending key of a propertyNames failure on the error itself.
  const missing = params.missingProperty ?? params.propertyName ?? (v as { propertyName?: string }).propertyName;
  const path = v.instancePath.split('/').filter(Boolean)[0];
  return missing ?? path ?? undefined;
}

export function registerApiRoutes(api: FastifyInstance, ctx: WebContext): void {
  const { repos, deps } = ctx;
  api.decorateRequest('apiActor', null);

  api.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const m = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const token = m ? repos.apiTokens.findActiveByHash(sha256(m[1]!)) : undefined;
    if (!token) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({
        error: { message: 'an API token is required: send "Authorization: Bearer <token>" (admins create tokens under API tokens)', code: 'HF_UNAUTHENTICATED' },
      });
    }
    repos.apiTokens.markUsed(token.id, new Date(ctx.now()).toISOString());
    request.apiActor = `token:${token.name}`;
  });

  api.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      const field = fieldOf(error);
      return reply.code(400).send({ error: { message: `${error.message}`, field, code: 'HF_VALIDATION' } });
    }
    if (error instanceof HookflashError) {
      return reply.code(error.status).send({ error: { message: error.message, field: error.field, code: error.code } });
    }
    if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).send({ error: { message: error.message, code: error.code } });
    deps.logger.error({ err: error, url: request.url }, 'API error');
    return reply.code(500).send({ error: { message: 'internal error (see the server log)', code: 'HF_INTERNAL' } });
  });

  const { audit, extension } = apiCommon(ctx);
  const device = (mac: string): Device => {
    const d = repos.devices.get(parseMac(mac));
    if (!d) throw new NotFoundError(`device ${mac} does not exist`, 'mac');
    return d;
  };
  const checkModel = (d: Pick<NewDevice, 'model' | 'lines' | 'functionKeys' | 'hookFlashPreset' | 'hookFlashMin' | 'hookFlashMax' | 'region'>) => {
    const model = deps.models.get(String(d.model).toLowerCase());
    if (!model) throw new ValidationError(`model ${JSON.stringify(d.model)} is not known (known: ${[...deps.models.keys()].join(', ')})`, 'model');
    validateDeviceForModel(model, {
      lines: d.lines, functionKeys: d.functionKeys ?? [], hookFlashPreset: d.hookFlashPreset ?? null,
      hookFlashMin: d.hookFlashMin ?? null, hookFlashMax: d.hookFlashMax ?? null, region: d.region ?? null,
    });
  };

  type ExtBody = { number?: string; displayName?: string; sipPassword?: string; emails?: string[]; rotatePassword?: boolean };

  api.get('/extensions', async () => ({ extensions: repos.extensions.list().map(publicExtension) }));
  api.get<{ Params: { number: string } }>('/extensions/:number', { schema: { params: numberParams } }, async (request) =>
    ({ extension: publicExtension(extension(request.params.number)) }));
  api.post<{ Body: ExtBody }>('/extensions', { schema: { body: { ...extensionBody, required: ['number', 'displayName'] } } }, async (request, reply) => {
    const b = request.body;
    const generated = b.sipPassword ? undefined : generatePassword(GENERATED_SIP_PASSWORD_LENGTH);
    const e = repos.extensions.add({ number: b.number!, displayName: b.displayName!, sipPassword: b.sipPassword ?? generated!, emails: b.emails ?? [] });
    audit(request, 'extension.create', e.number, undefined, e);
    return reply.code(201).send({ extension: publicExtension(e), ...(generated ? { sipPassword: generated } : {}) });
  });
  api.patch<{ Params: { number: string }; Body: ExtBody }>('/extensions/:number', { schema: { params: numberParams, body: extensionBody } }, async (request) => {
    const before = extension(request.params.number);
    const b = request.body;
    const generated = b.rotatePassword ? generatePassword(GENERATED_SIP_PASSWORD_LENGTH) : undefined;
    const after = repos.extensions.update(before.number, {
      ...(b.displayName !== undefined ? { displayName: b.displayName } : {}),
      ...(b.emails !== undefined ? { emails: b.emails } : {}),
      ...(generated ?? b.sipPassword ? { sipPassword: generated ?? b.sipPassword! } : {}),
    });
    audit(request, 'extension.update', after.number, before, after);
    return { extension: publicExtension(after), ...(generated ? { sipPassword: generated } : {}) };
  });
  api.delete<{ Params: { number: string } }>('/extensions/:number', { schema: { params: numberParams } }, async (request, reply) => {
    const before = extension(request.params.number);
    repos.extensions.remove(before.number);
    audit(request, 'extension.delete', before.number, before);
    return reply.code(204).send();
  });

  type DevBody = Partial<NewDevice> & { departments?: string[] };
  api.get('/devices', async () => ({ devices: repos.devices.list().map(publicDevice) }));
  api.get<{ Params: { mac: string } }>('/devices/:mac', { schema: { params: macParams } }, async (request) => ({ device: publicDevice(device(request.params.mac)) }));
  api.post<{ Body: DevBody }>('/devices', { schema: { body: { ...deviceBody, required: ['mac', 'model', 'lines'] } } }, async (request, reply) => {
    const { departments, ...body } = request.body;
    const choices = apiLineChoices(body.lines ?? [], departments);
    const saved = saveWithDepartments(repos, choices, () => 'departments', (lines) => {
      const input = { ...body, lines: lines.filter(Boolean), mac: parseMac(body.mac!), model: String(body.model).toLowerCase() } as NewDevice;
      checkModel(input);
      const d = repos.devices.add(input);
      return { result: d, audit: [{ action: 'device.create', target: d.mac, after: publicDevice(d) }] };
    });
    for (const e of saved.audit) audit(request, e.action, e.target, e.before, e.after);
    return reply.code(201).send({ device: publicDevice(saved.result), createdExtensions: saved.created });
  });
  api.patch<{ Params: { mac: string }; Body: DevBody }>('/devices/:mac', { schema: { params: macParams, body: deviceBody } }, async (request) => {
    const before = device(request.params.mac);
    const { mac: _ignored, departments, ...patch } = request.body;
    if (departments !== undefined && patch.lines === undefined) throw new ValidationError('departments go with lines: send both', 'departments');
    const choices = apiLineChoices(patch.lines ?? [], departments);
    const saved = saveWithDepartments(repos, choices, () => 'departments', (lines) => {
      const changes = patch.lines === undefined ? patch : { ...patch, lines: lines.filter(Boolean) };
      checkModel({ ...before, ...changes });
      const after = repos.devices.update(before.mac, changes);
      return { result: after, audit: [{ action: 'device.update', target: after.mac, before: publicDevice(before), after: publicDevice(after) }] };
    });
    for (const e of saved.audit) audit(request, e.action, e.target, e.before, e.after);
    return { device: publicDevice(saved.result), createdExtensions: saved.created };
  });
  api.delete<{ Params: { mac: string } }>('/devices/:mac', { schema: { params: macParams } }, async (request, reply) => {
    const before = device(request.params.mac);
    repos.devices.remove(before.mac);
    audit(request, 'device.delete', before.mac, publicDevice(before));
    return reply.code(204).send();
  });
  api.get<{ Params: { mac: string } }>('/devices/:mac/render', { schema: { params: macParams } }, async (request) => {
    const p = devicePreview({ repos, renderer: deps.renderer }, device(request.params.mac));
    return { body: p.body, secretsMasked: true };
  });
  api.get<{ Params: { mac: string } }>('/devices/:mac/diff', { schema: { params: macParams } }, async (request) => {
    const p = devicePreview({ repos, renderer: deps.renderer }, device(request.params.mac));
    return { lastFetchedAt: p.lastFetchedAt, changes: p.diff };
  });
  api.post<{ Params: { mac: string } }>('/devices/:mac/reopen', { schema: { params: macParams } }, async (request) => {
    const before = device(request.params.mac);
    const after = repos.devices.reopen(before.mac);
    audit(request, 'device.reopen', after.mac, publicDevice(before), publicDevice(after));
    return { device: publicDevice(after) };
  });
  // 200 {sent, accepted, message} when the phone took it; 409 no line registered; 502 nobody accepted; 503 no PBX.
  api.post<{ Params: { mac: string } }>('/devices/:mac/resync', { schema: { params: macParams } }, async (request, reply) => {
    const outcome = await resyncDevice(ctx, request, device(request.params.mac), request.apiActor ?? 'token:?');
    if (outcome.ok) return { sent: outcome.sent, accepted: outcome.accepted ?? null, message: outcome.message };
    const code = outcome.status === 409 ? 'HF_NOT_REGISTERED' : outcome.status === 503 ? 'HF_PBX_UNAVAILABLE' : 'HF_RESYNC';
    return reply.code(outcome.status).send({ error: { message: outcome.message, field: 'mac', code }, sent: outcome.sent });
  });
  api.get<{ Querystring: { limit: number } }>('/sightings', { schema: { querystring: limitQuery } }, async (request) =>
    ({ sightings: repos.sightings.recent(request.query.limit) }));
  api.get<{ Querystring: { limit: number } }>('/provisioning-log', { schema: { querystring: limitQuery } }, async (request) =>
    ({ entries: repos.provisioningLog.recent(request.query.limit) }));
}
